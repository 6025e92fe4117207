"""PDF exports read back with pypdf and pdftotext: content, order, pages, metadata, tags."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from exporters.pdf import PdfExporter
from reports.exchange import from_document
from reports.model import Report
from tests.export_samples import (
    ACTION_ROWS,
    TIMELINE_ROWS,
    empty_document,
    hostile_document,
    owner,
    rich_document,
    timeline_text,
)

HEADINGS = [
    "1. Our apology",
    "2. What happened",
    "In short",
    "Who was affected, and how",
    "Timeline",
    "What contributed",
    "What we learned",
    "3. What we are doing about it",
    "Follow-up review",
]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def pdftotext(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
        check=True, capture_output=True, text=True, timeout=60,
    ).stdout


def assert_in_order(text: str, needles: list[str]) -> None:
    position = 0
    for needle in needles:
        found = text.find(needle, position)
        assert found >= 0, f"{needle!r} missing, or out of order, after position {position}"
        position = found + len(needle)


class Exported:
    def __init__(self, report: Report, folder: Path, name: str):
        self.report = report
        self.pdf = PdfExporter().render(report)
        self.path = folder / f"{name}.pdf"
        self.path.write_bytes(self.pdf)
        self.reader = PdfReader(io.BytesIO(self.pdf))
        self.pages = [flat(page.extract_text()) for page in self.reader.pages]
        self.pypdf_text = " ".join(self.pages)
        self.layout_text = pdftotext(self.path)
        self.poppler_text = flat(self.layout_text)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pdfs")


@pytest.fixture(scope="module")
def rich(folder: Path) -> Exported:
    return Exported(from_document(rich_document()), folder, "rich")


@pytest.fixture(scope="module")
def empty(folder: Path) -> Exported:
    return Exported(from_document(empty_document()), folder, "empty")


@pytest.fixture(scope="module")
def hostile(folder: Path) -> Exported:
    return Exported(from_document(hostile_document(9)), folder, "hostile")


def test_rich_report_has_every_heading_row_and_owner_in_order(rich: Exported) -> None:
    for text in (rich.pypdf_text, rich.poppler_text):
        assert_in_order(text, HEADINGS)
        assert_in_order(text, [timeline_text(i) for i in range(TIMELINE_ROWS)])
        assert_in_order(text, [owner(i) for i in range(ACTION_ROWS)])
        assert_in_order(text, ["Our apology", timeline_text(0), owner(0), "Follow-up review"])


def test_rich_report_title_block_and_marks(rich: Exported) -> None:
    text = rich.poppler_text
    assert_in_order(text, ["INCIDENT REPORT", "Checkout unavailable for EU customers"])
    for fact in ("checkout", "SEV2 — major", "Acme Retail", "Dana Lee, Sam Ortiz",
                 "5 hours", "Europe/Paris", "Draft"):
        assert fact in text, fact
    # A moment wraps after its comma in the grid, so read it in pypdf's reading order:
    assert "3 October 2026, 08:00 CEST" in rich.pypdf_text
    assert "DRAFT" in text  # the running mark, on every page
    assert "Times in Europe/Paris (CEST), on 3 October 2026" in text
    assert text.count("CONTRIBUTED") >= len(range(0, TIMELINE_ROWS, 7))
    assert "ROOT CAUSE" in text
    assert "Ça a touché les clients à Zürich, Αθήνα and Москва alike." in text
    assert "OPS-100" in text  # a ticket's short name, as the link text


def test_rich_report_pages_numbers_and_running_title(rich: Exported) -> None:
    pages = len(rich.reader.pages)
    assert 3 <= pages <= 10
    for number, page in enumerate(rich.pages, start=1):
        assert f"Page {number} of {pages}" in page
        assert "Checkout unavailable for EU customers" in page
        assert "DRAFT" in page


def test_no_table_row_is_split_across_pages(rich: Exported) -> None:
    """Each row's time and its description are found together on one page."""
    for i in range(TIMELINE_ROWS):
        hits = [n for n, page in enumerate(rich.pages) if timeline_text(i) in page]
        assert len(hits) == 1, timeline_text(i)
        hour, minute = divmod(8 * 60 + 5 * i, 60)
        assert f"{hour:02d}:{minute:02d}" in rich.pages[hits[0]]
    for i in range(ACTION_ROWS):
        hits = [n for n, page in enumerate(rich.pages) if owner(i) in page]
        assert len(hits) == 1
        assert f"Action {i:02d}" in rich.pages[hits[0]]


def test_ticket_links_are_clickable(rich: Exported) -> None:
    uris = set()
    for page in rich.reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action and "/URI" in action:
                uris.add(action["/URI"])
    expected = {f"https://tracker.example.com/OPS-{100 + i}" for i in range(0, ACTION_ROWS, 2)}
    assert expected <= uris
    assert "https://status.example.com/incidents/42" in uris


def test_metadata_title_author_language_and_tags(rich: Exported) -> None:
    metadata = rich.reader.metadata
    assert metadata is not None
    assert metadata.title == "Checkout unavailable for EU customers"
    assert metadata.author == "Dana Lee, Sam Ortiz"
    root = rich.reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root


def test_empty_report_still_exports_as_a_draft(empty: Exported) -> None:
    text = empty.poppler_text
    assert len(empty.reader.pages) <= 2
    assert_in_order(text, ["Untitled report", *HEADINGS])
    assert text.count("Not written yet.") >= 4
    for missing in ("No events recorded yet.", "No contributing factors recorded yet.",
                    "No actions agreed yet.", "No date set yet.", "Not given"):
        assert missing in text
    assert "DRAFT" in text
    assert empty.reader.metadata.title == "Untitled report"


def test_hostile_text_is_shown_as_text_and_does_nothing(hostile: Exported) -> None:
    text = hostile.poppler_text
    title = '<script>alert(1)</script> "><img src=x onerror=alert(2)> ../../etc/passwd'
    assert hostile.reader.metadata.title == title
    assert title in text  # shown literally, as words, not run
    assert "click me" in text  # the javascript: link kept its words and lost its target
    assert "../../../../etc/shadow" in text
    assert "root:" not in text
    assert "DRAFT" in text  # "in review" is still a draft
    uris = [
        annotation.get_object()["/A"].get("/URI")
        for page in hostile.reader.pages for annotation in page.get("/Annots") or []
        if "/A" in annotation.get_object()
    ]
    assert not [uri for uri in uris if uri and not str(uri).startswith(("http://", "https://"))]


def test_control_characters_do_not_reach_the_pdf(hostile: Exported) -> None:
    assert "bell escape[31m delete c1 vtab formfeed" in hostile.poppler_text
    pages = hostile.layout_text.replace("\f", "\n")  # pdftotext ends each page with a form feed
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", pages)


def test_first_page_renders_to_png(rich: Exported, empty: Exported, hostile: Exported,
                                   folder: Path) -> None:
    """The images these make are the ones looked at while designing the page."""
    for exported in (rich, empty, hostile):
        prefix = folder / exported.path.stem
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(exported.path),
             str(prefix)], check=True, timeout=60,
        )
        png = next(folder.glob(f"{exported.path.stem}-*.png"))
        assert png.read_bytes().startswith(b"\x89PNG")
        assert png.stat().st_size > 5_000
