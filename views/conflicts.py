"""When two people edit one report: what differs between their saved version and yours.

A stale save is refused (HTTP 409) and the page shows, field by field, both texts, so the author
decides what to keep and neither text is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from wtforms import Form

from forms.report import ReportForm
from forms.walk import leaf_fields
from reports.exchange import zone
from reports.model import EVENT_KINDS, Report


@dataclass(frozen=True)
class FieldDifference:
    id: str  # the input's id, or the row list's id (timeline, factors, actions)
    label: str
    mine: str
    theirs: str


LABELS = {
    "title": "Title", "service": "Service", "severity": "Severity", "audience": "Who it is for",
    "authors": "Written by", "timezone": "Time zone", "started_at": "When it started",
    "detected_at": "When we noticed", "resolved_at": "When it was resolved",
    "apology": "Our apology", "summary": "Summary", "impact": "Impact",
    "timeline": "Timeline", "factors": "Contributing factors", "went_well": "What went well",
    "went_wrong": "What went wrong", "lucky": "Where we got lucky", "actions": "Action items",
    "follow_up_review_on": "Follow-up review date",
    "follow_up_outcome": "Follow-up outcome", "follow_up_held_on": "Follow-up review held on",
}


def _moment(report: Report, moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(zone(report)).strftime("%Y-%m-%d %H:%M")


def report_texts(report: Report) -> dict[str, str]:
    """Every part of the report as plain text, keyed by the id of its input on the page."""
    timeline = [
        f"{_moment(report, e.at) or '(no time)'} · {EVENT_KINDS.get(e.kind, e.kind)} · "
        f"{e.description}" + (" (contributed)" if e.contributing else "")
        for e in report.sorted_timeline()
    ]
    factors = [f.description + (" (root cause)" if f.root_cause else "") for f in report.factors]
    actions = [
        " · ".join(filter(None, [a.description, a.owner, a.priority or "", str(a.due or ""),
                                 a.ticket, a.status]))
        for a in report.actions
    ]
    return {
        "title": report.title, "service": report.service, "severity": report.severity or "",
        "audience": report.audience, "authors": ", ".join(report.authors),
        "timezone": report.timezone, "started_at": _moment(report, report.started_at),
        "detected_at": _moment(report, report.detected_at),
        "resolved_at": _moment(report, report.resolved_at),
        "apology": report.apology, "summary": report.summary, "impact": report.impact,
        "timeline": "\n".join(timeline), "factors": "\n".join(factors),
        "went_well": report.lessons.went_well, "went_wrong": report.lessons.went_wrong,
        "lucky": report.lessons.lucky, "actions": "\n".join(actions),
        "follow_up_review_on": str(report.follow_up_review_on or ""),
        "follow_up_outcome": report.follow_up_outcome,
        "follow_up_held_on": str(report.follow_up_held_on or ""),
    }


def differences(mine: Report, theirs: Report) -> list[FieldDifference]:
    mine_texts, theirs_texts = report_texts(mine), report_texts(theirs)
    return [
        FieldDifference(key, LABELS[key], mine_texts[key], theirs_texts[key])
        for key in LABELS
        if mine_texts[key].strip() != theirs_texts[key].strip()
    ]


def form_entries(report: Report) -> list[tuple[str, str]]:
    """The report as the (name, value) pairs its form would post, for the page to put back."""
    entries: list[tuple[str, str]] = []
    form: Form = ReportForm.for_report(report, formdata=None, meta={"csrf": False})
    for field in leaf_fields(form):
        if field.type == "BooleanField":
            if field.data:
                entries.append((field.name, "y"))
        elif field.type == "SelectField":
            entries.append((field.name, field.data or ""))
        elif field.type != "CSRFTokenField":
            entries.append((field.name, field._value()))
    return entries
