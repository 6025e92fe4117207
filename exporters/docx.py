"""Word export: the report as a .docx built with python-docx from the shared view-model.

The same content as the PDF, in Word's own terms: the title in the Title style and the parts
in Heading 1 to 3 (so Word's navigation pane and outline show them), the facts, the timeline
and the action items as tables whose header rows repeat on each page, the DRAFT and INTERNAL
marks in the page header and in the title block, "Page N of M" fields in the footer, and the
title, authors and language in the document's properties.

The author's Markdown arrives as the view-model's sanitised HTML (``Prose.html``, the short
allow-list of ``reports.markdown``); ``_ProseParser`` reads it into paragraphs and list items
with bold, italics, code and links kept, and the report's figures (``hindsight-attachment:``
images, read from the report being exported) as pictures in the text. The client copy holds
what ``viewmodel.build`` gives it, and nothing else: internal items never reach this module.

It goes to the shared folder like the Markdown and web page exports, never to Google Drive.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from reports.language import N_
from reports.model import CLIENT_COPY, Report

from .fetcher import figure
from .render import RUNNING_TITLE_LIMIT, shorten
from .text import clean
from .viewmodel import Prose, ReportView, build

MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
INTERNAL_MARK = N_("INTERNAL — not for clients")
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
FIGURE_WIDTH_MM = 150  # at most: the text's width on an A4 page
PIXEL_MM = 25.4 / 96
LINK_COLOUR = RGBColor(0x1A, 0x4D, 0x8F)
MUTED = RGBColor(0x5F, 0x6B, 0x7A)


class DocxExporter:
    name = "docx"
    label = N_("Word document")
    extension = "docx"
    mimetype = MIMETYPE
    destination = "local"  # the shared folder only; not copied to Drive (see exporters.service)

    def render(self, report: Report, copy: str = CLIENT_COPY) -> bytes:
        return render_docx(build(report, copy=copy))


# -- the author's Markdown, as the view-model's sanitised HTML -----------------------------------


@dataclass
class _Run:
    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    href: str = ""
    image: bytes = b""  # a figure: the picture's bytes (``text`` is its caption)
    width: int = 0  # the figure's drawn width, in CSS pixels


@dataclass
class _Block:
    kind: str  # "p", "bullet", "number", "quote", "pre"
    level: int = 0  # list depth, from 0
    prefix: str = ""  # "3. " for a numbered item
    runs: list[_Run] = field(default_factory=list)


class _ProseParser(HTMLParser):
    """Paragraphs and list items, with their inline formatting, from the safe HTML subset
    (p, br, ul, ol, li, em, strong, a, code, pre, blockquote)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[_Block] = []
        self.lists: list[list[int]] = []  # [kind (0 bullet, 1 numbered), next number]
        self.quote = 0
        self.pre = 0
        self.bold = self.italic = self.code = 0
        self.href = ""
        self.open: _Block | None = None  # the block text goes to

    def _new(self, kind: str | None = None) -> _Block:
        if kind is None:
            kind = "pre" if self.pre else "quote" if self.quote else "p"
        block = _Block(kind, level=max(len(self.lists) - 1, 0))
        self.blocks.append(block)
        self.open = block
        return block

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("ul", "ol"):
            start = values.get("start") or "1"
            self.lists.append([int(tag == "ol"), int(start) if start.isdigit() else 1])
            self.open = None
        elif tag == "li":
            numbered = bool(self.lists and self.lists[-1][0])
            block = self._new("number" if numbered else "bullet")
            if numbered:
                block.prefix = f"{self.lists[-1][1]}. "
                self.lists[-1][1] += 1
        elif tag == "p":
            # The first paragraph of a list item is the item; a later one continues it.
            item = self.open
            if (item is None or item.kind not in ("bullet", "number")
                    or any(run.text.strip() for run in item.runs)):
                self._new("continue" if self.lists else None)
        elif tag == "blockquote":
            self.quote += 1
            self.open = None
        elif tag == "pre":
            self.pre += 1
            self._new("pre")
        elif tag == "br":
            self._text("\n")
        elif tag == "strong":
            self.bold += 1
        elif tag == "em":
            self.italic += 1
        elif tag == "code":
            self.code += 1
        elif tag == "a":
            self.href = values.get("href") or ""
        elif tag == "img":
            found = figure(values.get("src") or "")
            width = values.get("width") or ""
            if found is not None:
                block = self.open or self._new()
                data = found[0] if found[1] != "image/webp" else _as_png(found[0])
                block.runs.append(_Run(values.get("alt") or "", image=data,
                                       width=int(width) if width.isdigit() else 0))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self.open = None
        elif tag in ("p", "li"):
            self.open = None
        elif tag == "blockquote":
            self.quote = max(self.quote - 1, 0)
            self.open = None
        elif tag == "pre":
            self.pre = max(self.pre - 1, 0)
            self.open = None
        elif tag == "strong":
            self.bold = max(self.bold - 1, 0)
        elif tag == "em":
            self.italic = max(self.italic - 1, 0)
        elif tag == "code":
            self.code = max(self.code - 1, 0)
        elif tag == "a":
            self.href = ""

    def handle_data(self, data: str) -> None:
        if not self.pre:
            data = data.replace("\n", " ")
            if not data.strip() and self.open is None:
                return  # white space between blocks
        self._text(clean(data))

    def _text(self, text: str) -> None:
        if not text:
            return
        block = self.open or self._new()
        if block.kind == "pre" and not block.runs:
            text = text.removeprefix("\n")
        block.runs.append(_Run(text, bool(self.bold), bool(self.italic), bool(self.code),
                               self.href))

    def result(self) -> list[_Block]:
        for block in self.blocks:
            block.runs = [run for run in block.runs if run.text or run.image]
            if block.kind == "pre" and block.runs:
                block.runs[-1].text = block.runs[-1].text.rstrip("\n")
            if block.runs and block.kind != "pre":
                block.runs[0].text = block.runs[0].text.lstrip(" ")
                block.runs[-1].text = block.runs[-1].text.rstrip(" ")
        return [b for b in self.blocks if any(r.text.strip() or r.image for r in b.runs)]


def prose_blocks(prose: Prose) -> list[_Block]:
    parser = _ProseParser()
    parser.feed(str(prose.html))
    parser.close()
    return parser.result()


# -- Word pieces ---------------------------------------------------------------------------------


def _run(paragraph: Paragraph, text: str, *, bold: bool = False, italic: bool = False,
         code: bool = False, colour: RGBColor | None = None) -> None:
    run = paragraph.add_run(text)
    run.bold = bold or None
    run.italic = italic or None
    if code:
        run.font.name = "Courier New"
    if colour is not None:
        run.font.color.rgb = colour


def _link(paragraph: Paragraph, url: str, text: str, *, bold: bool = False,
          italic: bool = False) -> None:
    """A real hyperlink (underlined, coloured) around ``text``."""
    relation = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), relation)
    run = paragraph.add_run(text)
    run.bold = bold or None
    run.italic = italic or None
    run.underline = True
    run.font.color.rgb = LINK_COLOUR
    link.append(run._r)
    paragraph._p.append(link)


def _as_png(data: bytes) -> bytes:
    """A WebP image as PNG, which Word can show."""
    from PIL import Image

    out = io.BytesIO()
    with Image.open(io.BytesIO(data)) as image:
        image.save(out, format="PNG")
    return out.getvalue()


def _picture(paragraph: Paragraph, run: _Run) -> None:
    """A figure in the text, as wide as it is drawn on the page (never wider than the text),
    its caption as the picture's description for screen readers."""
    width = min(Mm(FIGURE_WIDTH_MM), Mm((run.width or 640) * PIXEL_MM))
    shape = paragraph.add_run().add_picture(io.BytesIO(run.image), width=width)
    shape._inline.docPr.set("descr", run.text)


def _field(paragraph: Paragraph, instruction: str, shown: str) -> None:
    """A field Word computes (PAGE, NUMPAGES), with ``shown`` until it does."""
    def char(kind: str) -> None:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        paragraph.add_run()._r.append(element)

    char("begin")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    paragraph.add_run()._r.append(code)
    char("separate")
    paragraph.add_run(shown)
    char("end")


def _repeat_header_row(table: Table) -> None:
    properties = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _missing(paragraph: Paragraph, text: str) -> None:
    _run(paragraph, text, italic=True, colour=MUTED)


class _Writer:
    def __init__(self, view: ReportView):
        self.view = view
        self.document: Any = Document()

    # Prose, into the body or a table cell. ``first`` is a paragraph to start in (a cell's own).
    def prose(self, where: Any, prose: Prose, missing: str = "",
              first: Paragraph | None = None, lead: tuple[tuple[str, bool], ...] = ()) -> None:
        blocks = prose_blocks(prose) if prose.written else []
        if not blocks:
            paragraph = first or where.add_paragraph()
            for text, bold in lead:
                _run(paragraph, text, bold=bold)
            _missing(paragraph, missing or self.view.not_written)
            return
        for index, block in enumerate(blocks):
            paragraph = first if index == 0 and first is not None else where.add_paragraph()
            self.style_block(paragraph, block)
            if index == 0:
                for text, bold in lead:
                    _run(paragraph, text, bold=bold)
            if block.prefix:
                _run(paragraph, block.prefix)
            for run in block.runs:
                if run.image:
                    _picture(paragraph, run)
                elif run.href:
                    _link(paragraph, run.href, run.text, bold=run.bold, italic=run.italic)
                else:
                    _run(paragraph, run.text, bold=run.bold, italic=run.italic, code=run.code)

    def style_block(self, paragraph: Paragraph, block: _Block) -> None:
        if block.kind == "bullet":
            paragraph.style = "List Bullet" + (f" {min(block.level + 1, 3)}" if block.level
                                               else "")
        elif block.kind in ("number", "continue"):
            paragraph.style = "List Paragraph"
            paragraph.paragraph_format.left_indent = Mm(8 + 6 * block.level)
        elif block.kind == "quote":
            paragraph.style = "Quote"
        elif block.kind == "pre":
            paragraph.style = "No Spacing"

    def heading(self, text: str, level: int, internal: bool = False) -> None:
        paragraph = self.document.add_heading(text, level)
        if internal:
            _run(paragraph, " · Internal")

    def table(self, header: list[str], widths: list[float]) -> Table:
        table = self.document.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        # Word reads the cells' widths, LibreOffice the grid's: give both, and keep them.
        table.autofit = False
        for column, width in zip(table.columns, widths, strict=True):
            column.width = Mm(width)
        for cell, text, width in zip(table.rows[0].cells, header, widths, strict=True):
            cell.width = Mm(width)
            cell.paragraphs[0].add_run(text).bold = True
        _repeat_header_row(table)
        return table

    def row(self, table: Table, widths: list[float]) -> list[_Cell]:
        cells = table.add_row().cells
        for cell, width in zip(cells, widths, strict=True):
            cell.width = Mm(width)
        return list(cells)

    def sentence(self, paragraph: Paragraph, message: str, **bold: str) -> None:
        """A message in the report's language whose ``%(name)s`` values are set in bold (the
        words around them may come in any order in another language)."""
        pieces = _PLACEHOLDER.split(self.view.t(message))
        for index, piece in enumerate(pieces):
            if index % 2:
                _run(paragraph, bold[piece], bold=True)
            elif piece:
                _run(paragraph, piece)

    def write(self) -> bytes:
        v, document = self.view, self.document
        _ = v.t
        self.page_setup()
        self.properties()
        self.header_and_footer()

        eyebrow = document.add_paragraph()
        _run(eyebrow, _("Incident report"), colour=MUTED)
        document.add_heading(v.title, 0)
        if v.is_internal_copy:
            notice = document.add_paragraph()
            _run(notice, _(INTERNAL_MARK), bold=True)
            _run(notice, " – ")
            self.sentence(notice, N_("this copy holds notes for the team, marked %(mark)s. Send "
                                     "clients the client copy, which leaves them out."),
                          mark=_("Internal"))
        if v.is_draft:
            notice = document.add_paragraph()
            _run(notice, _("Draft"), bold=True)
            being = (_("this report is still being written and may change before it is "
                       "published.") if v.status == "draft"
                     else _("this report is being reviewed and may change before it is "
                            "published."))
            _run(notice, f" – {being}")
        facts = document.add_table(rows=0, cols=2)
        facts.style = "Table Grid"
        for fact in v.facts:
            label, value = self.row(facts, [45, 115])
            label.paragraphs[0].add_run(fact.label).bold = True
            if fact.value:
                value.paragraphs[0].add_run(fact.value)
            else:
                _missing(value.paragraphs[0], _("Not given"))

        self.heading("1. " + _("Our apology"), 1)
        self.prose(document, v.apology)

        self.heading("2. " + _("What happened"), 1)
        self.heading(_("In short"), 2)
        self.prose(document, v.summary)
        if "impact" not in v.left_out:
            self.heading(_("Who was affected, and how"), 2, "impact" in v.internal_parts)
            self.prose(document, v.impact)
        if "timeline" not in v.left_out:
            self.timeline()
        if "factors" not in v.left_out:
            self.factors()
        if "lessons" not in v.left_out:
            self.heading(_("What we learned"), 2)
            if v.lessons_written:
                for lesson in v.lessons:
                    self.heading(lesson.heading, 3, lesson.internal)
                    self.prose(document, lesson.text)
            else:
                _missing(document.add_paragraph(), v.not_written)

        self.heading("3. " + _("What we are doing about it"), 1)
        if "actions" not in v.left_out:
            self.actions()
        self.follow_up()

        colophon = document.add_paragraph()
        made = " · " + _("internal copy, made with Hindsight") if v.is_internal_copy else ""
        exported = _("exported on %(day)s", day=v.exported_on)
        _run(colophon, f"{v.status_label} · {exported}{made}", colour=MUTED)

        out = io.BytesIO()
        document.save(out)
        return out.getvalue()

    def page_setup(self) -> None:
        section = self.document.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)  # A4, as the PDF
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Mm(20))
        normal = self.document.styles["Normal"]
        normal.font.size = Pt(10.5)
        # The language Word checks the spelling in, and a screen reader speaks in.
        properties = normal.element.get_or_add_rPr()
        language = OxmlElement("w:lang")
        language.set(qn("w:val"), self.view.lang)
        properties.append(language)

    def properties(self) -> None:
        v = self.view
        _ = v.t
        core = self.document.core_properties
        core.title = v.title + (" " + _("(internal copy)") if v.is_internal_copy else "")
        core.author = ", ".join(v.authors)
        core.last_modified_by = ""
        core.language = v.lang
        core.subject = v.description
        core.keywords = _("incident report") + (f", {v.service}" if v.service else "")
        core.comments = ""
        core.category = _("Incident report")
        now = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
        core.created = core.modified = now
        core.revision = 1

    def header_and_footer(self) -> None:
        v = self.view
        _ = v.t
        section = self.document.sections[0]
        header = section.header.paragraphs[0]
        marks = []
        if v.is_internal_copy:
            marks.append(_(INTERNAL_MARK).upper())
        if v.is_draft:
            marks.append((_("Draft") if v.status == "draft"
                          else _("Draft – %(status)s", status=v.status_label)).upper())
        for index, mark in enumerate(marks):
            _run(header, (" · " if index else "") + mark, bold=True)
        footer = section.footer.paragraphs[0]
        _run(footer, shorten(v.title, RUNNING_TITLE_LIMIT) + "\t\t", colour=MUTED)
        fields = {"page": ("PAGE", "1"), "pages": ("NUMPAGES", "1")}
        for index, piece in enumerate(_PLACEHOLDER.split(_("Page %(page)s of %(pages)s"))):
            if index % 2:
                _field(footer, *fields[piece])
            elif piece:
                _run(footer, piece, colour=MUTED)

    def timeline(self) -> None:
        v, document = self.view, self.document
        _ = v.t
        self.heading(_("Timeline"), 2)
        if not v.timeline:
            _missing(document.add_paragraph(), _("No events recorded yet."))
            return
        caption = document.add_paragraph(style="Caption")
        zones = f" ({v.timeline_zones})" if v.timeline_zones else ""
        day = _(", on %(day)s", day=v.timeline_day) if v.timeline_day else ""
        _run(caption, _("Times in %(zone)s", zone=v.timezone) + f"{zones}{day}.")
        if v.contributing_count:
            _run(caption, " ")
            self.sentence(caption, N_("%(mark)s marks an event that helped cause the incident."),
                          mark=_("Contributed"))
        widths = [28.0, 102.0, 40.0]
        table = self.table([_("Time"), _("What happened"), _("Type")], widths)
        for event in v.timeline:
            time, what, kind = self.row(table, widths)
            if event.time:
                time.paragraphs[0].add_run(event.time)
            else:
                _missing(time.paragraphs[0], _("No time"))
            self.prose(what, event.description, _("Not described yet."),
                       first=what.paragraphs[0])
            kind.paragraphs[0].add_run(event.kind)
            if event.contributing:
                _run(kind.add_paragraph(), _("Contributed"), bold=True)
            if event.internal:
                _run(kind.add_paragraph(), _("Internal"), bold=True)

    def factors(self) -> None:
        v, document = self.view, self.document
        _ = v.t
        self.heading(_("What contributed"), 2)
        if not v.factors:
            _missing(document.add_paragraph(), _("No contributing factors recorded yet."))
            return
        for factor in v.factors:
            lead = [(f"{factor.number}. ", False)]
            if factor.internal:
                lead.append((_("%(mark)s: ", mark=_("Internal")), True))
            if factor.root_cause:
                lead.append((_("%(mark)s: ", mark=_("Root cause")), True))
            paragraph = document.add_paragraph(style="List Paragraph")
            paragraph.paragraph_format.left_indent = Mm(8)
            paragraph.paragraph_format.first_line_indent = Mm(-6)
            self.prose(document, factor.description, _("Not described yet."), first=paragraph,
                       lead=tuple(lead))
        if v.no_single_root_cause and not v.has_root_cause:
            document.add_paragraph(_("There was no single root cause: these factors together "
                                     "made the incident possible."))
        elif not v.has_root_cause:
            _missing(document.add_paragraph(), _("No root cause marked yet."))

    def actions(self) -> None:
        v, document = self.view, self.document
        _ = v.t
        if not v.actions:
            _missing(document.add_paragraph(), _("No actions agreed yet."))
            return
        document.add_paragraph(
            _("Each action has an owner and a date, and is tracked until it is done."),
            style="Caption")
        widths = [8.0, 62.0, 26.0, 16.0, 20.0, 18.0, 20.0]
        table = self.table(["#", _("Action"), _("Owner"), _("Priority"), _("Due"), _("Status"),
                            _("Ticket")], widths)
        for action in v.actions:
            number, what, owner, priority, due, status, ticket = self.row(table, widths)
            number.paragraphs[0].add_run(str(action.number))
            self.prose(what, action.description, _("Not described yet."),
                       first=what.paragraphs[0])
            if action.addresses:
                _run(what.add_paragraph(), _("Deals with %(factors)s", factors=action.addresses),
                     italic=True)
            if action.internal:
                _run(what.add_paragraph(), _("Internal"), bold=True)
            for cell, value, missing in ((owner, action.owner, _("No owner yet")),
                                         (priority, action.priority, "–"),
                                         (due, action.due, _("No date yet"))):
                if value:
                    cell.paragraphs[0].add_run(value)
                else:
                    _missing(cell.paragraphs[0], missing)
            status.paragraphs[0].add_run(action.status)
            if action.ticket:
                _link(ticket.paragraphs[0], action.ticket, action.ticket_label)
            else:
                _missing(ticket.paragraphs[0], "–")

    def follow_up(self) -> None:
        v, document = self.view, self.document
        _ = v.t
        self.heading(_("Follow-up review"), 2)
        if v.follow_up_held_on:
            self.sentence(document.add_paragraph(), N_(
                "We met again on %(day)s to check that these actions were done and working."),
                day=v.follow_up_held_on)
        elif v.follow_up:
            self.sentence(document.add_paragraph(), N_(
                "We will meet again on %(day)s to check that these actions are done and "
                "working."), day=v.follow_up)
        if v.follow_up_outcome.written:
            self.prose(document, v.follow_up_outcome)
        if not (v.follow_up or v.follow_up_held_on or v.follow_up_outcome.written):
            _missing(document.add_paragraph(), _("No date set yet."))


def render_docx(view: ReportView) -> bytes:
    return _Writer(view).write()
