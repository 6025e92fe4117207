"""One place for every report: the library, open action items and follow-ups that are due."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import re
from datetime import timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from werkzeug.wrappers import Response as BaseResponse

from exporters.render import render_html
from reports import library, limits
from reports.exchange import EARLIEST_YEAR, LATEST_YEAR
from reports.language import N_, duration_words
from reports.model import ACTION_STATUSES, PRIORITIES, SEVERITIES, STATUSES
from reports.spreadsheet import spreadsheet_cell
from services import get_store, today
from views.chart import month_chart
from views.identity import author_name, current_user, library_scope
from views.language import format_number, interface_language
from views.permissions import AUTHORS, READ_REPORT, SIGNED_IN, allow
from views.security import CONTENT_SECURITY_POLICY

bp = Blueprint("library", __name__)
MAX_REPORT_ID = 2**31 - 1  # the largest id an INTEGER column holds on PostgreSQL


def _engine():
    return get_store().engine


def _int(value: str | None, default: int | None) -> int | None:
    try:
        return int(value) if value else default
    except ValueError:
        return default


def _within(number: int | None, name: str, low: int, high: int) -> int | None:
    """``number`` when absent or from ``low`` to ``high``; else a 400 naming the input.

    A number the database cannot hold (PostgreSQL's integer stops at 2,147,483,647) or a year
    no date can have must be refused here, or it fails deep in a query.
    """
    if number is not None and not low <= number <= high:
        abort(400, gettext("The %(name)s must be a whole number from %(low)s to %(high)s.",
                           name=gettext(name), low=format_number(low), high=format_number(high)))
    return number


@bp.get("/")
@allow(SIGNED_IN)
def index() -> str:
    """The front page: every report, searchable, with the figures."""
    args = request.args
    query = library.LibraryQuery(
        text=args.get("q", "")[:200],
        service=args.get("service", "")[:200],
        severity=args.get("severity", "") if args.get("severity") in SEVERITIES else "",
        status=args.get("status", "") if args.get("status") in STATUSES else "",
        year=_within(_int(args.get("year"), None), N_("year filter (year)"), EARLIEST_YEAR,
                     LATEST_YEAR),
        sort=args.get("sort", "incident") if args.get("sort") in library.SORTS else "incident",
        page=max(1, _int(args.get("page"), 1) or 1),
    )
    scope = library_scope()
    found = library.find(_engine(), query, scope)
    day = today()
    return render_template(
        "index.html", query=query, found=found, statuses=STATUSES, severities=SEVERITIES,
        sorts=library.SORTS, figures=library.figures(_engine(), day, scope),
        chart=month_chart(library.incidents_per_month(_engine(), day, scope=scope)),
        follow_ups=library.follow_ups_due_count(_engine(), day, scope), today=day,
        filtered=any([query.text, query.service, query.severity, query.status, query.year]),
    )


@bp.get("/actions")
@allow(SIGNED_IN)
def actions() -> str:
    owner = request.args.get("owner", "")[:200]
    day = today()
    return render_template(
        "actions.html", items=library.open_actions(_engine(), day, owner, library_scope()),
        owner=owner, owners=library.action_owners(_engine(), library_scope()), today=day,
        priorities=PRIORITIES,
        action_statuses=ACTION_STATUSES,
    )


@bp.get("/actions.csv")
@allow(SIGNED_IN)
def actions_csv() -> Response:
    day = today()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["report_id", "report", "action", "owner", "priority", "due", "status",
                     "overdue"])
    owner = request.args.get("owner", "")[:200]
    for item in library.open_actions(_engine(), day, owner, library_scope()):
        writer.writerow([
            item.report_id, spreadsheet_cell(item.report_title),
            spreadsheet_cell(item.description), spreadsheet_cell(item.owner),
            item.priority or "", item.due.isoformat() if item.due else "", item.status,
            "yes" if item.overdue(day) else "no",
        ])
    return Response(
        out.getvalue(), mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="open-actions-{day}.csv"'},
    )


@bp.post("/actions/done")
@allow(AUTHORS)
def mark_done() -> BaseResponse:
    report_id = _within(_int(request.form.get("report_id"), None),
                        N_("report number (report_id)"), 1, MAX_REPORT_ID)
    position = _within(_int(request.form.get("position"), None),
                       N_("action item's position (position)"), 0, limits.MAX_ROWS - 1)
    if report_id is None or position is None:
        abort(400, gettext("The report number (report_id) and the action item's position "
                           "(position) are both needed."))
    user = current_user()
    if user is not None and not user.may_edit_team(get_store().team_of(report_id)):
        abort(403)
    stored = get_store().set_action_status(report_id, position, "done", author=author_name())
    if stored is None:
        abort(404)
    action = stored.report.actions[position]
    flash(gettext("Marked as done: “%(item)s” in “%(title)s”.", item=action.description[:80],
                  title=gettext(stored.report.display_title)))
    return redirect(url_for("library.actions", owner=request.form.get("owner", "")), code=303)


@bp.get("/follow-ups")
@allow(SIGNED_IN)
def follow_ups() -> str:
    day = today()
    return render_template("follow_ups.html", today=day,
                           due=library.follow_ups_due(_engine(), day, library_scope()))


@bp.app_template_filter("duration")
def duration_filter(value: timedelta | None) -> str:
    return duration_words(value, interface_language()) or "—"


_STYLE_BLOCK = re.compile(r"<style>(.*?)</style>", re.DOTALL)


@bp.get("/reports/<int:report_id>/view")
@allow(READ_REPORT)
def view(report_id: int) -> Response:
    """The stakeholders' page: the report exactly as the exports show it, with its files.

    The page is the HTML export itself, so it can never say something the PDF does not. Its
    inline stylesheet is allowed by hash in this response's Content-Security-Policy.
    """
    stored = get_store().get(report_id)
    if stored is None:
        abort(404)
    document = render_html(stored.report)
    banner = render_template("view_banner.html", stored=stored,
                             share_url=url_for("library.view", report_id=report_id,
                                               _external=True))
    head_link = (f'<link rel="stylesheet" href="{url_for("static", filename="view.css")}">'
                 "</head>")
    document = document.replace("</head>", head_link, 1)
    document = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + banner, document, count=1)
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(css.encode()).digest()).decode() + "'"
        for css in _STYLE_BLOCK.findall(document)
    )
    response = Response(document, mimetype="text/html")
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
        "style-src 'self'", f"style-src 'self' {hashes}"
    )
    return response
