"""Timeline arithmetic: how long it took to notice, to resolve, and in total.

Durations are computed on UTC instants, never on wall-clock times, so they stay right across
daylight-saving changes and between times written with different UTC offsets. (Python subtracts
two datetimes that share a ``ZoneInfo`` as wall-clock times, which is wrong across a change.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from reports.model import Report

FROM_REPORT = "report"
FROM_TIMELINE = "timeline"


def _count(number: int, unit: str) -> str:
    return f"{number} {unit}" if number == 1 else f"{number} {unit}s"


def format_duration(duration: timedelta | None) -> str:
    """A duration in words that cannot be misread, the same everywhere (exports, library, page).

    ``8 minutes``, ``1 hour 50 minutes``, ``2 hours``; from one day on the days come first,
    then a comma and the hours and minutes, with no unit left out in between: ``1 day, 0 hours
    54 minutes`` (never ``1 day 54 minutes``, which reads like a typo for 1 day 5 hours),
    ``3 days, 4 hours``. Rounded to the nearest minute; ``under 1 minute`` below that; ``""``
    when unknown or negative.
    """
    if duration is None or duration < timedelta(0):
        return ""
    minutes = round(duration.total_seconds() / 60)
    if minutes < 1:
        return "under 1 minute"
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if hours and minutes:
        clock = f"{_count(hours, 'hour')} {_count(minutes, 'minute')}"
    elif hours:
        clock = _count(hours, "hour")
    elif minutes:
        # After days, the empty hours are said, so "1 day, 0 hours 54 minutes" is not misread.
        clock = f"0 hours {_count(minutes, 'minute')}" if days else _count(minutes, "minute")
    else:
        clock = ""
    if not days:
        return clock
    return f"{_count(days, 'day')}, {clock}" if clock else _count(days, "day")


@dataclass(frozen=True)
class Metrics:
    """The incident's key moments (in UTC) and the durations between them.

    ``sources`` says, for each moment, whether it came from the report's own times or was taken
    from the timeline because the time was left empty. A duration is None when a moment is
    missing or the moments are in the wrong order.
    """

    started_at: datetime | None
    detected_at: datetime | None
    resolved_at: datetime | None
    time_to_detect: timedelta | None
    time_to_resolve: timedelta | None
    total_duration: timedelta | None
    resolve_measured_from: str | None  # "detected_at" or "started_at"
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def time_to_detect_text(self) -> str:
        return format_duration(self.time_to_detect)

    @property
    def time_to_resolve_text(self) -> str:
        return format_duration(self.time_to_resolve)

    @property
    def total_duration_text(self) -> str:
        return format_duration(self.total_duration)

    @property
    def estimated(self) -> bool:
        """True when some moment was taken from the timeline."""
        return FROM_TIMELINE in self.sources.values()

    def as_dict(self) -> dict[str, Any]:
        def seconds(value: timedelta | None) -> int | None:
            return None if value is None else int(value.total_seconds())

        def iso(value: datetime | None) -> str | None:
            return None if value is None else value.isoformat()

        return {
            "started_at": iso(self.started_at), "detected_at": iso(self.detected_at),
            "resolved_at": iso(self.resolved_at), "sources": dict(self.sources),
            "time_to_detect": {"seconds": seconds(self.time_to_detect),
                               "text": self.time_to_detect_text},
            "time_to_resolve": {"seconds": seconds(self.time_to_resolve),
                                "text": self.time_to_resolve_text,
                                "from": self.resolve_measured_from},
            "total_duration": {"seconds": seconds(self.total_duration),
                               "text": self.total_duration_text},
        }


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None or moment.tzinfo is None else moment.astimezone(UTC)


def _between(earlier: datetime | None, later: datetime | None) -> timedelta | None:
    if earlier is None or later is None or later < earlier:
        return None
    return later - earlier


def _from_timeline(report: Report) -> dict[str, datetime]:
    """Stand-ins for missing times: first event, first discovery, last resolution."""
    events = [
        (at, e.kind) for e in report.timeline
        if e.at is not None and e.at.tzinfo is not None and not e.outside_window
        and (at := _utc(e.at)) is not None
    ]
    found: dict[str, datetime] = {}
    if events:
        found["started_at"] = min(at for at, _ in events)
    discoveries = [at for at, kind in events if kind == "discovery"]
    if discoveries:
        found["detected_at"] = min(discoveries)
    resolutions = [at for at, kind in events if kind == "resolution"]
    if resolutions:
        found["resolved_at"] = max(resolutions)
    return found


def incident_metrics(report: Report) -> Metrics:
    """The durations of an incident, from its times, or from its timeline where they are empty."""
    moments: dict[str, datetime | None] = {}
    sources: dict[str, str] = {}
    fallback = _from_timeline(report)
    for name in ("started_at", "detected_at", "resolved_at"):
        own = _utc(getattr(report, name))
        if own is not None:
            moments[name], sources[name] = own, FROM_REPORT
        elif name in fallback:
            moments[name], sources[name] = fallback[name], FROM_TIMELINE
        else:
            moments[name] = None
    started, detected, resolved = (
        moments["started_at"], moments["detected_at"], moments["resolved_at"]
    )
    if started is not None and sources.get("started_at") == FROM_TIMELINE and detected:
        started = min(started, detected)  # a stand-in start is never after the discovery
        moments["started_at"] = started
    resolve_from = "detected_at" if detected is not None else (
        "started_at" if started is not None else None
    )
    return Metrics(
        started_at=started, detected_at=detected, resolved_at=resolved,
        time_to_detect=_between(started, detected),
        time_to_resolve=_between(detected if detected is not None else started, resolved),
        total_duration=_between(started, resolved),
        resolve_measured_from=resolve_from if resolved is not None else None,
        sources=sources,
    )
