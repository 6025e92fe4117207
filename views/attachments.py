"""A report's files: added on the guided page (a file picker, drag and drop, or a plain form)
and through the API, downloaded by anyone who may read the report, shown as figures in its text.

The same rules as the report's text: reading needs READ_REPORT, changing needs EDIT_REPORT and
a report that is not published; viewers never learn of internal-only files (a download of one
is a 404, as for a file that does not exist).

CSRF: the page's forms carry the form token like every other form. The API's upload is exempt
from the token (app.py) but, because a cross-site HTML form *can* send multipart bodies, it
requires an ``X-Requested-With`` header instead: no form can send a header, and a cross-site
script cannot send one without a CORS preflight this app never grants. A request naming another
origin is refused outright, as for the JSON API (views/api.py).
"""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    get_template_attribute,
    jsonify,
    redirect,
    request,
    send_file,
    url_for,
)
from flask.sansio.blueprints import BlueprintSetupState
from flask_babel import gettext
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response as BaseResponse

from reports.attachments import (
    ACCEPTED,
    ACCEPTED_WORDS,
    DEFAULT_MAX_FILE_MB,
    DEFAULT_MAX_REPORT_MB,
    Attachment,
    AttachmentError,
    AttachmentStore,
    Figures,
    Limits,
    check_changeable,
    megabytes,
    reset_current,
    set_current,
)
from reports.model import StoredReport
from services import get_store
from views.errors import wants_json
from views.identity import author_name, sees_internal
from views.permissions import EDIT_REPORT, READ_REPORT, allow

bp = Blueprint("attachments", __name__)
api_bp = Blueprint("attachments_api", __name__, url_prefix="/api")

# Uploads read bodies larger than the app's MAX_CONTENT_LENGTH (a report's text): the file's
# limit, plus room for the form's other fields.
UPLOAD_ENDPOINTS = frozenset({"attachments.upload", "attachments_api.upload"})
FORM_ROOM = 256 * 1024
FIGURES_TOKEN = "hindsight_figures_token"
ERROR_CATEGORY = "error attachment-error"  # an alert at the top, and beside the file field


def _settle_limits(app: Flask) -> None:
    """Read the two limits once, at start-up, and fail loudly when one is not a number."""
    for key, default in (("MAX_ATTACHMENT_MB", DEFAULT_MAX_FILE_MB),
                         ("MAX_REPORT_ATTACHMENTS_MB", DEFAULT_MAX_REPORT_MB)):
        value = app.config.get(key, default)
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = -1
        if not 0 < number <= 1024:
            raise RuntimeError(f"HINDSIGHT_{key} must be a number of megabytes from 0 to 1024, "
                               f"not {value!r}")
        app.config[key] = number


def limits() -> Limits:
    config = current_app.config
    return Limits.in_megabytes(config["MAX_ATTACHMENT_MB"], config["MAX_REPORT_ATTACHMENTS_MB"])


def attachment_store() -> AttachmentStore:
    return AttachmentStore(get_store().engine, limits())


def _too_large_message() -> str:
    return (f"That file is too large: a file can be at most {megabytes(limits().file_bytes)}. "
            "Nothing was added. Make it smaller (for a log, keep the part about the incident) "
            "and add it again.")


def register_upload_limit(app: Flask) -> None:
    """Let uploads through the request size limit, before anything reads the body (the CSRF
    check reads the form): call before ``csrf.init_app``. A body plainly too large is answered
    here, with the reason, without being read."""
    _settle_limits(app)

    @app.before_request
    def upload_limit() -> BaseResponse | tuple[Response, int] | None:
        if request.endpoint not in UPLOAD_ENDPOINTS:
            return None
        allowed = limits().file_bytes + FORM_ROOM
        request.max_content_length = allowed
        if request.content_length is not None and request.content_length > allowed:
            return _refusal(AttachmentError(_too_large_message(), status=413))
        return None


def _page_figures(report_id: int) -> Figures:
    store = AttachmentStore(get_store().engine)
    return Figures(lambda: store.files(report_id),
                   lambda attachment_id: store.data(report_id, attachment_id),
                   lambda a: url_for("attachments.download", report_id=report_id,
                                     attachment_id=a.id))


@bp.record_once
def figures_on_pages(state: BlueprintSetupState) -> None:
    """On every page about one report, its figures are shown from their download links."""
    app = state.app

    @app.before_request
    def show_figures() -> None:
        report_id = (request.view_args or {}).get("report_id")
        if isinstance(report_id, int):
            request.environ[FIGURES_TOKEN] = set_current(_page_figures(report_id))

    @app.teardown_request
    def stop_showing(_error: BaseException | None) -> None:
        token = request.environ.pop(FIGURES_TOKEN, None)
        if token is not None:
            reset_current(token)

    @app.template_global()
    def report_attachments(report_id: int) -> list[Attachment]:
        return attachment_store().files(report_id, internal=sees_internal())

    @app.template_global()
    def attachment_limits() -> dict[str, str]:
        current = limits()
        return {"file": megabytes(current.file_bytes), "report": megabytes(current.report_bytes),
                "accept": ",".join(f".{extension}" for extension in ACCEPTED),
                "kinds": ACCEPTED_WORDS}

    app.jinja_env.filters["file_size"] = megabytes


def _stored_or_404(report_id: int) -> StoredReport:
    stored = get_store().get(report_id)
    if stored is None:
        abort(404)
    return stored


def _visible_or_404(report_id: int, attachment_id: int) -> Attachment:
    """The file, if this person may know of it (viewers: not the internal-only ones)."""
    found = attachment_store().get(report_id, attachment_id)
    if found is None or (found.internal and not sees_internal()):
        abort(404)
    return found


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def _refusal(error: AttachmentError) -> BaseResponse | tuple[Response, int]:
    """A refused upload or change: JSON for the API and the page's script, else back to the
    page with the reason next to the file field and in the summary at the top."""
    if wants_json():
        return jsonify(error=str(error), problems={"file": str(error)},
                       status=error.status), error.status
    report_id = (request.view_args or {}).get("report_id")
    if report_id is None:
        abort(error.status)
    flash(str(error), ERROR_CATEGORY)
    return redirect(url_for("editor.edit", report_id=report_id) + "#attachments", code=303)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_error: RequestEntityTooLarge) -> BaseResponse | tuple[Response, int]:
    return _refusal(AttachmentError(_too_large_message(), status=413))


@api_bp.errorhandler(RequestEntityTooLarge)
def api_too_large(_error: RequestEntityTooLarge) -> BaseResponse | tuple[Response, int]:
    return _refusal(AttachmentError(_too_large_message(), status=413))


def _add_posted(stored: StoredReport) -> Attachment:
    """Store the posted file (``file``, ``caption``, ``internal``); ``AttachmentError`` if not."""
    check_changeable(stored.report)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise AttachmentError("Choose a file to add.")
    data = upload.stream.read(limits().file_bytes + 1)
    return attachment_store().add(
        stored.id, upload.filename, data, caption=request.form.get("caption", ""),
        internal=_flag(request.form.get("internal")), author=author_name())


def _item_html(attachment: Attachment, stored: StoredReport) -> str:
    item = get_template_attribute("attachments_part.html", "item")
    return str(item(attachment, stored.id, stored.report.status == "published"))


# -- the API -------------------------------------------------------------------------------------


@api_bp.get("/reports/<int:report_id>/attachments", endpoint="list")
@allow(READ_REPORT)
def api_list(report_id: int) -> Response:
    _stored_or_404(report_id)
    files = attachment_store().files(report_id, internal=sees_internal())
    return jsonify(attachments=[
        {**a.summary(), "url": url_for("attachments.download", report_id=report_id,
                                       attachment_id=a.id)}
        for a in files])


@api_bp.post("/reports/<int:report_id>/attachments", endpoint="upload")
@allow(EDIT_REPORT)
def api_upload(report_id: int) -> Any:
    origin = request.headers.get("Origin")
    if origin and urlsplit(origin).netloc != request.host:
        abort(403)
    if not request.headers.get("X-Requested-With"):
        return _refusal(AttachmentError(
            "Send the header X-Requested-With (any value) with an upload; it shows the request "
            "comes from a program, not from a form on another site.", status=400))
    stored = _stored_or_404(report_id)
    try:
        added = _add_posted(stored)
    except AttachmentError as error:
        return _refusal(error)
    response = jsonify(added.summary())
    response.status_code = 201
    response.headers["Location"] = url_for("attachments.download", report_id=report_id,
                                           attachment_id=added.id)
    return response


# -- the page ------------------------------------------------------------------------------------


@bp.get("/reports/<int:report_id>/attachments/<int:attachment_id>")
@allow(READ_REPORT)
def download(report_id: int, attachment_id: int) -> Response:
    """One file: images shown in the browser, everything else downloaded, never sniffed."""
    _stored_or_404(report_id)  # not while the report is in the bin
    found = _visible_or_404(report_id, attachment_id)
    data = attachment_store().data(report_id, attachment_id)
    if data is None:
        abort(404)
    response = send_file(io.BytesIO(data), mimetype=found.mimetype,
                         as_attachment=not found.is_image, download_name=found.name,
                         etag=found.sha256, conditional=True, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.post("/reports/<int:report_id>/attachments", endpoint="upload")
@allow(EDIT_REPORT)
def page_upload(report_id: int) -> Any:
    stored = _stored_or_404(report_id)
    try:
        added = _add_posted(stored)
    except AttachmentError as error:
        return _refusal(error)
    if wants_json():  # the page's script: it puts the new file in the list itself
        return jsonify(attachment=added.summary(), html=_item_html(added, stored)), 201
    flash(gettext("“%(name)s” is added to the report.", name=added.name))
    return redirect(url_for("editor.edit", report_id=report_id) + "#attachments", code=303)


@bp.post("/reports/<int:report_id>/attachments/<int:attachment_id>")
@allow(EDIT_REPORT)
def change(report_id: int, attachment_id: int) -> Any:
    """A new caption, or "internal only" ticked or not."""
    stored = _stored_or_404(report_id)
    found = _visible_or_404(report_id, attachment_id)
    try:
        check_changeable(stored.report)
        attachment_store().update(report_id, attachment_id,
                                  caption=request.form.get("caption", found.caption),
                                  internal=_flag(request.form.get("internal")))
    except AttachmentError as error:
        return _refusal(error)
    flash(gettext("“%(name)s” is updated.", name=found.name))
    return redirect(url_for("editor.edit", report_id=report_id)
                    + f"#attachment-{attachment_id}", code=303)


@bp.post("/reports/<int:report_id>/attachments/<int:attachment_id>/remove")
@allow(EDIT_REPORT)
def remove(report_id: int, attachment_id: int) -> Any:
    stored = _stored_or_404(report_id)
    found = _visible_or_404(report_id, attachment_id)
    try:
        check_changeable(stored.report)
    except AttachmentError as error:
        return _refusal(error)
    attachment_store().remove(report_id, attachment_id)
    if wants_json():
        return jsonify(removed=attachment_id)
    flash(gettext("“%(name)s” is removed from the report. It leaves the shared folder at the "
                  "next export.", name=found.name))
    return redirect(url_for("editor.edit", report_id=report_id) + "#attachments", code=303)
