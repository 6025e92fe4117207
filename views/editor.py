"""The list of reports and the guided page that writes one."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from wtforms import Field, Form

from forms.report import ActionItemForm, FactorForm, ReportForm, TimelineEventForm
from forms.rows import apply_row_action
from reports.checks import Problem, check_report
from reports.exchange import all_timezones
from reports.model import (
    ACTION_STATUSES,
    EVENT_KINDS,
    PRIORITIES,
    SEVERITIES,
    STATUSES,
    Report,
    StoredReport,
)
from reports.store import VersionConflict
from services import get_store
from views.conflicts import FieldDifference, differences, form_entries
from views.identity import author_name, current_user
from views.permissions import AUTHORS, EDIT_REPORT, READ_REPORT, allow
from views.workflow import published_is_read_only

bp = Blueprint("editor", __name__)


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


def field_id(path: str) -> str:
    """A document path (``timeline.2.at``) as the id of its input (``timeline-2-at``)."""
    return path.replace(".", "-")


def form_errors(form: Form) -> list[tuple[str, str, str]]:
    """Every error as (input id, label, message), in the order of the page."""
    found: list[tuple[str, str, str]] = []

    def walk(field: Field, label_prefix: str) -> None:
        if hasattr(field, "entries"):  # a list of rows
            for message in field.errors if isinstance(field.errors, list) else []:
                if isinstance(message, str):
                    found.append((field.id, field.label.text, message))
            for number, entry in enumerate(field.entries, start=1):
                walk(entry, f"{label_prefix}{_row_name(field.name)} {number}: ")
        elif hasattr(field, "form"):  # one row
            for sub in field.form:
                walk(sub, label_prefix)
        else:
            for message in field.errors:
                found.append((field.id, f"{label_prefix}{field.label.text}", message))

    for field in form:
        if field.name != "csrf_token":
            walk(field, "")
    return found


def _row_name(list_name: str) -> str:
    return {"timeline": "Timeline event", "factors": "Factor", "actions": "Action item"}.get(
        list_name, list_name
    )


def _blank_rows() -> dict[str, Form]:
    """Empty rows the page's script copies when the author adds one."""
    return {
        "timeline": TimelineEventForm(prefix="timeline-__index__-"),
        "factors": FactorForm(prefix="factors-__index__-"),
        "actions": ActionItemForm(prefix="actions-__index__-"),
    }


def _stored_or_404(report_id: int) -> StoredReport:
    stored = get_store().get(report_id)
    if stored is None:
        abort(404)
    return stored


def _render(stored: StoredReport, form: ReportForm, warnings: list[Problem], status: int = 200,
            focus: str | None = None, base_version: int | None = None,
            conflicts: list[FieldDifference] | None = None) -> tuple[str, int]:
    errors = form_errors(form)
    return (
        render_template(
            "editor.html", stored=stored, form=form, errors=errors,
            base_version=base_version or stored.version, conflicts=conflicts or [],
            warnings={field_id(p.field): p.message for p in warnings},
            severities=SEVERITIES, statuses=STATUSES, event_kinds=EVENT_KINDS,
            priorities=PRIORITIES, action_statuses=ACTION_STATUSES, focus=focus,
            blank_rows=_blank_rows(), timezones=all_timezones(),
        ),
        status,
    )


def _base_version() -> int | None:
    """The version the author's page was based on; absent from old pages and API-like posts."""
    try:
        return int(request.form.get("base_version", ""))
    except ValueError:
        return None


def _conflict(current: StoredReport, mine: Report, form: ReportForm, autosave: bool) -> Any:
    """Someone else saved first: show both versions, field by field, and lose neither."""
    found = differences(mine, current.report)
    if autosave:
        return jsonify(
            ok=False, conflict=True, version=current.version,
            saved_at=current.updated_at.isoformat(),
            fields=[vars(d) for d in found],
            theirs=form_entries(current.report),
        ), 409
    # The author's text stays in the form; saving again keeps it over the newer version.
    return _render(current, form, [], status=409, base_version=current.version,
                   conflicts=found)


@bp.post("/reports")
@allow(AUTHORS)
def new_report() -> Response:
    user = current_user()
    stored = get_store().create(Report(), author=author_name(), team=user.team if user else None)
    return redirect(url_for("editor.edit", report_id=stored.id))


@bp.get("/reports/<int:report_id>")
@allow(READ_REPORT)
def edit(report_id: int) -> tuple[str, int]:
    stored = _stored_or_404(report_id)
    user = current_user()
    if user is not None and not user.may_edit_team(get_store().team_of(report_id)):
        # Readers (and reviewers) get the report as its exports show it.
        return redirect(url_for("library.view", report_id=report_id))  # type: ignore[return-value]
    shown = replace(stored.report, timeline=stored.report.sorted_timeline())
    form = ReportForm.for_report(shown)
    return _render(stored, form, check_report(shown))


@bp.post("/reports/<int:report_id>")
@allow(EDIT_REPORT)
def save(report_id: int) -> Any:
    stored = _stored_or_404(report_id)
    autosave = request.headers.get("X-Hindsight-Autosave") == "1"
    refused = published_is_read_only(stored, autosave)
    if refused is not None:
        return refused
    base_version = _base_version()
    formdata = request.form
    if len(formdata) > current_app.config["MAX_FORM_PARTS"]:
        abort(413)  # the multipart parser enforces this itself; url-encoded posts are counted here
    focus = None
    action = formdata.get("row_action", "")
    if action:
        formdata, focus = apply_row_action(formdata, action)
    form = ReportForm(formdata=formdata)
    valid = form.validate()
    problems: list[Problem] = []
    report = None
    if valid:
        report = form.to_report(stored.report)
        if report.follow_up_review_on is None and report.resolved_at is not None:
            report.follow_up_review_on = follow_up_default(report.resolved_at.date())
        problems = check_report(report)
        for problem in problems:
            if problem.blocking:
                getattr(form, problem.field).errors.append(problem.message)
                valid = False
    warnings = [p for p in problems if not p.blocking]

    if not valid or report is None:
        if autosave:
            return jsonify(
                ok=False,
                errors=[{"id": i, "label": label, "message": m} for i, label, m in
                        form_errors(form)],
            ), 400
        return _render(stored, form, warnings, status=400, focus=focus,
                       base_version=base_version)

    try:
        saved = get_store().save(report_id, report, expected_version=base_version,
                                 author=author_name())
    except VersionConflict as conflict:
        return _conflict(conflict.current, report, form, autosave)
    if saved is None:
        abort(404)
    if autosave:
        return jsonify(
            ok=True, version=saved.version, saved_at=saved.updated_at.isoformat(),
            follow_up_review_on=(report.follow_up_review_on.isoformat()
                                 if report.follow_up_review_on else ""),
            warnings=[{"id": field_id(p.field), "message": p.message} for p in warnings],
        )
    if not action:
        flash("Your report is saved.")
    anchor = f"#{focus}" if focus else ""
    return redirect(url_for("editor.edit", report_id=report_id) + anchor, code=303)
