"""Guidance for the author while they write: blaming wording, the apology coach, plain language
and reading ease of the client-facing parts, what is missing, the durations.

``POST /reports/<id>/guidance`` takes the same form data as the autosave, saves nothing, and
answers with what can be worked out even when some input is invalid. The same guidance for a
stored report is at ``GET /api/reports/<id>/guidance``.

An author may set a hint aside with a short reason (``reports/set_aside.py``): it then no
longer shows under the field nor counts in the readiness checklist, here, on the page, in the
API and in the review gate. Reviewers see every hint set aside, and why, and may restore it.

For a published report the live guidance answers for the stored report: its inputs are
disabled, so the page posts nothing of it, and the checklist must still say where it stands.

A post larger than any save takes (reports/limits.py) is refused with 413 before any work is
done on it, and each text is read only up to what a save accepts in that input.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    request,
    url_for,
)
from flask.sansio.blueprints import BlueprintSetupState
from flask_babel import gettext
from werkzeug.wrappers import Response as BaseResponse
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
from reports.guidance.plain import Readability, glossary_for, readability, warm_up
from reports.guidance.readiness import HintKey, counting, place
from reports.language import N_, duration_words, known_language, shown_language
from reports.metrics import incident_metrics
from reports.model import Report
from reports.set_aside import SetAside, SetAsideError, SetAsideStore
from reports.workflow import PUBLISHED_MESSAGE
from services import get_store
from views.conflicts import LABELS
from views.identity import current_user, sees_internal
from views.permissions import EDIT_REPORT, MOVE_REPORT, READ_REPORT, REVIEW_REPORT, allow

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


def _field_hints(field: Field, known: frozenset[str], language: str = "en") -> list[Hint]:
    return text_hints(analysed_text(field), apology=field.id == "apology",
                      plain=is_plain_part(field), known=known, language=language)


def form_language(form: ReportForm) -> str:
    """The language of the report a form holds: the advice follows it (French rules for a
    report written in French)."""
    chosen = getattr(form, "language", None)
    return known_language(chosen.data if chosen is not None else None)


def _known(form: ReportForm) -> frozenset[str]:
    return known_names(analysed_text(form.audience), analysed_text(form.service))


def form_hints(form: ReportForm, language: str | None = None) -> dict[str, list[Hint]]:
    """Hints for each free-text input of the posted form, keyed by the input's id."""
    known = _known(form)
    language = language or form_language(form)
    hints = {f.id: _field_hints(f, known, language) for f in _text_fields(form)}
    return {field_id: found for field_id, found in hints.items() if found}


def form_readability(form: ReportForm, language: str | None = None) -> dict[str, Readability]:
    """Reading ease of each plain-language input that has text, keyed by the input's id."""
    language = language or form_language(form)
    scores = {f.id: readability(analysed_text(f), language=language) for f in _text_fields(form)
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


def set_aside_store() -> SetAsideStore:
    return SetAsideStore(get_store().engine)


def set_aside_keys(report_id: int | None) -> frozenset[HintKey]:
    """The keys of the hints set aside on a report (none for a report not stored yet)."""
    return frozenset() if report_id is None else set_aside_store().keys(report_id)


def guidance_payload(report: Report, hints: dict[str, list[Hint]],
                     scores: dict[str, Readability],
                     set_aside: frozenset[HintKey] = frozenset()) -> dict[str, Any]:
    checks = readiness(report, set_aside)
    hints = {key: counting(found, set_aside) for key, found in hints.items()}
    return {
        "hints": {key: [h.as_dict() for h in found] for key, found in hints.items() if found},
        "readability": {key: score.as_dict() for key, score in scores.items()},
        "readiness": [c.as_dict() for c in checks],
        "missing": sum(1 for c in checks if not c.met),
        "metrics": _in_words(incident_metrics(report).as_dict()),
    }


def _in_words(metrics: dict[str, Any]) -> dict[str, Any]:
    """The durations' words in the reader's language ("1 heure 50 minutes")."""
    for name in ("time_to_detect", "time_to_resolve", "total_duration"):
        seconds = metrics[name]["seconds"]
        if seconds is not None:
            metrics[name]["text"] = duration_words(timedelta(seconds=seconds), shown_language())
    return metrics


_ROWS = {"timeline": N_("Timeline event"), "factors": N_("Factor"), "actions": N_("Action item")}
_ROW_INPUT = re.compile(r"^(timeline|factors|actions)-(\d+)-")


def _input_label(name: str) -> str:
    """An input's name as the author knows it: "Summary", "Timeline event 3"."""
    if name in LABELS:
        return gettext(LABELS[name])
    row = _ROW_INPUT.match(name)
    if row:
        return f"{gettext(_ROWS[row.group(1)])} {int(row.group(2)) + 1}"
    return gettext("The input “%(name)s”", name=name[:40])


def _refuse_oversized() -> Response | None:
    """413, in words, for a post larger than any save takes; None when it is within limits."""
    found = limits.oversized_page(request.form.items(multi=True),
                                  current_app.config["MAX_FORM_PARTS"])
    if found is None:
        return None
    detail = f"{_input_label(found.name)} {found.reason}" if found.name else found.reason
    response = jsonify(error=gettext("Too much to check at once"), detail=detail, status=413)
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
    keys = set_aside_keys(report_id)
    if stored.report.status == "published":  # nothing is posted from its disabled inputs
        form = ReportForm.for_report(stored.report, formdata=None)
        return jsonify(guidance_payload(stored.report, form_hints(form),
                                        form_readability(form), keys))
    form = ReportForm(formdata=request.form)
    report = _report_from(form, stored.report)  # its language: posted, else the stored one's
    return jsonify(guidance_payload(report, form_hints(form, report.language),
                                    form_readability(form, report.language), keys))


@bp.get("/api/reports/<int:report_id>/guidance")
@allow(READ_REPORT)
def for_api(report_id: int) -> Response:
    stored = get_store().get(report_id)
    if stored is None:
        abort(404)
    report = stored.report if sees_internal() else client_copy(stored.report)
    return jsonify(guidance_payload(report, *report_guidance(report),
                                    set_aside_keys(report_id)))


# ---- hints set aside -------------------------------------------------------------------------

_FAMILY_TITLES = {family: title for family, title, _ in HINT_FAMILIES}


def _back(report_id: int, anchor: str = "") -> BaseResponse:
    """Back to the page the form was on: the guided page, the read-only view or the comments."""
    places = {"editor": "editor.edit", "view": "library.view", "comments": "review.comments"}
    target = request.form.get("back", "editor")
    url = url_for(places.get(target, "editor.edit"), report_id=report_id)
    return redirect(url + (f"#{anchor}" if anchor and target == "editor" else ""), code=303)


def _person() -> str:
    user = current_user()
    if current_app.config["AUTH"] == "none" or user is None:
        return "Author"
    return user.display_name or user.username


@bp.post("/reports/<int:report_id>/set-aside")
@allow(EDIT_REPORT)
def set_aside(report_id: int) -> BaseResponse:
    """Set one hint aside: the button's value names it (``set_aside_token``), and the reason is
    in the input beside it (``reason|<token>``) or, for a client of its own, in ``reason``."""
    stored = get_store().get(report_id)
    if stored is None:
        abort(404)
    token = request.form.get("set_aside", "")
    parts = token.split("|", 3)
    if len(parts) != 4:
        abort(400)
    family, field_id, rule_id, words = parts
    if stored.report.status == "published":
        flash(gettext(PUBLISHED_MESSAGE), "error")
        return _back(report_id, field_id)
    reason = request.form.get(f"reason|{token}") or request.form.get("reason", "")
    try:
        set_aside_store().add(report_id, family, rule_id, words, field_id, reason, _person())
    except SetAsideError as problem:
        flash(str(problem), "error")
        return _back(report_id, field_id)
    flash(gettext("The hint is set aside: it no longer counts in the checklist. Reviewers see "
                  "it, with your reason."))
    return _back(report_id, field_id)


@bp.post("/reports/<int:report_id>/set-aside/restore")
@allow(MOVE_REPORT)
def restore_set_aside(report_id: int) -> BaseResponse:
    """Make a hint set aside count again (reviewers, and the report's authors); the form's
    ``restore`` names it."""
    if get_store().get(report_id) is None:
        abort(404)
    store = set_aside_store()
    try:
        set_aside_id = int(request.form.get("restore", ""))
    except ValueError:
        abort(400)
    entry = store.get(set_aside_id)
    if entry is None or entry.report_id != report_id:
        abort(404)
    store.restore(set_aside_id)
    flash(gettext("The hint is back: it counts in the checklist again."))
    return _back(report_id)


def set_aside_token(hint: Hint, field_id: str) -> str:
    """What a "Set aside" button posts: the hint's family, input, rule and words."""
    return "|".join((hint.family, field_id, hint.rule_id, hint.excerpt))


def _request_keys() -> frozenset[HintKey]:
    """For the page's first render: the hints set aside on the report the address names."""
    if "guidance_set_aside" not in g:
        g.guidance_set_aside = set_aside_keys((request.view_args or {}).get("report_id"))
    return g.guidance_set_aside


@bp.app_template_global()
def set_aside_hints(report_id: int) -> list[dict[str, Any]]:
    """Every hint set aside on a report, in words for the page: what, where, why, by whom."""
    def shown(entry: SetAside) -> dict[str, Any]:
        return {"id": entry.id, "kind": gettext(_FAMILY_TITLES.get(entry.family, entry.family)),
                "words": entry.words, "where": place(entry.field.replace("-", ".")),
                "reason": entry.reason, "author": entry.author, "at": entry.created_at}
    return [shown(entry) for entry in set_aside_store().for_report(report_id)]


@bp.app_template_global()
def may_restore_set_aside(report_id: int) -> bool:
    """Whether the person may restore a hint set aside: reviewers and the report's authors."""
    user = current_user()
    return user is None or MOVE_REPORT.check(user, get_store().team_of(report_id))


bp.add_app_template_global(set_aside_token)


bp.add_app_template_global(has_wording_hints)
bp.add_app_template_global(has_readability)
@bp.record_once
def _hint_families(state: BlueprintSetupState) -> None:
    state.app.jinja_env.globals["hint_families"] = HINT_FAMILIES


def _page_known(field: Field) -> frozenset[str]:
    """The client's own abbreviations, for the page's first render. A row's input cannot reach
    the whole form, so the names are kept from the first top-level input rendered."""
    form = getattr(field, "_form", None)
    if isinstance(form, ReportForm):
        g.guidance_known = _known(form)
        g.guidance_language = form_language(form)
    return g.get("guidance_known", frozenset())


def _page_language() -> str:
    """The report's language for the page's first render (kept by ``_page_known``)."""
    return str(g.get("guidance_language", "en"))


@bp.app_template_global()
def wording_hints(field: Field) -> list[Hint]:
    """For the page's first render: the hints of one input (empty for other inputs)."""
    if not has_wording_hints(field) or not isinstance(field.data, str):
        return []
    known = _page_known(field)
    return counting(_field_hints(field, known, _page_language()), _request_keys())


@bp.app_template_global()
def field_readability(field: Field) -> Readability | None:
    """For the page's first render: the reading ease of one plain-language input."""
    _page_known(field)
    # Once per process and language, so that no live update waits for it.
    warm_up(glossary_for(_page_language()))
    if not is_plain_part(field) or not isinstance(field.data, str):
        return None
    return readability(analysed_text(field), language=_page_language())


@bp.app_template_global()
def review_checks(report: Report) -> list[Any]:
    return readiness(report, _request_keys())


@bp.app_template_global()
def report_metrics(report: Report) -> Any:
    return incident_metrics(report)
