"""Why a Google Drive export failed, in plain words: what happened, what to do, who to ask.

``explain`` turns whatever the Google libraries raised into a ``DriveError``. The people who read
these are report authors, not engineers: no status codes in the message, one clear next step.
The same words appear when an export fails and in the set-up check (``drive_check``).

What a failure means depends on how Hindsight signs in to Google (``Way``): "no storage space"
is the service account's lot in someone's My Drive, but a full Drive for a person; a refused
sign-in is a revoked key for a service account, a domain-wide delegation not granted for a
service account acting for a person, and a connection to reconnect for a person's own account.
"""

from __future__ import annotations

import http.client
import json
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httplib2
from google.auth import exceptions as auth_errors
from googleapiclient.errors import HttpError

from reports.language import N_
from reports.said import Said, said, sentences

# Said in the reader's language when shown (``reports.said``): the parts many messages share.
ADMIN = said(N_("whoever looks after Hindsight for your team"))
SET_UP = said(N_("The steps are in docs/google-drive.md."))
SETTINGS_PAGE = said(N_("the Google Drive set-up page in Hindsight (at the bottom of any page)"))
RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
# 403 reasons for "no room for this file" (Drive API "Resolve errors"; a service account gets
# storageQuotaExceeded in a My Drive folder, older ones quotaExceeded).
STORAGE_REASONS = frozenset({"storageQuotaExceeded", "quotaExceeded"})
# The caller is not a member of the shared drive that holds the item.
MEMBERSHIP_REASONS = frozenset({"teamDriveMembershipRequired", "sharedDriveMembershipRequired"})
API_OFF_REASONS = frozenset({"accessNotConfigured", "SERVICE_DISABLED"})
MAX_RETRY_AFTER = 3600.0  # a Retry-After longer than this is read as "an hour"

# How Hindsight signs in to Google Drive.
SHARED_DRIVE = "service_account"  # as a service account (files belong to a shared drive)
DELEGATED = "delegated"  # as a service account acting for a person (domain-wide delegation)
PERSON = "person"  # as a person's own Google account, connected on the settings page

SCOPE_PREFIX = "https://www.googleapis.com/auth/"
DRIVE_FILE_SCOPE = SCOPE_PREFIX + "drive.file"
DRIVE_SCOPE = SCOPE_PREFIX + "drive"


@dataclass(frozen=True)
class Way:
    """How Hindsight signs in, for explanations: whose files, which client id and scope."""

    kind: str = SHARED_DRIVE
    account: str = ""  # the service account's, the delegated person's or the person's e-mail
    client_id: str = ""  # the service account's client id (what a Workspace admin grants)
    scope: str = DRIVE_FILE_SCOPE

    @property
    def who(self) -> Said:
        if self.kind == SHARED_DRIVE:
            return (said(N_("the service account %(account)s"), account=self.account)
                    if self.account else said(N_("the service account")))
        return said("%(account)s", account=self.account) if self.account else said(
            N_("the connected Google account"))

    @property
    def limited(self) -> bool:
        """Under ``drive.file``: only what Hindsight made itself is visible to it."""
        return self.scope != DRIVE_SCOPE


class DriveError(Exception):
    """An export to Google Drive that did not happen; ``kind`` is for code, the rest for people.

    ``message`` and ``hint`` are ``Said``: English text that can be said in the reader's
    language; ``said`` is both, to store or show."""

    def __init__(self, message: str, hint: str, *, kind: str = "failed",
                 retry_after: float | None = None):
        super().__init__(message)
        self.message = message if isinstance(message, Said) else said("%(text)s", text=message)
        self.hint = hint if isinstance(hint, Said) else said("%(text)s", text=hint)
        self.kind = kind
        self.retry_after = retry_after

    @property
    def said(self) -> Said:
        return sentences(self.message, self.hint)

    def __str__(self) -> str:
        return f"{self.message} {self.hint}"


def not_configured() -> DriveError:
    return DriveError(
        said(N_("Export to Google Drive is not set up on this Hindsight.")),
        said(N_("Ask %(admin)s to connect a Google account on %(page)s, or to set "
                "HINDSIGHT_DRIVE_FOLDER_ID and HINDSIGHT_GOOGLE_CREDENTIALS. %(steps)s You can "
                "still export the report as a PDF."),
             admin=ADMIN, page=SETTINGS_PAGE, steps=SET_UP),
        kind="not_configured",
    )


def no_folder(way: Way) -> DriveError:
    return DriveError(
        said(N_("Hindsight is connected to Google Drive as %(who)s but has no folder to put "
                "reports in."), who=way.who),
        said(N_("Ask %(admin)s to click “Make the reports folder for me” on %(page)s, or to set "
                "HINDSIGHT_DRIVE_FOLDER_ID. %(steps)s"),
             admin=ADMIN, page=SETTINGS_PAGE, steps=SET_UP),
        kind="not_configured",
    )


def bad_key(path: str, problem: str) -> DriveError:
    return DriveError(
        said(N_("Hindsight could not use its Google key file (%(path)s): %(problem)s."),
             path=path, problem=problem),
        said(N_("Ask %(admin)s to check HINDSIGHT_GOOGLE_CREDENTIALS; it must name a "
                "service-account key file in JSON format. %(steps)s"), admin=ADMIN, steps=SET_UP),
        kind="credentials",
    )


def bad_client_file(path: str, problem: str) -> DriveError:
    return DriveError(
        said(N_("Hindsight could not use its Google OAuth client file (%(path)s): %(problem)s."),
             path=path, problem=problem),
        said(N_("Ask %(admin)s to check HINDSIGHT_GOOGLE_OAUTH_CLIENT; it must name the JSON "
                "file of a “Web application” OAuth client, downloaded from the Google Cloud "
                "console. %(steps)s"), admin=ADMIN, steps=SET_UP),
        kind="credentials",
    )


def connection_unreadable() -> DriveError:
    return DriveError(
        said(N_("Hindsight can no longer read the Google Drive connection it saved: its secret "
                "key has changed since the account was connected.")),
        said(N_("Ask %(admin)s to connect Google Drive again on %(page)s."), admin=ADMIN,
             page=SETTINGS_PAGE),
        kind="reconnect",
    )


def bad_scope(value: str) -> DriveError:
    return DriveError(
        said(N_("HINDSIGHT_DRIVE_SCOPE is “%(value)s”, which Hindsight does not know."),
             value=value),
        said(N_("Ask %(admin)s to set it to drive.file (the default: only the files Hindsight "
                "makes) or drive (to use a folder someone else made), or to remove it."),
             admin=ADMIN),
        kind="not_configured",
    )


def bad_endpoint(endpoint: str) -> DriveError:
    return DriveError(
        said(N_("HINDSIGHT_DRIVE_API_ENDPOINT is not a web address Hindsight can use "
                "(%(endpoint)s)."), endpoint=endpoint),
        said(N_("Ask %(admin)s to correct it, or to remove it so that Hindsight talks to Google "
                "directly."), admin=ADMIN),
        kind="not_configured",
    )


def http_reason(error: HttpError) -> str:
    """The first ``reason`` in Google's error answer, or an empty string."""
    try:
        data = json.loads(error.content.decode("utf-8"))
        return str(data["error"]["errors"][0]["reason"])
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return ""


def http_message(error: HttpError) -> str:
    try:
        data = json.loads(error.content.decode("utf-8"))
        return str(data["error"]["message"])
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return ""


def retry_after(error: BaseException) -> float | None:
    """Seconds Google asked to wait before trying again (``Retry-After``), if it said."""
    if not isinstance(error, HttpError):
        return None
    value = (getattr(error.resp, "get", lambda _k, _d=None: None)("retry-after") or "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:  # an HTTP date
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        seconds = (moment - datetime.now(UTC)).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def is_retryable(error: BaseException) -> bool:
    """A failure that may well go away if the same request is sent again a little later."""
    if isinstance(error, HttpError):
        status = error.status_code
        return status == 429 or status >= 500 or (
            status == 403 and http_reason(error) in RATE_REASONS
        )
    if isinstance(error, ssl.SSLCertVerificationError | httplib2.ServerNotFoundError):
        return False
    return isinstance(
        error,
        TimeoutError | ConnectionError | ssl.SSLError | http.client.HTTPException
        | auth_errors.TransportError,
    )


def explain(error: BaseException, *, folder_id: str, creating: bool = False,
            way: Way | None = None) -> DriveError:
    """The plain-words version of ``error``; ``creating`` when the folder was the target."""
    way = way or Way()
    if isinstance(error, DriveError):
        return error
    if isinstance(error, HttpError):
        return _explain_http(error, folder_id=folder_id, creating=creating, way=way)
    if isinstance(error, auth_errors.RefreshError):
        if getattr(error, "retryable", False):  # google-auth already tried a few times
            return _unavailable(said(N_("Google's sign-in service")))
        return refused_sign_in(way, _oauth_error(error))
    cause = error.args[0] if isinstance(error, auth_errors.TransportError) and error.args else error
    if isinstance(cause, ssl.SSLCertVerificationError):
        return DriveError(
            said(N_("Hindsight could not make a secure connection to Google Drive: the server's "
                    "certificate was not one it trusts.")),
            said(N_("Tell %(admin)s. If your network inspects secure traffic, they need to give "
                    "Hindsight the network's certificate (HTTPLIB2_CA_CERTS). You can still "
                    "export a PDF."), admin=ADMIN),
            kind="tls",
        )
    if isinstance(cause, TimeoutError):
        return DriveError(
            said(N_("Google Drive did not answer in time, even after several tries.")),
            said(N_("Google may be having problems. Try again in a few minutes, and export a PDF "
                    "if you need the report now. If it keeps happening, tell %(admin)s."),
                 admin=ADMIN),
            kind="timeout",
        )
    return DriveError(
        said(N_("Hindsight could not connect to Google Drive.")),
        said(N_("Check your network and try again in a few minutes; you can still export a PDF. "
                "If it keeps happening, tell %(admin)s."), admin=ADMIN),
        kind="connection",
    )


def _oauth_error(error: auth_errors.RefreshError) -> tuple[str, str]:
    """The OAuth ``error`` code and description Google's token endpoint answered with."""
    data: Any = error.args[1] if len(error.args) > 1 else None
    if isinstance(data, dict):
        return str(data.get("error") or ""), str(data.get("error_description") or "")
    text = str(error.args[0]) if error.args else ""
    code, _, description = text.partition(":")
    return code.strip(), description.strip()


def refused_sign_in(way: Way, oauth_error: tuple[str, str] = ("", "")) -> DriveError:
    """Google's token endpoint said no: what that means for this way of signing in."""
    code, description = oauth_error
    if way.kind == PERSON:
        return DriveError(
            said(N_("The connection to %(who)s's Google Drive has been revoked or has "
                    "expired."), who=way.who),
            said(N_("Connect Google Drive again on %(page)s. A connection ends when the person "
                    "removes Hindsight from their Google account (myaccount.google.com → "
                    "Security → Third-party connections), after six months without use, or "
                    "after seven days while the app's OAuth consent screen is still in "
                    "“Testing”."), page=SETTINGS_PAGE),
            kind="reconnect",
        )
    if way.kind == DELEGATED and code == "unauthorized_client":
        client_id = way.client_id or said(N_("(shown in the set-up check)"))
        return DriveError(
            said(N_("Google did not let the service account act for %(account)s: domain-wide "
                    "delegation is not granted for its client ID and the scope Hindsight asks "
                    "for."), account=way.account),
            said(N_("Ask your Google Workspace admin to open the Admin console → Security → "
                    "Access and data control → API controls → Manage domain-wide delegation, "
                    "and add the client ID %(client_id)s with exactly this one scope: "
                    "%(scope)s. It can take a few minutes to apply. %(steps)s"),
                 client_id=client_id, scope=way.scope, steps=SET_UP),
            kind="delegation",
        )
    if way.kind == DELEGATED and code == "invalid_grant" and "email" in description.lower():
        return DriveError(
            said(N_("Google does not know the person %(account)s that Hindsight is set to act "
                    "for, or their account is suspended."), account=way.account),
            said(N_("Ask %(admin)s to set HINDSIGHT_DRIVE_SUBJECT to the e-mail address of an "
                    "active person in your Google Workspace organisation. %(steps)s"),
                 admin=ADMIN, steps=SET_UP),
            kind="delegation",
        )
    return DriveError(
        said(N_("Google did not accept Hindsight's service-account key.")),
        said(N_("The key may have been deleted, disabled, or have expired (an organisation "
                "policy can make keys expire). Ask %(admin)s to create a new key for the service "
                "account and point HINDSIGHT_GOOGLE_CREDENTIALS at it. If your organisation does "
                "not allow keys, connect a person's Google account on %(page)s instead. "
                "%(steps)s"), admin=ADMIN, page=SETTINGS_PAGE, steps=SET_UP),
        kind="credentials",
    )


def _unavailable(service: Said) -> DriveError:
    return DriveError(
        said(N_("%(service)s is having problems and did not take the file, even after several "
                "tries."), service=service).capitalised(),
        said(N_("Try again in a few minutes; you can export a PDF in the meantime. If it lasts, "
                "tell %(admin)s."), admin=ADMIN),
        kind="unavailable",
    )


def _wait_words(seconds: float) -> Said:
    if seconds < 90:
        return said(N_("%(n)s seconds"), n=max(1, round(seconds)))
    if seconds < 5400:
        return said(N_("%(n)s minutes"), n=round(seconds / 60))
    return said(N_("an hour or more"))


def storage_refused(way: Way) -> DriveError:
    if way.kind == SHARED_DRIVE:
        return DriveError(
            said(N_("Google Drive refused the file because the service account has no storage "
                    "space of its own, so it cannot keep files in a folder in someone's My "
                    "Drive.")),
            said(N_("Ask %(admin)s to use a folder in a shared drive the service account is a "
                    "member of, to let the service account act for a person of your "
                    "organisation (HINDSIGHT_DRIVE_SUBJECT), or to connect a person's Google "
                    "account on %(page)s. %(steps)s"),
                 admin=ADMIN, page=SETTINGS_PAGE, steps=SET_UP),
            kind="storage",
        )
    return DriveError(
        said(N_("Google Drive refused the file because %(who)s has no storage space left."),
             who=way.who),
        said(N_("Free some space in that account's Google Drive (or its organisation's shared "
                "storage), or ask %(admin)s to connect another account. You can still export a "
                "PDF."), admin=ADMIN),
        kind="storage",
    )


def folder_not_visible(way: Way, folder_id: str) -> DriveError:
    """The folder answered "not found" (404) when Hindsight tried to use it."""
    if way.limited:
        what = said(N_("Hindsight cannot see the Google Drive folder it is set to use "
                       "(%(folder)s). It asks Google only for the files it makes itself (the "
                       "drive.file scope), so Google hides any folder made by someone else, even "
                       "one shared with %(who)s."), folder=folder_id, who=way.who)
        if way.kind == SHARED_DRIVE:
            fix = said(N_("Ask %(admin)s to set HINDSIGHT_DRIVE_SCOPE=drive and add %(who)s as a "
                          "Content manager of the shared drive, and to check "
                          "HINDSIGHT_DRIVE_FOLDER_ID."), admin=ADMIN, who=way.who)
        else:
            fix = said(N_("Ask %(admin)s to click “Make the reports folder for me” on %(page)s, "
                          "or to set HINDSIGHT_DRIVE_SCOPE=drive to use this folder."),
                       admin=ADMIN, page=SETTINGS_PAGE)
        return DriveError(what, sentences(fix, SET_UP), kind="folder")
    if way.kind == SHARED_DRIVE:
        fix = said(N_("Ask %(admin)s to share that folder with the service account's e-mail "
                      "address as an Editor (Content manager in a shared drive; or add it as a "
                      "member of the shared drive), and to check HINDSIGHT_DRIVE_FOLDER_ID."),
                   admin=ADMIN)
    else:
        fix = said(N_("Ask %(admin)s to share that folder with %(who)s as an Editor, and to "
                      "check HINDSIGHT_DRIVE_FOLDER_ID."), admin=ADMIN, who=way.who)
    return DriveError(
        said(N_("Hindsight cannot see the Google Drive folder it is set to use (%(folder)s)."),
             folder=folder_id),
        sentences(fix, SET_UP), kind="folder",
    )


def not_a_member(way: Way) -> DriveError:
    return DriveError(
        said(N_("%(who)s is not a member of the shared drive that holds the folder."),
             who=way.who).capitalised(),
        said(N_("Ask a manager of the shared drive to add %(who)s as a Content manager (shared "
                "drive → Manage members). %(steps)s"),
             who=way.account or said(N_("it")), steps=SET_UP),
        kind="membership",
    )


def _explain_http(error: HttpError, *, folder_id: str, creating: bool, way: Way) -> DriveError:
    status, reason = error.status_code, http_reason(error)
    if status == 401:
        return refused_sign_in(way)
    if status == 429 or reason in RATE_REASONS:
        wait = retry_after(error)
        slow = said(N_("Google Drive is getting too many requests and asked Hindsight to slow "
                       "down."))
        return DriveError(
            sentences(slow, said(N_("Google asked it to wait %(wait)s, longer than Hindsight "
                                    "waits."), wait=_wait_words(wait))) if wait else slow,
            said(N_("Wait a few minutes and try again; your report is safe. If it keeps "
                    "happening, tell %(admin)s."), admin=ADMIN),
            kind="quota", retry_after=wait,
        )
    if status == 404 and creating:
        return folder_not_visible(way, folder_id)
    if status == 403 and reason in STORAGE_REASONS:
        return storage_refused(way)
    if reason in MEMBERSHIP_REASONS:
        return not_a_member(way)
    if status == 403 and reason in API_OFF_REASONS:
        return DriveError(
            said(N_("The Google Drive API is turned off for Hindsight's Google Cloud project.")),
            said(N_("Ask %(admin)s to turn on the Google Drive API for that project. %(steps)s"),
                 admin=ADMIN, steps=SET_UP),
            kind="credentials",
        )
    if status == 403:
        return DriveError(
            said(N_("%(who)s is not allowed to add or change files in the Drive folder."),
                 who=way.who).capitalised(),
            said(N_("Ask %(admin)s to give %(who)s Editor access (Content manager in a shared "
                    "drive) to the folder. %(steps)s"), admin=ADMIN,
                 who=way.account or said(N_("its e-mail address")), steps=SET_UP),
            kind="permission",
        )
    if status >= 500:
        return _unavailable(said(N_("Google Drive")))
    return DriveError(
        said(N_("Google Drive turned the export down (error %(status)s)."), status=status),
        said(N_("Try again later. If it happens again, tell %(admin)s and mention error "
                "%(error)s."), admin=ADMIN,
             error=f"{status} ({reason})" if reason else str(status)),
        kind="rejected",
    )
