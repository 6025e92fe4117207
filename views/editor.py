"""The guided page that writes one report: start one, open it, save it."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, request, url_for
from flask.sansio.blueprints import BlueprintSetupState
from flask_babel import gettext
from werkzeug.wrappers import Response as BaseResponse

from exporters.viewmodel import local_clock, local_time
from forms.errors import field_id
from forms.report import ReportForm
from reports.checks import check_report
from reports.fields import PAGE_PARTS
from reports.model import Report, StoredReport
from reports.store import NoLongerAsWritten
from services import get_store
from views.conflicts import form_entries
from views.identity import author_name, current_user
from views.language import interface_language
from views.live import others_changes
from views.page import PageSave, posted_base_version, render_page, save_posted_page
from views.permissions import AUTHORS, EDIT_REPORT, READ_REPORT, allow
from views.row_views import MAX_OPENED, factor_ticks, select_options

bp = Blueprint("editor", __name__)


@bp.app_template_filter("in_report_zone")
def in_report_zone(moment: datetime, timezone: str) -> str:
    """A save's or an export's moment in the report's own zone, the zone named, in the page's
    language."""
    return local_time(moment, timezone, interface_language())


@bp.record_once
def parts_of_the_page(state: BlueprintSetupState) -> None:
    """The parts' headings and contents links, for every template (macros included)."""
    state.app.jinja_env.globals["page_parts"] = PAGE_PARTS
    # The big report's repeated markup (templates/rows.html, guidance.html), drawn in Python.
    state.app.jinja_env.globals["select_options"] = select_options
    state.app.jinja_env.globals["factor_ticks"] = factor_ticks


def _stored_or_404(report_id: int, over_version: int | None = None) -> StoredReport:
    """The report, not in the bin. With ``over_version`` (the version a posted page is based
    on): the row this process wrote as that version, not read back, if it wrote it last
    (``store.get_to_save_over``)."""
    stored = get_store().get_to_save_over(report_id, over_version)
    if stored is None:
        abort(404)
    return stored


@bp.post("/reports")
@allow(AUTHORS)
def new_report() -> BaseResponse:
    user = current_user()
    # A new report is written for a client in the language of the pages, until the author
    # chooses another in its first part.
    stored = get_store().create(Report(language=interface_language()), author=author_name(),
                                team=user.team if user else None)
    return redirect(url_for("editor.edit", report_id=stored.id))


@bp.get("/reports/<int:report_id>")
@allow(READ_REPORT)
def edit(report_id: int) -> tuple[str, int] | BaseResponse:
    stored = _stored_or_404(report_id)
    user = current_user()
    if user is not None and not user.may_edit_team(get_store().team_of(report_id)):
        # Readers (and reviewers) get the report as its exports show it.
        return redirect(url_for("library.view", report_id=report_id))
    shown = replace(stored.report, timeline=stored.report.sorted_timeline())
    # Nothing was posted, so no row has an error to show: the rows are drawn from the report's
    # values, and the form is built without them (thousands of fields in a big report).
    form = ReportForm.for_report(replace(shown, timeline=[], factors=[], actions=[]))
    # ?open=<event id>: the event a row action was on, shown with its inputs and focused.
    opened = request.args.getlist("open")[:MAX_OPENED]
    order = [event.id for event in shown.timeline]
    focus = next((f"timeline-{order.index(i)}" for i in opened if i in order), None)
    return render_page(stored, form, check_report(shown), rows_of=shown, focus=focus,
                       opened=opened)


def _merged_answer(report_id: int, done: PageSave) -> dict[str, Any]:
    assert done.saved is not None and done.merged_with is not None
    theirs = get_store().revision(report_id, done.merged_with) or done.saved.report
    return {"merged": True, "entries": form_entries(done.saved.report),
            **others_changes(report_id, done.base_version or 0, done.merged_with, theirs)}


@bp.post("/reports/<int:report_id>")
@allow(EDIT_REPORT)
def save(report_id: int) -> Any:
    autosave = request.headers.get("X-Hindsight-Autosave") == "1"
    # Over the version the page is based on: an autosave over the one this process just saved
    # does not read it back (reports/written_rows.py), unless that is no longer what is stored.
    try:
        done = save_posted_page(_stored_or_404(report_id, posted_base_version()), autosave)
    except NoLongerAsWritten:
        done = save_posted_page(_stored_or_404(report_id), autosave)
    if done.saved is None or done.report is None:
        return done.answer
    if autosave:
        follow_up = done.report.follow_up_review_on
        return jsonify(
            ok=True, version=done.saved.version, saved_at=done.saved.updated_at.isoformat(),
            # "10:15 CET": the save's time of day in the report's zone, the zone named.
            saved_clock=local_clock(done.saved.updated_at, done.saved.report.timezone,
                                    interface_language()),
            follow_up_review_on=follow_up.isoformat() if follow_up else "",
            warnings=[{"id": field_id(p.field), "message": p.message} for p in done.warnings],
            # Others' edits were merged in: the whole report as saved, for the page to take in,
            # and who made them.
            **(_merged_answer(report_id, done) if done.merged_with is not None else {}),
        )
    if not done.row_action:
        flash(gettext("Your report is saved."))
    anchor = f"#{done.focus}" if done.focus else ""
    if done.opened is None:
        return redirect(url_for("editor.edit", report_id=report_id) + anchor, code=303)
    # An event's row action: the page shows it with its inputs, where the time order puts it.
    order = [event.id for event in done.report.sorted_timeline()]
    anchor = f"#timeline-{order.index(done.opened)}" if done.opened in order else anchor
    return redirect(url_for("editor.edit", report_id=report_id, open=done.opened) + anchor,
                    code=303)
