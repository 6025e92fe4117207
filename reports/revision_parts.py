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

from .language import N_, gettext_for

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
    "title": N_("the title"),
    "service": N_("the service"),
    "severity": N_("the severity"),
    "status": N_("the status"),
    "audience": N_("who the report is for"),
    "language": N_("the report's language"),
    "authors": N_("who wrote it"),
    "timezone": N_("the time zone"),
    "started_at": N_("when it started"),
    "detected_at": N_("when it was noticed"),
    "resolved_at": N_("when it was resolved"),
    "apology": N_("the apology"),
    "summary": N_("the summary"),
    "impact": N_("the impact"),
    "impact_internal": N_("whether the impact is internal only"),
    "timeline": N_("the timeline"),
    "factors": N_("the contributing factors"),
    "no_single_root_cause": N_("the “no single root cause” tick"),
    "went_well": N_("what went well"),
    "went_well_internal": N_("whether what went well is internal only"),
    "went_wrong": N_("what went wrong"),
    "went_wrong_internal": N_("whether what went wrong is internal only"),
    "lucky": N_("where we got lucky"),
    "lucky_internal": N_("whether where we got lucky is internal only"),
    "actions": N_("the action items"),
    "follow_up_review_on": N_("the follow-up review date"),
    "follow_up_outcome": N_("the follow-up outcome"),
    "follow_up_held_on": N_("when the follow-up review was held"),
    _EXTRA: N_("details from an imported file"),
}
_ROW_WORDS = {"timeline": (N_("timeline event"), N_("timeline events")),
              "factors": (N_("contributing factor"), N_("contributing factors")),
              "actions": (N_("action item"), N_("action items"))}
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


def _list(words: list[str], language: str = "en") -> str:
    if len(words) == 1:
        return words[0]
    return gettext_for(language, N_("%(items)s and %(last)s")) % {
        "items": ", ".join(words[:-1]), "last": words[-1]}


def part_words(part: str, rows: Iterable[str] = (), language: str = "en") -> str:
    """One part as a sentence names it: "the summary", "2 action items"."""
    count = len(list(rows))
    if part in _ROW_WORDS and count:
        one, many = _ROW_WORDS[part]
        if count == 1:
            return gettext_for(language, N_("1 %(row)s")) % {"row": gettext_for(language, one)}
        return gettext_for(language, N_("%(count)s %(rows)s")) % {
            "count": count, "rows": gettext_for(language, many)}
    return gettext_for(language, PART_WORDS.get(part, PART_WORDS[_EXTRA]))


def describe(parts: Parts | None, language: str = "en") -> str:
    """"Changed the summary, the timeline and 2 action items"; "" when it is not known."""
    if parts is None:
        return ""
    if not parts:
        return gettext_for(language, N_("Nothing changed"))
    words = [part_words(part, rows, language) for part, rows in _ordered(parts).items()]
    return gettext_for(language, N_("Changed %(parts)s")) % {
        "parts": _list(list(dict.fromkeys(words)), language)}


# What made each revision, as the history names it. Revisions saved before kinds were kept have
# none and read as a save.
KINDS: dict[str, str] = {
    "create": N_("Started"),
    "import": N_("Imported"),
    "autosave": N_("Autosaved"),
    "save": N_("Saved"),
    "status": N_("Status changed"),
    "action": N_("Action item updated"),
    "restore": N_("Earlier version brought back"),
    "merge": N_("Changes merged"),
    "api": N_("Saved through the API"),
    "patch": N_("Changed through the API"),
}
AUTOSAVE = "autosave"


def kind_words(kind: str | None) -> str:
    return KINDS.get(kind or "save", KINDS["save"])
