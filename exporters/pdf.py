"""PDF export: the report's HTML through WeasyPrint, as PDF/UA-1, with no outside fetches.

WeasyPrint's ``pdf/ua-1`` variant gives the structure tree, /Lang, the title shown as the
window's title, tab order and the XMP metadata with the PDF/UA identification. What it does not
do yet (WeasyPrint 70) is done here, on its PDF objects just before they are written (the
``finisher`` WeasyPrint offers for that), knowing which HTML element each structure element
came from (see ``_TagRecorder``):

- the running header and footer (margin boxes: title, page number, draft and internal marks)
  become artifacts, instead of marked content that no structure element holds;
- an element that crosses pages (a section, a table, a list) is one structure element, not one
  per page; a table header repeated on a later page is an artifact, and the cells under it name
  the header cells of the first page;
- header cells say their /Scope; a caption's anonymous box is no second caption inside it;
- the facts of the title block (``<dl>`` with ``<div>`` around each pair) are a list whose items
  each hold a label (the ``<dt>``) and a body (the ``<dd>``);
- links carry /Contents, the words a screen reader says for them.

WeasyPrint is imported on first use, so the app and the CLI start without paying for it.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from reports.model import CLIENT_COPY, Report

from .render import render_html

if TYPE_CHECKING:
    from .fetcher import AssetFetcher

PRINT_STYLESHEET = "hindsight-asset:print.css"
PDF_VARIANT = "pdf/ua-1"

log = logging.getLogger(__name__)


def html_to_pdf(html: str, fetcher: AssetFetcher | None = None) -> bytes:
    """Any HTML to a PDF/UA-1 PDF with the print stylesheet; only ``fetcher`` may load anything.

    No base URL is given, so relative references (``/etc/passwd``) resolve to nothing, and
    absolute ones reach the fetcher, which refuses all but the app's own assets.
    """
    import weasyprint

    from .fetcher import AssetFetcher

    fetcher = fetcher or AssetFetcher()
    document = weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher)
    stylesheet = weasyprint.CSS(url=PRINT_STYLESHEET, url_fetcher=fetcher)
    recorder = _TagRecorder.install()
    built: list[tuple[Any, Any, int]] = []
    token = recorder.records.set(built)
    try:
        return document.write_pdf(
            stylesheets=[stylesheet], pdf_variant=PDF_VARIANT,
            finisher=lambda doc, pdf: _repair(pdf, built),
        )
    finally:
        recorder.records.reset(token)


def _repair(pdf: Any, built: list[tuple[Any, Any, int]]) -> None:
    """The PDF/UA repairs; should one fail, the PDF is still made, tagged as WeasyPrint made it
    (a person gets their file; tests/test_pdf_ua.py notices)."""
    try:
        _Accessible(pdf, built).finish()
    except Exception:
        log.exception("PDF/UA: the structure tree could not be completed")


class PdfExporter:
    name = "pdf"
    label = "PDF"
    extension = "pdf"
    mimetype = "application/pdf"
    destination = "local"

    def render(self, report: Report, copy: str = CLIENT_COPY) -> bytes:
        return html_to_pdf(render_html(report, for_pdf=True, copy=copy))


class _TagRecorder:
    """Notes, for each structure element WeasyPrint builds, the box (and so the HTML element)
    it was built for, and the page.

    WeasyPrint builds the tree in ``weasyprint.pdf.tags._build_box_tree``, which calls itself
    through its module's name, so wrapping that name sees every element. The wrapper only
    records, and only while an export of ours runs (a context variable), so other callers and
    other threads get WeasyPrint unchanged.
    """

    _installed: _TagRecorder | None = None
    _lock = threading.Lock()

    def __init__(self) -> None:
        self.records: ContextVar[list[tuple[Any, Any, int]] | None] = ContextVar(
            "hindsight_pdf_tags", default=None)

    @classmethod
    def install(cls) -> _TagRecorder:
        with cls._lock:
            if cls._installed is None:
                cls._installed = cls._wrap()
            return cls._installed

    @classmethod
    def _wrap(cls) -> _TagRecorder:
        from weasyprint.pdf import tags

        recorder = cls()
        build: Callable[..., Iterator[Any]] | None = getattr(tags, "_build_box_tree", None)
        if build is None:  # another WeasyPrint: its own tags, without the repairs below
            log.warning("PDF/UA: weasyprint.pdf.tags._build_box_tree is gone; PDFs are "
                        "tagged by WeasyPrint alone")
            return recorder
        records = recorder.records

        def recording(box: Any, parent: Any, pdf: Any, page_number: int,
                      *rest: Any) -> Iterator[Any]:
            built = records.get()
            for element in build(box, parent, pdf, page_number, *rest):
                if built is not None:
                    built.append((element, box, page_number))
                yield element

        tags._build_box_tree = recording
        return recorder


def _number(reference: Any) -> int:
    """The object number of a pydyf reference (``b"12 0 R"``)."""
    return int(bytes(reference).split()[0])


class _Accessible:
    """The PDF/UA repairs, on the pydyf objects of one PDF before it is written."""

    def __init__(self, pdf: Any, built: list[tuple[Any, Any, int]]):
        import pydyf

        self.pydyf = pydyf
        self.pdf = pdf
        self.objects = pdf.objects
        # Structure element -> (box, page), by object number. An element passes up through
        # the calls for its ancestors that only hand their children's elements on (page, html,
        # body): the first record, the innermost call, is the box it was built for.
        self.source: dict[int, tuple[Any, int]] = {}
        self.built = []
        for element, box, page in built:
            if element.number not in self.source:
                self.source[element.number] = (box, page)
                self.built.append(element)
        self.artifacts: dict[int, set[int]] = defaultdict(set)  # page -> MCIDs
        self.replaced: dict[int, Any] = {}  # removed element's number -> its survivor
        self.header_ids: dict[str, Any] = {}  # a repeated header cell's ID -> the first's

    def obj(self, reference: Any) -> Any:
        return self.objects[_number(reference)]

    def finish(self) -> None:
        root_reference = self.pdf.catalog.get("StructTreeRoot")
        if root_reference is None or not self.built:
            return
        self.root = self.obj(root_reference)
        self.document = self.obj(self.root["K"][0])
        self.parent_tree = self.obj(self.root["ParentTree"])["Nums"]
        self.page_count = len(self.pdf.page_references)
        self.page_numbers = {bytes(r): i for i, r in enumerate(self.pdf.page_references)}
        self._margins_to_artifacts()
        self._repeated_headers_to_artifacts()
        self._merge_split_elements()
        self._facts_as_labelled_items()
        self._header_scopes_and_names()
        self._link_descriptions()
        self._rewrite_streams()

    # -- the tree ------------------------------------------------------------------------

    def kids(self, element: Any) -> list[Any]:
        """The structure elements among an element's kids (not MCIDs, MCRs or OBJRs)."""
        found = []
        for kid in element.get("K", ()):
            if isinstance(kid, bytes):
                target = self.obj(kid)
                if isinstance(target, dict) and target.get("Type") == "/StructElem":
                    found.append(target)
        return found

    def reachable(self) -> list[Any]:
        """Every element under the document element, in document order."""
        order, stack = [], [self.document]
        while stack:
            element = stack.pop()
            order.append(element)
            stack.extend(reversed(self.kids(element)))
        return order

    def marked_content(self, element: Any) -> Iterator[tuple[int, int]]:
        """(page, MCID) of all the content under an element."""
        page = self.page_of(element)
        for kid in element.get("K", ()):
            if isinstance(kid, int):
                yield page, kid
            elif isinstance(kid, dict) and kid.get("Type") == "/MCR":
                yield self.page_index(kid["Pg"]), kid["MCID"]
            elif isinstance(kid, bytes):
                target = self.obj(kid)
                if isinstance(target, dict) and target.get("Type") == "/StructElem":
                    yield from self.marked_content(target)

    def page_index(self, reference: Any) -> int:
        return self.page_numbers[bytes(reference)]

    def page_of(self, element: Any) -> int:
        return self.page_index(element["Pg"]) if "Pg" in element else 0

    def drop(self, element: Any) -> None:
        """Empty a structure element that left the tree, and the elements under it."""
        for kid in self.kids(element):
            self.drop(kid)
        element.clear()

    def detach(self, element: Any) -> None:
        parent = self.obj(element["P"])
        parent["K"] = self.pydyf.Array(
            [k for k in parent["K"] if not (isinstance(k, bytes) and _number(k) == element.number)]
        )

    def is_ancestor(self, ancestor: Any, element: Any) -> bool:
        while "P" in element:
            element = self.obj(element["P"])
            if element is ancestor:
                return True
            if element.get("Type") != "/StructElem":
                return False
        return False

    # -- the repairs -----------------------------------------------------------------------

    def _margins_to_artifacts(self) -> None:
        """Marked content whose element is outside the tree (the margin boxes) -> artifacts."""
        in_tree = {element.number for element in self.reachable()}
        for page in range(self.page_count):
            for mcid, reference in enumerate(self.parent_tree[2 * page + 1]):
                if isinstance(reference, bytes) and _number(reference) not in in_tree:
                    self.artifacts[page].add(mcid)
                    self.obj(reference).clear()  # the span that held it
        for element in self.built:
            if element.number not in in_tree and element:
                self.drop(element)

    def _repeated_headers_to_artifacts(self) -> None:
        """A table's header group drawn again on a later page is a repetition: an artifact."""
        seen: dict[int, Any] = {}
        for element in self.reachable():
            if element.get("S") not in ("/THead", "/TFoot"):
                continue
            box, _ = self.source.get(element.number, (None, None))
            if box is None or box.element is None:
                continue
            first = seen.setdefault(id(box.element), element)
            if first is element:
                continue
            for page, mcid in self.marked_content(element):
                self.artifacts[page].add(mcid)
            first_cells = [e for e in self.subtree(first) if e.get("S") == "/TH"]
            again_cells = [e for e in self.subtree(element) if e.get("S") == "/TH"]
            for again, original in zip(again_cells, first_cells, strict=False):
                if "ID" in again and "ID" in original:
                    self.header_ids[str(again["ID"].string)] = original["ID"]
            self.detach(element)
            self.drop(element)

    def subtree(self, element: Any) -> Iterator[Any]:
        yield element
        for kid in self.kids(element):
            yield from self.subtree(kid)

    def _merge_split_elements(self) -> None:
        """One structure element per HTML element and type: pieces on later pages (or on later
        lines) join the first; a piece inside the first (a caption's anonymous box) melts into
        it. Plain spans and anonymous groupings (NonStruct) are left as they are."""
        position = {element.number: index for index, element in enumerate(self.reachable())}
        groups: dict[tuple[int, str], list[Any]] = defaultdict(list)
        for element in self.built:
            kind = element.get("S")
            box, _ = self.source.get(element.number, (None, None))
            if (not element or element.number not in position or box is None
                    or box.element is None or kind in ("/NonStruct", "/Span", "/Document")):
                continue
            groups[(id(box.element), kind)].append(element)
        ordered = sorted(
            (sorted(members, key=lambda e: position[e.number]) for members in groups.values()
             if len(members) > 1),
            key=lambda members: position[members[0].number],
        )
        for first, *others in ordered:
            for other in others:
                if self.is_ancestor(first, other):
                    self._melt(other)
                else:
                    self._join(first, other)

    def _move_kids(self, source: Any, target: Any) -> list[Any]:
        """The kids of ``source``, made kids of ``target`` (MCIDs keep their page)."""
        moved = []
        same_page = bytes(source.get("Pg", b"")) == bytes(target.get("Pg", b""))
        for kid in source.get("K", ()):
            if isinstance(kid, int) and not same_page:
                kid = self.pydyf.Dictionary({"Type": "/MCR", "Pg": source["Pg"], "MCID": kid})
            elif isinstance(kid, bytes):
                child = self.obj(kid)
                if isinstance(child, dict) and child.get("Type") in ("/StructElem",):
                    child["P"] = target.reference
            moved.append(kid)
        return moved

    def _join(self, first: Any, other: Any) -> None:
        first["K"].extend(self._move_kids(other, first))
        self.detach(other)
        self.replaced[other.number] = first
        other.clear()

    def _melt(self, inner: Any) -> None:
        parent = self.obj(inner["P"])
        kids = self._move_kids(inner, parent)
        items = list(parent["K"])
        at = next(i for i, k in enumerate(items) if isinstance(k, bytes)
                  and _number(k) == inner.number)
        parent["K"] = self.pydyf.Array(items[:at] + kids + items[at + 1:])
        self.replaced[inner.number] = parent
        inner.clear()

    def _facts_as_labelled_items(self) -> None:
        """``<dl><div><dt/><dd/></div>…</dl>``: L > Div > (LI > LBody)×2 becomes
        L > LI > (Lbl, LBody)."""
        for element in self.reachable():
            if element.get("S") != "/Div" or self.obj(element["P"]).get("S") != "/L":
                continue
            parts = self.kids(element)
            sources = [self.source.get(p.number, (None, None))[0] for p in parts]
            tags = [getattr(box, "element_tag", None) for box in sources]
            if tags != ["dt", "dd"] or not all(self.kids(p) for p in parts):
                continue
            label, body = (self.kids(p)[0] for p in parts)
            label["S"], body["S"] = "/Lbl", "/LBody"
            for piece in (label, body):
                piece["P"] = element.reference
            element["S"] = "/LI"
            element["K"] = self.pydyf.Array([label.reference, body.reference])
            for part in parts:
                part.clear()

    def _header_scopes_and_names(self) -> None:
        for element in self.reachable():
            kind = element.get("S")
            if kind == "/TH":
                box, _ = self.source.get(element.number, (None, None))
                scope = box.element.get("scope") if box is not None and box.element is not None \
                    else None
                if scope not in ("row", "col", "rowgroup", "colgroup"):
                    row_group = self.obj(self.obj(element["P"])["P"]).get("S")
                    scope = "col" if row_group == "/THead" else "row"
                element.setdefault("A", self.pydyf.Dictionary({"O": "/Table"}))
                element["A"]["Scope"] = "/Column" if scope.startswith("col") else "/Row"
            elif kind == "/TD" and self.header_ids and "Headers" in element.get("A", {}):
                element["A"]["Headers"] = self.pydyf.Array(
                    self.header_ids.get(str(h.string), h) for h in element["A"]["Headers"]
                )

    def _link_descriptions(self) -> None:
        for element in self.reachable():
            if element.get("S") != "/Link":
                continue
            box, _ = self.source.get(element.number, (None, None))
            words = " ".join("".join(box.element.itertext()).split()) if box is not None \
                and box.element is not None else ""
            target = box.element.get("href", "") if box is not None and box.element is not None \
                else ""
            description = f"{words} ({target})" if words and target else words or target
            for kid in element.get("K", ()):
                if isinstance(kid, bytes):
                    reference = self.obj(kid)
                    if isinstance(reference, dict) and reference.get("Type") == "/OBJR":
                        annotation = self.obj(reference["Obj"])
                        annotation.setdefault("Contents", self.pydyf.String(description))

    def _rewrite_streams(self) -> None:
        """Artifacts in the page streams; the parent tree names the survivors, and nothing for
        artifacts; annotations' entries follow their merged links."""
        nums = self.parent_tree
        for page in range(self.page_count):
            entries = nums[2 * page + 1]
            for mcid, reference in enumerate(entries):
                if mcid in self.artifacts[page]:
                    entries[mcid] = b"null"
                elif isinstance(reference, bytes) and _number(reference) in self.replaced:
                    entries[mcid] = self.survivor(reference).reference
        for index in range(2 * self.page_count, len(nums), 2):
            if isinstance(nums[index + 1], bytes) and _number(nums[index + 1]) in self.replaced:
                nums[index + 1] = self.survivor(nums[index + 1]).reference
        for page, mcids in self.artifacts.items():
            if not mcids:
                continue
            page_object = self.obj(self.pdf.page_references[page])
            operations = self.obj(page_object["Contents"]).stream
            found = set()
            for index in range(len(operations) - 2):
                properties = operations[index + 1]
                if (operations[index + 2] == b"BDC" and isinstance(properties, dict)
                        and properties.get("MCID") in mcids):
                    found.add(properties["MCID"])
                    operations[index] = "/Artifact"
                    operations[index + 1] = self.pydyf.Dictionary({"Type": "/Pagination"})
            if found != mcids:
                log.warning("PDF/UA: content %s on page %d not made artifacts",
                            sorted(mcids - found), page + 1)

    def survivor(self, reference: Any) -> Any:
        element = self.obj(reference)
        while element.number in self.replaced:
            element = self.replaced[element.number]
        return element
