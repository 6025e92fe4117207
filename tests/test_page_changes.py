"""Only the change travels: the page's script posts what changed, the server applies it."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from forms.changes import TOP_LEVEL
from forms.report import ReportForm
from reports import limits
from reports.exchange import to_document
from tests.pages import form_values
from tests.test_conflicts import FULL_DOCUMENT, full_report
from views.conflicts import form_entries

AUTOSAVE = {"X-Hindsight-Autosave": "1", "Accept": "application/json"}


def _report(client: FlaskClient, document: dict[str, Any] | None = None) -> tuple[str, dict]:
    created = client.post("/api/reports", json=copy.deepcopy(document or FULL_DOCUMENT))
    assert created.status_code == 201
    url = f"/reports/{created.get_json()['id']}"
    return url, form_values(client.get(url).get_data(as_text=True))


def _stored(client: FlaskClient, url: str) -> dict[str, Any]:
    document = client.get(f"/api{url}").get_json()
    return {k: v for k, v in document.items() if k not in ("id", "version")}


def _send(client: FlaskClient, url: str, page: dict[str, str], changes: dict[str, str],
          sent: Sequence[str] = (), **orders: str) -> Any:
    data = {"csrf_token": page["csrf_token"], "base_version": page["base_version"],
            "changes": "1", "sent": ",".join(sent), **changes,
            **{f"{name}_order": value for name, value in orders.items()}}
    return client.post(url, data=data, headers=AUTOSAVE)


def _row(page: dict[str, str], name: str, index: int) -> dict[str, str]:
    """Every input of one row as the page posts it."""
    prefix = f"{name}-{index}-"
    return {key: value for key, value in page.items() if key.startswith(prefix)}


def test_one_field_changes_and_nothing_else(client: FlaskClient) -> None:
    url, page = _report(client)
    before = _stored(client, url)
    answer = _send(client, url, page, {"summary": "Only this."}, ["summary"])
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json()["version"] == int(page["base_version"]) + 1
    assert _stored(client, url) == {**before, "summary": "Only this."}


def test_ticks_lists_and_dates_of_every_kind(client: FlaskClient) -> None:
    url, page = _report(client)
    before = _stored(client, url)
    answer = _send(client, url, page, {
        "authors": "Dana Lee, Kim Nguyen", "severity": "SEV1",
        "started_at": "2025-10-03T09:10", "follow_up_held_on": "2025-12-06",
        "went_well": "Quick alert.",
    }, ["authors", "severity", "started_at", "follow_up_held_on", "went_well",
        "impact_internal", "no_single_root_cause"])  # the last two: unticked, no value
    assert answer.status_code == 200, answer.get_data(as_text=True)
    after = _stored(client, url)
    assert after["authors"] == ["Dana Lee", "Kim Nguyen"] and after["severity"] == "SEV1"
    assert after["started_at"] == "2025-10-03T09:10:00+02:00"
    assert after["follow_up_held_on"] == "2025-12-06"
    assert after["lessons"] == {**before["lessons"], "went_well": "Quick alert."}
    assert "impact" not in after["internal_parts"] and "no_single_root_cause" not in after
    assert after["timeline"] == before["timeline"] and after["actions"] == before["actions"]


def test_a_changed_row_reaches_that_row_only(client: FlaskClient) -> None:
    url, page = _report(client)
    before = _stored(client, url)
    row = _row(page, "timeline", 2)
    row["timeline-2-description"] = "The alert fired at 09:20."
    row.pop("timeline-2-internal", None)  # unticked: absent, as a browser posts it
    assert _send(client, url, page, row).status_code == 200
    after = _stored(client, url)
    changed = next(e for e in after["timeline"] if e["id"] == page["timeline-2-id"])
    assert changed["description"] == "The alert fired at 09:20." and "internal" not in changed
    assert [e for e in after["timeline"] if e["id"] != changed["id"]] == [
        e for e in before["timeline"] if e["id"] != changed["id"]]


def test_rows_are_added_removed_and_moved_by_their_order(client: FlaskClient) -> None:
    url, page = _report(client)
    before = _stored(client, url)
    factor_ids = [page[f"factors-{i}-id"] for i in range(3)]
    new = {"factors-3-id": "f-new", "factors-3-description": "A new factor.",
           "factors-3-root_cause": "y"}
    # The first factor is removed, the last moves up, a new one comes last.
    order = ",".join([factor_ids[2], factor_ids[1], "f-new"])
    answer = _send(client, url, page, new, factors=order)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    after = _stored(client, url)
    assert [f["id"] for f in after["factors"]] == [factor_ids[2], factor_ids[1], "f-new"]
    assert after["factors"][2] == {"id": "f-new", "description": "A new factor.",
                                   "root_cause": True}
    # Action items not sent still point at the same factors, now at their new places; a link
    # to the removed factor is gone.
    assert [a["addresses"] for a in before["actions"]] == [[0, 2], [1]]
    assert [a.get("addresses", []) for a in after["actions"]] == [[0], [1]]


def test_a_new_row_without_an_id_gets_one(client: FlaskClient) -> None:
    url, page = _report(client)
    answer = _send(client, url, page, {"actions-2-description": "Write the runbook.",
                                       "actions-2-status": "proposed"})
    assert answer.status_code == 200
    after = _stored(client, url)
    assert after["actions"][2]["description"] == "Write the runbook."
    assert after["actions"][2]["id"] not in {page["actions-0-id"], page["actions-1-id"]}


@pytest.mark.parametrize(("changes", "sent", "field"), [
    ({"timeline-1-at": "yesterday-ish", "timeline-1-id": "e2"}, [], "timeline-1-at"),
    ({"actions-0-ticket": "not a link", "actions-0-id": "a1"}, [], "actions-0-ticket"),
    ({"started_at": "soon"}, ["started_at"], "started_at"),
    ({"title": "x" * (limits.MAX_SHORT_TEXT + 1)}, ["title"], "title"),
    ({"resolved_at": "2025-10-01T08:00"}, ["resolved_at"], "resolved_at"),
])
def test_bad_values_are_refused_next_to_their_field(client: FlaskClient, changes: dict[str, str],
                                                    sent: list[str], field: str) -> None:
    url, page = _report(client)
    before = _stored(client, url)
    answer = _send(client, url, page, changes, sent)
    assert answer.status_code == 400, answer.get_data(as_text=True)
    errors = answer.get_json()["errors"]
    assert field in [error["id"] for error in errors]
    assert all(error["message"] and error["label"] for error in errors)
    assert _stored(client, url) == before


def test_too_many_rows_are_refused(client: FlaskClient) -> None:
    url, page = _report(client)
    order = ",".join(f"r{n}" for n in range(limits.MAX_ROWS + 1))
    answer = _send(client, url, page, {}, factors=order)
    assert answer.status_code == 400
    assert answer.get_json()["errors"][0]["id"] == "factors"


def test_changes_on_an_old_version_are_merged(client: FlaskClient) -> None:
    url, page = _report(client)
    assert _send(client, url, page, {"title": "Theirs"}, ["title"]).status_code == 200
    mine = _send(client, url, page, {"impact": "Mine."}, ["impact"])  # still on the old version
    assert mine.status_code == 200 and mine.get_json()["merged"] is True
    after = _stored(client, url)
    assert (after["title"], after["impact"]) == ("Theirs", "Mine.")
    assert ["title", "Theirs"] in mine.get_json()["entries"]
    assert mine.get_json()["what"] == "changed the title"  # what the others did, not mine
    clash = _send(client, url, page, {"title": "Mine too"}, ["title"])
    assert clash.status_code == 409 and [f["id"] for f in clash.get_json()["fields"]] == ["title"]


def test_changes_on_a_version_no_longer_kept_ask_for_the_whole_page(app: Flask,
                                                                    client: FlaskClient) -> None:
    url, page = _report(client)
    assert _send(client, url, page, {"title": "Theirs"}, ["title"]).status_code == 200
    gone = {**page, "base_version": "999"}
    answer = _send(client, url, gone, {"impact": "Mine."}, ["impact"])
    assert answer.status_code == 409 and answer.get_json()["resend"] is True


def test_a_page_s_changes_save_what_the_whole_page_would(client: FlaskClient) -> None:
    """The same edits, sent whole by one page and as changes by another: the same report."""
    whole_url, whole_page = _report(client)
    parts_url, parts_page = _report(client)
    edits = {"summary": "Edited.", "severity": "SEV3", "timeline-0-description": "Edited row.",
             "actions-1-owner": "Ops", "factors-2-internal": "y"}
    posted = {**whole_page, **edits}
    assert client.post(whole_url, data=posted, headers=AUTOSAVE).status_code == 200
    changes = {"summary": "Edited.", "severity": "SEV3",
               **_row({**parts_page, **edits}, "timeline", 0),
               **_row({**parts_page, **edits}, "actions", 1),
               **_row({**parts_page, **edits}, "factors", 2)}
    assert _send(client, parts_url, parts_page, changes, ["summary", "severity"]).status_code == 200
    assert _stored(client, parts_url) == _stored(client, whole_url)


def test_without_a_version_a_change_is_refused(client: FlaskClient) -> None:
    url, page = _report(client)
    answer = client.post(url, data={"csrf_token": page["csrf_token"], "changes": "1",
                                    "sent": "title", "title": "x"}, headers=AUTOSAVE)
    assert answer.status_code == 428


def test_a_form_of_only_some_inputs_keeps_every_other_value(app: Flask) -> None:
    """``ReportForm.of_only``: a form of none of the inputs gives back the report whole; a form
    of any one input, posted with the value the page shows, gives back the same report; with
    another value, only that input's part of the report changes."""
    with app.test_request_context():
        full = full_report()
        entries = MultiDict(form_entries(full))
        nothing = ReportForm.of_only(frozenset())(formdata=MultiDict(), meta={"csrf": False})
        assert nothing.validate() and list(nothing) == []
        assert to_document(nothing.to_report(full)) == to_document(full)
        for name in sorted(TOP_LEVEL):
            posted = MultiDict([(key, value) for key, value in entries.items(multi=True)
                                if key == name])
            form = ReportForm.of_only(frozenset({name}))(formdata=posted, meta={"csrf": False})
            assert form.validate(), (name, form.errors)
            assert [field.name for field in form] == [name]
            assert to_document(form.to_report(full)) == to_document(full), name
        posted = MultiDict([("went_wrong", "Nobody was paged.")])
        form = ReportForm.of_only(frozenset({"went_wrong"}))(formdata=posted,
                                                             meta={"csrf": False})
        assert form.validate()
        changed = to_document(form.to_report(full))
        assert changed["lessons"] == {**to_document(full)["lessons"],
                                      "went_wrong": "Nobody was paged."}
        assert {key: value for key, value in changed.items() if key != "lessons"} == {
            key: value for key, value in to_document(full).items() if key != "lessons"}
