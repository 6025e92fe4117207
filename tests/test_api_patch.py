"""PATCH /api/reports/<id>: JSON Patch (RFC 6902) on a named version, merged with later saves."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from reports import limits

PATCH = "application/json-patch+json"


def _create(client: FlaskClient, document: dict[str, Any]) -> dict[str, Any]:
    created = client.post("/api/reports", json=document)
    assert created.status_code == 201, created.get_json()
    return created.get_json()


def _patch(client: FlaskClient, report_id: int, operations: Any, version: int | None,
           content_type: str = PATCH) -> Any:
    headers = {"Content-Type": content_type}
    if version is not None:
        headers["If-Match"] = f'"{version}"'
    return client.patch(f"/api/reports/{report_id}", data=json.dumps(operations),
                        headers=headers)


def _stored(client: FlaskClient, report_id: int) -> dict[str, Any]:
    return client.get(f"/api/reports/{report_id}").get_json()


@pytest.fixture
def report(client: FlaskClient, sample_document: dict[str, Any]) -> dict[str, Any]:
    return _create(client, sample_document)


def test_a_patch_on_the_current_version_applies(client: FlaskClient,
                                                report: dict[str, Any]) -> None:
    response = _patch(client, report["id"], [
        {"op": "replace", "path": "/title", "value": "Payments failed"},
        {"op": "replace", "path": "/timeline/1/description", "value": "The alert fired."},
        {"op": "add", "path": "/factors/-", "value": {"description": "No canary."}},
        {"op": "remove", "path": "/actions/1"},
        {"op": "test", "path": "/severity", "value": "SEV2"},
    ], report["version"])
    assert response.status_code == 200, response.get_json()
    assert response.headers["ETag"] == f'"{report["version"] + 1}"'
    stored = _stored(client, report["id"])
    assert stored["title"] == "Payments failed"
    assert stored["timeline"][1]["description"] == "The alert fired."
    assert stored["factors"][-1]["description"] == "No canary."
    assert stored["factors"][-1]["id"] not in {f["id"] for f in report["factors"]}
    assert [a["id"] for a in stored["actions"]] == [report["actions"][0]["id"]]


def test_rows_can_be_named_by_id(client: FlaskClient, report: dict[str, Any]) -> None:
    response = _patch(client, report["id"], [
        {"op": "replace", "path": "/timeline/ev-alert/description", "value": "Paged at 09:20."},
        {"op": "remove", "path": "/factors/f-checklist"},
    ], report["version"])
    assert response.status_code == 200, response.get_json()
    stored = _stored(client, report["id"])
    alert = next(e for e in stored["timeline"] if e["id"] == "ev-alert")
    assert alert["description"] == "Paged at 09:20."
    assert [f["id"] for f in stored["factors"]] == ["f-gateway"]


def test_two_patches_on_one_version_that_touch_different_values_both_apply(
        client: FlaskClient, report: dict[str, Any]) -> None:
    version = report["version"]
    first = _patch(client, report["id"], [
        {"op": "replace", "path": "/summary", "value": "Theirs."},
        # A row added at the top moves every other row down one place.
        {"op": "add", "path": "/factors/0", "value": {"description": "Added first."}},
    ], version)
    assert first.status_code == 200
    # Made on the same version: /factors/1 is still the checklist factor, whatever moved since.
    second = _patch(client, report["id"], [
        {"op": "replace", "path": "/title", "value": "Mine"},
        {"op": "replace", "path": "/factors/1/description", "value": "The checklist, edited."},
        {"op": "add", "path": "/factors/-", "value": {"description": "Added last."}},
    ], version)
    assert second.status_code == 200, second.get_json()
    stored = _stored(client, report["id"])
    assert (stored["title"], stored["summary"]) == ("Mine", "Theirs.")
    factors = {f["id"]: f["description"] for f in stored["factors"]}
    assert factors["f-checklist"] == "The checklist, edited."
    assert factors["f-gateway"] == report["factors"][0]["description"]
    assert stored["factors"][0]["description"] == "Added first."
    assert "Added last." in factors.values() and len(factors) == 4
    assert stored["version"] == version + 2


def test_a_patch_touching_what_someone_else_changed_is_409_naming_the_paths(
        client: FlaskClient, report: dict[str, Any]) -> None:
    version = report["version"]
    assert _patch(client, report["id"], [
        {"op": "replace", "path": "/summary", "value": "Theirs."},
        {"op": "replace", "path": "/timeline/0/kind", "value": "config_change"},
    ], version).status_code == 200
    clash = _patch(client, report["id"], [
        {"op": "replace", "path": "/summary", "value": "Mine."},
        {"op": "replace", "path": "/timeline/0/kind", "value": "other"},
        {"op": "replace", "path": "/title", "value": "Mine"},
    ], version)
    assert clash.status_code == 409
    body = clash.get_json()
    assert body["paths"] == ["/summary", "/timeline/ev-release/kind"]
    assert set(body["problems"]) == {"/summary", "/timeline/ev-release/kind"}
    assert body["version"] == version + 1 and body["summary"] == "Theirs."
    assert clash.headers["ETag"] == f'"{version + 1}"'
    # Nothing of the refused patch was saved.
    assert _stored(client, report["id"])["title"] == report["title"]


def test_writing_back_the_value_the_base_had_after_someone_changed_it_is_409(
        client: FlaskClient, report: dict[str, Any]) -> None:
    """Found by tests/test_patch_interleavings.py: the patch asks for the title (and a row's
    words) its base already had, after someone else changed them. It was answered 200 and
    their values stayed: the patch's change was lost though it was acknowledged."""
    version = report["version"]
    theirs = _patch(client, report["id"], [
        {"op": "replace", "path": "/title", "value": "Theirs"},
        {"op": "replace", "path": "/timeline/ev-alert/description", "value": "Their words."},
    ], version)
    assert theirs.status_code == 200
    base = report["timeline"][1]
    assert base["id"] == "ev-alert"
    clash = _patch(client, report["id"], [
        {"op": "replace", "path": "/title", "value": report["title"]},
        {"op": "replace", "path": "/timeline/1/description", "value": base["description"]},
    ], version)
    assert clash.status_code == 409
    assert clash.get_json()["paths"] == ["/timeline/ev-alert/description", "/title"]
    assert _stored(client, report["id"])["title"] == "Theirs"
    # A value the patch writes that no one else changed is no conflict.
    fine = _patch(client, report["id"], [
        {"op": "replace", "path": "/summary", "value": report["summary"]}], version)
    assert fine.status_code == 200 and fine.get_json()["title"] == "Theirs"


def test_the_same_change_twice_is_no_conflict(client: FlaskClient,
                                              report: dict[str, Any]) -> None:
    operations = [{"op": "replace", "path": "/severity", "value": "SEV1"}]
    assert _patch(client, report["id"], operations, report["version"]).status_code == 200
    again = _patch(client, report["id"], operations, report["version"])
    assert again.status_code == 200 and again.get_json()["severity"] == "SEV1"


def test_a_row_one_author_moved_never_takes_the_other_authors_edit(
        client: FlaskClient, report: dict[str, Any]) -> None:
    version = report["version"]
    assert _patch(client, report["id"], [
        {"op": "move", "from": "/actions/1", "path": "/actions/0"}], version).status_code == 200
    assert _patch(client, report["id"], [
        {"op": "replace", "path": "/actions/0/owner", "value": "Payments team"}],
        version).status_code == 200
    stored = _stored(client, report["id"])
    owners = {a["id"]: a["owner"] for a in stored["actions"]}
    assert owners == {"a-remove": "Payments team", "a-checklist": "Release managers"}
    assert [a["id"] for a in stored["actions"]] == ["a-checklist", "a-remove"]


def test_versions_are_required_and_checked(client: FlaskClient, report: dict[str, Any]) -> None:
    operations = [{"op": "replace", "path": "/title", "value": "x"}]
    assert _patch(client, report["id"], operations, None).status_code == 428
    assert _patch(client, report["id"], operations, 99).status_code == 409
    assert _patch(client, report["id"], operations, report["version"],
                  content_type="application/json").status_code == 415
    assert _patch(client, 999, operations, 1).status_code == 404


@pytest.mark.parametrize(("operations", "status"), [
    ({"op": "replace"}, 400),
    ([{"op": "jump", "path": "/title"}], 400),
    ([{"op": "replace", "path": "title", "value": "x"}], 400),
    ([{"op": "replace", "path": "/title"}], 400),
    ([{"op": "move", "path": "/title"}], 400),
    ([{"op": "replace", "path": "/nothing/here", "value": 1}], 422),
    ([{"op": "remove", "path": "/timeline/99"}], 422),
    ([{"op": "remove", "path": "/timeline/no-such-row"}], 422),
    ([{"op": "replace", "path": "/timeline/01/description", "value": "x"}], 422),
    ([{"op": "replace", "path": "/version", "value": 7}], 422),
    ([{"op": "replace", "path": "/timeline/0/id", "value": "other"}], 422),
    ([{"op": "replace", "path": "", "value": {}}], 422),
    ([{"op": "replace", "path": "/severity", "value": "SEV9"}], 422),
    ([{"op": "replace", "path": "/started_at", "value": "2026-10-03T09:12:00"}], 422),
    ([{"op": "add", "path": "/timeline/-", "value": "not a row"}], 422),
    ([{"op": "add", "path": "/timeline/-", "value": {"id": "ev-alert"}}], 422),
    ([{"op": "test", "path": "/title", "value": "Not the title"}], 409),
    ([{"op": "move", "from": "/lessons", "path": "/lessons/went_well"}], 422),
])
def test_bad_patches_are_refused_with_a_reason(client: FlaskClient, report: dict[str, Any],
                                               operations: Any, status: int) -> None:
    response = _patch(client, report["id"], operations, report["version"])
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    assert body["error"] and body["problems"]
    assert _stored(client, report["id"])["version"] == report["version"]


def test_limits_apply_to_patches(client: FlaskClient, report: dict[str, Any]) -> None:
    too_long = [{"op": "replace", "path": "/summary", "value": "x" * (limits.MAX_LONG_TEXT + 1)}]
    assert _patch(client, report["id"], too_long, report["version"]).status_code == 422
    rows = [{"op": "add", "path": "/timeline/-", "value": {"description": f"{n}"}}
            for n in range(limits.MAX_ROWS)]
    response = _patch(client, report["id"], rows, report["version"])
    assert response.status_code == 422 and "timeline" in response.get_json()["problems"]


def test_status_changes_follow_the_workflow(client: FlaskClient,
                                            sample_document: dict[str, Any]) -> None:
    report = _create(client, sample_document)
    skip = _patch(client, report["id"], [{"op": "replace", "path": "/status",
                                          "value": "published"}], report["version"])
    assert skip.status_code in (409, 422)
    ready = copy.deepcopy(sample_document)
    ready["actions"][0]["addresses"] = [0]
    ready_report = _create(client, ready)
    version = ready_report["version"]
    for status in ("in_review", "published"):
        moved = _patch(client, ready_report["id"],
                       [{"op": "replace", "path": "/status", "value": status}], version)
        assert moved.status_code == 200, moved.get_json()
        version = moved.get_json()["version"]
    refused = _patch(client, ready_report["id"],
                     [{"op": "replace", "path": "/title", "value": "Changed"}], version)
    assert refused.status_code == 409
    assert _stored(client, ready_report["id"])["title"] == ready["title"]


def test_a_cross_site_patch_is_refused(client: FlaskClient, report: dict[str, Any]) -> None:
    response = client.patch(f"/api/reports/{report['id']}", data="[]", headers={
        "Content-Type": PATCH, "If-Match": f'"{report["version"]}"',
        "Origin": "https://evil.example"})
    assert response.status_code == 403
