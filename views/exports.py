"""Export a saved report from the page, show what became of it, and download the files.

The flow itself (shared folder, Drive, the folder's index) is ``exporters/service.py``, shared
with the command line. An export is a job (``reports/export_jobs.py``) run by the app's export
workers, outside the request: the form's POST queues it and leads to the job's page, which says
"Exporting…" and reloads itself until the job is finished, then shows its result on the editor
(``static/exports.js`` does the same in place, polling the job as JSON). See docs/exports.md.

Every export is the client copy (internal items left out) unless the form asks for the
internal copy (``copy=internal``): everything, marked INTERNAL, in a file of its own.
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import re
from pathlib import Path
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
    send_file,
    url_for,
)
from flask_babel import gettext, ngettext
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

from exporters import FORMATS
from exporters.drive_publish import DriveExport
from exporters.folder import OutsideFolder
from exporters.folder_index import INDEX_FILES
from exporters.job_outcome import JobOutcome
from reports.export_jobs import ExportJob
from reports.exports_log import LOCAL, ExportRecord
from reports.model import CLIENT_COPY, COPIES, INTERNAL_COPY
from reports.said import shown
from services import get_export_jobs, get_exports, get_store, request_export, shared_folder
from views.identity import current_user, sees_internal
from views.permissions import AUTHORS_AND_REVIEWERS, EDIT_REPORT, READ_REPORT, allow
from views.security import CONTENT_SECURITY_POLICY

bp = Blueprint("exports", __name__)


def flash_drive(done: DriveExport) -> None:
    """The Drive outcome on the next page: the file's link, or what went wrong and what to do."""
    if done.file is None:
        flash(done.notice.shown(), "export error")
        return
    flash(drive_message(done.notice.shown(), done.file.link, done.file.name), "export")


def drive_message(notice: str, link: str, name: str | None) -> Markup:
    return Markup(gettext('%(notice)s <a href="%(link)s">Open “%(name)s” in Google Drive</a>. '
                          '<a href="%(index)s">Open the shared folder’s index</a>.')) % {
        "notice": notice, "link": link, "name": name or gettext("the file"),
        "index": url_for("exports.shared_folder_file")}


def download_url(record: ExportRecord) -> str | None:
    """Where an export can be fetched: our download route, or the link Drive gave."""
    if not record.ok:
        return None
    if record.destination == LOCAL:
        return url_for("exports.download", report_id=record.report_id, export_id=record.id)
    return record.link


def format_label(fmt: str, copy: str = CLIENT_COPY) -> str:
    """The format's name for people: "PDF", or "PDF (internal copy)"."""
    label = gettext(FORMATS[fmt].label) if fmt in FORMATS else fmt
    label = label[:1].upper() + label[1:]
    return gettext("%(format)s (internal copy)", format=label) if copy == INTERNAL_COPY else label


@bp.app_context_processor
def export_helpers() -> dict[str, Any]:
    """Lets the editor list a report's exports without the editor view knowing about them."""
    return {
        "export_formats": FORMATS,
        "exported_files": lambda report_id: get_exports().latest(report_id),
        "export_download_url": download_url,
        "export_format_label": format_label,
        "export_message": shown,  # a Drive export's stored message, in the reader's language
    }


WAIT = 2  # seconds before the job's page (without JavaScript) looks again


def local_message(outcome: JobOutcome, report_id: int) -> Markup:
    """Where the new file is: a download link, its full path on this server, the index."""
    location = outcome.local_location or ""
    label = gettext(FORMATS[outcome.fmt].label) if outcome.fmt in FORMATS else outcome.fmt
    what = (gettext("the internal copy as %(format)s", format=label)
            if outcome.copy == INTERNAL_COPY else gettext("as %(format)s", format=label))
    try:
        where = str(shared_folder().path_of(location))
    except OutsideFolder:
        where = location
    link = url_for("exports.download", report_id=report_id,
                   export_id=outcome.local_export_id or 0)
    return Markup(gettext('Exported %(what)s: <a href="%(link)s" download>%(name)s</a> is in '
                          'the shared folder, at <code class="file-path">%(where)s</code>. '
                          '<a href="%(index)s">Open the shared folder’s index</a>.')) % {
        "what": what, "link": link, "name": Path(location).name, "where": where,
        "index": url_for("exports.shared_folder_file")}


def job_messages(job: ExportJob) -> list[tuple[Markup | str, str]]:
    """What a finished job says, as (message, category): the same words the page always had."""
    label = format_label(job.format, job.copy)
    whole = gettext("Any file of this report in the shared folder is complete, never half "
                    "written.")
    if job.interrupted:
        return [(ngettext("The %(format)s export was interrupted: the server stopped while "
                          "making it, %(num)d time. %(whole)s Export again; if it stops again, "
                          "ask whoever runs Hindsight to look at its logs.",
                          "The %(format)s export was interrupted: the server stopped while "
                          "making it, %(num)d times. %(whole)s Export again; if it stops again, "
                          "ask whoever runs Hindsight to look at its logs.",
                          job.attempts, format=label, whole=whole), "export error")]
    if job.outcome is None:
        return [(gettext("The %(format)s export did not finish: something went wrong while "
                         "making it. %(whole)s Try again in a minute; if it fails again, ask "
                         "whoever runs Hindsight to look at its logs.", format=label,
                         whole=whole), "export error")]
    outcome = JobOutcome.from_json(job.outcome)
    messages: list[tuple[Markup | str, str]] = []
    if outcome.failure is not None:
        messages.append((gettext("%(failure)s Nothing in the shared folder was changed. Try "
                                 "again in a minute.", failure=shown(outcome.failure)),
                         "export error"))
    elif outcome.local_location is not None:
        messages.append((local_message(outcome, job.report_id), "export"))
    if outcome.drive_notice is not None:  # kept in words any reader's language can say
        if outcome.drive_link is None:
            messages.append((shown(outcome.drive_notice), "export error"))
        else:
            messages.append((drive_message(shown(outcome.drive_notice), outcome.drive_link,
                                           outcome.drive_name), "export"))
    return messages


def wants_json() -> bool:
    """The page's script asks for JSON; a browser without it gets pages."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def job_state(job: ExportJob) -> dict[str, Any]:
    """The job for the page's script: its state and, once finished, the notices to show."""
    state: dict[str, Any] = {
        "id": job.id, "status": job.status, "finished": job.finished,
        "url": url_for("exports.job", report_id=job.report_id, job_id=job.id),
        "message": gettext("Exporting the %(format)s…", format=format_label(job.format, job.copy)),
    }
    if job.finished:
        stored = get_store().get(job.report_id)
        state["notices"] = render_template("export_notices.html", messages=job_messages(job))
        state["files"] = (render_template("export_files.html", stored=stored)
                          if stored is not None else "")
    return state


def show_finished(job: ExportJob) -> BaseResponse:
    """The result on the editor, as flashed notices (the first takes the focus there)."""
    for message, category in job_messages(job):
        flash(message, category)
    return redirect(url_for("editor.edit", report_id=job.report_id), code=303)


@bp.post("/reports/<int:report_id>/export/<fmt>")
@allow(EDIT_REPORT)
def export(report_id: int, fmt: str) -> BaseResponse:
    if fmt not in FORMATS:
        abort(404)
    copy = request.form.get("copy") or CLIENT_COPY
    if copy not in COPIES:
        abort(400)
    user = current_user()
    job = request_export(report_id, fmt, copy,
                         requested_by=user.username if user is not None else None)
    if job is None:
        abort(404)
    if wants_json():
        return jsonify(job_state(job))
    if job.finished:
        return show_finished(job)
    return redirect(url_for("exports.job", report_id=report_id, job_id=job.id), code=303)


@bp.get("/reports/<int:report_id>/exports/jobs/<int:job_id>")
@allow(EDIT_REPORT)
def job(report_id: int, job_id: int) -> BaseResponse | str:
    """An export on its way: "Exporting…" until it is finished, then its result on the editor."""
    found = get_export_jobs().get(job_id)
    if found is None or found.report_id != report_id:
        abort(404)
    if wants_json():
        return jsonify(job_state(found))
    if found.finished:
        return show_finished(found)
    stored = get_store().get(report_id)
    if stored is None:
        abort(404)
    return render_template("export_job.html", job=found, stored=stored, wait=WAIT,
                           label=format_label(found.format, found.copy))


@bp.get("/reports/<int:report_id>/exports/<int:export_id>/download")
@allow(READ_REPORT)
def download(report_id: int, export_id: int) -> Response:
    record = get_exports().get(export_id)
    if (
        record is None or record.report_id != report_id or record.destination != LOCAL
        or not record.ok or record.format not in FORMATS
        or (record.copy == INTERNAL_COPY and not sees_internal())  # viewers: client copy only
    ):
        abort(404)
    try:
        path = shared_folder().path_of(record.location)
    except OutsideFolder:
        abort(404)
    if not path.is_file():
        abort(404)  # removed since, or replaced by an export under a new name
    response = send_file(
        # Flask adds "; charset=utf-8" to text types itself.
        path, mimetype=FORMATS[record.format].mimetype.split(";")[0], as_attachment=True,
        download_name=path.name, max_age=0,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


_STYLE_BLOCK = re.compile(r"<style>(.*?)</style>", re.DOTALL)


@bp.get("/shared-folder/", defaults={"filename": INDEX_FILES[0]})
@bp.get("/shared-folder/<path:filename>")
@allow(AUTHORS_AND_REVIEWERS)
def shared_folder_file(filename: str) -> Response:
    """The shared folder's own index (index.html), and the files it links to.

    The index links to the files by their place in the folder, so they resolve here too. Only
    the indexes and the files the export log knows are served: nothing else in the folder.
    Files are downloads; only index.html opens as a page (its inline stylesheet allowed by hash).
    """
    folder = shared_folder()
    if filename not in INDEX_FILES:
        known = {record.location for record in get_exports().current_all()
                 if record.destination == LOCAL and record.ok}
        if filename not in known:
            abort(404)
    try:
        path = folder.path_of(filename)
    except OutsideFolder:
        abort(404)
    if not path.is_file():
        if filename == INDEX_FILES[0]:
            abort(404, gettext("Nothing has been exported to the shared folder yet."))
        abort(404)
    if filename == INDEX_FILES[0]:
        page = path.read_text(encoding="utf-8")
        hashes = " ".join(
            "'sha256-" + base64.b64encode(hashlib.sha256(css.encode()).digest()).decode() + "'"
            for css in _STYLE_BLOCK.findall(page)
        )
        response = Response(page, mimetype="text/html")
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
            "style-src 'self'", f"style-src 'self' {hashes}")
    else:
        by_format = [f.mimetype for f in FORMATS.values() if f.extension == path.suffix[1:]]
        mimetype = (by_format[0] if by_format else
                    mimetypes.guess_type(path.name)[0] or "application/octet-stream")
        response = send_file(path, mimetype=mimetype.split(";")[0], as_attachment=True,
                             download_name=path.name, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response
