"""Exports from the editor (routes), from the command line, and the exports log."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from reports.exchange import from_document
from reports.exports_log import DRIVE, LOCAL
from services import get_exports, get_store
from tests.conftest import csrf_token_from

LOCAL_FORMATS = {
    "pdf": ("application/pdf", b"%PDF-"),
    "md": ("text/markdown; charset=utf-8", b"# Checkout"),
    "html": ("text/html; charset=utf-8", b"<!doctype html>"),
}


@pytest.fixture
def report_id(app: Flask, sample_document: dict[str, Any]) -> int:
    with app.app_context():
        return get_store().create(from_document(sample_document)).id


def shared(app: Flask) -> Path:
    return Path(app.config["SHARED_FOLDER"])


def export(client: FlaskClient, report_id: int, fmt: str, token: str) -> Any:
    return client.post(f"/reports/{report_id}/export/{fmt}", data={"csrf_token": token})


@pytest.mark.parametrize("fmt", sorted(LOCAL_FORMATS))
def test_export_writes_the_file_and_offers_it(
    app: Flask, client: FlaskClient, csrf_token: str, report_id: int, fmt: str
) -> None:
    response = export(client, report_id, fmt, csrf_token)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/reports/{report_id}")

    name = f"10.checkout.checkout-unavailable-for-eu-customers.{fmt}"
    written = shared(app) / "2026" / name
    mimetype, start = LOCAL_FORMATS[fmt]
    assert written.read_bytes().startswith(start)

    page = client.get(f"/reports/{report_id}").get_data(as_text=True)
    link = re.search(r'href="(/reports/\d+/exports/\d+/download)" download>' + re.escape(name),
                     page)
    assert link, "the notice links to the download"
    assert "is in the shared folder" in page
    assert "Exported files" in page

    download = client.get(link.group(1))
    assert download.status_code == 200
    assert download.headers["Content-Type"] == mimetype
    assert download.headers["Content-Disposition"] == f"attachment; filename={name}"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.data == written.read_bytes()


def test_export_needs_the_csrf_token(app: Flask, client: FlaskClient, report_id: int) -> None:
    response = client.post(f"/reports/{report_id}/export/pdf")
    assert response.status_code == 400
    assert not shared(app).exists() or not list(shared(app).rglob("*.pdf"))


def test_unknown_format_or_report_is_not_found(
    client: FlaskClient, csrf_token: str, report_id: int
) -> None:
    assert export(client, report_id, "exe", csrf_token).status_code == 404
    assert export(client, report_id, "..%2f..%2fetc", csrf_token).status_code == 404
    assert export(client, 9999, "md", csrf_token).status_code == 404
    assert client.get(f"/reports/{report_id}/export/md").status_code == 405


def test_export_takes_the_saved_version(
    app: Flask, client: FlaskClient, csrf_token: str, report_id: int,
    sample_document: dict[str, Any],
) -> None:
    with app.app_context():
        sample_document["apology"] = "A newer, saved apology."
        get_store().save(report_id, from_document(sample_document))
    export(client, report_id, "md", csrf_token)
    with app.app_context():
        record = get_exports().latest(report_id)[0]
    assert record.report_version == 2
    text = (shared(app) / record.location).read_text()
    assert "A newer, saved apology." in text


def test_re_export_after_a_new_title_leaves_one_file(
    app: Flask, client: FlaskClient, csrf_token: str, report_id: int,
    sample_document: dict[str, Any],
) -> None:
    export(client, report_id, "md", csrf_token)
    with app.app_context():
        sample_document["title"] = "Payments failed in the EU"
        get_store().save(report_id, from_document(sample_document))
    export(client, report_id, "md", csrf_token)
    export(client, report_id, "md", csrf_token)
    files = sorted(p.relative_to(shared(app)).as_posix() for p in shared(app).rglob("*.md")
                   if p.name != "index.md")  # the folder's own index is not an export
    assert files == ["2026/10.checkout.payments-failed-in-the-eu.md"]


def test_two_reports_with_the_same_name_keep_their_own_files(
    app: Flask, client: FlaskClient, csrf_token: str, report_id: int,
    sample_document: dict[str, Any],
) -> None:
    with app.app_context():
        twin = get_store().create(from_document(sample_document)).id
    export(client, report_id, "md", csrf_token)
    export(client, twin, "md", csrf_token)
    files = sorted(p.name for p in shared(app).rglob("*.md") if p.name != "index.md")
    assert files == [
        f"10.checkout.checkout-unavailable-for-eu-customers--r{twin}.md",
        "10.checkout.checkout-unavailable-for-eu-customers.md",
    ]


def test_download_serves_only_local_files_of_that_report(
    app: Flask, client: FlaskClient, csrf_token: str, report_id: int,
) -> None:
    export(client, report_id, "md", csrf_token)
    secret = shared(app).parent / "secret_key"
    with app.app_context():
        good = get_exports().latest(report_id)[0]
        log = get_exports()
        escaping = log.record(report_id=report_id, format="md", destination=LOCAL,
                              location="../secret_key", report_version=1)
        absolute = log.record(report_id=report_id, format="md", destination=LOCAL,
                              location=str(secret), report_version=1)
        drive = log.record(report_id=report_id, format="gdoc", destination=DRIVE,
                           location="drive-file-id", report_version=1,
                           link="https://docs.google.com/document/d/x")
        failed = log.record(report_id=report_id, format="md", destination=LOCAL, location="",
                            report_version=1, ok=False, message="disk full")
    base = f"/reports/{report_id}/exports"
    assert client.get(f"{base}/{good.id}/download").status_code == 200
    assert client.get(f"/reports/{report_id + 1}/exports/{good.id}/download").status_code == 404
    for record in (escaping, absolute, drive, failed):
        response = client.get(f"{base}/{record.id}/download")
        assert response.status_code == 404
        assert b"secret" not in response.data or b"%PDF" in response.data
    assert client.get(f"{base}/99999/download").status_code == 404

    (shared(app) / good.location).unlink()  # removed by hand since
    assert client.get(f"{base}/{good.id}/download").status_code == 404


def test_editor_lists_exported_files(
    client: FlaskClient, csrf_token: str, report_id: int
) -> None:
    page = client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert "Nothing exported yet." in page
    for fmt in ("md", "html"):
        export(client, report_id, fmt, csrf_token)
    page = client.get(f"/reports/{report_id}").get_data(as_text=True)
    panel = page[page.index('id="exports"'):]
    assert "Nothing exported yet." not in panel
    assert "Web page (HTML)" in panel and "Markdown" in panel
    assert "version 1" in panel
    assert panel.count("/download") >= 2
    form_token = csrf_token_from(panel)
    assert form_token
    for fmt in ("pdf", "md", "html"):
        assert f'formaction="/reports/{report_id}/export/{fmt}"' in panel


def test_a_failed_export_is_said_plainly_and_recorded(
    app: Flask, client: FlaskClient, csrf_token: str, report_id: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_space(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("exporters.folder.os.replace", no_space)
    response = export(client, report_id, "md", csrf_token)
    assert response.status_code == 303
    page = client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert "could not be written to the shared folder (No space left on device)" in page
    assert "This export failed." in page
    assert not list(shared(app).rglob("*.md")) and not list(shared(app).rglob("*.part"))


def test_cli_export_prints_the_path(app: Flask, report_id: int) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reports", "export", str(report_id), "--format", "md"])
    assert result.exit_code == 0, result.output
    path = Path(result.output.strip())
    assert path.is_file() and path.is_relative_to(shared(app).resolve())
    assert path.read_text().startswith("# Checkout unavailable for EU customers")

    default = runner.invoke(args=["reports", "export", str(report_id)])
    assert default.exit_code == 0, default.output
    assert Path(default.output.strip().splitlines()[0]).read_bytes().startswith(b"%PDF-")

    missing = runner.invoke(args=["reports", "export", "4242", "--format", "html"])
    assert missing.exit_code != 0 and "There is no report 4242." in missing.output
    wrong = runner.invoke(args=["reports", "export", str(report_id), "--format", "exe"])
    assert wrong.exit_code != 0


def test_exports_table_and_log(app: Flask, report_id: int) -> None:
    with app.app_context():
        log = get_exports()
        engine = log.engine
        columns = {c["name"] for c in sa.inspect(engine).get_columns("exports")}
        assert columns >= {"id", "report_id", "format", "destination", "location", "link",
                           "report_version", "created_at", "ok", "message"}
        first = log.record(report_id=report_id, format="pdf", destination=LOCAL,
                           location="2026/a.pdf", report_version=1)
        second = log.record(report_id=report_id, format="pdf", destination=LOCAL,
                            location="2026/b.pdf", report_version=2)
        log.record(report_id=report_id, format="pdf", destination=LOCAL, location="",
                   report_version=3, ok=False, message="boom")
        drive = log.record(report_id=report_id, format="gdoc", destination=DRIVE,
                           location="file-id", report_version=3, link="https://x.example/d")
        assert [r.id for r in log.for_report(report_id)][-2:] == [second.id, first.id]
        latest = log.latest(report_id)
        assert [(r.destination, r.format, r.ok) for r in latest] == [
            (DRIVE, "gdoc", True), (LOCAL, "pdf", False)]
        assert log.current_location(report_id, "pdf", LOCAL) == "2026/b.pdf"
        assert log.owner_of(LOCAL, "2026/b.pdf") == report_id
        assert log.owner_of(LOCAL, "2026/nobody.pdf") is None
        assert log.get(drive.id) == drive
        with pytest.raises(ValueError):
            log.record(report_id=report_id, format="pdf", destination="ftp", location="x",
                       report_version=1)
        with engine.begin() as connection:  # a report's exports go with it
            connection.execute(sa.text("DELETE FROM reports WHERE id = :id"), {"id": report_id})
        assert log.for_report(report_id) == []
