"""PDF page breaks, read back from the PDFs: no heading, caption or table header ends a page.

Reports of many sizes (1 to 60 timeline rows, an apology from 1 to 50 lines that pushes every
later part down the pages a line or two at a time) are exported, and each page's lines are read
back with their positions (``pdftotext -bbox-layout``). The lowest line of the page body (the
running header and footer left aside) must never be a heading, a table's caption or legend, or a
table's header row: those belong with what follows them. The sweep checks itself too: every
heading must have come near a page end at least once, or the test would prove nothing.
"""

from __future__ import annotations

import copy
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from exporters.pdf import PdfExporter
from reports.exchange import from_document
from reports.model import INTERNAL_PARTS
from tests.conftest import SAMPLE_DOCUMENT

# A4 in points, and print.css's page margins (20 mm top, 22 mm bottom).
MM = 72 / 25.4
TOP_MARGIN, BOTTOM_MARGIN = 20 * MM, 22 * MM
NEAR_END = 0.2  # a heading in the last fifth of a page's body is "near the end"

HEADINGS = {
    "1. Our apology", "2. What happened", "3. What we are doing about it",
    "In short", "Timeline", "What contributed", "What we learned", "Follow-up review",
    *INTERNAL_PARTS.values(),  # "Who was affected, and how" and the three lessons
}
# The first part always follows the title block at the top of page 1, so it is never near an
# end; it is checked all the same.
NEVER_NEAR_AN_END = {"1. Our apology"}
TABLE_HEADERS = {"Time What happened Type", "# Action Owner Priority Due Status Ticket"}
CAPTIONS = re.compile(
    r"^Times in |marks an event that helped cause the incident|^Each action has an owner"
)
ROWS = [1, 2, 3, 5, 8, 13, 21, 34, 60]


def fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


FOLDED_HEADINGS = {fold(h) for h in HEADINGS}
FOLDED_TABLE_HEADERS = {fold(h) for h in TABLE_HEADERS}


def kind_of(text: str) -> str | None:
    """"heading", "caption", "table header", or None for anything else."""
    if fold(text) in FOLDED_HEADINGS:
        return "heading"
    if fold(text) in FOLDED_TABLE_HEADERS:
        return "table header"
    if CAPTIONS.search(text):
        return "caption"
    return None


def document(apology_lines: int, rows: int) -> dict[str, Any]:
    """The sample report with an apology of ``apology_lines`` lines and ``rows`` events; the
    other parts grow a little with the size too, so they are never the same twice."""
    doc = copy.deepcopy(SAMPLE_DOCUMENT)
    doc["apology"] = "\\\n".join(f"We are sorry, and this is line {i + 1}."
                                 for i in range(apology_lines))
    doc["timeline"] = [
        {"at": f"2026-10-03T{8 + i // 12:02d}:{i % 12 * 5:02d}:00+02:00",
         "kind": ["deploy", "discovery", "mitigation", "other"][i % 4],
         "description": f"Event {i + 1}: " + "the gateway pool was checked again. " * (1 + i % 3),
         "contributing": i % 5 == 0}
        for i in range(rows)
    ]
    doc["factors"] = [
        {"description": f"Factor {i + 1}: " + "a routing table kept a retired gateway. "
         * (1 + (apology_lines + i) % 4), "root_cause": i == 0}
        for i in range(1 + rows % 4)
    ]
    doc["lessons"] = {
        "went_well": "The alert fired within eight minutes. " * (1 + apology_lines % 5),
        "went_wrong": "Rolling back took forty minutes. " * (1 + rows % 6),
        "lucky": "It happened outside the sales peak. " * (1 + (apology_lines + rows) % 7),
    }
    doc["actions"] = [
        # Each a row of its own: the sample's action without its id, so ids never repeat.
        {**{key: value for key, value in SAMPLE_DOCUMENT["actions"][i % 2].items()
            if key != "id"}, "owner": f"Team {i + 1}"}
        for i in range(1 + rows % 5)
    ]
    return doc


@dataclass(frozen=True)
class Line:
    top: float
    bottom: float
    left: float
    text: str


@dataclass(frozen=True)
class Page:
    height: float
    lines: list[Line]  # the body's lines, top to bottom (running header and footer left out)

    @property
    def body_top(self) -> float:
        return TOP_MARGIN

    @property
    def body_bottom(self) -> float:
        return self.height - BOTTOM_MARGIN

    def last_row(self) -> str:
        """The text of the page body's lowest line, its cells left to right."""
        bottom = max(line.bottom for line in self.lines)
        row = sorted((line for line in self.lines if line.bottom > bottom - 3),
                     key=lambda line: line.left)
        return " ".join(line.text for line in row)


def read_pages(path: Path) -> list[Page]:
    xhtml = subprocess.run(
        ["pdftotext", "-bbox-layout", str(path), "-"],
        check=True, capture_output=True, text=True, timeout=60,
    ).stdout
    root = ElementTree.fromstring(re.sub(r' xmlns="[^"]*"', "", xhtml, count=1))
    pages = []
    for page in root.iter("page"):
        height = float(page.get("height", "0"))
        lines = [
            Line(float(line.get("yMin", "0")), float(line.get("yMax", "0")),
                 float(line.get("xMin", "0")), " ".join(w.text or "" for w in line.iter("word")))
            for line in page.iter("line")
        ]
        body = [line for line in lines
                if line.top >= TOP_MARGIN - 2 and line.bottom <= height - BOTTOM_MARGIN + 2]
        pages.append(Page(height, sorted(body, key=lambda line: line.top)))
    return pages


def sizes() -> Iterator[tuple[int, int]]:
    """(apology lines, timeline rows): the apology sweeps a page height two lines at a time,
    so every later part passes every page end; the rows take turns from 1 to 60."""
    for step, apology_lines in enumerate(range(1, 51, 2)):
        yield apology_lines, ROWS[step % len(ROWS)]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[int, int], list[Page]]:
    folder = tmp_path_factory.mktemp("layout")
    found = {}
    for apology_lines, rows in sizes():
        path = folder / f"apology{apology_lines:02d}-rows{rows:02d}.pdf"
        path.write_bytes(PdfExporter().render(from_document(document(apology_lines, rows))))
        found[(apology_lines, rows)] = read_pages(path)
    return found


def test_no_page_ends_with_a_heading_caption_or_table_header(
    exported: dict[tuple[int, int], list[Page]],
) -> None:
    stranded = []
    for (apology_lines, rows), pages in exported.items():
        for number, page in enumerate(pages[:-1], start=1):
            last = page.last_row()
            if kind_of(last):
                stranded.append(f"apology {apology_lines} lines, {rows} rows, page {number} "
                                f"ends with the {kind_of(last)} {last!r}")
    assert not stranded, "\n".join(stranded)


def test_the_sizes_bring_every_heading_near_a_page_end(
    exported: dict[tuple[int, int], list[Page]],
) -> None:
    """Each heading was at least once in the last fifth of a page, or pushed to the top of the
    next one: the sweep really tried every heading at a page end."""
    near_end: set[str] = set()
    for pages in exported.values():
        for number, page in enumerate(pages):
            body = page.body_bottom - page.body_top
            for index, line in enumerate(page.lines):
                if kind_of(line.text) != "heading":
                    continue
                low = line.top > page.body_bottom - NEAR_END * body
                pushed = index == 0 and number > 0
                if low or pushed:
                    near_end.add(fold(line.text))
    wanted = FOLDED_HEADINGS - {fold(h) for h in NEVER_NEAR_AN_END}
    assert near_end == wanted, wanted - near_end


def test_every_timeline_size_from_1_to_60_rows_is_exported(
    exported: dict[tuple[int, int], list[Page]],
) -> None:
    for (_, rows), pages in exported.items():
        text = " ".join(line.text for page in pages for line in page.lines)
        assert f"Event {rows}:" in text and f"Event {rows + 1}:" not in text
    assert {rows for _, rows in exported} == set(ROWS)


def test_the_reader_sees_a_stranded_heading() -> None:
    """The check itself: a page whose lowest line is a heading or a caption is caught."""
    page = Page(842, [Line(700, 712, 50, "Some text."), Line(740, 752, 50, "Timeline"),
                      Line(760, 770, 50, "Times in Europe/Paris (CEST), on 3 October 2026.")])
    assert kind_of(page.last_row()) == "caption"
    assert kind_of("TIME WHAT HAPPENED TYPE") == "table header"
    assert kind_of("WHAT WENT WELL") == "heading"
    assert kind_of("08:05 Event 2: the gateway pool was checked again. Discovery") is None
