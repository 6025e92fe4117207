"""The JSON API: the exchange format over HTTP, with the same rules as the page.

Writes carry the version they are based on (``If-Match: "<version>"`` or ``"version"`` in the
body): a stale write gets 409 with the current document, a write with neither gets 428. Status
changes run the page's readiness checks and go one step at a time (reports/workflow.py), and a
published report refuses content changes until it is reopened. Viewers receive the client copy.

Writes are exempt from the form CSRF token because they only accept ``application/json``, which
a cross-site form cannot send and a cross-site script cannot send without a CORS preflight this
app never grants; a request that names another origin is refused outright.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, jsonify, request, url_for

from reports.checks import check_report
from reports.copies import client_copy
from reports.exchange import DocumentError, from_document, to_document
from reports.json_body import load_json_body
from reports.merge import merge_reports
from reports.model import Report, StoredReport
from reports.patch import PatchError, apply_patch, overlapping, parse_patch
from reports.store import VersionConflict
from reports.workflow import MoveRefused, ReportPublished, check_move
from services import get_store
from views.guidance import set_aside_keys
from views.identity import author_name, current_user, sees_internal
from views.permissions import AUTHORS, EDIT_REPORT, READ_REPORT, SIGNED_IN, allow

bp = Blueprint("api", __name__, url_prefix="/api")

PATCH_TYPE = "application/json-patch+json"
_ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,10})"?\s*$')


def _document(stored: StoredReport) -> dict[str, Any]:
    report = stored.report if sees_internal() else client_copy(stored.report)
    return {**to_document(report), "id": stored.id, "version": stored.version}


def _reply(stored: StoredReport, status: int = 200) -> Response:
    response = jsonify(_document(stored))
    response.status_code = status
    response.headers["ETag"] = f'"{stored.version}"'
    response.headers["Location"] = url_for("api.get_report", report_id=stored.id)
    return response


def _problem(status: int, error: str, problems: dict[str, Any],
             current: StoredReport | None = None) -> Response:
    body: dict[str, Any] = {"error": error, "problems": problems, "status": status}
    if current is not None:
        body["current"] = _document(current)
    response = jsonify(body)
    response.status_code = status
    if current is not None:
        response.headers["ETag"] = f'"{current.version}"'
    return response


def _read_body(media_type: str = "application/json") -> Any:
    origin = request.headers.get("Origin")
    if origin and urlsplit(origin).netloc != request.host:
        abort(403)
    if not request.is_json or (media_type == PATCH_TYPE) != (request.mimetype == PATCH_TYPE):
        abort(_problem(415, f"Send the body as {media_type}.",
                       {"Content-Type": request.mimetype or "none"}))
    try:  # bad UTF-8, bad JSON, lone surrogates, nesting deeper than any report needs
        return load_json_body(request.get_data())
    except DocumentError as error:
        abort(_problem(400, "The body is not a JSON document that can be read.",
                       error.problems))


def _report_from(document: Any, status: int = 400) -> Report:
    try:
        report = from_document(document)
    except DocumentError as error:
        abort(_problem(status, "The report document has problems.", error.problems))
    blocking = {p.field: p.message for p in check_report(report) if p.blocking}
    if blocking:
        abort(_problem(status, "The report's times do not fit together.", blocking))
    return report


def _refused_move(refused: MoveRefused) -> Response:
    problems: dict[str, Any] = {"status": refused.message}
    if refused.unmet:
        problems["readiness"] = list(refused.unmet)
    return _problem(422 if refused.unmet else 409, refused.message, problems)


def _based_on(document: Any = None) -> int:
    """The version a write is based on, from If-Match or the body; 428/400 when unusable."""
    header = request.headers.get("If-Match")
    from_header = None
    if header is not None:
        match = _ETAG.match(header)
        if not match:
            abort(_problem(400, 'If-Match must be the version in quotes, as the ETag gives '
                                'it: If-Match: "3".', {"If-Match": header[:100]}))
        from_header = int(match.group(1))
    in_body = document.get("version") if isinstance(document, dict) else None
    if in_body is not None and (isinstance(in_body, bool) or not isinstance(in_body, int)):
        abort(_problem(400, "The version must be a whole number.", {"version": "not a number"}))
    if from_header is not None and in_body is not None and from_header != in_body:
        abort(_problem(400, "If-Match and the body's version disagree.",
                       {"version": f"If-Match says {from_header}, the body says {in_body}"}))
    version = from_header if from_header is not None else in_body
    if version is None:
        abort(_problem(
            428, "Say which version this write is based on, so it cannot overwrite a newer one.",
            {"version": 'Send If-Match: "<version>" (the ETag of your last GET) or "version" '
                        "in the body."},
        ))
    return version


@bp.get("/reports")
@allow(SIGNED_IN)
def list_reports() -> Response:
    user = current_user()
    return jsonify(
        reports=[
            {
                "id": s.id, "title": s.title, "service": s.service, "severity": s.severity,
                "status": s.status,
                "started_at": s.started_at.isoformat() if s.started_at else None,
                "updated_at": s.updated_at.isoformat(),
                "url": url_for("api.get_report", report_id=s.id),
            }
            for s in get_store().list()
            if user is None or user.may_read_team(s.team)
        ]
    )


@bp.post("/reports")
@allow(AUTHORS)
def create_report() -> Response:
    report = _report_from(_read_body())
    try:
        check_move(report, "draft", report.status, creating=True)
    except MoveRefused as refused:
        return _refused_move(refused)
    user = current_user()
    stored = get_store().create(report, author=author_name(), team=user.team if user else None,
                                kind="import")
    return _reply(stored, 201)


@bp.get("/reports/<int:report_id>")
@allow(READ_REPORT)
def get_report(report_id: int) -> Response:
    stored = get_store().get(report_id)
    if stored is None:
        abort(404)
    return _reply(stored)


@bp.put("/reports/<int:report_id>")
@allow(EDIT_REPORT)
def put_report(report_id: int) -> Response:
    current = get_store().get(report_id)
    if current is None:
        abort(404)
    document = _read_body()
    report = _report_from(document)
    version = _based_on(document)
    if version != current.version:
        return _stale(current, version)
    try:
        check_move(report, current.report.status, report.status,
                   set_aside=set_aside_keys(report_id))
        stored = get_store().save(report_id, report, expected_version=version,
                                  author=author_name(), kind="api", read=current)
    except MoveRefused as refused:
        return _refused_move(refused)
    except VersionConflict as conflict:
        return _stale(conflict.current, version)
    except ReportPublished as published:
        return _problem(409, str(published), {"status": str(published)}, current)
    if stored is None:
        abort(404)
    return _reply(stored)


def _stale(current: StoredReport, version: int) -> Response:
    """409 for a write based on an old version. The body is the current document (so a client
    can merge and retry with its ``version``), with ``error`` and ``problems`` beside it and the
    same document under ``current``."""
    document = _document(current)
    response = jsonify({
        **document, "current": document,
        "error": "Someone saved this report after the version this write is based on.",
        "problems": {"version": f"based on version {version}; the report is at version "
                                f"{current.version}"},
    })
    response.status_code = 409
    response.headers["ETag"] = f'"{current.version}"'
    return response


PATCH_ATTEMPTS = 3  # another save between reading and writing: merge again, at most this often


@bp.patch("/reports/<int:report_id>")
@allow(EDIT_REPORT)
def patch_report(report_id: int) -> Response:
    """Apply a JSON Patch (RFC 6902) made on the version named by ``If-Match``.

    Saves made since that version are kept: the patch's changes are merged with them value by
    value (rows by id). A value the patch changes that someone else changed too is a conflict:
    409, naming the paths, with the current document.
    """
    operations = _parse(_read_body(PATCH_TYPE))
    version = _based_on()
    store = get_store()
    for _attempt in range(PATCH_ATTEMPTS):
        current = store.get(report_id)
        if current is None:
            abort(404)
        base = current.report if version == current.version else store.revision(report_id,
                                                                                version)
        if base is None:
            return _stale(current, version)
        try:
            patched = apply_patch(to_document(base), operations)
        except PatchError as error:
            return _problem(error.status, f"The patch cannot be applied: {error}.",
                            error.problems, current if error.status == 409 else None)
        mine = _report_from(patched, status=422)
        if version != current.version:
            clashes = overlapping(to_document(base), to_document(mine),
                                  to_document(current.report), operations)
            if clashes:
                return _clash(current, version, clashes)
            mine = merge_reports(base, mine, current.report).report
        try:
            check_move(mine, current.report.status, mine.status,
                       set_aside=set_aside_keys(report_id))
            stored = store.save(report_id, mine, expected_version=current.version,
                                author=author_name(), kind="patch", read=current)
        except MoveRefused as refused:
            return _refused_move(refused)
        except VersionConflict:
            continue  # saved by someone else meanwhile: merge with that too
        except ReportPublished as published:
            return _problem(409, str(published), {"status": str(published)}, current)
        if stored is None:
            abort(404)
        return _reply(stored)
    return _stale(store.get(report_id) or abort(404), version)


def _parse(body: Any) -> list[Any]:
    try:
        return parse_patch(body)
    except PatchError as error:
        abort(_problem(400, f"This is not a JSON Patch: {error}.", error.problems))


def _clash(current: StoredReport, version: int, paths: list[str]) -> Response:
    """409 for a patch that changes values someone else changed since its base."""
    response = _stale(current, version)
    body = response.get_json()
    body["error"] = ("Someone else changed the same values after the version this patch is "
                     "based on: " + ", ".join(paths) + ".")
    body["paths"] = paths
    body["problems"] = {path: "changed by someone else since your version" for path in paths}
    response.set_data(json.dumps(body))
    return response
