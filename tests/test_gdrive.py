"""The Drive client against the fake Drive, over HTTPS, through the real Google libraries."""

from __future__ import annotations

import json
from pathlib import Path

import googleapiclient.http
import pytest

from exporters.drive_errors import DriveError
from exporters.gdrive import (
    DOC_MIME,
    KEY_PROPERTY,
    MARK,
    MARK_PROPERTY,
    PDF_MIME,
    DriveClient,
    api_base,
    escape_query,
)
from tests import drive_fixtures
from tests.drive_fixtures import FOLDER_ID, SERVICE_ACCOUNT
from tests.fake_drive import FakeDrive, StoredFile

drive_ca = drive_fixtures.drive_ca
signing_key = drive_fixtures.signing_key
trust_drive_ca = drive_fixtures.trust_drive_ca
fake_drive = drive_fixtures.fake_drive
key_file = drive_fixtures.key_file

HTML = (
    "<!doctype html><html><head><meta charset='utf-8'><title>T</title></head><body>"
    "<h1>Checkout unavailable</h1><h2>Timeline</h2><table><tr><th>Time</th></tr>"
    "<tr><td>09:05</td></tr></table><p><a href='https://tracker.example.com/PLAT-12'>PLAT-12</a>"
    "</p></body></html>"
)


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def drive(fake_drive: FakeDrive, key_file: Path, sleeps: list[float]) -> DriveClient:
    return DriveClient(FOLDER_ID, str(key_file), endpoint=fake_drive.url, timeout=0.5,
                       retries=3, sleep=sleeps.append)


def upload_paths(server: FakeDrive) -> list[str]:
    return [f"{r.method} {r.path}?uploadType={r.query.get('uploadType', '')}"
            for r in server.drive_requests()]


def test_first_export_creates_a_doc_in_the_folder(drive: DriveClient,
                                                  fake_drive: FakeDrive) -> None:
    result = drive.upload_doc("2026-10 checkout — Checkout unavailable", HTML, key="r1:gdoc")

    assert result.created_new and not result.replaced_missing
    stored = fake_drive.files[result.id]
    assert stored.name == "2026-10 checkout — Checkout unavailable"
    assert stored.parents == [FOLDER_ID]
    assert stored.mime_type == DOC_MIME
    assert stored.media_type == "text/html"
    assert stored.text == HTML
    assert stored.app_properties == {KEY_PROPERTY: "r1:gdoc", MARK_PROPERTY: MARK}
    assert result.link == f"https://docs.google.com/document/d/{result.id}/edit"
    # One lookup by key, one create; the token request comes on top.
    assert upload_paths(fake_drive) == [
        "GET /drive/v3/files?uploadType=",
        "POST /upload/drive/v3/files?uploadType=multipart",
    ]
    assert [r.path for r in fake_drive.requests if r.is_token] == ["/token"]
    for request in fake_drive.drive_requests():
        assert request.headers["authorization"].startswith("Bearer ")
        assert request.query["supportsAllDrives"] == "true"


def test_re_export_checks_the_doc_then_updates_it(drive: DriveClient,
                                                 fake_drive: FakeDrive) -> None:
    first = drive.upload_doc("2026-10 checkout — Old title", HTML, key="r1:gdoc")
    fake_drive.reset_log()

    again = drive.upload_doc("2026-10 checkout — New title", HTML.replace("09:05", "09:06"),
                             first.id, key="r1:gdoc")

    assert (again.id, again.link) == (first.id, first.link)
    assert not again.created_new and not again.replaced_missing
    assert len(fake_drive.files) == 1
    stored = fake_drive.files[first.id]
    assert stored.name == "2026-10 checkout — New title"
    assert "09:06" in stored.text and stored.revisions == 2
    # Is it still there, out of the bin, and a Doc? Then the update itself.
    assert upload_paths(fake_drive) == [
        f"GET /drive/v3/files/{first.id}?uploadType=",
        f"PATCH /upload/drive/v3/files/{first.id}?uploadType=multipart",
    ]
    assert not [r for r in fake_drive.requests if r.is_token]  # the token is reused


@pytest.mark.parametrize("gone", ["trash", "delete"])
def test_a_doc_trashed_or_deleted_in_drive_is_made_again(drive: DriveClient,
                                                         fake_drive: FakeDrive,
                                                         gone: str) -> None:
    first = drive.upload_doc("Report", HTML, key="r1:gdoc")
    getattr(fake_drive, gone)(first.id)
    fake_drive.reset_log()

    again = drive.upload_doc("Report", HTML, first.id, key="r1:gdoc")

    assert again.id != first.id
    assert again.created_new and again.replaced_missing
    assert fake_drive.files[again.id].parents == [FOLDER_ID]
    assert len(fake_drive.drive_requests()) == 3  # get (gone), lookup, create
    if gone == "trash":
        assert fake_drive.files[first.id].revisions == 1  # a file in the bin is left alone


def test_a_lost_record_finds_the_tagged_doc_instead_of_copying_it(
        drive: DriveClient, fake_drive: FakeDrive) -> None:
    first = drive.upload_doc("Report", HTML, key="r1:gdoc")
    again = drive.upload_doc("Report", HTML, None, key="r1:gdoc")
    assert again.id == first.id and not again.created_new
    assert len(fake_drive.files) == 1


def test_lookup_query_escapes_quotes_and_backslashes(drive: DriveClient,
                                                     fake_drive: FakeDrive) -> None:
    key = "it's a \\' trick' or '1'='1"
    first = drive.upload_doc("Report", HTML, key=key)
    other = drive.upload_doc("Report", HTML, key="it")
    fake_drive.reset_log()
    again = drive.upload_doc("Report", HTML, key=key)

    assert again.id == first.id != other.id
    query = fake_drive.drive_requests()[0].query["q"]
    assert f"value='{escape_query(key)}'" in query
    assert escape_query("a'b\\c") == "a\\'b\\\\c"


def test_user_text_in_the_name_stays_in_the_name(drive: DriveClient,
                                                 fake_drive: FakeDrive) -> None:
    name = 'Outage "}, "parents": ["elsewhere"], "x": {"' + "\r\n--boundary\r\n' or 1=1"
    result = drive.upload_doc(name, HTML)
    stored = fake_drive.files[result.id]
    assert stored.name == name
    assert stored.parents == [FOLDER_ID]
    assert stored.mime_type == DOC_MIME


def test_large_files_go_up_in_a_resumable_session(fake_drive: FakeDrive,
                                                  key_file: Path) -> None:
    drive = DriveClient(FOLDER_ID, str(key_file), endpoint=fake_drive.url,
                        multipart_limit=100)
    big = HTML + "<p>" + "x" * 500 + "</p>"
    first = drive.upload_doc("Big", big)
    again = drive.upload_doc("Big", big + "<p>more</p>", first.id)

    assert again.id == first.id
    assert fake_drive.files[first.id].text.endswith("<p>more</p>")
    assert [r.method for r in fake_drive.drive_requests()] == [
        "POST", "PUT", "GET", "PATCH", "PUT"]
    assert {r.query.get("uploadType") for r in fake_drive.drive_requests()
            if r.method != "GET"} == {"resumable"}


def test_uploads_do_not_use_the_deprecated_in_memory_media(
        drive: DriveClient, fake_drive: FakeDrive, monkeypatch: pytest.MonkeyPatch) -> None:
    """googleapiclient.http marks MediaInMemoryUpload DEPRECATED: uploads stream a BytesIO."""
    def deprecated(*args: object, **kwargs: object) -> None:
        raise AssertionError("MediaInMemoryUpload is deprecated")

    monkeypatch.setattr(googleapiclient.http.MediaInMemoryUpload, "__init__", deprecated)
    doc = drive.upload_doc("Report", HTML, key="r1:gdoc")
    again = drive.upload_doc("Report", HTML + "<p>more</p>", doc.id, key="r1:gdoc")
    pdf = drive.upload_pdf("Report.pdf", b"%PDF-1.7\n%%EOF\n", key="r1:pdf")
    assert again.id == doc.id and fake_drive.files[doc.id].text.endswith("<p>more</p>")
    assert fake_drive.files[pdf.id].body == b"%PDF-1.7\n%%EOF\n"


def test_pdf_uploads_as_a_pdf(drive: DriveClient, fake_drive: FakeDrive) -> None:
    pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
    result = drive.upload_pdf("2026-10 checkout — Report.pdf", pdf, key="r1:pdf")
    stored = fake_drive.files[result.id]
    assert stored.body == pdf
    assert stored.mime_type == stored.media_type == "application/pdf"
    assert result.link.startswith("https://drive.google.com/file/d/")


def test_a_recorded_file_of_another_kind_is_never_overwritten(drive: DriveClient,
                                                              fake_drive: FakeDrive) -> None:
    pdf = drive.upload_pdf("Report.pdf", b"%PDF-1.7\n%%EOF\n", key="r1:pdf")
    fake_drive.reset_log()

    # The record says the Doc is this file (a mix-up, a restored backup): it is a PDF.
    doc = drive.upload_doc("Report", HTML, pdf.id, key="r1:gdoc")

    assert doc.id != pdf.id and doc.created_new and doc.other_kind
    assert fake_drive.files[pdf.id].body == b"%PDF-1.7\n%%EOF\n"
    assert fake_drive.files[pdf.id].revisions == 1 and fake_drive.files[pdf.id].name == "Report.pdf"
    assert fake_drive.files[doc.id].mime_type == DOC_MIME
    assert [r.method for r in fake_drive.drive_requests()] == ["GET", "GET", "POST"]


def test_a_file_found_by_its_key_must_be_of_the_kind_too(drive: DriveClient,
                                                         fake_drive: FakeDrive) -> None:
    app = fake_drive.sa_app(SERVICE_ACCOUNT)
    fake_drive.files["pdf1"] = StoredFile(
        "pdf1", "Report.pdf", PDF_MIME, [FOLDER_ID], b"%PDF", PDF_MIME,
        {KEY_PROPERTY: "r1:gdoc", MARK_PROPERTY: MARK}, drive_id="0AShared-drive-incident-reports",
        app=app)
    doc = drive.upload_doc("Report", HTML, key="r1:gdoc")
    assert doc.id != "pdf1" and doc.created_new
    assert fake_drive.files["pdf1"].body == b"%PDF" and fake_drive.files["pdf1"].revisions == 1
    query = fake_drive.drive_requests()[0].query["q"]
    assert f"mimeType = '{DOC_MIME}'" in query


# -- failures --------------------------------------------------------------------------------


def test_retry_after_is_waited_out(drive: DriveClient, fake_drive: FakeDrive,
                                   sleeps: list[float]) -> None:
    fake_drive.fail(429, times=1, retry_after="7")
    fake_drive.fail(503, times=1, retry_after="Wed, 21 Oct 2015 07:28:00 GMT")  # long past
    result = drive.upload_doc("Report", HTML)
    assert result.id in fake_drive.files
    assert sleeps[0] == 7.0  # Google's wait, not the 0.5-1 s of the first backoff
    assert 1.0 <= sleeps[1] <= 2.0  # a date already past: the usual backoff


def test_a_retry_after_beyond_the_deadline_is_reported_at_once(
        fake_drive: FakeDrive, key_file: Path, sleeps: list[float]) -> None:
    drive = DriveClient(FOLDER_ID, str(key_file), endpoint=fake_drive.url, deadline=60,
                        sleep=sleeps.append)
    fake_drive.fail(429, times=5, retry_after="120")
    error = failure(drive)
    assert error.kind == "quota" and error.retry_after == 120
    assert "asked it to wait 2 minutes" in error.message
    assert sleeps == [] and len(fake_drive.drive_requests()) == 1



@pytest.mark.parametrize(("status", "reason"), [
    (429, "rateLimitExceeded"), (403, "userRateLimitExceeded"), (500, "backendError"),
    (503, "backendError"),
])
def test_passing_failures_are_retried_with_growing_waits(
        drive: DriveClient, fake_drive: FakeDrive, sleeps: list[float],
        status: int, reason: str) -> None:
    fake_drive.fail(status, times=2, reason=reason)
    result = drive.upload_doc("Report", HTML)
    assert fake_drive.files[result.id].text == HTML
    assert len(sleeps) == 2
    assert 0.5 <= sleeps[0] <= 1.0 and 1.0 <= sleeps[1] <= 2.0


def test_a_hang_is_cut_short_and_retried(drive: DriveClient, fake_drive: FakeDrive,
                                         sleeps: list[float]) -> None:
    fake_drive.hang(times=1)
    result = drive.upload_doc("Report", HTML)
    assert result.id in fake_drive.files
    assert len(sleeps) == 1


def test_an_expired_token_is_renewed_once(drive: DriveClient, fake_drive: FakeDrive) -> None:
    drive.upload_doc("Report", HTML)
    fake_drive.tokens.clear()  # Google forgot the token: the next call gets 401
    result = drive.upload_doc("Report", HTML)
    assert result.id in fake_drive.files
    assert len([r for r in fake_drive.requests if r.is_token]) == 2


def failure(drive: DriveClient, *, existing: str | None = None) -> DriveError:
    with pytest.raises(DriveError) as caught:
        drive.upload_doc("Report", HTML, existing)
    error = caught.value
    assert error.message and error.hint
    assert "HttpError" not in str(error) and "Traceback" not in str(error)
    return error


def test_quota_that_does_not_clear_is_explained(drive: DriveClient,
                                                fake_drive: FakeDrive) -> None:
    fake_drive.fail(429, times=10)
    error = failure(drive)
    assert error.kind == "quota"
    assert "too many requests" in error.message
    assert "try again" in error.hint.lower()
    assert len(fake_drive.drive_requests()) == 4  # one try and three retries


def test_drive_down_is_explained(drive: DriveClient, fake_drive: FakeDrive) -> None:
    fake_drive.fail(500, times=10)
    error = failure(drive)
    assert error.kind == "unavailable"
    assert "PDF" in error.hint


def test_drive_hanging_is_explained(fake_drive: FakeDrive, key_file: Path) -> None:
    drive = DriveClient(FOLDER_ID, str(key_file), endpoint=fake_drive.url, timeout=0.3,
                        retries=1, sleep=lambda _: None)
    fake_drive.hang(times=5)
    error = failure(drive)
    assert error.kind == "timeout"
    assert "did not answer in time" in error.message


def test_a_folder_the_service_account_cannot_see(fake_drive: FakeDrive,
                                                 key_file: Path) -> None:
    drive = DriveClient("0ANotShared", str(key_file), endpoint=fake_drive.url,
                        scope="https://www.googleapis.com/auth/drive")
    error = failure(drive)
    assert error.kind == "folder"
    assert "0ANotShared" in error.message
    assert "share that folder with the service account" in error.hint
    assert "member of the shared drive" in error.hint
    assert not fake_drive.files


def test_a_folder_someone_else_made_is_hidden_under_drive_file(fake_drive: FakeDrive,
                                                               key_file: Path) -> None:
    """about-auth: drive.file reaches only what the app made, even in a shared drive the
    service account is a member of; the words say which setting changes that."""
    fake_drive.add_folder("0AMadeByAPerson", app=None)
    limited = DriveClient("0AMadeByAPerson", str(key_file), endpoint=fake_drive.url)
    error = failure(limited)
    assert error.kind == "folder"
    assert "only for the files it makes itself" in error.message
    assert "HINDSIGHT_DRIVE_SCOPE=drive" in error.hint
    assert not fake_drive.files
    wide = DriveClient("0AMadeByAPerson", str(key_file), endpoint=fake_drive.url,
                       scope="https://www.googleapis.com/auth/drive")
    made = wide.upload_doc("Report", HTML, key="r1:gdoc")
    assert fake_drive.files[made.id].parents == ["0AMadeByAPerson"]
    assert fake_drive.files[made.id].owner is None  # the shared drive owns it


@pytest.mark.parametrize(("reason", "kind"), [
    ("storageQuotaExceeded", "storage"), ("insufficientFilePermissions", "permission"),
    ("accessNotConfigured", "credentials"),
])
def test_refusals_are_explained(drive: DriveClient, fake_drive: FakeDrive,
                                reason: str, kind: str) -> None:
    fake_drive.fail(403, times=1, reason=reason)
    assert failure(drive).kind == kind
    assert len(fake_drive.drive_requests()) == 1  # not worth retrying


@pytest.mark.parametrize("reason", ["storageQuotaExceeded", "quotaExceeded"])
def test_no_storage_says_where_files_can_go(drive: DriveClient, fake_drive: FakeDrive,
                                            reason: str) -> None:
    fake_drive.fail(403, times=1, reason=reason)
    error = failure(drive)
    assert error.kind == "storage"
    assert "has no storage space of its own" in error.message
    for way in ("shared drive", "HINDSIGHT_DRIVE_SUBJECT", "connect a person's Google account"):
        assert way in error.hint


def test_credentials_google_keeps_refusing(drive: DriveClient, fake_drive: FakeDrive) -> None:
    fake_drive.fail(401, times=10)
    error = failure(drive)
    assert error.kind == "credentials"
    assert "key" in error.message


def test_a_revoked_key(drive: DriveClient, fake_drive: FakeDrive) -> None:
    fake_drive.token_refusal = "Invalid JWT Signature."
    error = failure(drive)
    assert error.kind == "credentials"
    assert not fake_drive.drive_requests()


def test_the_sign_in_service_down(drive: DriveClient, fake_drive: FakeDrive) -> None:
    fake_drive.token_status = 503
    error = failure(drive)
    assert error.kind == "unavailable"
    assert "Google's sign-in service is having problems" in error.message


def test_retries_stop_at_the_deadline(fake_drive: FakeDrive, key_file: Path) -> None:
    drive = DriveClient(FOLDER_ID, str(key_file), endpoint=fake_drive.url, retries=10,
                        backoff=0.2, deadline=0.5)
    fake_drive.fail(500, times=20)
    assert failure(drive).kind == "unavailable"
    assert len(fake_drive.drive_requests()) <= 3  # waits of 0.1-0.2 s, then 0.2-0.4 s


@pytest.mark.parametrize(("content", "problem"), [
    (None, "no such file"),
    ("not json", "not a service-account key"),
    (json.dumps({"installed": {"client_id": "x"}}), "not a service-account key"),
])
def test_a_missing_or_invalid_key_file(tmp_path: Path, fake_drive: FakeDrive,
                                       content: str | None, problem: str) -> None:
    path = tmp_path / "key.json"
    if content is not None:
        path.write_text(content)
    drive = DriveClient(FOLDER_ID, str(path), endpoint=fake_drive.url)
    error = failure(drive)
    assert error.kind == "credentials"
    assert problem in error.message and str(path) in error.message
    assert "HINDSIGHT_GOOGLE_CREDENTIALS" in error.hint
    assert not fake_drive.requests


def test_not_configured() -> None:
    with pytest.raises(DriveError) as caught:
        DriveClient.from_config({"DRIVE_FOLDER_ID": FOLDER_ID})
    assert caught.value.kind == "not_configured"
    assert "HINDSIGHT_GOOGLE_CREDENTIALS" in caught.value.hint


def test_an_untrusted_certificate_is_refused(drive: DriveClient, fake_drive: FakeDrive,
                                             monkeypatch: pytest.MonkeyPatch,
                                             sleeps: list[float]) -> None:
    monkeypatch.delenv("HTTPLIB2_CA_CERTS")
    error = failure(drive)
    assert error.kind == "tls"
    assert sleeps == []  # no point retrying
    assert not fake_drive.files


def test_nobody_listening(key_file: Path, sleeps: list[float]) -> None:
    drive = DriveClient(FOLDER_ID, str(key_file), endpoint="https://127.0.0.1:9",
                        sleep=sleeps.append, retries=2)
    # The token endpoint is the fake, the API is not: every Drive call is refused.
    error = failure(drive)
    assert error.kind == "connection"
    assert len(sleeps) == 2


def test_from_config_reads_the_app_settings(fake_drive: FakeDrive, key_file: Path) -> None:
    drive = DriveClient.from_config({
        "DRIVE_FOLDER_ID": f" {FOLDER_ID} ", "GOOGLE_CREDENTIALS": str(key_file),
        "DRIVE_API_ENDPOINT": fake_drive.url, "DRIVE_TIMEOUT": "5", "DRIVE_RETRIES": "2",
    })
    assert (drive.folder_id, drive.timeout, drive.retries) == (FOLDER_ID, 5.0, 2)
    assert drive.service_account_email() == SERVICE_ACCOUNT


def test_api_base() -> None:
    assert api_base(None) is None
    assert api_base("https://proxy.example:8443") == "https://proxy.example:8443/drive/v3/"
    assert api_base("https://proxy.example/drive/v3") == "https://proxy.example/drive/v3/"
    with pytest.raises(DriveError):
        api_base("proxy.example")
