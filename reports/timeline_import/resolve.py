"""Times as written, made into moments with an offset, the way a person reading the source would.

- A zone written with the time wins; otherwise the zone given for the source, else the report's
  (and the reading says a zone was needed).
- A time without a date takes the date of the last line that had one, else the report's day
  (when it started, else when it was noticed, in the report's zone), else today.
- A time that goes back by more than 12 hours from the one before it is on the next day
  (23:58, then 00:03); a smaller step back is a message out of order, on the same day.
- A date without a year takes the year of the date before it (or the report's), and the next
  year when that puts it more than half a year back (31 Dec, then 1 Jan).
- 03/10/2026, where either number could be the month, follows the text itself when another of
  its dates settles the order (13/10/2026), else ``day_first`` when given, else the custom of
  the zone's region (month first in the United States, Canada and the Philippines).
- When the clocks go back, a time that happens twice is the second one if the first would put it
  before the message above it; a time the clocks skipped is read on the clock before the change
  (02:30 becomes 03:30 summer time).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from .model import DateParts, DayMarker, Item, RawEvent, Settings, Stamp
from .zones import day_first_in, zone_of

ROLL_BACK_LIMIT = timedelta(hours=12)
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200


@dataclass(frozen=True)
class Timed:
    """An event with its moment settled (in UTC)."""

    event: RawEvent
    at: datetime
    needed_zone: bool


@dataclass(frozen=True)
class DayOrderChoice:
    day_first: bool
    ambiguous: bool  # some date could be read either way, and this choice decided it


def day_order(items: Iterable[Item], settings: Settings, zone_name: str) -> DayOrderChoice:
    """How to read the text's dates whose day and month could swap."""
    parts: list[DateParts] = []
    for item in items:
        if isinstance(item, DayMarker):
            parts.append(item.date)
        elif item.stamp is not None and item.stamp.date is not None:
            parts.append(item.stamp.date)
    numeric = [p for p in parts if p.numeric]
    ambiguous = any(p.order == "either" for p in numeric)
    settled = {p.order for p in numeric if p.order != "either"}
    if ambiguous and settled == {"md"}:
        return DayOrderChoice(False, False)
    if ambiguous and settled == {"dm"}:
        return DayOrderChoice(True, False)
    if settings.day_first is not None:
        return DayOrderChoice(settings.day_first, ambiguous)
    return DayOrderChoice(day_first_in(zone_name), ambiguous)


def _date_of(parts: DateParts, day_first: bool, year: int) -> date:
    if parts.order == "md" or (parts.order == "either" and not day_first):
        month, day = parts.first, parts.second
    else:
        day, month = parts.first, parts.second
    return date(parts.year or year, month, day)


def _with_year(parts: DateParts, day_first: bool, before: date) -> date:
    """The date, a yearless one placed in the year that keeps it near ``before``."""
    found = _date_of(parts, day_first, before.year)
    if parts.year is None and (before - found).days > 183:
        found = _date_of(parts, day_first, before.year + 1)
    return found


def _moment(wall: datetime, zone: tzinfo, after: datetime | None) -> datetime:
    """The wall-clock time in ``zone`` as a UTC moment; of the two readings a clock change can
    give, the first one not before ``after``."""
    readings = sorted({wall.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1)})
    if after is not None:
        for reading in readings:
            if reading >= after:
                return reading
    return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)


class Clock:
    """Walks the source in order, keeping the day and the last time seen."""

    def __init__(self, settings: Settings, report_zone: str, reference: datetime | None,
                 today: date, day_first: bool) -> None:
        self.given = zone_of(settings.timezone) if settings.timezone else None
        self.zone = self.given or zone_of(report_zone) or UTC
        self.day_first = day_first
        self.day = reference.astimezone(self.zone).date() if reference else today
        self.last_wall = (reference.astimezone(self.zone).replace(tzinfo=None)
                          if reference else None)
        self.last_moment: datetime | None = None

    def set_day(self, parts: DateParts) -> None:
        self.day = _with_year(parts, self.day_first, self.day)
        self.last_wall = None

    def place(self, stamp: Stamp) -> tuple[datetime, bool]:
        zone = stamp.zone or self.zone
        needed_zone = stamp.zone is None and self.given is None
        if stamp.date is not None:
            self.day = _with_year(stamp.date, self.day_first, self.day)
            wall = datetime.combine(self.day, stamp.clock)
        else:
            wall = datetime.combine(self.day, stamp.clock)
            if self.last_wall is not None and self.last_wall - wall > ROLL_BACK_LIMIT:
                wall += timedelta(days=1)
                self.day = wall.date()
        self.last_wall = wall
        moment = _moment(wall, zone, self.last_moment)
        self.last_moment = moment
        return moment, needed_zone

    def follow(self, moment: datetime) -> None:
        """An exact moment (Slack, a dated e-mail header): later times without a date follow
        its day."""
        local = moment.astimezone(self.zone)
        self.day = local.date()
        self.last_wall = local.replace(tzinfo=None)
        self.last_moment = moment.astimezone(UTC)


def resolve(items: list[Item], settings: Settings, report_zone: str,
            reference: datetime | None, today: date) -> tuple[list[Timed], DayOrderChoice]:
    """Every event with a moment, in the source's order; events whose date cannot be (30
    February, the year 9999) are left out."""
    zone_name = settings.timezone if settings.timezone and zone_of(settings.timezone) \
        else report_zone
    choice = day_order(items, settings, zone_name)
    clock = Clock(settings, report_zone, reference, today, choice.day_first)
    timed: list[Timed] = []
    for item in items:
        try:
            if isinstance(item, DayMarker):
                clock.set_day(item.date)
                continue
            if item.moment is not None:
                clock.follow(item.moment)
                at, needed = item.moment.astimezone(UTC), False
            elif item.stamp is not None:
                at, needed = clock.place(item.stamp)
            else:
                continue
        except (ValueError, OverflowError):
            continue
        if EARLIEST_YEAR <= at.year <= LATEST_YEAR:
            timed.append(Timed(item, at, needed))
    return timed, choice

