"""Three-way merge of a report: two people's edits of one version, put together.

Both editions are compared with the version they started from (the *base*). A value only one of
them changed is taken from that one; a value both changed the same way is taken once; a text both
changed is merged sentence by sentence when their edits touch different sentences (or lines).
What remains, the same value changed two ways, is a *conflict*: the merge keeps the saved
(``theirs``) value and names the place, so the author can choose.

Rows are matched by their stable ``id``, never by their place: a row added, removed or moved by one
author never moves another author's edit onto another row. An edit to a row wins over its
removal (the row stays, with the edit), so no typed text is lost. An action item's links to
factors follow the factors' ids, so they survive factors being reordered.

Places are paths in the exchange document, written as JSON Pointers (RFC 6901), with rows named
by id: ``/summary``, ``/lessons/went_well``, ``/timeline/<id>/description``.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .exchange import from_document, to_document
from .model import Report

ROW_LISTS = ("timeline", "factors", "actions")
# Free text that is merged sentence by sentence; every other value is taken whole.
PROSE = frozenset({
    "/apology", "/summary", "/impact", "/follow_up_outcome", "/lessons/went_well",
    "/lessons/went_wrong", "/lessons/lucky",
})
PROSE_ROW_FIELDS = frozenset({"description"})
_ABSENT: Any = object()
# A sentence ends with . ! or ? before a space; a line ends with its newline.
_SENTENCE_END = re.compile(r"(?<=[.!?])(?=\s)|(?<=\n)")


@dataclass(frozen=True)
class Conflict:
    """A value both editions changed, differently. ``path`` is a JSON Pointer, rows by id."""

    path: str
    base: Any
    mine: Any
    theirs: Any


@dataclass(frozen=True)
class Merged:
    report: Report
    conflicts: tuple[Conflict, ...]

    @property
    def conflict_paths(self) -> list[str]:
        return [c.path for c in self.conflicts]


def escape(token: str) -> str:
    """A JSON Pointer reference token (RFC 6901: ``~`` is ``~0``, ``/`` is ``~1``)."""
    return token.replace("~", "~0").replace("/", "~1")


def leaves(document: dict[str, Any]) -> dict[str, Any]:
    """Every value of a document that an author edits on its own, by path; rows by id.

    A row list's order is a value of its own (``/timeline/#order``), so adding, removing and
    moving rows merges like any other change.
    """
    found: dict[str, Any] = {}
    factor_ids = [row["id"] for row in document.get("factors") or []]
    for key, value in document.items():
        if key in ROW_LISTS:
            found[f"/{key}/#order"] = tuple(row["id"] for row in value)
            for row in value:
                for field, cell in row.items():
                    if field == "id":
                        continue
                    if key == "actions" and field == "addresses":
                        # Links follow the factors they point at, not their places.
                        cell = frozenset(factor_ids[i] for i in cell if i < len(factor_ids))
                    found[f"/{key}/{escape(row['id'])}/{escape(field)}"] = _frozen(cell)
        elif key == "lessons" and isinstance(value, dict):
            for field, cell in value.items():
                found[f"/lessons/{escape(field)}"] = _frozen(cell)
        elif key == "internal_parts":
            for part in value:
                found[f"/internal_parts/{escape(part)}"] = True
        else:
            found[f"/{escape(key)}"] = _frozen(value)
    return found


@dataclass(frozen=True)
class _Whole:
    """A list or an object taken as one value (the authors' names, an unknown field)."""

    text: str


def _frozen(value: Any) -> Any:
    """Lists and objects as hashable, comparable values; text with LF line breaks only (a page
    posts CR LF where the API sends LF: the same words either way)."""
    if isinstance(value, str) and "\r" in value:
        return value.replace("\r\n", "\n").replace("\r", "\n")
    if isinstance(value, list | dict):
        return _Whole(json.dumps(value, sort_keys=True, ensure_ascii=False))
    return value


def _thawed(value: Any) -> Any:
    if isinstance(value, _Whole):
        return json.loads(value.text)
    if isinstance(value, frozenset):
        return sorted(value)
    return value


def _is_prose(path: str) -> bool:
    if path in PROSE:
        return True
    parts = path.split("/")
    return len(parts) == 4 and parts[1] in ROW_LISTS and parts[3] in PROSE_ROW_FIELDS


def sentences(text: str) -> list[str]:
    """The text cut after each sentence and each line; joined, the pieces are the text."""
    return [piece for piece in _SENTENCE_END.split(text) if piece]


def _edits(base: Sequence[str], other: Sequence[str]) -> list[tuple[int, int, list[str]]]:
    """The places ``other`` differs from ``base``: (start, end, replacement) in base's pieces."""
    matcher = difflib.SequenceMatcher(None, base, other, autojunk=False)
    return [(i1, i2, list(other[j1:j2]))
            for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def _overlap(a: tuple[int, int, list[str]], b: tuple[int, int, list[str]]) -> bool:
    (a1, a2, _), (b1, b2, _) = a, b
    if a1 == a2 or b1 == b2:  # an insertion: at the same place, or inside the other's change
        return a1 <= b2 and b1 <= a2
    return a1 < b2 and b1 < a2


def merge_text(base: str, mine: str, theirs: str) -> str | None:
    """Both edits of a text, when they touch different sentences or lines; else None."""
    pieces = sentences(base)
    mine_edits, theirs_edits = _edits(pieces, sentences(mine)), _edits(pieces, sentences(theirs))
    theirs_edits = [e for e in theirs_edits if e not in mine_edits]  # the same edit counts once
    for edit in mine_edits:
        if any(_overlap(edit, other) for other in theirs_edits):
            return None
    result: list[str] = []
    position = 0
    for start, end, replacement in sorted(mine_edits + theirs_edits, key=lambda e: (e[0], e[1])):
        result.extend(pieces[position:start])
        result.extend(replacement)
        position = end
    result.extend(pieces[position:])
    return "".join(result)


def _merge_order(base: tuple[str, ...], mine: tuple[str, ...], theirs: tuple[str, ...],
                 kept: Iterable[str]) -> tuple[str, ...]:
    """The rows of a list, in order: theirs' order, less what mine removed, plus what mine added.

    ``kept`` names rows that must stay whatever the orders say (rows someone edited).
    """
    if mine == base:
        order = list(theirs)
    elif theirs == base:
        order = list(mine)
    else:
        removed_by_mine = set(base) - set(mine)
        order = [row for row in theirs if row not in removed_by_mine]
        for index, row in enumerate(mine):
            if row in order:
                continue
            before = next((r for r in reversed(mine[:index]) if r in order), None)
            place = order.index(before) + 1 if before is not None else 0
            while place < len(order) and order[place] not in base and order[place] not in mine:
                place += 1  # after the rows theirs added at the same place: saved first, first
            order.insert(place, row)
    for row in kept:
        if row not in order:
            home = mine if row in mine else theirs if row in theirs else base
            before = next((r for r in reversed(home[:home.index(row)]) if r in order), None)
            order.insert(order.index(before) + 1 if before is not None else 0, row)
    return tuple(order)


def merge_leaves(base: dict[str, Any], mine: dict[str, Any], theirs: dict[str, Any],
                 ) -> tuple[dict[str, Any], list[Conflict]]:
    """Merge three documents' leaves; rows' orders are merged separately by the caller."""
    merged: dict[str, Any] = {}
    conflicts: list[Conflict] = []
    for path in sorted(base.keys() | mine.keys() | theirs.keys()):
        if path.endswith("/#order"):
            continue
        b, m, t = (side.get(path, _ABSENT) for side in (base, mine, theirs))
        if m in (b, t):
            value = t
        elif t == b:
            value = m
        elif _is_prose(path) and all(isinstance(v, str) for v in (b, m, t)):
            value = merge_text(b, m, t)
            if value is None:
                conflicts.append(Conflict(path, _thawed(b), _thawed(m), _thawed(t)))
                value = t
        elif m is _ABSENT or t is _ABSENT:
            value = t if m is _ABSENT else m  # an edit wins over the row's removal
        else:
            conflicts.append(Conflict(path, _thawed(b), _thawed(m), _thawed(t)))
            value = t
        if value is not _ABSENT:
            merged[path] = value
    return merged, conflicts


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def document_from_leaves(leaves_: dict[str, Any], orders: dict[str, tuple[str, ...]],
                         ) -> dict[str, Any]:
    """The exchange document the leaves describe (the inverse of ``leaves``)."""
    document: dict[str, Any] = {}
    rows: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in ROW_LISTS}
    for path, value in leaves_.items():
        if path.endswith("/#order"):
            continue  # the orders are given
        parts = [_unescape(p) for p in path.split("/")[1:]]
        if parts[0] in ROW_LISTS:
            rows[parts[0]].setdefault(parts[1], {})[parts[2]] = value
        elif parts[0] == "lessons":
            document.setdefault("lessons", {})[parts[1]] = value
        elif parts[0] == "internal_parts":
            document.setdefault("internal_parts", []).append(parts[1])
        else:
            document[parts[0]] = _thawed(value)
    factor_order = list(orders.get("factors", ()))
    for name in ROW_LISTS:
        document[name] = []
        for row_id in orders.get(name, ()):
            row = {"id": row_id, **{k: _thawed(v) for k, v in rows[name].get(row_id, {}).items()}}
            if name == "actions" and "addresses" in row:
                links = rows[name][row_id]["addresses"]
                row["addresses"] = sorted(factor_order.index(f) for f in links
                                          if f in factor_order)
            document[name].append(row)
    return document


def _complete_rows(merged: dict[str, Any], name: str, order: Iterable[str],
                   sides: list[dict[str, Any]]) -> None:
    """A row one author removed and the other edited stays whole: its other values come back
    from the edition that still has the row (mine first, then theirs, then the base)."""
    key = f"/{name}/#order"
    for row in order:
        if all(row in side[key] for side in sides):
            continue  # no one removed it: what is missing was unticked or emptied
        prefix = f"/{name}/{escape(row)}/"
        for side in (sides[1], sides[2], sides[0]):
            if row in side[key]:
                for path, value in side.items():
                    if path.startswith(prefix) and path not in merged:
                        merged[path] = value
                break


def merge_reports(base: Report, mine: Report, theirs: Report) -> Merged:
    """Put ``mine`` and ``theirs``, two editions of ``base``, together (see the module's doc)."""
    docs = [to_document(r) for r in (base, mine, theirs)]
    sides = [leaves(d) for d in docs]
    merged, conflicts = merge_leaves(*sides)
    orders: dict[str, tuple[str, ...]] = {}
    for name in ROW_LISTS:
        key = f"/{name}/#order"
        edited = {path.split("/")[2] for path in merged
                  if path.startswith(f"/{name}/") and any(
                      side.get(path, _ABSENT) != sides[0].get(path, _ABSENT)
                      for side in sides[1:])}
        order = _merge_order(sides[0][key], sides[1][key], sides[2][key], edited)
        # A row stays only if some of its values survived the merge.
        orders[name] = tuple(row for row in order
                             if any(p.startswith(f"/{name}/{escape(row)}/") for p in merged))
        _complete_rows(merged, name, orders[name], sides)
    report = from_document(document_from_leaves(merged, orders))
    report.timeline = report.sorted_timeline()
    return Merged(report, tuple(conflicts))


def with_values_of(report: Report, source: Report, paths: Iterable[str]) -> Report:
    """``report`` with the values at ``paths`` taken from ``source``: the merged report as the
    author sees it while choosing, their own words where both wrote."""
    document = to_document(report)
    found, theirs = leaves(document), leaves(to_document(source))
    for path in paths:
        if path in theirs:
            found[path] = theirs[path]
        else:
            found.pop(path, None)
    orders = {name: tuple(row["id"] for row in document[name]) for name in ROW_LISTS}
    result = from_document(document_from_leaves(found, orders))
    result.timeline = result.sorted_timeline()
    return result
