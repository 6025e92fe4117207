"""Settings: check the Google Drive set-up step by step, on a page and on the command line.

``GET /settings/drive`` shows what the check does; ``POST`` runs it and shows each step with what
to fix. ``flask --app app drive check`` prints the same and exits with status 1 when a step
fails. Running the check is for authors and reviewers (it adds and removes a file in the shared
folder); viewers only see the page. Nothing from the key file is shown or logged except the
service account's e-mail address.
"""

from __future__ import annotations

import click
from flask import Blueprint, abort, current_app, g, render_template

from exporters.drive_check import STEPS, StepResult, check_drive, passed
from exporters.gdrive import is_configured
from services import forget_drive_client
from views.permissions import AUTHORS_AND_REVIEWERS, SIGNED_IN, allow

bp = Blueprint("settings", __name__, cli_group="drive")

MARKS = {"ok": "✓", "failed": "✗", "not_tried": "–"}


def may_check() -> bool:
    user = g.get("user")
    return bool(user and user.can_review)


def run_check() -> list[StepResult]:
    """The check against this app's settings, logged without the key."""
    results = check_drive(current_app.config)
    # A key file replaced since the last export is read again by the next export.
    forget_drive_client()
    failed = next((r for r in results if r.state == "failed"), None)
    if failed is None:
        current_app.logger.info("Google Drive set-up check passed")
    else:
        current_app.logger.warning("Google Drive set-up check failed at step %r: %s",
                                   failed.name, failed.message)
    return results


def _page(results: list[StepResult] | None) -> str:
    return render_template(
        "settings_drive.html", results=results, ok=results is not None and passed(results),
        steps=[title for _, title in STEPS], marks=MARKS, can_check=may_check(),
        configured=is_configured(current_app.config),
    )


@bp.get("/settings/drive")
@allow(SIGNED_IN)
def drive() -> str:
    return _page(None)


@bp.post("/settings/drive")
@allow(AUTHORS_AND_REVIEWERS)
def check_drive_settings() -> str:
    if not may_check():  # also refused in views/auth.py; kept here in case the rules move
        abort(403)
    return _page(run_check())


@bp.cli.command("check")
def check_command() -> None:
    """Test the Google Drive set-up step by step; exit status 1 if a step fails."""
    results = run_check()
    for result in results:
        click.echo(f"{MARKS[result.state]} {result.title}: {result.message}")
        if result.fix:
            click.echo(f"    {'Tip' if result.ok else 'What to do'}: {result.fix}")
    if passed(results):
        click.echo("Every step passed: exports to Google Drive will work.")
        return
    failed = next(r for r in results if r.state == "failed")
    click.echo(f"The step “{failed.title}” failed. Fix it, then run this check again.", err=True)
    raise SystemExit(1)
