"""Reading back a document the store wrote: the inverse of ``to_document``, without its checks.

``from_document`` reads what anyone may send (an import, the API) and checks every value on the
way; that took most of the time of opening a big report, which every autosave does. What the
store keeps was written by ``to_document`` from a report that passed those checks (or the form's),
so it is read back as it is. A document it does not expect (another format, rows without the
ids stored documents have had since issue 15) goes through ``from_document``, checks included.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar

from .exchange import (
    KNOWN_FIELDS,
    SERVER_FIELDS,
    action_document,
    action_documents,
    event_document,
    event_documents,
    factor_document,
    factor_documents,
    from_document,
)
from .model import FORMAT, ActionItem, Factor, Lessons, Report, TimelineEvent
from .row_memo import RowMemo

_ROW_LISTS = ("timeline", "factors", "actions")
Row = TypeVar("Row", TimelineEvent, Factor, ActionItem)


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _as_written(document: Any) -> bool:
    """Whether ``document`` has the shape ``to_document`` gives (and so needs no checks)."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        return False
    # Each row is looked at when it is first read (``_rows``).
    return (all(isinstance(document.get(name), list) for name in _ROW_LISTS)
            and isinstance(document.get("lessons"), dict))


class _NotAsWritten(Exception):
    """A row without the shape ``to_document`` gives it: the whole document is checked."""


def stored_report(document: Any) -> Report:
    """The report a stored document holds."""
    if not _as_written(document):
        return from_document(document)
    try:
        return _read(document)
    except (_NotAsWritten, KeyError, TypeError, ValueError):  # missing or unreadable: checked
        return from_document(document)


def _event(row: dict[str, Any]) -> TimelineEvent:
    return TimelineEvent(at=_moment(row["at"]), kind=row["kind"], description=row["description"],
                         contributing=row["contributing"],
                         outside_window=row.get("outside_window", False),
                         internal=row.get("internal", False), id=row["id"])


def _factor(row: dict[str, Any]) -> Factor:
    return Factor(description=row["description"], root_cause=row["root_cause"],
                  internal=row.get("internal", False), id=row["id"])


def _action(row: dict[str, Any]) -> ActionItem:
    return ActionItem(description=row["description"], owner=row["owner"],
                      priority=row["priority"], due=_day(row["due"]), ticket=row["ticket"],
                      status=row["status"], addresses=tuple(row.get("addresses", ())),
                      internal=row.get("internal", False), id=row["id"])


# The row read from each row of a stored document. The store keeps the documents it last read
# and wrote parsed (reports/store.py), so an autosave reads back the very row documents it
# wrote, and all but the one being typed in are found here.
stored_events: RowMemo[dict[str, Any], TimelineEvent] = RowMemo()
stored_factors: RowMemo[dict[str, Any], Factor] = RowMemo()
stored_actions: RowMemo[dict[str, Any], ActionItem] = RowMemo()


def _rows(documents: list[dict[str, Any]], read: Callable[[dict[str, Any]], Row],
          write: Callable[[Row], dict[str, Any]], memo: RowMemo[dict[str, Any], Row],
          written: RowMemo[Row, dict[str, Any]]) -> list[Row]:
    def first_read(document: dict[str, Any]) -> Row:
        if not isinstance(document, dict) or not isinstance(document.get("id"), str):
            raise _NotAsWritten
        row = read(document)
        if write(row) == document:  # then writing the row again gives this very document
            written.put(row, document)
        return row

    return memo.made_for_each(documents, first_read)


def _read(document: dict[str, Any]) -> Report:
    lessons = document["lessons"]
    return Report(
        title=document["title"], service=document["service"], severity=document["severity"],
        status=document["status"], audience=document["audience"],
        authors=list(document["authors"]), timezone=document["timezone"] or "UTC",
        started_at=_moment(document["started_at"]),
        detected_at=_moment(document["detected_at"]),
        resolved_at=_moment(document["resolved_at"]),
        apology=document["apology"], summary=document["summary"], impact=document["impact"],
        timeline=_rows(document["timeline"], _event, event_document, stored_events,
                       event_documents),
        factors=_rows(document["factors"], _factor, factor_document, stored_factors,
                      factor_documents),
        lessons=Lessons(went_well=lessons["went_well"], went_wrong=lessons["went_wrong"],
                        lucky=lessons["lucky"]),
        actions=_rows(document["actions"], _action, action_document, stored_actions,
                      action_documents),
        follow_up_review_on=_day(document["follow_up_review_on"]),
        follow_up_outcome=document.get("follow_up_outcome", ""),
        follow_up_held_on=_day(document.get("follow_up_held_on")),
        no_single_root_cause=document.get("no_single_root_cause", False),
        internal_parts=list(document.get("internal_parts", ())),
        language=document.get("language", "en"),
        extra={key: value for key, value in document.items()
               if key not in KNOWN_FIELDS and key not in SERVER_FIELDS},
    )
