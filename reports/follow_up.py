"""The follow-up review: is it due, was it held, and where the action items stand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .library import OPEN_STATUSES
from .model import Report


def follow_up_default(resolved: date) -> date:
    """Two months after the incident was resolved (the last day of the month if shorter)."""
    month = resolved.month + 2
    year = resolved.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for day in (resolved.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class FollowUpState:
    today: date
    review_on: date | None
    held_on: date | None
    outcome_written: bool
    done: int  # action items marked done
    open: int  # proposed, agreed or in progress
    overdue: int  # open ones whose due date has passed
    dropped: int

    @property
    def held(self) -> bool:
        return self.held_on is not None

    @property
    def date_has_come(self) -> bool:
        return self.review_on is not None and self.review_on <= self.today

    @property
    def due(self) -> bool:
        """The date has come and nobody has recorded the review as held yet."""
        return self.date_has_come and not self.held

    @property
    def show_outcome(self) -> bool:
        """Whether the page asks for the outcome: once due, or once something is recorded."""
        return self.date_has_come or self.held or self.outcome_written


def follow_up_state(report: Report, today: date) -> FollowUpState:
    actions = [a for a in report.actions if a.description.strip() or a.owner.strip()]
    open_items = [a for a in actions if a.status in OPEN_STATUSES]
    return FollowUpState(
        today=today,
        review_on=report.follow_up_review_on,
        held_on=report.follow_up_held_on,
        outcome_written=bool(report.follow_up_outcome.strip()),
        done=sum(1 for a in actions if a.status == "done"),
        open=len(open_items),
        overdue=sum(1 for a in open_items if a.due is not None and a.due < today),
        dropped=sum(1 for a in actions if a.status == "dropped"),
    )
