"""Guidance for the author while they write: blaming wording, what is missing, the durations.

``POST /reports/<id>/guidance`` takes the same form data as the autosave, saves nothing, and
answers with what can be worked out even when some input is invalid. The same guidance for a
stored report is at ``GET /api/reports/<id>/guidance``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, request
from wtforms import Field

from app import get_store
from forms.report import ReportForm
from reports.exchange import is_timezone
from reports.guidance import Hint, blameless_hints, readiness, report_hints
from reports.metrics import incident_metrics
from reports.model import Report
from views.editor import follow_up_default

bp = Blueprint("guidance", __name__)


def has_wording_hints(field: Field) -> bool:
    """Free-text fields are checked for wording: every text area, and the title."""
    return field.type == "TextAreaField" or field.id == "title"


def _text_fields(form: ReportForm) -> list[Field]:
    found: list[Field] = []

    def walk(field: Field) -> None:
        if hasattr(field, "entries"):
            for entry in field.entries:
                walk(entry)
        elif hasattr(field, "form"):
            for sub in field.form:
                walk(sub)
        elif has_wording_hints(field):
            found.append(field)

    for field in form:
        walk(field)
    return found


def form_hints(form: ReportForm) -> dict[str, list[Hint]]:
    """Hints for each free-text input of the posted form, keyed by the input's id."""
    hints = {f.id: blameless_hints(f.data or "") for f in _text_fields(form)}
    return {field_id: found for field_id, found in hints.items() if found}


def _report_from(form: ReportForm, previous: Report) -> Report:
    """The report as typed, as far as it can be understood; unreadable values count as empty."""
    form.validate()
    if not is_timezone((form.timezone.data or "").strip() or "UTC"):
        form.timezone.data = "UTC"
    report = form.to_report(previous)
    if report.follow_up_review_on is None and report.resolved_at is not None:
        report.follow_up_review_on = follow_up_default(report.resolved_at.date())
    return report


def guidance_payload(report: Report, hints: dict[str, list[Hint]]) -> dict[str, Any]:
    checks = readiness(report)
    return {
        "hints": {key: [h.as_dict() for h in found] for key, found in hints.items()},
        "readiness": [c.as_dict() for c in checks],
        "missing": sum(1 for c in checks if not c.met),
        "metrics": incident_metrics(report).as_dict(),
    }


@bp.post("/reports/<int:report_id>/guidance")
def live(report_id: int) -> Response:
    stored = get_store().get(report_id)
    if stored is None:
        abort(404)
    if len(request.form) > current_app.config["MAX_FORM_PARTS"]:
        abort(413)
    form = ReportForm(formdata=request.form)
    report = _report_from(form, stored.report)
    return jsonify(guidance_payload(report, form_hints(form)))


@bp.get("/api/reports/<int:report_id>/guidance")
def for_api(report_id: int) -> Response:
    stored = get_store().get(report_id)
    if stored is None:
        abort(404)
    return jsonify(guidance_payload(stored.report, report_hints(stored.report)))


bp.add_app_template_global(has_wording_hints)


@bp.app_template_global()
def wording_hints(field: Field) -> list[Hint]:
    """For the page's first render: the hints of one input (empty for other inputs)."""
    return blameless_hints(field.data or "") if has_wording_hints(field) and isinstance(
        field.data, str) else []


@bp.app_template_global()
def review_checks(report: Report) -> list[Any]:
    return readiness(report)


@bp.app_template_global()
def report_metrics(report: Report) -> Any:
    return incident_metrics(report)
