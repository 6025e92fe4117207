"""Backups of the whole state, and restores that write all of a backup or nothing.

A backup is a new folder of plain JSON files, readable without the app:

- ``reports/<id>.json``, one per report, the bin included: the report's id, version, team,
  created, updated and deleted times, its exchange document, every revision (the history, each
  with its exchange document), its review comments and its export records.
- ``attachments/<sha256>``: the reports' files (reports/attachments.py), each content once;
  each report's file lists its own, with their captions and "internal only".
- ``accounts.json``, only when asked for (``with_accounts``): every account, password hash
  (scrypt) included, so people can sign in after a restore.
- ``manifest.json``, written last: each file with its SHA-256, and an HMAC-SHA256 signature of
  the manifest made with a key derived from the app's secret key.

What is derived from the reports is not copied but rebuilt on restore: the library's columns
(title, dates, authors, search text), the ``action_items`` table and the SQLite full-text index
(PostgreSQL's search index follows the column by itself). The exported files themselves live
in the shared folder or on Drive and are not in a backup; their records are.

Checksums catch a damaged file. The signature catches a deliberate change by anyone who can
write to the backup but does not know the secret key: a changed file with a recomputed
checksum, a file added to or left out of the manifest. A backup is not encrypted, and the
signature does not say whether a backup is the newest one. An instance with another secret key
cannot check the signature, so ``restore`` refuses it unless ``ignore_signature`` is given; only
damage is detected then, so use it only for a backup whose origin you trust (or restore with
the original key instead).

A restore reads and checks the whole backup first, into memory, and writes nothing until every
file is known to be sound; it then writes everything in one database transaction, so any
failure leaves the database as it was. Into an instance without reports (the bin counts) it
keeps every id, so shared links keep working; into one with reports it is refused unless
``as_new``, which adds each report once under a new id with its history and comments (but not
its export records: the files they name belong to this instance's own reports).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from accounts.roles import ROLES

from . import revision_codec
from .checks import check_report
from .comments import PARTS
from .document_text import document_text
from .exchange import DocumentError, from_document, to_document
from .exports_log import DESTINATIONS
from .language import N_, say
from .model import COPIES, Report
from .revision_parts import KINDS, from_text, to_text
from .store import ReportStore, _utc, compressed_document
from .tables import (
    ActionItemRow,
    AttachmentRow,
    CommentRow,
    ExportRow,
    ReportRow,
    RevisionRow,
    UserRow,
    table_of,
)

BACKUP_FORMAT = "hindsight-backup/2"
MANIFEST = "manifest.json"
ACCOUNTS_FILE = "accounts.json"
SIGNATURE_ALGORITHM = "HMAC-SHA256"
MAX_ID = 2**31 - 1  # PostgreSQL's integer
# Tables whose ids a restore keeps, so their sequences must move past them on PostgreSQL.
_KEPT_ID_TABLES = ("reports", "review_comments", "exports", "attachments")
ATTACHMENTS_FOLDER = "attachments"  # the reports' files, one per content, named by its SHA-256


class BackupError(ValueError):
    """The backup cannot be written or restored; the message says why, in one line."""

    def __init__(self, message: str):
        super().__init__(" ".join(message.split()))


@dataclass(frozen=True)
class BackupResult:
    folder: Path
    reports: int
    in_bin: int
    revisions: int
    comments: int
    exports: int
    accounts: int | None  # None: accounts were not asked for


@dataclass(frozen=True)
class RevisionRecord:
    version: int
    saved_at: datetime
    author: str | None
    note: str | None
    document: str  # the exchange document as JSON text, checked with ``from_document``
    # The history's columns (``RevisionRow``); a backup made before them has none of them.
    kind: str | None = None
    parts: str | None = None  # as stored: JSON text
    folded: bool = False
    group_started_at: datetime | None = None
    group_saves: int = 1


@dataclass(frozen=True)
class ReportRecord:
    id: int
    version: int
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    team: str | None
    report: Report
    revisions: list[RevisionRecord]
    comments: list[dict[str, Any]]  # the review_comments columns, id included
    exports: list[dict[str, Any]]  # the exports columns, id included
    # The report's files (reports/attachments.py): their columns, ``data`` the bytes.
    attachments: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Backup:
    """A backup read from its folder and checked through, ready to be written in one go."""

    reports: list[ReportRecord]
    accounts: list[dict[str, Any]] | None


@dataclass(frozen=True)
class RestoreResult:
    ids: dict[int, int]  # the id in the backup -> the id here
    in_bin: int
    revisions: int
    comments: int
    exports: int
    accounts_added: int = 0
    accounts_kept: list[str] = field(default_factory=list)  # usernames already here


# Signing ---------------------------------------------------------------------------------------


def _signing_key(secret_key: str | bytes) -> bytes:
    """A key of its own for backups, so a signature made here is never valid anywhere else."""
    secret = secret_key.encode() if isinstance(secret_key, str) else secret_key
    return hmac.new(secret, b"hindsight backup manifest", hashlib.sha256).digest()


def _canonical(manifest: dict[str, Any]) -> bytes:
    unsigned = {key: value for key, value in manifest.items() if key != "signature"}
    return json.dumps(unsigned, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode()


def sign_manifest(manifest: dict[str, Any], secret_key: str | bytes) -> dict[str, Any]:
    """The manifest with its ``signature``: HMAC-SHA256 of its canonical JSON, signature left out.

    The manifest is signed as parsed, so re-indenting it keeps the signature valid and any change
    of a value (a checksum, a file, an id) breaks it.
    """
    value = hmac.new(_signing_key(secret_key), _canonical(manifest), hashlib.sha256).hexdigest()
    return {**manifest, "signature": {"algorithm": SIGNATURE_ALGORITHM, "value": value}}


def _check_signature(manifest: dict[str, Any], secret_key: str | bytes,
                     ignore_signature: bool) -> None:
    if ignore_signature:
        return
    signature = manifest.get("signature")
    if signature is None:
        raise BackupError(say(N_("the backup is not signed; restore it with --ignore-signature "
                                 "only if you trust where it came from")))
    if (not isinstance(signature, dict) or signature.get("algorithm") != SIGNATURE_ALGORITHM
            or not isinstance(signature.get("value"), str)):
        raise BackupError(f"the manifest's signature is not an {SIGNATURE_ALGORITHM} signature")
    expected = sign_manifest(manifest, secret_key)["signature"]["value"]
    if not hmac.compare_digest(expected, signature["value"]):
        raise BackupError(say(N_(
            "the manifest's signature does not match this instance's secret key: the backup "
            "was changed after it was made, or made by an instance with another secret key "
            "(restore with that key, or with --ignore-signature if you trust the backup)")))


# Writing a backup ------------------------------------------------------------------------------


def _write_new(path: Path, data: bytes) -> None:
    """Write a file that must not exist yet, readable by its owner only; not synced yet."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(handle, "wb") as out:
        out.write(data)


def _sync(*paths: Path) -> None:
    """Flush files and folders to disk; once for all the files is far cheaper than one by one."""
    for path in paths:
        handle = os.open(path, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def _write_atomically(path: Path, data: bytes) -> None:
    """Write a whole file or none: a temporary file (mode 0600) synced and renamed into place."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync(path.parent)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else _utc(moment).isoformat()


@contextmanager
def _snapshot(engine: Engine) -> Iterator[sa.Connection]:
    """A connection that sees the database as it was at one moment while the app writes on."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execution_options(isolation_level="REPEATABLE READ")
        elif engine.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN")  # pysqlite starts no transaction for reads
        yield connection


def _rows_by_report(connection: sa.Connection, table: sa.Table,
                    order: list[Any]) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = {}
    for row in connection.execute(sa.select(table).order_by(*order)):
        grouped.setdefault(row.report_id, []).append(row)
    return grouped


def _report_record(row: Any, revisions: list[Any], comments: list[Any],
                   exports: list[Any]) -> dict[str, Any]:
    return {
        "id": row.id, "version": row.version, "team": row.team,
        "created_at": _iso(row.created_at), "updated_at": _iso(row.updated_at),
        "deleted_at": _iso(row.deleted_at),
        "document": json.loads(row.document),
        "revisions": [
            {"version": r.version, "saved_at": _iso(r.saved_at), "author": r.author,
             "note": r.note, "document": json.loads(revision_codec.unpack(r.document)),
             "kind": r.kind, "parts": from_text(r.parts), "folded": bool(r.folded),
             "group_started_at": _iso(r.group_started_at), "group_saves": r.group_saves}
            for r in revisions
        ],
        "comments": [
            {"id": c.id, "part": c.part, "body": c.body, "author": c.author,
             "created_at": _iso(c.created_at), "resolved_at": _iso(c.resolved_at),
             "resolved_by": c.resolved_by}
            for c in comments
        ],
        "exports": [
            {"id": e.id, "format": e.format, "destination": e.destination,
             "location": e.location, "link": e.link, "report_version": e.report_version,
             "copy": e.copy, "created_at": _iso(e.created_at), "ok": bool(e.ok),
             "message": e.message}
            for e in exports
        ],
    }


def _dump(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2).encode()


def _write_attachments(connection: sa.Connection, report_id: int, folder: Path,
                       files: dict[str, str]) -> list[dict[str, Any]]:
    """A report's files: each content written once as ``attachments/<sha256>`` (``files``
    collects them for the manifest), and the columns of each for the report's record."""
    table = table_of(AttachmentRow)
    records = []
    for a in connection.execute(sa.select(table).where(table.c.report_id == report_id)
                                .order_by(table.c.id)):
        name = f"{ATTACHMENTS_FOLDER}/{a.sha256}"
        if a.sha256 not in files:
            _write_new(folder / name, a.data)
            files[a.sha256] = name
        records.append({
            "id": a.id, "name": a.name, "type": a.mimetype, "size": a.size,
            "sha256": a.sha256, "file": name, "caption": a.caption,
            "internal": bool(a.internal), "width": a.width, "height": a.height,
            "created_at": _iso(a.created_at), "created_by": a.created_by})
    return records


def _write_reports(connection: sa.Connection, folder: Path, files: dict[str, str] | None = None,
                   ) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """One file per report, the bin included; returns the manifest's entries and the counts.

    The reports' files go in ``attachments/``; ``files`` collects them (sha256 -> file)."""
    files = {} if files is None else files
    revisions = _rows_by_report(connection, table_of(RevisionRow),
                                [RevisionRow.report_id, RevisionRow.version])
    comments = _rows_by_report(connection, table_of(CommentRow),
                               [CommentRow.report_id, CommentRow.id])
    exports = _rows_by_report(connection, table_of(ExportRow),
                              [ExportRow.report_id, ExportRow.id])
    entries = []
    counts = {"in_bin": 0, "revisions": 0, "comments": 0, "exports": 0}
    for row in connection.execute(sa.select(ReportRow).order_by(ReportRow.id)):
        record = _report_record(row, revisions.get(row.id, []), comments.get(row.id, []),
                                exports.get(row.id, []))
        record["attachments"] = _write_attachments(connection, row.id, folder, files)
        counts["in_bin"] += row.deleted_at is not None
        for part in ("revisions", "comments", "exports"):
            counts[part] += len(record[part])
        data = _dump(record)
        name = f"reports/{row.id}.json"
        _write_new(folder / name, data)
        entries.append({"id": row.id, "file": name, "sha256": hashlib.sha256(data).hexdigest()})
    return entries, counts


def _write_accounts(connection: sa.Connection, folder: Path) -> tuple[dict[str, str], int]:
    accounts = [
        {"username": u.username, "display_name": u.display_name,
         "password_hash": u.password_hash, "role": u.role, "team": u.team,
         "created_at": _iso(u.created_at)}
        for u in connection.execute(sa.select(table_of(UserRow)).order_by(UserRow.id))
    ]
    data = _dump({"accounts": accounts})
    _write_new(folder / ACCOUNTS_FILE, data)
    return {"file": ACCOUNTS_FILE, "sha256": hashlib.sha256(data).hexdigest()}, len(accounts)


def backup(store: ReportStore, folder: Path, secret_key: str | bytes,
           with_accounts: bool = False) -> BackupResult:
    """Write the whole state into ``folder`` (new or empty), then read it back to check it."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BackupError(say(N_("%(folder)s is not an empty folder; give each backup a new "
                                 "folder"), folder=str(folder)))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "reports").mkdir()
        files: dict[str, str] = {}
        with _snapshot(store.engine) as connection:
            entries, counts = _write_reports(connection, folder, files)
            accounts = _write_accounts(connection, folder) if with_accounts else None
        _sync(*(folder / entry["file"] for entry in entries), folder / "reports", folder,
              *(folder / name for name in files.values()),
              *([folder / ATTACHMENTS_FOLDER] if files else []),
              *([folder / ACCOUNTS_FILE] if accounts else []))
        manifest = {"format": BACKUP_FORMAT,
                    "created_at": datetime.now().astimezone().isoformat(),
                    "reports": entries, "accounts": accounts[0] if accounts else None,
                    "attachments": [{"file": name, "sha256": digest}
                                    for digest, name in files.items()]}
        # Written last: a backup that stopped half-way has no manifest, so it is never restored.
        _write_atomically(folder / MANIFEST, _dump(sign_manifest(manifest, secret_key)))
    except OSError as error:
        raise BackupError(say(N_("cannot write the backup into %(folder)s: %(why)s"),
                              folder=str(folder), why=error.strerror or str(error))) from None
    try:  # a backup that this version cannot restore is no backup
        read_backup(folder, secret_key)
    except BackupError as error:
        raise BackupError(f"the backup written in {folder} cannot be restored: {error}") from None
    return BackupResult(folder=folder, reports=len(entries),
                        accounts=accounts[1] if accounts else None, **counts)


# Reading a backup ------------------------------------------------------------------------------

_MISSING = object()


class _Fields:
    """Typed reads from one JSON object of a backup; a wrong value is a one-line BackupError."""

    def __init__(self, value: Any, where: str):
        if not isinstance(value, dict):
            raise BackupError(f"{where} is not a JSON object")
        self.value = value
        self.where = where

    def get(self, key: str, expected: str, ok: Any, optional: bool = False) -> Any:
        value = self.value.get(key, _MISSING)
        if value is _MISSING or (value is None and not optional) or (
                value is not None and not ok(value)):
            shown = "missing" if value is _MISSING else json.dumps(value)[:60]
            raise BackupError(f"{self.where}: {key} must be {expected}, not {shown}")
        return value

    def integer(self, key: str, minimum: int = 1) -> int:
        return self.get(key, f"a whole number from {minimum} to {MAX_ID}",
                        lambda v: type(v) is int and minimum <= v <= MAX_ID)

    def text(self, key: str, limit: int | None = None, optional: bool = False) -> Any:
        expected = "text" if limit is None else f"text of at most {limit} characters"
        return self.get(key, expected + (" or null" if optional else ""),
                        lambda v: isinstance(v, str) and (limit is None or len(v) <= limit),
                        optional)

    def choice(self, key: str, allowed: Any) -> str:
        return self.get(key, f"one of {', '.join(allowed)}", lambda v: v in allowed)

    def flag(self, key: str) -> bool:
        return self.get(key, "true or false", lambda v: isinstance(v, bool))

    def moment(self, key: str, optional: bool = False) -> Any:
        def ok(value: Any) -> bool:
            try:
                return datetime.fromisoformat(value).tzinfo is not None
            except (TypeError, ValueError):
                return False

        value = self.get(key, "a date and time with its UTC offset"
                         + (" or null" if optional else ""), ok, optional)
        return None if value is None else datetime.fromisoformat(value)

    def objects(self, key: str) -> list[Any]:
        return self.get(key, "a list", lambda v: isinstance(v, list))

    def document(self, key: str, where: str) -> tuple[Report, str]:
        """An exchange document, checked, and as the JSON text the store keeps."""
        value = self.get(key, "a report document", lambda v: isinstance(v, dict))
        try:
            report = from_document(value)
        except DocumentError as error:
            raise BackupError(f"{where} is not a valid report: {error}") from None
        # What no save would store (times out of order, dates no page can show) is refused too.
        blocking = [f"{p.field}: {p.message}" for p in check_report(report) if p.blocking]
        if blocking:
            raise BackupError(f"{where} is not a valid report: {'; '.join(blocking)}")
        return report, document_text(value)  # as the store writes it


def _read_listed(root: Path, entry: Any, where: str, seen: set[Path]) -> tuple[str, bytes]:
    """The bytes of one file the manifest lists, once, inside the backup, matching its checksum."""
    fields = _Fields(entry, where)
    name = fields.text("file")
    digest = fields.get("sha256", "a SHA-256 in hexadecimal", lambda v: isinstance(v, str)
                        and len(v) == 64 and all(c in "0123456789abcdef" for c in v))
    try:
        path = (root / name).resolve()
    except (OSError, ValueError):  # a null byte, a loop of links
        path = root
    if root not in path.parents:
        raise BackupError(f"the manifest names a file outside the backup: {name!r}")
    if path in seen:
        raise BackupError(f"the manifest names {name} twice")
    seen.add(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise BackupError(f"cannot read {name}: {error.strerror or error}") from None
    if not hmac.compare_digest(hashlib.sha256(data).hexdigest(), digest):
        raise BackupError(f"{name} does not match its checksum in the manifest")
    return name, data


def _parse(name: str, data: bytes) -> Any:
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as error:
        raise BackupError(f"{name} is not valid JSON: {error}") from None


def _attachments(name: str, value: Any, contents: dict[str, bytes]) -> list[dict[str, Any]]:
    """A report's files from its record, each checked as an upload is (``prepare``), with its
    bytes from the backup's ``attachments/`` (which the manifest's checksums vouch for)."""
    from .attachments import AttachmentError, prepare

    found = []
    for index, item in enumerate(value.objects("attachments") if "attachments" in value.value
                                 else []):
        where = f"{name}: attachments[{index}]"
        att = _Fields(item, where)
        digest = att.text("sha256", 64)
        if digest not in contents:
            raise BackupError(f"{where}: its file is not in the backup's manifest")
        data = contents[digest]
        file_name, mimetype = att.text("name", 200), att.text("type", 100)
        try:
            checked = prepare(file_name, data)
        except AttachmentError as error:
            raise BackupError(f"{where} is not a file a report may hold: {error}") from None
        if checked.mimetype != mimetype:
            raise BackupError(f"{where} is said to be {mimetype} but is {checked.mimetype}")
        width = att.get("width", "a whole number or null",
                        lambda v: type(v) is int and v > 0, optional=True)
        found.append({
            "id": att.integer("id"), "name": file_name, "mimetype": mimetype,
            "size": len(data), "sha256": digest, "caption": att.text("caption", 500),
            "internal": att.flag("internal"), "width": width,
            "height": att.get("height", "a whole number or null",
                              lambda v: type(v) is int and v > 0, optional=True),
            "created_at": att.moment("created_at"),
            "created_by": att.text("created_by", 200, optional=True), "data": data})
    return found


def _report(name: str, value: Any, listed_id: int,
            contents: dict[str, bytes] | None = None) -> ReportRecord:
    fields = _Fields(value, name)
    report_id = fields.integer("id")
    if report_id != listed_id:
        raise BackupError(f"{name} holds report {report_id}, the manifest says {listed_id}")
    report, _ = fields.document("document", name)
    revisions = []
    for index, item in enumerate(fields.objects("revisions")):
        where = f"{name}: revisions[{index}]"
        rev = _Fields(item, where)
        version = rev.integer("version")
        _, text = rev.document("document", f"{where} (version {version})")
        revisions.append(RevisionRecord(
            version=version, saved_at=rev.moment("saved_at"),
            author=rev.text("author", 200, optional=True),
            note=rev.text("note", 200, optional=True), document=text,
            **_revision_history(rev)))
    if len({r.version for r in revisions}) != len(revisions):
        raise BackupError(f"{name} has two revisions with the same version")
    comments = []
    for index, item in enumerate(fields.objects("comments")):
        com = _Fields(item, f"{name}: comments[{index}]")
        comments.append({
            "id": com.integer("id"), "part": com.choice("part", PARTS),
            "body": com.text("body"), "author": com.text("author", 200),
            "created_at": com.moment("created_at"),
            "resolved_at": com.moment("resolved_at", optional=True),
            "resolved_by": com.text("resolved_by", 200, optional=True)})
    exports = []
    for index, item in enumerate(fields.objects("exports")):
        exp = _Fields(item, f"{name}: exports[{index}]")
        exports.append({
            "id": exp.integer("id"), "format": exp.text("format", 16),
            "destination": exp.choice("destination", DESTINATIONS),
            "location": exp.text("location", 1000), "link": exp.text("link", 2000, optional=True),
            "report_version": exp.integer("report_version"), "copy": exp.choice("copy", COPIES),
            "created_at": exp.moment("created_at"), "ok": exp.flag("ok"),
            "message": exp.text("message", optional=True)})
    return ReportRecord(
        id=report_id, version=fields.integer("version"),
        created_at=fields.moment("created_at"), updated_at=fields.moment("updated_at"),
        deleted_at=fields.moment("deleted_at", optional=True),
        team=fields.text("team", 200, optional=True), report=report,
        revisions=revisions, comments=comments, exports=exports,
        attachments=_attachments(name, fields, contents or {}))


def _is_parts(value: Any) -> bool:
    return isinstance(value, dict) and all(
        isinstance(rows, list) and all(isinstance(row, str) for row in rows)
        for rows in value.values())


def _revision_history(rev: _Fields) -> dict[str, Any]:
    """A revision's kind, parts and folding, each left at its default when the backup (made
    before they were kept) does not have it."""
    found: dict[str, Any] = {}
    if rev.value.get("kind") is not None:
        found["kind"] = rev.choice("kind", KINDS)
    if rev.value.get("parts") is not None:
        found["parts"] = to_text(rev.get("parts", "an object of parts", _is_parts))
    if "folded" in rev.value:
        found["folded"] = rev.flag("folded")
    if "group_started_at" in rev.value:
        found["group_started_at"] = rev.moment("group_started_at", optional=True)
    if "group_saves" in rev.value:
        found["group_saves"] = rev.integer("group_saves")
    return found


def _accounts(name: str, value: Any) -> list[dict[str, Any]]:
    accounts = []
    for index, item in enumerate(_Fields(value, name).objects("accounts")):
        acc = _Fields(item, f"{name}: accounts[{index}]")
        accounts.append({
            "username": acc.text("username", 200), "display_name": acc.text("display_name", 200),
            "password_hash": acc.text("password_hash", 500, optional=True),
            "role": acc.choice("role", ROLES), "team": acc.text("team", 200, optional=True),
            "created_at": acc.moment("created_at")})
    if len({a["username"] for a in accounts}) != len(accounts):
        raise BackupError(f"{name} names an account twice")
    return accounts


def _unique(values: list[int], what: str) -> None:
    seen: set[int] = set()
    for value in values:
        if value in seen:
            raise BackupError(f"the backup has {what} {value} twice")
        seen.add(value)


def read_backup(folder: Path, secret_key: str | bytes, ignore_signature: bool = False) -> Backup:
    """Read and check a whole backup; raises ``BackupError`` at the first thing wrong with it."""
    try:
        manifest = _parse(MANIFEST, (folder / MANIFEST).read_bytes())
    except OSError as error:
        raise BackupError(say(N_("%(folder)s has no readable %(manifest)s: %(why)s"),
                              folder=str(folder), manifest=MANIFEST,
                              why=error.strerror or str(error))) from None
    if not isinstance(manifest, dict) or manifest.get("format") != BACKUP_FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        if found == "hindsight-backup/1":
            raise BackupError(say(N_(
                "this is a hindsight-backup/1 backup from an older Hindsight, which only held "
                "each report's content: import its reports/*.json files one by one with "
                "`reports import`")))
        raise BackupError(say(N_("%(manifest)s is not a %(format)s manifest"),
                              manifest=MANIFEST, format=BACKUP_FORMAT))
    _check_signature(manifest, secret_key, ignore_signature)
    fields = _Fields(manifest, MANIFEST)
    root = folder.resolve()
    seen: set[Path] = set()
    contents: dict[str, bytes] = {}
    listed = fields.get("attachments", "a list", lambda v: isinstance(v, list), optional=True)
    for index, entry in enumerate(listed or []):
        name, data = _read_listed(root, entry, f"{MANIFEST}: attachments[{index}]", seen)
        contents[hashlib.sha256(data).hexdigest()] = data
    reports = []
    for index, entry in enumerate(fields.objects("reports")):
        listed_id = _Fields(entry, f"{MANIFEST}: reports[{index}]").integer("id")
        name, data = _read_listed(root, entry, f"{MANIFEST}: reports[{index}]", seen)
        reports.append(_report(name, _parse(name, data), listed_id, contents))
    _unique([r.id for r in reports], "report")
    _unique([c["id"] for r in reports for c in r.comments], "comment")
    _unique([e["id"] for r in reports for e in r.exports], "export record")
    _unique([a["id"] for r in reports for a in r.attachments], "file")
    accounts = None
    entry = fields.get("accounts", "an object or null", lambda v: isinstance(v, dict),
                       optional=True)
    if entry is not None:
        name, data = _read_listed(root, entry, f"{MANIFEST}: accounts", seen)
        accounts = _accounts(name, _parse(name, data))
    return Backup(reports=reports, accounts=accounts)


# Restoring -------------------------------------------------------------------------------------


def _lock_for_restore(session: Session) -> None:
    """Keep other writers out of the reports table until the restore commits."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("LOCK TABLE reports IN SHARE ROW EXCLUSIVE MODE"))
    else:  # SQLite: a write, even of no row, takes the database's write lock
        session.execute(sa.update(ReportRow).where(ReportRow.id == -1)
                        .values(version=ReportRow.version))


def _insert_report(session: Session, record: ReportRecord, keep_ids: bool) -> int:
    row = ReportRow(version=record.version, created_at=record.created_at,
                    updated_at=record.updated_at, deleted_at=record.deleted_at, team=record.team)
    if keep_ids:
        row.id = record.id
    ReportStore._fill(row, record.report)
    session.add(row)
    session.flush()
    connection = session.connection()
    _insert_attachments(session, row, record, keep_ids)
    if record.revisions:
        connection.execute(sa.insert(table_of(RevisionRow)), [
            {"report_id": row.id, "version": r.version, "saved_at": r.saved_at,
             "author": r.author, "note": r.note,
             "document": compressed_document(r.document),
             "kind": r.kind, "parts": r.parts, "folded": r.folded,
             "group_started_at": r.group_started_at, "group_saves": r.group_saves}
            for r in record.revisions
        ])
    if record.comments:
        comments = [{**c, "report_id": row.id} for c in record.comments]
        if not keep_ids:
            for comment in comments:
                del comment["id"]
        connection.execute(sa.insert(table_of(CommentRow)), comments)
    if record.exports and keep_ids:
        connection.execute(sa.insert(table_of(ExportRow)),
                           [{**e, "report_id": row.id} for e in record.exports])
    ReportStore.rebuild_derived(connection, row.id, record.report, columns=False)
    if record.deleted_at is not None:  # as ``ReportStore.delete``: out of the action item lists
        connection.execute(sa.delete(table_of(ActionItemRow))
                           .where(table_of(ActionItemRow).c.report_id == row.id))
    return row.id


_FIGURE_REFERENCE = re.compile(r"attachment:(\d{1,10})")


def _insert_attachments(session: Session, row: ReportRow, record: ReportRecord,
                        keep_ids: bool) -> None:
    """The report's files; under new ids (``as_new``), its text is made to name the new ids."""
    renumbered: dict[str, str] = {}
    for attachment in record.attachments:
        added = AttachmentRow(**{**attachment, "report_id": row.id,
                                 **({} if keep_ids else {"id": None})})
        session.add(added)
        session.flush()
        renumbered[str(attachment["id"])] = str(added.id)
    if keep_ids or all(old == new for old, new in renumbered.items()):
        return
    document = _FIGURE_REFERENCE.sub(
        lambda m: f"attachment:{renumbered.get(m.group(1), m.group(1))}",
        document_text(to_document(record.report)))
    ReportStore._fill(row, from_document(json.loads(document)))
    session.flush()


def _restore_accounts(session: Session, accounts: list[dict[str, Any]]) -> list[str]:
    """Add the accounts not here yet; returns the usernames already here, left as they are."""
    here = set(session.scalars(sa.select(UserRow.username)))
    new = [account for account in accounts if account["username"] not in here]
    if new:
        session.execute(sa.insert(table_of(UserRow)), new)
    return [account["username"] for account in accounts if account["username"] in here]


def _reset_sequences(session: Session) -> None:
    """Move PostgreSQL's id sequences past the ids restored, so new rows do not collide."""
    for table in _KEPT_ID_TABLES:
        session.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE(MAX(id), 0) + 1, false) FROM {table}"))


def restore(store: ReportStore, folder: Path, secret_key: str | bytes, *, as_new: bool = False,
            ignore_signature: bool = False) -> RestoreResult:
    """Restore a backup whole, or raise ``BackupError`` having written nothing."""
    backup = read_backup(folder, secret_key, ignore_signature)
    ids: dict[int, int] = {}
    kept: list[str] = []
    try:
        with Session(store.engine) as session, session.begin():
            _lock_for_restore(session)
            present = session.scalar(sa.select(sa.func.count()).select_from(ReportRow)) or 0
            if present and not as_new:
                raise BackupError(say(N_(
                    "this instance already has reports (%(present)s, the bin included); restore "
                    "into an empty instance, or add the backup's reports with --as-new"),
                    present=present))
            for record in backup.reports:
                ids[record.id] = _insert_report(session, record, keep_ids=not as_new)
            if backup.accounts:
                kept = _restore_accounts(session, backup.accounts)
            if not as_new and store.engine.dialect.name == "postgresql":
                _reset_sequences(session)
    except sa.exc.SQLAlchemyError as error:
        detail = str(error.orig if isinstance(error, sa.exc.DBAPIError) else error).strip()
        raise BackupError("the database refused the restore and nothing was written: "
                          + (detail.splitlines() or [type(error).__name__])[0]) from error
    store.refresh_statistics()
    reports = backup.reports
    return RestoreResult(
        ids=ids, in_bin=sum(r.deleted_at is not None for r in reports),
        revisions=sum(len(r.revisions) for r in reports),
        comments=sum(len(r.comments) for r in reports),
        exports=0 if as_new else sum(len(r.exports) for r in reports),
        accounts_added=len(backup.accounts or []) - len(kept), accounts_kept=kept)
