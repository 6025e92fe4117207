"""The guided page as the server sees it: drawn with what the author typed, and saved.

Both the editor and the workflow (whose "Send for review" saves the page first) call
``save_posted_page``, so validation, version conflicts and the history work the same for both.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict
from wtforms import Form

from forms.changes import ChangesInvalid, apply_page_changes, is_changes
from forms.errors import field_id, form_errors
from forms.report import (
    INTERNAL_PART_FIELDS,
    ActionItemForm,
    FactorForm,
    ReportForm,
    TimelineEventForm,
)
from forms.rows import apply_row_action
from reports.checks import Problem, check_report
from reports.exchange import all_timezones, to_document
from reports.fields import LABELS as PROBLEM_LABELS
from reports.follow_up import follow_up_default
from reports.merge import Merged, merge_reports, with_values_of
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
from reports.workflow import PUBLISHED_MESSAGE, ReportPublished
from services import get_store
from views.conflicts import FieldDifference, differences, form_entries
from views.identity import author_name
from views.row_views import ClosedEvents, form_rows, open_events, row_views

NO_BASE_VERSION = ("This save did not say which version of the report it was based on, so it "
                   "could overwrite someone else's changes. Reload the page and try again.")


def blank_rows() -> dict[str, Form]:
    """Empty rows the page's script copies when the author adds one."""
    return {
        "timeline": TimelineEventForm(prefix="timeline-__index__-"),
        "factors": FactorForm(prefix="factors-__index__-"),
        "actions": ActionItemForm(prefix="actions-__index__-"),
    }


def render_page(stored: StoredReport, form: ReportForm, warnings: list[Problem],
                status: int = 200, focus: str | None = None, base_version: int | None = None,
                conflicts: list[FieldDifference] | None = None,
                rows_of: Report | None = None, opened: Collection[str] = ()) -> tuple[str, int]:
    """The guided page. Its rows are the form's own, or, with ``rows_of`` (a report opened as
    it is stored, when there are no errors to show), drawn from that report's values without
    a row form each (views/row_views.py). A long timeline shows most events as text with an
    "Edit" button; ``opened`` (row ids) and the row in ``focus`` keep their inputs."""
    blanks = blank_rows()
    rows = row_views(rows_of, blanks) if rows_of is not None else form_rows(form)
    found = {field_id(p.field): p.message for p in warnings}
    open_rows = open_events(rows["timeline"], found, focus, opened,
                            {c.id for c in conflicts or []})
    return (
        render_template(
            "editor.html", stored=stored, form=form, errors=form_errors(form), row_forms=rows,
            base_version=base_version or stored.version, conflicts=conflicts or [],
            warnings=found, open_events=open_rows,
            closed_event=ClosedEvents(blanks["timeline"]) if open_rows is not None else None,
            severities=SEVERITIES, statuses=STATUSES, event_kinds=EVENT_KINDS,
            priorities=PRIORITIES, action_statuses=ACTION_STATUSES, focus=focus,
            blank_rows=blanks, timezones=all_timezones(),
        ),
        status,
    )


def published_is_read_only(stored: StoredReport, autosave: bool) -> Any | None:
    """The answer to a save of a published report, or None when the report may be saved."""
    if stored.report.status != "published":
        return None
    if autosave:
        return jsonify(ok=False, error=PUBLISHED_MESSAGE.rstrip(".").lower()), 400
    flash(PUBLISHED_MESSAGE)
    return redirect(url_for("editor.edit", report_id=stored.id), code=303)


def posted_base_version() -> int | None:
    """The version the author's page was based on (a hidden input of the page)."""
    try:
        return int(request.form.get("base_version", ""))
    except ValueError:
        return None


def _conflict(current: StoredReport, mine: Report, form: ReportForm | None, autosave: bool,
              paths: list[str] | None = None) -> Any:
    """Someone else saved first: show both versions, field by field, and lose neither.

    With ``paths`` (the values both changed, after the rest was merged and saved as
    ``current``), only their parts are shown, and the page takes in the merged report with the
    author's own values at those paths (``yours``).
    """
    found = differences(mine, current.report)
    yours = None
    if paths is not None:
        parts = {page_part(path) for path in paths}
        found = [d for d in found if d.id in parts]
        yours = with_values_of(current.report, mine, paths)
        form = ReportForm.for_report(yours, formdata=None)  # not the posted values
    if autosave:
        return jsonify(
            ok=False, conflict=True, version=current.version,
            saved_at=current.updated_at.isoformat(),
            fields=[vars(d) for d in found],
            theirs=form_entries(current.report),
            **({"yours": form_entries(yours)} if yours is not None else {}),
        ), 409
    # The author's text stays in the form; saving again keeps it over the newer version.
    if form is None:  # only a page's script sends its changes, and it reads the JSON answer
        form = ReportForm.for_report(mine, formdata=None)
    return render_page(current, form, [], status=409, base_version=current.version,
                       conflicts=found)


def page_part(path: str) -> str:
    """The page's part (``summary``, ``went_well``, ``timeline``, ``impact_internal``) that a
    merge conflict's path (reports.merge) belongs to."""
    tokens = path.split("/")[1:]
    if tokens[0] == "lessons":
        return tokens[1]
    if tokens[0] == "internal_parts":
        return INTERNAL_PART_FIELDS.get(tokens[1], tokens[1])
    return tokens[0]


MERGE_ATTEMPTS = 3


def _merge_and_save(report_id: int, base_version: int, mine: Report, current: StoredReport,
                    ) -> tuple[StoredReport, Merged, int] | None:
    """Put the author's edits together with what others saved since ``base_version``, and save.

    Returns the saved report, the merge, and the version of others' saves it was merged with.
    None when the version the page started from is no longer kept (then the whole conflict
    is shown, as before merges existed).
    """
    store = get_store()
    base = store.revision(report_id, base_version)
    if base is None:
        return None
    for _attempt in range(MERGE_ATTEMPTS):
        merged = merge_reports(base, mine, current.report)
        if to_document(merged.report) == to_document(current.report):
            return current, merged, current.version  # nothing new to keep: no version added
        try:
            saved = store.save(report_id, merged.report, expected_version=current.version,
                               author=author_name(), kind="merge")
        except VersionConflict as again:
            current = again.current
            continue
        if saved is None:
            abort(404)
        return saved, merged, current.version
    return None


@dataclass(frozen=True)
class PageSave:
    """What became of a posted page: ``saved`` when it was saved, else the ``answer`` to send."""

    saved: StoredReport | None = None
    answer: Any = None
    report: Report | None = None
    warnings: tuple[Problem, ...] = ()
    focus: str | None = None
    row_action: str = ""
    # Others' saves (up to this version, after the page's own) were merged in: the page should
    # take them in. None: the save was made on the version the page showed.
    merged_with: int | None = None
    base_version: int | None = None
    # The id of the event a row action was on (added, moved, asked to edit): the page drawn
    # next shows it with its inputs, even in a long timeline of events shown as text.
    opened: str | None = None


@dataclass(frozen=True)
class _Built:
    """The report a post describes, or the answer that refuses it."""

    report: Report | None = None
    form: ReportForm | None = None  # the whole page's form (None for a page's changes)
    warnings: tuple[Problem, ...] = ()
    answer: Any = None


def _errors_answer(errors: list[tuple[str, str, str]]) -> Any:
    return jsonify(ok=False, errors=[{"id": i, "label": label, "message": m}
                                     for i, label, m in errors]), 400


def _checked(report: Report) -> tuple[list[Problem], list[Problem]]:
    """The report's problems, blocking and not; the follow-up review gets its default date."""
    if report.follow_up_review_on is None and report.resolved_at is not None:
        report.follow_up_review_on = follow_up_default(report.resolved_at.date())
    problems = check_report(report)
    return [p for p in problems if p.blocking], [p for p in problems if not p.blocking]


def _from_whole_page(stored: StoredReport, formdata: MultiDict[str, str], autosave: bool,
                     focus: str | None, base_version: int) -> _Built:
    form = ReportForm(formdata=formdata)
    valid = form.validate()
    report = form.to_report(stored.report) if valid else None
    warnings: list[Problem] = []
    if report is not None:
        blocking, warnings = _checked(report)
        for problem in blocking:
            # A row's problem (timeline.2.at) is shown on its list (timeline).
            field = getattr(form, problem.field.split(".")[0], None) or form.title
            field.errors.append(problem.message)
            valid = False
    if valid and report is not None:
        return _Built(report, form, tuple(warnings))
    if autosave:
        return _Built(answer=_errors_answer(form_errors(form)))
    return _Built(answer=render_page(stored, form, warnings, status=400, focus=focus,
                                     base_version=base_version))


RESEND = ("This page's changes were made on a version that is no longer kept. The page sends "
          "the whole report instead.")


def _from_changes(stored: StoredReport, formdata: MultiDict[str, str],
                  base_version: int) -> _Built:
    """A page's changes (forms/changes.py) applied to the version the page shows."""
    base = (stored.report if base_version == stored.version
            else get_store().revision(stored.id, base_version))
    if base is None:
        return _Built(answer=(jsonify(ok=False, resend=True, error=RESEND), 409))
    try:
        report = apply_page_changes(base, formdata)
    except ChangesInvalid as invalid:
        return _Built(answer=_errors_answer(invalid.errors))
    blocking, warnings = _checked(report)
    if blocking:
        return _Built(answer=_errors_answer(
            [(field_id(p.field), PROBLEM_LABELS.get(p.field.split(".")[0], ""), p.message)
             for p in blocking]))
    return _Built(report, None, tuple(warnings))


def _kind(formdata: MultiDict[str, str], autosave: bool) -> str:
    """An autosave, or a save the author asked for (the Save button, with or without script)."""
    return "save" if not autosave or formdata.get("explicit") == "1" else "autosave"


def save_posted_page(stored: StoredReport, autosave: bool) -> PageSave:
    """Validate and save the page the author posted, as a new version of ``stored``.

    The post is the whole page, or (from the page's script) only what changed since the last
    acknowledged save (``forms/changes.py``). Saves made by others since the page's version are
    merged in; only values both changed are shown to the author.
    """
    refused = published_is_read_only(stored, autosave)
    if refused is not None:
        return PageSave(answer=refused)
    base_version = posted_base_version()
    if base_version is None:
        if autosave:
            return PageSave(answer=(jsonify(ok=False, error=NO_BASE_VERSION), 428))
        abort(428, NO_BASE_VERSION)
    formdata: MultiDict[str, str] = request.form
    if len(formdata) > current_app.config["MAX_FORM_PARTS"]:
        abort(413)  # the multipart parser enforces this itself; url-encoded posts are counted here
    focus = None
    action = formdata.get("row_action", "")
    if is_changes(formdata):
        built = _from_changes(stored, formdata, base_version)
    else:
        if action:
            formdata, focus = apply_row_action(formdata, action)
        built = _from_whole_page(stored, formdata, autosave, focus, base_version)
    if built.answer is not None or built.report is None:
        return PageSave(answer=built.answer)
    report, form, warnings = built.report, built.form, built.warnings
    opened = _event_id(report, formdata, focus)
    try:
        saved = get_store().save(stored.id, report, expected_version=base_version,
                                 author=author_name(), kind=_kind(formdata, autosave),
                                 read=stored)
        merged = None
        merged_with = None
        if saved is None:
            abort(404)
    except VersionConflict as conflict:
        try:
            done = _merge_and_save(stored.id, base_version, report, conflict.current)
        except ReportPublished:
            done = None
        if done is None:
            return PageSave(answer=_conflict(conflict.current, report, form, autosave))
        saved, merged, merged_with = done
        if merged.conflicts:
            return PageSave(answer=_conflict(saved, report, form, autosave,
                                             paths=merged.conflict_paths))
    except ReportPublished:  # published by someone else since the page was loaded
        return PageSave(answer=published_is_read_only(get_store().get(stored.id) or stored,
                                                      autosave))
    return PageSave(saved=saved, report=saved.report if merged else report, warnings=warnings,
                    focus=focus, row_action=action, base_version=base_version,
                    merged_with=merged_with if merged is not None else None,
                    opened=opened)


def _event_id(report: Report, formdata: MultiDict[str, str], focus: str | None) -> str | None:
    """The id of the event ``focus`` names (``timeline-3``, a row of the posted page): its
    posted id, or, for the row just added, the id the report gave it."""
    if not focus or not focus.startswith("timeline-"):
        return None
    ids = {event.id for event in report.timeline}
    posted = (formdata.get(f"{focus}-id") or "").strip()
    if posted in ids:
        return posted
    known = {value.strip() for key, value in formdata.items(multi=True)
             if key.startswith("timeline-") and key.endswith("-id")}
    new = ids - known
    return new.pop() if len(new) == 1 else None
