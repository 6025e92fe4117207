"""The Word export, read back with python-docx: every part in Word's own headings and tables,
the marks, the page-number field, the properties; no internal trace in the client copy; the
command line and the export button."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.document import Document
from docx.table import Table
from flask import Flask
from flask.testing import FlaskClient

from exporters import FORMATS
from exporters.docx import MIMETYPE, prose_blocks
from exporters.viewmodel import prose
from reports.exchange import from_document
from tests.export_samples import (
    ACTION_ROWS,
    TIMELINE_ROWS,
    empty_document,
    hostile_document,
    owner,
    rich_document,
    timeline_text,
)
from tests.pages import store_of
from tests.test_internal_copy import (
    PDF_NAME,
    assert_clean,
    assert_complete,
    export,
    internal_document,
)

DOCX_NAME = PDF_NAME.replace(".pdf", ".docx")
INTERNAL_DOCX_NAME = PDF_NAME.replace(".pdf", ".internal.docx")
HEADINGS = [
    ("Heading 1", "1. Our apology"), ("Heading 1", "2. What happened"),
    ("Heading 2", "In short"), ("Heading 2", "Who was affected, and how"),
    ("Heading 2", "Timeline"), ("Heading 2", "What contributed"),
    ("Heading 2", "What we learned"), ("Heading 3", "What went well"),
    ("Heading 3", "What went wrong"), ("Heading 3", "Where we were lucky"),
    ("Heading 1", "3. What we are doing about it"), ("Heading 2", "Follow-up review"),
]


def full_document() -> dict[str, Any]:
    document = rich_document()
    document["follow_up_outcome"] = "All *high* actions were done; see [the review](https://x.example/r)."
    return document


def read(data: bytes) -> Document:
    return docx.Document(io.BytesIO(data))


def cells(table: Table) -> Iterator[str]:
    for row in table.rows:
        for cell in row.cells:
            yield cell.text
            for inner in cell.tables:
                yield from cells(inner)


def all_text(document: Document) -> str:
    """Every paragraph, table cell, header, footer and document property."""
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts.extend(cells(table))
    for section in document.sections:
        for part in (section.header, section.footer, section.first_page_header,
                     section.first_page_footer, section.even_page_header,
                     section.even_page_footer):
            parts.extend(p.text for p in part.paragraphs)
            for table in part.tables:
                parts.extend(cells(table))
    core = document.core_properties
    parts += [core.title, core.author, core.subject, core.keywords, core.comments,
              core.category, core.last_modified_by]
    return "\n".join(parts)


def header_text(document: Document) -> str:
    return " ".join(p.text for p in document.sections[0].header.paragraphs)


@pytest.fixture(scope="module")
def word() -> Document:
    return read(FORMATS["docx"].render(from_document(full_document())))


def test_every_part_is_a_word_heading_in_order(word: Document) -> None:
    styled = [(p.style.name, p.text) for p in word.paragraphs
              if p.style is not None and p.style.name.startswith(("Heading", "Title"))]
    assert styled[0] == ("Title", "Checkout unavailable for EU customers")
    assert styled[1:] == HEADINGS


def test_facts_timeline_and_actions_are_tables_with_every_row(word: Document) -> None:
    facts, timeline, actions = word.tables
    pairs = {row.cells[0].text: row.cells[1].text for row in facts.rows}
    assert pairs["Service"] == "checkout" and pairs["Severity"] == "SEV2 — major"
    assert pairs["Written by"] == "Dana Lee, Sam Ortiz"
    assert pairs["Started"] == "3 October 2026, 08:00\u00a0CEST"
    assert pairs["Duration"] and pairs["Time zone"] == "Europe/Paris"

    assert [c.text for c in timeline.rows[0].cells] == ["Time", "What happened", "Type"]
    # The grid itself has the widths (LibreOffice lays tables out by it, not by the cells).
    widths = [column.width for column in timeline.columns]
    assert widths[1] > 3 * widths[0] and not timeline.autofit
    assert len(timeline.rows) == TIMELINE_ROWS + 1
    for index, row in enumerate(timeline.rows[1:]):
        assert row.cells[1].text == timeline_text(index)
        assert ("Contributed" in row.cells[2].text) == (index % 7 == 0)
    assert timeline.rows[1].cells[0].text == "08:00"

    assert [c.text for c in actions.rows[0].cells][:3] == ["#", "Action", "Owner"]
    assert len(actions.rows) == ACTION_ROWS + 1
    for index, row in enumerate(actions.rows[1:]):
        assert row.cells[0].text == str(index + 1)
        assert row.cells[2].text == owner(index)
        assert row.cells[1].text.startswith(f"Action {index:02d}")
    assert actions.rows[1].cells[6].text == "OPS-100"  # the ticket, a link
    assert actions.rows[1].cells[0].paragraphs[0] is not None
    # Header rows repeat on every page.
    for table in (timeline, actions):
        assert table.rows[0]._tr.xpath("./w:trPr/w:tblHeader")


def test_prose_keeps_lists_links_and_emphasis(word: Document) -> None:
    texts = [p.text for p in word.paragraphs]
    assert "Card payments failed" in texts and "Bank transfers were delayed" in texts
    bullet = word.paragraphs[texts.index("Card payments failed")]
    assert bullet.style is not None and bullet.style.name == "List Bullet"
    linked = word.paragraphs[texts.index("Details are in the status page.")]
    assert [(h.text, h.address) for h in linked.hyperlinks] == [
        ("status page", "https://status.example.com/incidents/42")]
    outcome = next(p for p in word.paragraphs if p.text.startswith("All high actions"))
    assert any(run.italic for run in outcome.runs)
    blocks = prose_blocks(prose("1. one\n2. two\n\n> said\n\n```\na\n  b\n```"))
    assert [(b.kind, b.prefix, "".join(r.text for r in b.runs)) for b in blocks] == [
        ("number", "1. ", "one"), ("number", "2. ", "two"), ("quote", "", "said"),
        ("pre", "", "a\n  b")]


def test_marks_page_numbers_and_properties(word: Document) -> None:
    assert header_text(word) == "DRAFT"
    assert any(p.text.startswith("Draft – this report is still being written")
               for p in word.paragraphs)
    footer = word.sections[0].footer.paragraphs[0]
    instructions = [t.text.strip() for t in footer._p.xpath(".//w:instrText")]
    assert instructions == ["PAGE", "NUMPAGES"]
    assert footer.text.startswith("Checkout unavailable for EU customers")
    core = word.core_properties
    assert core.title == "Checkout unavailable for EU customers"
    assert core.author == "Dana Lee, Sam Ortiz" and core.language == "en"
    assert "python-docx" not in all_text(word)
    assert "INTERNAL" not in all_text(word)


def test_a_published_report_has_no_draft_mark() -> None:
    document = full_document()
    document["status"] = "published"
    word = read(FORMATS["docx"].render(from_document(document)))
    assert header_text(word) == ""
    assert "Draft" not in all_text(word) and "DRAFT" not in all_text(word)


def test_client_copy_holds_no_internal_trace_and_internal_copy_holds_all() -> None:
    report = from_document(internal_document())
    client = read(FORMATS["docx"].render(report))
    assert_clean(all_text(client), "the client Word document")
    assert "Timeline" in all_text(client)  # a real report, not an empty one
    internal = read(FORMATS["docx"].render(report, copy="internal"))
    text = all_text(internal)
    assert_complete(text, "the internal Word document")
    assert header_text(internal) == "INTERNAL — NOT FOR CLIENTS · DRAFT"
    assert "INTERNAL — not for clients" in text
    assert internal.core_properties.title.endswith("(internal copy)")


def test_empty_and_hostile_reports_make_a_document_with_only_web_links() -> None:
    empty = read(FORMATS["docx"].render(from_document(empty_document())))
    assert empty.core_properties.title == "Untitled report"
    assert "Not written yet." in all_text(empty)
    hostile = read(FORMATS["docx"].render(from_document(hostile_document()), copy="internal"))
    targets = [rel.target_ref for rel in hostile.part.rels.values() if rel.is_external]
    assert all(t.startswith(("https://", "http://", "mailto:")) for t in targets), targets
    assert "<script>" in hostile.core_properties.title  # as text, never as markup


@pytest.fixture
def report_id(app: Flask) -> int:
    return store_of(app).create(from_document(internal_document())).id


def test_command_line_writes_the_word_document(app: Flask, report_id: int) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reports", "export", str(report_id), "--format", "docx"])
    assert result.exit_code == 0, result.output
    path = Path(result.output.strip())
    assert path.as_posix().endswith(DOCX_NAME)
    assert re.fullmatch(r"\d{2}\.[a-z0-9-]+\.[a-z0-9-]+\.docx", path.name)
    assert_clean(all_text(read(path.read_bytes())), "the client copy (CLI)")
    internal = runner.invoke(args=["reports", "export", str(report_id), "--format", "docx",
                                   "--copy", "internal"])
    assert internal.exit_code == 0, internal.output
    assert internal.output.strip().endswith(INTERNAL_DOCX_NAME)


def test_export_button_writes_and_downloads_the_word_document(
    app: Flask, client: FlaskClient, report_id: int,
) -> None:
    editor = client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert re.search(rf'formaction="/reports/{report_id}/export/docx">Export as Word document<',
                     editor)
    page = export(client, report_id, "docx")
    assert "Exported as Word document" in page
    link = re.search(r'href="(/reports/\d+/exports/\d+/download)" download>'
                     + re.escape(DOCX_NAME.rsplit("/", 1)[1]), page)
    assert link, "the notice links to the download"
    shared = Path(app.config["SHARED_FOLDER"])
    download = client.get(link.group(1))
    assert download.status_code == 200
    assert download.headers["Content-Type"] == MIMETYPE
    assert download.data == (shared / DOCX_NAME).read_bytes()
    assert_clean(all_text(read(download.data)), "the downloaded client Word document")

    export(client, report_id, "docx", "internal")
    assert (shared / INTERNAL_DOCX_NAME).is_file()
    index = (shared / "index.html").read_text()
    assert f'href="{DOCX_NAME}">Word document, client copy</a>' in index
    assert f'href="{INTERNAL_DOCX_NAME}">Word document, INTERNAL copy, not for clients</a>' in index
    # The shared folder's own page serves it with the Word mimetype too.
    served = client.get(f"/shared-folder/{DOCX_NAME}")
    assert served.status_code == 200 and served.headers["Content-Type"] == MIMETYPE
    assert served.data == download.data
