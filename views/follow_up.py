"""The follow-up review on the guided page: whether it is due, and where the actions stand."""

from __future__ import annotations

from flask import Blueprint

from reports.follow_up import FollowUpState, follow_up_state
from reports.model import Report
from services import today

bp = Blueprint("follow_up", __name__)


@bp.app_template_global()
def follow_up_for(report: Report) -> FollowUpState:
    """The report's follow-up review as of today (the ``TODAY`` setting in tests)."""
    return follow_up_state(report, today())
