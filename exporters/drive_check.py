"""Is export to Google Drive set up right? Each step of the set-up, tested in order.

``check_drive(config, stored)`` runs the steps below against the app's settings and what the app
keeps (a connected person's account, the folder Hindsight made) and stops at the first that
fails; the steps after it are reported as not tried. Every failure says, in plain words, what is
wrong and what to do about it, for the way Hindsight signs in (a person's account, a service
account acting for a person, a service account in a shared drive). The checks go through
``DriveClient``, so they use the same sign-in, connections, certificate authorities and retries
as a real export, and the last step *is* the export path: find by key in the folder, make a
small HTML-to-Doc with Hindsight's properties, update it, delete it.

Nothing secret is ever put in a result: from a key file only the service account's e-mail
address and client ID (which people need to share the folder and to grant delegation); from a
person's connection only their address.

About "folder found": under the ``drive.file`` scope Google may refuse to describe a folder
Hindsight did not make. So when Google says it has no such folder, the check tries the test Doc
anyway, and only a refusal of that is reported as a folder that cannot be found, with what to
change for this way of signing in.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from google.oauth2 import service_account
from googleapiclient.errors import HttpError

from reports.language import N_

from . import drive_errors
from .drive_auth import (
    DELEGATED,
    PERSON,
    SHARED_DRIVE,
    SignIn,
    StoredPerson,
    read_oauth_client,
    scope_from_config,
)
from .drive_errors import DRIVE_SCOPE, DriveError, Way
from .gdrive import DOC_MIME, FOLDER_MIME, KEY_PROPERTY, MARK, MARK_PROPERTY, DriveClient

TEST_FILE_NAME = "Hindsight set-up check – safe to delete"
TEST_DOC_HTML = (
    '<!doctype html><html><head><meta charset="utf-8"><title>Hindsight set-up check</title>'
    '</head><body><h1 style="color:#1f5f8b">Hindsight set-up check</h1><p>Hindsight made this '
    "document to check that it can add, update and remove documents in this folder, and should "
    "have removed it straight away. If you can see it, you can delete it.</p>{extra}</body>"
    "</html>"
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
KEY_POLICY = (
    "If the console says key creation is disabled by an organisation policy "
    "(iam.disableServiceAccountKeyCreation), connect a person's Google account instead: it "
    "needs no key."
)

STEPS: tuple[tuple[str, str], ...] = (
    ("configured", N_("Settings are filled in")),
    ("key_readable", N_("Sign-in details can be read")),
    ("key_valid", N_("Sign-in details are complete")),
    ("token", N_("Google accepts the sign-in")),
    ("folder_visible", N_("Folder can be found")),
    ("folder_writable", N_("Hindsight can add, update and remove a Doc in the folder")),
)


@dataclass(frozen=True)
class Stored:
    """What the app keeps besides its settings (``reports.drive_connection``)."""

    person: StoredPerson | None = None  # a connected person's account, token readable
    person_unreadable: bool = False  # a token is kept but the secret key cannot open it
    made_folder: str = ""  # the folder Hindsight made for the account in use


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


def check_drive(config: Mapping[str, Any], stored: Stored | None = None, *,
                sleep: Callable[[float], None] = time.sleep) -> list[StepResult]:
    """Run every step in order; after a failure the rest are reported as not tried."""
    check = _Check(config, stored or Stored(), sleep)
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

    def __init__(self, config: Mapping[str, Any], stored: Stored,
                 sleep: Callable[[float], None]):
        self.config = config
        self.stored = stored
        self.sleep = sleep
        self.setting_folder = str(config.get("DRIVE_FOLDER_ID") or "").strip()
        self.folder_id = stored.made_folder or self.setting_folder
        self.key_path = str(config.get("GOOGLE_CREDENTIALS") or "")  # as exports use it
        self.client_path = str(config.get("GOOGLE_OAUTH_CLIENT") or "").strip()
        self.subject = str(config.get("DRIVE_SUBJECT") or "").strip()
        self.kind = ""
        self.scope = ""
        self.key_text = ""
        self.email = ""
        self.client_id = ""
        self.token_host = ""
        self.sign_in: SignIn | None = None
        self.client: DriveClient | None = None
        self.write_outcome: tuple[str, str] | _Failed | None = None

    @property
    def way(self) -> Way:
        account = {PERSON: self.stored.person.account if self.stored.person else "",
                   DELEGATED: self.subject}.get(self.kind, self.email)
        return Way(self.kind or SHARED_DRIVE, account, self.client_id,
                   self.scope or drive_errors.DRIVE_FILE_SCOPE)

    # -- the steps -------------------------------------------------------------------------------
    def configured(self) -> tuple[str, str]:
        try:
            self.scope = scope_from_config(self.config)
        except DriveError as error:
            raise _Failed(error.message, "Set HINDSIGHT_DRIVE_SCOPE to drive.file or drive, or "
                          "remove it, and restart Hindsight.") from None
        person_kept = self.stored.person is not None or self.stored.person_unreadable
        if self.client_path and person_kept:
            self.kind = PERSON
        elif self.key_path.strip():
            self.kind = DELEGATED if self.subject else SHARED_DRIVE
        elif self.client_path:
            raise _Failed(
                "No Google account is connected yet: HINDSIGHT_GOOGLE_OAUTH_CLIENT is set, so "
                "Hindsight can connect a person's account.",
                "Click “Connect Google Drive” on this page and say yes on Google's page; then "
                "“Make the reports folder for me”.",
            )
        else:
            raise _Failed(
                "Nothing tells Hindsight how to sign in to Google: no account is connected and "
                "HINDSIGHT_DRIVE_FOLDER_ID and HINDSIGHT_GOOGLE_CREDENTIALS are not set.",
                "Choose one of the three ways in the guide: a person's Google account "
                "(HINDSIGHT_GOOGLE_OAUTH_CLIENT, then “Connect Google Drive”), a service "
                "account acting for a person (HINDSIGHT_GOOGLE_CREDENTIALS and "
                "HINDSIGHT_DRIVE_SUBJECT), or a service account in a shared drive "
                "(HINDSIGHT_GOOGLE_CREDENTIALS and HINDSIGHT_DRIVE_FOLDER_ID). Set them where "
                f"Hindsight is started, then restart it. {GUIDE} explains each step. "
                f"{KEY_POLICY}",
            )
        if not self.folder_id:
            if self.kind == SHARED_DRIVE:
                raise _Failed(
                    "HINDSIGHT_DRIVE_FOLDER_ID is not set, so Hindsight does not know where to "
                    "put reports.",
                    "Set HINDSIGHT_DRIVE_FOLDER_ID to the ID of a folder in a shared drive the "
                    f"service account is a member of, and restart Hindsight. {GUIDE} explains "
                    "each step.",
                )
            raise _Failed(
                "Hindsight has no folder to put reports in yet.",
                "Click “Make the reports folder for me” on this page, or set "
                "HINDSIGHT_DRIVE_FOLDER_ID to a folder's ID and restart Hindsight.",
            )
        if not self.stored.made_folder and not re.fullmatch(r"[\w-]+", self.folder_id):
            found = folder_id_from_address(self.folder_id)
            raise _Failed(
                "HINDSIGHT_DRIVE_FOLDER_ID is not a folder ID: an ID has only letters, digits, "
                "“-” and “_”" + (", and this looks like a whole web address." if found else "."),
                (f"Set it to just the ID, {found}, and restart Hindsight." if found
                 else self._folder_id_fix()),
            )
        endpoint = self.config.get("DRIVE_API_ENDPOINT")
        try:  # the client the later steps use; it reads nothing until it needs to
            sign_in = SignIn(self.kind, self.scope, key_path=self.key_path,
                             subject=self.subject if self.kind == DELEGATED else "")
            self.client = DriveClient.from_config(self.config, sign_in=sign_in,
                                                  folder_id=self.folder_id, sleep=self.sleep)
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
        self.client.retries = min(self.client.retries, CHECK_RETRIES)
        ca_file = os.environ.get("HTTPLIB2_CA_CERTS")
        if ca_file and not os.path.isfile(ca_file):
            raise _Failed(
                f"HTTPLIB2_CA_CERTS names a file that does not exist ({ca_file}).",
                "Point it at the file holding your network's certificate authority (PEM), or "
                "remove it if your network does not inspect secure traffic, and restart "
                "Hindsight.",
            )
        how = {PERSON: "a person's Google account, connected on this page",
               DELEGATED: f"the service account in {self.key_path}, acting for {self.subject}",
               SHARED_DRIVE: f"the service account in {self.key_path}"}[self.kind]
        where = ("the folder Hindsight made, " if self.stored.made_folder else "folder ID "
                 ) + self.folder_id
        scope = "drive (every file the account can reach)" if self.scope == DRIVE_SCOPE else (
            "drive.file (only the files Hindsight makes)")
        endpoint_note = f"; Drive requests go to {endpoint}" if endpoint else ""
        return (f"Hindsight signs in as {how}; {where}; access asked for: {scope}"
                f"{endpoint_note}."), ""

    def key_readable(self) -> tuple[str, str]:
        if self.kind == PERSON:
            return self._person_readable()
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

    def _person_readable(self) -> tuple[str, str]:
        try:
            client = read_oauth_client(self.client_path)
        except DriveError as error:
            raise _Failed(error.message, error.hint) from None
        if self.stored.person is None:
            unreadable = drive_errors.connection_unreadable()
            raise _Failed(unreadable.message, "Click “Disconnect”, then “Connect Google Drive” on "
                          "this page.")
        self.sign_in = SignIn(PERSON, self.scope, client=client,
                              refresh_token=self.stored.person.refresh_token,
                              account=self.stored.person.account)
        self.client = DriveClient.from_config(self.config, sign_in=self.sign_in,
                                              folder_id=self.folder_id, sleep=self.sleep)
        self.client.retries = min(self.client.retries, CHECK_RETRIES)
        self.token_host = urlsplit(client.token_uri).netloc
        return (f"Hindsight can read its OAuth client file ({self.client_path}) and the "
                "connection it keeps, encrypted, in its database."), ""

    def key_valid(self) -> tuple[str, str]:
        if self.kind == PERSON:
            assert self.stored.person is not None
            return f"Connected to the Google account {self.stored.person.account}.", ""
        path = self.key_path
        try:
            info = json.loads(self.key_text)
        except ValueError:
            raise _Failed(f"{path} is not a JSON file.", f"{NEW_KEY} {KEY_POLICY}") from None
        if not isinstance(info, dict):
            raise _Failed(f"{path} is JSON, but not a key file.", NEW_KEY)
        kind = info.get("type")
        if kind != "service_account":
            what = ("an OAuth client file" if {"installed", "web"} & info.keys()
                    else "a person's saved sign-in" if kind == "authorized_user"
                    else "something else")
            fix = NEW_KEY + (" An OAuth client file belongs in HINDSIGHT_GOOGLE_OAUTH_CLIENT."
                             if "web" in info else "")
            raise _Failed(f"{path} is {what}, not a service-account key.", fix)
        missing = [field for field in KEY_REQUIRED if not info.get(field)]
        if missing:
            raise _Failed(f"{path} is incomplete: it has no {' or '.join(missing)}.", NEW_KEY)
        try:
            service_account.Credentials.from_service_account_info(info, scopes=[self.scope])
        except Exception:  # whatever the parser finds wrong, the message is the same
            raise _Failed(f"The private key in {path} is damaged or in a form Google's "
                          "libraries cannot read.", NEW_KEY) from None
        self.email = str(info["client_email"])
        self.client_id = str(info.get("client_id") or "")
        self.token_host = urlsplit(str(info["token_uri"])).netloc or str(info["token_uri"])
        if self.kind == DELEGATED:
            return (f"It is the key of the service account {self.email}, which acts for "
                    f"{self.subject}. Your Google Workspace admin grants this in the Admin "
                    f"console (Security → Access and data control → API controls → Manage "
                    f"domain-wide delegation): client ID {self.client_id or '(in the key file)'}"
                    f", scope {self.scope}."), ""
        return (f"It is the key of the service account {self.email}. The shared drive (or the "
                "folder) must be shared with this address."), ""

    def token(self) -> tuple[str, str]:
        try:
            self._client().fetch_token()
        except DriveError as error:
            raise self._common(error, self.token_host, "Google's sign-in service") from None
        who = {PERSON: f"for {self.way.account}", DELEGATED: f"for {self.subject}",
               SHARED_DRIVE: f"for {self.email}"}[self.kind]
        return f"Google accepted the sign-in and gave Hindsight an access token {who}.", ""

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
                          "Restore it from the bin in Google Drive, or choose another folder.")
        return f"Found the folder “{name}”.", ""

    def folder_writable(self) -> tuple[str, str]:
        outcome = self.write_outcome or self._write_test_doc()
        if isinstance(outcome, _Failed):
            raise outcome
        return outcome

    # -- helpers ---------------------------------------------------------------------------------
    def _client(self) -> DriveClient:
        assert self.client is not None, "the first steps make the client"
        return self.client

    def _drive_host(self) -> str:
        return urlsplit(self._client().base_url or GOOGLE_API).netloc

    def _share_fix(self) -> str:
        if self.kind == SHARED_DRIVE:
            return (f"Add {self.email} to the shared drive as a Content manager (or share the "
                    "folder with it as Content manager), as you would a colleague, and untick "
                    "“Notify people”. Viewer or Commenter is not enough.")
        return (f"Share the folder with {self.way.account} as Editor, as you would with a "
                "colleague. Viewer or Commenter is not enough.")

    def _folder_id_fix(self) -> str:
        if self.stored.made_folder:
            return ("The folder Hindsight made is gone or out of reach: click “Make the reports "
                    "folder for me” again.")
        return ("Check HINDSIGHT_DRIVE_FOLDER_ID: open the folder in Google Drive and copy the "
                "part of its web address after “folders/”, without anything after a “?”. "
                "Then restart Hindsight.")

    def _folder_by_writing(self) -> tuple[str, str]:
        """Google will not describe the folder: a test Doc settles whether it is reachable."""
        outcome = self._write_test_doc()
        if isinstance(outcome, _Failed) and outcome.kind == "folder":
            hidden = drive_errors.folder_not_visible(self.way, self.folder_id)
            if self.way.limited and not self.stored.made_folder:
                raise _Failed(hidden.message, hidden.hint)
            raise _Failed(
                f"Google Drive has no folder with the ID {self.folder_id} that "
                f"{self.way.who} may use: either the ID is wrong or the folder is not shared "
                "with it.",
                f"{self._share_fix()} {self._folder_id_fix()}",
            )
        self.write_outcome = outcome
        return ("Google does not show Hindsight the folder's details (normal with the limited "
                "access Hindsight asks for), but the folder is there.", "")

    def _write_test_doc(self) -> tuple[str, str] | _Failed:
        """The export path itself: find by key (nothing), make a Doc from HTML with Hindsight's
        properties, find it by its key and update it, then delete it."""
        client = self._client()
        key = f"hindsight:check:{secrets.token_hex(8)}"
        try:
            made = client.upload_doc(TEST_FILE_NAME, TEST_DOC_HTML.format(extra=""), key=key)
        except DriveError as error:
            return self._write_failure(error)
        try:
            again = client.upload_doc(
                TEST_FILE_NAME, TEST_DOC_HTML.format(extra="<p>Updated once.</p>"), key=key)
            described = client.run(lambda files: files.get(
                fileId=made.id, fields="id,mimeType,appProperties", supportsAllDrives=True))
        except DriveError as error:
            self._remove(made.id)
            return self._write_failure(error)
        properties = described.get("appProperties") or {}
        if again.id != made.id or described.get("mimeType") != DOC_MIME or properties.get(
                KEY_PROPERTY) != key or properties.get(MARK_PROPERTY) != MARK:
            self._remove(made.id, again.id)
            return _Failed(
                "Hindsight made a test Doc but could not find it again by its key, so every "
                "export would make a new copy instead of updating the last one.",
                f"Tell {drive_errors.ADMIN}: HINDSIGHT_DRIVE_API_ENDPOINT may point at a proxy "
                "that changes Drive's answers.",
            )
        done = ("Hindsight made a small Google Doc in the folder from HTML, found it again by "
                "its key, updated it")
        removed = self._remove(made.id)
        if removed == "deleted":
            return f"{done} and deleted it again.", ""
        if removed == "trashed":
            return (f"{done}. It was not allowed to delete it for good, so it moved it to the "
                    "bin, which Google empties after 30 days."), ""
        return (f"{done}, so exports will work, but it could not remove the Doc afterwards.",
                f"Delete “{TEST_FILE_NAME}” from the folder yourself.")

    def _remove(self, *file_ids: str) -> str:
        """Delete the test Doc, or move it to the bin (not every shared-drive role may delete
        for good): "deleted", "trashed" or "left"."""
        result = "deleted"
        for file_id in dict.fromkeys(file_ids):
            try:
                self._client().delete(file_id)
                continue
            except DriveError:
                pass
            try:
                self._client().run(partial(_trash, file_id=file_id))
                result = "trashed" if result == "deleted" else result
            except DriveError:
                result = "left"
        return result

    def _write_failure(self, error: DriveError) -> _Failed:
        if error.kind == "folder":
            return _Failed(error.message, self._share_fix(), kind="folder")
        if error.kind == "permission":
            return _Failed("Hindsight can reach the folder but is not allowed to add files to it.",
                           self._share_fix())
        if error.kind == "storage" and self.kind == SHARED_DRIVE:
            return _Failed(
                "Google Drive refused the test Doc because there is no storage space for it: "
                "service accounts have none of their own, so a folder in someone's My Drive "
                "does not work for them.",
                f"Use a folder in a shared drive: add {self.email} to the shared drive as "
                "Content manager and set HINDSIGHT_DRIVE_FOLDER_ID to the folder's ID. Or let "
                "the service account act for a person of your organisation "
                "(HINDSIGHT_DRIVE_SUBJECT), or connect a person's Google account on this page. "
                "If the folder is already in a shared drive, your organisation's Google storage "
                "is full: ask your Google Workspace admin.",
            )
        if error.kind in ("storage", "membership"):
            return _Failed(error.message, error.hint)
        return self._common(error, self._drive_host(), "Google Drive")

    def _common(self, error: DriveError, host: str, service: str) -> _Failed:
        """Failures any step can meet: the sign-in refused, the API off, the network, Google."""
        if _reason(error) in drive_errors.API_OFF_REASONS:
            project = ("the project the service account belongs to (the part between “@” and "
                       "“.iam” of its address)" if self.kind != PERSON
                       else "the project of the OAuth client")
            return _Failed(
                "The Google Drive API is turned off in Hindsight's Google Cloud project.",
                f"In the Google Cloud console, choose {project}, search for “Google Drive API” "
                "and click Enable. Wait a few minutes, then check again.",
            )
        if error.kind in ("reconnect", "delegation", "membership", "storage"):
            return _Failed(error.message, error.hint)
        if error.kind == "credentials":
            return _Failed(
                "Google refused the key: it has been deleted, disabled or has expired "
                "(revoked), or the service account itself has.",
                f"Make a new key for {self.email}: {NEW_KEY} Put it at {self.key_path} in place "
                f"of the old one, restart Hindsight, and delete the old key in the console. "
                f"{KEY_POLICY}",
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
                f"{self.way.who[:1].upper()}{self.way.who[1:]} may not use the folder with the "
                f"ID {self.folder_id}.",
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


def _trash(files: Any, *, file_id: str) -> Any:
    """The request that moves one file to the bin (the check's clean-up when delete is refused)."""
    return files.update(fileId=file_id, body={"trashed": True}, supportsAllDrives=True)
