""""Add events from text": paste or upload, then pick (issue 16, part 1).

The page works without JavaScript, one step at a time: the text (or a file) → the table's
columns and the zone of its times, when the source does not say → a review table where the
author ticks the events to keep and can change each one's kind → "Add the ticked events", saved
as a new version based on the one the review showed. The API's ``parse`` finds the same events
and saves nothing. The reading itself is ``reports/timeline_import``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext, ngettext
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response as BaseResponse

from reports.exchange import all_timezones, in_year_range, is_timezone
from reports.language import N_
from reports.limits import MAX_LONG_TEXT, MAX_ROWS
from reports.model import EVENT_KINDS, StoredReport
from reports.store import VersionConflict
from reports.timeline_import import (
    SOURCES,
    SOURCES_IN_A_SENTENCE,
    Chosen,
    ColumnError,
    FoundEvent,
    Reading,
    Settings,
    TooManyRows,
    clean,
    context_of,
    decode_upload,
    read_timeline,
    with_events,
)
from reports.timeline_import.duplicates import is_duplicate
from reports.workflow import PUBLISHED_MESSAGE, ReportPublished
from services import get_store, today
from views.api import _problem, _read_body
from views.identity import author_name
from views.language import format_number
from views.permissions import EDIT_REPORT, allow
from views.row_views import MAX_OPENED

bp = Blueprint("timeline_import", __name__)
# The JSON route lives in a blueprint of its own so that app.py can exempt it from the form
# token, as views/api.py's routes are (JSON only, and a foreign Origin is refused).
api_bp = Blueprint("timeline_import_api", __name__, url_prefix="/api")

DAY_ORDERS = {"day": True, "month": False}
NO_TEXT = N_("Paste the messages or lines, or choose a file, to find events in them.")


def _stored_or_404(report_id: int) -> StoredReport:
    stored = get_store().get(report_id)
    if stored is None:
        abort(404)
    return stored


# ---- the API ----


def event_json(event: FoundEvent) -> dict[str, Any]:
    return {"at": event.at.isoformat(), "kind": event.kind, "description": event.description,
            "duplicate": event.duplicate, "author": event.author,
            "needs_timezone": event.needs_timezone}


def reading_json(reading: Reading) -> dict[str, Any]:
    body: dict[str, Any] = {
        "events": [event_json(e) for e in reading.events],
        "source": reading.source, "timezone": reading.timezone,
        "needs_timezone": reading.needs_timezone, "ambiguous_dates": reading.ambiguous_dates,
        "day_first": reading.day_first, "left_out": reading.left_out,
        "truncated": reading.truncated, "problems": list(reading.problems),
    }
    if reading.table is not None:
        table = reading.table
        body["columns"] = list(table.columns)
        body["time_column"] = (table.columns[table.time_column]
                               if table.time_column is not None else None)
        body["text_column"] = (table.columns[table.text_column]
                               if table.text_column is not None else None)
    return body


def _api_settings(body: dict[str, Any]) -> Settings:
    problems: dict[str, str] = {}
    zone = body.get("timezone")
    if zone is not None and not (isinstance(zone, str) and (zone == "" or is_timezone(zone))):
        problems["timezone"] = "must be an IANA time zone name, such as Europe/Paris or UTC"
    day_first = body.get("day_first")
    if day_first is not None and not isinstance(day_first, bool):
        problems["day_first"] = "must be true (03/10 is 3 October) or false (March 10)"
    source = body.get("source")
    if source is not None and source not in SOURCES:
        problems["source"] = f"must be one of: {', '.join(SOURCES)}"
    columns: dict[str, str | int | None] = {}
    for name in ("time_column", "text_column"):
        value = body.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, str | int)):
            problems[name] = "must be a column's name or its position (counting from 0)"
        else:
            columns[name] = value
    if problems:
        abort(_problem(400, "Some settings cannot be used.", problems))
    return Settings(timezone=zone or None, day_first=day_first, source=source,
                    time_column=columns["time_column"], text_column=columns["text_column"])


@api_bp.post("/reports/<int:report_id>/timeline/parse")
@allow(EDIT_REPORT)
def parse(report_id: int) -> Response:
    """The events a text holds, for this report: nothing is saved."""
    stored = _stored_or_404(report_id)
    body = _read_body()
    if not isinstance(body, dict):
        return _problem(400, 'Send a JSON object: {"text": "<the pasted text>"}.',
                        {"document": "must be a JSON object"})
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        return _problem(400, NO_TEXT, {"text": "must be the pasted text or the file's content"})
    settings = _api_settings(body)
    try:
        reading = read_timeline(text, settings, context_of(stored.report, today()))
    except ColumnError as error:
        return _problem(400, str(error), {"columns": str(error)})
    return jsonify(reading_json(reading))


# ---- the page ----


@dataclass
class Row:
    """One event of the review table, as shown and as posted back."""

    at: datetime
    kind: str
    description: str
    author: str = ""
    duplicate: bool = False
    ticked: bool = True
    error: str = ""


def _page(stored: StoredReport, step: str, status: int = 200, **values: Any
          ) -> tuple[str, int]:
    values.setdefault("errors", [])
    return render_template(
        "timeline_import.html", stored=stored, step=step, sources=SOURCES,
        sources_in_a_sentence=SOURCES_IN_A_SENTENCE,
        event_kinds=EVENT_KINDS, timezones=all_timezones(), max_rows=MAX_ROWS,
        published=stored.report.status == "published", **values,
    ), status


def _form_settings(form: MultiDict[str, str]) -> tuple[Settings, list[tuple[str, str, str]]]:
    """The settings the person chose on the page, and what is wrong with them."""
    errors: list[tuple[str, str, str]] = []
    zone = form.get("timezone", "").strip()
    if zone and not is_timezone(zone):
        errors.append(("timezone", gettext("Time zone"),
                       gettext("Choose a time zone from the list.")))
        zone = ""
    source = form.get("source", "")
    return Settings(
        timezone=zone or None,
        day_first=DAY_ORDERS.get(form.get("day_order", "")),
        source=source if source in SOURCES else None,
        time_column=form.get("time_column") or None,
        text_column=form.get("text_column") or None,
    ), errors


def _given_text() -> str:
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        data = upload.read()
        if data:
            return decode_upload(data)
    return request.form.get("text", "")


@bp.get("/reports/<int:report_id>/timeline/import")
@allow(EDIT_REPORT)
def start(report_id: int) -> tuple[str, int]:
    return _page(_stored_or_404(report_id), "source", text="")


@bp.post("/reports/<int:report_id>/timeline/import")
@allow(EDIT_REPORT)
def read(report_id: int) -> tuple[str, int]:
    """Read the text; ask for what the source does not say, else show the review table."""
    stored = _stored_or_404(report_id)
    text = _given_text()
    settings, errors = _form_settings(request.form)
    if not text.strip():
        return _page(stored, "source", 400, text=text,
                     errors=[("text", gettext("The text"), gettext(NO_TEXT))])
    try:
        reading = read_timeline(text, settings, context_of(stored.report, today()))
    except ColumnError as error:
        errors.append(("time_column", gettext("Columns"), str(error)))
        reading = read_timeline(text, replace(settings, time_column=None, text_column=None),
                                context_of(stored.report, today()))
    asked = request.form.get("asked") == "1"
    needs_asking = reading.table is not None or reading.needs_timezone or reading.ambiguous_dates
    if errors or (needs_asking and not asked) or (reading.table is not None
                                                  and not reading.events):
        return _page(stored, "settings", 400 if errors else 200, text=text, reading=reading,
                     settings=settings, errors=errors)
    if not reading.events:
        return _page(stored, "source", 400, text=text, errors=[
            ("text", gettext("The text"), problem) for problem in reading.problems])
    rows = [Row(e.at, e.kind, e.description, e.author, e.duplicate, ticked=not e.duplicate)
            for e in reading.events[:MAX_ROWS]]
    return _page(stored, "review", text=text, reading=reading, settings=settings, rows=rows,
                 base_version=stored.version)


def _posted_rows(form: MultiDict[str, str]) -> list[Row]:
    """The review table as posted, each row checked; a row that cannot be read is left out
    (only a changed page sends one)."""
    try:
        count = min(int(form.get("count", "0")), MAX_ROWS)
    except ValueError:
        count = 0
    rows: list[Row] = []
    for i in range(count):
        prefix = f"events-{i}-"
        try:
            at = datetime.fromisoformat(form.get(prefix + "at", ""))
        except ValueError:
            continue
        if at.tzinfo is None or not in_year_range(at):
            continue
        kind = form.get(prefix + "kind", "other")
        row = Row(at, kind if kind in EVENT_KINDS else "other",
                  form.get(prefix + "description", "")[:MAX_LONG_TEXT + 1],
                  clean(form.get(prefix + "author", ""), limit=100),
                  duplicate=form.get(prefix + "duplicate") == "1",
                  ticked=form.get(prefix + "add") == "1")
        description = clean(row.description, limit=MAX_LONG_TEXT + 1)
        if row.ticked and not description:
            row.error = gettext("Write what happened, or untick this event.")
        elif len(description) > MAX_LONG_TEXT:
            row.error = gettext("Shorten this to at most %(most)s characters.",
                                most=format_number(MAX_LONG_TEXT))
        rows.append(row)
    return rows


def _row_errors(rows: list[Row]) -> list[tuple[str, str, str]]:
    return [(f"events-{i}-description", gettext("Event %(number)s", number=i + 1), row.error)
            for i, row in enumerate(rows) if row.error]


@bp.post("/reports/<int:report_id>/timeline/import/add")
@allow(EDIT_REPORT)
def add(report_id: int) -> tuple[str, int] | BaseResponse:
    """Add the ticked events, as a new version of the version the review was based on."""
    stored = _stored_or_404(report_id)
    rows = _posted_rows(request.form)
    try:
        based_on = int(request.form.get("base_version", ""))
    except ValueError:
        abort(400, gettext("The page did not say which version of the report it showed. Start "
                           "again."))

    def again(status: int, errors: list[tuple[str, str, str]], current: StoredReport,
              **notes: Any) -> tuple[str, int]:
        return _page(current, "review", status, text="", rows=rows, errors=errors,
                     base_version=current.version, reading=None, **notes)

    errors = _row_errors(rows)
    ticked = [row for row in rows if row.ticked]
    if not ticked and not errors:
        errors.append(("events", gettext("Events"), gettext("Tick at least one event to add.")))
    if errors:
        return again(400, errors, stored)
    if stored.report.status == "published":
        return again(409, [("events", gettext("Report"), gettext(PUBLISHED_MESSAGE))], stored)
    if based_on != stored.version:
        return _stale(stored, rows)
    chosen = [Chosen(row.at, row.kind, clean(row.description, limit=MAX_LONG_TEXT))
              for row in ticked]
    try:
        report = with_events(stored.report, chosen)
        saved = get_store().save(report_id, report, expected_version=based_on,
                                 author=author_name(),
                                 note=f"Added {len(chosen)} events from text", kind="import")
    except TooManyRows as error:
        return again(400, [("events", gettext("Events"), str(error))], stored)
    except VersionConflict as conflict:
        return _stale(conflict.current, rows)
    except ReportPublished:
        return again(409, [("events", gettext("Report"), gettext(PUBLISHED_MESSAGE))],
                     get_store().get(report_id) or stored)
    if saved is None:
        abort(404)
    flash(ngettext("Added %(num)d event to the timeline.", "Added %(num)d events to the timeline.",
                   len(chosen)))
    # The added events are shown with their inputs, even in a long timeline of events shown as
    # text (views/row_views.py), and the page opens at the first of them.
    known = {event.id for event in stored.report.timeline}
    order = [event.id for event in saved.report.sorted_timeline()]
    added = [event_id for event_id in order if event_id not in known][:MAX_OPENED]
    anchor = f"#timeline-{order.index(added[0])}" if added else "#timeline"
    return redirect(url_for("editor.edit", report_id=report_id, open=added) + anchor, code=303)


def _stale(current: StoredReport, rows: list[Row]) -> tuple[str, int]:
    """Someone saved the report meanwhile: show its timeline now, mark again what it already
    holds, and keep every tick, kind and word the author chose."""
    existing = context_of(current.report, today()).existing
    for row in rows:
        row.duplicate = is_duplicate(row.at, row.description, existing)
    return _page(current, "review", 409, text="", rows=rows, reading=None,
                 base_version=current.version, stale=True,
                 current_timeline=current.report.sorted_timeline())
