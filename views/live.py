"""Others' saves, for a page that is open: what changed since the version it shows.

The guided page asks every few seconds (``static/editor.js``). The answer is empty (204) while
nothing was saved; otherwise it carries the report as its form would post it, who saved and
which parts changed, so the page can take in the change without a reload.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, jsonify, request

from exporters.viewmodel import local_time
from reports.exchange import to_document
from reports.patch import changed_paths
from services import get_store
from views.conflicts import LABELS, form_entries
from views.page import page_part
from views.permissions import EDIT_REPORT, allow

bp = Blueprint("live", __name__)


def _parts(paths: set[str]) -> list[str]:
    """The changed parts' names, in the page's order, lower-case for a sentence."""
    parts = {page_part(path) for path in paths}
    return [label[0].lower() + label[1:] for key, label in LABELS.items() if key in parts]


@bp.get("/reports/<int:report_id>/changes")
@allow(EDIT_REPORT)
def changes(report_id: int) -> Any:
    since = request.args.get("since", "")
    if not since.isdigit():
        abort(400)
    store = get_store()
    current = store.get(report_id)
    if current is None:
        abort(404)
    if current.version <= int(since):
        return Response(status=204)
    before = store.revision(report_id, int(since))
    paths = (changed_paths(to_document(before), to_document(current.report))
             if before is not None else set())
    authors = []
    for revision in store.revisions(report_id):
        if revision.version <= int(since):
            break
        if revision.author and revision.author not in authors:
            authors.append(revision.author)
    response = jsonify(
        version=current.version, saved_at=current.updated_at.isoformat(),
        saved_clock=local_time(current.updated_at, current.report.timezone).rsplit(" at ", 1)[1],
        by=authors, parts=_parts(paths), entries=form_entries(current.report),
    )
    response.headers["Cache-Control"] = "no-store"
    return response
