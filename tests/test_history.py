"""Every save is kept and can be brought back; deleted reports wait in the bin."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from reports.exchange import from_document
from reports.store import BIN_PERIOD, ReportStore, _now
from tests.pages import store_of


def _store(app: Flask) -> ReportStore:
    return store_of(app)


def test_every_save_is_a_revision_and_restoring_adds_one(
    app: Flask, client: FlaskClient, csrf_token: str, sample_document: dict[str, Any]
) -> None:
    store = _store(app)
    created = store.create(from_document(sample_document))
    for title in ("Second title", "Third title"):
        store.save(created.id, from_document({**sample_document, "title": title}))
    assert [r.version for r in store.revisions(created.id)] == [3, 2, 1]
    assert all(r.stored_bytes < 1500 for r in store.revisions(created.id))  # kept compressed

    page = client.get(f"/reports/{created.id}/history").get_data(as_text=True)
    assert "Version 3" in page and "Version 1" in page
    old = client.get(f"/reports/{created.id}/history/1").get_data(as_text=True)
    assert sample_document["title"] in old
    # Compared with the report as it is now: the current title only after "Now:".
    assert "Differs from now" in old and old.index("Now:") < old.index("Third title")

    response = client.post(f"/reports/{created.id}/history/1/restore",
                           data={"csrf_token": csrf_token})
    assert response.status_code == 303
    current = store.get(created.id)
    assert current is not None and current.version == 4
    assert current.report.title == sample_document["title"]
    assert store.revisions(created.id)[0].note == "Restored version 1"
    assert store.revision(created.id, 3).title == "Third title"  # type: ignore[union-attr]


def test_history_of_missing_things_is_404(client: FlaskClient, csrf_token: str) -> None:
    assert client.get("/reports/77/history").status_code == 404
    url = client.post("/reports", data={"csrf_token": csrf_token}).headers["Location"]
    assert client.get(f"{url}/history/99").status_code == 404
    assert client.post(f"{url}/history/99/restore",
                       data={"csrf_token": csrf_token}).status_code == 404


def test_deleted_reports_wait_in_the_bin_and_come_back(
    app: Flask, client: FlaskClient, csrf_token: str, sample_document: dict[str, Any]
) -> None:
    store = _store(app)
    created = store.create(from_document(sample_document))
    assert client.post(f"/reports/{created.id}/delete",
                       data={"csrf_token": csrf_token}).status_code == 303
    assert client.get(f"/reports/{created.id}").status_code == 404
    assert sample_document["title"] not in client.get("/").get_data(as_text=True)
    assert client.get("/api/reports").get_json()["reports"] == []
    assert sample_document["title"] in client.get("/bin").get_data(as_text=True)

    assert client.post(f"/bin/{created.id}/restore",
                       data={"csrf_token": csrf_token}).status_code == 303
    back = store.get(created.id)
    assert back is not None and back.report.title == sample_document["title"]
    assert back.version == created.version


def test_the_bin_empties_itself_after_thirty_days(
    app: Flask, sample_document: dict[str, Any]
) -> None:
    store = _store(app)
    old = store.create(from_document(sample_document))
    recent = store.create(from_document(sample_document))
    store.delete(old.id)
    store.delete(recent.id)
    later = _now() + BIN_PERIOD - timedelta(hours=1)
    assert {s.id for s, _ in store.bin(now=later)} == {old.id, recent.id}
    assert store.bin(now=_now() + BIN_PERIOD + timedelta(hours=1)) == []
    assert store.undelete(old.id) is False


def test_deleting_needs_the_form_token(client: FlaskClient, csrf_token: str) -> None:
    url = client.post("/reports", data={"csrf_token": csrf_token}).headers["Location"]
    assert client.post(f"{url}/delete").status_code == 400
    assert client.get(url).status_code == 200
