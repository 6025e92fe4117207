"""The report's life: draft → in review → published, and back to draft when reopened.

"Send for review" and "Publish" first save what the page holds (through the editor's own save, so
validation, version conflicts and history work the same), then run the readiness checks; a report
that misses any stays where it is and the page lists what blocks it. A published report is
read-only until someone reopens it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, request, url_for

from reports.guidance import readiness
from reports.model import STATUSES, StoredReport
from reports.store import VersionConflict
from services import get_store
from views.identity import author_name
from views.permissions import MOVE_REPORT, allow

bp = Blueprint("workflow", __name__)

# transition -> (statuses it starts from, status it leads to, message once done)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "submit": (("draft",), "in_review",
               "Sent for review. Reviewers can read it now; you can still make changes."),
    "publish": (("in_review",), "published",
                "Published. The report is read-only now; reopen it to change anything."),
    "reopen": (("published", "in_review"), "draft", "Reopened as a draft: you can edit it again."),
}
NEEDS_CHECKS = frozenset({"submit", "publish"})
READ_ONLY_MESSAGE = "This report is published, so it cannot be changed. Reopen it first."


def _editor(report_id: int, query: dict[str, str] | None = None) -> Any:
    return redirect(url_for("editor.edit", report_id=report_id, **(query or {})), code=303)


def published_is_read_only(stored: StoredReport, autosave: bool) -> Any | None:
    """The answer to a save of a published report, or None when the report may be saved."""
    if stored.report.status != "published":
        return None
    if autosave:
        return jsonify(ok=False, error=READ_ONLY_MESSAGE.rstrip(".").lower()), 400
    flash(READ_ONLY_MESSAGE)
    return _editor(stored.id)


def _save_page_content(report_id: int) -> Any | None:
    """Save the posted page as the editor would; an answer to return when that failed."""
    from views import editor  # imported here: the editor imports this module

    answer = editor.save(report_id)
    status = getattr(answer, "status_code", None)
    return None if status in (302, 303) else answer


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
    sources, target, done = TRANSITIONS[transition]
    if stored.report.status not in sources:
        flash(f"This report is {STATUSES[stored.report.status].lower()}, so that step does "
              "not apply.")
        return _editor(report_id)
    editable = stored.report.status != "published"
    if editable and "title" in request.form:  # posted from the editor: keep what was typed
        failed = _save_page_content(report_id)
        if failed is not None:
            return failed
        stored = store.get(report_id) or abort(404)
    if transition in NEEDS_CHECKS and not all(check.met for check in readiness(stored.report)):
        return _editor(report_id, {"review": "blocked"})
    try:
        store.save(report_id, replace(stored.report, status=target),
                   expected_version=stored.version, author=author_name(),
                   note=f"Status: {STATUSES[target]}")
    except VersionConflict:
        flash("Someone saved this report a moment ago. Check their changes, then try again.")
        return _editor(report_id)
    flash(done)
    return _editor(report_id)
