"""The Drive folder explains itself: an index Doc, "Incident reports — index", updated in place
after every Drive export, lists every report exported there with its date, service, status and
links to its Doc and PDF, as the local folder's index.html does."""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from exporters import service
from exporters.drive_errors import DriveError
from exporters.drive_index import INDEX_KEY, INDEX_NAME
from exporters.gdrive import KEY_PROPERTY
from reports.exchange import from_document
from tests import drive_fixtures
from tests.conftest import SAMPLE_DOCUMENT
from tests.drive_fixtures import FOLDER_ID
from tests.fake_drive import FakeDrive, StoredFile
from tests.test_drive_connect import export

drive_ca = drive_fixtures.drive_ca
signing_key = drive_fixtures.signing_key
trust_drive_ca = drive_fixtures.trust_drive_ca
fake_drive = drive_fixtures.fake_drive
key_file = drive_fixtures.key_file


@pytest.fixture
def drive_app(tmp_path: Path, fake_drive: FakeDrive, key_file: Path) -> Iterator[Flask]:
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True,
                      "DRIVE_FOLDER_ID": FOLDER_ID, "GOOGLE_CREDENTIALS": str(key_file),
                      "DRIVE_API_ENDPOINT": fake_drive.url, "DRIVE_TIMEOUT": 2,
                      "DRIVE_RETRIES": 1, "DRIVE_BACKOFF": 0.01})
    yield app
    app.extensions["hindsight.store"].engine.dispose()


def new_report(app: Flask, **changes: Any) -> int:
    document = copy.deepcopy(SAMPLE_DOCUMENT)
    document.update(changes)
    return app.extensions["hindsight.store"].create(from_document(document)).id


def index_of(fake: FakeDrive) -> StoredFile:
    [index] = [f for f in fake.files.values() if f.name == INDEX_NAME]
    return index


def file_of(fake: FakeDrive, report_id: int, fmt: str) -> StoredFile:
    """The report's file of this format, by the key Hindsight tagged it with."""
    [found] = [f for f in fake.files.values()
               if re.fullmatch(rf"hindsight:{report_id}:[^:]+:{fmt}",
                               f.app_properties.get(KEY_PROPERTY, ""))]
    return found


def rows(index: StoredFile) -> list[list[str]]:
    """The index table's rows as text, links as "label -> address"."""
    found = []
    for row in re.findall(r"<tr>(.*?)</tr>", index.text, re.S):
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        found.append([html.unescape(re.sub(
            r'<a href="([^"]*)"[^>]*>(.*?)</a>', r"\2 -> \1", re.sub(r"<br>", " | ", c)))
            for c in cells])
    return found


def test_the_index_lists_each_report_with_links_to_its_doc_and_pdf(
        drive_app: Flask, fake_drive: FakeDrive) -> None:
    client: FlaskClient = drive_app.test_client()
    older = new_report(drive_app)
    newer = new_report(drive_app, title="Search slow for everyone", service="search",
                       status="published", started_at="2026-11-20T08:00:00+01:00",
                       detected_at="2026-11-20T08:05:00+01:00",
                       resolved_at="2026-11-20T09:00:00+01:00")
    export(client, older, "gdoc")
    first = index_of(fake_drive)
    assert first.app_properties[KEY_PROPERTY] == INDEX_KEY and first.parents == [FOLDER_ID]
    export(client, older, "pdf")
    export(client, newer, "gdoc")

    index = index_of(fake_drive)
    assert index.id == first.id and index.revisions == 3  # one Doc, updated in place
    older_doc, older_pdf = file_of(fake_drive, older, "gdoc"), file_of(fake_drive, older, "pdf")
    newer_doc = file_of(fake_drive, newer, "gdoc")
    assert rows(index) == [
        ["Incident date", "Report", "Service", "Status", "Files"],
        ["20 Nov 2026", "Search slow for everyone", "search", "Published",
         f"Google Doc, client copy -> https://docs.google.com/document/d/{newer_doc.id}/edit"],
        ["3 Oct 2026", "Checkout unavailable for EU customers", "checkout", "Draft",
         f"Google Doc, client copy -> https://docs.google.com/document/d/{older_doc.id}/edit"
         f" | PDF, client copy -> https://drive.google.com/file/d/{older_pdf.id}/view"],
    ]
    # Written for Google's importer, like the report Docs: inline styles, no stylesheet.
    assert "<style" not in index.text and "class=" not in index.text
    assert 'style="border:1px solid #d5dbe3' in index.text


def test_the_index_follows_what_is_in_the_folder(drive_app: Flask,
                                                 fake_drive: FakeDrive) -> None:
    client = drive_app.test_client()
    kept, binned, removed = (new_report(drive_app, title=f"Report {n}") for n in "ABC")
    for report_id in (kept, binned, removed):
        export(client, report_id, "gdoc")
    drive_app.extensions["hindsight.store"].delete(binned)  # in Hindsight's bin
    fake_drive.trash(file_of(fake_drive, removed, "gdoc").id)  # moved to Drive's bin by hand

    export(client, kept, "gdoc")

    titles = [row[1] for row in rows(index_of(fake_drive))[1:]]
    assert titles == ["Report A"]


def test_an_index_that_cannot_be_updated_does_not_fail_the_export(
        drive_app: Flask, fake_drive: FakeDrive, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise DriveError("Google Drive is having problems.", "Try later.", kind="unavailable")

    monkeypatch.setattr(service, "refresh_drive_index", refuse)
    said = export(drive_app.test_client(), new_report(drive_app), "gdoc")
    assert "is now in the team's Google Drive folder" in said
    assert "The Drive folder's index could not be updated: unavailable" in caplog.text
    assert not [f for f in fake_drive.files.values() if f.name == INDEX_NAME]
