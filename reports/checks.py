"""Consistency checks that apply to every report, however it arrives (page, API, import).

Errors stop a save because the data cannot be right (an incident cannot end before it starts).
Warnings are kept beside the field and never stop a save: a draft may be odd while it is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from .exchange import EARLIEST_YEAR, LATEST_YEAR, in_year_range
from .language import clock, format_date_for, shown_language
from .language import say as _
from .model import Report


@dataclass(frozen=True)
class Problem:
    field: str  # a path into the exchange document, e.g. "resolved_at" or "timeline.2.at"
    message: str
    blocking: bool = True


def _local(moment: datetime, timezone: str) -> str:
    try:
        zone = ZoneInfo(timezone)
    except Exception:  # an unknown zone is reported elsewhere; show UTC meanwhile
        zone = ZoneInfo("UTC")
    local = moment.astimezone(zone)
    language = shown_language()  # the reader's: "03 Oct 2026 08:00", "03 oct. 2026 08 h 00"
    return f"{format_date_for(local, 'dd MMM y', language)} {clock(local, language)}"


def _out_of_range(report: Report) -> list[Problem]:
    """Dates and times outside the years every page and export can show.

    This refuses them for the API and the importer; the page's form refuses them as they are
    typed, so here it only meets a date the app works out itself (the follow-up review two
    months after an incident resolved in December 2200). ``from_document`` does not refuse
    them: it also reads what earlier versions stored.
    """
    # Each row's name is worked out only for a row out of range: every autosave checks them all.
    values: list[tuple[str, date | None]] = [
        ("started_at", report.started_at), ("detected_at", report.detected_at),
        ("resolved_at", report.resolved_at),
        *((f"timeline.{i}.at", event.at) for i, event in enumerate(report.timeline)
          if event.at is not None and not in_year_range(event.at)),
        *((f"actions.{i}.due", action.due) for i, action in enumerate(report.actions)
          if action.due is not None and not in_year_range(action.due)),
        ("follow_up_review_on", report.follow_up_review_on),
        ("follow_up_held_on", report.follow_up_held_on),
    ]
    return [
        Problem(field, (_("This time must be between the years %(first)s and %(last)s.",
                          first=EARLIEST_YEAR, last=LATEST_YEAR)
                        if isinstance(value, datetime) else
                        _("This date must be between the years %(first)s and %(last)s.",
                          first=EARLIEST_YEAR, last=LATEST_YEAR)))
        for field, value in values
        if value is not None and not in_year_range(value)
    ]


def check_report(report: Report) -> list[Problem]:
    problems = _out_of_range(report)
    if problems:  # the other checks would compare times that cannot be shown
        return problems
    started, detected, resolved = report.started_at, report.detected_at, report.resolved_at
    tz = report.timezone
    if started and resolved and resolved < started:
        problems.append(
            Problem(
                "resolved_at",
                _("The incident cannot be resolved (%(resolved)s) before it started "
                  "(%(started)s). Check the date and the time of both.",
                  resolved=_local(resolved, tz), started=_local(started, tz)),
            )
        )
    if started and detected and detected < started:
        problems.append(
            Problem(
                "detected_at",
                _("The incident cannot be noticed (%(detected)s) before it started "
                  "(%(started)s). If it was noticed at the very start, use the same time.",
                  detected=_local(detected, tz), started=_local(started, tz)),
            )
        )
    if detected and resolved and resolved < detected:
        problems.append(
            Problem(
                "resolved_at",
                _("The incident cannot be resolved (%(resolved)s) before it was noticed "
                  "(%(detected)s).", resolved=_local(resolved, tz), detected=_local(detected, tz)),
            )
        )
    window_start = started or detected
    for index, event in enumerate(report.timeline):
        if event.at is None or event.outside_window:
            continue
        if window_start and event.at < window_start and not event.contributing:
            problems.append(
                Problem(
                    f"timeline.{index}.at",
                    _("This event is before the incident started (%(started)s). If it belongs "
                      "in the story anyway, tick “Happened outside the incident window”; if it "
                      "helped cause the incident, tick “This contributed”.",
                      started=_local(window_start, tz)),
                    blocking=False,
                )
            )
        elif resolved and event.at > resolved and event.kind != "client_communication":
            problems.append(
                Problem(
                    f"timeline.{index}.at",
                    _("This event is after the incident was resolved (%(resolved)s). If that is "
                      "right, tick “Happened outside the incident window”.",
                      resolved=_local(resolved, tz)),
                    blocking=False,
                )
            )
    return problems
