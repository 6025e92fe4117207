"""The client copy of a report: what stakeholders and clients may receive.

Internal rows and parts are left out without a trace: factors are renumbered and an action's
links to left-out factors are dropped, as in the exports (``exporters/viewmodel.py``). Viewers
get this copy on every route: the API, the stakeholders' page, lists and downloads.
"""

from __future__ import annotations

from dataclasses import replace

from .model import INTERNAL_PARTS, Lessons, Report


def client_copy(report: Report) -> Report:
    kept_factors = [(position, f) for position, f in enumerate(report.factors) if not f.internal]
    new_position = {old: new for new, (old, _) in enumerate(kept_factors)}
    internal = set(report.internal_parts) & set(INTERNAL_PARTS)

    def part(name: str, text: str) -> str:
        return "" if name in internal else text

    return replace(
        report,
        impact=part("impact", report.impact),
        lessons=Lessons(
            went_well=part("lessons.went_well", report.lessons.went_well),
            went_wrong=part("lessons.went_wrong", report.lessons.went_wrong),
            lucky=part("lessons.lucky", report.lessons.lucky),
        ),
        timeline=[e for e in report.timeline if not e.internal],  # rows are frozen: shared
        factors=[f for _, f in kept_factors],
        actions=[
            replace(a, addresses=tuple(new_position[p] for p in a.addresses if p in new_position))
            for a in report.actions if not a.internal
        ],
        internal_parts=[],
    )
