"""Put a file into the team's Google Drive folder, or replace the one put there before.

Drive API v3 through google-api-python-client, authenticated as a service account with the
``drive.file`` scope. HTML is uploaded as media with the Google Docs type, so Drive converts it
to a Doc with real headings, tables and links; a PDF is uploaded as it is.

Requests per upload: a re-export (the previous file id is known) is one ``files.update``. A
first export is one ``files.list`` (is there already a file tagged with this export's key?) and
one ``files.create``; the tag means an interrupted or unrecorded first upload is found and
updated instead of copied. Uploads over ``MULTIPART_LIMIT`` bytes use a resumable session (one
request more). The token request comes on top, once an hour per running app.

Trust: every call builds its own ``httplib2.Http`` with ``ca_certs`` taken from the standard
``HTTPLIB2_CA_CERTS`` variable *at call time* (httplib2 itself reads it only once, at import),
so a corporate TLS proxy's CA, or a test CA, is honoured without turning checks off. The token
request goes through the same ``Http``, so it is checked the same way.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import google_auth_httplib2
import httplib2
from google.oauth2 import service_account
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaInMemoryUpload

from . import drive_errors
from .drive_errors import DriveError

__all__ = ["DriveClient", "DriveError", "DriveFile"]

SCOPE = "https://www.googleapis.com/auth/drive.file"
DOC_MIME = "application/vnd.google-apps.document"
PDF_MIME = "application/pdf"
KEY_PROPERTY = "hindsightExport"
FIELDS = "id,name,mimeType,parents,trashed,webViewLink"
MULTIPART_LIMIT = 5 * 1024 * 1024  # Drive's limit for a one-request upload
DEFAULT_TIMEOUT = 20.0
DEFAULT_RETRIES = 4
DEFAULT_BACKOFF = 1.0  # seconds before the first retry; doubled each time, with jitter
DEFAULT_DEADLINE = 60.0  # no retry starts after this many seconds of one upload
MAX_BACKOFF = 16.0


@dataclass(frozen=True)
class DriveFile:
    """A file as it now stands in Drive."""

    id: str
    link: str
    created_new: bool
    replaced_missing: bool
    name: str = ""


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
    return bool(config.get("DRIVE_FOLDER_ID") and config.get("GOOGLE_CREDENTIALS"))


class DriveClient:
    """Uploads into one Drive folder as one service account; safe to share between threads."""

    def __init__(
        self,
        folder_id: str,
        credentials_path: str,
        *,
        endpoint: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        backoff: float = DEFAULT_BACKOFF,
        deadline: float = DEFAULT_DEADLINE,
        multipart_limit: int = MULTIPART_LIMIT,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.folder_id = folder_id
        self.credentials_path = credentials_path
        self.base_url = api_base(endpoint)
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.deadline = deadline
        self.multipart_limit = multipart_limit
        self._sleep = sleep
        self._credentials: service_account.Credentials | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_config(cls, config: Mapping[str, Any], **options: Any) -> DriveClient:
        """A client for the app's settings, or ``DriveError`` saying what is missing."""
        if not is_configured(config):
            raise drive_errors.not_configured()
        return cls(
            str(config["DRIVE_FOLDER_ID"]).strip(),
            str(config["GOOGLE_CREDENTIALS"]),
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
        return self._upload(name, pdf, PDF_MIME, PDF_MIME, existing_file_id, key)

    def service_account_email(self) -> str:
        return self._load_credentials().service_account_email

    def fetch_token(self) -> None:
        """Ask Google for an access token now, over the same connection settings as uploads."""
        credentials = self._load_credentials()
        try:
            credentials.refresh(google_auth_httplib2.Request(self._http()))
        except Exception as error:
            raise drive_errors.explain(error, folder_id=self.folder_id) from error

    def run(self, request: Callable[[Any], Any], *, creating: bool = False) -> Any:
        """Execute ``request(service.files())`` with retries; failures raise ``DriveError``
        (the Google error is its ``__cause__``)."""
        give_up_at = time.monotonic() + self.deadline
        return self._attempt(lambda: request(self._service().files()).execute(), give_up_at,
                             creating=creating)

    # -- the flow --------------------------------------------------------------------------------
    def _upload(self, name: str, data: bytes, media_type: str, file_type: str,
                existing_id: str | None, key: str | None) -> DriveFile:
        def media() -> MediaInMemoryUpload:
            return MediaInMemoryUpload(data, mimetype=media_type,
                                       resumable=len(data) > self.multipart_limit)

        give_up_at = time.monotonic() + self.deadline
        if existing_id:
            found = self._attempt(lambda: self._update(existing_id, name, media()), give_up_at)
            if found is not None and not found.get("trashed"):
                return _drive_file(found, created_new=False, replaced_missing=False)

        def find_or_create() -> tuple[dict[str, Any], bool]:
            # Run again on every retry, so a create that worked before its answer was lost is
            # found by its key rather than made twice.
            previous = self._find(key) if key else None
            updated = self._update(previous["id"], name, media()) if previous else None
            if updated is not None:
                return updated, False
            metadata: dict[str, Any] = {"name": name, "parents": [self.folder_id],
                                        "mimeType": file_type}
            if key:
                metadata["appProperties"] = {KEY_PROPERTY: key}
            created = self._service().files().create(
                body=metadata, media_body=media(), fields=FIELDS, supportsAllDrives=True,
            ).execute()
            return created, True

        result, created = self._attempt(find_or_create, give_up_at, creating=True)
        return _drive_file(result, created_new=created, replaced_missing=bool(existing_id))

    def _update(self, file_id: str, name: str, media: MediaInMemoryUpload,
                ) -> dict[str, Any] | None:
        """The updated file, or None when Drive has no such file any more."""
        try:
            return self._service().files().update(
                fileId=file_id, body={"name": name}, media_body=media, fields=FIELDS,
                supportsAllDrives=True,
            ).execute()
        except HttpError as error:
            if error.status_code == 404:
                return None
            raise

    def _find(self, key: str) -> dict[str, Any] | None:
        query = (
            f"appProperties has {{ key='{KEY_PROPERTY}' and value='{escape_query(key)}' }}"
            f" and '{escape_query(self.folder_id)}' in parents and trashed = false"
        )
        answer = self._service().files().list(
            q=query, fields=f"files({FIELDS})", pageSize=10, corpora="allDrives",
            includeItemsFromAllDrives=True, supportsAllDrives=True,
        ).execute()
        files = answer.get("files") or []
        return files[0] if files else None

    # -- plumbing --------------------------------------------------------------------------------
    def _attempt(self, call: Callable[[], Any], give_up_at: float, *,
                 creating: bool = False) -> Any:
        """Run ``call``, retrying passing failures with exponential backoff and jitter.

        At most ``retries`` retries, and none that would start after ``give_up_at``
        (``time.monotonic()``): an author waiting on the page gets an answer in bounded time.
        """
        for attempt in range(self.retries + 1):
            wait = min(MAX_BACKOFF, self.backoff * 2.0**attempt) * random.uniform(0.5, 1.0)
            try:
                return call()
            except Exception as error:
                if (attempt == self.retries or not drive_errors.is_retryable(error)
                        or time.monotonic() + wait > give_up_at):
                    raise drive_errors.explain(
                        error, folder_id=self.folder_id, creating=creating
                    ) from error
            self._sleep(wait)
        raise AssertionError("unreachable")

    def _load_credentials(self) -> service_account.Credentials:
        with self._lock:
            if self._credentials is None:
                self._credentials = _read_key(self.credentials_path)
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


def _read_key(path: str) -> service_account.Credentials:
    try:
        return service_account.Credentials.from_service_account_file(path, scopes=[SCOPE])
    except FileNotFoundError:
        raise drive_errors.bad_key(path, "there is no such file") from None
    except IsADirectoryError:
        raise drive_errors.bad_key(path, "it is a folder, not a file") from None
    except PermissionError:
        raise drive_errors.bad_key(path, "Hindsight is not allowed to read it") from None
    except OSError as error:
        raise drive_errors.bad_key(path, error.strerror or "it cannot be read") from None
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise drive_errors.bad_key(path, "it is not a service-account key") from None


def _drive_file(resource: dict[str, Any], *, created_new: bool,
                replaced_missing: bool) -> DriveFile:
    file_id = str(resource["id"])
    link = str(resource.get("webViewLink") or "")
    if not link.startswith("https://"):  # shown as a link: never anything but a web address
        link = f"https://drive.google.com/open?id={quote(file_id)}"
    return DriveFile(id=file_id, link=link, created_new=created_new,
                     replaced_missing=replaced_missing, name=str(resource.get("name", "")))
