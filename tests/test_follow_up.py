"""The follow-up review: due on its date, shown with the actions' state, recorded by the author,
and then no longer listed as due."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from app import create_app
from reports import library
from reports.exchange import DocumentError, from_document, to_document
from reports.follow_up import follow_up_state
from reports.migrate import upgrade
from reports.store import ReportStore, make_engine
from tests.conftest import csrf_token_from
from tests.pages import post_page, store_of

TODAY = date(2026, 12, 10)


@pytest.fixture
def dated_app(tmp_path: Path) -> Flask:
    return create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True,
                       "TODAY": TODAY})


def _store(app: Flask) -> ReportStore:
    return store_of(app)


def test_state_counts_the_actions(sample_document: dict[str, Any]) -> None:
    report = from_document(sample_document)
    report.actions[0] = replace(report.actions[0], status="done")
    report.actions.append(replace(report.actions[1], status="dropped"))
    state = follow_up_state(report, date(2026, 12, 3))
    assert state.due and state.date_has_come and not state.held and state.show_outcome
    assert (state.done, state.open, state.overdue, state.dropped) == (1, 1, 1, 1)
    assert not follow_up_state(report, date(2026, 12, 2)).due
    assert not follow_up_state(report, date(2026, 12, 2)).show_outcome
    report.follow_up_held_on = date(2026, 12, 4)
    held = follow_up_state(report, date(2026, 12, 5))
    assert held.held and not held.due and held.show_outcome


def test_outcome_round_trips_and_is_written_only_when_set(
    sample_document: dict[str, Any],
) -> None:
    assert "follow_up_outcome" not in to_document(from_document(sample_document))
    assert "follow_up_held_on" not in to_document(from_document(sample_document))
    sample_document["follow_up_outcome"] = "Action 1 is **done**; action 2 moves to January."
    sample_document["follow_up_held_on"] = "2026-12-04"
    report = from_document(sample_document)
    assert report.follow_up_held_on == date(2026, 12, 4)
    assert to_document(report) == sample_document
    assert json.dumps(to_document(report)) == json.dumps(sample_document)


@pytest.mark.parametrize("field, value", [("follow_up_outcome", 3),
                                          ("follow_up_held_on", "4 December")])
def test_bad_outcome_values_are_named(sample_document: dict[str, Any], field: str,
                                      value: object) -> None:
    sample_document[field] = value
    with pytest.raises(DocumentError) as error:
        from_document(sample_document)
    assert field in error.value.problems


def test_editor_shows_the_box_once_due_and_records_the_outcome(
    dated_app: Flask, sample_document: dict[str, Any],
) -> None:
    store = _store(dated_app)
    stored = store.create(from_document(sample_document))
    client = dated_app.test_client()
    html = client.get(f"/reports/{stored.id}").get_data(as_text=True)
    assert "The follow-up review is due" in html and "3 December 2026" in html
    assert 'id="follow_up_outcome"' in html and 'id="follow_up_held_on"' in html
    assert "2</span> still open" in html and "2</span> overdue" in html
    library_html = client.get("/").get_data(as_text=True)
    assert "Follow-up due" in library_html and "Follow-up reviews due (1)" in library_html

    form = {"csrf_token": csrf_token_from(html), "title": "Checkout unavailable",
            "timezone": "Europe/Paris", "follow_up_review_on": "2026-12-03",
            "follow_up_outcome": "Action 1 is done. Action 2 moves to January.",
            "follow_up_held_on": "2026-12-09"}
    assert post_page(client, f"/reports/{stored.id}", form).status_code == 303
    saved = store.get(stored.id).report  # type: ignore[union-attr]
    assert saved.follow_up_held_on == date(2026, 12, 9)
    assert saved.follow_up_outcome.startswith("Action 1 is done")

    html = client.get(f"/reports/{stored.id}").get_data(as_text=True)
    assert "Follow-up review held on 9 December 2026" in html
    assert "The follow-up review is due" not in html
    library_html = client.get("/").get_data(as_text=True)
    assert "Follow-up due" not in library_html and "Follow-up reviews due (0)" in library_html
    assert "No follow-up review is due" in client.get("/follow-ups").get_data(as_text=True)
    assert library.follow_ups_due(store.engine, TODAY) == []


def test_before_the_date_the_page_only_says_when(
    dated_app: Flask, sample_document: dict[str, Any],
) -> None:
    sample_document["follow_up_review_on"] = "2027-01-20"
    stored = _store(dated_app).create(from_document(sample_document))
    html = dated_app.test_client().get(f"/reports/{stored.id}").get_data(as_text=True)
    assert "The follow-up review is due" not in html and 'id="follow_up_outcome"' not in html
    assert "From 20 January 2027, this part will ask you" in html


def test_a_save_without_the_box_keeps_the_recorded_outcome(
    dated_app: Flask, sample_document: dict[str, Any],
) -> None:
    sample_document.update(follow_up_outcome="All done.", follow_up_held_on="2026-12-04")
    store = _store(dated_app)
    stored = store.create(from_document(sample_document))
    client = dated_app.test_client()
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    post_page(client, f"/reports/{stored.id}", {"csrf_token": token, "title": "Renamed",
                                                "timezone": "UTC"})
    saved = store.get(stored.id).report  # type: ignore[union-attr]
    assert saved.title == "Renamed"
    assert (saved.follow_up_outcome, saved.follow_up_held_on) == ("All done.", date(2026, 12, 4))


def test_follow_ups_page_lists_overdue_actions(
    dated_app: Flask, sample_document: dict[str, Any],
) -> None:
    _store(dated_app).create(from_document(sample_document))
    html = dated_app.test_client().get("/follow-ups").get_data(as_text=True)
    assert "Checkout unavailable for EU customers" in html
    assert "2 of 2" in html and "2 overdue" in html


def test_migration_fills_the_held_on_column(
    tmp_path: Path, sample_document: dict[str, Any],
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade(engine, "0007")
    sample_document["follow_up_held_on"] = "2026-12-04"
    with engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO reports (version, created_at, updated_at, title, service, status, "
            "document, authors, search_text) VALUES (1, '2026-12-01', '2026-12-01', 't', 's', "
            "'draft', :document, '', '')"), {"document": json.dumps(sample_document)})
    upgrade(engine)
    with engine.connect() as connection:
        held = connection.scalar(sa.text("SELECT follow_up_held_on FROM reports"))
        tables = sa.inspect(connection).get_table_names()
    assert str(held) == "2026-12-04" and "review_comments" in tables
    engine.dispose()


def test_exports_show_the_review_once_held(sample_document: dict[str, Any]) -> None:
    from exporters.render import render_html, render_markdown_document

    report = from_document(sample_document)
    assert "We will meet again on" in render_markdown_document(report)
    assert "follow-up-outcome" not in render_html(report)
    report.follow_up_held_on = date(2026, 12, 4)
    report.follow_up_outcome = "Action 1 is **done**. <b>Action 2</b> moves to January."
    markdown, html = render_markdown_document(report), render_html(report)
    assert "We met again on **4 December 2026**" in markdown
    assert "Action 1 is **done**." in markdown and "We will meet again" not in markdown
    assert "We met again on <strong>4 December 2026</strong>" in html
    assert "Action 1 is <strong>done</strong>." in html
    assert "<b>Action 2</b>" not in html and "&lt;b&gt;Action 2&lt;/b&gt;" in html
