"""A report's files: stored safely, served safely, to the right people only, within limits,
kept by backups; internal-only files never reach a viewer or a client copy."""

from __future__ import annotations

import copy
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from app import create_app
from exporters.render import render_html
from reports.attachments import (
    AttachmentError,
    AttachmentStore,
    Limits,
    export_figures,
    plain_name,
    prepare,
    showing,
)
from reports.backup import backup, restore
from reports.exchange import from_document
from reports.model import CLIENT_COPY, INTERNAL_COPY
from services import get_store
from tests.conftest import SAMPLE_DOCUMENT
from tests.people import EVERYONE, Person, refused, sign_in
from tests.route_fixtures import Populated, populated_app

READERS = set(EVERYONE) - {"no_one", "outside_viewer"}
SEE_INTERNAL = {"team_author", "other_author", "reviewer"}
API_HEADERS = {"X-Requested-With": "test"}


def png(width: int = 40, height: int = 30, colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    """A photo as a phone takes it: EXIF with a camera and a GPS position."""
    image = Image.new("RGB", (64, 48), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 12"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (52.0, 22.0, 7.5)
    gps[3] = "E"
    gps[4] = (4.0, 53.0, 11.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825), "the test photo has no GPS"
    return data


def new_app(tmp_path: Path, **config: Any) -> Flask:
    return create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True,
                       "WTF_CSRF_ENABLED": False, **config})


def new_report(app: Flask, status: str = "draft") -> int:
    document = copy.deepcopy(SAMPLE_DOCUMENT)
    with app.app_context():
        stored = get_store().create(from_document(document))
        if status == "published":
            # published through the store, as a report that went through review would be
            report = stored.report
            report.status = "published"
            get_store().save(stored.id, report, expected_version=stored.version)
        return stored.id


def store_of(app: Flask) -> AttachmentStore:
    with app.app_context():
        return AttachmentStore(get_store().engine)


def api_upload(client: FlaskClient, report_id: int, name: str, data: bytes,
               **fields: str) -> Any:
    return client.post(f"/api/reports/{report_id}/attachments", headers=API_HEADERS,
                       data={"file": (io.BytesIO(data), name), **fields},
                       content_type="multipart/form-data")


# -- what is stored ------------------------------------------------------------------------------


def test_a_name_is_never_a_path() -> None:
    assert plain_name("../../etc/passwd") == "passwd"
    assert plain_name("..\\..\\windows\\win.ini") == "win.ini"
    assert plain_name("/etc/shadow") == "shadow"
    assert plain_name("") == "file"
    assert plain_name("..") == "file"
    assert plain_name("a\x00b\u202e.txt") == "ab.txt"
    long = plain_name("x" * 400 + ".log")
    assert len(long) <= 150 and long.endswith(".log")


def test_etc_passwd_is_stored_harmlessly_and_served_as_a_download(tmp_path: Path) -> None:
    app = new_app(tmp_path)
    report_id = new_report(app)
    client = app.test_client()
    answer = api_upload(client, report_id, "../../etc/passwd.txt", b"root:x:0:0\n")
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["name"] == "passwd.txt"
    no_extension = api_upload(client, report_id, "../../etc/passwd", b"root:x:0:0\n")
    assert no_extension.status_code == 400
    assert "not a kind of file" in no_extension.get_json()["error"]
    download = client.get(f"/reports/{report_id}/attachments/{answer.get_json()['id']}")
    assert download.data == b"root:x:0:0\n"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "passwd.txt" in download.headers["Content-Disposition"]
    assert "/" not in download.headers["Content-Disposition"].split("filename=")[1]


def test_gps_and_camera_metadata_are_stripped_from_a_photo() -> None:
    prepared = prepare("holiday.jpeg", jpeg_with_gps())
    image = Image.open(io.BytesIO(prepared.data))
    assert image.format == "JPEG"
    assert prepared.name == "holiday.jpg"
    exif = image.getexif()
    assert not exif.get_ifd(0x8825)
    assert 0x010F not in exif and 0x0110 not in exif
    assert b"PhoneMaker" not in prepared.data
    assert (prepared.width, prepared.height) == (64, 48)


def test_an_image_that_is_html_is_refused_as_an_image() -> None:
    with pytest.raises(AttachmentError, match="not a PNG, JPEG, WebP or GIF"):
        prepare("x.png", b"<html><script>alert(1)</script></html>")
    with pytest.raises(AttachmentError, match="not a PNG"):
        prepare("chart.gif", b"GIF89a" + b"\0" * 5)  # a broken image


def test_an_image_is_stored_in_the_format_it_really_is() -> None:
    prepared = prepare("graph.jpg", png())  # a PNG named .jpg
    assert prepared.mimetype == "image/png" and prepared.name == "graph.png"


def test_svg_and_other_kinds_are_refused_with_a_reason() -> None:
    with pytest.raises(AttachmentError, match="SVG"):
        prepare("chart.svg", b"<svg onload='alert(1)'/>")
    with pytest.raises(AttachmentError, match="not a kind of file"):
        prepare("tool.exe", b"MZ")
    with pytest.raises(AttachmentError, match="does not look like a PDF"):
        prepare("notes.pdf", b"<html>")
    with pytest.raises(AttachmentError, match="not a text file"):
        prepare("app.log", b"\x00\x01\x02")
    with pytest.raises(AttachmentError, match="empty"):
        prepare("app.log", b"")


def test_huge_images_are_scaled_down_and_kept_within_bounds() -> None:
    prepared = prepare("wide.png", png(5000, 100))
    assert prepared.width == 4000 and prepared.height == 80


def test_every_accepted_kind_is_stored(tmp_path: Path) -> None:
    app = new_app(tmp_path)
    report_id = new_report(app)
    client = app.test_client()
    webp, gif = io.BytesIO(), io.BytesIO()
    Image.new("RGBA", (8, 8)).save(webp, format="WEBP")
    Image.new("P", (8, 8)).save(gif, format="GIF")
    files = {"a.webp": webp.getvalue(), "b.gif": gif.getvalue(), "c.csv": b"t,errors\n1,2\n",
             "d.eml": b"From: a@example.com\n\nHello", "e.pdf": b"%PDF-1.4\n", "f.log": b"x"}
    types = {}
    for name, data in files.items():
        answer = api_upload(client, report_id, name, data)
        assert answer.status_code == 201, (name, answer.get_json())
        types[name] = answer.get_json()["type"]
    assert types == {"a.webp": "image/webp", "b.gif": "image/gif", "c.csv": "text/csv",
                     "d.eml": "message/rfc822", "e.pdf": "application/pdf", "f.log": "text/plain"}


# -- the API and downloads -----------------------------------------------------------------------


def test_the_api_adds_lists_and_serves_a_file(tmp_path: Path) -> None:
    app = new_app(tmp_path)
    report_id = new_report(app)
    client = app.test_client()
    answer = api_upload(client, report_id, "errors.png", png(), caption="Errors per minute",
                        internal="false")
    assert answer.status_code == 201
    body = answer.get_json()
    assert set(body) == {"id", "name", "type", "size", "caption", "internal"}
    assert body["name"] == "errors.png" and body["type"] == "image/png"
    assert body["caption"] == "Errors per minute" and body["internal"] is False
    listed = client.get(f"/api/reports/{report_id}/attachments").get_json()["attachments"]
    assert [a["id"] for a in listed] == [body["id"]]
    image = client.get(listed[0]["url"])
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.headers["Content-Disposition"].startswith("inline;")
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert Image.open(io.BytesIO(image.data)).size == (40, 30)
    log = api_upload(client, report_id, "app.log", b"<script>alert(1)</script>")
    served = client.get(f"/reports/{report_id}/attachments/{log.get_json()['id']}")
    assert served.headers["Content-Disposition"].startswith("attachment;")
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.mimetype == "text/plain"
    assert "sandbox" in served.headers["Content-Security-Policy"]


def test_the_api_upload_needs_a_header_no_form_can_send(tmp_path: Path) -> None:
    """CSRF: a cross-site form can post multipart, but cannot add a header."""
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True})
    report_id = new_report(app)
    client = app.test_client()
    refused_upload = client.post(f"/api/reports/{report_id}/attachments",
                                 data={"file": (io.BytesIO(png()), "x.png")},
                                 content_type="multipart/form-data")
    assert refused_upload.status_code == 400
    assert "X-Requested-With" in refused_upload.get_json()["error"]
    other_site = client.post(f"/api/reports/{report_id}/attachments",
                             headers={**API_HEADERS, "Origin": "https://evil.example"},
                             data={"file": (io.BytesIO(png()), "x.png")},
                             content_type="multipart/form-data")
    assert other_site.status_code == 403
    assert store_of(app).files(report_id) == []
    # The page's form, unlike the API, needs the CSRF token.
    no_token = client.post(f"/reports/{report_id}/attachments",
                           data={"file": (io.BytesIO(png()), "x.png")},
                           content_type="multipart/form-data")
    assert no_token.status_code == 400
    assert store_of(app).files(report_id) == []


def test_a_published_report_refuses_new_and_changed_files(tmp_path: Path) -> None:
    app = new_app(tmp_path)
    report_id = new_report(app)
    client = app.test_client()
    kept = api_upload(client, report_id, "a.txt", b"a").get_json()["id"]
    with app.app_context():
        stored = get_store().get(report_id)
        assert stored is not None
        stored.report.status = "published"
        get_store().save(report_id, stored.report, expected_version=stored.version)
    answer = api_upload(client, report_id, "b.txt", b"b")
    assert answer.status_code == 409 and "Reopen it first" in answer.get_json()["error"]
    removed = client.post(f"/reports/{report_id}/attachments/{kept}/remove")
    assert removed.status_code == 303
    assert [a.id for a in store_of(app).files(report_id)] == [kept]
    changed = client.post(f"/reports/{report_id}/attachments/{kept}", data={"caption": "new"})
    assert changed.status_code == 303
    assert store_of(app).files(report_id)[0].caption == ""
    assert client.get(f"/reports/{report_id}/attachments/{kept}").status_code == 200


def test_the_page_adds_changes_and_removes_a_file_without_javascript(tmp_path: Path) -> None:
    app = new_app(tmp_path)
    report_id = new_report(app)
    client = app.test_client()
    page = client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'id="attachment-file"' in page
    added = client.post(f"/reports/{report_id}/attachments",
                        data={"file": (io.BytesIO(png()), "errors.png"), "caption": "Errors",
                              "internal": "1"},
                        content_type="multipart/form-data")
    assert added.status_code == 303 and added.location.endswith("#attachments")
    (stored,) = store_of(app).files(report_id)
    assert stored.caption == "Errors" and stored.internal
    page = client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert "“errors.png” is added to the report." in page
    assert f"![Errors](attachment:{stored.id})" in page
    client.post(f"/reports/{report_id}/attachments/{stored.id}", data={"caption": "Per minute"})
    (changed,) = store_of(app).files(report_id)
    assert changed.caption == "Per minute" and not changed.internal
    client.post(f"/reports/{report_id}/attachments/{stored.id}/remove")
    assert store_of(app).files(report_id) == []


def test_a_refused_file_is_explained_next_to_the_field_and_at_the_top(tmp_path: Path) -> None:
    app = new_app(tmp_path)
    report_id = new_report(app)
    client = app.test_client()
    answer = client.post(f"/reports/{report_id}/attachments",
                         data={"file": (io.BytesIO(b"<html>"), "x.png")},
                         content_type="multipart/form-data", follow_redirects=True)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert page.count("is not a PNG, JPEG, WebP or GIF image") == 2  # the top and the field
    assert 'aria-invalid="true"' in page
    nothing = client.post(f"/reports/{report_id}/attachments", data={"caption": "x"},
                          follow_redirects=True)
    assert "Choose a file to add." in nothing.get_data(as_text=True)


# -- limits --------------------------------------------------------------------------------------


def test_a_file_over_the_limit_is_refused_with_the_limit_named(tmp_path: Path) -> None:
    app = new_app(tmp_path, MAX_ATTACHMENT_MB=1, MAX_REPORT_ATTACHMENTS_MB=2)
    report_id = new_report(app)
    client = app.test_client()
    big = b"x" * (1024 * 1024 + 10)
    answer = api_upload(client, report_id, "big.log", big)
    assert answer.status_code == 413
    assert "at most 1 MB" in answer.get_json()["error"]
    page = client.post(f"/reports/{report_id}/attachments",
                       data={"file": (io.BytesIO(b"x" * (2 * 1024 * 1024)), "big.log")},
                       content_type="multipart/form-data", follow_redirects=True)
    assert "at most 1 MB" in page.get_data(as_text=True)
    assert store_of(app).files(report_id) == []


def test_a_file_of_the_allowed_size_gets_past_the_request_limit(tmp_path: Path) -> None:
    """The app's own request limit (a report's text, 4 MB) does not stop a 10 MB file."""
    app = new_app(tmp_path)
    report_id = new_report(app)
    answer = api_upload(app.test_client(), report_id, "big.log", b"y" * (10 * 1024 * 1024 - 10))
    assert answer.status_code == 201, answer.get_json()


def test_a_report_over_its_total_is_refused(tmp_path: Path) -> None:
    app = new_app(tmp_path, MAX_ATTACHMENT_MB=1, MAX_REPORT_ATTACHMENTS_MB=2)
    report_id = new_report(app)
    client = app.test_client()
    part = b"z" * (900 * 1024)
    assert api_upload(client, report_id, "1.log", part).status_code == 201
    assert api_upload(client, report_id, "2.log", part).status_code == 201
    answer = api_upload(client, report_id, "3.log", part)
    assert answer.status_code == 413
    assert "at most 2 MB" in answer.get_json()["error"]
    assert len(store_of(app).files(report_id)) == 2


def test_a_limit_that_is_not_a_number_stops_the_app(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="HINDSIGHT_MAX_ATTACHMENT_MB"):
        new_app(tmp_path, MAX_ATTACHMENT_MB="ten")


def test_the_store_checks_limits_itself(tmp_path: Path) -> None:
    app = new_app(tmp_path)
    report_id = new_report(app)
    with app.app_context():
        store = AttachmentStore(get_store().engine, Limits(100, 150))
    with pytest.raises(AttachmentError, match="at most 1 KB"):
        store.add(report_id, "a.log", b"a" * 101)
    store.add(report_id, "a.log", b"a" * 100)
    with pytest.raises(AttachmentError):
        store.add(report_id, "b.log", b"b" * 100)


# -- who may do what -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def populated(tmp_path_factory: pytest.TempPathFactory) -> Populated:
    return populated_app(tmp_path_factory.mktemp("people"))


def _files(populated: Populated) -> tuple[int, int]:
    """The acme report's client file and internal file (made by route_fixtures)."""
    files = store_of(populated.app).files(populated.acme)
    client_file = next(a.id for a in files if not a.internal)
    internal_file = next(a.id for a in files if a.internal)
    return client_file, internal_file


def test_every_kind_of_person_reads_what_they_may_and_no_more(populated: Populated) -> None:
    client_file, internal_file = _files(populated)
    acme = populated.acme
    for name in EVERYONE:
        person: Person = sign_in(populated.app, name)
        listing = person.get(f"/api/reports/{acme}/attachments")
        download = person.get(f"/reports/{acme}/attachments/{client_file}")
        internal = person.get(f"/reports/{acme}/attachments/{internal_file}")
        if name not in READERS:
            assert refused(person, listing) and refused(person, download), name
            continue
        ids = {a["id"] for a in listing.get_json()["attachments"]}
        assert download.status_code == 200, name
        if name in SEE_INTERNAL:
            assert ids == {client_file, internal_file}, name
            assert internal.status_code == 200, name
        else:
            assert ids == {client_file}, name
            assert internal.status_code == 404, name
            assert "internal-evidence" not in listing.get_data(as_text=True)


def test_only_the_reports_authors_add_or_remove_files(populated: Populated) -> None:
    client_file, _ = _files(populated)
    acme = populated.acme
    for name in EVERYONE:
        person = sign_in(populated.app, name)
        answer = person.client.post(
            f"/api/reports/{acme}/attachments", base_url="https://localhost",
            headers=API_HEADERS, data={"file": (io.BytesIO(b"x"), f"{name}.txt")},
            content_type="multipart/form-data")
        removal = person.post(f"/reports/{acme}/attachments/{client_file}/remove")
        if name == "team_author":
            assert answer.status_code == 201
            continue
        assert refused(person, answer), (name, answer.status_code)
        assert refused(person, removal), (name, removal.status_code)
    names = {a.name for a in store_of(populated.app).files(acme)}
    assert names & {f"{n}.txt" for n in EVERYONE} == {"team_author.txt"}


def test_a_file_of_another_report_is_not_found_through_this_one(populated: Populated) -> None:
    client_file, _ = _files(populated)
    person = sign_in(populated.app, "team_author")
    assert person.get(f"/reports/{populated.globex}/attachments/{client_file}").status_code in (
        403, 404)
    author = sign_in(populated.app, "other_author")
    assert author.get(f"/reports/{populated.globex}/attachments/{client_file}"
                      ).status_code == 404


# -- figures and client copies -------------------------------------------------------------------


def test_internal_figures_never_reach_a_client_copy(tmp_path: Path) -> None:
    app = new_app(tmp_path)
    report_id = new_report(app)
    store = store_of(app)
    shown = store.add(report_id, "shown.png", png(colour=(1, 2, 3)))
    hidden = store.add(report_id, "hidden.png", png(colour=(4, 5, 6)), internal=True,
                       caption="internal-evidence")
    with app.app_context():
        stored = get_store().get(report_id)
        assert stored is not None
        report = stored.report
        report.summary = (f"Look: ![Errors](attachment:{shown.id}) and "
                          f"![Hosts](attachment:{hidden.id})")
        with showing(export_figures(get_store().engine, report_id)):
            client_html = render_html(report, copy=CLIENT_COPY)
            internal_html = render_html(report, copy=INTERNAL_COPY)
    assert f"hindsight-attachment:{shown.id}" in client_html
    assert f"hindsight-attachment:{hidden.id}" not in client_html
    assert "internal-evidence" not in client_html
    assert f"hindsight-attachment:{hidden.id}" in internal_html


def test_the_stakeholders_page_shows_figures_of_the_client_copy_only(tmp_path: Path) -> None:
    app = new_app(tmp_path)
    report_id = new_report(app)
    store = store_of(app)
    shown = store.add(report_id, "shown.png", png())
    hidden = store.add(report_id, "hidden.png", png(), internal=True)
    other_report = new_report(app)
    foreign = store.add(other_report, "foreign.png", png())
    with app.app_context():
        stored = get_store().get(report_id)
        assert stored is not None
        stored.report.summary = (f"![Errors](attachment:{shown.id}) ![Hosts](attachment:"
                                 f"{hidden.id}) ![Other](attachment:{foreign.id})")
        get_store().save(report_id, stored.report, expected_version=stored.version)
    page = app.test_client().get(f"/reports/{report_id}/view").get_data(as_text=True)
    assert f'src="/reports/{report_id}/attachments/{shown.id}" alt="Errors"' in page
    assert f"/attachments/{hidden.id}" not in page
    assert f"/attachments/{foreign.id}" not in page


def test_an_image_the_text_names_without_a_file_shows_its_caption_only(tmp_path: Path) -> None:
    app = new_app(tmp_path)
    report_id = new_report(app)
    with app.app_context():
        stored = get_store().get(report_id)
        assert stored is not None
        stored.report.summary = "![Missing graph](attachment:999) ![x](http://example.com/a.png)"
        with showing(export_figures(get_store().engine, report_id)):
            html = render_html(stored.report)
    assert "Missing graph" in html
    assert "<img class=\"figure\"" not in html and "example.com/a.png\"" not in html.split(
        "<body")[1].split("href")[0]


# -- backups -------------------------------------------------------------------------------------


def test_backup_and_restore_keep_the_files(tmp_path: Path,
                                          new_database: Callable[[], str]) -> None:
    app = new_app(tmp_path / "one")
    report_id = new_report(app)
    store = store_of(app)
    photo = store.add(report_id, "photo.jpg", jpeg_with_gps(), caption="The rack")
    log = store.add(report_id, "app.log", b"12:00 error\n", internal=True)
    same = store.add(report_id, "copy.log", b"12:00 error\n")
    folder = tmp_path / "backup"
    with app.app_context():
        backup(get_store(), folder, app.config["SECRET_KEY"])
    assert len(list((folder / "attachments").iterdir())) == 2  # one file per content
    target = new_app(tmp_path / "two", SECRET_KEY=app.config["SECRET_KEY"],
                     DATABASE_URL=new_database())
    with target.app_context():
        restore(get_store(), folder, target.config["SECRET_KEY"])
    restored = {a.id: a for a in store_of(target).files(report_id)}
    assert set(restored) == {photo.id, log.id, same.id}
    assert restored[photo.id].caption == "The rack" and restored[log.id].internal
    assert store_of(target).data(report_id, log.id) == b"12:00 error\n"
    assert store_of(target).data(report_id, photo.id) == store.data(report_id, photo.id)


def test_a_changed_file_in_a_backup_is_refused(tmp_path: Path,
                                               new_database: Callable[[], str]) -> None:
    from reports.backup import BackupError

    app = new_app(tmp_path / "one")
    report_id = new_report(app)
    store_of(app).add(report_id, "app.log", b"original\n")
    folder = tmp_path / "backup"
    with app.app_context():
        backup(get_store(), folder, app.config["SECRET_KEY"])
    (stored_file,) = (folder / "attachments").iterdir()
    stored_file.write_bytes(b"changed\n")
    target = new_app(tmp_path / "two", SECRET_KEY=app.config["SECRET_KEY"],
                     DATABASE_URL=new_database())
    with target.app_context(), pytest.raises(BackupError, match="checksum"):
        restore(get_store(), folder, target.config["SECRET_KEY"])


def test_restoring_as_new_keeps_the_figures_in_the_text(tmp_path: Path) -> None:
    app = new_app(tmp_path / "one")
    report_id = new_report(app)
    figure = store_of(app).add(report_id, "a.png", png())
    with app.app_context():
        stored = get_store().get(report_id)
        assert stored is not None
        stored.report.summary = f"See ![Errors](attachment:{figure.id})."
        get_store().save(report_id, stored.report, expected_version=stored.version)
        backup(get_store(), tmp_path / "backup", app.config["SECRET_KEY"])
        result = restore(get_store(), tmp_path / "backup", app.config["SECRET_KEY"], as_new=True)
        new_id = result.ids[report_id]
        (copied,) = AttachmentStore(get_store().engine).files(new_id)
        restored = get_store().get(new_id)
        assert restored is not None
    assert copied.id != figure.id
    assert restored.report.summary == f"See ![Errors](attachment:{copied.id})."


def test_two_uploads_at_once_cannot_both_pass_the_reports_limit(tmp_path: Path) -> None:
    import threading

    app = new_app(tmp_path)
    report_id = new_report(app)
    with app.app_context():
        store = AttachmentStore(get_store().engine, Limits(1000, 1500))
    results: list[str] = []
    start = threading.Barrier(4)

    def add(number: int) -> None:
        start.wait()
        try:
            store.add(report_id, f"{number}.log", b"x" * 800)
            results.append("added")
        except AttachmentError as error:
            results.append(f"refused {error.status}")

    threads = [threading.Thread(target=add, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["added"] + ["refused 413"] * 3
    assert store.total_size(report_id) == 800
