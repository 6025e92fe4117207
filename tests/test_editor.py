"""The guided page through Flask's test client: what a person without JavaScript can do."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient

from tests.conftest import csrf_token_from
from tests.pages import base_version, post_page


def _new_report(client: FlaskClient, token: str) -> str:
    response = client.post("/reports", data={"csrf_token": token})
    assert response.status_code == 302
    return response.headers["Location"]


def _page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _value(html: str, field_id: str) -> str | None:
    match = re.search(rf'<(?:input|textarea)[^>]*id="{re.escape(field_id)}"[^>]*>', html)
    if not match:
        return None
    tag = match.group(0)
    if tag.startswith("<textarea"):
        body = html[match.end():html.index("</textarea>", match.end())]
        return body.strip("\r\n")
    value = re.search(r'value="([^"]*)"', tag)
    return value.group(1) if value else ""


def test_list_page_offers_a_new_report(client: FlaskClient, csrf_token: str) -> None:
    html = _page(client, "/")
    assert "Start a new report" in html and "No reports yet" in html
    url = _new_report(client, csrf_token)
    assert re.fullmatch(r"/reports/\d+", url)
    editor = _page(client, url)
    for heading in ("About the incident", "1. Apologise", "2. Show we understand what happened",
                    "3. Prevent it happening again"):
        assert heading in editor
    assert "Untitled report" in _page(client, "/")


def test_parts_come_in_the_guided_order(client: FlaskClient, csrf_token: str) -> None:
    html = _page(client, _new_report(client, csrf_token))
    order = ["id=\"title\"", "id=\"severity\"", "id=\"resolved_at\"", "id=\"apology\"",
             "id=\"summary\"", "id=\"impact\"", "data-rows=\"timeline\"", "data-rows=\"factors\"",
             "id=\"went_well\"", "data-rows=\"actions\"", "id=\"follow_up_review_on\""]
    positions = [html.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert html.count('class="hint"') >= 20  # every field explains itself


def test_save_without_javascript_keeps_everything(client: FlaskClient, csrf_token: str) -> None:
    url = _new_report(client, csrf_token)
    form = {
        "csrf_token": csrf_token, "title": "Payments failed", "service": "Checkout",
        "severity": "SEV2", "audience": "Acme Retail", "authors": "Dana Lee, Sam Ortiz",
        "timezone": "Europe/Paris", "started_at": "2026-10-03T09:12",
        "detected_at": "2026-10-03T09:20", "resolved_at": "2026-10-03T11:02",
        "apology": "We are sorry.", "summary": "A *bad* route.", "impact": "1,200 orders.",
        "timeline-0-at": "2026-10-03T10:40", "timeline-0-kind": "mitigation",
        "timeline-0-description": "Traffic moved back.",
        "timeline-1-at": "2026-10-03T09:05", "timeline-1-kind": "deploy",
        "timeline-1-description": "Release 4.2 went live.", "timeline-1-contributing": "y",
        "factors-0-description": "Stale routing table.", "factors-0-root_cause": "y",
        "actions-0-description": "Clean the table.", "actions-0-owner": "Platform team",
        "actions-0-priority": "high", "actions-0-due": "2026-11-15",
        "actions-0-ticket": "https://tracker.example.com/PLAT-12", "actions-0-status": "agreed",
        "save": "1",
    }
    response = post_page(client, url, data=form)
    assert response.status_code == 303
    report = client.get(f"/api{url}").get_json()
    assert report["title"] == "Payments failed" and report["authors"] == ["Dana Lee", "Sam Ortiz"]
    assert report["started_at"] == "2026-10-03T09:12:00+02:00"
    # A row the page posts without an id is given one, and keeps it.
    factor_id = report["factors"][0].pop("id")
    assert report["factors"] == [{"description": "Stale routing table.", "root_cause": True}]
    assert factor_id and client.get(f"/api{url}").get_json()["factors"][0]["id"] == factor_id
    assert report["actions"][0]["ticket"] == "https://tracker.example.com/PLAT-12"
    # The follow-up review defaults to two months after the resolution.
    assert report["follow_up_review_on"] == "2026-12-03"

    html = _page(client, url)
    assert "Your report is saved." in html
    # The timeline is shown in time order: the deploy comes first.
    assert _value(html, "timeline-0-description") == "Release 4.2 went live."
    assert _value(html, "timeline-1-description") == "Traffic moved back."
    assert _value(html, "started_at") == "2026-10-03T09:12"
    assert _value(html, "authors") == "Dana Lee, Sam Ortiz"


def test_rows_are_added_moved_and_removed_without_javascript(
    client: FlaskClient, csrf_token: str
) -> None:
    url = _new_report(client, csrf_token)
    base = {"csrf_token": csrf_token, "title": "Kept while adding rows"}
    response = post_page(client, url, data={**base, "row_action": "add:factors"})
    assert response.status_code == 303 and response.headers["Location"].endswith("#factors-0")
    rows = {**base, "factors-0-description": "first", "factors-1-description": "second",
            "factors-2-description": "third"}
    post_page(client, url, data={**rows, "row_action": "up:factors:2"})
    api = client.get(f"/api{url}").get_json()
    assert [f["description"] for f in api["factors"]] == ["first", "third", "second"]
    post_page(client, url, data={**rows, "row_action": "remove:factors:0"})
    api = client.get(f"/api{url}").get_json()
    assert [f["description"] for f in api["factors"]] == ["second", "third"]
    assert api["title"] == "Kept while adding rows"


def test_errors_are_shown_next_to_fields_and_in_a_summary(
    client: FlaskClient, csrf_token: str
) -> None:
    url = _new_report(client, csrf_token)
    form = {
        "csrf_token": csrf_token, "title": "Reversed times", "apology": "Sorry <b>really</b>",
        "started_at": "2026-10-03T09:00", "resolved_at": "2026-10-03T08:00",
        "actions-0-description": "Keep me", "actions-0-ticket": "not a link",
        "actions-1-due": "next tuesday", "row_action": "add:timeline",
    }
    response = post_page(client, url, data=form)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="error-summary"' in html and "There is a problem" in html
    assert 'href="#actions-0-ticket"' in html and 'href="#actions-1-due"' in html
    assert 'id="actions-0-ticket-error"' in html and "starting with https://" in html
    assert html.startswith("<!doctype html>") and "<title>Error: " in html
    # Nothing typed is lost, including the rows and the row just added.
    assert _value(html, "title") == "Reversed times"
    assert _value(html, "apology") == "Sorry &lt;b&gt;really&lt;/b&gt;"
    assert _value(html, "actions-0-description") == "Keep me"
    assert _value(html, "actions-1-due") == "next tuesday"
    assert _value(html, "timeline-0-at") == ""
    # Nothing was stored.
    assert client.get(f"/api{url}").get_json()["title"] == ""

    fixed = {**form, "actions-0-ticket": "", "actions-1-due": ""}
    fixed.pop("row_action")
    response = post_page(client, url, data=fixed)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'href="#resolved_at"' in html
    assert "cannot be resolved" in html


def test_drafts_save_however_incomplete(client: FlaskClient, csrf_token: str) -> None:
    url = _new_report(client, csrf_token)
    response = post_page(client, url, data={"csrf_token": csrf_token, "summary": "Only this."})
    assert response.status_code == 303
    assert client.get(f"/api{url}").get_json()["summary"] == "Only this."


def test_autosave_answers_in_json(client: FlaskClient, csrf_token: str) -> None:
    url = _new_report(client, csrf_token)
    headers = {"X-Hindsight-Autosave": "1", "Accept": "application/json"}
    ok = post_page(client, url, {"csrf_token": csrf_token, "title": "Autosaved"}, headers)
    assert ok.status_code == 200 and ok.get_json()["ok"] is True
    assert ok.get_json()["version"] == 2

    bad = post_page(
        client, url, headers=headers,
        data={"csrf_token": csrf_token, "title": "x", "started_at": "2026-10-03T09:00",
              "detected_at": "2026-10-03T08:00"},
    )
    assert bad.status_code == 400
    errors = bad.get_json()["errors"]
    assert errors[0]["id"] == "detected_at" and "noticed" in errors[0]["message"]
    assert client.get(f"/api{url}").get_json()["title"] == "Autosaved"


def test_timeline_events_outside_the_window_are_explained_but_saved(
    client: FlaskClient, csrf_token: str
) -> None:
    url = _new_report(client, csrf_token)
    headers = {"X-Hindsight-Autosave": "1"}
    form = {"csrf_token": csrf_token, "started_at": "2026-10-03T09:00",
            "resolved_at": "2026-10-03T10:00", "timeline-0-at": "2026-10-03T08:00",
            "timeline-0-kind": "other", "timeline-0-description": "Early"}
    answer = post_page(client, url, data=form, headers=headers).get_json()
    assert answer["ok"] is True
    assert answer["warnings"][0]["id"] == "timeline-0-at"
    assert "before the incident started" in answer["warnings"][0]["message"]
    marked = post_page(client, url, {**form, "timeline-0-outside_window": "y"}, headers)
    assert marked.get_json()["warnings"] == []


def test_csrf_is_required(client: FlaskClient, csrf_token: str) -> None:
    url = _new_report(client, csrf_token)
    assert client.post("/reports", data={}).status_code == 400
    response = client.post(url, data={"title": "forged"})
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)
    assert client.get(f"/api{url}").get_json()["title"] == ""


def test_bad_input_gives_clear_errors_never_500(
    client: FlaskClient, csrf_token: str, sample_document: dict[str, Any]
) -> None:
    url = _new_report(client, csrf_token)
    assert client.get("/reports/999").status_code == 404
    assert "Page not found" in client.get("/reports/abc").get_data(as_text=True)
    huge = post_page(client, url, {"csrf_token": csrf_token, "summary": "x" * (5 * 1024 * 1024)})
    assert huge.status_code == 413 and "too much" in huge.get_data(as_text=True)
    long_text = post_page(client, url, data={"csrf_token": csrf_token, "summary": "x" * 30_000})
    assert long_text.status_code == 400 and "too long" in long_text.get_data(as_text=True)
    many_rows = {"csrf_token": csrf_token}
    many_rows.update({f"factors-{i}-description": "f" for i in range(25_000)})
    assert post_page(client, url, data=many_rows).status_code == 413
    rows_501 = {"csrf_token": csrf_token}
    rows_501.update({f"factors-{i}-description": "f" for i in range(501)})
    response = post_page(client, url, data=rows_501)
    assert response.status_code == 400 and "at most 500" in response.get_data(as_text=True)
    version = base_version(client, url).encode()
    invalid_utf8 = client.post(
        url, data=b"csrf_token=" + csrf_token.encode() + b"&base_version=" + version
        + b"&title=%FF%FE",
        content_type="application/x-www-form-urlencoded",
    )
    assert invalid_utf8.status_code in (303, 400)
    assert client.get(f"/api{url}").status_code == 200


def test_the_new_report_token_comes_from_the_page(client: FlaskClient) -> None:
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    assert client.post("/reports", data={"csrf_token": token}).status_code == 302


def test_a_stale_save_keeps_both_and_shows_only_what_both_changed(
    client: FlaskClient, csrf_token: str
) -> None:
    url = _new_report(client, csrf_token)
    headers = {"X-Hindsight-Autosave": "1"}
    first = post_page(client, url, headers=headers, data={
        "csrf_token": csrf_token, "base_version": "1", "summary": "Their summary."})
    assert first.get_json()["version"] == 2

    # A second tab, still on version 1, saves a title and its own summary: the title is merged
    # in and saved, the summary both wrote is shown both ways, nothing is overwritten.
    stale = post_page(client, url, headers=headers, data={
        "csrf_token": csrf_token, "base_version": "1", "summary": "My summary.",
        "title": "My title"})
    assert stale.status_code == 409
    answer = stale.get_json()
    assert answer["conflict"] is True and answer["version"] == 3
    assert [f["id"] for f in answer["fields"]] == ["summary"]
    by_id = {f["id"]: f for f in answer["fields"]}
    assert by_id["summary"]["mine"] == "My summary."
    assert by_id["summary"]["theirs"] == "Their summary."
    assert ["summary", "Their summary."] in answer["theirs"]
    assert ["title", "My title"] in answer["theirs"]
    assert ["summary", "My summary."] in answer["yours"]
    assert ["title", "My title"] in answer["yours"]
    saved = client.get(f"/api{url}").get_json()
    assert (saved["title"], saved["summary"]) == ("My title", "Their summary.")

    # Without JavaScript the page shows both versions, the merged report around them, and keeps
    # the author's text in the form; nothing new was saved, so no version is added.
    page = post_page(client, url, data={
        "csrf_token": csrf_token, "base_version": "1", "summary": "My summary."})
    html = page.get_data(as_text=True)
    assert page.status_code == 409
    assert "You and someone else changed the same words" in html and "Their summary." in html
    assert _value(html, "summary") == "My summary."
    assert _value(html, "title") == "My title"
    assert _value(html, "base_version") == "3"
    # Saving the merged form, now based on version 3, goes through.
    merged = post_page(client, url, data={
        "csrf_token": csrf_token, "base_version": "3", "title": "My title",
        "summary": "Their summary. My summary."})
    assert merged.status_code == 303
    saved = client.get(f"/api{url}").get_json()
    assert (saved["title"], saved["summary"]) == ("My title", "Their summary. My summary.")


def test_control_characters_are_dropped_not_stored(client: FlaskClient, csrf_token: str) -> None:
    url = _new_report(client, csrf_token)
    response = post_page(client, url, headers={"X-Hindsight-Autosave": "1"}, data={
        "csrf_token": csrf_token, "summary": "a\x00b\x07c\nd", "authors": "Dana\x00, Sam",
        "timeline-0-description": "e\x00f", "actions-0-owner": "\x01Ops"})
    assert response.status_code == 200
    report = client.get(f"/api{url}").get_json()
    assert report["summary"] == "abc\nd" and report["authors"] == ["Dana", "Sam"]
    assert report["timeline"][0]["description"] == "ef"
    assert report["actions"][0]["owner"] == "Ops"
