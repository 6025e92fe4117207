"""The record of every export: what was written where, from which version, and whether it worked.

The local shared folder and Google Drive both record here (``destination`` is ``"local"`` or
``"drive"``); the editor lists a report's exports from it, and the local folder uses it to know
which report owns which file name. Each export is of one ``copy``, ``"client"`` or ``"internal"``:
the two copies of one format are separate files, each with its own current record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from .model import CLIENT_COPY, COPIES
from .tables import ExportRow

LOCAL = "local"
DRIVE = "drive"
DESTINATIONS = (LOCAL, DRIVE)


@dataclass(frozen=True)
class ExportRecord:
    id: int
    report_id: int
    format: str
    destination: str
    location: str  # a path relative to the shared folder, or a Drive file id
    link: str | None
    report_version: int
    created_at: datetime
    ok: bool
    message: str | None
    copy: str = CLIENT_COPY


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _record(row: ExportRow) -> ExportRecord:
    return ExportRecord(
        id=row.id, report_id=row.report_id, format=row.format, destination=row.destination,
        location=row.location, link=row.link, report_version=row.report_version,
        created_at=_utc(row.created_at), ok=row.ok, message=row.message, copy=row.copy,
    )


class ExportLog:
    """Record and look up exports; each call is its own short transaction."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def record(
        self, *, report_id: int, format: str, destination: str, location: str,
        report_version: int, ok: bool = True, link: str | None = None,
        message: str | None = None, copy: str = CLIENT_COPY,
    ) -> ExportRecord:
        """Add one export (or one failed attempt, with ``ok=False`` and a ``message``)."""
        if destination not in DESTINATIONS:
            raise ValueError(f"unknown destination {destination!r}")
        if copy not in COPIES:
            raise ValueError(f"unknown copy {copy!r}")
        with self._sessions.begin() as session:
            row = ExportRow(
                report_id=report_id, format=format, destination=destination,
                location=location, link=link, report_version=report_version,
                created_at=datetime.now(UTC), ok=ok, message=message, copy=copy,
            )
            session.add(row)
            session.flush()
            return _record(row)

    def get(self, export_id: int) -> ExportRecord | None:
        with self._sessions() as session:
            row = session.get(ExportRow, export_id)
            return None if row is None else _record(row)

    def for_report(self, report_id: int, limit: int = 100) -> list[ExportRecord]:
        """A report's exports, newest first."""
        query = (
            sa.select(ExportRow)
            .where(ExportRow.report_id == report_id)
            .order_by(ExportRow.id.desc())
            .limit(limit)
        )
        with self._sessions() as session:
            return [_record(row) for row in session.scalars(query)]

    def latest(self, report_id: int) -> list[ExportRecord]:
        """The newest export of a report for each destination, format and copy, newest first.

        A failed attempt is shown when it is the newest one, so the author sees it failed.
        """
        seen: set[tuple[str, str, str]] = set()
        latest = []
        for record in self.for_report(report_id, limit=500):
            key = (record.destination, record.format, record.copy)
            if key not in seen:
                seen.add(key)
                latest.append(record)
        return latest

    def current_all(self) -> list[ExportRecord]:
        """The newest successful export of every report, per destination, format and copy."""
        newest = (
            sa.select(sa.func.max(ExportRow.id))
            .where(ExportRow.ok.is_(True))
            .group_by(ExportRow.report_id, ExportRow.destination, ExportRow.format,
                      ExportRow.copy)
        )
        with self._sessions() as session:
            rows = session.scalars(
                sa.select(ExportRow).where(ExportRow.id.in_(newest)).order_by(ExportRow.id)
            )
            return [_record(row) for row in rows]

    def current_location(
        self, report_id: int, format: str, destination: str, copy: str = CLIENT_COPY
    ) -> str | None:
        """Where the newest successful export of this report in this format and copy went."""
        query = (
            sa.select(ExportRow.location)
            .where(
                ExportRow.report_id == report_id, ExportRow.format == format,
                ExportRow.destination == destination, ExportRow.copy == copy,
                ExportRow.ok.is_(True),
            )
            .order_by(ExportRow.id.desc())
            .limit(1)
        )
        with self._sessions() as session:
            return session.scalar(query)

    def owner_of(self, destination: str, location: str) -> int | None:
        """The report whose export last went to ``location``, if any did."""
        query = (
            sa.select(ExportRow.report_id)
            .where(
                ExportRow.destination == destination, ExportRow.location == location,
                ExportRow.ok.is_(True),
            )
            .order_by(ExportRow.id.desc())
            .limit(1)
        )
        with self._sessions() as session:
            return session.scalar(query)
