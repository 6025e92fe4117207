"""What the readers of pasted text hand on, and what the import gives back.

Each source module turns text into ``RawEvent``s in the order the source lists them, with the
time as written (a ``Stamp``) or as an exact moment (Slack's epoch seconds, an e-mail's dated
header). ``resolve`` then gives every event a time with an offset, and ``reading`` guesses the
kind and marks the duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from typing import Literal

from reports.language import N_

# The kinds of text the import reads, named for people (translated where shown: ``tr``).
SOURCES: dict[str, str] = {
    "slack": N_("Slack channel export"),
    "teams": N_("Microsoft Teams messages"),
    "google_chat": N_("Google Chat messages"),
    "email": N_("E-mail thread"),
    "csv": N_("Table (CSV)"),
    "lines": N_("Lines that start with a time"),
}
# The same names inside a sentence ("… found in the e-mail thread"); "text" when none is known.
SOURCES_IN_A_SENTENCE: dict[str, str] = {
    "slack": N_("Slack channel export"),
    "teams": N_("Microsoft Teams messages"),
    "google_chat": N_("Google Chat messages"),
    "email": N_("e-mail thread"),
    "csv": N_("table (CSV)"),
    "lines": N_("lines that start with a time"),
    "": N_("text"),
}

# How a date written with numbers alone is read: day then month ("dm"), month then day
# ("md"), or either (both numbers are 12 or less, as in 03/10/2026).
DayOrder = Literal["dm", "md", "either"]


@dataclass(frozen=True)
class DateParts:
    """A date as written; ``first`` and ``second`` are the day and month in ``order``."""

    first: int
    second: int
    year: int | None
    order: DayOrder
    numeric: bool = False  # written as numbers with slashes (03/10), so the order may vary


@dataclass(frozen=True)
class Stamp:
    """A time as written: a clock time, perhaps a date, perhaps a zone."""

    clock: time
    date: DateParts | None = None
    zone: tzinfo | None = None


@dataclass(frozen=True)
class RawEvent:
    """One message or line as the source gives it, before its time is settled."""

    text: str
    stamp: Stamp | None = None
    moment: datetime | None = None  # an exact moment (offset-aware), when the source has one
    author: str = ""
    hint: str = ""  # extra words that help guess the kind (a CSV's "type" column, a subject)


@dataclass(frozen=True)
class DayMarker:
    """A line that names a day and nothing else ("Saturday, 3 October 2026"): the date of the
    times that follow it."""

    date: DateParts


Item = RawEvent | DayMarker


@dataclass(frozen=True)
class Settings:
    """What the person says about the text (all optional)."""

    timezone: str | None = None  # the zone of times that carry none
    day_first: bool | None = None  # how to read 03/10/2026; None: the zone's custom
    source: str | None = None  # force a reader (a key of SOURCES)
    time_column: str | int | None = None  # CSV: a header name or a 0-based position
    text_column: str | int | None = None


@dataclass(frozen=True)
class ExistingEvent:
    """A row already in the report, as the duplicate check needs it."""

    at: datetime | None
    description: str


@dataclass(frozen=True)
class ReportContext:
    """What the report says that the import needs: its zone, its day and its rows."""

    timezone: str
    reference: datetime | None  # when it started (or was noticed); dates come from here
    today: date  # when the report has no time at all
    existing: tuple[ExistingEvent, ...] = ()


@dataclass(frozen=True)
class FoundEvent:
    at: datetime  # offset-aware, in the report's zone
    kind: str
    description: str
    author: str = ""
    duplicate: bool = False
    needs_timezone: bool = False  # written without a zone, and none was given


@dataclass(frozen=True)
class Table:
    """A CSV's header and first rows, for the step that chooses its columns."""

    columns: tuple[str, ...]
    preview: tuple[tuple[str, ...], ...]
    time_column: int | None
    text_column: int | None


@dataclass(frozen=True)
class Reading:
    """What the import found in one text."""

    source: str  # a key of SOURCES, or "" when nothing was recognised
    events: tuple[FoundEvent, ...] = ()
    timezone: str = "UTC"  # the zone of the times that carried none
    needs_timezone: bool = False  # some times carried no zone and none was given
    ambiguous_dates: bool = False  # dates such as 03/10/2026 were read by ``day_first``
    day_first: bool = True
    left_out: int = 0  # joins, reactions, bot noise and the like
    truncated: bool = False  # more events than MAX_EVENTS: the first ones are kept
    table: Table | None = None
    problems: tuple[str, ...] = field(default_factory=tuple)
