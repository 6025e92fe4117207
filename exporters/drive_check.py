"""Is export to Google Drive set up right? Each step of the set-up, tested in order.

``check_drive(config)`` runs the steps below against the app's settings and stops at the first
that fails; the steps after it are reported as not tried. Every failure says, in plain words,
what is wrong and what to do about it. The checks go through ``DriveClient``, so they use the
same key loading, connections, certificate authorities and retries as a real export.

Nothing from the key file is ever put in a result except the service account's e-mail address,
which people need in order to share the folder with it.

About "folder found": Hindsight asks Google only for the ``drive.file`` scope (the files it made
itself). Under that scope Google may refuse to describe a folder that was shared with the
service account while still letting it add files there. So when Google says it has no such
folder, the check tries to add the test file anyway, and only a refusal of that is reported as a
folder that cannot be found.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from google.oauth2 import service_account
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaInMemoryUpload

from . import drive_errors
from .drive_errors import DriveError
from .gdrive import SCOPE, DriveClient

FOLDER_MIME = "application/vnd.google-apps.folder"
TEST_FILE_NAME = "Hindsight set-up check – safe to delete"
TEST_FILE_TEXT = (
    "Hindsight made this file to check that it can add files to this folder, and should have "
    "removed it straight away. If you can see it, you can delete it.\n"
)
CHECK_RETRIES = 1  # someone is waiting on the page: one retry at most
MAX_KEY_BYTES = 64 * 1024  # a real key file is about 2.3 KB
GOOGLE_API = "https://www.googleapis.com"
GUIDE = "docs/google-drive.md"
NOT_TRIED = "Not tried, because an earlier step failed."
KEY_REQUIRED = ("client_email", "private_key", "token_uri")
NEW_KEY = (
    "In the Google Cloud console, open the service account, then Keys → Add key → Create new "
    "key → JSON, and use the file Google gives you."
)

STEPS: tuple[tuple[str, str], ...] = (
    ("configured", "Settings are filled in"),
    ("key_readable", "Key file can be read"),
    ("key_valid", "Key file is a service-account key"),
    ("token", "Google accepts the key"),
    ("folder_visible", "Folder can be found"),
    ("folder_writable", "Hindsight can add files to the folder"),
)


@dataclass(frozen=True)
class StepResult:
    """One step: whether it passed, what was found, and what to do (a tip when it passed)."""

    name: str
    title: str
    ok: bool
    message: str
    fix: str = ""
    tried: bool = True

    @property
    def state(self) -> str:
        return "ok" if self.ok else "failed" if self.tried else "not_tried"


class _Failed(Exception):
    def __init__(self, message: str, fix: str, *, kind: str = ""):
        super().__init__(message)
        self.message, self.fix, self.kind = message, fix, kind


def check_drive(config: Mapping[str, Any], *,
                sleep: Callable[[float], None] = time.sleep) -> list[StepResult]:
    """Run every step in order; after a failure the rest are reported as not tried."""
    check = _Check(config, sleep)
    results: list[StepResult] = []
    for name, title in STEPS:
        if results and not results[-1].ok:
            results.append(StepResult(name, title, False, NOT_TRIED, tried=False))
            continue
        try:
            message, fix = getattr(check, name)()
        except _Failed as failed:
            results.append(StepResult(name, title, False, failed.message, failed.fix))
        else:
            results.append(StepResult(name, title, True, message, fix))
    return results


def passed(results: list[StepResult]) -> bool:
    return all(result.ok for result in results)


def folder_id_from_address(value: str) -> str | None:
    """The folder ID inside a pasted Drive web address, if there is one."""
    match = re.search(r"/folders/([\w-]+)", value) or re.search(r"[?&]id=([\w-]+)", value)
    return match.group(1) if match else None


class _Check:
    """The steps, sharing what earlier steps found. Each returns (message, tip) or raises."""

    def __init__(self, config: Mapping[str, Any], sleep: Callable[[float], None]):
        self.config = config
        self.sleep = sleep
        self.folder_id = str(config.get("DRIVE_FOLDER_ID") or "").strip()
        self.key_path = str(config.get("GOOGLE_CREDENTIALS") or "")  # as exports use it
        self.key_text = ""
        self.email = ""
        self.token_host = ""
        self.client: DriveClient | None = None
        self.write_outcome: tuple[str, str] | _Failed | None = None

    # -- the steps -------------------------------------------------------------------------------
    def configured(self) -> tuple[str, str]:
        missing = [name for name, value in (("HINDSIGHT_DRIVE_FOLDER_ID", self.folder_id),
                                            ("HINDSIGHT_GOOGLE_CREDENTIALS",
                                             self.key_path.strip()))
                   if not value]
        if missing:
            raise _Failed(
                f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set, so "
                "Hindsight does not know where to put reports or how to sign in to Google.",
                "Set HINDSIGHT_DRIVE_FOLDER_ID to the folder's ID and HINDSIGHT_GOOGLE_CREDENTIALS "
                "to the path of the service account's JSON key file, where Hindsight is started, "
                f"then restart Hindsight. {GUIDE} explains each step.",
            )
        if not re.fullmatch(r"[\w-]+", self.folder_id):
            found = folder_id_from_address(self.folder_id)
            raise _Failed(
                "HINDSIGHT_DRIVE_FOLDER_ID is not a folder ID: an ID has only letters, digits, "
                "“-” and “_”" + (", and this looks like a whole web address." if found else "."),
                (f"Set it to just the ID, {found}, and restart Hindsight." if found
                 else self._folder_id_fix()),
            )
        endpoint = self.config.get("DRIVE_API_ENDPOINT")
        try:  # the client the later steps use; it reads the key file only when it needs it
            client = DriveClient.from_config(self.config, sleep=self.sleep)
        except DriveError as error:
            raise _Failed(error.message,
                          "Correct HINDSIGHT_DRIVE_API_ENDPOINT (a web address starting with "
                          "https://), or remove it so that Hindsight talks to Google directly, "
                          "and restart Hindsight.") from None
        except (TypeError, ValueError):
            raise _Failed(
                "HINDSIGHT_DRIVE_TIMEOUT, HINDSIGHT_DRIVE_RETRIES or HINDSIGHT_DRIVE_DEADLINE is "
                "not a number.",
                "Set each one that is set to a number (seconds; for retries, a whole number), "
                "or remove it to use the default, and restart Hindsight.",
            ) from None
        client.retries = min(client.retries, CHECK_RETRIES)
        self.client = client
        ca_file = os.environ.get("HTTPLIB2_CA_CERTS")
        if ca_file and not os.path.isfile(ca_file):
            raise _Failed(
                f"HTTPLIB2_CA_CERTS names a file that does not exist ({ca_file}).",
                "Point it at the file holding your network's certificate authority (PEM), or "
                "remove it if your network does not inspect secure traffic, and restart "
                "Hindsight.",
            )
        where = f"; Drive requests go to {endpoint}" if endpoint else ""
        return f"Folder ID {self.folder_id}; key file {self.key_path}{where}.", ""

    def key_readable(self) -> tuple[str, str]:
        path = self.key_path
        elsewhere = ("Copy the key file there, or set HINDSIGHT_GOOGLE_CREDENTIALS to the full "
                     "path of the key file on the machine that runs Hindsight, and restart it.")
        try:
            with open(path, "rb") as file:
                data = file.read(MAX_KEY_BYTES + 1)
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            raise _Failed(f"There is no file at {path}.", elsewhere) from None
        except IsADirectoryError:
            raise _Failed(f"{path} is a folder, not a file.", elsewhere) from None
        except PermissionError:
            user = _process_user()
            raise _Failed(
                f"Hindsight (running as {user}) is not allowed to read {path}.",
                f"Let that user read the file, and nobody else: for example "
                f"“chown {user} {path}” and “chmod 600 {path}”.",
            ) from None
        except OSError as error:
            raise _Failed(f"{path} could not be read ({error.strerror or 'unknown error'}).",
                          elsewhere) from None
        if not data.strip():
            raise _Failed(f"{path} is empty.", NEW_KEY)
        if len(data) > MAX_KEY_BYTES:
            raise _Failed(f"{path} is far too big to be a key file.",
                          f"Check HINDSIGHT_GOOGLE_CREDENTIALS. {NEW_KEY}")
        try:
            self.key_text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise _Failed(f"{path} is not a text file, so it is not a JSON key file.",
                          NEW_KEY) from None
        tip = (f"Other users of this machine can read the key too: “chmod 600 {path}”."
               if mode & 0o077 else "")
        return f"Hindsight can read {path}.", tip

    def key_valid(self) -> tuple[str, str]:
        path = self.key_path
        try:
            info = json.loads(self.key_text)
        except ValueError:
            raise _Failed(f"{path} is not a JSON file.", NEW_KEY) from None
        if not isinstance(info, dict):
            raise _Failed(f"{path} is JSON, but not a key file.", NEW_KEY)
        kind = info.get("type")
        if kind != "service_account":
            what = ("an OAuth client file" if {"installed", "web"} & info.keys()
                    else "a person's saved sign-in" if kind == "authorized_user"
                    else "something else")
            raise _Failed(f"{path} is {what}, not a service-account key.", NEW_KEY)
        missing = [field for field in KEY_REQUIRED if not info.get(field)]
        if missing:
            raise _Failed(f"{path} is incomplete: it has no {' or '.join(missing)}.", NEW_KEY)
        try:
            service_account.Credentials.from_service_account_info(info, scopes=[SCOPE])
        except Exception:  # whatever the parser finds wrong, the message is the same
            raise _Failed(f"The private key in {path} is damaged or in a form Google's "
                          "libraries cannot read.", NEW_KEY) from None
        self.email = str(info["client_email"])
        self.token_host = urlsplit(str(info["token_uri"])).netloc or str(info["token_uri"])
        return (f"It is the key of the service account {self.email}. The folder must be "
                "shared with this address."), ""

    def token(self) -> tuple[str, str]:
        try:
            self._client().fetch_token()
        except DriveError as error:
            raise self._common(error, self.token_host, "Google's sign-in service") from None
        return "Google accepted the key and gave Hindsight an access token.", ""

    def folder_visible(self) -> tuple[str, str]:
        try:
            folder = self._client().run(lambda files: files.get(
                fileId=self.folder_id, fields="id,name,mimeType,trashed", supportsAllDrives=True,
            ))
        except DriveError as error:
            if _status(error) != 404:
                raise self._common(error, self._drive_host(), "Google Drive") from None
            return self._folder_by_writing()
        name = str(folder.get("name") or self.folder_id)
        if folder.get("mimeType") != FOLDER_MIME:
            raise _Failed(
                f"The ID {self.folder_id} belongs to a file, not a folder: “{name}”.",
                self._folder_id_fix(),
            )
        if folder.get("trashed"):
            raise _Failed(f"The folder “{name}” is in the Google Drive bin.",
                          "Restore it from the bin in Google Drive, or choose another folder and "
                          "change HINDSIGHT_DRIVE_FOLDER_ID.")
        return f"Found the folder “{name}”.", ""

    def folder_writable(self) -> tuple[str, str]:
        outcome = self.write_outcome or self._write_test_file()
        if isinstance(outcome, _Failed):
            raise outcome
        return outcome

    # -- helpers ---------------------------------------------------------------------------------
    def _client(self) -> DriveClient:
        assert self.client is not None, "the first step makes the client"
        return self.client

    def _drive_host(self) -> str:
        return urlsplit(self._client().base_url or GOOGLE_API).netloc

    def _share_fix(self) -> str:
        return (f"Share the folder with {self.email} as Editor (in a shared drive: Content "
                "manager), as you would with a colleague, and untick “Notify people”. Viewer "
                "or Commenter is not enough.")

    def _folder_id_fix(self) -> str:
        return ("Check HINDSIGHT_DRIVE_FOLDER_ID: open the folder in Google Drive and copy the "
                "part of its web address after “folders/”, without anything after a “?”. "
                "Then restart Hindsight.")

    def _folder_by_writing(self) -> tuple[str, str]:
        """Google will not describe the folder: a test file settles whether it is reachable."""
        outcome = self._write_test_file()
        if isinstance(outcome, _Failed) and outcome.kind == "folder":
            raise _Failed(
                f"Google Drive has no folder with the ID {self.folder_id} that the service "
                "account may use: either the ID is wrong or the folder is not shared with it.",
                f"{self._share_fix()} {self._folder_id_fix()}",
            )
        self.write_outcome = outcome
        return ("Google does not show Hindsight the folder's details (normal with the limited "
                "access Hindsight asks for), but the folder is there.", "")

    def _write_test_file(self) -> tuple[str, str] | _Failed:
        client = self._client()
        media = MediaInMemoryUpload(TEST_FILE_TEXT.encode("utf-8"), mimetype="text/plain")
        body = {"name": TEST_FILE_NAME, "parents": [self.folder_id], "mimeType": "text/plain"}
        try:
            created = client.run(lambda files: files.create(
                body=body, media_body=media, fields="id", supportsAllDrives=True,
            ), creating=True)
        except DriveError as error:
            return self._write_failure(error)
        file_id = str(created["id"])
        try:
            client.run(lambda files: files.delete(fileId=file_id, supportsAllDrives=True))
        except DriveError:
            pass
        else:
            return "Hindsight added a test file to the folder and deleted it again.", ""
        try:  # in a shared drive, not every role may delete for good; the bin will do
            client.run(lambda files: files.update(fileId=file_id, body={"trashed": True},
                                                  supportsAllDrives=True))
        except DriveError:
            return ("Hindsight added a test file to the folder, so exports will work, but it "
                    "could not remove the file afterwards.",
                    f"Delete “{TEST_FILE_NAME}” from the folder yourself.")
        return ("Hindsight added a test file to the folder. It was not allowed to delete it "
                "for good, so it moved it to the bin, which Google empties after 30 days.", "")

    def _write_failure(self, error: DriveError) -> _Failed:
        if error.kind == "folder":
            return _Failed(error.message, self._share_fix(), kind="folder")
        if error.kind == "permission":
            return _Failed("Hindsight can reach the folder but is not allowed to add files to it.",
                           self._share_fix())
        if error.kind == "storage":
            return _Failed(
                "Google Drive refused the test file because there is no storage space for it: "
                "service accounts have none of their own, so a folder in someone's My Drive "
                "does not work for them.",
                f"Use a folder in a shared drive: share it with {self.email} as Content manager "
                "and set HINDSIGHT_DRIVE_FOLDER_ID to its ID. If the folder is already in a "
                "shared drive, your organisation's Google storage is full: ask your Google "
                "Workspace admin.",
            )
        return self._common(error, self._drive_host(), "Google Drive")

    def _common(self, error: DriveError, host: str, service: str) -> _Failed:
        """Failures any step can meet: the key refused, the API off, the network, Google."""
        if _reason(error) in ("accessNotConfigured", "SERVICE_DISABLED"):
            return _Failed(
                "The Google Drive API is turned off in the service account's Google Cloud "
                "project.",
                f"In the Google Cloud console, choose the project {self.email} belongs to (the "
                "part between “@” and “.iam”), search for “Google Drive API” and click Enable. "
                "Wait a few minutes, then check again.",
            )
        if error.kind == "credentials":
            return _Failed(
                "Google refused the key: it has been deleted or disabled (revoked), or the "
                "service account itself has.",
                f"Make a new key for {self.email}: {NEW_KEY} Put it at {self.key_path} in place "
                "of the old one, restart Hindsight, and delete the old key in the console.",
            )
        if error.kind == "tls":
            ca_file = os.environ.get("HTTPLIB2_CA_CERTS")
            now = (f"it is set to {ca_file} now, and that file does not hold the right "
                   "certificate authority" if ca_file else "it is not set now")
            return _Failed(
                f"Hindsight could not make a secure connection to {host}: the certificate "
                "it was shown is not one it trusts. This usually means the network inspects "
                "secure traffic (a company TLS proxy).",
                "Ask your network's administrators for their certificate authority as a PEM "
                "file and set HTTPLIB2_CA_CERTS to its path where Hindsight is started "
                f"({now}). Do not turn certificate checks off.",
            )
        if error.kind in ("connection", "timeout"):
            what = "could not reach" if error.kind == "connection" else "got no answer in time from"
            return _Failed(
                f"Hindsight {what} {service} ({host}).",
                f"Check that this machine can reach https://{host}/ (for example with "
                f"“curl -I https://{host}/”). If it must go through a web proxy, set HTTPS_PROXY "
                "where Hindsight is started; if the network inspects secure traffic, set "
                "HTTPLIB2_CA_CERTS to its certificate authority. Then check again.",
            )
        if error.kind == "unavailable":
            return _Failed(f"{service} is having problems right now.",
                           "Nothing needs changing in the set-up for this; check again in a few "
                           "minutes.")
        if error.kind == "quota":
            return _Failed("Google Drive asked Hindsight to slow down (too many requests).",
                           "Wait a few minutes and check again.")
        if error.kind == "folder" or _status(error) in (403, 404):
            return _Failed(
                f"The service account may not use the folder with the ID {self.folder_id}.",
                f"{self._share_fix()} {self._folder_id_fix()}",
            )
        return _Failed(error.message, error.hint)


def _status(error: DriveError) -> int | None:
    cause = error.__cause__
    return cause.status_code if isinstance(cause, HttpError) else None


def _reason(error: DriveError) -> str:
    cause = error.__cause__
    return drive_errors.http_reason(cause) if isinstance(cause, HttpError) else ""


def _process_user() -> str:
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError):
        return "the user Hindsight runs as"
