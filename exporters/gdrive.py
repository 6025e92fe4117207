"""Put a file into the team's Google Drive folder, or replace the one put there before.

Drive API v3 through google-api-python-client, signed in one of three ways
(``exporters.drive_auth``: a person's own account, a service account acting for a person, a
service account in a shared drive), with the ``drive.file`` scope unless ``drive`` is chosen.
HTML is uploaded as media with the Google Docs type, so Drive converts it to a Doc with real
headings, tables and links; a PDF is uploaded as it is.

Requests per upload: a re-export (the previous file id is known) is one ``files.get`` (is it
still there, out of the bin, and of the kind this export writes?) and one ``files.update``. A
first export is one ``files.list`` (is there already a file of this kind tagged with this
export's key?) and one ``files.create``; the tag means an interrupted or unrecorded first upload
is found and updated instead of copied. A file of another kind is never overwritten: a new one
is made. Uploads over ``MULTIPART_LIMIT`` bytes use a resumable session (one request more). The
token request comes on top, once an hour per running app. A ``Retry-After`` from Google is
waited out when it fits in the time an upload may take, and reported when it does not.

Every file Hindsight makes carries two app properties: its key, and a mark that lets the folder's
index (``exporters.drive_index``) list every Hindsight file in the folder in one query.

The report's own files (``exporters.drive_files``) go in a folder beside its Doc: for them the
client lists what carries a property (``list_tagged``), makes folders (``make_subfolder``), puts
a file's bytes (``put_file``), renames and moves (``change``) and moves to the bin (``trash``).

Trust: every call builds its own ``httplib2.Http`` with ``ca_certs`` taken from the standard
``HTTPLIB2_CA_CERTS`` variable *at call time* (httplib2 itself reads it only once, at import),
so a corporate TLS proxy's CA, or a test CA, is honoured without turning checks off. The token
request goes through the same ``Http``, so it is checked the same way.
"""

from __future__ import annotations

import functools
import io
import os
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import google.auth.credentials
import google_auth_httplib2
import httplib2
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaIoBaseUpload

from . import drive_errors
from .drive_auth import SignIn, scope_from_config
from .drive_errors import DELEGATED, DRIVE_FILE_SCOPE, SHARED_DRIVE, DriveError, Way

__all__ = ["DriveClient", "DriveError", "DriveFile", "DriveItem"]

SCOPE = DRIVE_FILE_SCOPE  # the default; HINDSIGHT_DRIVE_SCOPE=drive widens it
DOC_MIME = "application/vnd.google-apps.document"
PDF_MIME = "application/pdf"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FOLDER_MIME = "application/vnd.google-apps.folder"
KEY_PROPERTY = "hindsightExport"
MARK_PROPERTY = "hindsightApp"  # on every file Hindsight makes, so the index finds them all
MARK = "hindsight"
FIELDS = "id,name,mimeType,parents,trashed,webViewLink,appProperties"
MULTIPART_LIMIT = 5 * 1024 * 1024  # Drive's limit for a one-request upload
DEFAULT_TIMEOUT = 20.0
DEFAULT_RETRIES = 4
DEFAULT_BACKOFF = 1.0  # seconds before the first retry; doubled each time, with jitter
DEFAULT_DEADLINE = 60.0  # no retry starts after this many seconds of one upload
MAX_BACKOFF = 16.0
LIST_PAGE = 1000  # the most files.list gives in one page


@dataclass(frozen=True)
class DriveFile:
    """A file as it now stands in Drive."""

    id: str
    link: str
    created_new: bool
    replaced_missing: bool
    name: str = ""
    # The file recorded before was not of this export's kind, so it was left alone.
    other_kind: bool = False
    # Its app properties as Drive answered them.
    properties: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Listed:
    """A file Hindsight made, as the folder listing shows it."""

    id: str
    name: str
    mime_type: str
    link: str
    key: str
    properties: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DriveItem:
    """A file or folder as Drive describes it, with its app properties."""

    id: str
    name: str
    mime_type: str
    parents: tuple[str, ...]
    link: str
    properties: Mapping[str, str]

    @property
    def key(self) -> str:
        return self.properties.get(KEY_PROPERTY, "")

    @property
    def is_folder(self) -> bool:
        return self.mime_type == FOLDER_MIME

    @classmethod
    def of(cls, resource: Mapping[str, Any]) -> DriveItem:
        found = _drive_file(dict(resource), created_new=False, replaced_missing=False)
        return cls(found.id, found.name, str(resource.get("mimeType") or ""),
                   tuple(str(p) for p in resource.get("parents") or ()), found.link,
                   found.properties)


def escape_query(value: str) -> str:
    """``value`` as the inside of a quoted string in a Drive ``q`` query."""
    return value.replace("\\", "\\\\").replace("'", "\\'")


def api_base(endpoint: str | None) -> str | None:
    """The API base URL for an endpoint setting: a bare host gets Drive's ``/drive/v3/``."""
    if not endpoint:
        return None
    parts = urlsplit(endpoint.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise drive_errors.bad_endpoint(endpoint)
    path = parts.path if parts.path not in ("", "/") else "/drive/v3/"
    return urlunsplit((parts.scheme, parts.netloc, path.rstrip("/") + "/", "", ""))


def is_configured(config: Mapping[str, Any]) -> bool:
    """A service account and a folder are set (a connected person is known to the app only:
    ``services.drive_set_up``)."""
    return bool(config.get("DRIVE_FOLDER_ID") and config.get("GOOGLE_CREDENTIALS"))


class DriveClient:
    """Uploads into one Drive folder as one Google identity; safe to share between threads."""

    def __init__(
        self,
        folder_id: str,
        credentials_path: str = "",
        *,
        sign_in: SignIn | None = None,
        subject: str = "",
        scope: str = SCOPE,
        endpoint: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        backoff: float = DEFAULT_BACKOFF,
        deadline: float = DEFAULT_DEADLINE,
        multipart_limit: int = MULTIPART_LIMIT,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.folder_id = folder_id
        self.sign_in = sign_in or SignIn(DELEGATED if subject else SHARED_DRIVE, scope,
                                         key_path=credentials_path, subject=subject)
        self.credentials_path = self.sign_in.key_path
        self.base_url = api_base(endpoint)
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.deadline = deadline
        self.multipart_limit = multipart_limit
        self._sleep = sleep
        self._credentials: google.auth.credentials.Credentials | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_config(cls, config: Mapping[str, Any], *, sign_in: SignIn | None = None,
                    folder_id: str | None = None, need_folder: bool = True,
                    **options: Any) -> DriveClient:
        """A client for the app's settings, or ``DriveError`` saying what is missing.

        ``sign_in`` and ``folder_id`` come from the app when a person's account is connected or
        Hindsight made its folder; otherwise the settings' service account and folder are used.
        Without ``need_folder`` the client may have none (to ask who it is, or make one).
        """
        if sign_in is None:
            if not config.get("GOOGLE_CREDENTIALS"):
                raise drive_errors.not_configured()
            subject = str(config.get("DRIVE_SUBJECT") or "").strip()
            sign_in = SignIn(DELEGATED if subject else SHARED_DRIVE, scope_from_config(config),
                             key_path=str(config["GOOGLE_CREDENTIALS"]), subject=subject)
        folder = (folder_id or str(config.get("DRIVE_FOLDER_ID") or "")).strip()
        if not folder and need_folder:
            raise drive_errors.no_folder(sign_in.way())
        return cls(
            folder,
            sign_in=sign_in,
            endpoint=config.get("DRIVE_API_ENDPOINT"),
            timeout=float(config.get("DRIVE_TIMEOUT") or DEFAULT_TIMEOUT),
            retries=int(config.get("DRIVE_RETRIES", DEFAULT_RETRIES)),
            backoff=float(config.get("DRIVE_BACKOFF", DEFAULT_BACKOFF)),
            deadline=float(config.get("DRIVE_DEADLINE", DEFAULT_DEADLINE)),
            **options,
        )

    # -- public ----------------------------------------------------------------------------------
    def upload_doc(self, name: str, html: str, existing_file_id: str | None = None, *,
                   key: str | None = None) -> DriveFile:
        """Create or replace a Google Doc converted from ``html``."""
        return self._upload(name, html.encode("utf-8"), "text/html", DOC_MIME,
                            existing_file_id, key)

    def upload_pdf(self, name: str, pdf: bytes, existing_file_id: str | None = None, *,
                   key: str | None = None) -> DriveFile:
        """Create or replace a PDF file."""
        return self.upload_file(name, pdf, PDF_MIME, existing_file_id, key=key)

    def upload_file(self, name: str, content: bytes, mime: str,
                    existing_file_id: str | None = None, *, key: str | None = None) -> DriveFile:
        """Create or replace a file kept as it is (not converted to a Google format)."""
        return self._upload(name, content, mime, mime, existing_file_id, key)

    @property
    def way(self) -> Way:
        """How this client signs in, for explanations (the key is read if it can be)."""
        return self.sign_in.way(self._credentials)

    def service_account_email(self) -> str:
        credentials = self._load_credentials()
        return str(getattr(credentials, "service_account_email", ""))

    def fetch_token(self) -> None:
        """Ask Google for an access token now, over the same connection settings as uploads."""
        credentials = self._load_credentials()
        try:
            credentials.refresh(google_auth_httplib2.Request(self._http()))
        except Exception as error:
            raise drive_errors.explain(error, folder_id=self.folder_id, way=self.way) from error

    def about(self) -> dict[str, str]:
        """Who Google says this sign-in is: ``emailAddress`` and ``displayName``."""
        answer = self._attempt(lambda: self._service().about().get(
            fields="user(emailAddress,displayName)").execute(), time.monotonic() + self.deadline)
        user = answer.get("user") or {}
        return {"emailAddress": str(user.get("emailAddress") or ""),
                "displayName": str(user.get("displayName") or "")}

    def make_folder(self, name: str) -> DriveFile:
        """A new folder in the signed-in account's My Drive, made (and so usable) by Hindsight."""
        body = {"name": name, "mimeType": FOLDER_MIME, "appProperties": {MARK_PROPERTY: MARK}}
        created = self.run(lambda files: files.create(
            body=body, fields=FIELDS, supportsAllDrives=True))
        return _drive_file(created, created_new=True, replaced_missing=False)

    def list_made(self) -> list[Listed]:
        """Every file Hindsight made in the folder and not in the bin (all pages)."""
        query = (f"appProperties has {{ key='{MARK_PROPERTY}' and value='{MARK}' }}"
                 f" and '{escape_query(self.folder_id)}' in parents and trashed = false")
        found: list[Listed] = []
        for item in self._list_all(query, creating=True):
            listed = DriveItem.of(item)
            found.append(Listed(listed.id, listed.name, listed.mime_type, listed.link,
                                listed.key, listed.properties))
        return found

    def list_tagged(self, key: str, value: str) -> list[DriveItem]:
        """Every file and folder not in the bin whose app property ``key`` is ``value``,
        wherever it is in Drive (all pages). Under ``drive.file`` Drive shows Hindsight only
        what it made, so nothing of anyone else's is ever among them."""
        query = (f"appProperties has {{ key='{escape_query(key)}' and "
                 f"value='{escape_query(value)}' }} and trashed = false")
        return [DriveItem.of(item) for item in self._list_all(query)]

    def make_subfolder(self, name: str, parent_id: str,
                       properties: Mapping[str, str]) -> DriveItem:
        """A new folder inside ``parent_id`` (the reports folder, or a folder in it)."""
        body = {"name": name, "mimeType": FOLDER_MIME, "parents": [parent_id],
                "appProperties": {MARK_PROPERTY: MARK, **properties}}
        return DriveItem.of(self.run(lambda files: files.create(
            body=body, fields=FIELDS, supportsAllDrives=True), creating=True))

    def put_file(self, name: str, data: bytes, mime_type: str, *, parent_id: str,
                 properties: Mapping[str, str], existing_id: str | None = None) -> DriveItem:
        """Replace the bytes (and name) of ``existing_id``, or make a new file in
        ``parent_id`` when there is none (or it has gone since it was listed). Drive keeps the
        file as it is: no conversion."""
        def media() -> MediaIoBaseUpload:
            return MediaIoBaseUpload(io.BytesIO(data), mimetype=mime_type,
                                     resumable=len(data) > self.multipart_limit)

        tags = {MARK_PROPERTY: MARK, **properties}
        give_up_at = time.monotonic() + self.deadline
        if existing_id:
            updated = self._attempt(
                lambda: self._update(existing_id, name, media(), tags), give_up_at)
            if updated is not None:
                return DriveItem.of(updated)
        body = {"name": name, "parents": [parent_id], "mimeType": mime_type,
                "appProperties": tags}
        return DriveItem.of(self._attempt(lambda: self._service().files().create(
            body=body, media_body=media(), fields=FIELDS, supportsAllDrives=True,
        ).execute(), give_up_at, creating=True))

    def change(self, file_id: str, *, name: str | None = None,
               move_from: tuple[str, ...] = (), move_to: str | None = None,
               properties: Mapping[str, str | None] | None = None) -> DriveItem:
        """Rename a file or folder, move it (``addParents`` / ``removeParents``), or set app
        properties (``None`` removes one)."""
        body: dict[str, Any] = {}
        if name is not None:
            body["name"] = name
        if properties:
            body["appProperties"] = dict(properties)
        options: dict[str, Any] = {}
        if move_to is not None:
            options["addParents"] = move_to
            leaving = [p for p in move_from if p != move_to]
            if leaving:
                options["removeParents"] = ",".join(leaving)
        return DriveItem.of(self.run(lambda files: files.update(
            fileId=file_id, body=body, fields=FIELDS, supportsAllDrives=True, **options)))

    def trash(self, file_id: str) -> None:
        """Move a file or folder (and so all in it) to the bin, where Drive keeps it for 30
        days: someone can still take it back."""
        self.run(lambda files: files.update(fileId=file_id, body={"trashed": True},
                                            fields="id", supportsAllDrives=True))

    def _list_all(self, query: str, *, creating: bool = False) -> list[dict[str, Any]]:
        """Every item ``files.list`` answers for ``query``, page after page."""
        found: list[dict[str, Any]] = []
        token: str | None = None
        give_up_at = time.monotonic() + self.deadline

        def page(page_token: str | None) -> dict[str, Any]:
            return self._service().files().list(
                q=query, fields=f"nextPageToken,files({FIELDS})", pageSize=LIST_PAGE,
                pageToken=page_token, corpora="allDrives", includeItemsFromAllDrives=True,
                supportsAllDrives=True,
            ).execute()

        while True:
            answer = self._attempt(functools.partial(page, token), give_up_at,
                                   creating=creating)
            found.extend(answer.get("files") or [])
            token = answer.get("nextPageToken")
            if not token:
                return found

    def delete(self, file_id: str) -> None:
        self.run(lambda files: files.delete(fileId=file_id, supportsAllDrives=True))

    def run(self, request: Callable[[Any], Any], *, creating: bool = False) -> Any:
        """Execute ``request(service.files())`` with retries; failures raise ``DriveError``
        (the Google error is its ``__cause__``)."""
        give_up_at = time.monotonic() + self.deadline
        return self._attempt(lambda: request(self._service().files()).execute(), give_up_at,
                             creating=creating)

    # -- the flow --------------------------------------------------------------------------------
    def _upload(self, name: str, data: bytes, media_type: str, file_type: str,
                existing_id: str | None, key: str | None) -> DriveFile:
        def media() -> MediaIoBaseUpload:
            # A new stream for every try: a retried upload starts from the first byte.
            return MediaIoBaseUpload(io.BytesIO(data), mimetype=media_type,
                                     resumable=len(data) > self.multipart_limit)

        properties = {MARK_PROPERTY: MARK, **({KEY_PROPERTY: key} if key else {})}
        give_up_at = time.monotonic() + self.deadline
        other_kind = False
        if existing_id:
            current = self._attempt(lambda: self._get(existing_id), give_up_at)
            if current is not None and not current.get("trashed"):
                if current.get("mimeType") == file_type:
                    found = self._attempt(
                        lambda: self._update(existing_id, name, media(), properties), give_up_at)
                    if found is not None:
                        return _drive_file(found, created_new=False, replaced_missing=False)
                else:  # never overwrite a file of another kind
                    other_kind = True

        def find_or_create() -> tuple[dict[str, Any], bool]:
            # Run again on every retry, so a create that worked before its answer was lost is
            # found by its key rather than made twice.
            previous = self._find(key, file_type) if key else None
            updated = (self._update(previous["id"], name, media(), properties) if previous
                       else None)
            if updated is not None:
                return updated, False
            metadata: dict[str, Any] = {"name": name, "parents": [self.folder_id],
                                        "mimeType": file_type, "appProperties": properties}
            created = self._service().files().create(
                body=metadata, media_body=media(), fields=FIELDS, supportsAllDrives=True,
            ).execute()
            return created, True

        result, created = self._attempt(find_or_create, give_up_at, creating=True)
        return _drive_file(result, created_new=created, replaced_missing=bool(existing_id),
                           other_kind=other_kind)

    def _get(self, file_id: str) -> dict[str, Any] | None:
        """The file as Drive has it, or None when Drive has no such file (for this sign-in)."""
        try:
            return self._service().files().get(
                fileId=file_id, fields=FIELDS, supportsAllDrives=True).execute()
        except HttpError as error:
            if error.status_code == 404:
                return None
            raise

    def _update(self, file_id: str, name: str, media: MediaIoBaseUpload,
                properties: dict[str, str]) -> dict[str, Any] | None:
        """The updated file, or None when Drive has no such file any more."""
        try:
            return self._service().files().update(
                fileId=file_id, body={"name": name, "appProperties": properties},
                media_body=media, fields=FIELDS, supportsAllDrives=True,
            ).execute()
        except HttpError as error:
            if error.status_code == 404:
                return None
            raise

    def _find(self, key: str, file_type: str) -> dict[str, Any] | None:
        query = (
            f"appProperties has {{ key='{KEY_PROPERTY}' and value='{escape_query(key)}' }}"
            f" and mimeType = '{file_type}'"
            f" and '{escape_query(self.folder_id)}' in parents and trashed = false"
        )
        answer = self._service().files().list(
            q=query, fields=f"files({FIELDS})", pageSize=10, corpora="allDrives",
            includeItemsFromAllDrives=True, supportsAllDrives=True,
        ).execute()
        files = [f for f in answer.get("files") or [] if f.get("mimeType") == file_type]
        return files[0] if files else None

    # -- plumbing --------------------------------------------------------------------------------
    def _attempt(self, call: Callable[[], Any], give_up_at: float, *,
                 creating: bool = False) -> Any:
        """Run ``call``, retrying passing failures with exponential backoff and jitter.

        At most ``retries`` retries, and none that would start after ``give_up_at``
        (``time.monotonic()``): an author waiting on the page gets an answer in bounded time.
        A ``Retry-After`` from Google makes the wait at least that long.
        """
        for attempt in range(self.retries + 1):
            wait = min(MAX_BACKOFF, self.backoff * 2.0**attempt) * random.uniform(0.5, 1.0)
            try:
                return call()
            except Exception as error:
                asked = drive_errors.retry_after(error)
                if asked is not None:
                    wait = max(wait, asked)
                if (attempt == self.retries or not drive_errors.is_retryable(error)
                        or time.monotonic() + wait > give_up_at):
                    raise drive_errors.explain(
                        error, folder_id=self.folder_id, creating=creating, way=self.way,
                    ) from error
            self._sleep(wait)
        raise AssertionError("unreachable")

    def _load_credentials(self) -> google.auth.credentials.Credentials:
        with self._lock:
            if self._credentials is None:
                self._credentials = self.sign_in.credentials()
            return self._credentials

    def _http(self) -> httplib2.Http:
        """A fresh connection (httplib2 objects are not thread-safe) trusting today's CAs."""
        return httplib2.Http(
            ca_certs=os.environ.get("HTTPLIB2_CA_CERTS") or None, timeout=self.timeout
        )

    def _service(self) -> Any:
        """A Drive service on a fresh connection."""
        authed = google_auth_httplib2.AuthorizedHttp(self._load_credentials(), http=self._http())
        options = {"api_endpoint": self.base_url} if self.base_url else None
        return build("drive", "v3", http=authed, static_discovery=True,
                     cache_discovery=False, client_options=options)


def _drive_file(resource: dict[str, Any], *, created_new: bool, replaced_missing: bool,
                other_kind: bool = False) -> DriveFile:
    file_id = str(resource["id"])
    link = str(resource.get("webViewLink") or "")
    if not link.startswith("https://"):  # shown as a link: never anything but a web address
        link = f"https://drive.google.com/open?id={quote(file_id)}"
    properties = {str(k): str(v) for k, v in (resource.get("appProperties") or {}).items()
                  if v is not None}
    return DriveFile(id=file_id, link=link, created_new=created_new,
                     replaced_missing=replaced_missing, name=str(resource.get("name", "")),
                     other_kind=other_kind, properties=properties)
