"""A stand-in for Google's sign-in (token, consent, revocation) and the Drive v3 calls Hindsight
makes, following Google's documented rules and refusals; each rule names the page it follows.

It speaks HTTPS with a certificate from a test CA (``trustme``), because the real client keeps
``https`` for media uploads whatever endpoint it is given. Who is asking matters, as at Google:

- a **service account** (a signed JWT grant without ``sub``) owns no storage: files it would own
  in a My Drive are refused; in a shared drive it is a member of, files belong to the drive;
- a **service account acting for a person** (a JWT with ``sub``: domain-wide delegation) is that
  person, whose My Drive takes files, once a Workspace admin granted its client id the scope;
- a **person** who said yes on the consent page (authorization code with PKCE, then refresh
  tokens), until the connection is revoked.

Under ``drive.file`` only what the app itself made is visible; shared-drive items need
``supportsAllDrives``. It keeps what was uploaded, logs every request, and can be told to fail:
``server.fail(status, times, reason, on=method, retry_after=...)`` or ``server.hang(times)``.

Pages followed (read, not seen: Google itself cannot be reached from the test machines):
- Drive API, "Resolve errors" (handle-errors): 403 reasons and bodies, 404 ``notFound``.
- Drive API, "Usage limits" (limits): 403 ``userRateLimitExceeded``, 429, exponential backoff.
- Drive API, "Choose Google Drive API scopes" (about-auth): ``drive.file`` is per file, for
  files the app created or opened; ``drive`` is every file.
- Drive API, "Implement shared drive support" (enable-shareddrives): ``supportsAllDrives=true``
  on get, list, create, update, delete; ``includeItemsFromAllDrives`` with ``corpora`` to list.
- Drive API, "Search for files and folders" (search-files): the ``q`` grammar used here
  (``appProperties has { key=… and value=… }``, ``mimeType =``, ``in parents``, ``trashed``).
- Drive API reference, ``about.get``: ``user.emailAddress`` and ``user.displayName``.
- Drive API, "Create and populate folders" (folder): a folder is a file of type
  ``application/vnd.google-apps.folder``, made with ``files.create`` and ``parents``; it is
  listed and searched like any file.
- Drive API, "v2 to v3 reference" (v2-to-v3-reference): moving is ``files.update`` with
  ``addParents`` / ``removeParents``; moving to the bin is ``files.update`` with
  ``{'trashed': true}``; a private property is removed with ``{'appProperties': {key: null}}``.
- Drive API reference, the ``File`` resource: ``trashed`` is true "either explicitly or from a
  trashed parent folder"; ``appProperties`` "entries with null values are cleared in update
  and copy requests"; ``parents``: "A file can only have one parent folder".
- The 403 ``storageQuotaExceeded`` answer given to service accounts ("Service Accounts do not
  have storage quota. Leverage shared drives …, or use OAuth delegation … instead"), as quoted in
  other projects' issues, and ``quotaExceeded`` ("The user has exceeded their Drive storage
  quota", iterative/PyDrive2#238).
- Google Identity, "Using OAuth 2.0 for Server to Server Applications" (service-account):
  the JWT grant, ``sub`` for domain-wide delegation; ``unauthorized_client`` when the admin has
  not granted the client id the scopes (the answer as quoted in other projects' issues).
- Google Identity, "Using OAuth 2.0 for Web Server Applications" (web-server): the consent
  page's parameters (``access_type=offline``, ``prompt``, ``state``, ``code_challenge``), the
  redirect back with ``code`` and ``state`` (or ``error=access_denied``), the token endpoint's
  ``authorization_code`` and ``refresh_token`` grants, ``invalid_grant`` for a revoked or
  expired refresh token, and revocation at ``/revoke`` (``invalid_token`` when unknown).
- RFC 7636 (PKCE): ``code_challenge = BASE64URL(SHA256(code_verifier))`` with ``S256``.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import hashlib
import html
import itertools
import json
import re
import secrets
import ssl
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import trustme
from google.auth import jwt

DOC_MIME = "application/vnd.google-apps.document"
FOLDER_MIME = "application/vnd.google-apps.folder"
DRIVE_FILE = "https://www.googleapis.com/auth/drive.file"
DRIVE = "https://www.googleapis.com/auth/drive"
KNOWN_SCOPES = frozenset({DRIVE_FILE, DRIVE})
# google-auth signs the grant for Google's token endpoint whatever the key's token_uri says.
GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
DEFAULT_DRIVE = "0AShared-drive-incident-reports"
WRITERS = frozenset({"owner", "organizer", "fileOrganizer", "writer"})
DELETERS = frozenset({"owner", "organizer", "fileOrganizer"})
_QUOTED = r"'((?:[^'\\]|\\.)*)'"  # a quoted string in a Drive query, \\ and \' escaped
_CLAUSE = re.compile(
    rf"appProperties has \{{ key={_QUOTED} and value={_QUOTED} \}}"
    rf"|mimeType = {_QUOTED}"
    rf"|{_QUOTED} in parents"
    r"|trashed = (true|false)"
)
SA_NO_STORAGE = (
    "Service Accounts do not have storage quota. Leverage shared drives "
    "(https://developers.google.com/workspace/drive/api/guides/about-shareddrives), or use OAuth "
    "delegation (http://support.google.com/a/answer/7281227) instead."
)
UNAUTHORIZED_CLIENT = (
    "Client is unauthorized to retrieve access tokens using this method, or client not "
    "authorized for any of the scopes requested."
)


def _unescape(literal: str) -> str:
    return re.sub(r"\\(.)", r"\1", literal)


def is_service_account(principal: str) -> bool:
    return principal.endswith(".gserviceaccount.com")


@dataclass
class Grant:
    """What an access token stands for: who, through which app, with which scope."""

    principal: str
    app: str
    scope: str


@dataclass
class StoredFile:
    id: str
    name: str
    mime_type: str
    parents: list[str]
    body: bytes = b""
    media_type: str = ""
    app_properties: dict[str, str] = field(default_factory=dict)
    trashed: bool = False
    revisions: int = 1
    owner: str | None = None  # None: the shared drive owns it
    drive_id: str | None = None
    app: str | None = None  # the app that made it (what drive.file lets see)
    shared: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    @property
    def parent(self) -> str | None:
        return self.parents[0] if self.parents else None

    def resource(self) -> dict[str, Any]:
        kind = "document" if self.mime_type == DOC_MIME else "file"
        link = (
            f"https://docs.google.com/document/d/{self.id}/edit"
            if kind == "document"
            else f"https://drive.google.com/file/d/{self.id}/view"
        )
        resource = {
            "kind": "drive#file", "id": self.id, "name": self.name, "mimeType": self.mime_type,
            "parents": list(self.parents), "trashed": self.trashed, "webViewLink": link,
            "appProperties": dict(self.app_properties),
        }
        if self.drive_id:
            resource["driveId"] = self.drive_id
        return resource


@dataclass
class Folder:
    id: str
    name: str
    drive_id: str | None = None
    owner: str | None = None
    app: str | None = None
    parent: str | None = None
    shared: dict[str, str] = field(default_factory=dict)
    trashed: bool = False
    app_properties: dict[str, str] = field(default_factory=dict)
    mime_type: str = FOLDER_MIME

    def resource(self) -> dict[str, Any]:
        resource = {"kind": "drive#file", "id": self.id, "name": self.name,
                    "mimeType": FOLDER_MIME, "trashed": self.trashed,
                    "parents": [self.parent] if self.parent else [],
                    "webViewLink": f"https://drive.google.com/drive/folders/{self.id}",
                    "appProperties": dict(self.app_properties)}
        if self.drive_id:
            resource["driveId"] = self.drive_id
        return resource


@dataclass
class SharedDrive:
    name: str
    members: dict[str, str] = field(default_factory=dict)  # principal -> role


@dataclass
class OAuthClientReg:
    secret: str
    redirect_uris: list[str]


@dataclass
class Code:
    client_id: str
    redirect_uri: str
    principal: str
    scope: str
    challenge: str
    method: str
    offline: bool


@dataclass
class RefreshGrant:
    client_id: str
    principal: str
    scope: str
    revoked: bool = False
    access_tokens: set[str] = field(default_factory=set)


@dataclass
class Seen:
    """One request as it arrived."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    @property
    def is_token(self) -> bool:
        """Sign-in traffic (token, revocation, consent), not a Drive call."""
        return self.path in ("/token", "/revoke") or self.path.startswith("/o/oauth2/")

    @property
    def form(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(self.body.decode()).items()}


@dataclass
class _Failure:
    status: int  # 0 means hang
    reason: str
    on: str | None = None  # only for requests with this method
    retry_after: str | None = None


class FakeDrive:
    """The server's state; ``start()`` begins serving on 127.0.0.1 at a free port."""

    def __init__(self, ca: trustme.CA, token_public_key_pem: str | None = None, *,
                 service_account: str = "", service_account_client_id: str = ""):
        self.ca = ca
        self.public_key_pem = token_public_key_pem
        self.files: dict[str, StoredFile] = {}
        self.folders: dict[str, Folder] = {}
        self.shared_drives: dict[str, SharedDrive] = {}
        self.people: dict[str, str] = {}  # e-mail -> name: accounts of the organisation
        self.full_accounts: set[str] = set()  # people whose Drive storage is full
        self.service_accounts: dict[str, str] = {}  # e-mail -> client id
        self.delegations: dict[str, set[str]] = {}  # client id -> scopes an admin granted
        self.oauth_clients: dict[str, OAuthClientReg] = {}
        self.codes: dict[str, Code] = {}
        self.refresh_tokens: dict[str, RefreshGrant] = {}
        self.consents: list[dict[str, str]] = []  # every consent page asked for
        self.consent_grants: set[str] | None = None  # the person unticks the other scopes
        self.requests: list[Seen] = []
        self.tokens: dict[str, Grant] = {}
        self.token_refusal: str | None = None  # answer JWT grants with invalid_grant
        self.token_status = 0  # answer token requests with this error status
        self.token_error = "internal_failure"  # ... and this error code
        self._pending: dict[str, dict[str, str]] = {}
        self._failures: deque[_Failure] = deque()
        self._uploads: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self.service_account = service_account
        if service_account:
            self.service_accounts[service_account] = service_account_client_id

    # -- control ---------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._server is not None
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakeDrive:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        server.daemon_threads = True
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ca.issue_cert("127.0.0.1").configure_cert(context)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        self._server = server
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @staticmethod
    def sa_app(service_account: str) -> str:
        """The app a service account's tokens act through (its own project)."""
        return f"sa:{service_account}"

    def add_shared_drive(self, drive_id: str, name: str = "Team reports",
                         members: dict[str, str] | None = None) -> SharedDrive:
        drive = self.shared_drives.setdefault(drive_id, SharedDrive(name))
        drive.members.update(members or {})
        return drive

    def add_folder(self, folder_id: str, name: str = "Incident reports", *,
                   drive_id: str | None = DEFAULT_DRIVE, owner: str | None = None,
                   app: str | bool | None = True, shared: dict[str, str] | None = None,
                   ) -> Folder:
        """A folder. By default: in a shared drive the service account is a Content manager
        of, made earlier by the service account's app (so ``drive.file`` sees it). Pass
        ``app=None`` for a folder a person made in Drive, and ``drive_id=None, owner=…`` for one
        in a person's My Drive."""
        if drive_id is not None and drive_id not in self.shared_drives:
            members = {self.service_account: "fileOrganizer"} if self.service_account else {}
            self.add_shared_drive(drive_id, members=members)
        made_by = self.sa_app(self.service_account) if app is True else app or None
        folder = Folder(folder_id, name, drive_id, owner if drive_id is None else None,
                        made_by, shared=dict(shared or {}))
        self.folders[folder_id] = folder
        return folder

    def add_person(self, address: str, name: str) -> None:
        self.people[address] = name

    def add_oauth_client(self, client_id: str, secret: str, redirect_uris: list[str]) -> None:
        self.oauth_clients[client_id] = OAuthClientReg(secret, list(redirect_uris))

    def grant_delegation(self, client_id: str, *scopes: str) -> None:
        """A Workspace admin adds the client id with these scopes (domain-wide delegation)."""
        self.delegations.setdefault(client_id, set()).update(scopes)

    def fail(self, status: int, times: int = 1, reason: str = "", on: str | None = None,
             retry_after: str | None = None) -> None:
        """Answer the next ``times`` Drive calls (not sign-in requests) with this error; with
        ``on``, only calls with that HTTP method, once the failures queued before are used."""
        self._failures.extend(_Failure(status, reason, on, retry_after) for _ in range(times))

    def hang(self, times: int = 1) -> None:
        """Read the next ``times`` Drive calls and never answer them."""
        self._failures.extend(_Failure(0, "") for _ in range(times))

    def trash(self, file_id: str) -> None:
        """Someone moves a file or a folder to the bin by hand."""
        item = self._node(file_id)
        assert item is not None
        item.trashed = True

    def delete(self, file_id: str) -> None:
        del self.files[file_id]

    def revoke_person(self, principal: str) -> None:
        """The person removes the app from their Google account."""
        for grant in self.refresh_tokens.values():
            if grant.principal == principal:
                grant.revoked = True
                for token in grant.access_tokens:
                    self.tokens.pop(token, None)

    def drive_requests(self) -> list[Seen]:
        """Requests other than sign-in traffic."""
        return [r for r in self.requests if not r.is_token]

    def reset_log(self) -> None:
        self.requests.clear()

    def in_folder(self, folder_id: str) -> list[StoredFile]:
        return [f for f in self.files.values() if folder_id in f.parents and not f.trashed]

    def folders_in(self, parent_id: str) -> list[Folder]:
        """The folders directly in ``parent_id`` and not in the bin (nor under a trashed one)."""
        return [f for f in self.folders.values()
                if f.parent == parent_id and not self.is_trashed(f)]

    def files_under(self, folder_id: str) -> list[StoredFile]:
        """The files directly in ``folder_id`` that Drive would not show as in the bin."""
        return [f for f in self.files.values()
                if folder_id in f.parents and not self.is_trashed(f)]

    @staticmethod
    def parents_of(item: StoredFile | Folder) -> list[str]:
        if isinstance(item, StoredFile):
            return list(item.parents)
        return [item.parent] if item.parent else []

    def is_trashed(self, item: StoredFile | Folder) -> bool:
        """File resource, ``trashed``: moved to the bin "either explicitly or from a trashed
        parent folder"."""
        node: StoredFile | Folder | None = item
        seen: set[str] = set()
        while node is not None and node.id not in seen:
            if node.trashed:
                return True
            seen.add(node.id)
            node = self._node(node.parent)
        return False

    def describe(self, item: StoredFile | Folder) -> dict[str, Any]:
        """The item's resource as Drive answers it (``trashed`` counts a trashed folder above)."""
        resource = item.resource()
        resource["trashed"] = self.is_trashed(item)
        return resource

    # -- who may see and do what ----------------------------------------------------------------
    def _node(self, item_id: str | None) -> StoredFile | Folder | None:
        if item_id is None:
            return None
        return self.files.get(item_id) or self.folders.get(item_id)

    def role(self, item: StoredFile | Folder, principal: str) -> str | None:
        """The principal's role on the item: as its owner, as a member of its shared drive, or
        through sharing of the item or a folder above it ("Share files, folders & drives")."""
        if item.drive_id is not None:
            role = self.shared_drives[item.drive_id].members.get(principal)
            if role:
                return role
        elif item.owner == principal:
            return "owner"
        node: StoredFile | Folder | None = item
        seen: set[str] = set()
        while node is not None and node.id not in seen:
            seen.add(node.id)
            if principal in node.shared:
                return node.shared[principal]
            node = self._node(node.parent)
        return None

    def visible(self, item: StoredFile | Folder, grant: Grant, all_drives: bool) -> bool:
        """Whether Drive admits the item exists to this token (else it answers 404)."""
        if item.drive_id is not None and not all_drives:
            return False  # enable-shareddrives: shared-drive items need supportsAllDrives=true
        if self.role(item, grant.principal) is None:
            return False
        # about-auth: drive.file reaches only the files this app made (or a person opened
        # with it, which no test does).
        return not (grant.scope == DRIVE_FILE and item.app != grant.app)

    # -- sign-in ---------------------------------------------------------------------------------
    def _issue(self, grant: Grant) -> str:
        token = secrets.token_urlsafe(24)
        self.tokens[token] = grant
        return token

    def token(self, form: dict[str, str], headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        grant_type = form.get("grant_type")
        if self.token_status:
            return self.token_status, {"error": self.token_error}
        if grant_type == JWT_GRANT and "assertion" in form:
            return self._jwt_grant(form)
        if grant_type in ("authorization_code", "refresh_token"):
            client_id = self._client(form, headers)
            if client_id is None:
                return 401, {"error": "invalid_client", "error_description": "Unauthorized"}
            if grant_type == "authorization_code":
                return self._code_grant(form, client_id)
            return self._refresh_grant(form, client_id)
        return 400, {"error": "unsupported_grant_type"}

    def _jwt_grant(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """service-account: a JWT signed with the key; with ``sub``, for that person."""
        if self.token_refusal:
            return 400, {"error": "invalid_grant", "error_description": self.token_refusal}
        try:
            claims = jwt.decode(
                form["assertion"], certs=self.public_key_pem, verify=bool(self.public_key_pem),
                audience=GOOGLE_TOKEN_AUDIENCE,
            )
        except ValueError as error:
            return 400, {"error": "invalid_grant", "error_description": str(error)}
        scopes = set(str(claims.get("scope", "")).split())
        if not scopes or not scopes <= KNOWN_SCOPES:
            return 400, {"error": "invalid_scope"}
        issuer = str(claims.get("iss", ""))
        subject = claims.get("sub")
        app = self.sa_app(issuer)
        scope = DRIVE if DRIVE in scopes else DRIVE_FILE
        if subject and subject != issuer:
            # The admin console grants a client id a list of scopes; asking for any other
            # scope is refused as a whole.
            granted = self.delegations.get(self.service_accounts.get(issuer, ""), set())
            if not scopes <= granted:
                return 401, {"error": "unauthorized_client",
                             "error_description": UNAUTHORIZED_CLIENT}
            if subject not in self.people:
                return 400, {"error": "invalid_grant",
                             "error_description": "Invalid email or User ID"}
            principal = str(subject)
        else:
            principal = issuer
        token = self._issue(Grant(principal, app, scope))
        return 200, {"access_token": token, "expires_in": 3600, "token_type": "Bearer"}

    def _client(self, form: dict[str, str], headers: dict[str, str]) -> str | None:
        """The OAuth client, authenticated by HTTP Basic or by the form's fields."""
        client_id, secret = form.get("client_id"), form.get("client_secret")
        basic = headers.get("authorization", "")
        if basic.startswith("Basic "):
            decoded = base64.b64decode(basic[6:]).decode()
            client_id, _, secret = decoded.partition(":")
        registered = self.oauth_clients.get(client_id or "")
        if registered is None or registered.secret != secret:
            return None
        return client_id

    def _code_grant(self, form: dict[str, str], client_id: str) -> tuple[int, dict[str, Any]]:
        """web-server, "Exchange authorization code for refresh and access tokens"; RFC 7636
        for the verifier."""
        code = self.codes.pop(form.get("code", ""), None)  # a code works once
        if code is None or code.client_id != client_id:
            return 400, {"error": "invalid_grant", "error_description": "Bad Request"}
        if form.get("redirect_uri") != code.redirect_uri:
            return 400, {"error": "redirect_uri_mismatch", "error_description": "Bad Request"}
        if code.challenge:
            verifier = form.get("code_verifier", "")
            if not verifier:
                return 400, {"error": "invalid_grant",
                             "error_description": "Missing code verifier."}
            digest = hashlib.sha256(verifier.encode()).digest()
            expected = base64.urlsafe_b64encode(digest).decode().rstrip("=")
            if code.method != "S256" or expected != code.challenge:
                return 400, {"error": "invalid_grant",
                             "error_description": "Invalid code verifier."}
        grant = Grant(code.principal, client_id, code.scope)
        access = self._issue(grant)
        answer: dict[str, Any] = {"access_token": access, "expires_in": 3599,
                                  "token_type": "Bearer", "scope": code.scope}
        if code.offline:
            refresh = "1//" + secrets.token_urlsafe(32)
            self.refresh_tokens[refresh] = RefreshGrant(client_id, code.principal, code.scope,
                                                        access_tokens={access})
            answer["refresh_token"] = refresh
        return 200, answer

    def _refresh_grant(self, form: dict[str, str], client_id: str
                       ) -> tuple[int, dict[str, Any]]:
        """web-server, "Refreshing an access token"; a revoked or expired refresh token gets
        invalid_grant ("Token has been expired or revoked.")."""
        grant = self.refresh_tokens.get(form.get("refresh_token", ""))
        if grant is None or grant.revoked or grant.client_id != client_id:
            return 400, {"error": "invalid_grant",
                         "error_description": "Token has been expired or revoked."}
        access = self._issue(Grant(grant.principal, client_id, grant.scope))
        grant.access_tokens.add(access)
        return 200, {"access_token": access, "expires_in": 3599, "token_type": "Bearer",
                     "scope": grant.scope}

    def revoke(self, token: str) -> tuple[int, dict[str, Any]]:
        """web-server, "Revoking a token": revoking a refresh token ends its access tokens too;
        an unknown token gets 400 invalid_token."""
        grant = self.refresh_tokens.get(token)
        if grant is not None and not grant.revoked:
            grant.revoked = True
            for access in grant.access_tokens:
                self.tokens.pop(access, None)
            return 200, {}
        if self.tokens.pop(token, None) is not None:
            return 200, {}
        return 400, {"error": "invalid_token", "error_description": "Token expired or revoked"}

    def consent_page(self, query: dict[str, str]) -> tuple[int, str, str | None]:
        """web-server, "Redirect to Google's OAuth 2.0 server": an unknown client or an
        unregistered redirect_uri is an error page (redirect_uri_mismatch); other errors go back
        to the redirect URI. Returns (status, HTML, or a redirect Location)."""
        client = self.oauth_clients.get(query.get("client_id", ""))
        if client is None:
            return 401, _page("Error 401: invalid_client", "The OAuth client was not found."), None
        redirect = query.get("redirect_uri", "")
        if redirect not in client.redirect_uris:
            return 400, _page("Error 400: redirect_uri_mismatch",
                              f"The redirect URI in the request, {redirect}, does not match the "
                              "ones authorized for the OAuth client."), None
        state = query.get("state", "")
        if query.get("response_type") != "code":
            return 302, "", _back(redirect, error="unsupported_response_type", state=state)
        scopes = query.get("scope", "").split()
        if not scopes or not set(scopes) <= KNOWN_SCOPES:
            return 302, "", _back(redirect, error="invalid_scope", state=state)
        self.consents.append(dict(query))
        request_id = secrets.token_urlsafe(8)
        self._pending[request_id] = dict(query)
        choices = "".join(
            f'<li><a href="/o/oauth2/approve?{urlencode({"request": request_id, "account": a})}">'
            f"Continue as {html.escape(n)} ({html.escape(a)})</a></li>"
            for a, n in self.people.items())
        cancel = f"/o/oauth2/approve?{urlencode({'request': request_id, 'deny': '1'})}"
        what = ("only the specific Google Drive files you use with this app"
                if DRIVE_FILE in scopes else "all your Google Drive files")
        body = (f"<p>Hindsight wants access to your Google Account: see, edit, create and "
                f"delete {what}.</p><ul>{choices}</ul><p><a href=\"{cancel}\">Cancel</a></p>")
        return 200, _page("Sign in with Google", body), None

    def approve(self, query: dict[str, str]) -> str | None:
        """web-server, "Handle the OAuth 2.0 server response": back to the redirect URI with
        ``code`` and ``state`` (and the granted ``scope``: with granular consent a person may
        untick scopes), or ``error=access_denied``."""
        asked = self._pending.pop(query.get("request", ""), None)
        if asked is None:
            return None
        redirect, state = asked["redirect_uri"], asked.get("state", "")
        if query.get("deny"):
            return _back(redirect, error="access_denied", state=state)
        account = query.get("account", "")
        if account not in self.people:
            return None
        scopes = asked["scope"].split()
        if self.consent_grants is not None:
            scopes = [s for s in scopes if s in self.consent_grants]
        code = "4/" + secrets.token_urlsafe(24)
        self.codes[code] = Code(
            asked["client_id"], redirect, account, " ".join(scopes),
            asked.get("code_challenge", ""), asked.get("code_challenge_method", "plain"),
            asked.get("access_type") == "offline")
        return _back(redirect, code=code, state=state, scope=" ".join(scopes))

    # -- Drive -----------------------------------------------------------------------------------
    def _next_failure(self, method: str) -> _Failure | None:
        with self._lock:
            if not self._failures or self._failures[0].on not in (None, method):
                return None
            return self._failures.popleft()

    def _new_id(self) -> str:
        return f"file{next(self._ids):04d}{secrets.token_hex(4)}"

    def create(self, metadata: dict[str, Any], body: bytes, media_type: str, grant: Grant,
               all_drives: bool) -> tuple[int, Any]:
        parents = metadata.get("parents") or []
        drive_id = None
        for parent_id in parents:
            parent = self.folders.get(parent_id)
            hidden = parent is None or not self.visible(parent, grant, all_drives)
            if parent is None or hidden or self.is_trashed(parent):
                # handle-errors: 404 notFound "File not found: {fileId}." for what the caller
                # may not see (a folder outside drive.file, or not shared with it).
                return _error(404, "notFound", f"File not found: {parent_id}.")
            # handle-errors: 403 insufficientFilePermissions for Viewer or Commenter.
            if self.role(parent, grant.principal) not in WRITERS:
                return _error(403, "insufficientFilePermissions",
                              "The user does not have sufficient permissions for this file.")
            drive_id = parent.drive_id
        owner = None
        if drive_id is None:  # a My Drive: the file belongs to whoever makes it
            # The 403 Drive gives service accounts, which own no storage ("Leverage shared
            # drives ... or use OAuth delegation"); a full Drive gets the same reason.
            if is_service_account(grant.principal):
                return _error(403, "storageQuotaExceeded", SA_NO_STORAGE)
            if grant.principal in self.full_accounts:
                return _error(403, "storageQuotaExceeded",
                              "The user's Drive storage quota has been exceeded.")
            owner = grant.principal
        mime = metadata.get("mimeType") or media_type or "application/octet-stream"
        properties = dict(metadata.get("appProperties") or {})
        if mime == FOLDER_MIME:
            folder = Folder(self._new_id(), metadata.get("name", "Untitled folder"), drive_id,
                            owner, grant.app, parents[0] if parents else None,
                            app_properties=properties)
            self.folders[folder.id] = folder
            return 200, folder.resource()
        stored = StoredFile(
            id=self._new_id(), name=metadata.get("name", "Untitled"), mime_type=mime,
            parents=list(parents), body=body, media_type=media_type,
            app_properties=properties, owner=owner, drive_id=drive_id, app=grant.app,
        )
        self.files[stored.id] = stored
        return 200, stored.resource()

    def _reachable(self, file_id: str, grant: Grant, all_drives: bool,
                   ) -> StoredFile | Folder | None:
        item = self._node(file_id)
        return item if item is not None and self.visible(item, grant, all_drives) else None

    def update(self, file_id: str, metadata: dict[str, Any], body: bytes, media_type: str,
               grant: Grant, all_drives: bool) -> tuple[int, Any]:
        stored = self._reachable(file_id, grant, all_drives)
        if not isinstance(stored, StoredFile):
            return _error(404, "notFound", f"File not found: {file_id}.")
        if self.role(stored, grant.principal) not in WRITERS:
            return _error(403, "insufficientFilePermissions",
                          "The user does not have sufficient permissions for this file.")
        if "name" in metadata:
            stored.name = metadata["name"]
        _set_properties(stored.app_properties, metadata.get("appProperties"))
        stored.body, stored.media_type = body, media_type
        stored.revisions += 1
        return 200, self.describe(stored)

    def get(self, file_id: str, grant: Grant, all_drives: bool) -> tuple[int, Any]:
        item = self._reachable(file_id, grant, all_drives)
        if item is None:
            return _error(404, "notFound", f"File not found: {file_id}.")
        return 200, self.describe(item)

    def change(self, file_id: str, metadata: dict[str, Any], grant: Grant,
               all_drives: bool, query: dict[str, str] | None = None) -> tuple[int, Any]:
        """``files.update`` without media, of a file or a folder: its name, its app properties,
        moving it to the bin, or to another folder (v2-to-v3-reference: ``addParents`` and
        ``removeParents``, comma-separated ids)."""
        item = self._reachable(file_id, grant, all_drives)
        if item is None:
            return _error(404, "notFound", f"File not found: {file_id}.")
        if self.role(item, grant.principal) not in WRITERS:
            return _error(403, "insufficientFilePermissions",
                          "The user does not have sufficient permissions for this file.")
        query = query or {}
        adding = [p for p in (query.get("addParents") or "").split(",") if p]
        removing = [p for p in (query.get("removeParents") or "").split(",") if p]
        parents = [p for p in self.parents_of(item) if p not in removing]
        for parent_id in adding:
            target = self.folders.get(parent_id)
            # handle-errors: what the caller may not see is "not found"; a folder it may only
            # read refuses new children.
            if target is None or target.trashed or not self.visible(target, grant, all_drives):
                return _error(404, "notFound", f"File not found: {parent_id}.")
            if self.role(target, grant.principal) not in WRITERS:
                return _error(403, "insufficientFilePermissions",
                              "The user does not have sufficient permissions for this file.")
            if parent_id not in parents:
                parents.append(parent_id)
        if len(parents) > 1:
            # File resource, parents: "A file can only have one parent folder"; the refusal as
            # Drive words it ("Increasing the number of parents is not allowed").
            return _error(403, "cannotAddParent",
                          "Increasing the number of parents is not allowed.")
        if isinstance(item, StoredFile):
            item.parents = parents
        else:
            item.parent = parents[0] if parents else None
            if adding:
                item.drive_id = self.folders[adding[0]].drive_id
        item.name = metadata.get("name", item.name)
        item.trashed = bool(metadata.get("trashed", item.trashed))
        _set_properties(item.app_properties, metadata.get("appProperties"))
        return 200, self.describe(item)

    def remove(self, file_id: str, grant: Grant, all_drives: bool) -> tuple[int, Any]:
        """``files.delete``: gone for good, no bin (Drive reference, files.delete: the owner,
        or in a shared drive an organizer or file organizer)."""
        stored = self._reachable(file_id, grant, all_drives)
        if not isinstance(stored, StoredFile):
            return _error(404, "notFound", f"File not found: {file_id}.")
        if self.role(stored, grant.principal) not in DELETERS:
            return _error(403, "insufficientFilePermissions",
                          "The user does not have sufficient permissions for this file.")
        del self.files[file_id]
        return 204, None

    def list(self, query: dict[str, str], grant: Grant) -> tuple[int, Any]:
        """search-files for ``q``; enable-shareddrives: shared-drive items are listed only
        with includeItemsFromAllDrives and supportsAllDrives; pages of pageSize."""
        clauses = _parse_query(query.get("q", ""))
        if clauses is None:
            return _error(400, "invalid", f"Invalid Value: {query.get('q', '')}")
        all_drives = query.get("supportsAllDrives") == "true"
        include_drives = all_drives and query.get("includeItemsFromAllDrives") == "true"

        def matches(item: StoredFile | Folder) -> bool:
            for kind, values in clauses:
                if kind == "property" and item.app_properties.get(values[0]) != values[1]:
                    return False
                if kind == "mime" and item.mime_type != values[0]:
                    return False
                if kind == "parent" and values[0] not in self.parents_of(item):
                    return False
                if kind == "trashed" and self.is_trashed(item) != (values[0] == "true"):
                    return False
            return True

        # folder: folders are files too, listed and searched with them.
        items: list[StoredFile | Folder] = [*self.files.values(), *self.folders.values()]
        found = [f for f in items
                 if (include_drives or f.drive_id is None)
                 and self.visible(f, grant, all_drives) and matches(f)]
        size = max(1, min(int(query.get("pageSize") or 100), 1000))
        start = int(query.get("pageToken") or 0)
        page = [self.describe(f) for f in found[start:start + size]]
        answer: dict[str, Any] = {"kind": "drive#fileList", "files": page}
        if start + size < len(found):
            answer["nextPageToken"] = str(start + size)
        return 200, answer

    def about(self, grant: Grant) -> tuple[int, Any]:
        name = self.people.get(grant.principal, grant.principal.split("@")[0])
        return 200, {"kind": "drive#about",
                     "user": {"kind": "drive#user", "emailAddress": grant.principal,
                              "displayName": name}}

    def start_upload(self, file_id: str | None, metadata: dict[str, Any],
                     media_type: str, grant: Grant, all_drives: bool) -> str:
        upload_id = secrets.token_hex(8)
        self._uploads[upload_id] = {"file_id": file_id, "metadata": metadata,
                                    "media_type": media_type, "grant": grant,
                                    "all_drives": all_drives}
        return upload_id

    def finish_upload(self, upload_id: str, body: bytes) -> tuple[int, Any]:
        upload = self._uploads.pop(upload_id, None)
        if upload is None:
            return _error(404, "notFound", "No such upload session.")
        if upload["file_id"] is None:
            return self.create(upload["metadata"], body, upload["media_type"], upload["grant"],
                               upload["all_drives"])
        return self.update(upload["file_id"], upload["metadata"], body, upload["media_type"],
                           upload["grant"], upload["all_drives"])


def _parse_query(query: str) -> list[tuple[str, tuple[str, ...]]] | None:
    """The clauses of a ``q`` joined by ``and``, or None for anything else."""
    clauses: list[tuple[str, tuple[str, ...]]] = []
    position = 0
    while True:
        match = _CLAUSE.match(query, position)
        if match is None:
            return None
        groups = match.groups()
        if groups[0] is not None:
            clauses.append(("property", (_unescape(groups[0]), _unescape(groups[1]))))
        elif groups[2] is not None:
            clauses.append(("mime", (_unescape(groups[2]),)))
        elif groups[3] is not None:
            clauses.append(("parent", (_unescape(groups[3]),)))
        else:
            clauses.append(("trashed", (groups[4],)))
        position = match.end()
        if position == len(query):
            return clauses
        if not query.startswith(" and ", position):
            return None
        position += len(" and ")


def _set_properties(properties: dict[str, str], changes: dict[str, Any] | None) -> None:
    """File resource, ``appProperties``: entries with null values are cleared in an update."""
    for key, value in (changes or {}).items():
        if value is None:
            properties.pop(key, None)
        else:
            properties[key] = str(value)


def _error(status: int, reason: str, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"error": {"code": status, "message": message,
                              "errors": [{"domain": "global", "reason": reason,
                                          "message": message}]}}


def _back(redirect_uri: str, **params: str) -> str:
    return f"{redirect_uri}?{urlencode(params)}"


def _page(title: str, body: str) -> str:
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}'
            f"</title></head><body><main><h1>{title}</h1>{body}</main></body></html>")


def _parse_related(content_type: str, body: bytes) -> tuple[dict[str, Any], bytes, str]:
    """The metadata and media of a multipart/related upload."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    parts = list(message.iter_parts())
    metadata = json.loads(parts[0].get_payload(decode=True) or b"{}")
    media = parts[1].get_payload(decode=True) or b""
    return metadata, media, parts[1].get_content_type()


def _handler(drive: FakeDrive) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self, status: int, payload: Any, headers: dict[str, str] | None = None,
                    ) -> None:
            data = b"" if payload is None else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _html(self, status: int, text: str, location: str | None = None) -> None:
            data = text.encode()
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            seen = Seen(self.command, parts.path, query, headers, body)
            with drive._lock:
                drive.requests.append(seen)
            if parts.path == "/token" and self.command == "POST":
                with drive._lock:
                    self._answer(*drive.token(seen.form, headers))
                return
            if parts.path == "/revoke" and self.command == "POST":
                token = seen.form.get("token") or query.get("token", "")
                with drive._lock:
                    self._answer(*drive.revoke(token))
                return
            if parts.path == "/o/oauth2/auth" and self.command == "GET":
                status, text, location = drive.consent_page(query)
                self._html(status, text, location)
                return
            if parts.path == "/o/oauth2/approve" and self.command == "GET":
                location = drive.approve(query)
                if location is None:
                    self._html(400, _page("Error 400", "This request is not valid."))
                else:
                    self._html(302, "", location)
                return
            auth = self.headers.get("Authorization", "")
            grant = drive.tokens.get(auth[7:]) if auth.startswith("Bearer ") else None
            if grant is None:
                self._answer(*_error(401, "authError", "Invalid Credentials"))
                return
            failure = drive._next_failure(self.command)
            if failure is not None and failure.status == 0:
                drive._release.wait(30)
                self.close_connection = True
                return
            if failure is not None:
                extra = {"Retry-After": failure.retry_after} if failure.retry_after else None
                self._answer(*_error(failure.status, failure.reason or "backendError",
                                     f"Injected failure {failure.status}"), extra)
                return
            with drive._lock:
                self._route(parts.path, query, seen, grant)

        def _route(self, path: str, query: dict[str, str], seen: Seen, grant: Grant) -> None:
            if path == "/drive/v3/about" and self.command == "GET":
                self._answer(*drive.about(grant))
                return
            upload = query.get("uploadType")
            match = re.fullmatch(r"/(upload/)?drive/v3/files(?:/([^/]+))?", path)
            if match is None:
                self._answer(*_error(404, "notFound", f"No route for {path}"))
                return
            is_upload, file_id = bool(match[1]), match[2]
            method = self.command
            all_drives = query.get("supportsAllDrives") == "true"
            content_type = self.headers.get("Content-Type", "")
            if not is_upload and method == "GET":
                self._answer(*(drive.get(file_id, grant, all_drives) if file_id
                               else drive.list(query, grant)))
            elif not is_upload and file_id is None and method == "POST":
                metadata = json.loads(seen.body or b"{}")
                self._answer(*drive.create(metadata, b"", "", grant, all_drives))
            elif not is_upload and file_id and method == "PATCH":
                self._answer(*drive.change(file_id, json.loads(seen.body or b"{}"), grant,
                                           all_drives, query))
            elif not is_upload and file_id and method == "DELETE":
                self._answer(*drive.remove(file_id, grant, all_drives))
            elif is_upload and upload == "multipart" and method in ("POST", "PATCH"):
                metadata, media, media_type = _parse_related(content_type, seen.body)
                if method == "POST" and file_id is None:
                    self._answer(*drive.create(metadata, media, media_type, grant, all_drives))
                else:
                    self._answer(*drive.update(file_id or "", metadata, media, media_type,
                                               grant, all_drives))
            elif is_upload and upload == "resumable" and method in ("POST", "PATCH"):
                self._start_resumable(file_id, seen, grant, all_drives)
            elif is_upload and upload == "resumable" and method == "PUT" and "upload_id" in query:
                self._answer(*drive.finish_upload(query["upload_id"], seen.body))
            else:
                self._answer(*_error(400, "badRequest", f"Unsupported {method} {path}"))

        def _start_resumable(self, file_id: str | None, seen: Seen, grant: Grant,
                             all_drives: bool) -> None:
            metadata = json.loads(seen.body or b"{}")
            media_type = self.headers.get("X-Upload-Content-Type", "application/octet-stream")
            if file_id is None:
                for parent in metadata.get("parents") or []:
                    folder = drive.folders.get(parent)
                    if folder is None or not drive.visible(folder, grant, all_drives):
                        self._answer(*_error(404, "notFound", f"File not found: {parent}."))
                        return
            elif drive._reachable(file_id, grant, all_drives) is None:
                self._answer(*_error(404, "notFound", f"File not found: {file_id}."))
                return
            upload_id = drive.start_upload(file_id, metadata, media_type, grant, all_drives)
            target = f"/upload/drive/v3/files/{file_id}" if file_id else "/upload/drive/v3/files"
            location = f"{drive.url}{target}?uploadType=resumable&upload_id={upload_id}"
            self._answer(200, None, {"Location": location})

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

    return Handler
