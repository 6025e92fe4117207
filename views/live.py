"""Others' saves, for a page that is open: what changed since the version it shows.

The guided page asks every few seconds (``static/editor.js``). The answer is empty (204) while
nothing was saved; otherwise it carries the report as its form would post it, who saved and
which parts changed, so the page can take in the change without a reload.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, jsonify, request
from flask_babel import gettext

from exporters.viewmodel import local_clock
from reports.exchange import to_document
from reports.model import Report
from reports.revision_parts import changed_parts, describe
from services import get_store
from views.conflicts import form_entries
from views.language import interface_language
from views.permissions import EDIT_REPORT, allow
from views.turns import quick

bp = Blueprint("live", __name__)


def others_changes(report_id: int, since: int, upto: int, report: Report,
                   ) -> dict[str, Any]:
    """Who saved after version ``since`` up to ``upto`` (whose content is ``report``), and
    what they changed: ``by`` (names), ``what`` ("changed the summary and 2 timeline events",
    for "Dana Lee changed … at 10:15 CET.") and ``parts``."""
    store = get_store()
    before = store.revision(report_id, since)
    parts = (changed_parts(to_document(before), to_document(report))
             if before is not None else None)
    what = (describe(parts, interface_language()) if parts
            else gettext("Changed this report"))
    authors: list[str] = []
    for revision in store.revisions(report_id):
        if revision.version <= since:
            break
        if revision.version <= upto and revision.author and revision.author not in authors:
            authors.append(revision.author)
    return {"by": authors, "what": what[0].lower() + what[1:], "parts": list(parts or ())}


@bp.get("/reports/<int:report_id>/changes")
@allow(EDIT_REPORT)
@quick
def changes(report_id: int) -> Any:
    since = request.args.get("since", "")
    if not since.isdigit():
        abort(400)
    store = get_store()
    version = store.version_of(report_id)
    if version is None:
        abort(404)
    if version <= int(since):
        return Response(status=204)  # the usual answer: only the version was read
    current = store.get(report_id)
    if current is None:
        abort(404)
    response = jsonify(
        version=current.version, saved_at=current.updated_at.isoformat(),
        saved_clock=local_clock(current.updated_at, current.report.timezone,
                                interface_language()),
        entries=form_entries(current.report),
        **others_changes(report_id, int(since), current.version, current.report),
    )
    response.headers["Cache-Control"] = "no-store"
    return response
