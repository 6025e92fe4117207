"""The report's files in Google Drive: a folder beside its Doc (and PDF), kept in step.

The real google-api-python-client talks HTTPS to the fake Drive (tests/fake_drive.py), signed
in as the service account with the ``drive.file`` scope. Checked: the folder is made beside the
Doc with the report's name, each file uploaded with its name in the report's folder and its own
bytes; internal-only files go only with the internal copy, in ``internal``; a file removed from
the report (or made internal) goes to Drive's bin at the next export, and the folder when none
is left; a new title renames the folder, a moved folder comes back; the index Doc links it;
Drive's refusals are explained and lose nothing; files someone else put there are left alone.
"""

from __future__ import annotations

import copy
import html
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from PIL import Image

from app import create_app
from exporters.drive_errors import Way, storage_refused
from exporters.drive_files import FOLDER_HINT, REPORT_PROPERTY, report_key, sync_files
from exporters.drive_index import INDEX_NAME
from exporters.gdrive import DOC_MIME, FOLDER_MIME, DriveClient
from exporters.service import ExportOutcome
from reports.attachments import Attachment, AttachmentStore
from reports.exchange import from_document, to_document
from reports.exports_log import DRIVE
from reports.model import CLIENT_COPY, INTERNAL_COPY
from reports.said import shown
from services import export_saved_report, get_exports, get_store
from tests import drive_fixtures
from tests.conftest import SAMPLE_DOCUMENT, csrf_token_from
from tests.drive_fixtures import FOLDER_ID
from tests.fake_drive import FakeDrive, Folder, StoredFile

drive_ca = drive_fixtures.drive_ca
signing_key = drive_fixtures.signing_key
trust_drive_ca = drive_fixtures.trust_drive_ca
fake_drive = drive_fixtures.fake_drive
key_file = drive_fixtures.key_file

DOC_NAME = "2026-10 checkout — Checkout unavailable for EU customers"


def png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), colour).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def app(instance_path: Path, fake_drive: FakeDrive, key_file: Path) -> Iterator[Flask]:
    application = create_app({
        "INSTANCE_PATH": str(instance_path), "TESTING": True, "DRIVE_FOLDER_ID": FOLDER_ID,
        "GOOGLE_CREDENTIALS": str(key_file), "DRIVE_API_ENDPOINT": fake_drive.url,
        "DRIVE_TIMEOUT": 0.5, "DRIVE_RETRIES": 2, "DRIVE_BACKOFF": 0.01})
    yield application
    application.extensions["hindsight.store"].engine.dispose()


class Report:
    """A saved report with a figure and a log for clients, and an image and a log internal."""

    def __init__(self, app: Flask, *, with_files: bool = True):
        self.app = app
        with app.app_context():
            self.files = AttachmentStore(get_store().engine)
            self.id = get_store().create(from_document(copy.deepcopy(SAMPLE_DOCUMENT))).id
        if with_files:
            self.figure = self.add("Errors per minute.png", png((200, 30, 30)))
            self.log = self.add("checkout.log", b"12:00 first error\n")
            self.hosts = self.add("hosts.png", png((20, 160, 40)), internal=True)
            self.pager = self.add("pager.log", b"paged the night desk\n", internal=True)

    def add(self, name: str, data: bytes, *, internal: bool = False) -> Attachment:
        return self.files.add(self.id, name, data, internal=internal)

    def export(self, fmt: str = "gdoc", copy: str = CLIENT_COPY) -> ExportOutcome:
        with self.app.app_context():
            outcome = export_saved_report(self.id, fmt, copy)
        assert outcome is not None and outcome.drive is not None
        return outcome

    def retitle(self, title: str) -> None:
        with self.app.app_context():
            stored = get_store().get(self.id)
            assert stored is not None
            stored.report.title = title
            get_store().save(self.id, stored.report, expected_version=stored.version)

    def key(self) -> str:
        with self.app.app_context():
            stored = get_store().get(self.id)
            assert stored is not None
            return report_key(stored)

    def snapshot(self) -> tuple[int, dict[str, Any]]:
        with self.app.app_context():
            stored = get_store().get(self.id)
            assert stored is not None
            return stored.version, to_document(stored.report)


@pytest.fixture
def report(app: Flask) -> Report:
    return Report(app)


def files_folder(server: FakeDrive, parent: str = FOLDER_ID) -> Folder:
    """The one report files folder in ``parent`` (not in the bin)."""
    (found,) = server.folders_in(parent)
    return found


def names_in(server: FakeDrive, folder_id: str) -> dict[str, StoredFile]:
    return {f.name: f for f in server.files_under(folder_id)}


def uploads(server: FakeDrive) -> list[str]:
    return [f"{r.method} {r.path}" for r in server.drive_requests() if "/upload/" in r.path]


def test_the_doc_gets_a_folder_beside_it_with_the_reports_files(
        report: Report, fake_drive: FakeDrive) -> None:
    outcome = report.export("gdoc")

    folder = files_folder(fake_drive)
    assert folder.name == DOC_NAME  # named as the Doc beside it
    [doc] = [f for f in fake_drive.in_folder(FOLDER_ID) if f.mime_type == DOC_MIME
             and f.name != INDEX_NAME]
    assert doc.name == DOC_NAME and doc.app_properties[FOLDER_HINT] == folder.id
    inside = names_in(fake_drive, folder.id)
    assert set(inside) == {"errors-per-minute.png", "checkout.log"}
    assert inside["errors-per-minute.png"].body == report.files.data(report.id, report.figure.id)
    assert inside["errors-per-minute.png"].mime_type == "image/png"
    assert inside["checkout.log"].body == b"12:00 first error\n"
    assert inside["checkout.log"].mime_type == "text/plain"
    # Internal-only files never go with the client copy, anywhere in Drive.
    assert not fake_drive.folders_in(folder.id)
    assert not [f for f in fake_drive.files.values() if f.name in ("hosts.png", "pager.log")]
    # Every item is Hindsight's, marked with the report, so one query finds them all again.
    for item in [folder, *inside.values()]:
        assert item.app_properties[REPORT_PROPERTY] == report.key()
    assert outcome.drive is not None and outcome.drive.ok
    assert f"The report's files are in the folder “{DOC_NAME}” beside it." in (
        outcome.drive.notice)


def test_the_internal_copy_adds_the_internal_files_in_their_own_folder(
        report: Report, fake_drive: FakeDrive) -> None:
    report.export("gdoc")
    folder = files_folder(fake_drive)
    fake_drive.reset_log()

    report.export("gdoc", INTERNAL_COPY)

    assert files_folder(fake_drive).id == folder.id  # both copies share the folder
    internal = files_folder(fake_drive, folder.id)
    assert internal.name == "internal"
    inside = names_in(fake_drive, internal.id)
    assert set(inside) == {"hosts.png", "pager.log"}
    assert inside["pager.log"].body == b"paged the night desk\n"
    # The client's files were already there, unchanged: only the two internal ones were sent
    # (the internal Doc's own upload aside).
    assert uploads(fake_drive).count("POST /upload/drive/v3/files") == 3
    assert set(names_in(fake_drive, folder.id)) == {"errors-per-minute.png", "checkout.log"}


def test_exporting_again_sends_nothing_that_did_not_change(
        report: Report, fake_drive: FakeDrive) -> None:
    report.export("gdoc")
    before = {f.id: f.revisions for f in fake_drive.files.values()}
    fake_drive.reset_log()

    report.export("gdoc")

    doc = next(f for f in fake_drive.files.values() if f.name == DOC_NAME)
    changed = {f.id for f in fake_drive.files.values() if f.revisions != before.get(f.id)}
    assert changed <= {doc.id} | {f.id for f in fake_drive.files.values()
                                  if f.name == INDEX_NAME}
    files_requests = [f"{r.method} {r.path}" for r in fake_drive.drive_requests()
                      if REPORT_PROPERTY in r.query.get("q", "")]
    assert files_requests == ["GET /drive/v3/files"]  # one listing, nothing else to do


def test_a_file_removed_or_made_internal_leaves_the_drive_folder(
        report: Report, fake_drive: FakeDrive) -> None:
    report.export("gdoc")
    report.export("gdoc", INTERNAL_COPY)
    folder = files_folder(fake_drive)
    internal = files_folder(fake_drive, folder.id)
    log_file = names_in(fake_drive, folder.id)["checkout.log"]
    pager_file = names_in(fake_drive, internal.id)["pager.log"]

    report.files.remove(report.id, report.log.id)
    report.files.remove(report.id, report.pager.id)
    report.files.update(report.id, report.figure.id, internal=True)
    report.export("gdoc")  # the client copy

    assert not names_in(fake_drive, folder.id)  # the figure is internal now, the log gone
    assert fake_drive.files[log_file.id].trashed  # in the bin: recoverable for 30 days
    # The client's export adds no internal file, but takes away the one the report dropped.
    assert set(names_in(fake_drive, internal.id)) == {"hosts.png"}
    assert fake_drive.files[pager_file.id].trashed

    report.export("gdoc", INTERNAL_COPY)
    assert set(names_in(fake_drive, internal.id)) == {"hosts.png", "errors-per-minute.png"}


def test_the_folder_goes_when_the_report_has_no_file_left(
        report: Report, fake_drive: FakeDrive) -> None:
    report.export("gdoc")
    folder = files_folder(fake_drive)
    for attachment in (report.figure, report.log, report.hosts, report.pager):
        report.files.remove(report.id, attachment.id)

    outcome = report.export("gdoc")

    assert fake_drive.is_trashed(fake_drive.folders[folder.id])
    assert not fake_drive.folders_in(FOLDER_ID)
    doc = next(f for f in fake_drive.files.values() if f.name == DOC_NAME)
    assert FOLDER_HINT not in doc.app_properties  # nothing to look for next time
    assert outcome.drive is not None and "files" not in outcome.drive.notice
    fake_drive.reset_log()
    report.export("gdoc")
    assert not [r for r in fake_drive.drive_requests()
                if REPORT_PROPERTY in r.query.get("q", "")]


def test_a_report_without_files_costs_no_request_and_makes_no_folder(
        app: Flask, fake_drive: FakeDrive) -> None:
    plain = Report(app, with_files=False)
    plain.export("gdoc")
    plain.export("pdf")
    assert not fake_drive.folders_in(FOLDER_ID)
    assert not [r for r in fake_drive.drive_requests() if REPORT_PROPERTY in r.query.get("q", "")]


def test_the_pdf_in_drive_shares_the_folder(report: Report, fake_drive: FakeDrive) -> None:
    report.export("pdf")
    folder = files_folder(fake_drive)
    report.export("gdoc")
    assert files_folder(fake_drive).id == folder.id
    pdf = next(f for f in fake_drive.files.values() if f.mime_type == "application/pdf")
    assert pdf.app_properties[FOLDER_HINT] == folder.id


def test_a_new_title_renames_the_folder_and_a_moved_folder_comes_back(
        report: Report, fake_drive: FakeDrive) -> None:
    report.export("gdoc")
    folder = files_folder(fake_drive)
    report.retitle("Card payments declined")

    report.export("gdoc")

    renamed = files_folder(fake_drive)
    assert renamed.id == folder.id and renamed.name == "2026-10 checkout — Card payments declined"
    assert set(names_in(fake_drive, folder.id)) == {"errors-per-minute.png", "checkout.log"}

    # Someone drags the folder elsewhere (a folder Hindsight made too, so it can see it).
    elsewhere = fake_drive.add_folder("0AElsewhere", "Old reports")
    fake_drive.folders[folder.id].parent = elsewhere.id
    report.export("gdoc")
    assert files_folder(fake_drive).id == folder.id  # moved back beside the Doc
    assert not fake_drive.folders_in(elsewhere.id)
    moves = [r for r in fake_drive.drive_requests() if "addParents" in r.query]
    assert moves[-1].query == {**moves[-1].query, "addParents": FOLDER_ID,
                               "removeParents": elsewhere.id}


def test_the_index_doc_links_the_files_folder(report: Report, fake_drive: FakeDrive) -> None:
    report.export("gdoc")
    folder = files_folder(fake_drive)
    index = next(f for f in fake_drive.files.values() if f.name == INDEX_NAME)
    links = dict((html.unescape(label), href) for href, label in
                 re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', index.text))
    assert links["The report's files (folder)"] == (
        f"https://drive.google.com/drive/folders/{folder.id}")
    assert not [label for label in links if "Internal-only files" in label]

    report.export("gdoc", INTERNAL_COPY)
    internal = files_folder(fake_drive, folder.id)
    index = next(f for f in fake_drive.files.values() if f.name == INDEX_NAME)
    assert (f'href="https://drive.google.com/drive/folders/{internal.id}"' in index.text)
    assert "Internal-only files (folder), INTERNAL copy, not for clients" in index.text


def test_files_someone_else_put_in_the_folder_are_left_alone(
        report: Report, fake_drive: FakeDrive) -> None:
    """Under drive.file Hindsight sees only what it made: a person's own file is not its to
    remove, and Drive does not even list it to Hindsight."""
    report.export("gdoc")
    folder = files_folder(fake_drive)
    theirs = StoredFile("personal1", "notes.txt", "text/plain", [folder.id], b"mine",
                        drive_id=folder.drive_id, app="drive-web")
    fake_drive.files[theirs.id] = theirs
    report.files.remove(report.id, report.log.id)
    report.export("gdoc")
    assert not fake_drive.files["personal1"].trashed
    assert set(names_in(fake_drive, folder.id)) == {"errors-per-minute.png", "notes.txt"}


def test_two_folders_for_one_report_are_mended(app: Flask, report: Report,
                                               fake_drive: FakeDrive) -> None:
    """Two exports that raced (or an upload whose answer was lost) can leave a second folder
    with the same key: the next export keeps one and puts the other in the bin."""
    report.export("gdoc")
    folder = files_folder(fake_drive)
    twin = Folder("twin-folder", folder.name, folder.drive_id, folder.owner, folder.app,
                  FOLDER_ID, app_properties=dict(folder.app_properties))
    fake_drive.folders[twin.id] = twin
    report.export("gdoc")
    assert [f.id for f in fake_drive.folders_in(FOLDER_ID)] == [folder.id]
    assert twin.trashed


def test_large_files_go_up_in_a_resumable_session(
        app: Flask, report: Report, fake_drive: FakeDrive, key_file: Path) -> None:
    client = DriveClient(FOLDER_ID, str(key_file), endpoint=fake_drive.url, timeout=0.5,
                         retries=0, multipart_limit=16)
    with app.app_context():
        stored = get_store().get(report.id)
        assert stored is not None
        sync_files(client, stored, AttachmentStore(get_store().engine), CLIENT_COPY, "Files")
    folder = files_folder(fake_drive)
    assert names_in(fake_drive, folder.id)["errors-per-minute.png"].body == (
        report.files.data(report.id, report.figure.id))
    assert "PUT /upload/drive/v3/files" in uploads(fake_drive)


# -- Drive says no --------------------------------------------------------------------------------


@pytest.mark.parametrize(("failure", "expected"), [
    ({"status": 403, "reason": "storageQuotaExceeded"}, "no storage space"),
    ({"status": 403, "reason": "insufficientFilePermissions"}, "not allowed to add or change"),
    ({"status": 500}, "Google Drive is having problems"),
    ({"status": 429}, "too many requests"),
])
def test_a_refused_file_keeps_the_doc_and_says_why(
        app: Flask, fake_drive: FakeDrive, failure: dict[str, Any], expected: str) -> None:
    report = Report(app, with_files=False)
    report.export("gdoc")  # the Doc is there; the report gets files afterwards
    report.add("checkout.log", b"12:00 first error\n")
    before = report.snapshot()
    fake_drive.fail(failure["status"], times=10, reason=failure.get("reason", ""), on="POST")

    outcome = report.export("gdoc")

    assert outcome.drive is not None and outcome.drive.ok  # the Doc itself was updated
    said = outcome.drive.notice
    assert "The Google Doc in the team's Google Drive folder is updated" in said
    assert "The report's files could not all be put in the folder beside it." in said
    assert expected in said and "Export again to try once more." in said
    assert report.snapshot() == before
    with app.app_context():
        [record] = [r for r in get_exports().latest(report.id)
                    if r.destination == DRIVE and r.format == "gdoc"]
    assert record.ok and record.message and expected in shown(record.message, "en")

    fake_drive._failures.clear()
    again = report.export("gdoc")
    assert again.drive is not None and "could not" not in again.drive.notice
    assert set(names_in(fake_drive, files_folder(fake_drive).id)) == {"checkout.log"}


def test_a_folder_left_by_a_failed_export_goes_once_the_files_are_gone(
        app: Flask, fake_drive: FakeDrive, monkeypatch: pytest.MonkeyPatch) -> None:
    """The folder is noted on the Doc as soon as it is made, so an export stopped half way
    still lets the next one find it, even when the report has no file left by then."""
    report = Report(app, with_files=False)
    report.export("gdoc")
    log = report.add("checkout.log", b"12:00 first error\n")

    def refused(*_args: Any, **_kwargs: Any) -> Any:
        raise storage_refused(Way())

    with monkeypatch.context() as patched:
        patched.setattr(DriveClient, "put_file", refused)
        outcome = report.export("gdoc")
    assert outcome.drive is not None and "could not all be put" in outcome.drive.notice
    folder = files_folder(fake_drive)
    assert not names_in(fake_drive, folder.id)

    report.files.remove(report.id, log.id)
    report.export("gdoc")
    assert fake_drive.is_trashed(fake_drive.folders[folder.id])


def test_the_page_says_where_the_files_went(app: Flask, report: Report,
                                            fake_drive: FakeDrive) -> None:
    client = app.test_client()
    token = csrf_token_from(client.get(f"/reports/{report.id}").get_data(as_text=True))
    response = client.post(f"/reports/{report.id}/export/gdoc", data={"csrf_token": token})
    assert response.status_code == 303
    body = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert f"The report's files are in the folder “{DOC_NAME}” beside it." in body


def test_the_fake_lists_folders_as_files(report: Report, fake_drive: FakeDrive) -> None:
    """The fake follows "Create and populate folders": a folder is a file of the folder type,
    found by the same queries."""
    report.export("gdoc")
    folder = files_folder(fake_drive)
    listed = fake_drive.list({"q": f"mimeType = '{FOLDER_MIME}' and trashed = false",
                              "supportsAllDrives": "true", "includeItemsFromAllDrives": "true"},
                             next(iter(fake_drive.tokens.values())))
    assert folder.id in [item["id"] for item in listed[1]["files"]]
