"""Error pages: a readable page for people, a JSON body for API clients. Never a bare 500."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from gunicorn.http.errors import ParseException as UnreadableBody
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from reports.language import N_

MESSAGES = {
    400: (N_("Something in that request was not right"),
          N_("The page sent something the app could not read. Go back, check what you typed "
             "and try again. Your saved work is safe.")),
    404: (N_("Page not found"),
          N_("There is no report or page at this address. It may have been mistyped, or the "
             "report may have been removed.")),
    405: (N_("That action is not possible here"),
          N_("Go back to the list of reports and try again.")),
    413: (N_("That is too much to save at once"),
          N_("What you sent is larger than a report can be. Shorten the longest parts or split "
             "very long lists. Nothing already saved was changed.")),
    415: (N_("The app expected JSON"),
          N_("Send the report as JSON with Content-Type application/json.")),
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best_match(["application/json", "text/html"])
        == "application/json"
    )


def _respond(status: int, title: str, detail: str):
    # In the person's language: the words of MESSAGES, or a view's own (already translated, or
    # English where no catalogue knows them).
    title, detail = gettext(title), gettext(detail) if detail else detail
    if wants_json():
        return jsonify(error=title, detail=detail, status=status), status
    return render_template("error.html", status=status, title=title, detail=detail), status


BUSY_RETRY_SECONDS = 2


def database_busy(error: OperationalError) -> bool:
    """SQLite gave up waiting for another process's write (its busy timeout ran out)."""
    return "database is locked" in str(error.orig) or "database is busy" in str(error.orig)


def register(app: Flask) -> None:
    @app.errorhandler(OperationalError)
    def database_error(error: OperationalError):
        if not database_busy(error):
            return unexpected_error(error)
        app.logger.warning("The database was busy on %s %s", request.method, request.path)
        response, status = _respond(
            503, N_("The app is very busy"),
            N_("Nothing was changed. If the page was saving by itself, the text is kept in "
               "this browser and will be sent again in a moment. Otherwise try again in a few "
               "seconds."),
        )
        return response, status, {"Retry-After": str(BUSY_RETRY_SECONDS)}

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return _respond(
            400, N_("This page has expired"),
            N_("For your safety the form must come from this app. Reload the page and save "
               "again: the text you typed is kept in this browser."),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        title, detail = MESSAGES.get(status, (error.name, error.description or ""))
        if status in MESSAGES and error.description != type(error).description:
            detail = error.description or detail  # the view said exactly what was wrong
        return _respond(status, title, detail)

    @app.errorhandler(UnreadableBody)
    def unreadable_body(error: UnreadableBody):
        """Under gunicorn, a body it cannot read (e.g. a malformed chunk) fails as it is read."""
        return _respond(400, *MESSAGES[400])

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("Unexpected error on %s %s", request.method, request.path)
        return _respond(
            InternalServerError.code, N_("Sorry, something went wrong on our side"),
            N_("Your last change may not have been saved. If the page was saving by itself, "
               "the text is kept in this browser and will be sent again. Try again in a minute."),
        )
