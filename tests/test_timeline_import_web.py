"""Adding timeline events from text through the API, the command line and the no-JS page: the
contract, who may, saving with the version shown, and text that never becomes markup."""

from __future__ import annotations

import copy
import io
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from reports.exchange import from_document, to_document
from reports.model import EVENT_KINDS
from tests.conftest import SAMPLE_DOCUMENT, csrf_token_from
from tests.pages import form_values, store_of
from tests.people import EVERYONE, password_app, refused, sign_in

CORPUS = Path(__file__).parent / "corpora" / "timeline_import"
LINES = "09:14 PagerDuty alert fired\n09:21 Rolled back release 4.2\n11:02 All clear"
SCRIPT = "<script>alert('imported')</script>"


def sample(name: str) -> str:
    return (CORPUS / name).read_text(encoding="utf-8")


def create(app: Flask, **changes: Any) -> int:
    document = {**copy.deepcopy(SAMPLE_DOCUMENT), **changes}
    return store_of(app).create(from_document(document), team="acme").id


def parse(client: FlaskClient, report_id: int, body: Any, **kwargs: Any) -> TestResponse:
    return client.post(f"/api/reports/{report_id}/timeline/parse", json=body, **kwargs)


def timeline(app: Flask, report_id: int) -> list[dict[str, Any]]:
    stored = store_of(app).get(report_id)
    assert stored is not None
    return to_document(stored.report)["timeline"]


def version(app: Flask, report_id: int) -> int:
    stored = store_of(app).get(report_id)
    assert stored is not None
    return stored.version


# ---- the API ----


def test_parse_returns_the_events_in_time_order_and_saves_nothing(app: Flask,
                                                                  client: FlaskClient) -> None:
    report_id = create(app)
    response = parse(client, report_id, {"text": sample("teams-paste.txt"),
                                         "timezone": "Europe/Paris"})
    assert response.status_code == 200
    body = response.get_json()
    events = body["events"]
    assert len(events) == 7 and body["source"] == "teams"
    for event in events:
        assert {"at", "kind", "description", "duplicate"} <= set(event)
        assert event["kind"] in EVENT_KINDS and isinstance(event["duplicate"], bool)
        at = datetime.fromisoformat(event["at"])
        assert at.utcoffset() is not None
    moments = [datetime.fromisoformat(e["at"]) for e in events]
    assert moments == sorted(moments)
    assert events[0]["at"] == "2026-10-03T09:21:00+02:00"
    assert not body["needs_timezone"]
    assert version(app, report_id) == 1 and len(timeline(app, report_id)) == 4


def test_parse_says_when_a_zone_was_needed_and_marks_duplicates(app: Flask,
                                                                client: FlaskClient) -> None:
    report_id = create(app)
    body = parse(client, report_id, {"text": "09:05 Release 4.2 of the payment router "
                                             "went live\n09:30 Paged the database team"}
                 ).get_json()
    assert body["needs_timezone"] and body["timezone"] == "Europe/Paris"
    assert [(e["duplicate"], e["kind"]) for e in body["events"]] == [(True, "deploy"),
                                                                     (False, "discovery")]
    csv = parse(client, report_id, {"text": sample("pagerduty-log.csv"),
                                    "text_column": "Agent", "time_column": 1}).get_json()
    assert csv["columns"][1] == "Created At" and csv["text_column"] == "Agent"
    assert csv["events"][0]["description"] == "Datadog"
    day_first = parse(client, report_id, {"text": "03/10/2026 09:14 x", "day_first": False})
    assert day_first.get_json()["events"][0]["at"].startswith("2026-03-10T09:14")
    nothing = parse(client, report_id, {"text": "no times here"}).get_json()
    assert nothing["events"] == [] and nothing["problems"]


@pytest.mark.parametrize(("body", "field"), [
    ({}, "text"), ({"text": ""}, "text"), ({"text": "   \n"}, "text"), ({"text": 42}, "text"),
    ({"text": LINES, "timezone": "Mars/Olympus"}, "timezone"),
    ({"text": LINES, "timezone": 5}, "timezone"),
    ({"text": LINES, "day_first": "yes"}, "day_first"),
    ({"text": LINES, "source": "fax"}, "source"),
    ({"text": LINES, "time_column": True}, "time_column"),
    ({"text": sample("pagerduty-log.csv"), "time_column": "When"}, "columns"),
    (["not", "an", "object"], "document"),
])
def test_parse_refuses_what_it_cannot_use_with_a_400(app: Flask, client: FlaskClient,
                                                     body: Any, field: str) -> None:
    response = parse(client, create(app), body)
    assert response.status_code == 400
    problem = response.get_json()
    assert problem["status"] == 400 and problem["error"] and field in problem["problems"]


def test_parse_follows_the_apis_rules_for_the_body(app: Flask, client: FlaskClient) -> None:
    report_id = create(app)
    url = f"/api/reports/{report_id}/timeline/parse"
    assert client.post(url, data=LINES, content_type="text/plain").status_code == 415
    assert client.post(url, data="{not json", content_type="application/json"
                       ).status_code == 400
    assert parse(client, report_id, {"text": LINES},
                 headers={"Origin": "https://evil.example"}).status_code == 403
    assert parse(client, 999, {"text": LINES}).status_code == 404
    surrogate = client.post(url, data='{"text": "09:14 \\ud800 x"}',
                            content_type="application/json")
    assert surrogate.status_code == 400  # not text, as for every JSON body


def test_only_the_reports_authors_may_parse_or_open_the_page(tmp_path: Path) -> None:
    app = password_app(tmp_path)
    report_id = create(app)
    for name in EVERYONE:
        person = sign_in(app, name)
        answer = person.client.post(f"/api/reports/{report_id}/timeline/parse",
                                    json={"text": LINES}, base_url="https://localhost")
        page = person.get(f"/reports/{report_id}/timeline/import")
        found = person.post(f"/reports/{report_id}/timeline/import", {"text": LINES})
        if name == "team_author":
            assert answer.status_code == 200 and len(answer.get_json()["events"]) == 3
            assert page.status_code == 200 and found.status_code == 200
        else:
            for response in (answer, page, found):
                assert refused(person, response), (name, response.status_code)
                assert "Rolled back release" not in response.get_data(as_text=True)
    assert version(app, report_id) == 1


# ---- the command line ----


def test_cli_prints_the_events_and_adds_only_with_add(app: Flask, tmp_path: Path) -> None:
    report_id = create(app)
    source = tmp_path / "notes.txt"
    source.write_text("09:05 Release 4.2 of the payment router went live\n" + LINES)
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["reports", "timeline", str(report_id), str(source)])
    assert listed.exit_code == 0, listed.output
    lines = [line for line in listed.stdout.splitlines() if line]
    assert lines[0] == ("2026-10-03T09:05:00+02:00\tdeploy\tRelease 4.2 of the payment router "
                        "went live\tduplicate")
    assert lines[2] == "2026-10-03T09:21:00+02:00\tmitigation\tRolled back release 4.2"
    assert "read as Europe/Paris time" in listed.stderr
    assert version(app, report_id) == 1

    added = runner.invoke(args=["reports", "timeline", str(report_id), str(source),
                                "--timezone", "Europe/Paris", "--add"])
    assert added.exit_code == 0, added.output
    assert "Added 3 events to report" in added.stdout and "version 2" in added.stdout
    rows = timeline(app, report_id)
    assert len(rows) == 7
    assert {"at": "2026-10-03T11:02:00+02:00", "kind": "resolution",
            "description": "All clear"}.items() <= rows[-1].items()
    again = runner.invoke(args=["reports", "timeline", str(report_id), str(source), "--add"])
    assert "Nothing to add" in again.stdout and version(app, report_id) == 2


def test_cli_refusals(app: Flask, tmp_path: Path) -> None:
    source = tmp_path / "slack.json"
    source.write_text(sample("slack-incident-channel.json"))
    runner = app.test_cli_runner()
    missing = runner.invoke(args=["reports", "timeline", "999", str(source)])
    assert missing.exit_code != 0 and "no report 999" in missing.output
    report_id = create(app)
    bad_zone = runner.invoke(args=["reports", "timeline", str(report_id), str(source),
                                   "--timezone", "Nowhere/Land"])
    assert bad_zone.exit_code != 0 and "not a time zone" in bad_zone.output
    published = create(app, status="published")
    refused_add = runner.invoke(args=["reports", "timeline", str(published), str(source),
                                      "--add"])
    assert refused_add.exit_code != 0 and "published" in refused_add.output
    assert version(app, published) == 1 and len(timeline(app, published)) == 4
    from_stdin = runner.invoke(args=["reports", "timeline", str(report_id), "-"],
                               input=LINES)
    assert from_stdin.exit_code == 0 and from_stdin.stdout.count("\n") == 3


# ---- the page, without JavaScript ----


def post(client: FlaskClient, url: str, values: dict[str, Any]) -> TestResponse:
    return client.post(url, data=values)


def review_values(page: str) -> dict[str, str]:
    assert 'action="/reports/' in page and "Add the ticked events" in page
    start = page.index('id="events"')
    form_start = page.rindex("<form", 0, start)
    return form_values(page[form_start:page.index("</form>", start)])


def test_paste_choose_the_zone_review_and_add(app: Flask, client: FlaskClient,
                                              csrf_token: str) -> None:
    report_id = create(app)
    url = f"/reports/{report_id}/timeline/import"
    editor = client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert f'href="{url}"' in editor and "Add events from text" in editor
    start = client.get(url)
    assert start.status_code == 200 and 'name="text"' in start.get_data(as_text=True)

    text = "08:05 Release 4.2 of the payment router went live\n" + LINES  # London times
    asked = post(client, url, {"csrf_token": csrf_token, "text": text})
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Which time zone are the times in?" in page
    settings = form_values(page)
    assert settings["timezone"] == "Europe/Paris" and settings["text"] == text
    settings["timezone"] = "Europe/London"

    reviewed = post(client, url, settings)
    page = reviewed.get_data(as_text=True)
    assert reviewed.status_code == 200 and "Choose the events to add" in page
    values = review_values(page)
    assert values["count"] == "4" and values["base_version"] == "1"
    # The duplicate is marked and not ticked; the others are ticked with their guessed kind.
    assert "Already in the timeline" in page and "events-0-add" not in values
    assert [values.get(f"events-{i}-add") for i in range(1, 4)] == ["1", "1", "1"]
    assert values["events-2-kind"] == "mitigation"
    assert values["events-2-at"] == "2026-10-03T10:21:00+02:00"  # 09:21 London time
    assert "3 Oct 2026 at 10:21 CEST" in page
    # The author unticks one, changes a kind and rewrites a description.
    del values["events-1-add"]
    values["events-3-kind"] = "client_communication"
    values["events-3-description"] = "All clear, told Acme Retail"
    added = post(client, f"{url}/add", values)
    assert added.status_code == 303
    rows = timeline(app, report_id)
    # The editor opens at the first event added, with the added events named as open.
    _shows_the_added(app, report_id, added.headers["Location"], {
        row["id"] for row in rows if row["description"] in (
            "Rolled back release 4.2", "All clear, told Acme Retail")})
    assert len(rows) == 6 and version(app, report_id) == 2
    assert {(r["at"], r["kind"], r["description"]) for r in rows[4:]} == {
        ("2026-10-03T10:21:00+02:00", "mitigation", "Rolled back release 4.2"),
        ("2026-10-03T12:02:00+02:00", "client_communication", "All clear, told Acme Retail"),
    }
    assert "Added 2 events to the timeline." in client.get(
        f"/reports/{report_id}").get_data(as_text=True)


def _shows_the_added(app: Flask, report_id: int, location: str, added: set[str]) -> list[int]:
    """The redirect after adding: the editor, the added events open, at the first of them.
    Returns their places in the timeline as the page shows it (by time)."""
    stored = store_of(app).get(report_id)
    assert stored is not None
    order = [event.id for event in stored.report.sorted_timeline()]
    places = sorted(order.index(event_id) for event_id in added)
    address = urlsplit(location)
    assert address.path == f"/reports/{report_id}"
    assert address.fragment == f"timeline-{places[0]}"
    assert parse_qs(address.query)["open"] == [order[i] for i in places]
    return places


def test_events_added_to_a_long_timeline_are_shown_open(app: Flask, client: FlaskClient,
                                                        csrf_token: str) -> None:
    """A timeline over 25 events shows most as text (views/row_views.py); the events just added
    are shown with their inputs, to be checked and finished."""
    document = copy.deepcopy(SAMPLE_DOCUMENT)
    document["timeline"] += [
        {"id": f"ev-{n}", "at": f"2026-10-03T13:{n:02d}:00+02:00", "kind": "other",
         "description": f"Checked shop number {n}."} for n in range(30)]
    report_id = create(app, timeline=document["timeline"])
    url = f"/reports/{report_id}/timeline/import"
    settings = form_values(post(client, url, {
        "csrf_token": csrf_token,
        "text": "09:30 Told the support team\n13:45 Last shop checked"}).get_data(as_text=True))
    settings["timezone"] = "Europe/Paris"
    values = review_values(post(client, url, settings).get_data(as_text=True))
    added = post(client, f"{url}/add", values)
    assert added.status_code == 303
    new = {row["id"] for row in timeline(app, report_id)} - {
        row["id"] for row in document["timeline"]}
    assert len(new) == 2
    places = _shows_the_added(app, report_id, added.headers["Location"], new)
    page = client.get(added.headers["Location"]).get_data(as_text=True)
    closed = {int(i) for i in re.findall(
        r'class="row row-closed"[^>]* id="timeline-(\d+)"', page)}
    assert closed and not closed & set(places)
    for place in places:
        assert re.search(rf'<textarea[^>]*id="timeline-{place}-description"', page)


def test_upload_a_csv_and_choose_its_columns(app: Flask, client: FlaskClient,
                                             csrf_token: str) -> None:
    report_id = create(app)
    url = f"/reports/{report_id}/timeline/import"
    upload = (io.BytesIO(sample("pagerduty-log.csv").encode("utf-8-sig")), "log.csv")
    asked = client.post(url, data={"csrf_token": csrf_token, "text": "", "file": upload},
                        content_type="multipart/form-data")
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Which columns hold the time and the text?" in page
    values = form_values(page)
    assert (values["time_column"], values["text_column"]) == ("1", "5")
    assert "Created At" in page and "Notified Sam Ortiz by SMS" in page  # the first rows
    values["text_column"] = "3"  # Agent
    reviewed = post(client, url, values).get_data(as_text=True)
    review = review_values(reviewed)
    assert review["count"] == "6" and review["events-0-description"] == "Datadog"


def test_stale_version_keeps_the_authors_choices(app: Flask, client: FlaskClient,
                                                 csrf_token: str) -> None:
    report_id = create(app)
    url = f"/reports/{report_id}/timeline/import"
    page = post(client, url, {"csrf_token": csrf_token, "text": LINES, "asked": "1",
                              "timezone": "Europe/Paris"}).get_data(as_text=True)
    values = review_values(page)
    values["events-0-kind"] = "other"
    values["events-1-description"] = "Rolled back release 4.2 (my words)"
    del values["events-2-add"]
    # Meanwhile someone adds the alert to the report.
    store = store_of(app)
    stored = store.get(report_id)
    assert stored is not None
    document = to_document(stored.report)
    document["timeline"].append({"at": "2026-10-03T09:14:00+02:00", "kind": "discovery",
                                 "description": "PagerDuty alert fired"})
    store.save(report_id, from_document(document), expected_version=1)

    stale = post(client, f"{url}/add", values)
    page = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "Someone saved this report" in page
    assert version(app, report_id) == 2 and len(timeline(app, report_id)) == 5
    assert "PagerDuty alert fired" in page[page.index("current-timeline"):]
    kept = review_values(page)
    assert kept["base_version"] == "2"
    assert kept["events-0-kind"] == "other" and kept["events-0-add"] == "1"
    assert kept["events-1-description"] == "Rolled back release 4.2 (my words)"
    assert "events-2-add" not in kept
    assert 'id="events-0-duplicate-tag"' in page  # now in the report: marked again
    del kept["events-0-add"]
    assert post(client, f"{url}/add", kept).status_code == 303
    rows = timeline(app, report_id)
    assert len(rows) == 6 and rows[-1]["description"] == "Rolled back release 4.2 (my words)"


def test_a_published_report_refuses_and_keeps_the_choices(app: Flask, client: FlaskClient,
                                                          csrf_token: str) -> None:
    report_id = create(app, status="published")
    url = f"/reports/{report_id}/timeline/import"
    start = client.get(url).get_data(as_text=True)
    assert "This report is published" in start
    page = post(client, url, {"csrf_token": csrf_token, "text": LINES, "asked": "1",
                              "timezone": "UTC"}).get_data(as_text=True)
    values = review_values(page)
    values["events-0-description"] = "Kept words"
    refused_add = post(client, f"{url}/add", values)
    again = refused_add.get_data(as_text=True)
    assert refused_add.status_code == 409 and "Reopen it first" in again
    assert review_values(again)["events-0-description"] == "Kept words"
    assert version(app, report_id) == 1


def test_page_errors_are_shown_and_nothing_is_lost(app: Flask, client: FlaskClient,
                                                   csrf_token: str) -> None:
    report_id = create(app)
    url = f"/reports/{report_id}/timeline/import"
    empty = post(client, url, {"csrf_token": csrf_token, "text": "  "})
    assert empty.status_code == 400 and "Paste the messages" in empty.get_data(as_text=True)
    nothing = post(client, url, {"csrf_token": csrf_token, "text": "no times at all"})
    page = nothing.get_data(as_text=True)
    assert nothing.status_code == 400 and "No events were found" in page
    assert form_values(page)["text"] == "no times at all"
    bad_zone = post(client, url, {"csrf_token": csrf_token, "text": LINES, "asked": "1",
                                  "timezone": "Nowhere"})
    assert bad_zone.status_code == 400 and "Choose a time zone" in bad_zone.get_data(
        as_text=True)
    page = post(client, url, {"csrf_token": csrf_token, "text": LINES, "asked": "1",
                              "timezone": "UTC"}).get_data(as_text=True)
    values = review_values(page)
    none_ticked = {k: v for k, v in values.items() if not k.endswith("-add")}
    answer = post(client, f"{url}/add", none_ticked)
    assert answer.status_code == 400 and "Tick at least one event" in answer.get_data(
        as_text=True)
    values["events-1-description"] = "   "
    answer = post(client, f"{url}/add", values)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "Write what happened, or untick this event" in page
    assert review_values(page)["events-0-description"] == "PagerDuty alert fired"
    assert version(app, report_id) == 1
    no_version = {k: v for k, v in values.items() if k != "base_version"}
    assert post(client, f"{url}/add", no_version).status_code == 400
    tampered = dict(values, **{"events-1-description": "x", "events-0-at": "yesterday",
                               "events-2-kind": "sabotage"})
    assert post(client, f"{url}/add", tampered).status_code == 303
    rows = timeline(app, report_id)
    assert len(rows) == 6 and rows[-1]["kind"] == "other"  # the unreadable row left out


def test_message_text_never_comes_out_as_markup(app: Flask, client: FlaskClient,
                                                csrf_token: str) -> None:
    report_id = create(app)
    slack = json.dumps([{"type": "message", "user": "U1", "ts": "1791011645.000100",
                         "text": f"Rolled back &lt;b&gt;now&lt;/b&gt; {SCRIPT}",
                         "user_profile": {"real_name": "<img src=x onerror=alert(1)>"}}])
    api = parse(client, report_id, {"text": slack}).get_json()
    assert SCRIPT in api["events"][0]["description"]  # the words, as data
    url = f"/reports/{report_id}/timeline/import"
    page = post(client, url, {"csrf_token": csrf_token, "text": slack}).get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#39;imported&#39;)&lt;/script&gt;" in page
    assert post(client, f"{url}/add", review_values(page)).status_code == 303
    for shown in (client.get(f"/reports/{report_id}"),
                  client.get(f"/reports/{report_id}/view")):
        html = shown.get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html
    assert SCRIPT in timeline(app, report_id)[-1]["description"]


def test_the_page_token_is_required(app: Flask, client: FlaskClient) -> None:
    report_id = create(app)
    response = client.post(f"/reports/{report_id}/timeline/import", data={"text": LINES})
    assert response.status_code == 400
    assert csrf_token_from(client.get(f"/reports/{report_id}/timeline/import").get_data(
        as_text=True))
    assert re.search(r"expired", response.get_data(as_text=True))
