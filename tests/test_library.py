"""The library with 1,200 generated reports: search, filters, sorting, pagination, action items,
follow-ups, figures and the stakeholders' view."""

from __future__ import annotations

import csv
import io
import random
import re
import statistics
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from reports import library
from reports.library import LibraryQuery
from reports.store import ReportStore
from tests.conftest import csrf_token_from
from tests.pages import store_of
from tests.report_factory import generated_report

TODAY = date(2026, 11, 26)
COUNT = 1200


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory,
           postgres_server) -> Iterator[tuple[Flask, list]]:  # type: ignore[no-untyped-def]
    config = {"INSTANCE_PATH": str(tmp_path_factory.mktemp("library")), "TESTING": True,
              "TODAY": TODAY}
    if postgres_server is not None:
        config["DATABASE_URL"] = postgres_server.new_database()
    app = create_app(config)
    store: ReportStore = store_of(app)
    rng = random.Random(20261126)
    reports = []
    for index in range(COUNT):
        report = generated_report(rng, TODAY, index)
        reports.append((store.create(report).id, report))
    yield app, reports
    store.engine.dispose()


def _ids(page: library.LibraryPage) -> list[int]:
    return [entry.id for entry in page.entries]


def test_search_finds_words_in_any_part(seeded: tuple[Flask, list]) -> None:
    app, reports = seeded
    engine = store_of(app).engine
    expected = {i for i, r in reports if "certificate" in r.summary and r.service == "checkout"}
    found = library.find(engine, LibraryQuery(text="Certificate CHECKOUT"))
    assert found.total == len(expected) > 0
    all_ids: set[int] = set()
    for page in range(1, found.pages + 1):
        all_ids |= set(_ids(library.find(engine, LibraryQuery(text="certificate checkout",
                                                              page=page))))
    assert all_ids == expected
    # A word only in an action item's owner, and a prefix.
    by_owner = {i for i, r in reports if any(a.owner == "Security team" for a in r.actions)}
    assert library.find(engine, LibraryQuery(text="security tea")).total == len(by_owner)
    assert library.find(engine, LibraryQuery(text="zzzz-no-such-word")).total == 0
    assert library.find(engine, LibraryQuery(text='"); DROP TABLE reports; --')).total == 0


def test_filters_and_sorting(seeded: tuple[Flask, list]) -> None:
    app, reports = seeded
    engine = store_of(app).engine
    query = LibraryQuery(service="search", severity="SEV2", status="published", year=2025)
    expected = {i for i, r in reports if r.service == "search" and r.severity == "SEV2"
                and r.status == "published" and r.started_at.astimezone(UTC).year == 2025}
    found = library.find(engine, query)
    assert found.total == len(expected)
    assert set(_ids(found)) <= expected
    newest_first = library.find(engine, LibraryQuery())
    starts = [entry.started_at for entry in newest_first.entries]
    assert starts == sorted(starts, reverse=True)
    assert newest_first.total == COUNT and newest_first.pages == -(-COUNT // library.PAGE_SIZE)
    edited = library.find(engine, LibraryQuery(sort="edited"))
    assert edited.entries[0].id == reports[-1][0]  # the last one created was edited last
    last = library.find(engine, LibraryQuery(page=10_000))
    assert last.page == last.pages
    assert len(last.entries) == (COUNT % library.PAGE_SIZE or library.PAGE_SIZE)
    assert set(newest_first.services) == {r.service for _, r in reports}


def test_open_actions_overdue_first(seeded: tuple[Flask, list]) -> None:
    app, reports = seeded
    engine = store_of(app).engine
    items = library.open_actions(engine, TODAY)
    expected = sum(1 for _, r in reports for a in r.actions
                   if a.status in ("proposed", "agreed", "in_progress"))
    assert len(items) == expected
    overdue = [item.overdue(TODAY) for item in items]
    assert overdue == sorted(overdue, reverse=True)  # every overdue one before the others
    owned = library.open_actions(engine, TODAY, owner="platform TEAM")
    assert owned and all(item.owner == "Platform team" for item in owned)


def test_figures_and_follow_ups(seeded: tuple[Flask, list]) -> None:
    app, reports = seeded
    engine = store_of(app).engine
    figures = library.figures(engine, TODAY)
    quarter_start = datetime(2026, 10, 1, tzinfo=UTC)
    assert figures.this_quarter == sum(1 for _, r in reports if r.started_at >= quarter_start)
    assert figures.this_quarter > 0
    # In UTC: subtracting two times of one zone would ignore a daylight-saving change between.
    spans = sorted((r.resolved_at.astimezone(UTC) - r.started_at.astimezone(UTC)).total_seconds()
                   for _, r in reports)
    assert figures.median_time_to_resolve.total_seconds() == statistics.median(spans)
    open_items = [a for _, r in reports for a in r.actions
                  if a.status in ("proposed", "agreed", "in_progress")]
    assert figures.open_actions == len(open_items)
    assert figures.overdue_actions == sum(1 for a in open_items if a.due < TODAY)
    due = library.follow_ups_due(engine, TODAY)
    assert {f.entry.id for f in due} == {
        i for i, r in reports if r.follow_up_review_on <= TODAY}
    months = library.incidents_per_month(engine, TODAY)
    assert len(months) == 12 and months[-1].month == date(2026, 11, 1)
    assert sum(m.total for m in months) > 0


def test_library_page_paginates_and_keeps_filters(seeded: tuple[Flask, list]) -> None:
    app, _ = seeded
    client = app.test_client()
    html = client.get("/?service=checkout&sort=edited").get_data(as_text=True)
    assert "Next page" in html and "service=checkout" in html
    assert html.count('class="tag tag-') >= 25
    assert "<svg" in html and "Incidents per month" in html
    page2 = client.get("/?service=checkout&sort=edited&page=2").get_data(as_text=True)
    assert "Page 2 of" in page2 and "Previous page" in page2
    nothing = client.get("/?q=zzzz-no-such-word").get_data(as_text=True)
    assert "No report matches" in nothing
    assert client.get("/?page=abc&year=x&severity=SEV9").status_code == 200


def test_mark_done_from_the_action_page_and_csv(tmp_path: Path, sample_document) -> None:  # type: ignore[no-untyped-def]
    app = create_app({"INSTANCE_PATH": str(tmp_path / "i"), "TODAY": TODAY})
    client = app.test_client()
    report_id = client.post("/api/reports", json=sample_document).get_json()["id"]
    page = client.get("/actions").get_data(as_text=True)
    assert "Remove retired gateways" in page and page.count("tag tag-overdue") == 1
    rows = list(csv.reader(io.StringIO(client.get("/actions.csv").get_data(as_text=True))))
    assert rows[0][:3] == ["report_id", "report", "action"] and len(rows) == 3
    token = csrf_token_from(page)
    response = client.post("/actions/done", data={"csrf_token": token, "report_id": report_id,
                                                  "position": 0})
    assert response.status_code == 303
    stored = client.get(f"/api/reports/{report_id}").get_json()
    assert stored["actions"][0]["status"] == "done" and stored["version"] == 2
    after = client.get("/actions").get_data(as_text=True)
    assert 'name="position" value="0"' not in after and 'name="position" value="1"' in after
    assert client.post("/actions/done", data={"csrf_token": token, "report_id": report_id,
                                              "position": 9}).status_code == 404


def test_csv_cells_never_become_formulas(tmp_path: Path, sample_document) -> None:  # type: ignore[no-untyped-def]
    app = create_app({"INSTANCE_PATH": str(tmp_path / "i"), "TODAY": TODAY})
    client = app.test_client()
    sample_document["actions"][0]["owner"] = "=HYPERLINK(\"http://evil\")"
    client.post("/api/reports", json=sample_document)
    text = client.get("/actions.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in text


def test_stakeholder_view_is_the_export_with_a_strict_policy(
    client: FlaskClient, sample_document
) -> None:  # type: ignore[no-untyped-def]
    sample_document["summary"] = "<script>alert(1)</script> **bold**"
    report_id = client.post("/api/reports", json=sample_document).get_json()["id"]
    response = client.get(f"/reports/{report_id}/view")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "read-only view for stakeholders" in html
    assert f"/reports/{report_id}/view" in html
    for text in (sample_document["title"], "Remove retired gateways", "Platform team"):
        assert text in html
    assert "<script>alert" not in html and "<strong>bold</strong>" in html
    policy = response.headers["Content-Security-Policy"]
    assert re.search(r"style-src 'self' 'sha256-[A-Za-z0-9+/=]+'", policy)
    assert "unsafe-inline" not in policy and "script-src 'self'" in policy
    assert client.get("/reports/999/view").status_code == 404
