"""How Hindsight signs in to Google Drive, three ways, and Google's OAuth flow for a person.

1. **A person's own Google account** (``PERSON``): someone clicks "Connect Google Drive" on the
   settings page and says yes on Google's consent page (OAuth 2.0 for web server apps, with
   ``state`` and PKCE, through google-auth-oauthlib). Hindsight keeps the refresh token, encrypted
   (``reports.drive_connection``), and the files belong to that person.
2. **A service account acting for a person** (``DELEGATED``): the key file of
   ``HINDSIGHT_GOOGLE_CREDENTIALS`` and ``HINDSIGHT_DRIVE_SUBJECT``; the token is asked for with
   ``sub`` set to that person (domain-wide delegation, granted by a Workspace admin for the
   service account's client ID and the one scope), so the files are theirs.
3. **A service account** (``SHARED_DRIVE``): the key file alone; it has no storage of its own,
   so its folder must be in a shared drive it is a member of.

The scope is ``drive.file`` (only files Hindsight made) unless ``HINDSIGHT_DRIVE_SCOPE=drive``.
This module has no Flask: the views keep ``state`` and the PKCE verifier between the two halves
of the consent flow and hand them back here.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import google.auth.credentials
import google.oauth2.credentials
import httplib2
import requests
from google.oauth2 import service_account
from google_auth_oauthlib.flow import Flow
from oauthlib.oauth2.rfc6749.errors import OAuth2Error

from reports.language import N_
from reports.said import said

from . import drive_errors
from .drive_errors import (
    DELEGATED,
    DRIVE_FILE_SCOPE,
    DRIVE_SCOPE,
    PERSON,
    SCOPE_PREFIX,
    SHARED_DRIVE,
    DriveError,
    Way,
)

SCOPES = {"drive.file": DRIVE_FILE_SCOPE, "drive": DRIVE_SCOPE}
WAYS = (PERSON, DELEGATED, SHARED_DRIVE)
MAX_CLIENT_FILE_BYTES = 64 * 1024
# Google's token endpoint is https://oauth2.googleapis.com/token and its revocation endpoint
# https://oauth2.googleapis.com/revoke ("Using OAuth 2.0 for Web Server Applications",
# "Revoking a token"); the client file names only the first, so the second sits beside it.
REVOKE_PATH = "/revoke"


def scope_from_config(config: Mapping[str, Any]) -> str:
    """The full scope URL for ``HINDSIGHT_DRIVE_SCOPE`` (``drive.file`` by default)."""
    value = str(config.get("DRIVE_SCOPE") or "drive.file").strip()
    short = value.removeprefix(SCOPE_PREFIX)
    if short not in SCOPES:
        raise drive_errors.bad_scope(value)
    return SCOPES[short]


def ca_file() -> str | None:
    """Extra certificate authorities, read at call time (see ``exporters.gdrive``)."""
    return os.environ.get("HTTPLIB2_CA_CERTS") or None


# -- the OAuth client (HINDSIGHT_GOOGLE_OAUTH_CLIENT) ------------------------------------------


@dataclass(frozen=True)
class OAuthClient:
    """A "Web application" OAuth client, as in the JSON file the Cloud console gives."""

    client_id: str
    client_secret: str
    auth_uri: str
    token_uri: str
    path: str = ""

    @property
    def revoke_uri(self) -> str:
        parts = urlsplit(self.token_uri)
        return urlunsplit((parts.scheme, parts.netloc, REVOKE_PATH, "", ""))

    def config(self) -> dict[str, Any]:
        """The client in Google's client-secrets format, for google-auth-oauthlib."""
        return {"web": {"client_id": self.client_id, "client_secret": self.client_secret,
                        "auth_uri": self.auth_uri, "token_uri": self.token_uri}}


def unreadable(error: OSError) -> str:
    """Why a settings file (a key, a client) could not be read, in words for the person."""
    if isinstance(error, FileNotFoundError):
        return said(N_("there is no such file"))
    if isinstance(error, IsADirectoryError):
        return said(N_("it is a folder, not a file"))
    if isinstance(error, PermissionError):
        return said(N_("Hindsight is not allowed to read it"))
    return error.strerror or said(N_("it cannot be read"))


def read_oauth_client(path: str) -> OAuthClient:
    """The OAuth client in ``path``, or ``DriveError`` saying what is wrong with the file."""
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_CLIENT_FILE_BYTES + 1)
    except OSError as error:
        raise drive_errors.bad_client_file(path, unreadable(error)) from None
    try:
        info = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise drive_errors.bad_client_file(path, said(N_("it is not a JSON file"))) from None
    if not isinstance(info, dict):
        raise drive_errors.bad_client_file(path, said(N_("it is not an OAuth client file")))
    if info.get("type") == "service_account":
        raise drive_errors.bad_client_file(path, said(N_(
            "it is a service-account key, which belongs in HINDSIGHT_GOOGLE_CREDENTIALS")))
    if "installed" in info and "web" not in info:
        raise drive_errors.bad_client_file(path, said(N_(
            "it is a “Desktop app” client; Hindsight needs a “Web application” client")))
    web = info.get("web")
    if not isinstance(web, dict):
        raise drive_errors.bad_client_file(path, said(N_("it is not an OAuth client file")))
    missing = [k for k in ("client_id", "client_secret", "auth_uri", "token_uri")
               if not isinstance(web.get(k), str) or not web.get(k)]
    if missing:
        raise drive_errors.bad_client_file(path, said(N_("it has no %(fields)s"),
                                                      fields=" or ".join(missing)))
    for key in ("auth_uri", "token_uri"):
        if urlsplit(web[key]).scheme != "https":
            raise drive_errors.bad_client_file(path, said(N_(
                "its %(field)s is not an https:// address"), field=key))
    return OAuthClient(web["client_id"], web["client_secret"], web["auth_uri"],
                       web["token_uri"], path)


# -- signing in ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignIn:
    """Who Hindsight is in Google Drive and how it proves it; never shown or logged whole."""

    kind: str
    scope: str = DRIVE_FILE_SCOPE
    key_path: str = ""  # the service account's key file (SHARED_DRIVE, DELEGATED)
    subject: str = ""  # the person a service account acts for (DELEGATED)
    client: OAuthClient | None = None  # the OAuth client (PERSON)
    refresh_token: str = field(default="", repr=False)  # (PERSON)
    access_token: str = field(default="", repr=False)  # one just granted (PERSON), optional
    account: str = ""  # the connected person's e-mail address (PERSON)

    def credentials(self) -> google.auth.credentials.Credentials:
        """Credentials that fetch their own access tokens; ``DriveError`` if they cannot be
        made (a key file that cannot be read, for instance)."""
        if self.kind == PERSON:
            assert self.client is not None, "a person's sign-in names its OAuth client"
            return google.oauth2.credentials.Credentials(
                self.access_token or None, refresh_token=self.refresh_token,
                token_uri=self.client.token_uri, client_id=self.client.client_id,
                client_secret=self.client.client_secret, scopes=[self.scope],
            )
        return read_key(self.key_path, self.scope, self.subject or None)

    def way(self, credentials: google.auth.credentials.Credentials | None = None) -> Way:
        """How this sign-in reads in explanations."""
        if self.kind == PERSON:
            return Way(PERSON, self.account, "", self.scope)
        email = client_id = ""
        if isinstance(credentials, service_account.Credentials):
            email = credentials.service_account_email
            client_id = _key_client_id(self.key_path)
        if self.kind == DELEGATED:
            return Way(DELEGATED, self.subject, client_id, self.scope)
        return Way(SHARED_DRIVE, email, client_id, self.scope)


def read_key(path: str, scope: str, subject: str | None = None) -> service_account.Credentials:
    try:
        return service_account.Credentials.from_service_account_file(
            path, scopes=[scope], subject=subject)
    except OSError as error:
        raise drive_errors.bad_key(path, unreadable(error)) from None
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise drive_errors.bad_key(path, said(N_("it is not a service-account key"))) from None


def _key_client_id(path: str) -> str:
    """The service account's client ID (what a Workspace admin grants delegation to)."""
    try:
        with open(path, encoding="utf-8") as file:
            return str(json.load(file).get("client_id") or "")
    except (OSError, ValueError, AttributeError):
        return ""


@dataclass(frozen=True)
class StoredPerson:
    """A person's connection as the app keeps it: their address and refresh token."""

    account: str
    refresh_token: str = field(repr=False)
    name: str = ""


def sign_in_from_config(config: Mapping[str, Any], person: StoredPerson | None = None
                        ) -> SignIn | None:
    """How to sign in with these settings: a connected person first (when the OAuth client is
    set), else the service account (acting for ``DRIVE_SUBJECT`` if set); None: neither."""
    scope = scope_from_config(config)
    client_path = str(config.get("GOOGLE_OAUTH_CLIENT") or "").strip()
    if person is not None and client_path:
        return SignIn(PERSON, scope, client=read_oauth_client(client_path),
                      refresh_token=person.refresh_token, account=person.account)
    key_path = str(config.get("GOOGLE_CREDENTIALS") or "").strip()
    if not key_path:
        return None
    subject = str(config.get("DRIVE_SUBJECT") or "").strip()
    return SignIn(DELEGATED if subject else SHARED_DRIVE, scope, key_path=key_path,
                  subject=subject)


# -- a person's consent (OAuth 2.0 for web server apps) ----------------------------------------


@dataclass(frozen=True)
class Consent:
    """The first half of the flow: where to send the person, and what to keep until they are
    back (``state`` to compare, the PKCE ``verifier`` to prove the code is ours)."""

    url: str
    state: str
    verifier: str = field(repr=False)


@dataclass(frozen=True)
class Granted:
    refresh_token: str = field(repr=False)
    access_token: str = field(repr=False)
    scopes: tuple[str, ...] = ()


def _flow(client: OAuthClient, scope: str, redirect_uri: str, *, state: str | None = None,
          verifier: str | None = None) -> Flow:
    return Flow.from_client_config(client.config(), scopes=[scope], redirect_uri=redirect_uri,
                                   state=state, code_verifier=verifier,
                                   autogenerate_code_verifier=verifier is None)


def start_consent(client: OAuthClient, scope: str, redirect_uri: str) -> Consent:
    """Where to send the person to say yes, with a fresh ``state`` and PKCE verifier.

    ``access_type=offline`` gives a refresh token; ``prompt=consent`` asks again each time, so a
    new connection always comes with one (Google sends it only when consent is given).
    """
    flow = _flow(client, scope, redirect_uri, state=secrets.token_urlsafe(32))
    url, state = flow.authorization_url(access_type="offline", prompt="consent")
    assert flow.code_verifier
    return Consent(url, state, flow.code_verifier)


def finish_consent(client: OAuthClient, scope: str, redirect_uri: str, code: str,
                   verifier: str, *, timeout: float = 20.0) -> Granted:
    """Exchange the code Google sent back for tokens; ``DriveError`` in plain words if not."""
    flow = _flow(client, scope, redirect_uri, verifier=verifier)
    try:
        token = flow.fetch_token(code=code, verify=ca_file() or True, timeout=timeout)
    except Warning as changed:  # oauthlib: Google granted other scopes than asked for
        token = getattr(changed, "token", {}) or {}
    except OAuth2Error as error:
        raise DriveError(
            said(N_("Google did not finish connecting Hindsight to the Google account "
                    "(%(error)s)."), error=error.error),
            said(N_("Click “Connect Google Drive” and try again. If it happens again, tell "
                    "%(admin)s: the OAuth client in HINDSIGHT_GOOGLE_OAUTH_CLIENT may have been "
                    "deleted or its secret changed."), admin=drive_errors.ADMIN),
            kind="connect",
        ) from error
    except requests.exceptions.SSLError as error:
        raise DriveError(
            said(N_("Hindsight could not make a secure connection to Google's sign-in "
                    "service.")),
            said(N_("Tell %(admin)s: if the network inspects secure traffic, set "
                    "HTTPLIB2_CA_CERTS to its certificate authority."), admin=drive_errors.ADMIN),
            kind="tls",
        ) from error
    except requests.exceptions.RequestException as error:
        raise DriveError(
            said(N_("Hindsight could not reach Google's sign-in service to finish connecting.")),
            said(N_("Check the network and click “Connect Google Drive” again.")),
            kind="connection",
        ) from error
    granted = tuple(token.get("scope") or ())
    if isinstance(token.get("scope"), str):
        granted = tuple(token["scope"].split())
    if scope not in granted:
        raise DriveError(
            said(N_("You did not allow Hindsight to use Google Drive, so it is not connected.")),
            said(N_("Click “Connect Google Drive” again and, on Google's page, tick the box that "
                    "lets Hindsight see, edit, create and delete the Google Drive files it "
                    "uses.")),
            kind="connect",
        )
    if not token.get("refresh_token"):
        raise DriveError(
            said(N_("Google did not give Hindsight a lasting connection to the account.")),
            said(N_("Click “Connect Google Drive” again. If it keeps happening, remove Hindsight "
                    "from the account (myaccount.google.com → Security → Third-party "
                    "connections) and connect again.")),
            kind="connect",
        )
    return Granted(str(token["refresh_token"]), str(token.get("access_token") or ""), granted)


def revoke(client: OAuthClient, token: str, *, timeout: float = 20.0) -> bool:
    """Ask Google to revoke the connection; True when it is gone (or was already).

    Google's revocation endpoint takes the token as a form field and answers 200; a token it no
    longer knows gets 400 ``invalid_token``, which means the same thing here.
    """
    http = httplib2.Http(ca_certs=ca_file(), timeout=timeout)
    try:
        response, body = http.request(
            client.revoke_uri, "POST", body=urlencode({"token": token}),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    except Exception as error:  # the network: the caller forgets the token anyway
        raise DriveError(
            said(N_("Hindsight could not reach Google to revoke the connection.")),
            said(N_("Hindsight has forgotten the connection. To be sure Google has too, remove "
                    "Hindsight from the account at myaccount.google.com → Security → "
                    "Third-party connections.")),
            kind="connection",
        ) from error
    if response.status == 200:
        return True
    try:
        error_code = json.loads(body.decode("utf-8")).get("error")
    except (ValueError, AttributeError, UnicodeDecodeError):
        error_code = None
    return response.status == 400 and error_code in ("invalid_token", "invalid_request")
