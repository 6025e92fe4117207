"""A stand-in for Google's token endpoint and the Drive v3 calls Hindsight makes.

It speaks HTTPS with a certificate from a test CA (``trustme``), because the real client keeps
``https`` for media uploads whatever endpoint it is given. It checks what a real server checks
that matters here: a signed JWT grant at the token endpoint, a Bearer token on every Drive call,
the folder a file is put in. It keeps what was uploaded, logs every request, and can be told to
fail: ``server.fail(status, times, reason, on=method)`` or ``server.hang(times)``.
"""

from __future__ import annotations

import email.parser
import email.policy
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
from urllib.parse import parse_qs, urlsplit

import trustme
from google.auth import jwt

DOC_MIME = "application/vnd.google-apps.document"
FOLDER_MIME = "application/vnd.google-apps.folder"
# google-auth signs the grant for Google's token endpoint whatever the key's token_uri says.
GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
_QUOTED = r"'((?:[^'\\]|\\.)*)'"  # a quoted string in a Drive query, \\ and \' escaped
_LIST_QUERY = re.compile(
    rf"^appProperties has \{{ key={_QUOTED} and value={_QUOTED} \}}"
    rf" and {_QUOTED} in parents and trashed = false$"
)


def _unescape(literal: str) -> str:
    return re.sub(r"\\(.)", r"\1", literal)


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

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def resource(self) -> dict[str, Any]:
        kind = "document" if self.mime_type == DOC_MIME else "file"
        link = (
            f"https://docs.google.com/document/d/{self.id}/edit"
            if kind == "document"
            else f"https://drive.google.com/file/d/{self.id}/view"
        )
        return {
            "kind": "drive#file", "id": self.id, "name": self.name, "mimeType": self.mime_type,
            "parents": list(self.parents), "trashed": self.trashed, "webViewLink": link,
            "appProperties": dict(self.app_properties),
        }


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
        return self.path == "/token"


@dataclass
class _Failure:
    status: int  # 0 means hang
    reason: str
    on: str | None = None  # only for requests with this method


class FakeDrive:
    """The server's state; ``start()`` begins serving on 127.0.0.1 at a free port."""

    def __init__(self, ca: trustme.CA, token_public_key_pem: str | None = None):
        self.ca = ca
        self.public_key_pem = token_public_key_pem
        self.files: dict[str, StoredFile] = {}
        self.folders: set[str] = set()
        self.folder_names: dict[str, str] = {}
        self.requests: list[Seen] = []
        self.tokens: set[str] = set()
        self.token_refusal: str | None = None  # answer token requests with invalid_grant
        self.token_status = 0  # answer token requests with this error status
        self.token_error = "internal_failure"  # ... and this error code
        self._failures: deque[_Failure] = deque()
        self._uploads: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._server: ThreadingHTTPServer | None = None

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

    def add_folder(self, folder_id: str, name: str = "Incident reports") -> None:
        """A folder shared with the service account."""
        self.folders.add(folder_id)
        self.folder_names[folder_id] = name

    def fail(self, status: int, times: int = 1, reason: str = "", on: str | None = None) -> None:
        """Answer the next ``times`` Drive calls (not token requests) with this error; with
        ``on``, only calls with that HTTP method, once the failures queued before are used."""
        self._failures.extend(_Failure(status, reason, on) for _ in range(times))

    def hang(self, times: int = 1) -> None:
        """Read the next ``times`` Drive calls and never answer them."""
        self._failures.extend(_Failure(0, "") for _ in range(times))

    def trash(self, file_id: str) -> None:
        self.files[file_id].trashed = True

    def delete(self, file_id: str) -> None:
        del self.files[file_id]

    def drive_requests(self) -> list[Seen]:
        """Requests other than the token grant."""
        return [r for r in self.requests if not r.is_token]

    def reset_log(self) -> None:
        self.requests.clear()

    # -- behaviour -------------------------------------------------------------------------------
    def _next_failure(self, method: str) -> _Failure | None:
        with self._lock:
            if not self._failures or self._failures[0].on not in (None, method):
                return None
            return self._failures.popleft()

    def _new_id(self) -> str:
        return f"file{next(self._ids):04d}{secrets.token_hex(4)}"

    def grant(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if form.get("grant_type") != JWT_GRANT or "assertion" not in form:
            return 400, {"error": "unsupported_grant_type"}
        if self.token_status:
            return self.token_status, {"error": self.token_error}
        if self.token_refusal:
            return 400, {"error": "invalid_grant", "error_description": self.token_refusal}
        try:
            claims = jwt.decode(
                form["assertion"], certs=self.public_key_pem, verify=bool(self.public_key_pem),
                audience=GOOGLE_TOKEN_AUDIENCE,
            )
        except ValueError as error:
            return 400, {"error": "invalid_grant", "error_description": str(error)}
        if "https://www.googleapis.com/auth/drive.file" not in claims.get("scope", "").split():
            return 400, {"error": "invalid_scope"}
        token = secrets.token_urlsafe(24)
        self.tokens.add(token)
        return 200, {"access_token": token, "expires_in": 3600, "token_type": "Bearer"}

    def create(self, metadata: dict[str, Any], body: bytes, media_type: str) -> tuple[int, Any]:
        parents = metadata.get("parents") or []
        for parent in parents:
            if parent not in self.folders:
                return _error(404, "notFound", f"File not found: {parent}.")
        stored = StoredFile(
            id=self._new_id(), name=metadata.get("name", "Untitled"),
            mime_type=metadata.get("mimeType") or media_type, parents=list(parents),
            body=body, media_type=media_type,
            app_properties=dict(metadata.get("appProperties") or {}),
        )
        self.files[stored.id] = stored
        return 200, stored.resource()

    def update(self, file_id: str, metadata: dict[str, Any], body: bytes,
               media_type: str) -> tuple[int, Any]:
        stored = self.files.get(file_id)
        if stored is None:
            return _error(404, "notFound", f"File not found: {file_id}.")
        if "name" in metadata:
            stored.name = metadata["name"]
        stored.app_properties.update(metadata.get("appProperties") or {})
        stored.body, stored.media_type = body, media_type
        stored.revisions += 1
        return 200, stored.resource()

    def get(self, file_id: str) -> tuple[int, Any]:
        if file_id in self.folders:
            return 200, {"kind": "drive#file", "id": file_id, "mimeType": FOLDER_MIME,
                         "name": self.folder_names.get(file_id, ""), "trashed": False}
        stored = self.files.get(file_id)
        if stored is None:
            return _error(404, "notFound", f"File not found: {file_id}.")
        return 200, stored.resource()

    def change(self, file_id: str, metadata: dict[str, Any]) -> tuple[int, Any]:
        """``files.update`` without media: the name, or moving to the bin."""
        stored = self.files.get(file_id)
        if stored is None:
            return _error(404, "notFound", f"File not found: {file_id}.")
        stored.name = metadata.get("name", stored.name)
        stored.trashed = bool(metadata.get("trashed", stored.trashed))
        return 200, stored.resource()

    def remove(self, file_id: str) -> tuple[int, Any]:
        """``files.delete``: gone for good, no bin."""
        if self.files.pop(file_id, None) is None:
            return _error(404, "notFound", f"File not found: {file_id}.")
        return 204, None

    def list(self, query: str) -> tuple[int, Any]:
        match = _LIST_QUERY.match(query)
        if match is None:
            return _error(400, "invalid", f"Invalid Value: {query}")
        key, value, parent = (_unescape(part) for part in match.groups())
        found = [
            f.resource() for f in self.files.values()
            if not f.trashed and parent in f.parents and f.app_properties.get(key) == value
        ]
        return 200, {"kind": "drive#fileList", "files": found}

    def start_upload(self, file_id: str | None, metadata: dict[str, Any],
                     media_type: str) -> str:
        upload_id = secrets.token_hex(8)
        self._uploads[upload_id] = {"file_id": file_id, "metadata": metadata,
                                    "media_type": media_type}
        return upload_id

    def finish_upload(self, upload_id: str, body: bytes) -> tuple[int, Any]:
        upload = self._uploads.pop(upload_id, None)
        if upload is None:
            return _error(404, "notFound", "No such upload session.")
        if upload["file_id"] is None:
            return self.create(upload["metadata"], body, upload["media_type"])
        return self.update(upload["file_id"], upload["metadata"], body, upload["media_type"])


def _error(status: int, reason: str, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"error": {"code": status, "message": message,
                              "errors": [{"domain": "global", "reason": reason,
                                          "message": message}]}}


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

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            seen = Seen(self.command, parts.path, query,
                        {k.lower(): v for k, v in self.headers.items()}, body)
            with drive._lock:
                drive.requests.append(seen)
            if parts.path == "/token" and self.command == "POST":
                form = {k: v[-1] for k, v in parse_qs(body.decode()).items()}
                self._answer(*drive.grant(form))
                return
            auth = self.headers.get("Authorization", "")
            if not auth.startswith("Bearer ") or auth[7:] not in drive.tokens:
                self._answer(*_error(401, "authError", "Invalid Credentials"))
                return
            failure = drive._next_failure(self.command)
            if failure is not None and failure.status == 0:
                drive._release.wait(30)
                self.close_connection = True
                return
            if failure is not None:
                self._answer(*_error(failure.status, failure.reason or "backendError",
                                     f"Injected failure {failure.status}"))
                return
            self._route(parts.path, query, seen)

        def _route(self, path: str, query: dict[str, str], seen: Seen) -> None:
            upload = query.get("uploadType")
            match = re.fullmatch(r"/(upload/)?drive/v3/files(?:/([^/]+))?", path)
            if match is None:
                self._answer(*_error(404, "notFound", f"No route for {path}"))
                return
            is_upload, file_id = bool(match[1]), match[2]
            method = self.command
            content_type = self.headers.get("Content-Type", "")
            if not is_upload and method == "GET":
                self._answer(*(drive.get(file_id) if file_id else drive.list(query.get("q", ""))))
            elif not is_upload and file_id and method == "PATCH":
                self._answer(*drive.change(file_id, json.loads(seen.body or b"{}")))
            elif not is_upload and file_id and method == "DELETE":
                self._answer(*drive.remove(file_id))
            elif is_upload and upload == "multipart" and method in ("POST", "PATCH"):
                metadata, media, media_type = _parse_related(content_type, seen.body)
                if method == "POST" and file_id is None:
                    self._answer(*drive.create(metadata, media, media_type))
                else:
                    self._answer(*drive.update(file_id or "", metadata, media, media_type))
            elif is_upload and upload == "resumable" and method in ("POST", "PATCH"):
                self._start_resumable(file_id, seen)
            elif is_upload and upload == "resumable" and method == "PUT" and "upload_id" in query:
                self._answer(*drive.finish_upload(query["upload_id"], seen.body))
            else:
                self._answer(*_error(400, "badRequest", f"Unsupported {method} {path}"))

        def _start_resumable(self, file_id: str | None, seen: Seen) -> None:
            metadata = json.loads(seen.body or b"{}")
            media_type = self.headers.get("X-Upload-Content-Type", "application/octet-stream")
            if file_id is None:
                for parent in metadata.get("parents") or []:
                    if parent not in drive.folders:
                        self._answer(*_error(404, "notFound", f"File not found: {parent}."))
                        return
            elif file_id not in drive.files:
                self._answer(*_error(404, "notFound", f"File not found: {file_id}."))
                return
            upload_id = drive.start_upload(file_id, metadata, media_type)
            target = f"/upload/drive/v3/files/{file_id}" if file_id else "/upload/drive/v3/files"
            location = f"{drive.url}{target}?uploadType=resumable&upload_id={upload_id}"
            self._answer(200, None, {"Location": location})

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

    return Handler
