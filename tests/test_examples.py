"""The example report: complete, blameless, shown part by part, and a starting point."""

from __future__ import annotations

import json
import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from reports.checks import check_report
from reports.examples import SAMPLE_FILE, sample_document, sample_report
from reports.exchange import to_document
from reports.guidance import readiness, report_hints
from reports.guidance.client import report_guidance
from tests.conftest import csrf_token_from
from tests.pages import store_of, users_of
from tests.test_auth import PASSWORD, _login

PARTS = ("about", "apologise", "understand", "prevent")


def test_example_is_a_valid_exchange_document_that_round_trips() -> None:
    document = json.loads(SAMPLE_FILE.read_text(encoding="utf-8"))
    assert to_document(sample_report()) == document
    assert document["status"] == "draft"  # a draft started from it can be edited at once


def test_example_meets_every_readiness_check() -> None:
    missing = [(check.id, check.advice) for check in readiness(sample_report()) if not check.met]
    assert missing == []


def test_example_has_no_blaming_wording_and_no_problems() -> None:
    report = sample_report()
    assert report_hints(report) == {}
    assert check_report(report) == []


def test_example_is_complete() -> None:
    report = sample_report()
    assert all([report.title, report.service, report.severity, report.audience, report.authors,
                report.started_at, report.detected_at, report.resolved_at, report.apology,
                report.summary, report.impact, report.lessons.went_well,
                report.lessons.went_wrong, report.lessons.lucky, report.follow_up_review_on])
    kinds = [event.kind for event in report.sorted_timeline()]
    assert "discovery" in kinds and "resolution" in kinds and "client_communication" in kinds
    assert sum(f.root_cause for f in report.factors) == 1
    assert all(a.owner and a.priority and a.due and a.addresses for a in report.actions)
    assert report.follow_up_outcome and report.follow_up_held_on


def test_examples_page_shows_each_part_with_a_note(client: FlaskClient) -> None:
    html = client.get("/examples").get_data(as_text=True)
    for part in PARTS:
        assert f'<section id="{part}"' in html
    assert html.count('<p class="example-why-title">Why this works</p>') == 4
    assert "We are sorry." in html and "Root cause" in html and "Reminders team" in html
    assert html.count('action="/examples/start"') == 2
    assert "Follow-up review" in html and "Actions 1, 2 and 4 are done" in html


def test_editor_links_each_part_to_its_example(client: FlaskClient, app: Flask) -> None:
    stored = store_of(app).create(sample_report())
    html = client.get(f"/reports/{stored.id}").get_data(as_text=True)
    for part in PARTS:
        assert f'href="/examples#{part}">See an example</a>' in html


def test_start_from_the_example_makes_an_equal_draft(client: FlaskClient, app: Flask) -> None:
    home = client.get("/").get_data(as_text=True)
    assert "No reports yet" in home and 'action="/examples/start"' in home
    response = client.post("/examples/start", data={"csrf_token": csrf_token_from(home)})
    assert response.status_code == 303
    match = re.fullmatch(r"/reports/(\d+)", response.headers["Location"])
    assert match
    stored = store_of(app).get(int(match.group(1)))
    assert stored is not None and to_document(stored.report) == sample_document()
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "This draft is a copy of the example" in page
    assert 'action="/examples/start"' not in client.get("/").get_data(as_text=True)


def test_starting_needs_a_csrf_token(tmp_path: Path) -> None:
    app = create_app({"INSTANCE_PATH": str(tmp_path / "i"), "TESTING": True,
                      "WTF_CSRF_ENABLED": True})
    assert app.test_client().post("/examples/start").status_code == 400
    assert store_of(app).list() == []


def test_viewers_read_the_example_but_do_not_start_from_it(tmp_path: Path) -> None:
    app = create_app({"INSTANCE_PATH": str(tmp_path / "i"), "TESTING": True, "AUTH": "password"})
    users_of(app).add("val", role="viewer", password=PASSWORD)
    users_of(app).add("dana", role="author", password=PASSWORD, team="pay")
    val, _ = _login(app, "val")
    page = val.get("/examples", base_url="https://localhost").get_data(as_text=True)
    assert "We are sorry." in page and 'action="/examples/start"' not in page
    token = csrf_token_from(page)
    refused = val.post("/examples/start", base_url="https://localhost",
                       data={"csrf_token": token})
    assert refused.status_code == 403
    dana, _ = _login(app, "dana")
    token = csrf_token_from(dana.get("/examples", base_url="https://localhost").get_data(True))
    started = dana.post("/examples/start", base_url="https://localhost",
                        data={"csrf_token": token})
    report_id = int(started.headers["Location"].rsplit("/", 1)[1])
    assert store_of(app).team_of(report_id) == "pay"


def test_example_passes_the_apology_and_plain_language_coach() -> None:
    hints, scores = report_guidance(sample_report())
    assert hints == {}
    assert all(score.meets for score in scores.values())
