"""The report's side of an import: what it tells the readers, and the report with the events
the author kept added to its timeline."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime

from reports.language import N_, say
from reports.limits import MAX_ROWS
from reports.model import EVENT_KINDS, Report, TimelineEvent

from .model import ExistingEvent, ReportContext


def context_of(report: Report, today: date) -> ReportContext:
    """The report's zone, its day (when it started, else when it was noticed) and its rows."""
    return ReportContext(
        timezone=report.timezone or "UTC",
        reference=report.started_at or report.detected_at or report.resolved_at,
        today=today,
        existing=tuple(ExistingEvent(e.at, e.description) for e in report.timeline),
    )


@dataclass(frozen=True)
class Chosen:
    """An event the author kept, with the kind they chose."""

    at: datetime
    kind: str
    description: str


class TooManyRows(ValueError):
    pass


def with_events(report: Report, chosen: Iterable[Chosen]) -> Report:
    """The report with the events added at the end of its timeline (the page shows it in time
    order); TooManyRows when the timeline would hold more than a report can."""
    added = [TimelineEvent(at=c.at, kind=c.kind if c.kind in EVENT_KINDS else "other",
                           description=c.description) for c in chosen]
    if len(report.timeline) + len(added) > MAX_ROWS:
        room = max(MAX_ROWS - len(report.timeline), 0)
        raise TooManyRows(say(N_(
            "A timeline holds at most %(most)s events; this report has %(has)s, so at most "
            "%(room)s more can be added."), most=MAX_ROWS, has=len(report.timeline), room=room))
    return replace(report, timeline=[*report.timeline, *added])
