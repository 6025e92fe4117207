"""The JSON exchange format (``hindsight-report/1``): one document per report.

``from_document`` is strict about types and values and lenient about absence: a missing field
means "not written yet". It collects every problem with its path instead of stopping at the
first, so an API client sees all that is wrong in one answer. ``to_document`` writes every field,
keeping each time's own UTC offset, so an import followed by a dump gives the same document.
Fields added after the first release (``outside_window``, ``addresses``,
``no_single_root_cause``, each row's ``internal``, ``internal_parts``) are written only when set,
so older documents round-trip unchanged.
The follow-up review's ``follow_up_outcome`` and ``follow_up_held_on`` are likewise optional.
So is the report's ``language`` ("en" or "fr"): absent means English, and it is written only
for another language.

Text must be valid Unicode: an unpaired surrogate (JSON's ``"\\ud800"`` decodes to one) is
refused by its path, since no UTF-8 writer can store it. One-line fields (title, service,
audience, names, owners, ticket links) lose bidirectional control characters, which there only
make text read differently from what it is; prose keeps them, as right-to-left writing may need
them. ``from_document`` also reads what the app stored itself, so it refuses nothing an earlier
version may have stored: the limits added since are checked where documents come in, by
``reports.json_body.load_json_body`` (nesting, numbers) and ``reports.checks.check_report``
(dates and times between the years ``EARLIEST_YEAR`` and ``LATEST_YEAR``).
"""

from __future__ import annotations

import dataclasses
import math
import re
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, available_timezones

from . import limits
from .language import LANGUAGES
from .model import (
    ACTION_STATUSES,
    EVENT_KINDS,
    FORMAT,
    INTERNAL_PARTS,
    PRIORITIES,
    SEVERITIES,
    STATUSES,
    ActionItem,
    Factor,
    Lessons,
    Report,
    TimelineEvent,
    new_row_id,
)
from .row_memo import RowMemo

# Fields the server manages; accepted in a document and ignored, never stored as the report's.
SERVER_FIELDS = frozenset({"id", "version", "created_at", "updated_at", "url"})
# The document's fields are the model's (``extra`` holds the fields it does not know).
KNOWN_FIELDS = frozenset({f.name for f in dataclasses.fields(Report)} - {"extra"} | {"format"})
_TIMEZONES: frozenset[str] | None = None

EARLIEST_YEAR = 1900
LATEST_YEAR = 2200
MAX_DEPTH = 32  # lists and objects inside each other; the format itself needs 4
_MAX_REPORTED = 20  # problems of unreadable text or nesting named in one answer
_SURROGATE = re.compile("[\ud800-\udfff]")
ROW_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,40}$")
# Rows of a document without ids (written before ids existed, or by hand) are named by their
# place, the same way each time the document is read, so every version of it agrees.
_ROW_ID_PREFIX = {"timeline": "e", "factors": "f", "actions": "a"}
NOT_TEXT_MESSAGE = ("contains a character that is not valid text (an unpaired surrogate such as "
                    "\\ud800): remove it or type it again")
# Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069).
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


class DocumentError(ValueError):
    """The document cannot be taken as a report; ``problems`` maps a field path to a message."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("; ".join(f"{path}: {message}" for path, message in problems.items()))


@lru_cache(maxsize=1)
def all_timezones() -> list[str]:
    """IANA zone names for the picker: the canonical Area/City ones, sorted, and UTC."""
    legacy = ("Etc/", "SystemV/", "US/")
    names = {n for n in available_timezones() if "/" in n and not n.startswith(legacy)}
    return ["UTC", *sorted(names)]


def is_timezone(name: str) -> bool:
    global _TIMEZONES
    if _TIMEZONES is None:
        _TIMEZONES = frozenset(available_timezones())
    return name in _TIMEZONES


def in_year_range(moment: date) -> bool:
    """Whether a date, or a time as written (in its own offset), is in the accepted years.

    A time's year is taken as written, which for the page is as typed in the report's zone: so
    the page and the API accept the same times, and any accepted time stays within two days of
    the range in every zone and in UTC, where it can always be shown. Outside the range a time
    may not exist in the report's zone (9999-12-31T20:00Z is in year 10000 at UTC+14).
    """
    return EARLIEST_YEAR <= moment.year <= LATEST_YEAR


def without_bidi_controls(text: str) -> str:
    """One-line text without the invisible characters that reorder it (e.g. U+202E)."""
    return _BIDI_CONTROLS.sub("", text)


def _segment(key: object) -> str:
    """A path segment that is itself valid text, however broken the key."""
    return str(key).encode("utf-8", "backslashreplace").decode("utf-8")


def unstorable_values(document: Any, only_text: bool = False) -> dict[str, str]:
    """Where a decoded JSON value holds what cannot be stored and read back, by path.

    Finds unpaired surrogates in text and in keys (JSON's ``"\\ud800"`` decodes to one) and,
    unless ``only_text``, nesting deeper than ``MAX_DEPTH`` and numbers that are not finite.
    The walk uses no recursion, so however deep the value it cannot overflow the stack.
    """
    problems: dict[str, str] = {}
    pending: list[tuple[Any, str, int]] = [(document, "", 0)]
    while pending and len(problems) < _MAX_REPORTED:
        value, path, depth = pending.pop()
        prefix = f"{path}." if path else ""
        if isinstance(value, str):
            if _SURROGATE.search(value):
                problems[path] = NOT_TEXT_MESSAGE
        elif isinstance(value, float) and not math.isfinite(value) and not only_text:
            problems[path] = "must be a finite number"
        elif isinstance(value, dict | list):
            if depth >= MAX_DEPTH and not only_text:
                problems[path] = (f"is nested too deeply: at most {MAX_DEPTH} levels of lists "
                                  "and objects")
                continue
            if isinstance(value, list):
                items = [(item, f"{prefix}{i}") for i, item in enumerate(value)]
            else:
                items = []
                for key, item in value.items():
                    if isinstance(key, str) and _SURROGATE.search(key):
                        problems[f"{prefix}{_segment(key)}"] = (
                            "is a field name with a character that is not valid text (an "
                            "unpaired surrogate such as \\ud800)")
                        continue
                    items.append((item, f"{prefix}{key}"))
            pending.extend((item, item_path, depth + 1) for item, item_path in reversed(items))
    return problems


def is_web_link(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


class _Reader:
    def __init__(self) -> None:
        self.problems: dict[str, str] = {}

    def fail(self, path: str, message: str) -> None:
        self.problems.setdefault(path, message)

    def text(self, value: Any, path: str, limit: int, one_line: bool = False) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            self.fail(path, "must be text")
            return ""
        if _SURROGATE.search(value):
            self.fail(path, NOT_TEXT_MESSAGE)
            return ""
        if one_line:
            value = without_bidi_controls(value)
        if "\x00" in value:
            self.fail(path, "must not contain NUL characters")
            return ""
        if len(value) > limit:
            self.fail(path, f"is too long: at most {limit:,} characters, got {len(value):,}")
            return ""
        return value

    def choice(self, value: Any, path: str, allowed: dict[str, Any], default: str | None) -> Any:
        if value is None:
            return default
        if not isinstance(value, str) or value not in allowed:
            self.fail(path, "must be one of " + ", ".join(allowed))
            return default
        return value

    def flag(self, value: Any, path: str) -> bool:
        if value is None:
            return False
        if not isinstance(value, bool):
            self.fail(path, "must be true or false")
            return False
        return value

    def moment(self, value: Any, path: str) -> datetime | None:
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            self.fail(path, "must be an ISO 8601 date and time with a UTC offset")
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            self.fail(path, "must be an ISO 8601 date and time, e.g. 2026-10-03T09:12:00+02:00")
            return None
        if parsed.tzinfo is None:
            self.fail(path, "needs a UTC offset, e.g. 2026-10-03T09:12:00+02:00")
            return None
        return parsed

    def day(self, value: Any, path: str) -> date | None:
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            self.fail(path, "must be a date like 2026-12-03")
            return None
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            self.fail(path, "must be a date like 2026-12-03")
            return None
        return parsed

    def positions(self, value: Any, path: str, count: int) -> list[int]:
        """Distinct 0-based positions in a list of ``count`` rows, sorted."""
        if value is None:
            return []
        if not isinstance(value, list) or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in value
        ):
            self.fail(path, "must be a list of factor positions, counting from 0")
            return []
        if any(not 0 <= i < count for i in value):
            self.fail(path, f"names a factor that does not exist: this report has {count}")
            return []
        return sorted(set(value))

    def parts(self, value: Any, path: str) -> list[str]:
        """Names of free-text parts from ``INTERNAL_PARTS``, each once, in that order."""
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
            self.fail(path, "must be a list of part names")
            return []
        unknown = [name for name in value if name not in INTERNAL_PARTS]
        if unknown:
            self.fail(path, f"names a part that cannot be internal: {unknown[0][:40]!r}; "
                            "these can: " + ", ".join(INTERNAL_PARTS))
            return []
        return [name for name in INTERNAL_PARTS if name in value]

    def row_ids(self, rows: list[dict[str, Any]], path: str) -> list[str]:
        """Each row's ``id``: kept when given, named by its place when absent, unique."""
        given: list[str | None] = []
        for index, row in enumerate(rows):
            value = row.get("id")
            if value is None:
                given.append(None)
            elif isinstance(value, str) and ROW_ID.match(value):
                given.append(value)
            else:
                self.fail(f"{path}.{index}.id", "must be 1 to 40 letters, digits or _ . : -")
                given.append(None)
        taken = {value for value in given if value is not None}
        ids: list[str] = []
        seen: set[str] = set()
        for index, value in enumerate(given):
            if value is None:
                value = f"{_ROW_ID_PREFIX[path]}{index + 1}"
                if value in taken:
                    value = new_row_id()
            elif value in seen:
                self.fail(f"{path}.{index}.id", f"repeats the id of an earlier row ({value})")
            seen.add(value)
            ids.append(value)
        return ids

    def rows(self, value: Any, path: str) -> list[dict[str, Any]]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(path, "must be a list")
            return []
        if len(value) > limits.MAX_ROWS:
            self.fail(path, f"has too many rows: at most {limits.MAX_ROWS}, got {len(value)}")
            return []
        rows = []
        for index, row in enumerate(value):
            if not isinstance(row, dict):
                self.fail(f"{path}.{index}", "must be an object")
                continue
            rows.append(row)
        return rows


def from_document(document: Any) -> Report:
    """Build a report from a decoded JSON document, or raise ``DocumentError``."""
    if not isinstance(document, dict):
        raise DocumentError({"": "the document must be a JSON object"})
    fmt = document.get("format", FORMAT)
    if fmt != FORMAT:
        raise DocumentError(
            {"format": f"unsupported format {fmt!r}: this version reads {FORMAT!r}"}
        )
    r = _Reader()
    # Unknown fields are kept as they are, so their text is checked whole; known ones are read
    # below.
    extra = {key: value for key, value in document.items()
             if key not in KNOWN_FIELDS and key not in SERVER_FIELDS}
    r.problems.update(unstorable_values(extra, only_text=True))
    short, long_ = limits.MAX_SHORT_TEXT, limits.MAX_LONG_TEXT
    report = Report(
        title=r.text(document.get("title"), "title", short, one_line=True),
        service=r.text(document.get("service"), "service", short, one_line=True),
        severity=r.choice(document.get("severity"), "severity", SEVERITIES, None),
        status=r.choice(document.get("status"), "status", STATUSES, "draft"),
        audience=r.text(document.get("audience"), "audience", short, one_line=True),
        apology=r.text(document.get("apology"), "apology", long_),
        summary=r.text(document.get("summary"), "summary", long_),
        impact=r.text(document.get("impact"), "impact", long_),
        started_at=r.moment(document.get("started_at"), "started_at"),
        detected_at=r.moment(document.get("detected_at"), "detected_at"),
        resolved_at=r.moment(document.get("resolved_at"), "resolved_at"),
        follow_up_review_on=r.day(document.get("follow_up_review_on"), "follow_up_review_on"),
        follow_up_outcome=r.text(document.get("follow_up_outcome"), "follow_up_outcome", long_),
        follow_up_held_on=r.day(document.get("follow_up_held_on"), "follow_up_held_on"),
        no_single_root_cause=r.flag(document.get("no_single_root_cause"), "no_single_root_cause"),
        internal_parts=r.parts(document.get("internal_parts"), "internal_parts"),
        language=r.choice(document.get("language"), "language", LANGUAGES, "en"),
    )
    timezone = document.get("timezone")
    if timezone in (None, ""):
        report.timezone = "UTC"
    elif isinstance(timezone, str) and is_timezone(timezone):
        report.timezone = timezone
    else:
        r.fail("timezone", "must be an IANA time zone name such as Europe/Paris or UTC")

    authors = document.get("authors")
    if authors is not None:
        if not isinstance(authors, list):
            r.fail("authors", "must be a list of names")
        elif len(authors) > limits.MAX_AUTHORS:
            r.fail("authors", f"has too many names: at most {limits.MAX_AUTHORS}")
        else:
            report.authors = [
                r.text(name, f"authors.{i}", short, one_line=True)
                for i, name in enumerate(authors)
            ]

    timeline_rows = r.rows(document.get("timeline"), "timeline")
    for i, (row, row_id) in enumerate(zip(timeline_rows, r.row_ids(timeline_rows, "timeline"),
                                          strict=True)):
        p = f"timeline.{i}"
        report.timeline.append(
            TimelineEvent(
                at=r.moment(row.get("at"), f"{p}.at"),
                kind=r.choice(row.get("kind"), f"{p}.kind", EVENT_KINDS, "other"),
                description=r.text(row.get("description"), f"{p}.description", long_),
                contributing=r.flag(row.get("contributing"), f"{p}.contributing"),
                outside_window=r.flag(row.get("outside_window"), f"{p}.outside_window"),
                internal=r.flag(row.get("internal"), f"{p}.internal"),
                id=row_id,
            )
        )
    factor_rows = r.rows(document.get("factors"), "factors")
    for i, (row, row_id) in enumerate(zip(factor_rows, r.row_ids(factor_rows, "factors"),
                                          strict=True)):
        p = f"factors.{i}"
        report.factors.append(
            Factor(
                description=r.text(row.get("description"), f"{p}.description", long_),
                root_cause=r.flag(row.get("root_cause"), f"{p}.root_cause"),
                internal=r.flag(row.get("internal"), f"{p}.internal"),
                id=row_id,
            )
        )
    lessons = document.get("lessons")
    if lessons is not None and not isinstance(lessons, dict):
        r.fail("lessons", "must be an object with went_well, went_wrong and lucky")
    elif lessons:
        report.lessons = Lessons(
            went_well=r.text(lessons.get("went_well"), "lessons.went_well", long_),
            went_wrong=r.text(lessons.get("went_wrong"), "lessons.went_wrong", long_),
            lucky=r.text(lessons.get("lucky"), "lessons.lucky", long_),
        )
    action_rows = r.rows(document.get("actions"), "actions")
    for i, (row, row_id) in enumerate(zip(action_rows, r.row_ids(action_rows, "actions"),
                                          strict=True)):
        p = f"actions.{i}"
        ticket = r.text(row.get("ticket"), f"{p}.ticket", limits.MAX_URL, one_line=True)
        if ticket and not is_web_link(ticket):
            r.fail(f"{p}.ticket", "must be a web address starting with https:// or http://")
        report.actions.append(
            ActionItem(
                description=r.text(row.get("description"), f"{p}.description", long_),
                owner=r.text(row.get("owner"), f"{p}.owner", short, one_line=True),
                priority=r.choice(row.get("priority"), f"{p}.priority", PRIORITIES, None),
                due=r.day(row.get("due"), f"{p}.due"),
                ticket=ticket,
                status=r.choice(row.get("status"), f"{p}.status", ACTION_STATUSES, "proposed"),
                addresses=tuple(r.positions(row.get("addresses"), f"{p}.addresses",
                                            len(report.factors))),
                internal=r.flag(row.get("internal"), f"{p}.internal"),
                id=row_id,
            )
        )
    report.extra = extra
    if r.problems:
        raise DocumentError(r.problems)
    return report


def _iso(moment: datetime | date | None) -> str | None:
    return None if moment is None else moment.isoformat()


def event_document(e: TimelineEvent) -> dict[str, Any]:
    return {
        "id": e.id,
        "at": _iso(e.at),
        "kind": e.kind,
        "description": e.description,
        "contributing": e.contributing,
        **({"outside_window": True} if e.outside_window else {}),
        **({"internal": True} if e.internal else {}),
    }


def factor_document(f: Factor) -> dict[str, Any]:
    return {
        "id": f.id,
        "description": f.description,
        "root_cause": f.root_cause,
        **({"internal": True} if f.internal else {}),
    }


def action_document(a: ActionItem) -> dict[str, Any]:
    return {
        "id": a.id,
        "description": a.description,
        "owner": a.owner,
        "priority": a.priority,
        "due": _iso(a.due),
        "ticket": a.ticket,
        "status": a.status,
        **({"addresses": list(a.addresses)} if a.addresses else {}),
        **({"internal": True} if a.internal else {}),
    }


# The document of each row object already written, by kind of row. Shared by every document
# that holds the row: nothing changes a document once made (a patch works on a deep copy).
event_documents: RowMemo[TimelineEvent, dict[str, Any]] = RowMemo()
factor_documents: RowMemo[Factor, dict[str, Any]] = RowMemo()
action_documents: RowMemo[ActionItem, dict[str, Any]] = RowMemo()


def to_document(report: Report) -> dict[str, Any]:
    """The report as an exchange document; every field is present."""
    document: dict[str, Any] = {
        "format": FORMAT,
        "title": report.title,
        "service": report.service,
        "severity": report.severity,
        "status": report.status,
        "audience": report.audience,
        "authors": list(report.authors),
        "timezone": report.timezone,
        "started_at": _iso(report.started_at),
        "detected_at": _iso(report.detected_at),
        "resolved_at": _iso(report.resolved_at),
        "apology": report.apology,
        "summary": report.summary,
        "impact": report.impact,
        "timeline": event_documents.made_for_each(report.timeline, event_document),
        "factors": factor_documents.made_for_each(report.factors, factor_document),
        "lessons": {
            "went_well": report.lessons.went_well,
            "went_wrong": report.lessons.went_wrong,
            "lucky": report.lessons.lucky,
        },
        "actions": action_documents.made_for_each(report.actions, action_document),
        "follow_up_review_on": _iso(report.follow_up_review_on),
        **({"follow_up_outcome": report.follow_up_outcome} if report.follow_up_outcome else {}),
        **({"follow_up_held_on": _iso(report.follow_up_held_on)}
           if report.follow_up_held_on else {}),
        **({"no_single_root_cause": True} if report.no_single_root_cause else {}),
        **({"internal_parts": list(report.internal_parts)} if report.internal_parts else {}),
        **({"language": report.language} if report.language != "en" else {}),
    }
    for key, value in report.extra.items():
        document.setdefault(key, value)
    return document


def zone(report: Report) -> ZoneInfo:
    return ZoneInfo(report.timezone if is_timezone(report.timezone) else "UTC")
