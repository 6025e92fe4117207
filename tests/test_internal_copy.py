"""Internal notes kept out: the client copy of every export holds no trace of internal items.

One report carries internal items with unique marker strings. Its client copy, as PDF (read back
with pypdf and pdftotext), web page, Markdown and Google Doc (as the fake Drive received it),
must hold none of them, nor any "internal" wording; its internal copy holds them all and says
INTERNAL on every PDF page. Both copies sit side by side in the shared folder.
"""

from __future__ import annotations

import copy as copying
import io
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from app import create_app
from exporters.drive_publish import drive_name
from exporters.gdrive import DOC_MIME
from exporters.naming import export_names
from exporters.pdf import PdfExporter
from exporters.render import render_html, render_markdown_document
from exporters.viewmodel import build
from reports.exchange import from_document, to_document
from reports.exports_log import DRIVE, LOCAL
from reports.model import Report
from tests import drive_fixtures
from tests.conftest import SAMPLE_DOCUMENT, csrf_token_from
from tests.drive_fixtures import FOLDER_ID
from tests.export_samples import rich_document
from tests.fake_drive import FakeDrive
from tests.pages import exports_of, post_page, store_of

drive_ca = drive_fixtures.drive_ca
signing_key = drive_fixtures.signing_key
trust_drive_ca = drive_fixtures.trust_drive_ca
fake_drive = drive_fixtures.fake_drive
key_file = drive_fixtures.key_file

HOST = "SECRET-HOST-db7.internal"
VENDOR = "VENDOR-NAME-ACME"
VENDOR_TICKET = "VENDOR-TICKET-ACME-4471"
NIGHT_DESK = "MARKER-OWNER-NIGHT-DESK"
REVENUE = "MARKER-IMPACT-REVENUE-48K"
PAGER = "MARKER-LESSON-PAGER-GAP"
MARKERS = (HOST, VENDOR, VENDOR_TICKET, NIGHT_DESK, REVENUE, PAGER)
# Pieces of the markers that nothing else in the report holds: a marker a PDF's table cell broke
# over lines, mixed with its neighbours' lines by a text extractor, still shows as these.
PIECES = ("SECRET", "db7", "VENDOR", "ACME", "4471", "MARKER", "NIGHT-DESK", "48K", "PAGER")
PDF_NAME = "2026/10.checkout.checkout-unavailable-for-eu-customers.pdf"
INTERNAL_PDF_NAME = "2026/10.checkout.checkout-unavailable-for-eu-customers.internal.pdf"


def internal_document(base: dict[str, Any] | None = None) -> dict[str, Any]:
    """A report (the rich sample, 60 events, 3+ PDF pages) with an internal item of each kind.

    The internal factor sits between the two others and is a root cause; actions point at it,
    so the client copy must renumber factors and drop links to it.
    """
    document = copying.deepcopy(base or rich_document())
    document["timeline"].insert(2, {
        "id": "ev-internal", "at": document["timeline"][1]["at"], "kind": "mitigation",
        "contributing": True,
        "description": f"Restarted the primary on `{HOST}` by hand", "internal": True,
    })
    document["factors"].insert(1, {
        "id": "f-internal", "description": f"{VENDOR} firmware 3.1 drops connections under load",
        "root_cause": True, "internal": True,
    })
    for action in document["actions"]:  # the factor after the inserted one moved up by one
        action["addresses"] = [p + 1 if p >= 1 else p for p in action.get("addresses", [])]
    document["actions"][0]["addresses"] = [0, 1, 2]
    document["actions"][1]["addresses"] = [1]
    document["actions"].insert(1, {
        "id": "a-internal",
        "description": f"Escalate {VENDOR_TICKET} with the vendor's account manager",
        "owner": NIGHT_DESK, "priority": "high", "due": "2026-10-20",
        "ticket": f"https://vendor.example.com/tickets/{VENDOR_TICKET}",
        "status": "agreed", "addresses": [1], "internal": True,
    })
    document["impact"] = f"Lost revenue estimated at {REVENUE}."
    document["lessons"]["went_wrong"] = f"The {PAGER}: nobody owned the vendor escalation."
    document["internal_parts"] = ["impact", "lessons.went_wrong"]
    return document


def _joined(text: str) -> str:
    """Text without white space, so a marker broken over two lines of a PDF is still found."""
    return re.sub(r"\s+", "", text)


def assert_clean(text: str, where: str) -> None:
    """No marker, no piece of one, and no "internal" wording at all, in any case."""
    for marker in MARKERS:
        assert marker not in _joined(text), f"{marker} leaked into {where}"
    for piece in PIECES:
        assert piece not in text, f"{piece!r} (part of a marker) leaked into {where}"
    assert "internal" not in text.lower(), f"'internal' wording in {where}"


def assert_complete(text: str, where: str, *, whole: bool = True) -> None:
    """Every marker there; with ``whole=False``, every piece of every marker."""
    for marker in MARKERS if whole else PIECES:
        assert marker in _joined(text), f"{marker} missing from {where}"


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def visible(html: str) -> str:
    body = html[html.index("<body"):]
    return flat(re.sub(r"<[^>]+>", " ", body))


@pytest.fixture(scope="module")
def report() -> Report:
    return from_document(internal_document())


# -- the view-model and the HTML and Markdown documents ----------------------------------------


def test_client_copy_html_and_markdown_hold_no_internal_trace(report: Report) -> None:
    html = render_html(report)
    assert_clean(html, "the HTML (source, with its CSS)")
    assert_clean(render_html(report, for_pdf=True), "the HTML for the PDF")
    markdown = render_markdown_document(report)
    assert_clean(markdown, "the Markdown")
    # The parts left out are not announced either: no heading, no "not written yet".
    text = visible(html)
    for gone in ("Who was affected, and how", "What went wrong", "Not written yet"):
        assert gone not in text and gone not in markdown
    for kept in ("What went well", "Where we were lucky", "In short", "Our apology"):
        assert kept in text and kept in markdown


def test_client_copy_renumbers_factors_and_drops_links_to_left_out_ones(report: Report) -> None:
    view = build(report)
    assert [f.number for f in view.factors] == [1, 2]
    assert "routing table" in view.factors[0].description.markdown
    assert "release checklist" in view.factors[1].description.markdown
    first, second = view.actions[0], view.actions[1]
    assert first.addresses == "factors 1 and 2"
    assert second.addresses == ""  # it dealt only with the factor left out
    assert [a.number for a in view.actions] == list(range(1, len(report.actions)))
    assert all(a.addresses in ("", "factor 1", "factor 2", "factors 1 and 2")
               for a in view.actions)
    markdown = render_markdown_document(report)
    assert "factor 3" not in markdown and "factors 1, 2" not in markdown
    numbers = re.findall(r"^\| (\d+) \|", markdown, re.M)
    assert numbers == [str(n) for n in range(1, len(report.actions))]
    # The internal root cause is not the client's business: no "no root cause marked yet".
    assert "No root cause" not in markdown


def test_internal_copy_holds_everything_marked(report: Report) -> None:
    view = build(report, copy="internal")
    assert [f.number for f in view.factors] == [1, 2, 3]
    assert view.actions[0].addresses == "factors 1, 2 and 3"
    assert view.actions[1].internal and view.factors[1].internal
    html = render_html(report, copy="internal")
    markdown = render_markdown_document(report, copy="internal")
    assert_complete(html, "the internal HTML")
    assert_complete(markdown, "the internal Markdown")
    text = visible(html)
    assert "INTERNAL — not for clients" in text
    assert "INTERNAL — not for clients" in markdown
    # One tag per internal item: event, factor, action, and the two parts, plus the notice's.
    assert text.count("Internal") == 6
    assert markdown.count("**Internal**") + markdown.count("**Internal:**") == 6
    assert "<title>Checkout unavailable for EU customers (internal copy)</title>" in html


def test_a_list_or_lessons_wholly_internal_leave_no_heading_behind() -> None:
    document = copying.deepcopy(SAMPLE_DOCUMENT)
    for row in document["timeline"] + document["factors"]:
        row["internal"] = True
    document["internal_parts"] = ["lessons.went_well", "lessons.went_wrong", "lessons.lucky"]
    report = from_document(document)
    text = visible(render_html(report))
    for gone in ("Timeline", "What contributed", "What we learned", "No events recorded",
                 "No contributing factors", "No root cause"):
        assert gone not in text, gone
    assert "What we are doing about it" in text  # actions are not internal
    assert "What contributed" in visible(render_html(report, copy="internal"))


def test_a_report_without_internal_items_has_no_internal_wording(
    sample_document: dict[str, Any],
) -> None:
    report = from_document(sample_document)
    assert_clean(render_html(report, for_pdf=True), "a report with nothing internal")
    assert_clean(render_markdown_document(report), "a report with nothing internal")
    with pytest.raises(ValueError):
        build(report, copy="everyone")


# -- PDFs, read back --------------------------------------------------------------------------


class Pdf:
    def __init__(self, data: bytes, path: Path):
        path.write_bytes(data)
        self.path = path
        self.reader = PdfReader(io.BytesIO(data))
        self.pages = [flat(page.extract_text()) for page in self.reader.pages]
        layout = subprocess.run(
            ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
            check=True, capture_output=True, text=True, timeout=60,
        ).stdout
        self.poppler_pages = [flat(page) for page in layout.split("\f") if page.strip()]
        metadata = self.reader.metadata or {}
        self.metadata = " ".join(str(value) for value in metadata.values())


@pytest.fixture(scope="module")
def pdfs(report: Report, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Pdf]:
    folder = tmp_path_factory.mktemp("internal-pdfs")
    return {copy: Pdf(PdfExporter().render(report, copy=copy), folder / f"{copy}.pdf")
            for copy in ("client", "internal")}


def test_client_pdf_holds_no_internal_trace(pdfs: dict[str, Pdf]) -> None:
    client = pdfs["client"]
    assert len(client.pages) >= 3
    assert_clean(" ".join(client.pages), "the client PDF (pypdf)")
    assert_clean(" ".join(client.poppler_pages), "the client PDF (pdftotext)")
    assert_clean(client.metadata, "the client PDF's metadata")
    assert "Timeline" in client.pages[0] + client.pages[1]  # a real report, not an empty one


def test_internal_pdf_holds_everything_and_says_internal_on_every_page(
    pdfs: dict[str, Pdf],
) -> None:
    internal = pdfs["internal"]
    assert_complete(" ".join(internal.pages), "the internal PDF (pypdf)")
    # pdftotext -layout interleaves the lines of a table's cells: look for the pieces.
    assert_complete(" ".join(internal.poppler_pages), "the internal PDF (pdftotext)",
                    whole=False)
    assert len(internal.pages) >= 3 and len(internal.poppler_pages) == len(internal.pages)
    for number, (page, poppler_page) in enumerate(
        zip(internal.pages, internal.poppler_pages, strict=True), start=1
    ):
        assert "INTERNAL — NOT FOR CLIENTS" in page, f"page {number} (pypdf)"
        # pdftotext spells the letter-spaced mark out letter by letter.
        assert "INTERNAL—NOTFORCLIENTS" in _joined(poppler_page), f"page {number} (pdftotext)"
        assert "DRAFT" in page  # the draft mark keeps its own corner
    assert "INTERNAL — not for clients" in internal.pages[0]  # and in the title block


# -- the shared folder, from the page and the command line -------------------------------------


@pytest.fixture
def report_id(app: Flask) -> int:
    return store_of(app).create(from_document(internal_document())).id


def export(client: FlaskClient, report_id: int, fmt: str, copy: str | None = None) -> str:
    token = csrf_token_from(client.get(f"/reports/{report_id}").get_data(as_text=True))
    data = {"csrf_token": token, **({"copy": copy} if copy else {})}
    response = client.post(f"/reports/{report_id}/export/{fmt}", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_both_copies_land_side_by_side_with_names_that_tell_them_apart(
    app: Flask, client: FlaskClient, report_id: int,
) -> None:
    shared = Path(app.config["SHARED_FOLDER"])
    editor = export(client, report_id, "pdf")  # the default is the client copy
    assert 'value="client" checked' in editor
    assert "Client copy (internal items left out)" in editor
    assert "Internal copy (everything, marked INTERNAL)" in editor
    editor = export(client, report_id, "pdf", "internal")
    assert "Exported the internal copy as PDF" in editor
    assert INTERNAL_PDF_NAME.rsplit("/", 1)[1] in editor

    assert (shared / PDF_NAME).is_file() and (shared / INTERNAL_PDF_NAME).is_file()
    client_text = " ".join(flat(p.extract_text()) for p in PdfReader(shared / PDF_NAME).pages)
    assert_clean(client_text, "the exported client PDF")
    internal = PdfReader(shared / INTERNAL_PDF_NAME)
    assert all("INTERNAL" in page.extract_text() for page in internal.pages)

    # Re-exporting either copy replaces only its own file.
    before = (shared / INTERNAL_PDF_NAME).stat().st_mtime_ns
    export(client, report_id, "pdf", "client")
    assert (shared / INTERNAL_PDF_NAME).stat().st_mtime_ns == before
    export(client, report_id, "pdf", "internal")
    assert (shared / PDF_NAME).is_file()
    assert sorted(p.relative_to(shared).as_posix() for p in shared.rglob("*.pdf")) == sorted(
        [PDF_NAME, INTERNAL_PDF_NAME]
    )

    log = exports_of(app)
    assert log.current_location(report_id, "pdf", LOCAL) == PDF_NAME
    assert log.current_location(report_id, "pdf", LOCAL, "internal") == INTERNAL_PDF_NAME
    editor = client.get(f"/reports/{report_id}").get_data(as_text=True)
    panel = editor[editor.index('id="exports"'):]
    assert panel.count("<tr>") == 3  # the header, and one row per copy
    assert '<span class="tag tag-internal-copy">Internal</span>' in panel

    # The shared folder's own index lists both, labelled so nobody sends the wrong one.
    index = (shared / "index.html").read_text()
    assert f'href="{PDF_NAME}">PDF, client copy</a>' in index
    assert f'href="{INTERNAL_PDF_NAME}">PDF, INTERNAL copy, not for clients</a>' in index
    assert index.index("PDF, client copy") < index.index("PDF, INTERNAL copy")
    markdown_index = (shared / "index.md").read_text()
    assert "[PDF, INTERNAL copy, not for clients]" in markdown_index


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_web_page_and_markdown_copies(
    app: Flask, client: FlaskClient, report_id: int, fmt: str,
) -> None:
    shared = Path(app.config["SHARED_FOLDER"])
    export(client, report_id, fmt, "client")
    export(client, report_id, fmt, "internal")
    name = PDF_NAME.removesuffix(".pdf")
    assert_clean((shared / f"{name}.{fmt}").read_text(), f"the client {fmt} file")
    internal = (shared / f"{name}.internal.{fmt}").read_text()
    assert_complete(internal, f"the internal {fmt} file")
    assert "INTERNAL — not for clients" in internal


def test_an_unknown_copy_is_refused(app: Flask, client: FlaskClient, report_id: int) -> None:
    token = csrf_token_from(client.get(f"/reports/{report_id}").get_data(as_text=True))
    response = client.post(f"/reports/{report_id}/export/md",
                           data={"csrf_token": token, "copy": "everyone"})
    assert response.status_code == 400
    shared = Path(app.config["SHARED_FOLDER"])
    assert not shared.exists() or not list(shared.rglob("*.md"))


def test_stakeholders_view_is_the_client_copy(
    app: Flask, client: FlaskClient, report_id: int,
) -> None:
    export(client, report_id, "md", "internal")
    export(client, report_id, "md", "client")
    page = client.get(f"/reports/{report_id}/view").get_data(as_text=True)
    for marker in MARKERS:
        assert marker not in page
    assert ".internal.md" not in page and "(internal copy)" not in page
    assert "Markdown" in page  # the client copy is offered


def test_command_line_exports_either_copy(app: Flask, report_id: int) -> None:
    runner = app.test_cli_runner()
    client_copy = runner.invoke(args=["reports", "export", str(report_id), "--format", "md"])
    assert client_copy.exit_code == 0, client_copy.output
    assert client_copy.output.strip().endswith(PDF_NAME.replace(".pdf", ".md"))
    internal = runner.invoke(args=["reports", "export", str(report_id), "--format", "md",
                                   "--copy", "internal"])
    assert internal.exit_code == 0, internal.output
    path = Path(internal.output.strip())
    assert path.name.endswith(".internal.md") and path.is_file()
    assert_complete(path.read_text(), "the internal copy written from the command line")
    assert_clean(Path(client_copy.output.strip()).read_text(), "the client copy (CLI)")
    wrong = runner.invoke(args=["reports", "export", str(report_id), "--copy", "everyone"])
    assert wrong.exit_code != 0 and "everyone" in wrong.output


def test_file_names_keep_the_slug_rules_and_differ_by_copy() -> None:
    report = from_document(internal_document())
    client, internal = export_names(report, 7, "pdf"), export_names(report, 7, "pdf", "internal")
    assert client.preferred == PDF_NAME and internal.preferred == INTERNAL_PDF_NAME
    assert internal.with_id == PDF_NAME.replace(".pdf", "--r7.internal.pdf")
    hostile = Report(title="x.internal", service="../a.internal")
    assert export_names(hostile, 1, "md").preferred == "undated/a-internal.x-internal.md"
    with pytest.raises(ValueError):
        export_names(report, 7, "pdf", "../x")


# -- the Google Doc, as the fake Drive received it ----------------------------------------------


@pytest.fixture
def drive_app(instance_path: Path, fake_drive: FakeDrive, key_file: Path) -> Iterator[Flask]:
    application = create_app({
        "INSTANCE_PATH": str(instance_path), "TESTING": True, "DRIVE_FOLDER_ID": FOLDER_ID,
        "GOOGLE_CREDENTIALS": str(key_file), "DRIVE_API_ENDPOINT": fake_drive.url,
        "DRIVE_TIMEOUT": 0.5, "DRIVE_RETRIES": 2, "DRIVE_BACKOFF": 0.01,
    })
    yield application
    store_of(application).engine.dispose()


def test_google_doc_client_copy_holds_no_internal_trace(
    drive_app: Flask, fake_drive: FakeDrive,
) -> None:
    report = from_document(internal_document())
    report_id = store_of(drive_app).create(report).id
    client = drive_app.test_client()
    export(client, report_id, "gdoc")
    export(client, report_id, "gdoc", "internal")
    docs = {f.name: f for f in fake_drive.files.values()
            if f.mime_type == DOC_MIME and f.name != "Incident reports — index"}
    name = drive_name(report)
    assert sorted(docs) == sorted([name, f"{name} (internal)"])
    assert drive_name(report, copy="internal") == f"{name} (internal)"
    assert_clean(docs[name].text, "the HTML sent to Drive for the client Doc")
    assert_clean(name, "the client Doc's name")
    assert_complete(docs[f"{name} (internal)"].text, "the internal Doc")
    assert "INTERNAL — not for clients" in docs[f"{name} (internal)"].text

    # Each copy updates its own Doc: exporting again makes no third file.
    export(client, report_id, "gdoc")
    assert len([f for f in fake_drive.files.values() if f.mime_type == DOC_MIME]) == 3  # + index
    records = [r for r in exports_of(drive_app).for_report(report_id)
               if r.destination == DRIVE]
    assert {r.copy for r in records} == {"client", "internal"}

    # A PDF export with Drive set up sends each copy's PDF to Drive too, under its own name.
    export(client, report_id, "pdf", "internal")
    pdf_names = {f.name for f in fake_drive.files.values() if f.mime_type == "application/pdf"}
    assert pdf_names == {f"{name} (internal).pdf"}


# -- the form: checkboxes round-trip ------------------------------------------------------------


def ticked(page: str) -> set[str]:
    """The ids of the ticked checkboxes on a page."""
    tags = re.findall(r"<input\b[^>]*>", page)
    return {re.search(r'id="([^"]+)"', tag)[1] for tag in tags
            if re.search(r"\schecked\b", tag) and 'type="checkbox"' in tag}


def test_internal_checkboxes_round_trip_through_the_page(
    app: Flask, client: FlaskClient, csrf_token: str,
) -> None:
    url = client.post("/reports", data={"csrf_token": csrf_token}).headers["Location"]
    form = {
        "csrf_token": csrf_token, "title": "Payments failed", "timezone": "UTC",
        "impact": f"Lost {REVENUE}.", "impact_internal": "y",
        "went_wrong": PAGER, "went_wrong_internal": "y", "lucky": "Quiet day.",
        "timeline-0-at": "2026-10-03T09:05", "timeline-0-kind": "deploy",
        "timeline-0-description": "Release went live.",
        "timeline-1-at": "2026-10-03T09:30", "timeline-1-kind": "mitigation",
        "timeline-1-description": f"Restarted {HOST}.", "timeline-1-internal": "y",
        "factors-0-description": "Stale routing table.", "factors-0-root_cause": "y",
        "factors-1-description": f"{VENDOR} firmware.", "factors-1-internal": "y",
        "actions-0-description": f"Escalate {VENDOR_TICKET}.", "actions-0-internal": "y",
        "actions-0-status": "proposed", "actions-0-addresses-1": "y",
        "save": "1",
    }
    assert post_page(client, url, form).status_code == 303
    document = client.get(f"/api{url}").get_json()
    assert [e.get("internal", False) for e in document["timeline"]] == [False, True]
    assert [f.get("internal", False) for f in document["factors"]] == [False, True]
    assert document["actions"][0]["internal"] is True
    assert document["internal_parts"] == ["impact", "lessons.went_wrong"]

    page = client.get(url).get_data(as_text=True)
    ids = ticked(page)
    assert {"impact_internal", "went_wrong_internal", "timeline-1-internal",
            "factors-1-internal", "actions-0-internal"} <= ids
    assert not {"went_well_internal", "lucky_internal", "timeline-0-internal",
                "factors-0-internal"} & ids
    assert page.count("Internal only — left out of the client copy") >= 4 + 2 + 2 + 1
    assert page.count('<span class="tag tag-internal">Internal</span>') >= 5

    # Moving a row without JavaScript keeps its mark with it; unticking clears it.
    moved = {**form, "row_action": "up:factors:1"}
    moved.pop("save")
    response = post_page(client, url, moved)
    response = client.get(response.headers["Location"])
    assert response.status_code == 200
    ids = ticked(response.get_data(as_text=True))
    assert "factors-0-internal" in ids and "factors-1-internal" not in ids
    cleared = {k: v for k, v in form.items() if not k.endswith("internal")}
    assert post_page(client, url, cleared).status_code == 303
    document = client.get(f"/api{url}").get_json()
    assert "internal_parts" not in document
    assert not any(row.get("internal") for key in ("timeline", "factors", "actions")
                   for row in document[key])


def test_the_api_takes_and_gives_internal_items(client: FlaskClient) -> None:
    document = internal_document(SAMPLE_DOCUMENT)
    created = client.post("/api/reports", json=document)
    assert created.status_code == 201, created.get_json()
    stored = client.get(f"/api/reports/{created.get_json()['id']}").get_json()
    for key in ("timeline", "factors", "actions", "internal_parts"):
        assert stored[key] == document[key]
    assert to_document(from_document(document)) == document
    refused = client.post("/api/reports", json={**document, "internal_parts": ["apology"]})
    assert refused.status_code == 400
