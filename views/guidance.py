"""Guidance for the author while they write: blaming wording, the apology coach, plain language
and reading ease of the client-facing parts, what is missing, the durations.

``POST /reports/<id>/guidance`` takes the same form data as the autosave, saves nothing, and
answers with what can be worked out even when some input is invalid. The same guidance for a
stored report is at ``GET /api/reports/<id>/guidance``.

A post larger than any save takes (reports/limits.py) is refused with 413 before any work is
done on it, and each text is read only up to what a save accepts in that input.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, abort, current_app, g, jsonify, request
from wtforms import Field
from wtforms.validators import Length

from forms.report import ReportForm
from forms.walk import leaf_fields
from reports import limits
from reports.copies import client_copy
from reports.exchange import is_timezone
from reports.follow_up import follow_up_default
from reports.guidance import Hint, readiness
from reports.guidance.client import (
    HINT_FAMILIES,
    PLAIN_PARTS,
    known_names,
    report_guidance,
    text_hints,
)
from reports.guidance.plain import Readability, readability, warm_up
from reports.metrics import incident_metrics
from reports.model import Report
from services import get_store
from views.conflicts import LABELS
from views.identity import sees_internal
from views.permissions import READ_REPORT, REVIEW_REPORT, allow

bp = Blueprint("guidance", __name__)


def has_wording_hints(field: Field) -> bool:
    """Free-text fields are checked for wording: every text area, and the title."""
    return field.type == "TextAreaField" or field.id == "title"


def _text_fields(form: ReportForm) -> list[Field]:
    return [field for field in leaf_fields(form) if has_wording_hints(field)]


_FACTOR_TEXT = re.compile(r"^factors-(?:\d+|__index__)-description$")


def has_readability(field: Field) -> bool:
    """Inputs that may get plain-language guidance: the apology, summary and impact, and each
    factor's description (checked while the factor is marked as a root cause)."""
    return field.id in PLAIN_PARTS or bool(_FACTOR_TEXT.match(field.id))


def is_plain_part(field: Field) -> bool:
    """Whether plain-language guidance applies to this input now."""
    if field.id in PLAIN_PARTS:
        return True
    root_cause = getattr(getattr(field, "_form", None), "root_cause", None)
    return bool(_FACTOR_TEXT.match(field.id) and root_cause is not None and root_cause.data)


def text_limit(field: Field) -> int:
    """The most characters of an input that a save accepts, and so that guidance reads."""
    lengths = [v.max for v in field.validators if isinstance(v, Length) and v.max >= 0]
    return min(lengths, default=limits.MAX_LONG_TEXT)


def analysed_text(field: Field) -> str:
    """An input's text as far as guidance reads it: no further than a save would accept."""
    return field.data[:text_limit(field)] if isinstance(field.data, str) else ""


def _field_hints(field: Field, known: frozenset[str]) -> list[Hint]:
    return text_hints(analysed_text(field), apology=field.id == "apology",
                      plain=is_plain_part(field), known=known)


def _known(form: ReportForm) -> frozenset[str]:
    return known_names(analysed_text(form.audience), analysed_text(form.service))


def form_hints(form: ReportForm) -> dict[str, list[Hint]]:
    """Hints for each free-text input of the posted form, keyed by the input's id."""
    known = _known(form)
    hints = {f.id: _field_hints(f, known) for f in _text_fields(form)}
    return {field_id: found for field_id, found in hints.items() if found}


def form_readability(form: ReportForm) -> dict[str, Readability]:
    """Reading ease of each plain-language input that has text, keyed by the input's id."""
    scores = {f.id: readability(analysed_text(f)) for f in _text_fields(form)
              if is_plain_part(f)}
    return {field_id: score for field_id, score in scores.items() if score is not None}


def _report_from(form: ReportForm, previous: Report) -> Report:
    """The report as typed, as far as it can be understood; unreadable values count as empty."""
    form.validate()
    if not is_timezone((form.timezone.data or "").strip() or "UTC"):
        form.timezone.data = "UTC"
    report = form.to_report(previous)
    if report.follow_up_review_on is None and report.resolved_at is not None:
        report.follow_up_review_on = follow_up_default(report.resolved_at.date())
    return report


def guidance_payload(report: Report, hints: dict[str, list[Hint]],
                     scores: dict[str, Readability]) -> dict[str, Any]:
    checks = readiness(report)
    return {
        "hints": {key: [h.as_dict() for h in found] for key, found in hints.items()},
        "readability": {key: score.as_dict() for key, score in scores.items()},
        "readiness": [c.as_dict() for c in checks],
        "missing": sum(1 for c in checks if not c.met),
        "metrics": incident_metrics(report).as_dict(),
    }


_ROWS = {"timeline": "Timeline event", "factors": "Factor", "actions": "Action item"}
_ROW_INPUT = re.compile(r"^(timeline|factors|actions)-(\d+)-")


def _input_label(name: str) -> str:
    """An input's name as the author knows it: "Summary", "Timeline event 3"."""
    if name in LABELS:
        return LABELS[name]
    row = _ROW_INPUT.match(name)
    if row:
        return f"{_ROWS[row.group(1)]} {int(row.group(2)) + 1}"
    return f"The input “{name[:40]}”"


def _refuse_oversized() -> Response | None:
    """413, in words, for a post larger than any save takes; None when it is within limits."""
    found = limits.oversized_page(request.form.items(multi=True),
                                  current_app.config["MAX_FORM_PARTS"])
    if found is None:
        return None
    detail = f"{_input_label(found.name)} {found.reason}" if found.name else found.reason
    response = jsonify(error="Too much to check at once", detail=detail, status=413)
    response.status_code = 413
    return response


@bp.post("/reports/<int:report_id>/guidance")
@allow(REVIEW_REPORT)  # the guided page's advice; viewers never see the page
def live(report_id: int) -> Response:
    stored = get_store().get(report_id)
    if stored is None:
        abort(404)
    refused = _refuse_oversized()
    if refused is not None:
        return refused
    form = ReportForm(formdata=request.form)
    report = _report_from(form, stored.report)
    return jsonify(guidance_payload(report, form_hints(form), form_readability(form)))


@bp.get("/api/reports/<int:report_id>/guidance")
@allow(READ_REPORT)
def for_api(report_id: int) -> Response:
    stored = get_store().get(report_id)
    if stored is None:
        abort(404)
    report = stored.report if sees_internal() else client_copy(stored.report)
    return jsonify(guidance_payload(report, *report_guidance(report)))


bp.add_app_template_global(has_wording_hints)
bp.add_app_template_global(has_readability)
bp.add_app_template_global(HINT_FAMILIES, "hint_families")


def _page_known(field: Field) -> frozenset[str]:
    """The client's own abbreviations, for the page's first render. A row's input cannot reach
    the whole form, so the names are kept from the first top-level input rendered."""
    form = getattr(field, "_form", None)
    if isinstance(form, ReportForm):
        g.guidance_known = _known(form)
    return g.get("guidance_known", frozenset())


@bp.app_template_global()
def wording_hints(field: Field) -> list[Hint]:
    """For the page's first render: the hints of one input (empty for other inputs)."""
    if not has_wording_hints(field) or not isinstance(field.data, str):
        return []
    return _field_hints(field, _page_known(field))


@bp.app_template_global()
def field_readability(field: Field) -> Readability | None:
    """For the page's first render: the reading ease of one plain-language input."""
    warm_up()  # once per process, so that no live update waits for it
    if not is_plain_part(field) or not isinstance(field.data, str):
        return None
    return readability(analysed_text(field))


@bp.app_template_global()
def review_checks(report: Report) -> list[Any]:
    return readiness(report)


@bp.app_template_global()
def report_metrics(report: Report) -> Any:
    return incident_metrics(report)
