"""Connect a person's Google account to Hindsight, make the reports folder, disconnect.

- ``GET /settings/drive/connect`` starts Google's consent flow for web server apps: a fresh
  ``state`` and PKCE verifier are kept, encrypted, in the session (for ten minutes) and the
  browser goes to Google. It is a link, not a form: the page's Content-Security-Policy allows
  forms to post only to this app, and Chrome applies that to where a form's answer redirects.
  Starting the flow changes nothing until Google sends the person back.
- ``GET /settings/drive/oauth/callback`` is where Google sends them back: the ``state`` must be
  the one this browser was given, by the same person, then the code is exchanged (with the
  verifier) for a refresh token, Drive says whose account it is, and the token is kept
  encrypted (``reports.drive_connection``).
- ``POST /settings/drive/folder`` ("Make the reports folder for me") makes a folder in the
  account's My Drive: under ``drive.file`` Hindsight may only write into folders it made.
- ``POST /settings/drive/disconnect`` forgets the token and asks Google to revoke it.

Only people who may change settings (authors and reviewers) may use any of these.
"""

from __future__ import annotations

import contextlib
import json
import secrets

from cryptography.fernet import Fernet, InvalidToken
from flask import Blueprint, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext
from markupsafe import Markup
from werkzeug.wrappers import Response

from exporters.drive_auth import (
    PERSON,
    SignIn,
    finish_consent,
    read_oauth_client,
    revoke,
    scope_from_config,
    start_consent,
)
from exporters.drive_errors import DELEGATED, DriveError
from exporters.gdrive import DriveClient
from reports.drive_connection import PERSON as PERSON_ROW
from reports.drive_connection import delegated_identity, sealer
from reports.language import N_, gettext_for
from services import drive_state, forget_drive_client, get_drive_connections
from views.permissions import AUTHORS_AND_REVIEWERS, allow

bp = Blueprint("drive_connect", __name__)

SESSION_KEY = "drive_consent"
CONSENT_PURPOSE = b"hindsight drive connection: consent in progress"
CONSENT_SECONDS = 600  # time to say yes on Google's page
# The folder is the team's, not one person's: named in the site's language (HINDSIGHT_LANGUAGE).
FOLDER_NAME = N_("Incident reports")


def _back() -> Response:
    return redirect(url_for("settings.drive"), code=303)


def _who() -> str:
    user = g.get("user")
    return str(getattr(user, "username", "") or "someone")


def redirect_uri() -> str:
    """The address Google sends people back to; it must be listed in the OAuth client."""
    return url_for("drive_connect.callback", _external=True)


def _sealer() -> Fernet:
    return sealer(current_app.config["SECRET_KEY"], CONSENT_PURPOSE)


@bp.get("/settings/drive/connect")
@allow(AUTHORS_AND_REVIEWERS)
def connect() -> Response:
    path = str(current_app.config.get("GOOGLE_OAUTH_CLIENT") or "").strip()
    if not path:
        flash(gettext("Connecting a Google account is not set up on this Hindsight: whoever "
                      "looks after it needs to set HINDSIGHT_GOOGLE_OAUTH_CLIENT (see "
                      "docs/google-drive.md)."), "error")
        return _back()
    try:
        client = read_oauth_client(path)
        scope = scope_from_config(current_app.config)
    except DriveError as error:
        flash(error.said.shown(), "error")
        return _back()
    consent = start_consent(client, scope, redirect_uri())
    kept = {"state": consent.state, "verifier": consent.verifier, "by": _who()}
    session[SESSION_KEY] = _sealer().encrypt(json.dumps(kept).encode()).decode()
    current_app.logger.info("Google Drive: %s started connecting an account", _who())
    return redirect(consent.url, code=303)


def _consent_in_progress() -> dict[str, str] | None:
    """What ``connect`` kept for this browser, if it is recent; used once."""
    sealed = session.pop(SESSION_KEY, None)
    if not isinstance(sealed, str):
        return None
    try:
        kept = json.loads(_sealer().decrypt(sealed.encode(), ttl=CONSENT_SECONDS))
    except (InvalidToken, ValueError):
        return None
    return kept if isinstance(kept, dict) else None


@bp.get("/settings/drive/oauth/callback")
@allow(AUTHORS_AND_REVIEWERS)
def callback() -> Response:
    kept = _consent_in_progress()
    state = request.args.get("state", "")
    if (kept is None or not state or not secrets.compare_digest(state, kept.get("state", ""))
            or kept.get("by") != _who()):
        flash(gettext("Hindsight did not connect Google Drive: this answer from Google does not "
                      "belong to a “Connect Google Drive” started in this browser in the last "
                      "ten minutes. Click “Connect Google Drive” to start again."), "error")
        return _back()
    if request.args.get("error"):
        flash(gettext("Google Drive is not connected: the permission was not given on Google's "
                      "page. Click “Connect Google Drive” to try again."), "error")
        return _back()
    config = current_app.config
    try:
        client = read_oauth_client(str(config.get("GOOGLE_OAUTH_CLIENT") or ""))
        scope = scope_from_config(config)
        granted = finish_consent(client, scope, redirect_uri(), request.args.get("code", ""),
                                 kept["verifier"],
                                 timeout=float(config.get("DRIVE_TIMEOUT") or 20))
        sign_in = SignIn(PERSON, scope, client=client, refresh_token=granted.refresh_token,
                         access_token=granted.access_token)
        who = DriveClient.from_config(config, sign_in=sign_in, need_folder=False).about()
    except DriveError as error:
        flash(error.said.shown(), "error")
        return _back()
    connections = get_drive_connections()
    before = connections.person()
    if (before is not None and before.connected
            and before.account.lower() != who["emailAddress"].lower()):
        with contextlib.suppress(DriveError):  # the account it replaces: one connection only
            revoke(client, before.refresh_token)
    connection = connections.connect_person(who["emailAddress"], who["displayName"],
                                            granted.refresh_token, _who())
    forget_drive_client()
    current_app.logger.info("Google Drive: %s connected the account %s", _who(),
                            connection.account)
    name = f"{connection.account_name} ({connection.account})" if connection.account_name else (
        connection.account)
    next_step = ("" if connection.folder_id else
                 " " + gettext("Next, click “Make the reports folder for me”."))
    flash(gettext("Google Drive is connected: Hindsight now puts reports in the Google Drive of "
                  "%(name)s.", name=name) + next_step)
    return _back()


@bp.post("/settings/drive/folder")
@allow(AUTHORS_AND_REVIEWERS)
def make_folder() -> Response:
    state = drive_state()
    sign_in = state.sign_in
    if state.problem is not None:
        flash(state.problem.said.shown(), "error")
        return _back()
    if sign_in is None or sign_in.kind not in (PERSON, DELEGATED):
        flash(gettext("Hindsight can make its folder only in a person's Google Drive: connect a "
                      "Google account first, or let the service account act for a person "
                      "(HINDSIGHT_DRIVE_SUBJECT). A service account has no Drive of its own."),
              "error")
        return _back()
    try:
        client = DriveClient.from_config(current_app.config, sign_in=sign_in, need_folder=False)
        folder = client.make_folder(gettext_for(current_app.config["LANGUAGE"], FOLDER_NAME))
    except DriveError as error:
        flash(gettext("Hindsight could not make the folder. %(error)s", error=error.said.shown()),
              "error")
        return _back()
    if sign_in.kind == PERSON:
        identity, account = PERSON_ROW, sign_in.account
    else:
        identity, account = delegated_identity(sign_in.subject), sign_in.subject
    get_drive_connections().set_folder(identity, account, folder.id, folder.name, folder.link,
                                       _who())
    forget_drive_client()
    current_app.logger.info("Google Drive: %s made the folder %s for %s", _who(), folder.id,
                            account)
    flash(Markup(gettext("Hindsight made the folder “%(name)s” in the Google Drive of "
                         "%(account)s, and exports now go there. <a href=\"%(link)s\">Open it "
                         "in Google Drive</a> and share it with the people who read the "
                         "reports.")) % {"name": folder.name, "account": account,
                                         "link": folder.link})
    return _back()


@bp.post("/settings/drive/disconnect")
@allow(AUTHORS_AND_REVIEWERS)
def disconnect() -> Response:
    before = get_drive_connections().disconnect_person(_who())
    forget_drive_client()
    if before is None or not before.refresh_token:
        flash(gettext("No Google account was connected."))
        return _back()
    current_app.logger.info("Google Drive: %s disconnected the account %s", _who(),
                            before.account)
    gone = gettext("Hindsight has forgotten the connection to %(account)s.",
                   account=before.account)
    try:
        client = read_oauth_client(str(current_app.config.get("GOOGLE_OAUTH_CLIENT") or ""))
        revoked = revoke(client, before.refresh_token,
                         timeout=float(current_app.config.get("DRIVE_TIMEOUT") or 20))
    except DriveError:
        revoked = False
    if revoked:
        flash(gettext("Google Drive is disconnected. %(gone)s Google no longer lets Hindsight "
                      "use the account. Documents already exported stay in the folder.",
                      gone=gone))
    else:
        flash(gettext("%(gone)s Google could not be told, so to be sure, remove Hindsight from "
                      "the account at myaccount.google.com → Security → Third-party "
                      "connections.", gone=gone), "error")
    return _back()
