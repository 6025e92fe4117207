"""The example report: read part by part with notes on why it works, or start a draft from it.

The example is the one written in the language of the pages (French pages show, and start from,
the French example), else the English one."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from exporters.viewmodel import build
from reports.examples import sample_report
from reports.follow_up import follow_up_state
from reports.markdown import render_markdown
from services import get_store
from views.identity import author_name, current_user
from views.language import interface_language
from views.permissions import AUTHORS, SIGNED_IN, allow

bp = Blueprint("examples", __name__)


@bp.get("/examples")
@allow(SIGNED_IN)
def page() -> str:
    report = sample_report(interface_language())
    on = report.follow_up_held_on or date.today()
    return render_template(
        "examples.html", report=report, view=build(report, exported_on=on),
        follow_up=follow_up_state(report, on), outcome=render_markdown(report.follow_up_outcome),
    )


@bp.post("/examples/start")
@allow(AUTHORS)
def start() -> Response:
    """A new draft that holds the whole example, opened in the editor."""
    user = current_user()
    stored = get_store().create(sample_report(interface_language()), author=author_name(),
                                team=user.team if user else None)
    flash(gettext("This draft is a copy of the example. Change every part to tell your own "
                  "incident."))
    return redirect(url_for("editor.edit", report_id=stored.id), code=303)
