"""A report's life, draft → in review → published, and the rules every way in obeys.

The page, the API and the command line move reports with the same rules: a report goes forward
one step at a time, and only when every readiness check is met; a published report says what
it says until someone reopens it. Action item statuses and the follow-up review's record are
kept up to date after publishing (that is what the follow-up is for), so they are not content.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .guidance import readiness
from .guidance.readiness import HintKey
from .language import N_
from .model import STATUSES, Report

# transition -> (statuses it starts from, status it leads to)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "submit": (("draft",), "in_review"),
    "publish": (("in_review",), "published"),
    "reopen": (("published", "in_review"), "draft"),
}
# Moving to these statuses needs every readiness check met.
CHECKED_STATUSES = frozenset({"in_review", "published"})
PUBLISHED_MESSAGE = N_("This report is published, so it cannot be changed. Reopen it first.")


@dataclass(frozen=True)
class MoveRefused(Exception):
    """A status change the rules do not allow; ``unmet`` names the readiness checks missing."""

    message: str
    unmet: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.message


class ReportPublished(Exception):
    """A change to the content of a published report."""

    def __str__(self) -> str:
        return PUBLISHED_MESSAGE


def transition_to(current: str, target: str) -> str | None:
    """The name of the one-step transition from ``current`` to ``target``, if there is one."""
    return next((name for name, (sources, leads_to) in TRANSITIONS.items()
                 if current in sources and leads_to == target), None)


def unmet_checks(report: Report, set_aside: frozenset[HintKey] = frozenset()) -> list[str]:
    return [check.label for check in readiness(report, set_aside) if not check.met]


def check_move(report: Report, current: str, target: str, *, creating: bool = False,
               set_aside: frozenset[HintKey] = frozenset()) -> None:
    """Refuse (``MoveRefused``) a move from ``current`` to ``target`` the page would refuse.

    A new report may start at any status, but one that starts in review or published must pass
    the same checks as a report sent there from the page. ``set_aside`` holds the writing hints
    the authors set aside with a reason (``reports/set_aside.py``), which no longer count.
    """
    if target not in STATUSES:
        raise MoveRefused(f"The status must be one of: {', '.join(STATUSES)}.")
    if target == current:
        return
    if not creating and transition_to(current, target) is None:
        raise MoveRefused(
            f"A report that is {STATUSES[current].lower()} cannot become "
            f"{STATUSES[target].lower()} in one step: it goes draft → in review → published, "
            "and back to draft when reopened."
        )
    if target in CHECKED_STATUSES:
        unmet = unmet_checks(report, set_aside)
        if unmet:
            raise MoveRefused(
                f"The report is not ready to be {STATUSES[target].lower()}: "
                f"{len(unmet)} readiness check{'s are' if len(unmet) > 1 else ' is'} not met.",
                tuple(unmet),
            )


def _tracking_removed(report: Report) -> Report:
    """The report without what is kept up to date after publishing."""
    return replace(
        report, status="", follow_up_outcome="", follow_up_held_on=None,
        actions=[replace(action, status="") for action in report.actions],
    )


def changes_content(before: Report, after: Report) -> bool:
    """Whether ``after`` changes what ``before`` says, beyond its status and tracking."""
    return _tracking_removed(before) != _tracking_removed(after)


def check_published_unchanged(before: Report, after: Report) -> None:
    """Refuse (``ReportPublished``) a content change of a published report."""
    if before.status == "published" and changes_content(before, after):
        raise ReportPublished()
