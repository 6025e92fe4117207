"""Export to Google Docs (and the PDF copy) from the page and the command line, end to end.

The app runs with Drive configured against the fake Drive over HTTPS; what arrived there, what
the export log holds and what the page says are all checked. Failures must lose nothing.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from exporters.drive_index import INDEX_NAME
from exporters.drive_publish import drive_name
from exporters.gdoc import render_gdoc_html
from exporters.gdrive import DOC_MIME, DOCX_MIME, MARK_PROPERTY
from reports.exchange import from_document, to_document
from reports.exports_log import DRIVE, LOCAL
from reports.model import Report
from tests import drive_fixtures
from tests.conftest import SAMPLE_DOCUMENT, csrf_token_from
from tests.drive_fixtures import FOLDER_ID
from tests.fake_drive import FakeDrive

drive_ca = drive_fixtures.drive_ca
signing_key = drive_fixtures.signing_key
trust_drive_ca = drive_fixtures.trust_drive_ca
fake_drive = drive_fixtures.fake_drive
key_file = drive_fixtures.key_file

DOC_NAME = "2026-10 checkout — Checkout unavailable for EU customers"
SETTINGS = {"DRIVE_TIMEOUT": 0.5, "DRIVE_RETRIES": 2, "DRIVE_BACKOFF": 0.01}


@pytest.fixture
def drive_settings(fake_drive: FakeDrive, key_file: Path) -> dict[str, Any]:
    return {"DRIVE_FOLDER_ID": FOLDER_ID, "GOOGLE_CREDENTIALS": str(key_file),
            "DRIVE_API_ENDPOINT": fake_drive.url, **SETTINGS}


@pytest.fixture
def app(instance_path: Path, drive_settings: dict[str, Any]) -> Iterator[Flask]:
    """The app with Drive set up (overrides the plain ``app`` fixture)."""
    application = create_app({"INSTANCE_PATH": str(instance_path), "TESTING": True,
                              **drive_settings})
    yield application
    application.extensions["hindsight.store"].engine.dispose()


@pytest.fixture
def report_id(app: Flask) -> int:
    return app.extensions["hindsight.store"].create(from_document(SAMPLE_DOCUMENT)).id


class Page:
    """The editor as a browser sees it: one client, its CSRF token, the notices it is shown."""

    def __init__(self, client: FlaskClient, report_id: int):
        self.client, self.report_id = client, report_id
        self.token = csrf_token_from(client.get(f"/reports/{report_id}").get_data(as_text=True))

    def export(self, fmt: str) -> str:
        response = self.client.post(f"/reports/{self.report_id}/export/{fmt}",
                                    data={"csrf_token": self.token})
        assert response.status_code == 303
        return self.client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.fixture
def page(client: FlaskClient, report_id: int) -> Page:
    return Page(client, report_id)


def notices(body: str) -> str:
    """Every notice at the top of the page (one box each), as plain text."""
    found = re.findall(r'<div class="notice[^"]*"[^>]*>(.*?)</div>', body, re.S)
    text = " ".join(re.sub(r"<[^>]+>", " ", html.unescape(part)) for part in found)
    return re.sub(r"\s+", " ", text)


def snapshot(app: Flask, report_id: int) -> tuple[int, dict[str, Any]]:
    stored = app.extensions["hindsight.store"].get(report_id)
    return stored.version, to_document(stored.report)


def drive_records(app: Flask, report_id: int, fmt: str = "gdoc") -> list[Any]:
    return [r for r in app.extensions["hindsight.exports"].for_report(report_id)
            if r.destination == DRIVE and r.format == fmt]


def only_doc(server: FakeDrive) -> Any:
    """The report's one Doc (the folder's index Doc aside)."""
    docs = [f for f in server.files.values() if f.mime_type == DOC_MIME and f.name != INDEX_NAME]
    assert len(docs) == 1
    return docs[0]


def report_part(server: FakeDrive) -> list[str]:
    """The Drive requests of the export itself, before the folder's index is brought up to
    date (which starts by listing every file Hindsight made there)."""
    requests = server.drive_requests()
    first_index = next((i for i, r in enumerate(requests)
                        if MARK_PROPERTY in r.query.get("q", "")), len(requests))
    return [f"{r.method} {r.path}" for r in requests[:first_index]]


# -- the Google Doc ------------------------------------------------------------------------------


def test_export_to_google_docs_creates_the_doc_and_shows_its_link(
        app: Flask, page: Page, fake_drive: FakeDrive, report_id: int) -> None:
    editor = page.client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert f'formaction="/reports/{report_id}/export/gdoc">Export to Google Docs<' in editor

    body = page.export("gdoc")

    doc = only_doc(fake_drive)
    assert doc.name == DOC_NAME
    assert doc.parents == [FOLDER_ID]
    assert doc.media_type == "text/html"
    link = f"https://docs.google.com/document/d/{doc.id}/edit"
    assert "is now in the team's Google Drive folder" in notices(body)
    assert f'href="{link}"' in body
    # Look up by key, create; then the folder's index Doc: list, look up by key, create.
    assert report_part(fake_drive) == ["GET /drive/v3/files", "POST /upload/drive/v3/files"]
    assert len(fake_drive.drive_requests()) == 5

    [record] = drive_records(app, report_id)
    assert (record.ok, record.location, record.link) == (True, doc.id, link)
    assert record.report_version == snapshot(app, report_id)[0]
    assert "Google Doc (Drive)" in body  # listed with the report's exports


def test_the_doc_holds_the_whole_report_as_headings_tables_and_links(
        app: Flask, page: Page, fake_drive: FakeDrive, report_id: int) -> None:
    asked_at = datetime.now(UTC)
    page.export("gdoc")
    uploaded = only_doc(fake_drive).text
    report = app.extensions["hindsight.store"].get(report_id).report

    # The HTML written for Google's importer, from the same view-model as every export: the
    # look inline on the elements, nothing the importer drops. Its "exported on" says the
    # minute it was written: the minute it was asked for, or a later one if a minute began.
    assert uploaded in {render_gdoc_html(report, exported_on=moment)
                        for moment in (asked_at, datetime.now(UTC))}
    assert "var(" not in uploaded and "<style" not in uploaded and "class=" not in uploaded
    assert not re.search(r"display\s*:\s*(grid|flex)", uploaded)
    headings = re.findall(r"<h([1-6])[^>]*>(.*?)</h\1>", uploaded, re.S)
    assert {level for level, _ in headings} == {"1", "2", "3"}
    titles = [" ".join(re.sub(r"<[^>]+>", " ", text).split()) for _, text in headings]
    for heading in ("Checkout unavailable for EU customers", "1. Our apology",
                    "2. What happened", "Timeline", "What contributed", "What we learned",
                    "3. What we are doing about it"):
        assert heading in titles, heading
    tables = re.findall(r"<table\b.*?</table>", uploaded, re.S)
    timeline = next((t for t in tables if ">What happened</th>" in t), None)
    actions = next((t for t in tables if ">Owner</th>" in t), None)
    assert timeline and actions
    timeline, actions = [timeline], [actions]
    for event in SAMPLE_DOCUMENT["timeline"]:
        assert html.escape(event["description"], quote=False) in timeline[0]
    assert timeline[0].count("<tr") == 1 + len(SAMPLE_DOCUMENT["timeline"])
    for action in SAMPLE_DOCUMENT["actions"]:
        assert html.escape(action["description"], quote=False) in actions[0]
        assert action["owner"] in actions[0]
    assert '<a href="https://tracker.example.com/PLAT-12" style="color:#1f5f8b">' in actions[0]
    for text in (SAMPLE_DOCUMENT["apology"], SAMPLE_DOCUMENT["impact"],
                 *SAMPLE_DOCUMENT["lessons"].values(),
                 *(f["description"] for f in SAMPLE_DOCUMENT["factors"])):
        assert html.escape(text, quote=False) in uploaded, text
    assert "<strong>all</strong>" in uploaded  # Markdown arrives as formatting


def test_exporting_again_updates_the_same_doc(app: Flask, page: Page, fake_drive: FakeDrive,
                                             report_id: int) -> None:
    page.export("gdoc")
    first = only_doc(fake_drive)
    store = app.extensions["hindsight.store"]
    edited = store.get(report_id).report
    edited.title = "Payments failed for EU customers"
    edited.impact = "About 1,300 orders failed."
    version = store.save(report_id, edited).version
    fake_drive.reset_log()

    body = page.export("gdoc")

    again = only_doc(fake_drive)
    assert again.id == first.id and again.revisions == 2
    assert again.name == "2026-10 checkout — Payments failed for EU customers"
    assert "About 1,300 orders failed." in again.text
    assert report_part(fake_drive) == [
        f"GET /drive/v3/files/{first.id}", f"PATCH /upload/drive/v3/files/{first.id}"]
    assert "is updated; its link is the same" in notices(body)
    latest = drive_records(app, report_id)[0]
    assert (latest.location, latest.report_version) == (first.id, version)


@pytest.mark.parametrize("gone", ["trash", "delete"])
def test_a_doc_removed_in_drive_is_made_again_and_the_page_says_so(
        app: Flask, page: Page, fake_drive: FakeDrive, report_id: int, gone: str) -> None:
    page.export("gdoc")
    first = only_doc(fake_drive)
    getattr(fake_drive, gone)(first.id)

    body = page.export("gdoc")

    new = [f for f in fake_drive.files.values()
           if f.id != first.id and not f.trashed and f.name != INDEX_NAME]
    assert len(new) == 1 and new[0].parents == [FOLDER_ID]
    said = notices(body)
    assert "deleted or moved to the bin" in said and "made a new one" in said
    latest = drive_records(app, report_id)[0]
    assert latest.location == new[0].id
    assert latest.message and "made a new one" in latest.message


# -- the PDF copy --------------------------------------------------------------------------------


def test_pdf_export_also_puts_the_pdf_in_the_drive_folder(
        app: Flask, page: Page, fake_drive: FakeDrive, report_id: int) -> None:
    body = page.export("pdf")
    pdfs = [f for f in fake_drive.files.values() if f.mime_type == "application/pdf"]
    assert [f.name for f in fake_drive.files.values() if f.mime_type == DOC_MIME] == [
        INDEX_NAME]  # the folder's index, listing the PDF
    assert len(pdfs) == 1
    pdf = pdfs[0]
    assert pdf.name == DOC_NAME + ".pdf" and pdf.parents == [FOLDER_ID]
    local = next(r for r in app.extensions["hindsight.exports"].for_report(report_id)
                 if r.destination == LOCAL)
    assert (Path(app.config["SHARED_FOLDER"]) / local.location).read_bytes() == pdf.body
    said = notices(body)
    assert "Exported as PDF" in said and "The PDF is now in the team's Google Drive" in said

    page.export("gdoc")
    page.export("pdf")  # replaces the Drive PDF; the folder holds one Doc and one PDF
    assert sorted(f.mime_type for f in fake_drive.files.values()
                  if f.name != INDEX_NAME) == ["application/pdf", DOC_MIME]
    assert drive_records(app, report_id, "pdf")[0].location == pdf.id


def test_word_export_also_puts_the_word_file_in_the_drive_folder(
        app: Flask, page: Page, fake_drive: FakeDrive, report_id: int) -> None:
    """Issue 16: the .docx goes to Drive as it is, beside the Doc and the PDF, and is listed."""
    body = page.export("docx")
    words = [f for f in fake_drive.files.values() if f.mime_type == DOCX_MIME]
    assert len(words) == 1
    word = words[0]
    assert word.name == DOC_NAME + ".docx" and word.parents == [FOLDER_ID]
    local = next(r for r in app.extensions["hindsight.exports"].for_report(report_id)
                 if r.destination == LOCAL and r.format == "docx")
    assert (Path(app.config["SHARED_FOLDER"]) / local.location).read_bytes() == word.body
    assert "The Word document is now in the team's Google Drive" in notices(body)
    index = next(f for f in fake_drive.files.values() if f.name == INDEX_NAME)
    assert "Word document" in index.body.decode("utf-8", "replace")

    page.export("pdf")
    page.export("docx")  # replaces the same Drive file: one Word file, one PDF
    assert sorted(f.mime_type for f in fake_drive.files.values() if f.name != INDEX_NAME) == [
        "application/pdf", DOCX_MIME]
    assert drive_records(app, report_id, "docx")[0].location == word.id


# -- failures: a plain message, the failure recorded, nothing lost ----------------------------


def assert_nothing_lost(app: Flask, report_id: int, before: tuple[int, dict[str, Any]]) -> None:
    assert snapshot(app, report_id) == before
    latest = drive_records(app, report_id)[0]
    assert not latest.ok and latest.message


@pytest.mark.parametrize(("setup", "expected"), [
    (lambda s: s.fail(429, times=10), "too many requests"),
    (lambda s: s.fail(403, times=10, reason="rateLimitExceeded"), "too many requests"),
    (lambda s: s.fail(500, times=10), "Google Drive is having problems"),
    (lambda s: s.hang(times=10), "did not answer in time"),
    (lambda s: s.fail(401, times=10), "did not accept Hindsight's service-account key"),
])
def test_drive_failures_are_explained_and_lose_nothing(
        app: Flask, page: Page, fake_drive: FakeDrive, report_id: int, setup: Any,
        expected: str) -> None:
    before = snapshot(app, report_id)
    setup(fake_drive)
    said = notices(page.export("gdoc"))
    assert expected in said
    assert "Your report has not changed." in said
    assert_nothing_lost(app, report_id, before)
    assert not fake_drive.files


def test_quota_that_clears_is_retried_without_bothering_the_author(
        app: Flask, page: Page, fake_drive: FakeDrive) -> None:
    fake_drive.fail(429, times=1)
    assert "is now in the team's Google Drive folder" in notices(page.export("gdoc"))
    # One refused, then lookup and create.
    assert report_part(fake_drive) == ["GET /drive/v3/files", "GET /drive/v3/files",
                                       "POST /upload/drive/v3/files"]


@pytest.mark.parametrize(("settings", "expected"), [
    ({"DRIVE_FOLDER_ID": None, "GOOGLE_CREDENTIALS": None}, "is not set up"),
    ({"GOOGLE_CREDENTIALS": "/nonexistent/key.json"}, "could not use its Google key file"),
    ({"DRIVE_FOLDER_ID": "0ANotSharedWithUs"}, "cannot see the Google Drive folder"),
])
def test_setting_problems_are_explained_and_a_pdf_still_works(
        instance_path: Path, drive_settings: dict[str, Any], fake_drive: FakeDrive,
        settings: dict[str, Any], expected: str) -> None:
    app = create_app({"INSTANCE_PATH": str(instance_path), "TESTING": True,
                      **drive_settings, **settings})
    report_id = app.extensions["hindsight.store"].create(from_document(SAMPLE_DOCUMENT)).id
    page = Page(app.test_client(), report_id)
    before = snapshot(app, report_id)

    said = notices(page.export("gdoc"))

    assert expected in said and "Your report has not changed." in said
    assert_nothing_lost(app, report_id, before)
    listed = page.client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert "This export failed." in listed and expected in html.unescape(listed)
    assert "Exported as PDF" in notices(page.export("pdf"))  # the local PDF still works
    app.extensions["hindsight.store"].engine.dispose()


def test_a_failed_drive_copy_keeps_the_local_pdf(app: Flask, page: Page,
                                                 fake_drive: FakeDrive, report_id: int) -> None:
    fake_drive.fail(500, times=10)
    said = notices(page.export("pdf"))
    assert "Exported as PDF" in said
    assert "The PDF could not be put in Google Drive" in said
    local = next(r for r in app.extensions["hindsight.exports"].for_report(report_id)
                 if r.destination == LOCAL)
    assert local.ok and (Path(app.config["SHARED_FOLDER"]) / local.location).is_file()


def test_after_a_failure_the_next_export_updates_the_doc_it_had(
        app: Flask, page: Page, fake_drive: FakeDrive) -> None:
    page.export("gdoc")
    first = only_doc(fake_drive)
    fake_drive.fail(503, times=3)  # the first try and both retries
    assert "could not be put in Google Drive" in notices(page.export("gdoc"))
    fake_drive.reset_log()
    page.export("gdoc")
    assert only_doc(fake_drive).id == first.id
    assert report_part(fake_drive) == [f"GET /drive/v3/files/{first.id}",
                                       f"PATCH /upload/drive/v3/files/{first.id}"]


def test_a_lost_export_record_does_not_make_a_copy(app: Flask, page: Page,
                                                   fake_drive: FakeDrive, report_id: int,
                                                   ) -> None:
    page.export("gdoc")
    engine = app.extensions["hindsight.store"].engine
    with engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM exports")
    page.export("gdoc")
    assert only_doc(fake_drive).revisions == 2


# -- the command line ----------------------------------------------------------------------------


def test_cli_exports_a_google_doc_and_prints_its_link(app: Flask, fake_drive: FakeDrive,
                                                      report_id: int) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["reports", "export", str(report_id), "--format", "gdoc"])
    assert first.exit_code == 0, first.output
    doc = only_doc(fake_drive)
    assert first.output.strip() == f"https://docs.google.com/document/d/{doc.id}/edit"
    again = runner.invoke(args=["reports", "export", str(report_id), "--format", "gdoc"])
    assert again.output == first.output and only_doc(fake_drive).revisions == 2


def test_cli_pdf_prints_the_path_then_the_drive_link(app: Flask, fake_drive: FakeDrive,
                                                     report_id: int) -> None:
    result = app.test_cli_runner().invoke(
        args=["reports", "export", str(report_id), "--format", "pdf"])
    assert result.exit_code == 0, result.output
    path, link = result.output.strip().splitlines()
    assert Path(path).is_file()
    [pdf] = [f for f in fake_drive.files.values() if f.mime_type == "application/pdf"]
    assert link == f"https://drive.google.com/file/d/{pdf.id}/view"


def test_cli_failure_says_what_to_do(app: Flask, fake_drive: FakeDrive, report_id: int) -> None:
    fake_drive.folders.clear()  # as if the folder had stopped being shared
    result = app.test_cli_runner().invoke(
        args=["reports", "export", str(report_id), "--format", "gdoc"])
    assert result.exit_code == 1
    assert "cannot see the Google Drive folder" in result.output
    # Under drive.file (the default) a folder it did not make is hidden: say what changes that.
    assert "HINDSIGHT_DRIVE_SCOPE=drive" in result.output


# -- names ---------------------------------------------------------------------------------------


def test_drive_names_follow_the_folder_convention() -> None:
    report = from_document(SAMPLE_DOCUMENT)
    assert drive_name(report) == DOC_NAME
    assert drive_name(report, "pdf") == DOC_NAME + ".pdf"
    assert drive_name(Report()) == "Undated — Untitled report"
    odd = Report(service="pay\nments", title="A\u202etitle\x00 with\tcontrols " + "x" * 300)
    name = drive_name(odd)
    assert name.startswith("Undated pay ments — A title with controls x")
    assert len(name) < 250 and name.endswith("…")
    assert json.dumps(name)  # sent as a JSON field, never pasted into a query
