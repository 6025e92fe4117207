"""Time zones as people write them, and the date order each zone's region uses.

A short name stands for its region's clock on that day, as the IANA time zone database reads
the names it knows itself (its ``CET`` follows Central European summer time): ``CET`` and
``CEST`` are both Central European time, ``EST`` and ``EDT`` both New York's. So "09:14 CET" on
a summer day is 09:14 Paris time, the way people write it. ``UTC``, ``GMT``, ``Z`` and written
offsets (``+02:00``, ``UTC+2``) are exact.
"""

from __future__ import annotations

import re
from datetime import UTC, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

REGIONS: dict[str, str] = {
    "CET": "Europe/Paris", "CEST": "Europe/Paris", "MET": "Europe/Paris",
    "MEST": "Europe/Paris", "EET": "Europe/Athens", "EEST": "Europe/Athens",
    "WET": "Europe/Lisbon", "WEST": "Europe/Lisbon", "BST": "Europe/London",
    "IST": "Asia/Kolkata", "MSK": "Europe/Moscow",
    "EST": "America/New_York", "EDT": "America/New_York",
    "CST": "America/Chicago", "CDT": "America/Chicago",
    "MST": "America/Denver", "MDT": "America/Denver",
    "PST": "America/Los_Angeles", "PDT": "America/Los_Angeles",
    "AKST": "America/Anchorage", "AKDT": "America/Anchorage", "HST": "Pacific/Honolulu",
    "JST": "Asia/Tokyo", "KST": "Asia/Seoul", "SGT": "Asia/Singapore", "HKT": "Asia/Hong_Kong",
    "AEST": "Australia/Sydney", "AEDT": "Australia/Sydney",
    "ACST": "Australia/Adelaide", "ACDT": "Australia/Adelaide", "AWST": "Australia/Perth",
    "NZST": "Pacific/Auckland", "NZDT": "Pacific/Auckland",
}
EXACT = frozenset({"UTC", "GMT", "UT", "Z"})
ABBREVIATIONS = tuple(sorted(REGIONS.keys() | EXACT, key=len, reverse=True))

# Where dates are written month first (10/03/2026 is 3 October). Everywhere else: day first.
MONTH_FIRST_PREFIXES = (
    "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
    "America/Phoenix", "America/Anchorage", "America/Adak", "America/Boise", "America/Detroit",
    "America/Indiana/", "America/Kentucky/", "America/North_Dakota/", "America/Menominee",
    "America/Nome", "America/Juneau", "America/Sitka", "America/Yakutat", "America/Metlakatla",
    "America/Toronto", "America/Vancouver", "America/Edmonton", "America/Winnipeg",
    "America/Halifax", "America/St_Johns", "America/Regina", "America/Whitehorse",
    "America/Moncton", "America/Glace_Bay", "America/Goose_Bay", "America/Dawson_Creek",
    "America/Iqaluit", "America/Rankin_Inlet", "America/Cambridge_Bay", "America/Inuvik",
    "Pacific/Honolulu", "Pacific/Guam", "Asia/Manila",
)

_OFFSET = re.compile(r"^([+-])(\d{1,2})(?::?(\d{2}))?$")


def offset_zone(text: str) -> tzinfo | None:
    """``+02:00``, ``+0200``, ``-5`` as a fixed zone; None when it is not an offset a clock
    can have (beyond 14 hours, or minutes past 59)."""
    match = _OFFSET.match(text.strip())
    if not match:
        return None
    hours, minutes = int(match.group(2)), int(match.group(3) or 0)
    if hours > 14 or minutes > 59:
        return None
    delta = timedelta(hours=hours, minutes=minutes)
    if delta == timedelta(0):
        return UTC
    return timezone(-delta if match.group(1) == "-" else delta)


def named_zone(name: str, offset: str = "") -> tzinfo | None:
    """The zone of a short name (``CET``), with an offset after it (``UTC+2``); None when
    unknown."""
    upper = name.upper()
    if upper in EXACT:
        if not offset:
            return UTC
        return offset_zone(offset)
    if offset:  # "CET+1" says nothing clear
        return None
    region = REGIONS.get(upper)
    return zone_of(region) if region else None


@lru_cache(maxsize=512)
def zone_of(name: str) -> tzinfo | None:
    """An IANA zone by name; None when there is none of that name."""
    if not name or len(name) > 64 or name.startswith(("/", ".")) or ".." in name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def day_first_in(zone_name: str) -> bool:
    """Whether people in this zone's region write the day before the month."""
    return not zone_name.startswith(MONTH_FIRST_PREFIXES)
