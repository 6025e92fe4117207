"""Figures in every export, and the report's files beside it in the shared folder.

A figure placed in the summary is drawn in the PDF (``pdfimages -list`` counts it), embedded in
the HTML export (one file, no outside reference), sent in the Google Doc's upload, placed in
the Word file, and linked from the Markdown file to the image in the report's folder beside it.
An internal-only image never reaches a client copy in any format; the shared folder holds the
report's files in ``YYYY/MM.service.event/`` and follows the report.
"""

from __future__ import annotations

import base64
import copy
import io
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document
from flask import Flask
from PIL import Image

from app import create_app
from exporters import FORMATS
from exporters.fetcher import AssetFetcher, RefusedURL
from exporters.gdrive import DOC_MIME
from reports.attachments import Attachment, AttachmentStore, export_figures, showing
from reports.exchange import from_document
from reports.model import CLIENT_COPY, INTERNAL_COPY
from services import export_saved_report, get_store, shared_folder
from tests import drive_fixtures
from tests.conftest import SAMPLE_DOCUMENT
from tests.drive_fixtures import FOLDER_ID
from tests.fake_drive import FakeDrive
from tests.row_edits import edit_row

drive_ca = drive_fixtures.drive_ca
signing_key = drive_fixtures.signing_key
trust_drive_ca = drive_fixtures.trust_drive_ca
fake_drive = drive_fixtures.fake_drive
key_file = drive_fixtures.key_file

CLIENT_COLOUR = (200, 30, 30)
INTERNAL_COLOUR = (20, 160, 40)


def png(colour: tuple[int, int, int], size: tuple[int, int] = (120, 80)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


class Files:
    """A report with a client figure and an internal one in its summary, and a client log."""

    def __init__(self, app: Flask):
        self.app = app
        with app.app_context():
            self.store = AttachmentStore(get_store().engine)
            stored = get_store().create(from_document(copy.deepcopy(SAMPLE_DOCUMENT)))
            self.report_id = stored.id
            self.figure = self.store.add(stored.id, "Errors per minute.png", png(CLIENT_COLOUR),
                                         caption="Errors per minute")
            self.internal = self.store.add(stored.id, "hosts.png", png(INTERNAL_COLOUR),
                                           internal=True, caption="Hosts")
            self.log = self.store.add(stored.id, "checkout.log", b"12:00 first error\n")
            self.internal_log = self.store.add(stored.id, "pager.log", b"paged night desk\n",
                                               internal=True)
            report = stored.report
            report.summary = (f"Payments failed.\n\n![Errors per minute](attachment:"
                              f"{self.figure.id})\n\nOn the hosts: ![Hosts](attachment:"
                              f"{self.internal.id})")
            get_store().save(stored.id, report, expected_version=stored.version)

    def render(self, fmt: str, copy: str = CLIENT_COPY) -> bytes:
        with self.app.app_context():
            stored = get_store().get(self.report_id)
            assert stored is not None
            with showing(export_figures(get_store().engine, self.report_id)):
                return FORMATS[fmt].render(stored.report, copy=copy)

    def data(self, attachment: Attachment) -> bytes:
        found = self.store.data(self.report_id, attachment.id)
        assert found is not None
        return found


@pytest.fixture
def files(app: Flask) -> Files:
    return Files(app)


def pdf_images(pdf: bytes, tmp_path: Path) -> list[tuple[int, int]]:
    """The images a PDF holds, as ``pdfimages -list`` lists them: (width, height) each."""
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True,
                             check=True).stdout.splitlines()[2:]
    return [(int(line.split()[3]), int(line.split()[4])) for line in listing if line.strip()]


def test_a_figure_in_the_summary_is_drawn_in_the_pdf(files: Files, tmp_path: Path) -> None:
    client = pdf_images(files.render("pdf"), tmp_path)
    internal = pdf_images(files.render("pdf", INTERNAL_COPY), tmp_path)
    assert client == [(120, 80)]  # the client's figure, and not the internal one
    assert internal == [(120, 80), (120, 80)]


def test_the_pdfs_figure_is_tagged_with_its_caption(files: Files) -> None:
    """PDF/UA: a screen reader reads the figure's caption (its /Alt)."""
    import pikepdf

    pdf = pikepdf.open(io.BytesIO(files.render("pdf")))
    found: list[str] = []

    def walk(element: object) -> None:
        if isinstance(element, pikepdf.Array):
            for child in element:
                walk(child)
        elif isinstance(element, pikepdf.Dictionary) and "/S" in element:
            if str(element.get("/S")) == "/Figure":
                found.append(str(element.get("/Alt")))
            walk(element.get("/K"))

    walk(pdf.Root.StructTreeRoot.get("/K"))
    assert found == ["Errors per minute"]


def test_the_pdf_fetcher_serves_only_this_reports_images(files: Files, app: Flask) -> None:
    with app.app_context():
        other = get_store().create(from_document(copy.deepcopy(SAMPLE_DOCUMENT)))
        foreign = files.store.add(other.id, "foreign.png", png((0, 0, 0)))
        fetcher = AssetFetcher()
        with showing(export_figures(get_store().engine, files.report_id)):
            served = fetcher.fetch(f"hindsight-attachment:{files.figure.id}")
            assert served.read() == files.data(files.figure)
            for url in (f"hindsight-attachment:{foreign.id}",
                        f"hindsight-attachment:{files.log.id}", "hindsight-attachment:99999",
                        "hindsight-attachment:../1", "file:///etc/passwd"):
                with pytest.raises(RefusedURL):
                    fetcher.fetch(url)
        with pytest.raises(RefusedURL):  # outside an export, no figure at all
            fetcher.fetch(f"hindsight-attachment:{files.figure.id}")


def test_the_html_export_embeds_the_figure_and_stays_one_file(files: Files) -> None:
    html = files.render("html").decode()
    sources = re.findall(r'<img class="figure" src="([^"]+)" alt="([^"]*)"', html)
    assert len(sources) == 1
    src, alt = sources[0]
    assert alt == "Errors per minute"
    assert src == "data:image/png;base64," + base64.b64encode(files.data(files.figure)).decode()
    assert "hindsight-attachment:" not in html and "/attachments/" not in html
    assert base64.b64encode(files.data(files.internal)).decode()[:200] not in html
    internal = files.render("html", INTERNAL_COPY).decode()
    assert internal.count('<img class="figure" src="data:image/png;base64,') == 2


def test_the_word_file_holds_the_figure(files: Files) -> None:
    client = Document(io.BytesIO(files.render("docx")))
    assert len(client.inline_shapes) == 1
    blob = client.inline_shapes[0]._inline.graphic.graphicData.pic.blipFill.blip.embed
    image = client.part.related_parts[blob].blob
    assert Image.open(io.BytesIO(image)).getpixel((5, 5)) == CLIENT_COLOUR
    described = client.inline_shapes[0]._inline.docPr.get("descr")
    assert described == "Errors per minute"
    internal = Document(io.BytesIO(files.render("docx", INTERNAL_COPY)))
    assert len(internal.inline_shapes) == 2


FOLDER = "10.checkout.checkout-unavailable-for-eu-customers"


def test_the_markdown_export_links_the_figure_in_the_reports_folder(files: Files) -> None:
    text = files.render("md").decode()
    assert f"![Errors per minute]({FOLDER}/errors-per-minute.png)" in text
    # The internal figure is not named in the client copy: its caption alone is left.
    assert "On the hosts: Hosts" in text
    assert "hosts.png" not in text and f"attachment:{files.internal.id}" not in text
    assert "attachment:" not in text and "<img" not in text

    internal = files.render("md", INTERNAL_COPY).decode()
    assert f"![Errors per minute]({FOLDER}/errors-per-minute.png)" in internal
    assert f"On the hosts: ![Hosts]({FOLDER}/internal/hosts.png)" in internal


def test_the_markdown_figure_shows_from_the_file_beside_it(files: Files, app: Flask) -> None:
    """Exported for real, each image address read from the Markdown file, as a viewer reads
    it, is a file in the shared folder holding the figure's bytes."""
    from markdown_it import MarkdownIt

    for copy_ in (CLIENT_COPY, INTERNAL_COPY):
        with app.app_context():
            outcome = export_saved_report(files.report_id, "md", copy_)
            root = shared_folder().root
        assert outcome is not None and outcome.local is not None
        page = MarkdownIt("commonmark").render(outcome.local.path.read_text())
        sources = re.findall(r'<img src="([^"]+)" alt="([^"]*)"', page)
        beside = outcome.local.path.parent
        found = {alt: (beside / src).read_bytes() for src, alt in sources}
        assert found["Errors per minute"] == files.data(files.figure)
        if copy_ == INTERNAL_COPY:
            assert found["Hosts"] == files.data(files.internal)
        else:
            assert set(found) == {"Errors per minute"}
        for src, _ in sources:
            assert (beside / src).resolve().is_relative_to(root)


def test_the_markdown_figure_follows_a_new_name(files: Files, app: Flask) -> None:
    with app.app_context():
        stored = get_store().get(files.report_id)
        assert stored is not None
        stored.report.title = "Card payments declined"
        get_store().save(files.report_id, stored.report, expected_version=stored.version)
        outcome = export_saved_report(files.report_id, "md")
    assert outcome is not None and outcome.local is not None
    text = outcome.local.path.read_text()
    assert "![Errors per minute](10.checkout.card-payments-declined/errors-per-minute.png)" in (
        text)
    assert (outcome.local.path.parent / "10.checkout.card-payments-declined"
            / "errors-per-minute.png").is_file()


def test_the_markdown_figure_follows_the_name_taken_when_its_own_is_in_use(
        files: Files, app: Flask) -> None:
    """Another report already holds this report's name: the file and its folder get the id
    form of the name, and the figure's address names that folder too."""
    with app.app_context():
        twin = get_store().create(from_document(copy.deepcopy(SAMPLE_DOCUMENT)))
        AttachmentStore(get_store().engine).add(twin.id, "Errors per minute.png",
                                                png(CLIENT_COLOUR))
        first = export_saved_report(twin.id, "md")  # takes the plain name first
        outcome = export_saved_report(files.report_id, "md")
    assert first is not None and first.local is not None
    assert outcome is not None and outcome.local is not None
    assert outcome.local.path.name != first.local.path.name
    text = outcome.local.path.read_text()
    addresses = re.findall(r"!\[Errors per minute\]\(([^)]+)\)", text)
    assert len(addresses) == 1
    assert addresses[0].split("/")[0] == outcome.local.path.name.removesuffix(".md")
    assert (outcome.local.path.parent / addresses[0]).read_bytes() == files.data(files.figure)


@pytest.mark.parametrize(("written", "expected"), [
    # Shown as code, not drawn: inline code and a code block keep the line as written.
    ("See `![Graph](attachment:{figure})` for the syntax.",
     "See `!\\[Graph](attachment:{figure})` for the syntax."),
    ("```\n![Graph](attachment:{figure})\n```", "```\n![Graph](attachment:{figure})\n```"),
    # Not one of this report's images: a log file, a number no file has.
    ("![The log](attachment:{log})", "The log"),
    ("![Lost](attachment:99999)", "Lost"),
    # In a table cell (a timeline event), the figure is placed too.
    ("![Errors per minute](attachment:{figure})",
     "![Errors per minute](" + FOLDER + "/errors-per-minute.png)"),
])
def test_the_markdown_export_places_only_real_figures(files: Files, app: Flask, written: str,
                                                     expected: str) -> None:
    values = {"figure": files.figure.id, "log": files.log.id}
    with app.app_context():
        stored = get_store().get(files.report_id)
        assert stored is not None
        stored.report.summary = written.format(**values)
        edit_row(stored.report, "timeline", 0,
                 description="Graph: " + written.format(**values))
        get_store().save(files.report_id, stored.report, expected_version=stored.version)
    text = files.render("md").decode()
    assert expected.format(**values) in text
    if "\n" not in written:
        assert "Graph: " + expected.format(**values) in text  # the timeline's table cell


# -- the Google Doc ------------------------------------------------------------------------------


@pytest.fixture
def drive_app(instance_path: Path, fake_drive: FakeDrive, key_file: Path) -> Iterator[Flask]:
    application = create_app({
        "INSTANCE_PATH": str(instance_path), "TESTING": True, "DRIVE_FOLDER_ID": FOLDER_ID,
        "GOOGLE_CREDENTIALS": str(key_file), "DRIVE_API_ENDPOINT": fake_drive.url,
        "DRIVE_TIMEOUT": 0.5, "DRIVE_RETRIES": 2, "DRIVE_BACKOFF": 0.01})
    yield application
    application.extensions["hindsight.store"].engine.dispose()


def test_the_google_doc_upload_carries_the_figure(drive_app: Flask,
                                                  fake_drive: FakeDrive) -> None:
    files = Files(drive_app)
    with drive_app.app_context():
        outcome = export_saved_report(files.report_id, "gdoc")
        assert outcome is not None and outcome.drive is not None and outcome.drive.ok
        export_saved_report(files.report_id, "gdoc", INTERNAL_COPY)
    docs = {f.name: f.text for f in fake_drive.files.values() if f.mime_type == DOC_MIME
            and "index" not in f.name.lower()}
    (client,) = [text for name, text in docs.items() if "(internal)" not in name]
    (internal,) = [text for name, text in docs.items() if "(internal)" in name]
    figure = base64.b64encode(files.data(files.figure)).decode()
    hidden = base64.b64encode(files.data(files.internal)).decode()
    assert f'src="data:image/png;base64,{figure}"' in client
    assert hidden not in client and "hindsight-attachment:" not in client
    assert f'src="data:image/png;base64,{hidden}"' in internal


# -- the shared folder ---------------------------------------------------------------------------


def _folder_files(app: Flask) -> dict[str, bytes]:
    with app.app_context():
        root = shared_folder().root
    return {str(path.relative_to(root)): path.read_bytes() for path in root.rglob("*")
            if path.is_file() and not path.name.startswith(".")}


def test_exporting_puts_the_files_beside_the_report(files: Files, app: Flask) -> None:
    with app.app_context():
        outcome = export_saved_report(files.report_id, "pdf")
    assert outcome is not None and outcome.local is not None
    location = outcome.local.record.location
    assert location == "2026/10.checkout.checkout-unavailable-for-eu-customers.pdf"
    stem = location.removesuffix(".pdf")
    found = _folder_files(app)
    assert found[f"{stem}/errors-per-minute.png"] == files.data(files.figure)
    assert found[f"{stem}/checkout.log"] == b"12:00 first error\n"
    assert not [name for name in found if "hosts" in name or "pager" in name]
    index = found["index.md"].decode()
    assert f"[File: errors-per-minute.png](<{stem}/errors-per-minute.png>)" in index
    assert f"(<{stem}/checkout.log>)" in index

    with app.app_context():
        export_saved_report(files.report_id, "pdf", INTERNAL_COPY)
    found = _folder_files(app)
    assert found[f"{stem}/internal/hosts.png"] == files.data(files.internal)
    assert found[f"{stem}/internal/pager.log"] == b"paged night desk\n"
    assert f'href="{stem}/internal/pager.log"' in found["index.html"].decode()

    # A file removed from the report, or made internal, leaves the folder at the next export.
    files.store.remove(files.report_id, files.log.id)
    files.store.remove(files.report_id, files.internal_log.id)
    files.store.update(files.report_id, files.figure.id, internal=True)
    with app.app_context():
        export_saved_report(files.report_id, "html")
    found = _folder_files(app)
    report_files = sorted(name for name in found if name.startswith(f"{stem}/"))
    assert report_files == [f"{stem}/internal/hosts.png"]


def test_the_files_folder_follows_a_new_name(files: Files, app: Flask) -> None:
    with app.app_context():
        export_saved_report(files.report_id, "md")
        stored = get_store().get(files.report_id)
        assert stored is not None
        stored.report.title = "Card payments declined"
        get_store().save(files.report_id, stored.report, expected_version=stored.version)
        outcome = export_saved_report(files.report_id, "md")
    assert outcome is not None and outcome.local is not None
    found = _folder_files(app)
    assert "2026/10.checkout.card-payments-declined/checkout.log" in found
    assert not [name for name in found if "checkout-unavailable" in name]


def test_a_report_without_files_makes_no_folder(app: Flask) -> None:
    with app.app_context():
        stored = get_store().create(from_document(copy.deepcopy(SAMPLE_DOCUMENT)))
        export_saved_report(stored.id, "md")
        root = shared_folder().root
    assert [p.name for p in (root / "2026").iterdir()] == [
        "10.checkout.checkout-unavailable-for-eu-customers.md"]
