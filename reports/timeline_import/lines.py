"""Lines that start with a time: a log, notes taken during the incident, a pasted timeline.

A line that starts with a time starts an event; the lines under it without a time belong to it.
A line that is only a date (``Saturday 3 October 2026``) gives the date of the times after it.
"""

from __future__ import annotations

from .model import DayMarker, Item, RawEvent
from .text import clean
from .times import day_only, leading_stamp

BULLET = "-*•·>"


def read_lines(text: str) -> list[Item]:
    items: list[Item] = []
    current: RawEvent | None = None
    body: list[str] = []

    def close() -> None:
        if current is not None:
            description = clean("\n".join(body))
            if description:
                items.append(RawEvent(description, stamp=current.stamp))

    for raw_line in text.splitlines():
        line = raw_line.strip().lstrip(BULLET).strip()
        found = leading_stamp(line) if line else None
        if found is not None:
            close()
            current, body = RawEvent("", stamp=found[0]), [found[1]]
            continue
        day = day_only(line) if line else None
        if day is not None:
            close()
            current, body = None, []
            items.append(DayMarker(day))
        elif current is not None and line:
            body.append(line)
    close()
    return items


def looks_like_lines(text: str) -> int:
    """How many lines start with a time."""
    return sum(1 for line in text.splitlines()[:2_000]
               if line.strip() and leading_stamp(line.strip().lstrip(BULLET).strip()))
