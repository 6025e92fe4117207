"""The PDF is PDF/UA-1 in its structure: read back with pikepdf (the structure tree, metadata)
and pypdf (which text sits in which marked content).

What is checked: PDF/UA identification and the title in XMP metadata; /Lang, DisplayDocTitle,
Marked; every piece of text on a page is either marked content of an element reachable from the
structure tree, or an artifact; the running header and footer (title, page number, draft and
internal marks) and a table header repeated on a later page are artifacts, never orphaned spans;
header cells carry /Scope and data cells name existing headers; one /Table per table and one
/Sect per section however many pages they cross; a table's caption is its first child and holds
no caption; the title block's facts are a list of label and body; links say where they go.
"""

from __future__ import annotations

import io
import itertools
import logging
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from exporters.pdf import PdfExporter
from reports.exchange import from_document
from tests.export_samples import (
    ACTION_ROWS,
    TIMELINE_ROWS,
    empty_document,
    hostile_document,
    rich_document,
)

TITLE = "Checkout unavailable for EU customers"


@dataclass
class Tree:
    """The structure tree of one PDF, walked once."""

    pdf: pikepdf.Pdf
    elements: list[pikepdf.Dictionary] = field(default_factory=list)  # document order
    parents: dict[tuple[int, int], pikepdf.Dictionary] = field(default_factory=dict)
    # (page index, MCID) of every marked-content reference reachable from the root
    marked: set[tuple[int, int]] = field(default_factory=set)

    @classmethod
    def read(cls, data: bytes) -> Tree:
        tree = cls(pikepdf.open(io.BytesIO(data)))
        pages = {page.objgen: number for number, page in enumerate(tree.pdf.pages)}
        root = tree.pdf.Root.StructTreeRoot

        def walk(element: pikepdf.Dictionary, page: int | None) -> None:
            tree.elements.append(element)
            if "/Pg" in element:
                page = pages[element.Pg.objgen]
            kids = element.get("/K")
            if kids is None:
                return
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                if isinstance(kid, int):
                    assert page is not None
                    tree.marked.add((page, int(kid)))
                elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                    tree.marked.add((pages[kid.Pg.objgen], int(kid.MCID)))
                elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
                    continue
                elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    tree.parents[kid.objgen] = element
                    walk(kid, page)

        kids = root.K if isinstance(root.K, pikepdf.Array) else [root.K]
        for kid in kids:
            walk(kid, None)
        return tree

    def of_type(self, kind: str) -> list[pikepdf.Dictionary]:
        return [e for e in self.elements if kind == e.S]

    def children(self, element: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
        kids = element.get("/K")
        kids = kids if isinstance(kids, pikepdf.Array) else [] if kids is None else [kids]
        return [k for k in kids if isinstance(k, pikepdf.Dictionary) and "/S" in k]

    def descendants(self, element: pikepdf.Dictionary) -> Iterator[pikepdf.Dictionary]:
        for child in self.children(element):
            yield child
            yield from self.descendants(child)


@dataclass
class Run:
    page: int
    mark: str  # "artifact", or "mcid" for marked content with an MCID, or "none"
    mcid: int | None
    text: str


class MarkedText:
    """Follows one page's marked-content operators while pypdf reads its text."""

    def __init__(self, page: int, runs: list[Run]):
        self.page = page
        self.runs = runs
        self.stack: list[tuple[str, int | None]] = []

    def operator(self, op: bytes, args: list, cm: object, tm: object) -> None:
        if op == b"BMC":
            self.stack.append(("artifact" if args[0] == "/Artifact" else "other", None))
        elif op == b"BDC":
            properties = args[1] if len(args) > 1 and hasattr(args[1], "get") else {}
            if args[0] == "/Artifact":
                self.stack.append(("artifact", None))
            elif "/MCID" in properties:
                self.stack.append(("mcid", int(properties["/MCID"])))
            else:
                self.stack.append(("other", None))
        elif op == b"EMC" and self.stack:
            self.stack.pop()

    def text(self, value: str, cm: object, tm: object, font: object, size: object) -> None:
        if not value.strip():
            return
        mcids = [mcid for kind, mcid in self.stack if kind == "mcid"]
        if any(kind == "artifact" for kind, _ in self.stack):
            self.runs.append(Run(self.page, "artifact", None, value))
        elif mcids:
            self.runs.append(Run(self.page, "mcid", mcids[-1], value))
        else:
            self.runs.append(Run(self.page, "none", None, value))


def text_runs(data: bytes) -> list[Run]:
    """Every piece of text on every page, with the marked content it sits in (innermost)."""
    runs: list[Run] = []
    for number, page in enumerate(PdfReader(io.BytesIO(data)).pages):
        reader = MarkedText(number, runs)
        page.extract_text(visitor_operand_before=reader.operator, visitor_text=reader.text)
    return runs


class Exported:
    def __init__(self, data: bytes):
        self.data = data
        self.tree = Tree.read(data)
        self.runs = text_runs(data)


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory) -> Exported:
    data = PdfExporter().render(from_document(rich_document()))
    (tmp_path_factory.mktemp("ua") / "rich.pdf").write_bytes(data)
    return Exported(data)


@pytest.fixture(scope="module")
def internal(tmp_path_factory: pytest.TempPathFactory) -> Exported:
    return Exported(PdfExporter().render(from_document(rich_document()), copy="internal"))


def test_pdf_ua_identification_title_and_language(rich: Exported) -> None:
    pdf = rich.tree.pdf
    assert "/Metadata" in pdf.Root
    with pdf.open_metadata() as xmp:
        assert xmp.get("pdfuaid:part") == "1"
        assert xmp.get("dc:title") == TITLE
    assert str(pdf.Root.Lang) == "en"
    assert bool(pdf.Root.MarkInfo.Marked)
    assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle)
    assert str(pdf.docinfo.Title) == TITLE
    assert pdf.pdf_version == "1.7"
    for page in pdf.pages:
        assert page.Tabs == "/S"


def test_all_text_is_tagged_or_an_artifact(rich: Exported) -> None:
    untagged = [run for run in rich.runs if run.mark == "none"]
    assert not untagged, untagged[:5]
    orphans = [run for run in rich.runs
               if run.mark == "mcid" and (run.page, run.mcid) not in rich.tree.marked]
    assert not orphans, orphans[:5]


def test_the_parent_tree_names_only_elements_in_the_tree(rich: Exported) -> None:
    tree = rich.tree
    in_tree = {element.objgen for element in tree.elements}
    nums = tree.pdf.Root.StructTreeRoot.ParentTree.Nums
    for index in range(0, len(nums), 2):
        value = nums[index + 1]
        targets = value if isinstance(value, pikepdf.Array) else [value]
        for target in targets:
            if isinstance(target, pikepdf.Dictionary):
                assert target.objgen in in_tree, (int(nums[index]), target.get("/S"))


def test_running_header_and_footer_are_artifacts(rich: Exported, internal: Exported) -> None:
    for exported, marks in ((rich, ["DRAFT"]), (internal, ["DRAFT", "INTERNAL"])):
        pages = max(run.page for run in exported.runs) + 1
        for number in range(pages):
            on_page = [run for run in exported.runs if run.page == number]
            artifacts = " ".join(run.text for run in on_page if run.mark == "artifact")
            assert f"Page {number + 1} of {pages}" in artifacts
            assert TITLE in artifacts
            for mark in marks:
                assert mark in artifacts.upper()
            tagged = " ".join(run.text for run in on_page if run.mark == "mcid")
            assert f"Page {number + 1} of" not in tagged


def test_header_cells_have_a_scope_and_data_cells_name_them(rich: Exported) -> None:
    tree = rich.tree
    headers = tree.of_type("/TH")
    assert len(headers) == 3 + 7  # timeline and actions, once each
    ids = set()
    for cell in headers:
        assert cell.A.Scope == "/Column"
        ids.add(str(cell.ID))
    cells = tree.of_type("/TD")
    assert len(cells) == 3 * TIMELINE_ROWS + 7 * ACTION_ROWS
    for cell in cells:
        named = [str(header) for header in cell.A.Headers]
        assert len(named) == 1 and named[0] in ids


def test_one_table_per_table_one_section_per_section(rich: Exported) -> None:
    tree = rich.tree
    pages = len(tree.pdf.pages)
    assert pages >= 3
    tables = tree.of_type("/Table")
    assert len(tables) == 2
    timeline, actions = tables
    for table, rows in ((timeline, TIMELINE_ROWS), (actions, ACTION_ROWS)):
        kinds = [child.S for child in tree.children(table)]
        assert kinds == ["/Caption", "/THead", "/TBody"], kinds
        body = tree.children(table)[2]
        assert len([row for row in tree.children(body) if row.S == "/TR"]) == rows
        head = tree.children(table)[1]
        assert len(tree.children(head)) == 1  # one header row, not one per page
    assert len(tree.of_type("/Sect")) == 3
    assert len(tree.of_type("/Part")) == 1
    assert Counter(e.S for e in tree.elements)["/H2"] == 3


def test_captions_are_not_nested(rich: Exported) -> None:
    tree = rich.tree
    for caption in tree.of_type("/Caption"):
        assert not any(d.S == "/Caption" for d in tree.descendants(caption))
        assert tree.parents[caption.objgen].S == "/Table"


def test_facts_are_a_list_of_labels_and_values(rich: Exported) -> None:
    tree = rich.tree
    facts = tree.of_type("/L")[0]
    items = tree.children(facts)
    assert len(items) == 11 and all(item.S == "/LI" for item in items)
    for item in items:
        assert [child.S for child in tree.children(item)] == ["/Lbl", "/LBody"]


def test_headings_in_order(rich: Exported) -> None:
    levels = [int(str(e.S)[2]) for e in rich.tree.elements if re.fullmatch(r"/H\d", str(e.S))]
    assert levels[0] == 1
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1  # never skips a level going down


def test_links_say_where_they_go(rich: Exported) -> None:
    links = [annotation for page in rich.tree.pdf.pages for annotation in page.get("/Annots", [])
             if annotation.get("/Subtype") == "/Link"]
    assert links
    for link in links:
        assert str(link.get("/Contents", "")).strip()
        assert "/StructParent" in link


def test_an_empty_report_is_tagged_too(tmp_path: Path) -> None:
    exported = Exported(PdfExporter().render(from_document(empty_document())))
    assert not [run for run in exported.runs if run.mark == "none"]
    with exported.tree.pdf.open_metadata() as xmp:
        assert xmp.get("dc:title") == "Untitled report"
        assert xmp.get("pdfuaid:part") == "1"


def test_a_table_header_repeated_on_a_later_page_is_an_artifact(rich: Exported) -> None:
    """The timeline's header row is drawn again at the top of page 2: read once, as a header."""
    heads = {number: [run for run in rich.runs if run.page == number
                      and run.text.strip() == "WHAT HAPPENED"] for number in (0, 1)}
    assert [run.mark for run in heads[0]] == ["mcid"]  # the header cell itself, tagged
    assert [run.mark for run in heads[1]] == ["artifact"]  # its repetition


def test_the_repairs_run_without_a_warning_on_odd_reports(caplog: pytest.LogCaptureFixture) -> None:
    """Hostile text, an empty report, a report of one long paragraph: the structure is
    completed every time (a failed repair only logs, so that a person still gets the PDF)."""
    long_one = rich_document()
    long_one["apology"] = "We are sorry. " * 900  # one paragraph over two pages
    caplog.set_level(logging.WARNING, logger="exporters.pdf")
    for document in (hostile_document(9), empty_document(), long_one):
        data = PdfExporter().render(from_document(document))
        exported = Exported(data)
        assert not [run for run in exported.runs if run.mark == "none"]
        assert len(exported.tree.of_type("/Sect")) == 3
    ours = [record.getMessage() for record in caplog.records if record.name == "exporters.pdf"]
    assert not ours, ours
