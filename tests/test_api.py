"""The JSON API: the exchange format over HTTP, with clear errors and nothing damaged."""

from __future__ import annotations

import json
from typing import Any

from flask.testing import FlaskClient


def _post(client: FlaskClient, document: Any) -> Any:
    return client.post("/api/reports", json=document)


def test_create_get_put_list(client: FlaskClient, sample_document: dict[str, Any]) -> None:
    created = _post(client, sample_document)
    assert created.status_code == 201
    body = created.get_json()
    report_id = body["id"]
    assert created.headers["Location"] == f"/api/reports/{report_id}"
    assert {k: v for k, v in body.items() if k not in ("id", "version")} == sample_document

    fetched = client.get(f"/api/reports/{report_id}")
    assert fetched.status_code == 200 and fetched.get_json()["title"] == sample_document["title"]
    assert fetched.headers["ETag"] == '"1"'

    sample_document["title"] = "Payments failed for EU customers"
    put = client.put(f"/api/reports/{report_id}", json=sample_document,
                     headers={"If-Match": fetched.headers["ETag"]})
    assert put.status_code == 200 and put.get_json()["version"] == 2
    assert client.get(f"/api/reports/{report_id}").get_json()["title"] == sample_document["title"]

    listed = client.get("/api/reports").get_json()["reports"]
    assert [r["id"] for r in listed] == [report_id]
    assert listed[0]["title"] == sample_document["title"]


def test_bad_ids_are_404_in_json(client: FlaskClient, sample_document: dict[str, Any]) -> None:
    for url in ("/api/reports/999", "/api/reports/abc", "/api/reports/..%2F..%2Fetc"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.get_json()["status"] == 404
    assert client.put("/api/reports/999", json=sample_document).status_code == 404


def test_invalid_documents_are_400_and_change_nothing(
    client: FlaskClient, sample_document: dict[str, Any]
) -> None:
    report_id = _post(client, sample_document).get_json()["id"]
    broken = {**sample_document, "severity": "SEV9", "started_at": "soon"}
    response = client.put(f"/api/reports/{report_id}", json=broken)
    assert response.status_code == 400
    assert set(response.get_json()["problems"]) == {"severity", "started_at"}

    wrong_version = client.put(
        f"/api/reports/{report_id}", json={**sample_document, "format": "hindsight-report/9"}
    )
    assert wrong_version.status_code == 400 and "format" in wrong_version.get_json()["problems"]

    reversed_times = {**sample_document, "resolved_at": "2026-10-03T08:00:00+02:00"}
    response = client.put(f"/api/reports/{report_id}", json=reversed_times)
    assert response.status_code == 400 and "resolved_at" in response.get_json()["problems"]

    stored = client.get(f"/api/reports/{report_id}").get_json()
    assert stored["version"] == 1 and stored["severity"] == "SEV2"


def test_malformed_json_and_invalid_utf8_are_400(client: FlaskClient) -> None:
    deep = b'{"title": ' + b"[" * 1000 + b"]" * 1000 + b"}"
    for body in (b"{not json", b'{"title": "\xff\xfe"}', b"", deep, rb'{"title": "\ud800"}'):
        response = client.post("/api/reports", data=body, content_type="application/json")
        assert response.status_code == 400, body
        assert response.is_json
    assert client.get("/api/reports").get_json()["reports"] == []


def test_writes_need_json_and_the_same_origin(
    client: FlaskClient, sample_document: dict[str, Any]
) -> None:
    as_form = client.post("/api/reports", data={"title": "x"})
    assert as_form.status_code == 415
    cross_site = client.post(
        "/api/reports", json=sample_document, headers={"Origin": "https://evil.example"}
    )
    assert cross_site.status_code == 403
    same_site = client.post(
        "/api/reports", json=sample_document, headers={"Origin": "http://localhost"}
    )
    assert same_site.status_code == 201


def test_oversized_request_is_413_and_stores_nothing(client: FlaskClient) -> None:
    huge = json.dumps({"summary": "x" * (5 * 1024 * 1024)})
    response = client.post("/api/reports", data=huge, content_type="application/json")
    assert response.status_code == 413 and response.is_json
    assert client.get("/api/reports").get_json()["reports"] == []


def test_html_in_fields_is_stored_as_text(client: FlaskClient) -> None:
    script = '<script>alert("x")</script>'
    report_id = _post(client, {"title": script, "summary": script}).get_json()["id"]
    assert client.get(f"/api/reports/{report_id}").get_json()["summary"] == script
    page = client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert script not in page and "&lt;script&gt;" in page
