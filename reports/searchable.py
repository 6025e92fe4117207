"""The words of a report that search finds: all of them, or only the client copy's.

Kept apart from the store so that migrations can fill the search columns without importing it.
"""

from __future__ import annotations

from .copies import client_copy
from .model import Report


def search_text(report: Report) -> str:
    """Every word of a report, for full-text search."""
    parts = [report.title, report.service, report.audience, " ".join(report.authors),
             report.apology, report.summary, report.impact, report.lessons.went_well,
             report.lessons.went_wrong, report.lessons.lucky]
    parts += [event.description for event in report.timeline]
    parts += [factor.description for factor in report.factors]
    parts += [f"{action.description} {action.owner}" for action in report.actions]
    return "\n".join(part for part in parts if part)


def client_search_text(report: Report) -> str:
    """The words of the client copy: what search finds for viewers, who never see the rest."""
    if not (report.internal_parts or any(e.internal for e in report.timeline)
            or any(f.internal for f in report.factors)
            or any(a.internal for a in report.actions)):
        return search_text(report)  # nothing internal: the client copy has every word
    return search_text(client_copy(report))
