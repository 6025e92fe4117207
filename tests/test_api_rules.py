"""The API obeys the page's rules: versions, the workflow's checks, published reports."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import csrf_token_from
from tests.pages import post_page


@pytest.fixture
def ready_document(sample_document: dict[str, Any]) -> dict[str, Any]:
    """The sample with its root cause dealt with: every readiness check is met."""
    ready = copy.deepcopy(sample_document)
    ready["actions"][0]["addresses"] = [0]
    return ready


def _create(client: FlaskClient, document: dict[str, Any]) -> dict[str, Any]:
    created = client.post("/api/reports", json=document)
    assert created.status_code == 201, created.get_json()
    return created.get_json()


def _put(client: FlaskClient, report_id: int, document: dict[str, Any],
         version: int | None = None, **headers: str) -> Any:
    if version is not None:
        headers["If-Match"] = f'"{version}"'
    return client.put(f"/api/reports/{report_id}", json=document, headers=headers)


def _stored(client: FlaskClient, report_id: int) -> dict[str, Any]:
    return client.get(f"/api/reports/{report_id}").get_json()


def test_a_write_without_a_version_is_428_and_says_what_to_send(
    client: FlaskClient, sample_document: dict[str, Any]
) -> None:
    report_id = _create(client, sample_document)["id"]
    answer = _put(client, report_id, {**sample_document, "title": "Lost?"})
    assert answer.status_code == 428
    assert "If-Match" in answer.get_json()["problems"]["version"]
    assert _stored(client, report_id)["title"] == sample_document["title"]


def test_a_stale_write_is_409_with_the_current_document(
    client: FlaskClient, sample_document: dict[str, Any]
) -> None:
    report_id = _create(client, sample_document)["id"]
    first = _put(client, report_id, {**sample_document, "title": "First"}, version=1)
    assert first.status_code == 200 and first.headers["ETag"] == '"2"'
    # Based on version 1 again, by header and by body: both refused, the newer one kept.
    stale = _put(client, report_id, {**sample_document, "title": "Second"}, version=1)
    assert stale.status_code == 409
    assert stale.get_json()["current"]["title"] == "First"
    assert stale.get_json()["current"]["version"] == 2 and stale.headers["ETag"] == '"2"'
    # The body is the current document itself, so a client can merge and send it back.
    assert stale.get_json()["title"] == "First" and stale.get_json()["version"] == 2
    assert stale.get_json()["status"] == "draft"
    stale_body = _put(client, report_id, {**sample_document, "title": "Third", "version": 1})
    assert stale_body.status_code == 409
    assert _stored(client, report_id)["title"] == "First"
    # The current version, by body or as a weak ETag, is taken.
    assert _put(client, report_id, {**sample_document, "title": "Fourth", "version": 2}
                ).status_code == 200
    weak = _put(client, report_id, {**sample_document, "title": "Fifth"}, **{"If-Match": 'W/"3"'})
    assert weak.status_code == 200 and _stored(client, report_id)["title"] == "Fifth"


@pytest.mark.parametrize("header, body_version", [('"1"', 2), ("*", None), ("one", None)])
def test_unusable_versions_are_400_or_428(
    client: FlaskClient, sample_document: dict[str, Any], header: str,
    body_version: int | None,
) -> None:
    report_id = _create(client, sample_document)["id"]
    document = {**sample_document, "title": "Changed"}
    if body_version is not None:
        document["version"] = body_version
    answer = _put(client, report_id, document, **{"If-Match": header})
    assert answer.status_code == 400
    assert _stored(client, report_id)["title"] == sample_document["title"]


def test_creating_a_published_report_runs_the_readiness_checks(
    client: FlaskClient, sample_document: dict[str, Any], ready_document: dict[str, Any]
) -> None:
    not_ready = {**sample_document, "status": "published", "apology": "", "actions": []}
    refused = client.post("/api/reports", json=not_ready)
    assert refused.status_code == 422
    unmet = refused.get_json()["problems"]["readiness"]
    assert "An apology" in unmet and len(unmet) >= 2
    assert client.get("/api/reports").get_json()["reports"] == []
    published = _create(client, {**ready_document, "status": "published"})
    assert published["status"] == "published"


def test_status_changes_go_one_step_at_a_time_with_the_checks(
    client: FlaskClient, sample_document: dict[str, Any], ready_document: dict[str, Any]
) -> None:
    gaps = _create(client, sample_document)  # a root cause with no action: not ready
    refused = _put(client, gaps["id"], {**sample_document, "status": "in_review"}, version=1)
    assert refused.status_code == 422
    assert refused.get_json()["problems"]["readiness"]
    assert _stored(client, gaps["id"])["status"] == "draft"

    ready = _create(client, ready_document)
    skip = _put(client, ready["id"], {**ready_document, "status": "published"}, version=1)
    assert skip.status_code == 409 and "one step" in skip.get_json()["error"]
    for version, status in enumerate(("in_review", "published"), start=1):
        moved = _put(client, ready["id"], {**ready_document, "status": status}, version=version)
        assert moved.status_code == 200 and moved.get_json()["status"] == status


def test_a_published_report_refuses_content_changes_on_every_route_until_reopened(
    client: FlaskClient, ready_document: dict[str, Any]
) -> None:
    first_draft = {**ready_document, "summary": "A first draft of the summary."}
    report_id = _create(client, first_draft)["id"]
    for version, status in enumerate(("draft", "in_review", "published"), start=1):
        assert _put(client, report_id, {**ready_document, "status": status},
                    version=version).status_code == 200
    url = f"/reports/{report_id}"
    changed = {**ready_document, "status": "published", "summary": "Rewritten."}
    refused = _put(client, report_id, changed, version=4)
    assert refused.status_code == 409 and "Reopen" in refused.get_json()["error"]
    reopen_and_change = _put(client, report_id, {**changed, "status": "draft"}, version=4)
    assert reopen_and_change.status_code == 409

    # The page, the autosave and restoring an earlier version are refused too.
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    page = client.post(url, data={"csrf_token": token, "base_version": "4", "summary": "X"})
    assert page.status_code == 303
    autosave = client.post(url, data={"csrf_token": token, "base_version": "4", "summary": "X"},
                           headers={"X-Hindsight-Autosave": "1"})
    assert autosave.status_code == 400
    restore = client.post(f"{url}/history/1/restore", data={"csrf_token": token})
    assert restore.status_code == 303
    assert "cannot be changed" in client.get(f"{url}/history").get_data(as_text=True)
    assert _stored(client, report_id)["summary"] == ready_document["summary"]
    assert _stored(client, report_id)["version"] == 4

    # Action item statuses are follow-up tracking: kept up to date after publishing.
    tracked = {**ready_document, "status": "published"}
    tracked["actions"] = [{**a, "status": "done"} for a in ready_document["actions"]]
    assert _put(client, report_id, tracked, version=4).status_code == 200

    reopened = _put(client, report_id, {**tracked, "status": "draft"}, version=5)
    assert reopened.status_code == 200
    assert _put(client, report_id, {**tracked, "status": "draft", "summary": "Rewritten."},
                version=6).status_code == 200


def test_restoring_a_revision_never_changes_the_status(
    client: FlaskClient, ready_document: dict[str, Any]
) -> None:
    report_id = _create(client, ready_document)["id"]
    assert _put(client, report_id, {**ready_document, "status": "in_review"},
                version=1).status_code == 200
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    restored = client.post(f"/reports/{report_id}/history/1/restore", data={"csrf_token": token})
    assert restored.status_code == 303
    assert _stored(client, report_id)["status"] == "in_review"


def test_a_page_save_without_its_version_is_refused(
    client: FlaskClient, sample_document: dict[str, Any]
) -> None:
    report_id = _create(client, sample_document)["id"]
    url = f"/reports/{report_id}"
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    page = client.post(url, data={"csrf_token": token, "title": "Blind"})
    assert page.status_code == 428 and "Reload the page" in page.get_data(as_text=True)
    autosave = client.post(url, data={"csrf_token": token, "title": "Blind"},
                           headers={"X-Hindsight-Autosave": "1"})
    assert autosave.status_code == 428 and autosave.get_json()["ok"] is False
    assert _stored(client, report_id)["title"] == sample_document["title"]
    saved = post_page(client, url, {"csrf_token": token, "title": "Seen"})
    assert saved.status_code == 303 and _stored(client, report_id)["title"] == "Seen"
