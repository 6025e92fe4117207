"""Review comments: reviewers note what a part of the report still needs; anyone resolves them.

Every POST here has "comment" in its endpoint name, so ``views.auth`` lets only roles that may
review make it. The forms work without JavaScript: each posts, then lands back on the part.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.sansio.blueprints import BlueprintSetupState
from flask_babel import gettext
from werkzeug.wrappers import Response

from reports.comments import PARTS, CommentError, CommentStore, PartComments
from reports.model import StoredReport
from services import get_store
from views.identity import current_user
from views.permissions import REVIEW_REPORT, allow

bp = Blueprint("review", __name__)

# Where a comment form sends the reviewer back to: the guided page or the comments page.
BACK_TO = {"editor": "editor.edit", "comments": "review.comments"}


def comment_store() -> CommentStore:
    return CommentStore(get_store().engine)


def comment_author() -> str:
    """The name a comment is signed with: the signed-in person, or "Reviewer" without sign-in."""
    user = current_user()
    if current_app.config["AUTH"] == "none" or user is None:
        return "Reviewer"
    return user.display_name or user.username


def _may_edit(report_id: int) -> bool:
    user = current_user()
    return user is None or user.may_edit_team(get_store().team_of(report_id))


def _stored_or_404(report_id: int) -> StoredReport:
    stored = get_store().get(report_id)
    if stored is None:
        abort(404)
    return stored


def _back(report_id: int, part: str, reopen: bool = False) -> Response:
    """Back to the part on the page the form was on; ``reopen`` opens its comment box again."""
    target = request.form.get("back", "")
    if target not in BACK_TO:
        target = "editor" if _may_edit(report_id) else "comments"
    known = part in PARTS
    query: dict[str, Any] = {"comment": part} if reopen and known else {}
    anchor = f"#{part}" if known else ""
    return redirect(url_for(BACK_TO[target], report_id=report_id, **query) + anchor, code=303)


@bp.get("/reports/<int:report_id>/comments")
@allow(REVIEW_REPORT)
def comments(report_id: int) -> str:
    """Every part's comments on one page: where reviewers, who cannot edit, leave theirs."""
    stored = _stored_or_404(report_id)
    return render_template("comments_page.html", stored=stored, parts=PARTS,
                           comments=comment_store().for_report(report_id),
                           may_edit=_may_edit(report_id))


@bp.post("/reports/<int:report_id>/comments")
@allow(REVIEW_REPORT)
def add_comment(report_id: int) -> Response:
    stored = _stored_or_404(report_id)
    part = request.form.get("part", "")
    try:
        comment_store().add(stored.id, part, request.form.get("body", ""), comment_author())
    except CommentError as problem:
        flash(str(problem), "error")
        return _back(report_id, part, reopen=True)
    else:
        flash(gettext("Comment added to “%(part)s”.", part=gettext(PARTS[part])))
    return _back(report_id, part)


@bp.post("/reports/<int:report_id>/comments/<int:comment_id>/resolve")
@allow(REVIEW_REPORT)
def resolve_comment(report_id: int, comment_id: int) -> Response:
    _stored_or_404(report_id)
    store = comment_store()
    comment = store.get(comment_id)
    if comment is None or comment.report_id != report_id:
        abort(404)
    if store.resolve(comment_id, comment_author()):
        flash(gettext("Comment on “%(part)s” marked as resolved.",
                      part=gettext(PARTS.get(comment.part, comment.part))))
    else:
        flash(gettext("That comment was already resolved."))
    return _back(report_id, comment.part)


@bp.app_template_global()
def review_comments(report_id: int) -> dict[str, PartComments]:
    """For the guided page: each part's comments."""
    return comment_store().for_report(report_id)


@bp.app_template_global()
def open_comment_count(report_id: int) -> int:
    """For the read-only view: how many comments still wait."""
    return comment_store().open_count(report_id)


@bp.record_once
def parts_of_the_page(state: BlueprintSetupState) -> None:
    """The parts a comment can be about, for every template (macros included)."""
    state.app.jinja_env.globals["comment_parts"] = PARTS
