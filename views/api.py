"""The JSON API: the exchange format over HTTP.

Writes are exempt from the form CSRF token because they only accept ``application/json``, which
a cross-site form cannot send and a cross-site script cannot send without a CORS preflight this
app never grants; a request that names another origin is refused outright.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, jsonify, request, url_for

from reports.checks import check_report
from reports.exchange import DocumentError, from_document, to_document
from reports.model import Report, StoredReport
from services import get_store
from views.identity import author_name, current_user
from views.permissions import AUTHORS, EDIT_REPORT, READ_REPORT, SIGNED_IN, allow

bp = Blueprint("api", __name__, url_prefix="/api")


def _document(stored: StoredReport) -> dict[str, Any]:
    return {**to_document(stored.report), "id": stored.id, "version": stored.version}


def _reply(stored: StoredReport, status: int = 200) -> Response:
    response = jsonify(_document(stored))
    response.status_code = status
    response.headers["ETag"] = f'"{stored.version}"'
    response.headers["Location"] = url_for("api.get_report", report_id=stored.id)
    return response


def _problem(status: int, error: str, problems: dict[str, str]) -> Response:
    response = jsonify(error=error, problems=problems, status=status)
    response.status_code = status
    return response


def _read_report() -> Report | Response:
    origin = request.headers.get("Origin")
    if origin and urlsplit(origin).netloc != request.host:
        abort(403)
    if not request.is_json:
        abort(415)
    document = request.get_json(silent=True)
    if document is None:
        return _problem(400, "The body is not valid JSON.", {})
    try:
        report = from_document(document)
    except DocumentError as error:
        return _problem(400, "The report document has problems.", error.problems)
    blocking = {p.field: p.message for p in check_report(report) if p.blocking}
    if blocking:
        return _problem(400, "The report's times do not fit together.", blocking)
    return report


@bp.get("/reports")
@allow(SIGNED_IN)
def list_reports() -> Response:
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
        ]
    )


@bp.post("/reports")
@allow(AUTHORS)
def create_report() -> Response:
    report = _read_report()
    if isinstance(report, Response):
        return report
    user = current_user()
    stored = get_store().create(report, author=author_name(), team=user.team if user else None)
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
    if get_store().get(report_id) is None:
        abort(404)
    report = _read_report()
    if isinstance(report, Response):
        return report
    stored = get_store().save(report_id, report, author=author_name())
    if stored is None:
        abort(404)
    return _reply(stored)
