"""Earlier versions of a report, and the bin that deleted reports wait in."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from reports.store import BIN_DAYS, VersionConflict
from reports.workflow import ReportPublished
from services import get_store
from views.conflicts import LABELS, report_texts
from views.identity import author_name
from views.permissions import AUTHORS, EDIT_REPORT, REVIEW_REPORT, allow

bp = Blueprint("history", __name__)


@bp.get("/reports/<int:report_id>/history")
@allow(REVIEW_REPORT)
def history(report_id: int) -> str:
    stored = get_store().get(report_id)
    if stored is None:
        abort(404)
    return render_template(
        "history.html", stored=stored, revisions=get_store().revisions(report_id)
    )


@bp.get("/reports/<int:report_id>/history/<int:version>")
@allow(REVIEW_REPORT)
def revision(report_id: int, version: int) -> str:
    stored = get_store().get(report_id)
    earlier = get_store().revision(report_id, version) if stored else None
    if stored is None or earlier is None:
        abort(404)
    return render_template(
        "revision.html", stored=stored, version=version, report=earlier,
        texts=report_texts(earlier), labels=LABELS,
    )


@bp.post("/reports/<int:report_id>/history/<int:version>/restore")
@allow(EDIT_REPORT)
def restore(report_id: int, version: int) -> Response:
    try:
        restored = get_store().restore_revision(report_id, version, author=author_name())
    except ReportPublished as published:
        flash(str(published))
        return redirect(url_for("history.history", report_id=report_id), code=303)
    except VersionConflict:
        flash("Someone saved this report a moment ago. Look at the history again, then restore.")
        return redirect(url_for("history.history", report_id=report_id), code=303)
    if restored is None:
        abort(404)
    flash(f"Version {version} is back. It was saved as version {restored.version}; "
          "nothing newer was lost, it is still in the history.")
    return redirect(url_for("editor.edit", report_id=report_id), code=303)


@bp.post("/reports/<int:report_id>/delete")
@allow(EDIT_REPORT)
def delete(report_id: int) -> Response:
    if not get_store().delete(report_id):
        abort(404)
    flash(f"The report is in the bin. You can put it back within {BIN_DAYS} days.")
    return redirect(url_for("history.bin"), code=303)


@bp.get("/bin")
@allow(AUTHORS)
def bin() -> str:
    return render_template("bin.html", entries=get_store().bin(), days=BIN_DAYS)


@bp.post("/bin/<int:report_id>/restore")
@allow(EDIT_REPORT)
def undelete(report_id: int) -> Response:
    if not get_store().undelete(report_id):
        abort(404)
    flash("The report is back in your list.")
    return redirect(url_for("editor.edit", report_id=report_id), code=303)
