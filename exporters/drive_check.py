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
from reports.said import Said, said, sentences

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
# What people read is ``Said``: English text, shown in the reader's language (``shown()``).
NOT_TRIED = said(N_("Not tried, because an earlier step failed."))
KEY_REQUIRED = ("client_email", "private_key", "token_uri")
NEW_KEY = said(N_(
    "In the Google Cloud console, open the service account, then Keys → Add key → Create new "
    "key → JSON, and use the file Google gives you."
))
KEY_POLICY = said(N_(
    "If the console says key creation is disabled by an organisation policy "
    "(iam.disableServiceAccountKeyCreation), connect a person's Google account instead: it "
    "needs no key."
))
NOTHING = Said()  # no tip

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
    message: str  # a Said, like fix: shown in the reader's language
    fix: str = ""
    tried: bool = True

    @property
    def state(self) -> str:
        return "ok" if self.ok else "failed" if self.tried else "not_tried"


class _Failed(Exception):
    def __init__(self, message: Said, fix: Said, *, kind: str = ""):
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
        self.write_outcome: tuple[Said, Said] | _Failed | None = None

    @property
    def way(self) -> Way:
        account = {PERSON: self.stored.person.account if self.stored.person else "",
                   DELEGATED: self.subject}.get(self.kind, self.email)
        return Way(self.kind or SHARED_DRIVE, account, self.client_id,
                   self.scope or drive_errors.DRIVE_FILE_SCOPE)

    # -- the steps -------------------------------------------------------------------------------
    def configured(self) -> tuple[Said, Said]:
        try:
            self.scope = scope_from_config(self.config)
        except DriveError as error:
            raise _Failed(error.message, said(N_(
                "Set HINDSIGHT_DRIVE_SCOPE to drive.file or drive, or remove it, and restart "
                "Hindsight."))) from None
        person_kept = self.stored.person is not None or self.stored.person_unreadable
        if self.client_path and person_kept:
            self.kind = PERSON
        elif self.key_path.strip():
            self.kind = DELEGATED if self.subject else SHARED_DRIVE
        elif self.client_path:
            raise _Failed(
                said(N_("No Google account is connected yet: HINDSIGHT_GOOGLE_OAUTH_CLIENT is "
                        "set, so Hindsight can connect a person's account.")),
                said(N_("Click “Connect Google Drive” on this page and say yes on Google's page; "
                        "then “Make the reports folder for me”.")),
            )
        else:
            raise _Failed(
                said(N_("Nothing tells Hindsight how to sign in to Google: no account is "
                        "connected and HINDSIGHT_DRIVE_FOLDER_ID and HINDSIGHT_GOOGLE_CREDENTIALS "
                        "are not set.")),
                said(N_("Choose one of the three ways in the guide: a person's Google account "
                        "(HINDSIGHT_GOOGLE_OAUTH_CLIENT, then “Connect Google Drive”), a service "
                        "account acting for a person (HINDSIGHT_GOOGLE_CREDENTIALS and "
                        "HINDSIGHT_DRIVE_SUBJECT), or a service account in a shared drive "
                        "(HINDSIGHT_GOOGLE_CREDENTIALS and HINDSIGHT_DRIVE_FOLDER_ID). Set them "
                        "where Hindsight is started, then restart it. %(guide)s explains each "
                        "step. %(policy)s"), guide=GUIDE, policy=KEY_POLICY),
            )
        if not self.folder_id:
            if self.kind == SHARED_DRIVE:
                raise _Failed(
                    said(N_("HINDSIGHT_DRIVE_FOLDER_ID is not set, so Hindsight does not know "
                            "where to put reports.")),
                    said(N_("Set HINDSIGHT_DRIVE_FOLDER_ID to the ID of a folder in a shared "
                            "drive the service account is a member of, and restart Hindsight. "
                            "%(guide)s explains each step."), guide=GUIDE),
                )
            raise _Failed(
                said(N_("Hindsight has no folder to put reports in yet.")),
                said(N_("Click “Make the reports folder for me” on this page, or set "
                        "HINDSIGHT_DRIVE_FOLDER_ID to a folder's ID and restart Hindsight.")),
            )
        if not self.stored.made_folder and not re.fullmatch(r"[\w-]+", self.folder_id):
            found = folder_id_from_address(self.folder_id)
            raise _Failed(
                said(N_("HINDSIGHT_DRIVE_FOLDER_ID is not a folder ID: an ID has only letters, "
                        "digits, “-” and “_”, and this looks like a whole web address."))
                if found else
                said(N_("HINDSIGHT_DRIVE_FOLDER_ID is not a folder ID: an ID has only letters, "
                        "digits, “-” and “_”.")),
                (said(N_("Set it to just the ID, %(id)s, and restart Hindsight."), id=found)
                 if found else self._folder_id_fix()),
            )
        endpoint = self.config.get("DRIVE_API_ENDPOINT")
        try:  # the client the later steps use; it reads nothing until it needs to
            sign_in = SignIn(self.kind, self.scope, key_path=self.key_path,
                             subject=self.subject if self.kind == DELEGATED else "")
            self.client = DriveClient.from_config(self.config, sign_in=sign_in,
                                                  folder_id=self.folder_id, sleep=self.sleep)
        except DriveError as error:
            raise _Failed(error.message, said(N_(
                "Correct HINDSIGHT_DRIVE_API_ENDPOINT (a web address starting with https://), "
                "or remove it so that Hindsight talks to Google directly, and restart "
                "Hindsight."))) from None
        except (TypeError, ValueError):
            raise _Failed(
                said(N_("HINDSIGHT_DRIVE_TIMEOUT, HINDSIGHT_DRIVE_RETRIES or "
                        "HINDSIGHT_DRIVE_DEADLINE is not a number.")),
                said(N_("Set each one that is set to a number (seconds; for retries, a whole "
                        "number), or remove it to use the default, and restart Hindsight.")),
            ) from None
        self.client.retries = min(self.client.retries, CHECK_RETRIES)
        ca_file = os.environ.get("HTTPLIB2_CA_CERTS")
        if ca_file and not os.path.isfile(ca_file):
            raise _Failed(
                said(N_("HTTPLIB2_CA_CERTS names a file that does not exist (%(file)s)."),
                     file=ca_file),
                said(N_("Point it at the file holding your network's certificate authority "
                        "(PEM), or remove it if your network does not inspect secure traffic, "
                        "and restart Hindsight.")),
            )
        how = {PERSON: said(N_("a person's Google account, connected on this page")),
               DELEGATED: said(N_("the service account in %(path)s, acting for %(person)s"),
                               path=self.key_path, person=self.subject),
               SHARED_DRIVE: said(N_("the service account in %(path)s"),
                                  path=self.key_path)}[self.kind]
        where = (said(N_("the folder Hindsight made, %(id)s"), id=self.folder_id)
                 if self.stored.made_folder else
                 said(N_("folder ID %(id)s"), id=self.folder_id))
        scope = (said(N_("drive (every file the account can reach)")) if self.scope == DRIVE_SCOPE
                 else said(N_("drive.file (only the files Hindsight makes)")))
        if endpoint:
            return said(N_("Hindsight signs in as %(how)s; %(where)s; access asked for: "
                           "%(scope)s; Drive requests go to %(endpoint)s."),
                        how=how, where=where, scope=scope, endpoint=endpoint), NOTHING
        return said(N_("Hindsight signs in as %(how)s; %(where)s; access asked for: %(scope)s."),
                    how=how, where=where, scope=scope), NOTHING

    def key_readable(self) -> tuple[Said, Said]:
        if self.kind == PERSON:
            return self._person_readable()
        path = self.key_path
        elsewhere = said(N_("Copy the key file there, or set HINDSIGHT_GOOGLE_CREDENTIALS to the "
                            "full path of the key file on the machine that runs Hindsight, and "
                            "restart it."))
        try:
            with open(path, "rb") as file:
                data = file.read(MAX_KEY_BYTES + 1)
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            raise _Failed(said(N_("There is no file at %(path)s."), path=path), elsewhere) from None
        except IsADirectoryError:
            raise _Failed(said(N_("%(path)s is a folder, not a file."), path=path),
                          elsewhere) from None
        except PermissionError:
            user = _process_user()
            raise _Failed(
                said(N_("Hindsight (running as %(user)s) is not allowed to read %(path)s."),
                     user=user, path=path),
                said(N_("Let that user read the file, and nobody else: for example “chown "
                        "%(user)s %(path)s” and “chmod 600 %(path)s”."), user=user, path=path),
            ) from None
        except OSError as error:
            raise _Failed(said(N_("%(path)s could not be read (%(why)s)."), path=path,
                               why=error.strerror or said(N_("unknown error"))),
                          elsewhere) from None
        if not data.strip():
            raise _Failed(said(N_("%(path)s is empty."), path=path), NEW_KEY)
        if len(data) > MAX_KEY_BYTES:
            raise _Failed(said(N_("%(path)s is far too big to be a key file."), path=path),
                          sentences(said(N_("Check HINDSIGHT_GOOGLE_CREDENTIALS.")), NEW_KEY))
        try:
            self.key_text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise _Failed(said(N_("%(path)s is not a text file, so it is not a JSON key file."),
                               path=path), NEW_KEY) from None
        tip = (said(N_("Other users of this machine can read the key too: “chmod 600 "
                       "%(path)s”."), path=path) if mode & 0o077 else NOTHING)
        return said(N_("Hindsight can read %(path)s."), path=path), tip

    def _person_readable(self) -> tuple[Said, Said]:
        try:
            client = read_oauth_client(self.client_path)
        except DriveError as error:
            raise _Failed(error.message, error.hint) from None
        if self.stored.person is None:
            unreadable = drive_errors.connection_unreadable()
            raise _Failed(unreadable.message, said(N_("Click “Disconnect”, then “Connect Google "
                                                      "Drive” on this page.")))
        self.sign_in = SignIn(PERSON, self.scope, client=client,
                              refresh_token=self.stored.person.refresh_token,
                              account=self.stored.person.account)
        self.client = DriveClient.from_config(self.config, sign_in=self.sign_in,
                                              folder_id=self.folder_id, sleep=self.sleep)
        self.client.retries = min(self.client.retries, CHECK_RETRIES)
        self.token_host = urlsplit(client.token_uri).netloc
        return said(N_("Hindsight can read its OAuth client file (%(path)s) and the connection "
                       "it keeps, encrypted, in its database."), path=self.client_path), NOTHING

    def key_valid(self) -> tuple[Said, Said]:
        if self.kind == PERSON:
            assert self.stored.person is not None
            return said(N_("Connected to the Google account %(account)s."),
                        account=self.stored.person.account), NOTHING
        path = self.key_path
        try:
            info = json.loads(self.key_text)
        except ValueError:
            raise _Failed(said(N_("%(path)s is not a JSON file."), path=path),
                          sentences(NEW_KEY, KEY_POLICY)) from None
        if not isinstance(info, dict):
            raise _Failed(said(N_("%(path)s is JSON, but not a key file."), path=path), NEW_KEY)
        kind = info.get("type")
        if kind != "service_account":
            what = (said(N_("an OAuth client file")) if {"installed", "web"} & info.keys()
                    else said(N_("a person's saved sign-in")) if kind == "authorized_user"
                    else said(N_("something else")))
            fix = (sentences(NEW_KEY, said(N_("An OAuth client file belongs in "
                                              "HINDSIGHT_GOOGLE_OAUTH_CLIENT.")))
                   if "web" in info else NEW_KEY)
            raise _Failed(said(N_("%(path)s is %(what)s, not a service-account key."),
                               path=path, what=what), fix)
        missing = [field for field in KEY_REQUIRED if not info.get(field)]
        if missing:
            raise _Failed(said(N_("%(path)s is incomplete: it has no %(fields)s."), path=path,
                               fields=" or ".join(missing)), NEW_KEY)
        try:
            service_account.Credentials.from_service_account_info(info, scopes=[self.scope])
        except Exception:  # whatever the parser finds wrong, the message is the same
            raise _Failed(said(N_("The private key in %(path)s is damaged or in a form Google's "
                                  "libraries cannot read."), path=path), NEW_KEY) from None
        self.email = str(info["client_email"])
        self.client_id = str(info.get("client_id") or "")
        self.token_host = urlsplit(str(info["token_uri"])).netloc or str(info["token_uri"])
        if self.kind == DELEGATED:
            return said(N_("It is the key of the service account %(email)s, which acts for "
                           "%(person)s. Your Google Workspace admin grants this in the Admin "
                           "console (Security → Access and data control → API controls → Manage "
                           "domain-wide delegation): client ID %(client_id)s, scope %(scope)s."),
                        email=self.email, person=self.subject,
                        client_id=self.client_id or said(N_("(in the key file)")),
                        scope=self.scope), NOTHING
        return said(N_("It is the key of the service account %(email)s. The shared drive (or the "
                       "folder) must be shared with this address."), email=self.email), NOTHING

    def token(self) -> tuple[Said, Said]:
        try:
            self._client().fetch_token()
        except DriveError as error:
            raise self._common(error, self.token_host,
                               said(N_("Google's sign-in service"))) from None
        who = {PERSON: self.way.account, DELEGATED: self.subject,
               SHARED_DRIVE: self.email}[self.kind]
        return said(N_("Google accepted the sign-in and gave Hindsight an access token for "
                       "%(who)s."), who=who), NOTHING

    def folder_visible(self) -> tuple[Said, Said]:
        try:
            folder = self._client().run(lambda files: files.get(
                fileId=self.folder_id, fields="id,name,mimeType,trashed", supportsAllDrives=True,
            ))
        except DriveError as error:
            if _status(error) != 404:
                raise self._common(error, self._drive_host(), said(N_("Google Drive"))) from None
            return self._folder_by_writing()
        name = str(folder.get("name") or self.folder_id)
        if folder.get("mimeType") != FOLDER_MIME:
            raise _Failed(
                said(N_("The ID %(id)s belongs to a file, not a folder: “%(name)s”."),
                     id=self.folder_id, name=name),
                self._folder_id_fix(),
            )
        if folder.get("trashed"):
            raise _Failed(said(N_("The folder “%(name)s” is in the Google Drive bin."), name=name),
                          said(N_("Restore it from the bin in Google Drive, or choose another "
                                  "folder.")))
        return said(N_("Found the folder “%(name)s”."), name=name), NOTHING

    def folder_writable(self) -> tuple[Said, Said]:
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

    def _share_fix(self) -> Said:
        if self.kind == SHARED_DRIVE:
            return said(N_("Add %(email)s to the shared drive as a Content manager (or share the "
                           "folder with it as Content manager), as you would a colleague, and "
                           "untick “Notify people”. Viewer or Commenter is not enough."),
                        email=self.email)
        return said(N_("Share the folder with %(account)s as Editor, as you would with a "
                       "colleague. Viewer or Commenter is not enough."), account=self.way.account)

    def _folder_id_fix(self) -> Said:
        if self.stored.made_folder:
            return said(N_("The folder Hindsight made is gone or out of reach: click “Make the "
                           "reports folder for me” again."))
        return said(N_("Check HINDSIGHT_DRIVE_FOLDER_ID: open the folder in Google Drive and copy "
                       "the part of its web address after “folders/”, without anything after a "
                       "“?”. Then restart Hindsight."))

    def _folder_by_writing(self) -> tuple[Said, Said]:
        """Google will not describe the folder: a test Doc settles whether it is reachable."""
        outcome = self._write_test_doc()
        if isinstance(outcome, _Failed) and outcome.kind == "folder":
            hidden = drive_errors.folder_not_visible(self.way, self.folder_id)
            if self.way.limited and not self.stored.made_folder:
                raise _Failed(hidden.message, hidden.hint)
            raise _Failed(
                said(N_("Google Drive has no folder with the ID %(id)s that %(who)s may use: "
                        "either the ID is wrong or the folder is not shared with it."),
                     id=self.folder_id, who=self.way.who),
                sentences(self._share_fix(), self._folder_id_fix()),
            )
        self.write_outcome = outcome
        return said(N_("Google does not show Hindsight the folder's details (normal with the "
                       "limited access Hindsight asks for), but the folder is there.")), NOTHING

    def _write_test_doc(self) -> tuple[Said, Said] | _Failed:
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
                said(N_("Hindsight made a test Doc but could not find it again by its key, so "
                        "every export would make a new copy instead of updating the last one.")),
                said(N_("Tell %(admin)s: HINDSIGHT_DRIVE_API_ENDPOINT may point at a proxy that "
                        "changes Drive's answers."), admin=drive_errors.ADMIN),
            )
        removed = self._remove(made.id)
        if removed == "deleted":
            return said(N_("Hindsight made a small Google Doc in the folder from HTML, found it "
                           "again by its key, updated it and deleted it again.")), NOTHING
        if removed == "trashed":
            return said(N_("Hindsight made a small Google Doc in the folder from HTML, found it "
                           "again by its key, updated it. It was not allowed to delete it for "
                           "good, so it moved it to the bin, which Google empties after 30 "
                           "days.")), NOTHING
        return (said(N_("Hindsight made a small Google Doc in the folder from HTML, found it "
                        "again by its key, updated it, so exports will work, but it could not "
                        "remove the Doc afterwards.")),
                said(N_("Delete “%(name)s” from the folder yourself."), name=TEST_FILE_NAME))

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
            return _Failed(said(N_("Hindsight can reach the folder but is not allowed to add "
                                   "files to it.")), self._share_fix())
        if error.kind == "storage" and self.kind == SHARED_DRIVE:
            return _Failed(
                said(N_("Google Drive refused the test Doc because there is no storage space "
                        "for it: service accounts have none of their own, so a folder in "
                        "someone's My Drive does not work for them.")),
                said(N_("Use a folder in a shared drive: add %(email)s to the shared drive as "
                        "Content manager and set HINDSIGHT_DRIVE_FOLDER_ID to the folder's ID. "
                        "Or let the service account act for a person of your organisation "
                        "(HINDSIGHT_DRIVE_SUBJECT), or connect a person's Google account on "
                        "this page. If the folder is already in a shared drive, your "
                        "organisation's Google storage is full: ask your Google Workspace "
                        "admin."), email=self.email),
            )
        if error.kind in ("storage", "membership"):
            return _Failed(error.message, error.hint)
        return self._common(error, self._drive_host(), said(N_("Google Drive")))

    def _common(self, error: DriveError, host: str, service: Said) -> _Failed:
        """Failures any step can meet: the sign-in refused, the API off, the network, Google."""
        if _reason(error) in drive_errors.API_OFF_REASONS:
            project = (said(N_("the project the service account belongs to (the part between "
                               "“@” and “.iam” of its address)")) if self.kind != PERSON
                       else said(N_("the project of the OAuth client")))
            return _Failed(
                said(N_("The Google Drive API is turned off in Hindsight's Google Cloud "
                        "project.")),
                said(N_("In the Google Cloud console, choose %(project)s, search for “Google "
                        "Drive API” and click Enable. Wait a few minutes, then check again."),
                     project=project),
            )
        if error.kind in ("reconnect", "delegation", "membership", "storage"):
            return _Failed(error.message, error.hint)
        if error.kind == "credentials":
            return _Failed(
                said(N_("Google refused the key: it has been deleted, disabled or has expired "
                        "(revoked), or the service account itself has.")),
                said(N_("Make a new key for %(email)s: %(new_key)s Put it at %(path)s in place "
                        "of the old one, restart Hindsight, and delete the old key in the "
                        "console. %(policy)s"), email=self.email, new_key=NEW_KEY,
                     path=self.key_path, policy=KEY_POLICY),
            )
        if error.kind == "tls":
            ca_file = os.environ.get("HTTPLIB2_CA_CERTS")
            now = (said(N_("it is set to %(file)s now, and that file does not hold the right "
                           "certificate authority"), file=ca_file) if ca_file
                   else said(N_("it is not set now")))
            return _Failed(
                said(N_("Hindsight could not make a secure connection to %(host)s: the "
                        "certificate it was shown is not one it trusts. This usually means the "
                        "network inspects secure traffic (a company TLS proxy)."), host=host),
                said(N_("Ask your network's administrators for their certificate authority as a "
                        "PEM file and set HTTPLIB2_CA_CERTS to its path where Hindsight is "
                        "started (%(now)s). Do not turn certificate checks off."), now=now),
            )
        if error.kind in ("connection", "timeout"):
            what = (said(N_("Hindsight could not reach %(service)s (%(host)s)."), service=service,
                         host=host) if error.kind == "connection" else
                    said(N_("Hindsight got no answer in time from %(service)s (%(host)s)."),
                         service=service, host=host))
            return _Failed(
                what,
                said(N_("Check that this machine can reach https://%(host)s/ (for example with "
                        "“curl -I https://%(host)s/”). If it must go through a web proxy, set "
                        "HTTPS_PROXY where Hindsight is started; if the network inspects secure "
                        "traffic, set HTTPLIB2_CA_CERTS to its certificate authority. Then check "
                        "again."), host=host),
            )
        if error.kind == "unavailable":
            return _Failed(said(N_("%(service)s is having problems right now."),
                                service=service).capitalised(),
                           said(N_("Nothing needs changing in the set-up for this; check again in "
                                   "a few minutes.")))
        if error.kind == "quota":
            return _Failed(said(N_("Google Drive asked Hindsight to slow down (too many "
                                   "requests).")),
                           said(N_("Wait a few minutes and check again.")))
        if error.kind == "folder" or _status(error) in (403, 404):
            return _Failed(
                said(N_("%(who)s may not use the folder with the ID %(id)s."), who=self.way.who,
                     id=self.folder_id).capitalised(),
                sentences(self._share_fix(), self._folder_id_fix()),
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
        return said(N_("the user Hindsight runs as"))


def _trash(files: Any, *, file_id: str) -> Any:
    """The request that moves one file to the bin (the check's clean-up when delete is refused)."""
    return files.update(fileId=file_id, body={"trashed": True}, supportsAllDrives=True)
