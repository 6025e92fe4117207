"""The report's life on the page: send for review, publish, reopen (rules in reports/workflow.py).

"Send for review" and "Publish" on the guided page first save what the page holds (through
``views.page.save_posted_page``, so validation, version conflicts and the history work as for any
save), then run the readiness checks; a report that misses any stays where it is and the page
lists what blocks it. Only those who may edit the report have posted content saved: a reviewer
moving a report along from the read-only view changes its status, never its content.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext

from reports.language import N_
from reports.model import STATUSES
from reports.store import VersionConflict
from reports.workflow import TRANSITIONS, MoveRefused, ReportPublished, check_move
from services import get_store
from views.guidance import set_aside_keys
from views.identity import author_name, current_user
from views.page import save_posted_page
from views.permissions import MOVE_REPORT, allow

bp = Blueprint("workflow", __name__)

DONE_MESSAGES = {
    "submit": N_("Sent for review. Reviewers can read it now; you can still make changes."),
    "publish": N_("Published. The report is read-only now; reopen it to change anything."),
    "reopen": N_("Reopened as a draft: you can edit it again."),
}


def _editor(report_id: int, query: dict[str, Any] | None = None) -> Any:
    return redirect(url_for("editor.edit", report_id=report_id, **(query or {})), code=303)


@bp.post("/reports/<int:report_id>/status")
@allow(MOVE_REPORT)
def change_status(report_id: int) -> Any:
    store = get_store()
    stored = store.get(report_id)
    if stored is None:
        abort(404)
    transition = request.form.get("transition", "")
    if transition not in TRANSITIONS:
        abort(400)
    sources, target = TRANSITIONS[transition]
    if stored.report.status not in sources:
        flash(gettext("This report is %(status)s, so that step does not apply.",
                      status=gettext(STATUSES[stored.report.status]).lower()))
        return _editor(report_id)
    user = current_user()
    may_edit = user is None or user.may_edit_team(store.team_of(report_id))
    posted_page = "title" in request.form and stored.report.status != "published"
    if may_edit and posted_page:  # posted from the editor: keep what was typed
        done = save_posted_page(stored, autosave=False)
        if done.saved is None:
            return done.answer
        stored = done.saved
    try:
        check_move(stored.report, stored.report.status, target,
                   set_aside=set_aside_keys(report_id))
    except MoveRefused:
        return _editor(report_id, {"review": "blocked"})
    try:
        store.save(report_id, replace(stored.report, status=target),
                   expected_version=stored.version, author=author_name(),
                   note=f"Status: {STATUSES[target]}", kind="status")
    except (VersionConflict, ReportPublished):
        flash(gettext("Someone saved this report a moment ago. Check their changes, then try "
                      "again."))
        return _editor(report_id)
    flash(gettext(DONE_MESSAGES[transition]))
    return _editor(report_id)
