"""Which parts of a report one save changed, and how the history says it in plain words.

A part is what the page calls one: a text or a date (``summary``, ``started_at``), a tick
(``no_single_root_cause``, ``impact_internal``), or a whole list of rows (``timeline``,
``factors``, ``actions``) — the ids of ``views/conflicts.py``'s ``LABELS``, plus ``status``.
For a row list the change keeps the ids of the rows added, removed or edited, so the changes of
several autosaves folded into one revision join without counting a row twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

# Which rows of each list changed; an empty list for a part that is not a row list (or a row
# list whose rows only moved).
Parts = dict[str, list[str]]

ROW_LISTS = ("timeline", "factors", "actions")
_LESSONS = ("went_well", "went_wrong", "lucky")
# Internal-only ticks: the page's tick id by the part's name in the document's internal_parts.
_INTERNAL_TICKS = {"impact": "impact_internal", "lessons.went_well": "went_well_internal",
                   "lessons.went_wrong": "went_wrong_internal", "lessons.lucky": "lucky_internal"}
_EXTRA = "extra"  # fields of an imported document this version does not know
_NOT_PARTS = {"format", "lessons", "internal_parts", *ROW_LISTS}

# Every part, in the page's order, as a sentence names it ("Changed the summary").
PART_WORDS: dict[str, str] = {
    "title": "the title",
    "service": "the service",
    "severity": "the severity",
    "status": "the status",
    "audience": "who the report is for",
    "language": "the report's language",
    "authors": "who wrote it",
    "timezone": "the time zone",
    "started_at": "when it started",
    "detected_at": "when it was noticed",
    "resolved_at": "when it was resolved",
    "apology": "the apology",
    "summary": "the summary",
    "impact": "the impact",
    "impact_internal": "whether the impact is internal only",
    "timeline": "the timeline",
    "factors": "the contributing factors",
    "no_single_root_cause": "the “no single root cause” tick",
    "went_well": "what went well",
    "went_well_internal": "whether what went well is internal only",
    "went_wrong": "what went wrong",
    "went_wrong_internal": "whether what went wrong is internal only",
    "lucky": "where we got lucky",
    "lucky_internal": "whether where we got lucky is internal only",
    "actions": "the action items",
    "follow_up_review_on": "the follow-up review date",
    "follow_up_outcome": "the follow-up outcome",
    "follow_up_held_on": "when the follow-up review was held",
    _EXTRA: "details from an imported file",
}
_ROW_WORDS = {"timeline": ("timeline event", "timeline events"),
              "factors": ("contributing factor", "contributing factors"),
              "actions": ("action item", "action items")}
_ORDER = {part: index for index, part in enumerate(PART_WORDS)}


def _changed_rows(before: list[Any], after: list[Any]) -> list[str] | None:
    """The ids of the rows added, removed or edited; [] when they only moved; None: the same."""
    if before == after:
        return None
    if all(isinstance(r, dict) and "id" in r for r in [*before, *after]):
        old = {r["id"]: r for r in before}
        new = {r["id"]: r for r in after}
        changed = [i for i, row in new.items() if old.get(i) != row]
        changed += [i for i in old if i not in new]
        return changed
    # Rows from before ids existed: compare place by place, without the ids.
    def plain(row: Any) -> Any:
        return {k: v for k, v in row.items() if k != "id"} if isinstance(row, dict) else row

    longest = max(len(before), len(after))
    return [f"#{place + 1}" for place in range(longest)
            if place >= len(before) or place >= len(after)
            or plain(before[place]) != plain(after[place])]


def changed_parts(before: Mapping[str, Any], after: Mapping[str, Any]) -> Parts:
    """What differs between two exchange documents, part by part, in the page's order."""
    found: Parts = {}
    for key in {*before, *after} - _NOT_PARTS:
        if before.get(key) != after.get(key):
            found[key if key in PART_WORDS else _EXTRA] = []
    for lesson in _LESSONS:
        if (before.get("lessons") or {}).get(lesson) != (after.get("lessons") or {}).get(lesson):
            found[lesson] = []
    internal_before = set(before.get("internal_parts") or ())
    internal_after = set(after.get("internal_parts") or ())
    for name in internal_before ^ internal_after:
        found[_INTERNAL_TICKS.get(name, _EXTRA)] = []
    for rows in ROW_LISTS:
        changed = _changed_rows(list(before.get(rows) or ()), list(after.get(rows) or ()))
        if changed is not None:
            found[rows] = changed
    return _ordered(found)


def joined(*changes: Parts) -> Parts:
    """The parts several saves changed together, each row counted once."""
    found: Parts = {}
    for parts in changes:
        for part, rows in parts.items():
            kept = found.setdefault(part, [])
            kept.extend(row for row in rows if row not in kept)
    return _ordered(found)


def _ordered(parts: Parts) -> Parts:
    return dict(sorted(parts.items(), key=lambda item: _ORDER.get(item[0], len(_ORDER))))


def to_text(parts: Parts) -> str:
    return json.dumps(parts, separators=(",", ":"))


def from_text(text: str | None) -> Parts | None:
    """The parts as stored; None when they are not known (revisions saved before they were)."""
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    return {str(part): [str(row) for row in rows] if isinstance(rows, list) else []
            for part, rows in value.items()}


def _list(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def part_words(part: str, rows: Iterable[str] = ()) -> str:
    """One part as a sentence names it: "the summary", "2 action items"."""
    count = len(list(rows))
    if part in _ROW_WORDS and count:
        one, many = _ROW_WORDS[part]
        return f"1 {one}" if count == 1 else f"{count} {many}"
    return PART_WORDS.get(part, PART_WORDS[_EXTRA])


def describe(parts: Parts | None) -> str:
    """"Changed the summary, the timeline and 2 action items"; "" when it is not known."""
    if parts is None:
        return ""
    if not parts:
        return "Nothing changed"
    words = [part_words(part, rows) for part, rows in _ordered(parts).items()]
    return "Changed " + _list(list(dict.fromkeys(words)))


# What made each revision, as the history names it. Revisions saved before kinds were kept have
# none and read as a save.
KINDS: dict[str, str] = {
    "create": "Started",
    "import": "Imported",
    "autosave": "Autosaved",
    "save": "Saved",
    "status": "Status changed",
    "action": "Action item updated",
    "restore": "Earlier version brought back",
    "merge": "Changes merged",
    "api": "Saved through the API",
    "patch": "Changed through the API",
}
AUTOSAVE = "autosave"


def kind_words(kind: str | None) -> str:
    return KINDS.get(kind or "save", KINDS["save"])
