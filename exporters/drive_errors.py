"""Why a Google Drive export failed, in plain words: what happened, what to do, who to ask.

``explain`` turns whatever the Google libraries raised into a ``DriveError``. The people who read
these are report authors, not engineers: no status codes in the message, one clear next step.
"""

from __future__ import annotations

import http.client
import json
import ssl

import httplib2
from google.auth import exceptions as auth_errors
from googleapiclient.errors import HttpError

ADMIN = "whoever looks after Hindsight for your team"
SET_UP = "The steps are in docs/google-drive.md."
RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})


class DriveError(Exception):
    """An export to Google Drive that did not happen; ``kind`` is for code, the rest for people."""

    def __init__(self, message: str, hint: str, *, kind: str = "failed"):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.kind = kind

    def __str__(self) -> str:
        return f"{self.message} {self.hint}"


def not_configured() -> DriveError:
    return DriveError(
        "Export to Google Drive is not set up on this Hindsight.",
        f"Ask {ADMIN} to set HINDSIGHT_DRIVE_FOLDER_ID and HINDSIGHT_GOOGLE_CREDENTIALS. "
        f"{SET_UP} You can still export the report as a PDF.",
        kind="not_configured",
    )


def bad_key(path: str, problem: str) -> DriveError:
    return DriveError(
        f"Hindsight could not use its Google key file ({path}): {problem}.",
        f"Ask {ADMIN} to check HINDSIGHT_GOOGLE_CREDENTIALS; it must name a service-account "
        f"key file in JSON format. {SET_UP}",
        kind="credentials",
    )


def bad_endpoint(endpoint: str) -> DriveError:
    return DriveError(
        f"HINDSIGHT_DRIVE_API_ENDPOINT is not a web address Hindsight can use ({endpoint}).",
        f"Ask {ADMIN} to correct it, or to remove it so that Hindsight talks to Google directly.",
        kind="not_configured",
    )


def http_reason(error: HttpError) -> str:
    """The first ``reason`` in Google's error answer, or an empty string."""
    try:
        data = json.loads(error.content.decode("utf-8"))
        return str(data["error"]["errors"][0]["reason"])
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return ""


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


def explain(error: BaseException, *, folder_id: str, creating: bool = False) -> DriveError:
    """The plain-words version of ``error``; ``creating`` when the folder was the target."""
    if isinstance(error, DriveError):
        return error
    if isinstance(error, HttpError):
        return _explain_http(error, folder_id=folder_id, creating=creating)
    if isinstance(error, auth_errors.RefreshError):
        if getattr(error, "retryable", False):  # google-auth already tried a few times
            return _unavailable("Google's sign-in service")
        return _refused_key()
    cause = error.args[0] if isinstance(error, auth_errors.TransportError) and error.args else error
    if isinstance(cause, ssl.SSLCertVerificationError):
        return DriveError(
            "Hindsight could not make a secure connection to Google Drive: the server's "
            "certificate was not one it trusts.",
            f"Tell {ADMIN}. If your network inspects secure traffic, they need to give Hindsight "
            "the network's certificate (HTTPLIB2_CA_CERTS). You can still export a PDF.",
            kind="tls",
        )
    if isinstance(cause, TimeoutError):
        return DriveError(
            "Google Drive did not answer in time, even after several tries.",
            "Google may be having problems. Try again in a few minutes, and export a PDF if "
            f"you need the report now. If it keeps happening, tell {ADMIN}.",
            kind="timeout",
        )
    return DriveError(
        "Hindsight could not connect to Google Drive.",
        "Check your network and try again in a few minutes; you can still export a PDF. "
        f"If it keeps happening, tell {ADMIN}.",
        kind="connection",
    )


def _refused_key() -> DriveError:
    return DriveError(
        "Google did not accept Hindsight's service-account key.",
        f"The key may have been deleted or disabled. Ask {ADMIN} to create a new key for the "
        f"service account and point HINDSIGHT_GOOGLE_CREDENTIALS at it. {SET_UP}",
        kind="credentials",
    )


def _unavailable(service: str) -> DriveError:
    return DriveError(
        f"{service} is having problems and did not take the file, even after several tries.",
        "Try again in a few minutes; you can export a PDF in the meantime. "
        f"If it lasts, tell {ADMIN}.",
        kind="unavailable",
    )


def _explain_http(error: HttpError, *, folder_id: str, creating: bool) -> DriveError:
    status, reason = error.status_code, http_reason(error)
    if status == 401:
        return _refused_key()
    if status == 429 or reason in RATE_REASONS:
        return DriveError(
            "Google Drive is getting too many requests and asked Hindsight to slow down.",
            "Wait a few minutes and try again; your report is safe. "
            f"If it keeps happening, tell {ADMIN}.",
            kind="quota",
        )
    if status == 404 and creating:
        return DriveError(
            f"Hindsight cannot see the Google Drive folder it is set to use ({folder_id}).",
            f"Ask {ADMIN} to share that folder with the service account's e-mail address "
            f"as an Editor (Content manager in a shared drive), and to check "
            f"HINDSIGHT_DRIVE_FOLDER_ID. {SET_UP}",
            kind="folder",
        )
    if status == 403 and reason == "storageQuotaExceeded":
        return DriveError(
            "Google Drive refused the file because the service account has no storage space "
            "of its own.",
            f"Ask {ADMIN} to use a folder in a shared drive instead of one in My Drive. {SET_UP}",
            kind="storage",
        )
    if status == 403 and reason in ("accessNotConfigured", "SERVICE_DISABLED"):
        return DriveError(
            "The Google Drive API is turned off for the service account's Google Cloud project.",
            f"Ask {ADMIN} to turn on the Google Drive API for that project. {SET_UP}",
            kind="credentials",
        )
    if status == 403:
        return DriveError(
            "The service account is not allowed to add or change files in the Drive folder.",
            f"Ask {ADMIN} to give the service account's e-mail address Editor access "
            f"(Content manager in a shared drive) to the folder. {SET_UP}",
            kind="permission",
        )
    if status >= 500:
        return _unavailable("Google Drive")
    return DriveError(
        f"Google Drive turned the export down (error {status}).",
        f"Try again later. If it happens again, tell {ADMIN} and mention error {status}"
        + (f" ({reason})." if reason else "."),
        kind="rejected",
    )
