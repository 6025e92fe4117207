"""Times as people and tools write them, read from the start of a line or a whole cell.

Forms read (with or without seconds, a weekday before, brackets around):
``09:14``, ``9:14 AM``, ``9am``, ``2026-10-03 09:14``, ``2026-10-03T09:14:00+02:00``,
``2026/10/03 09:14``, ``03/10/2026 09:14``, ``3.10.2026 09:14``, ``10/3 9:14 AM``,
``Oct 3, 9:14 AM``, ``October 3rd 2026 at 9:14``, ``3 Oct 2026 09:14``,
``Fri, 3 Oct 2026 09:40:12 +0200``; then a zone: ``Z``, ``+02:00``, ``UTC``, ``UTC+2``, ``CET``,
``(CEST)``, ``Europe/Paris``.

A time needs a colon or am/pm, so "3.5 million" or "1:1" never reads as one. Dates such as
03/10/2026 keep both readings until the whole text is known (``DateParts.order``).
"""

from __future__ import annotations

import re
from datetime import date, time, tzinfo
from typing import Any

from .model import DateParts, DayOrder, Stamp
from .zones import ABBREVIATIONS, named_zone, offset_zone, zone_of

MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]{0,6}\.?,?\s+)"
_ORDINAL = r"(?:st|nd|rd|th)?"
_DATE = (
    rf"(?:(?P<iy>\d{{4}})[-/](?P<im>\d{{1,2}})[-/](?P<id>\d{{1,2}})"
    rf"|(?P<na>\d{{1,2}})(?P<ns>[/.])(?P<nb>\d{{1,2}})(?:(?P=ns)(?P<ny>\d{{4}}|\d{{2}})(?![\d:]))?"
    rf"|(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}}){_ORDINAL}(?:,?\s+(?P<y1>\d{{4}})(?![\d:]))?"
    rf"|(?P<d2>\d{{1,2}}){_ORDINAL}[\s-]+(?:of\s+)?(?P<m2>{_MONTH})(?:,?[\s-]+(?P<y2>\d{{4}})(?![\d:]))?)"
)
_AMPM = r"(?:\s*(?P<ampm>[ap])\.?m\.?(?![a-z]))"
_CLOCK = (
    rf"(?:(?P<h>\d{{1,2}}):(?P<mi>\d{{2}})(?::(?P<s>\d{{2}})(?:[.,](?P<frac>\d{{1,9}}))?)?{_AMPM}?"
    rf"|(?P<h2>\d{{1,2}})\s*(?P<ampm2>[ap])\.?m\.?(?![a-z]))"
)
_ABBREVIATION = "|".join(ABBREVIATIONS)
_ZONE = (
    rf"(?P<z>(?-i:Z))(?![A-Za-z])"
    rf"|(?P<off>[+-]\d{{2}}(?::?\d{{2}})?)(?![\d:])"
    rf"|\s+(?P<soff>[+-]\d{{2}}:?\d{{2}})(?![\d:])"
    rf"|\s*\(?(?P<abbr>(?-i:{_ABBREVIATION}))(?P<aoff>[+-]\d{{1,2}}(?::?\d{{2}})?)?\)?(?![A-Za-z])"
)
_IANA = r"|\s+\(?(?P<iana>(?-i:[A-Z][A-Za-z]+/[A-Za-z_]+(?:/[A-Za-z_]+)?))\)?"
_DAYWORD = r"(?:(?P<dayword>today|yesterday)\s*,?\s*(?:at\s+)?)"
_STAMP = (
    rf"[\[(]?\s*{_WEEKDAY}?(?:{_DAYWORD}|{_DATE}(?:\s*T\s*|\s*,\s*(?:at\s+)?|\s+at\s+|\s+-\s+|\s+))?"
    rf"{_CLOCK}"
)
LEADING = re.compile(rf"{_STAMP}(?:{_ZONE}{_IANA})?(?:\s*[\])])?", re.IGNORECASE)
# The same without zone names such as Europe/Paris, for a line whose "zone" names none.
LEADING_NO_IANA = re.compile(rf"{_STAMP}(?:{_ZONE})?(?:\s*[\])])?", re.IGNORECASE)
# A line that is only a date, such as a chat's day separator or a log's day heading.
DAY_ONLY = re.compile(rf"\s*[\[(]?\s*{_WEEKDAY}?{_DATE}\s*[\])]?\s*$", re.IGNORECASE)
# What may separate a stamp from the text after it.
_SEPARATOR = re.compile(r"\s*(?:[-–—|:>•,;]+\s*|\t+|\s+|$)")


def _year(text: str | None) -> int | None:
    if not text:
        return None
    year = int(text)
    return year + 2000 if year < 100 else year


def _date_parts(g: dict[str, Any]) -> DateParts | None:
    """The date a stamp's match wrote, or None when it wrote none; ValueError when invalid."""
    if g.get("iy"):
        parts = DateParts(int(g["id"]), int(g["im"]), int(g["iy"]), "dm")
    elif g.get("na"):
        a, b = int(g["na"]), int(g["nb"])
        order: DayOrder
        if g["ns"] == ".":
            order = "dm"  # 3.10.2026 is day first wherever it is written
        elif a > 12:
            order = "dm"
        elif b > 12:
            order = "md"
        else:
            order = "dm" if a == b else "either"
        parts = DateParts(a, b, _year(g.get("ny")), order, numeric=g["ns"] == "/")
    elif g.get("m1"):
        parts = DateParts(int(g["d1"]), MONTHS[g["m1"][:3].lower()], _year(g.get("y1")), "dm")
    elif g.get("d2"):
        parts = DateParts(int(g["d2"]), MONTHS[g["m2"][:3].lower()], _year(g.get("y2")), "dm")
    else:
        return None
    check_parts(parts)
    return parts


def check_parts(parts: DateParts) -> None:
    """ValueError when no reading of the parts is a date (31/31, 30 February)."""
    year = parts.year or 2000  # a leap year, so 29 February without a year is allowed
    readings = {"dm": [(parts.first, parts.second)], "md": [(parts.second, parts.first)],
                "either": [(parts.first, parts.second), (parts.second, parts.first)]}
    for day, month in readings[parts.order]:
        date(year, month, day)


def _clock(g: dict[str, Any]) -> time:
    if g.get("h2"):
        hour, minute, second, micro, ampm = int(g["h2"]), 0, 0, 0, g["ampm2"]
    else:
        hour, minute = int(g["h"]), int(g["mi"])
        second = int(g["s"] or 0)
        micro = int((g["frac"] or "0")[:6].ljust(6, "0"))
        ampm = g.get("ampm")
    if ampm:
        if not 1 <= hour <= 12:
            raise ValueError("not a 12-hour time")
        hour = hour % 12 + (12 if ampm.lower() == "p" else 0)
    if second == 60:  # a leap second, as some logs write it
        second = 59
    return time(hour, minute, second, micro)


def _zone(g: dict[str, Any]) -> tzinfo | None:
    if g.get("z"):
        return named_zone("Z")
    for key in ("off", "soff"):
        if g.get(key):
            zone = offset_zone(g[key])
            if zone is None:
                raise ValueError("not an offset")
            return zone
    if g.get("abbr"):
        zone = named_zone(g["abbr"], g.get("aoff") or "")
        if zone is None:
            raise ValueError("not a zone")
        return zone
    if g.get("iana"):
        return zone_of(g["iana"])  # an unknown name: no zone, the text keeps it
    return None


def _stamp(match: re.Match[str]) -> Stamp | None:
    try:
        g = match.groupdict()
        return Stamp(_clock(g), _date_parts(g), _zone(g))
    except (ValueError, KeyError):
        return None


def leading_stamp(line: str) -> tuple[Stamp, str] | None:
    """The time a line starts with, and the rest of the line; None when it starts with none."""
    match = LEADING.match(line)
    if match is None:
        return None
    if match.groupdict().get("iana") and zone_of(match.group("iana")) is None:
        match = LEADING_NO_IANA.match(line)  # "09:14 Deploy/rollback" is text, not a zone
        if match is None:
            return None
    stamp = _stamp(match)
    if stamp is None:
        return None
    rest = line[match.end():]
    separator = _SEPARATOR.match(rest)
    if separator is None or (separator.end() == 0 and rest and rest[0].isalnum()):
        return None  # "09:14abc" is not a time followed by text
    return stamp, rest[separator.end():]


def whole_stamp(text: str) -> Stamp | None:
    """A cell or header value that is a time and nothing else."""
    text = text.strip().rstrip(".,;")
    found = leading_stamp(text)
    if found is None or found[1].strip():
        return None
    return found[0]


def day_only(line: str) -> DateParts | None:
    """The date of a line that holds a date and nothing else."""
    match = DAY_ONLY.match(line)
    if match is None:
        return None
    try:
        return _date_parts(match.groupdict())
    except (ValueError, KeyError):
        return None
