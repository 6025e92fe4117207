"""Settings: how Hindsight reaches Google Drive, and the step-by-step check of the set-up.

``GET /settings/drive`` shows which way Hindsight signs in to Google (a person's account
connected here, a service account acting for a person, or a service account in a shared drive),
the folder exports go to, and what the check does; with an OAuth client set it offers "Connect
Google Drive" and "Disconnect" (``views/drive_connect.py``), and "Make the reports folder for
me" where Hindsight may only write into folders it made. ``POST`` runs the check and shows each
step with what to fix. ``flask --app app drive check`` prints the same and exits with status 1
when a step fails. Running the check and changing the connection are for authors and reviewers
(the check adds and removes a Doc in the folder); viewers only see the page. Nothing secret is
shown or logged: from a key file only the service account's address, from a connection only
the person's address.
"""

from __future__ import annotations

import click
from flask import Blueprint, abort, current_app, g, render_template, url_for
from flask_babel import gettext

from exporters.drive_auth import PERSON, StoredPerson
from exporters.drive_check import STEPS, StepResult, Stored, check_drive, passed
from exporters.drive_errors import DELEGATED, DRIVE_SCOPE, SHARED_DRIVE
from reports.language import N_
from reports.said import shown
from services import DriveState, drive_state, forget_drive_client
from views.language import in_the_environments_language
from views.permissions import AUTHORS_AND_REVIEWERS, SIGNED_IN, allow

bp = Blueprint("settings", __name__, cli_group="drive")

MARKS = {"ok": "✓", "failed": "✗", "not_tried": "–"}
WAYS = {
    PERSON: N_("a person's Google account, connected on this page"),
    DELEGATED: N_("a service account acting for a person of your organisation"),
    SHARED_DRIVE: N_("a service account, in a shared drive"),
}


@bp.app_template_filter("said")
def said_filter(text: str) -> str:
    """A check's message or tip (``reports.said``) in the reader's language."""
    return shown(text)


def may_check() -> bool:
    user = g.get("user")
    return bool(user and user.can_review)


def stored_for_check(state: DriveState) -> Stored:
    person = state.person
    return Stored(
        person=(StoredPerson(person.account, person.refresh_token, person.account_name)
                if person is not None and person.connected else None),
        person_unreadable=bool(person is not None and person.unreadable),
        made_folder=state.folder_id if state.folder_made else "",
    )


def run_check() -> list[StepResult]:
    """The check against this app's settings, logged without secrets."""
    results = check_drive(current_app.config, stored_for_check(drive_state()))
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
    state = drive_state()
    config = current_app.config
    sign_in = state.sign_in
    kind = sign_in.kind if sign_in is not None else ""
    oauth_set = bool(config.get("GOOGLE_OAUTH_CLIENT"))
    person = state.person
    return render_template(
        "settings_drive.html", results=results, ok=results is not None and passed(results),
        steps=[gettext(title) for _, title in STEPS], marks=MARKS, can_check=may_check(),
        configured=state.ready, state=state, kind=kind,
        way=gettext(WAYS[kind]) if kind in WAYS else "", oauth_set=oauth_set,
        connected=person is not None and person.connected and oauth_set,
        person=person,
        subject=sign_in.subject if sign_in is not None else "",
        scope="drive" if (sign_in is not None and sign_in.scope == DRIVE_SCOPE) else "drive.file",
        can_make_folder=kind in (PERSON, DELEGATED) and not state.folder_made,
        redirect_uri=url_for("drive_connect.callback", _external=True),
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
@in_the_environments_language
def check_command() -> None:
    """Test the Google Drive set-up step by step; exit status 1 if a step fails."""
    results = run_check()
    for result in results:
        click.echo(gettext("%(mark)s %(step)s: %(message)s", mark=MARKS[result.state],
                           step=gettext(result.title), message=shown(result.message)))
        if result.fix:
            click.echo("    " + (gettext("Tip: %(tip)s", tip=shown(result.fix)) if result.ok
                                 else gettext("What to do: %(fix)s", fix=shown(result.fix))))
    if passed(results):
        click.echo(gettext("Every step passed: exports to Google Drive will work."))
        return
    failed = next(r for r in results if r.state == "failed")
    click.echo(gettext("The step “%(step)s” failed. Fix it, then run this check again.",
                       step=gettext(failed.title)), err=True)
    raise SystemExit(1)
