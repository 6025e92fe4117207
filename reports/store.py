"""Storage of reports in any SQLAlchemy database (a SQLite file by default).

A report is kept as its exchange document (JSON text) beside a few columns the list needs.
Every write runs in one transaction, so a failure half-way leaves the previous version intact.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, overload

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from . import revision_codec
from . import store_statements as statements
from .db_locks import named_lock
from .document_text import document_text
from .exchange import to_document
from .model import Report, StoredReport
from .prompt_turn import prompt_turn
from .revision_parts import AUTOSAVE, KINDS, Parts, changed_parts, from_text, joined, to_text
from .searchable import client_search_text, search_text
from .stored_document import stored_report
from .tables import ActionItemRow, ReportRow, RevisionRow, table_of
from .workflow import check_published_unchanged
from .written_rows import WrittenRow, WrittenRows

BIN_DAYS = 30
BIN_PERIOD = timedelta(days=BIN_DAYS)
# An autosave this soon after the same author's previous one joins it in the history.
FOLD_WINDOW = timedelta(minutes=10)
# Folded autosaves stay readable this long (the version a page was based on, for merges).
KEEP_FOLDED = timedelta(days=1)
# Within a group of folded autosaves, the older folded ones are looked for once in this many
# saves (every other save looks each time): a group adds one a save, so at most this many wait.
PRUNE_EVERY = 16


class _ParsedDocuments:
    """The last few documents read, parsed once (by their text).

    A save reads the document twice: the page (or the API) reads the report it changes, then
    the save compares the stored document with the new one under the write lock. Both are the
    same text; parsing 50 KB of JSON twice was a fifth of an autosave, and done under the lock
    it made other saves wait. Keyed by the text itself, a stale entry cannot exist. The parsed
    documents are shared: they are only read (``stored_report`` copies what it keeps).
    """

    MAX_ENTRIES = 16
    MAX_TEXT = 1_000_000  # characters: larger documents are parsed every time

    def __init__(self) -> None:
        self._entries: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, text: str) -> Any:
        if len(text) > self.MAX_TEXT:
            return json.loads(text)
        with self._lock:
            found = self._entries.get(text)
            if found is not None:
                self._entries.move_to_end(text)
                return found
        parsed = json.loads(text)
        self.remember(text, parsed)
        return parsed

    def remember(self, text: str, parsed: Any) -> None:
        """Keep ``parsed`` as what ``text`` reads as: a save keeps the document it wrote, which
        the next request on the report (an autosave a second later) reads back."""
        if len(text) > self.MAX_TEXT:
            return
        with self._lock:
            self._entries[text] = parsed
            self._entries.move_to_end(text)
            while len(self._entries) > self.MAX_ENTRIES:
                self._entries.popitem(last=False)


parsed_document = _ParsedDocuments()


def compressed_document(text: str) -> bytes:
    """A revision's document, compressed (reports/revision_codec.py): every autosave pays it."""
    return revision_codec.pack(text)


@dataclass(frozen=True)
class _Prepared:
    """What a save writes, worked out before it takes the write lock."""

    document: dict[str, object]
    text: str
    compressed: bytes
    columns: dict[str, object]

    @classmethod
    def of(cls, report: Report) -> _Prepared:
        document = to_document(report)
        text = document_text(document)
        return cls(document=document, text=text, compressed=compressed_document(text),
                   columns=_derived_columns(report, words=False))


def _derived_columns(report: Report, words: bool = True) -> dict[str, object]:
    """The library's copies of parts of a report; with ``words``, its search words too."""
    columns: dict[str, object] = {
        "resolved_at": _utc(report.resolved_at),
        "authors": ", ".join(report.authors)[:2000],
        "follow_up_review_on": report.follow_up_review_on,
    }
    if words:
        columns.update(search_text=search_text(report),
                       client_search_text=client_search_text(report), words_stale=False)
    return columns


def _row_values(report: Report, text: str, columns: dict[str, object]) -> dict[str, object]:
    """The report row's columns for a report whose document is ``text``."""
    return {
        "title": report.title[:200], "service": report.service[:200],
        "severity": report.severity, "status": report.status,
        "started_at": _utc(report.started_at or report.detected_at), "document": text,
        "follow_up_held_on": report.follow_up_held_on, **columns,
    }


def refresh_search_words(engine: Engine) -> int:
    """Index the words of every report saved since its words were indexed; how many.

    A save only marks its report (``words_stale``): indexing 40 KB of text twice (all the
    words, and the client copy's) took most of an autosave. Search calls this first, so what
    it finds is always the reports as saved. A report saved again meanwhile stays marked.
    """
    reports = table_of(ReportRow)
    with engine.begin() as connection:
        stale = connection.execute(
            sa.select(reports.c.id, reports.c.version, reports.c.document)
            .where(reports.c.words_stale.is_(True))
        ).all()
        for row in stale:
            report = stored_report(json.loads(row.document))
            marked = connection.execute(
                sa.update(reports)
                .where(reports.c.id == row.id, reports.c.version == row.version)
                .values(search_text=search_text(report),
                        client_search_text=client_search_text(report), words_stale=False)
            ).rowcount
            if marked:
                _index_words(connection, row.id, report)
    return len(stale)


def _index_words(connection: sa.Connection, report_id: int, report: Report) -> None:
    """SQLite's full-text tables (PostgreSQL indexes the columns themselves)."""
    if connection.dialect.name != "sqlite":
        return
    for table, text in (("reports_fts", search_text(report)),
                        ("reports_client_fts", client_search_text(report))):
        connection.execute(sa.text(f"DELETE FROM {table} WHERE rowid = :id"), {"id": report_id})
        connection.execute(
            sa.text(f"INSERT INTO {table} (rowid, search_text) VALUES (:id, :text)"),
            {"id": report_id, "text": text},
        )


# A statement and its parameters (a list of them: one execution per item), run in order.
Step = tuple[sa.Executable, dict[str, Any] | list[dict[str, Any]] | None]
# The row a save is worked out from: as read (``CURRENT_ROW``), or as this process wrote it.
ReadRow = sa.Row[*tuple[Any, ...]] | WrittenRow


def _run(connection: sa.Connection, steps: list[Step]) -> None:
    for statement, parameters in steps:
        connection.execute(statement, parameters)


def _revision_steps(
    previous: ReadRow | None, report_id: int, version: int, saved_at: datetime,
    author: str | None, note: str | None, kind: str, parts: Parts, compressed: bytes,
) -> tuple[list[Step], dict[str, Any]]:
    """What keeps ``version`` (being written) in the history, with what made it and the parts
    it changed, and the new revision's columns. ``previous``: the row read with the version
    before it (``CURRENT_ROW``: its revision is in the ``last_*`` columns), or None for a new
    report.

    An autosave right after the same author's previous autosave (within ``FOLD_WINDOW``) folds
    that one: the history shows the group as this newest revision, with the parts all of it
    changed. Folded revisions stay readable by version for ``KEEP_FOLDED``, because a page may
    still be based on one of them; older ones go with the next save that starts a group, or
    with one in ``PRUNE_EVERY`` of a group.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind of revision: {kind!r}")
    now = _utc(saved_at)
    started_at, saves = None, 1
    steps: list[Step] = []
    if (kind == AUTOSAVE and previous is not None
            and previous.last_kind == AUTOSAVE and not previous.last_folded
            and previous.last_author == author
            and timedelta(0) <= now - _utc(previous.last_saved_at) <= FOLD_WINDOW):
        steps.append((statements.FOLD_REVISION, {"of_report": report_id,
                                                 "of_version": previous.version}))
        started_at = _utc(previous.last_group_started_at or previous.last_saved_at)
        saves = previous.last_group_saves + 1
        parts = joined(from_text(previous.last_parts) or {}, parts)
    revision = {
        "report_id": report_id, "version": version, "saved_at": now, "author": author,
        "note": note, "kind": kind, "document": compressed, "parts": to_text(parts),
        "folded": False, "group_started_at": started_at, "group_saves": saves,
    }
    steps.append((statements.ADD_REVISION, revision))
    if saves == 1 or saves % PRUNE_EVERY == 0:  # one statement less for most autosaves
        steps.append((statements.PRUNE_FOLDED, {"report_id": report_id,
                                                "before": now - KEEP_FOLDED}))
    return steps, revision


def _action_steps(report_id: int, report: Report) -> list[Step]:
    """What makes the action items' table (lists across reports) hold the report's items."""
    steps: list[Step] = [(statements.REMOVE_ACTIONS, {"report_id": report_id})]
    if report.actions:
        steps.append((statements.ADD_ACTIONS, [
            {"report_id": report_id, "position": position,
             "description": action.description, "owner": action.owner,
             "priority": action.priority, "due": action.due, "status": action.status,
             "ticket": action.ticket, "internal": action.internal}
            for position, action in enumerate(report.actions)
        ]))
    return steps


@dataclass(frozen=True)
class _SavePlan:
    """A save, worked out from the version it replaces: written only if that version is still
    the stored one (its first step, the row's update, says so by changing one row)."""

    saved: StoredReport
    steps: list[Step]
    written: WrittenRow  # the report's row once this is written

    def write(self, connection: sa.Connection) -> bool:
        (row_update, values), *rest = self.steps
        if connection.execute(row_update, values).rowcount != 1:
            return False
        _run(connection, rest)
        return True


def _take_the_write_lock(connection: sa.Connection, report_id: int) -> None:
    """A no-op UPDATE of the report's row: it locks the row (PostgreSQL) or takes the
    database's write lock (SQLite) before anything is read."""
    connection.execute(statements.TAKE_THE_WRITE_LOCK, {"report_id": report_id})


class NoLongerAsWritten(Exception):
    """A save was worked out from the row this process wrote (``get_to_save_over``), and the
    stored row is no longer that one: someone saved, binned or restored it since. Nothing was
    written; start again from the report as stored (``get``)."""


class VersionConflict(Exception):
    """A save based on an old version; ``current`` is what is stored now."""

    def __init__(self, current: StoredReport):
        self.current = current
        super().__init__(f"report {current.id} is at version {current.version}")


@dataclass(frozen=True)
class RevisionSummary:
    """One entry of the history: a revision, or the newest of a group of folded autosaves."""

    version: int
    saved_at: datetime
    author: str | None
    note: str | None
    stored_bytes: int
    kind: str | None = None  # None: kept before kinds were recorded
    parts: Parts | None = None  # None: not known; for a group, what all of it changed
    first_saved_at: datetime | None = None  # the group's first autosave (else saved_at)
    saves: int = 1  # autosaves in the group


@dataclass(frozen=True)
class ReportSummary:
    id: int
    title: str
    service: str
    severity: str | None
    status: str
    started_at: datetime | None
    updated_at: datetime
    team: str | None = None


@overload
def _utc(moment: datetime) -> datetime: ...
@overload
def _utc(moment: None) -> None: ...
def _utc(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything stored here is UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _now() -> datetime:
    return datetime.now(UTC)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            # First, so that everything after it waits for another process's lock instead of
            # failing with "database is locked" (workers starting together on a new file).
            cursor.execute("PRAGMA busy_timeout=5000")
            # WAL keeps readers going during a save; FULL sync makes an acknowledged save durable.
            # The WAL switch is stored in the file: migrate.upgrade makes it once, under the
            # migration lock; here it is only repeated, and a busy file is not an error.
            with contextlib.suppress(sqlite3.OperationalError):
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

    return engine


class ReportStore:
    def __init__(self, engine: Engine):
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._writing = threading.local()
        self._written = WrittenRows()

    def refresh_statistics(self) -> None:
        """Let SQLite's query planner know the tables' sizes (PostgreSQL does this itself).

        Without statistics SQLite may walk an index row by row where a scan is cheaper; run at
        start-up, with a sampling limit so it takes milliseconds even on a large database.
        """
        if self.engine.dialect.name != "sqlite":
            return
        with self.engine.begin() as connection:
            connection.exec_driver_sql("PRAGMA analysis_limit=1000")
            connection.exec_driver_sql("ANALYZE")

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        with self._one_writer(), self._sessions.begin() as session:
            yield session

    @contextmanager
    def _one_writer(self) -> Iterator[None]:
        """On SQLite, writers queue for a lock (the processes' file lock beside the database).

        SQLite lets one writer in at a time and makes the others poll for its lock, sleeping
        up to 100 ms between tries: under load a save could keep missing it while others got
        in, for seconds, until it gave up ("database is locked"), though each save holds the
        lock for a few milliseconds. Queued on a lock the kernel hands over at once, writers go
        in turn. PostgreSQL queues writers on its row locks itself. A write inside a write (in
        the same thread) is already in its turn.
        """
        if self.engine.dialect.name != "sqlite" or getattr(self._writing, "inside", False):
            yield
            return
        with named_lock(self.engine, "report-writes"), prompt_turn():
            self._writing.inside = True
            try:
                yield
            finally:
                self._writing.inside = False

    @staticmethod
    def _fill(row: ReportRow, report: Report, words: bool = True) -> dict[str, object]:
        """Set the row from the report; returns the exchange document it now keeps. Without
        ``words``, the search words are left to be indexed later (the row is marked)."""
        document = to_document(report)
        values = _row_values(report, document_text(document),
                             _derived_columns(report, words))
        for column, value in values.items():
            setattr(row, column, value)
        if not words:
            row.words_stale = True
        return document

    @staticmethod
    def rebuild_derived(
        connection: sa.Connection, report_id: int, report: Report, columns: bool = True,
        *, actions_changed: bool = True, words_changed: bool = True,
    ) -> None:
        """Refresh what the library reads from a report: columns, action items, search indexes.

        Saves set the columns through the ORM already (``columns=False``), say whether the
        action items changed (an autosave of one word of the summary rewrites none), and leave
        the search words for later (``words_changed=False``: ``refresh_search_words``).
        """
        if columns:
            connection.execute(
                sa.update(table_of(ReportRow)).where(table_of(ReportRow).c.id == report_id)
                .values(**_derived_columns(report))
            )
        if actions_changed:
            _run(connection, _action_steps(report_id, report))
        if words_changed:
            _index_words(connection, report_id, report)

    @staticmethod
    def _summary(row: ReportRow) -> ReportSummary:
        return ReportSummary(
            id=row.id, title=row.title, service=row.service, severity=row.severity,
            status=row.status, started_at=_utc(row.started_at),
            updated_at=_utc(row.updated_at), team=row.team,
        )

    @staticmethod
    def _stored(row: ReportRow | ReadRow) -> StoredReport:
        """The stored report a row (ORM, ``_current_row``'s or a ``WrittenRow``) holds."""
        return StoredReport(
            id=row.id,
            version=row.version,
            created_at=_utc(row.created_at),
            updated_at=_utc(row.updated_at),
            report=stored_report(parsed_document(row.document)),
            read_from=None if isinstance(row, ReportRow) else row,
        )

    @staticmethod
    def _lock(session: Session, report_id: int) -> ReportRow | None:
        """The report's row, locked for writing until the transaction ends.

        On SQLite the no-op UPDATE takes the database's write lock before anything is read, so
        a second writer waits and then reads the newer version instead of overwriting it.
        """
        _take_the_write_lock(session.connection(), report_id)
        return session.get(ReportRow, report_id, with_for_update=True, populate_existing=True)

    @staticmethod
    def _current_row(connection: sa.Connection, report_id: int,
                     ) -> sa.Row[*tuple[Any, ...]] | None:
        """The columns a save reads, as stored now."""
        return connection.execute(statements.CURRENT_ROW, {"report_id": report_id}).first()

    @classmethod
    def _locked_row(cls, connection: sa.Connection, report_id: int,
                    ) -> sa.Row[*tuple[Any, ...]] | None:
        """``_current_row``, locked for writing until the transaction ends (see ``_lock``)."""
        _take_the_write_lock(connection, report_id)
        return cls._current_row(connection, report_id)

    def create(
        self, report: Report, author: str | None = None, team: str | None = None,
        kind: str = "create",
    ) -> StoredReport:
        """A new report at version 1; ``kind`` says how it came (see ``revision_parts.KINDS``)."""
        now = _now()
        with self._transaction() as session:
            row = ReportRow(version=1, created_at=now, updated_at=now, team=team)
            document = self._fill(row, report)
            session.add(row)
            session.flush()
            connection = session.connection()
            steps, _ = _revision_steps(
                None, row.id, row.version, row.updated_at, author, None, kind,
                changed_parts(to_document(Report()), document), compressed_document(row.document))
            _run(connection, steps)
            self.rebuild_derived(connection, row.id, report, columns=False)
            return self._stored(row)

    def version_of(self, report_id: int) -> int | None:
        """A report's current version, without reading its document (None: no such report,
        or in the bin). Open pages ask this every few seconds."""
        with self.engine.connect() as connection:
            return connection.scalar(statements.VERSION_OF, {"report_id": report_id})

    def team_of(self, report_id: int) -> str | None:
        """The team that owns a report (None: any author may edit it). Asked before every
        request on a report (views/permissions.py): SQLAlchemy Core, not an ORM session."""
        with self.engine.connect() as connection:
            return connection.scalar(statements.TEAM_OF, {"report_id": report_id})

    def get(self, report_id: int) -> StoredReport | None:
        """A report that is not in the bin, or None."""
        with self.engine.connect() as connection:
            row = self._current_row(connection, report_id)
        return None if row is None or row.deleted_at is not None else self._stored(row)

    def get_to_save_over(self, report_id: int, version: int | None) -> StoredReport | None:
        """``get``, for a save over ``version`` (the page's): when this process's last save of
        the report wrote that version, the row it wrote, without reading it again. A save
        from it is written only if the stored row is still that one (reports/written_rows.py).
        """
        row = self._written.at(report_id, version) if version is not None else None
        return self.get(report_id) if row is None else self._stored(row)

    def save(
        self, report_id: int, report: Report, expected_version: int | None = None,
        author: str | None = None, note: str | None = None, kind: str = "save",
        read: StoredReport | None = None,
    ) -> StoredReport | None:
        """Replace a report's content; returns None when there is no such report.

        With ``expected_version``, the save is refused (``VersionConflict``) when someone else
        saved in the meantime, so two editors never silently overwrite each other. A published
        report's content is refused (``ReportPublished``) on every way in until it is reopened.
        ``kind`` says what made the save, for the history (``revision_parts.KINDS``): the
        page's "autosave" or "save", "status", "restore", "merge", "api", "patch", "import"…

        ``read``: the stored report as the caller just read it (``get``). The save is worked out
        from the row it came from instead of reading it again; as always, it is written only if
        that is still the stored version. From ``get_to_save_over``, when the row it gave is no
        longer the stored one, ``NoLongerAsWritten``: ``report`` was made from a version that
        is not what the database holds under that number, or not any more.
        """
        prepared = _Prepared.of(report)

        def plan_over(row: ReadRow | None) -> _SavePlan | None:
            return self._plan_save(row, report, prepared, expected_version, author, note, kind)

        # Worked out from the stored version before taking the write lock, and written under
        # it only if no one saved meanwhile: under load, saves queue for SQLite's one writer,
        # and the less each does while it holds the lock, the shorter the queue.
        if read is not None and read.read_from is not None and read.id == report_id:
            row = read.read_from
        else:
            with self.engine.connect() as connection:
                row = self._current_row(connection, report_id)
        plan = plan_over(row)
        if plan is None:
            return None
        with self._one_writer(), self.engine.begin() as connection:
            if not plan.write(connection):
                if isinstance(row, WrittenRow):
                    self._written.forget(report_id)
                    raise NoLongerAsWritten(report_id)
                # Saved by someone else (or put in the bin) since it was read: read it again,
                # locked this time, so that nothing comes between the read and the write.
                plan = plan_over(self._locked_row(connection, report_id))
                if plan is None:
                    return None
                if not plan.write(connection):
                    raise RuntimeError(f"report {report_id} changed while it was locked")
        parsed_document.remember(prepared.text, prepared.document)
        self._written.keep(plan.written)
        return plan.saved

    @classmethod
    def _plan_save(
        cls, row: ReadRow | None, report: Report,
        prepared: _Prepared, expected_version: int | None, author: str | None,
        note: str | None, kind: str,
    ) -> _SavePlan | None:
        """The save of ``report`` over the stored ``row`` (None: no such report to save)."""
        if row is None or row.deleted_at is not None:
            return None
        if expected_version is not None and row.version != expected_version:
            raise VersionConflict(cls._stored(row))
        if row.status == "published":
            check_published_unchanged(cls._stored(row).report, report)
        before = parsed_document(row.document)
        # The report just written is what the row holds: no need to read it back.
        saved = StoredReport(id=row.id, version=row.version + 1,
                             created_at=_utc(row.created_at), updated_at=_now(), report=report)
        values = {**_row_values(report, prepared.text, prepared.columns),
                  "version": saved.version, "updated_at": saved.updated_at}
        row_update = {"row_id": row.id, "read_version": row.version,
                      **{f"new_{column}": values[column] for column in statements.SAVED_COLUMNS}}
        if isinstance(row, WrittenRow):
            row_step: Step = (statements.SAVE_ROW_OVER_WRITTEN,
                              {**row_update, "read_updated_at": row.updated_at})
        else:
            row_step = (statements.SAVE_ROW, row_update)
        revision_steps, revision = _revision_steps(
            row, row.id, saved.version, saved.updated_at, author, note, kind,
            changed_parts(before, prepared.document), prepared.compressed)
        steps = [row_step, *revision_steps]
        if before.get("actions") != prepared.document.get("actions"):
            steps += _action_steps(row.id, report)
        written = WrittenRow(
            id=row.id, version=saved.version, created_at=saved.created_at,
            updated_at=saved.updated_at, status=report.status, document=prepared.text,
            last_kind=kind, last_author=author, last_saved_at=revision["saved_at"],
            last_group_started_at=revision["group_started_at"],
            last_group_saves=revision["group_saves"], last_parts=revision["parts"])
        return _SavePlan(saved, steps, written)

    def set_action_status(
        self, report_id: int, position: int, status: str, author: str | None = None
    ) -> StoredReport | None:
        """Change one action item's status (e.g. from the action items page): a new version."""
        stored = self.get(report_id)
        if stored is None or not 0 <= position < len(stored.report.actions):
            return None
        actions = stored.report.actions
        actions[position] = replace(actions[position], status=status)
        return self.save(report_id, stored.report, expected_version=stored.version,
                         author=author, note=f"Action item {position + 1} marked {status}",
                         kind="action")

    def revisions(self, report_id: int) -> list[RevisionSummary]:
        """The history of a report, the newest first: every saved version but the autosaves
        folded into a later one (the group's newest stands for them)."""
        with self._sessions() as session:
            rows = session.execute(
                sa.select(RevisionRow.version, RevisionRow.saved_at, RevisionRow.author,
                          RevisionRow.note, sa.func.length(RevisionRow.document),
                          RevisionRow.kind, RevisionRow.parts, RevisionRow.group_started_at,
                          RevisionRow.group_saves)
                .where(RevisionRow.report_id == report_id, RevisionRow.folded.is_(False))
                .order_by(RevisionRow.version.desc())
            ).all()
        return [
            RevisionSummary(version=r[0], saved_at=_utc(r[1]), author=r[2], note=r[3],
                            stored_bytes=r[4], kind=r[5], parts=from_text(r[6]),
                            first_saved_at=_utc(r[7]), saves=r[8])
            for r in rows
        ]

    def revision(self, report_id: int, version: int) -> Report | None:
        """Any kept version, folded autosaves included until they are pruned."""
        with self._sessions() as session:
            document = session.execute(
                sa.select(RevisionRow.document).where(
                    RevisionRow.report_id == report_id, RevisionRow.version == version
                )
            ).scalar()
        if document is None:
            return None
        return stored_report(json.loads(revision_codec.unpack(document)))

    def restore_revision(
        self, report_id: int, version: int, author: str | None = None
    ) -> StoredReport | None:
        """Make an earlier version's content current again, as a new version.

        The status stays as it is now: restoring never publishes or unpublishes a report.
        """
        earlier = self.revision(report_id, version)
        current = self.get(report_id)
        if earlier is None or current is None:
            return None
        earlier.status = current.report.status
        return self.save(report_id, earlier, expected_version=current.version, author=author,
                         note=f"Restored version {version}", kind="restore")

    def delete(self, report_id: int) -> bool:
        """Move a report to the bin; it can be restored for ``BIN_DAYS`` days."""
        with self._transaction() as session:
            row = self._lock(session, report_id)
            if row is None or row.deleted_at is not None:
                return False
            row.deleted_at = _now()
            self._written.forget(report_id)
            # Its action items leave the lists that span reports until it is put back.
            session.execute(sa.delete(ActionItemRow).where(ActionItemRow.report_id == report_id))
            return True

    def undelete(self, report_id: int) -> bool:
        with self._transaction() as session:
            row = self._lock(session, report_id)
            if row is None or row.deleted_at is None:
                return False
            row.deleted_at = None
            report = stored_report(json.loads(row.document))
            self.rebuild_derived(session.connection(), row.id, report, columns=False)
            return True

    def bin(self, now: datetime | None = None) -> list[tuple[ReportSummary, datetime]]:
        """Reports in the bin with the moment each will be removed for good; empties the old."""
        now = now or _now()
        with self._transaction() as session:
            session.execute(
                sa.delete(ReportRow).where(ReportRow.deleted_at < now - BIN_PERIOD)
            )
            if self.engine.dialect.name == "sqlite":  # the search index has no foreign key
                for table in ("reports_fts", "reports_client_fts"):
                    session.execute(sa.text(
                        f"DELETE FROM {table} WHERE rowid NOT IN (SELECT id FROM reports)"))
            rows = session.scalars(
                sa.select(ReportRow).where(ReportRow.deleted_at.is_not(None))
                .order_by(ReportRow.deleted_at.desc())
            ).all()
            return [(self._summary(row), row_deleted + BIN_PERIOD) for row in rows
                    if (row_deleted := _utc(row.deleted_at)) is not None]

    def list(self) -> list[ReportSummary]:
        """Every report, the most recently edited first."""
        columns = (
            ReportRow.id, ReportRow.title, ReportRow.service, ReportRow.severity,
            ReportRow.status, ReportRow.started_at, ReportRow.updated_at, ReportRow.team,
        )
        with self._sessions() as session:
            rows = session.execute(
                sa.select(*columns)
                .where(ReportRow.deleted_at.is_(None))
                .order_by(ReportRow.updated_at.desc(), ReportRow.id.desc())
            ).all()
        return [
            ReportSummary(
                id=r.id, title=r.title, service=r.service, severity=r.severity,
                status=r.status, started_at=_utc(r.started_at),
                updated_at=_utc(r.updated_at), team=r.team,
            )
            for r in rows
        ]
