"""The shared folder explains itself: index.html and index.md list every exported report."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import csrf_token_from


def _export(client: FlaskClient, report_id: int, fmt: str) -> None:
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    response = client.post(f"/reports/{report_id}/export/{fmt}", data={"csrf_token": token})
    assert response.status_code == 303


def _links(index: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', index)


def test_index_lists_every_exported_file_and_nothing_stale(
    app: Flask, client: FlaskClient, sample_document: dict[str, Any]
) -> None:
    shared = Path(app.config["SHARED_FOLDER"])
    first = client.post("/api/reports", json=sample_document).get_json()["id"]
    second_doc = {**sample_document, "title": "Search was slow | for <everyone>",
                  "service": "search", "started_at": "2026-11-02T10:00:00+01:00",
                  "detected_at": None, "resolved_at": None}
    second = client.post("/api/reports", json=second_doc).get_json()["id"]
    never = client.post("/api/reports", json={**sample_document, "title": "Never exported"})
    _export(client, first, "pdf")
    _export(client, first, "md")
    _export(client, second, "html")
    index = (shared / "index.html").read_text()
    links = _links(index)
    assert len(links) == 3 and all((shared / link).is_file() for link in links)
    assert index.index("Search was slow") < index.index(sample_document["title"])  # newest first
    assert "&lt;everyone&gt;" in index and "<everyone>" not in index
    assert "Never exported" not in index and never.status_code == 201

    # A new title renames the file: the index follows, and never lists the old name.
    old_pdf = next(link for link in links if link.endswith(".pdf"))
    renamed = client.put(f"/api/reports/{first}", headers={"If-Match": '"1"'},
                         json={**sample_document, "title": "Payments failed"})
    assert renamed.status_code == 200
    _export(client, first, "pdf")
    index = (shared / "index.html").read_text()
    links = _links(index)
    assert old_pdf not in links and not (shared / old_pdf).exists()
    assert len(links) == 3 and all((shared / link).is_file() for link in links)
    assert "Payments failed" in index

    markdown = (shared / "index.md").read_text()
    assert "Search was slow \\| for \\<everyone\\>" in markdown
    assert markdown.count("](<") == 3
    assert not list(shared.rglob(".*.part"))  # written atomically, no leftovers
