"""Every table of the database, in one place (the migrations in ``migrations/`` build them).

The stores that read and write them live beside: reports and their revisions in ``store.py``,
exports in ``exports_log.py``, review comments in ``comments.py``, accounts and sign-in failures
in ``accounts/``. Nothing here does anything but describe a table.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

SIGNIN_KEY_LENGTH = 255  # an address or a username, as the sign-in limit counts them


class Base(DeclarativeBase):
    pass


class ReportRow(Base):
    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), index=True)
    title: Mapped[str] = mapped_column(sa.String(200), default="")
    service: Mapped[str] = mapped_column(sa.String(200), default="", index=True)
    severity: Mapped[str | None] = mapped_column(sa.String(8), nullable=True)
    status: Mapped[str] = mapped_column(sa.String(16), default="draft", index=True)
    started_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    document: Mapped[str] = mapped_column(sa.Text)
    deleted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    team: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    # Copies of parts of the document that the library filters, sorts and searches on.
    resolved_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    authors: Mapped[str] = mapped_column(sa.String(2000), default="")
    follow_up_review_on: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    follow_up_held_on: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    client_search_text: Mapped[str] = mapped_column(sa.Text, default="")
    # Saved since the search words above (and the FTS tables) were last brought up to date.
    words_stale: Mapped[bool] = mapped_column(sa.Boolean, default=False,
                                              server_default=sa.false())


class ActionItemRow(Base):
    """A report's action items, copied out of its document so they can be listed across reports."""

    __tablename__ = "action_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        sa.ForeignKey("reports.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column()
    description: Mapped[str] = mapped_column(sa.Text)
    owner: Mapped[str] = mapped_column(sa.String(200))
    priority: Mapped[str | None] = mapped_column(sa.String(16), nullable=True)
    due: Mapped[date | None] = mapped_column(sa.Date, nullable=True, index=True)
    status: Mapped[str] = mapped_column(sa.String(16), index=True)
    ticket: Mapped[str] = mapped_column(sa.String(2000))
    internal: Mapped[bool] = mapped_column(default=False)


class RevisionRow(Base):
    """Every save of a report, compressed, so any earlier version can be seen and restored."""

    __tablename__ = "revisions"
    __table_args__ = (
        sa.UniqueConstraint("report_id", "version", name="uq_revisions_report_version"),
        # What every autosave prunes (reports/store.py ``PRUNE_FOLDED``): found, not scanned for.
        sa.Index("ix_revisions_folded", "report_id", "folded", "saved_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("reports.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column()
    saved_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    author: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    note: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    document: Mapped[bytes] = mapped_column(sa.LargeBinary)
    # What made it (``reports.revision_parts.KINDS``) and which parts it changed (JSON, see
    # ``revision_parts``); both None for revisions kept before they were recorded.
    kind: Mapped[str | None] = mapped_column(sa.String(16), nullable=True)
    parts: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    # An autosave folded into the next one by the same author: hidden from the history, still
    # readable by version until it is pruned. The newest of a group stands for all of it.
    folded: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    group_started_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True),
                                                              nullable=True)
    group_saves: Mapped[int] = mapped_column(default=1, server_default="1")


class ExportRow(Base):
    """One export of a report: a file in the shared folder or a document on Drive."""

    __tablename__ = "exports"
    __table_args__ = (sa.Index("ix_exports_location", "destination", "location"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        sa.ForeignKey("reports.id", ondelete="CASCADE"), index=True
    )
    format: Mapped[str] = mapped_column(sa.String(16))
    destination: Mapped[str] = mapped_column(sa.String(16))  # "local" or "drive"
    location: Mapped[str] = mapped_column(sa.String(1000))  # relative path or Drive file id
    link: Mapped[str | None] = mapped_column(sa.String(2000), nullable=True)
    report_version: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    ok: Mapped[bool] = mapped_column(default=True)
    message: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    copy: Mapped[str] = mapped_column(sa.String(16), default="client", server_default="client")


class CommentRow(Base):
    __tablename__ = "review_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        sa.ForeignKey("reports.id", ondelete="CASCADE"), index=True
    )
    part: Mapped[str] = mapped_column(sa.String(16))
    body: Mapped[str] = mapped_column(sa.Text)
    author: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True),
                                                         nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(200), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(sa.String(500), nullable=True)
    role: Mapped[str] = mapped_column(sa.String(16))
    team: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    # Sessions carry the generation they were made in; ``end_sessions`` moves to the next one.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")


class SigninFailureRow(Base):
    """One failed (or not yet decided) sign-in attempt, under one key: an address or a name."""

    __tablename__ = "signin_failures"
    __table_args__ = (sa.Index("ix_signin_failures_key_failed_at", "key", "failed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(SIGNIN_KEY_LENGTH))
    failed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), index=True)


class SetAsideRow(Base):
    """A writing hint the authors set aside on one report, with their reason (a review note).

    Keyed by the hint's rule and the words it found, so that the same hint on the same words
    stays set aside across saves, wherever in the report those words are.
    """

    __tablename__ = "set_aside_hints"
    __table_args__ = (sa.UniqueConstraint("report_id", "rule_id", "words",
                                          name="uq_set_aside_hints_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        sa.ForeignKey("reports.id", ondelete="CASCADE"), index=True
    )
    family: Mapped[str] = mapped_column(sa.String(16))
    rule_id: Mapped[str] = mapped_column(sa.String(64))
    words: Mapped[str] = mapped_column(sa.String(500))
    field: Mapped[str] = mapped_column(sa.String(100))  # where it was set aside, for the reviewer
    reason: Mapped[str] = mapped_column(sa.String(200))
    author: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class DriveConnectionRow(Base):
    """A Google Drive connection: a person's account (its refresh token sealed) or a delegation."""

    __tablename__ = "drive_connections"

    id: Mapped[int] = mapped_column(primary_key=True)
    identity: Mapped[str] = mapped_column(sa.String(400), unique=True)
    account: Mapped[str] = mapped_column(sa.String(320), default="")
    account_name: Mapped[str] = mapped_column(sa.String(200), default="")
    secret: Mapped[str | None] = mapped_column(sa.Text, nullable=True)  # encrypted token
    folder_id: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    folder_name: Mapped[str | None] = mapped_column(sa.String(300), nullable=True)
    folder_link: Mapped[str | None] = mapped_column(sa.String(1000), nullable=True)
    changed_by: Mapped[str] = mapped_column(sa.String(200), default="")
    changed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    version: Mapped[int] = mapped_column(default=1)


class ExportJobRow(Base):
    """One export asked for: queued, running (claimed by one app process), done or failed.

    Any app instance on the database may claim a queued job (``reports/export_jobs.py``). At
    most one job per report, format, copy and version is queued or running at a time: a second
    identical request is given that job instead of a new one.
    """

    __tablename__ = "export_jobs"
    __table_args__ = (
        sa.Index("ix_export_jobs_status_id", "status", "id"),
        sa.Index("uq_export_jobs_active", "report_id", "format", "copy", "report_version",
                 unique=True,
                 sqlite_where=sa.text("status IN ('queued', 'running')"),
                 postgresql_where=sa.text("status IN ('queued', 'running')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        sa.ForeignKey("reports.id", ondelete="CASCADE"), index=True
    )
    report_version: Mapped[int] = mapped_column()
    format: Mapped[str] = mapped_column(sa.String(16))
    copy: Mapped[str] = mapped_column(sa.String(16))
    requested_by: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    requested_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    status: Mapped[str] = mapped_column(sa.String(16))
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_by: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True),
                                                          nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True),
                                                         nullable=True)
    outcome: Mapped[str | None] = mapped_column(sa.Text, nullable=True)  # JSON, once finished
    error: Mapped[str | None] = mapped_column(sa.Text, nullable=True)


class AttachmentRow(Base):
    """A file attached to a report (a figure, a log, an e-mail), its bytes kept in the database.

    Why the database and not files on disk: see docs/attachments.md. ``sha256`` is the content's
    hash (the download's ETag, the backup's file name); ``data`` is only read when needed.
    """

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        sa.ForeignKey("reports.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(200))
    mimetype: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(sa.String(64))
    caption: Mapped[str] = mapped_column(sa.String(500), default="")
    internal: Mapped[bool] = mapped_column(default=False)
    width: Mapped[int | None] = mapped_column(nullable=True)  # images only
    height: Mapped[int | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    created_by: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    data: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)


class InstanceRow(Base):
    """One running app process (a gunicorn worker, a command), as it last said so.

    ``reports/instances.py`` keeps it: an instance seen lately is live; the rows let each one
    warn when instances on several machines write to folders on their own disks.
    """

    __tablename__ = "instances"

    id: Mapped[str] = mapped_column(sa.String(300), primary_key=True)  # host:process id
    host: Mapped[str] = mapped_column(sa.String(255))
    pid: Mapped[int] = mapped_column()
    shared_folder: Mapped[str] = mapped_column(sa.String(1000))
    folder_is_local: Mapped[bool] = mapped_column()  # on this machine's disk, not a network share
    started_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    seen_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), index=True)


def table_of(row: type[Base]) -> sa.Table:
    """A mapped class's table, as the ``Table`` it is (SQLAlchemy types ``__table__`` loosely)."""
    found = row.__table__
    assert isinstance(found, sa.Table)
    return found
