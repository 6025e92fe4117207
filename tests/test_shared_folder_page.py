"""The shared folder from the app: after an export the page says where the file is, and links to
the folder's own index, which authors and reviewers open at /shared-folder/ (the files it lists
open from there too, as downloads). Who may use the route: tests/test_permissions.py."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from reports.exchange import from_document
from services import get_store


@pytest.fixture
def report_id(app: Flask, sample_document: dict[str, Any]) -> int:
    with app.app_context():
        return get_store().create(from_document(sample_document)).id


def export(client: FlaskClient, report_id: int, fmt: str, token: str) -> str:
    response = client.post(f"/reports/{report_id}/export/{fmt}", data={"csrf_token": token},
                           follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_export_notice_says_where_the_file_is_and_links_to_the_index(
    app: Flask, client: FlaskClient, csrf_token: str, report_id: int
) -> None:
    page = export(client, report_id, "md", csrf_token)
    notice = re.search(r'<div class="flash-messages" id="flash-messages" tabindex="-1" autofocus>'
                       r'(.*?)</div>\s*</div>', page, re.S)
    assert notice, "the export's notice, focused, at the top of the page"
    main = page.index('<main id="main"')
    assert main < page.index('id="flash-messages"'), "the notice is inside main"
    path = Path(html.unescape(re.search(r'<code class="file-path">(.*?)</code>',
                                        notice.group(1)).group(1)))
    shared = Path(app.config["SHARED_FOLDER"]).resolve()
    assert path.is_absolute() and path.is_file() and path.is_relative_to(shared), path
    assert path.name == "10.checkout.checkout-unavailable-for-eu-customers.md"
    assert '<a href="/shared-folder/">Open the shared folder’s index</a>' in notice.group(1)


def test_other_notices_do_not_take_the_focus(
    client: FlaskClient, csrf_token: str, report_id: int
) -> None:
    response = client.post("/reports/" + str(report_id) + "/delete",
                           data={"csrf_token": csrf_token}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "The report is in the bin" in page
    assert 'id="flash-messages">' in page and "autofocus" not in page


def test_the_index_opens_as_a_page_and_its_files_download(
    app: Flask, client: FlaskClient, csrf_token: str, report_id: int
) -> None:
    assert client.get("/shared-folder/").status_code == 404  # nothing exported yet
    export(client, report_id, "html", csrf_token)
    export(client, report_id, "md", csrf_token)

    index = client.get("/shared-folder/")
    assert index.status_code == 200 and index.mimetype == "text/html"
    body = index.get_data(as_text=True)
    assert (Path(app.config["SHARED_FOLDER"]) / "index.html").read_text() == body
    assert "Checkout unavailable for EU customers" in body
    # Its own stylesheet is allowed by its hash, and nothing else inline.
    style = re.search(r"<style>(.*?)</style>", body, re.S)
    assert style
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    policy = index.headers["Content-Security-Policy"]
    assert f"style-src 'self' 'sha256-{digest}'" in policy and "script-src 'self'" in policy

    links = re.findall(r'<a href="([^"]+)">', body)
    assert "2026/10.checkout.checkout-unavailable-for-eu-customers.md" in links
    for link in links:
        got = client.get("/shared-folder/" + link)
        assert got.status_code == 200, link
        assert got.headers["Content-Disposition"].startswith("attachment;"), link
        assert got.data == (Path(app.config["SHARED_FOLDER"]) / link).read_bytes()
    assert client.get("/shared-folder/index.md").status_code == 200


@pytest.mark.parametrize("name", [
    "../instance/hindsight.sqlite3", "2026/../../secret", ".hindsight-export.lock",
    "2026/not-exported.pdf", "%2e%2e/x", "2026",
])
def test_nothing_else_in_or_outside_the_folder_is_served(
    app: Flask, client: FlaskClient, csrf_token: str, report_id: int, name: str
) -> None:
    export(client, report_id, "md", csrf_token)
    folder = Path(app.config["SHARED_FOLDER"])
    (folder / "2026" / "not-exported.pdf").write_bytes(b"%PDF- put here by hand")
    assert client.get("/shared-folder/" + name).status_code == 404
