"""Export jobs in the database: asked for by a request or the command line, run by any app process.

A job goes queued -> running -> done (the export ran to its end; its outcome says what became of
each file) or failed (the export raised, or its process stopped too often). The process running a
job says so every few seconds (``heartbeat``); a job whose process has gone quiet for
``stale_after`` seconds is queued again for another process, or failed as interrupted once it has
been tried ``max_attempts`` times. So a job is never lost and never left running for ever.

Claiming is atomic on both databases: PostgreSQL takes the oldest queued row with
``FOR UPDATE SKIP LOCKED`` under a short advisory lock (which keeps the count of running jobs
true), SQLite in one ``UPDATE … WHERE id = (SELECT …)`` statement (SQLite runs one writer at a
time). ``limit`` caps how many jobs run at once across every process on the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from .model import COPIES
from .tables import ExportJobRow, ReportRow, table_of

QUEUED = "queued"
RUNNING = "running"
DONE = "done"
FAILED = "failed"
ACTIVE = (QUEUED, RUNNING)
INTERRUPTED = "interrupted"  # the error of a job whose process stopped every time it was tried

STALE_AFTER = 60.0  # seconds without a heartbeat before a running job counts as abandoned
HEARTBEAT_EVERY = 5.0
MAX_ATTEMPTS = 3
CLAIM_LOCK_KEY = 0x48494E45  # "HINE": PostgreSQL advisory lock held while claiming

jobs_table = table_of(ExportJobRow)
_c = jobs_table.c


@dataclass(frozen=True)
class ExportJob:
    id: int
    report_id: int
    report_version: int
    format: str
    copy: str
    requested_by: str | None
    requested_at: datetime
    status: str
    attempts: int
    claimed_by: str | None
    heartbeat_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    outcome: str | None
    error: str | None

    @property
    def finished(self) -> bool:
        return self.status in (DONE, FAILED)

    @property
    def interrupted(self) -> bool:
        return self.status == FAILED and self.error == INTERRUPTED


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _job(row: sa.Row[tuple[object, ...]]) -> ExportJob:
    values = dict(row._mapping)
    for name in ("requested_at", "heartbeat_at", "started_at", "finished_at"):
        values[name] = _utc(values[name])
    return ExportJob(**values)


def _now() -> datetime:
    return datetime.now(UTC)


class ExportJobs:
    """The job table; each call is one short transaction."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def get(self, job_id: int) -> ExportJob | None:
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(jobs_table).where(_c.id == job_id)).first()
        return None if row is None else _job(row)

    def report_version(self, report_id: int) -> int | None:
        """The version an export would take now; None: no such report (or in the bin)."""
        with self.engine.connect() as connection:
            return connection.execute(
                sa.select(ReportRow.version)
                .where(ReportRow.id == report_id, ReportRow.deleted_at.is_(None))
            ).scalar()

    def _active(self, connection: Connection, report_id: int, report_version: int, fmt: str,
                copy: str) -> ExportJob | None:
        row = connection.execute(sa.select(jobs_table).where(
            _c.report_id == report_id, _c.report_version == report_version,
            _c.format == fmt, _c.copy == copy, _c.status.in_(ACTIVE),
        )).first()
        return None if row is None else _job(row)

    def enqueue(self, report_id: int, report_version: int, fmt: str, copy: str,
                requested_by: str | None = None) -> ExportJob:
        """Queue an export, or give the identical one already queued or running.

        The database's unique index on active jobs settles two identical requests at once:
        the second insert fails and takes the first's job.
        """
        if copy not in COPIES:
            raise ValueError(f"unknown copy {copy!r}")
        for _ in range(3):
            with self.engine.begin() as connection:
                found = self._active(connection, report_id, report_version, fmt, copy)
                if found is not None:
                    return found
            try:
                with self.engine.begin() as connection:
                    job_id = connection.execute(sa.insert(jobs_table).values(
                        report_id=report_id, report_version=report_version, format=fmt,
                        copy=copy, requested_by=(requested_by or None) and requested_by[:200],
                        requested_at=_now(), status=QUEUED, attempts=0,
                    ).returning(_c.id)).scalar_one()
                    row = connection.execute(
                        sa.select(jobs_table).where(_c.id == job_id)).one()
                    return _job(row)
            except sa.exc.IntegrityError:
                continue  # an identical job was queued meanwhile: take it
        raise RuntimeError("could not queue the export")  # only if the index kept flapping

    def pending(self, stale_after: float = STALE_AFTER) -> tuple[bool, bool]:
        """Is anything queued, and is any running job abandoned? Reads only, so idle workers
        poll without writing."""
        stale_before = _now() - timedelta(seconds=stale_after)
        queued = sa.select(_c.id).where(_c.status == QUEUED).limit(1)
        abandoned = sa.select(_c.id).where(
            _c.status == RUNNING, _c.heartbeat_at < stale_before).limit(1)
        with self.engine.connect() as connection:
            return (connection.execute(queued).first() is not None,
                    connection.execute(abandoned).first() is not None)

    def recover(self, stale_after: float = STALE_AFTER, max_attempts: int = MAX_ATTEMPTS) -> int:
        """Queue again the running jobs whose process went quiet; fail those tried too often.

        Returns how many jobs were taken back.
        """
        stale_before = _now() - timedelta(seconds=stale_after)
        abandoned = sa.and_(_c.status == RUNNING, _c.heartbeat_at < stale_before)
        with self.engine.begin() as connection:
            failed = connection.execute(
                sa.update(jobs_table).where(abandoned, _c.attempts >= max_attempts)
                .values(status=FAILED, error=INTERRUPTED, finished_at=_now(), claimed_by=None)
            ).rowcount
            requeued = connection.execute(
                sa.update(jobs_table).where(abandoned, _c.attempts < max_attempts)
                .values(status=QUEUED, claimed_by=None)
            ).rowcount
        return int(failed or 0) + int(requeued or 0)

    def _claimed(self, worker: str) -> dict[str, object]:
        now = _now()
        return {"status": RUNNING, "claimed_by": worker[:200], "heartbeat_at": now,
                "started_at": now, "attempts": _c.attempts + 1}

    def claim(self, worker: str, limit: int | None = None) -> ExportJob | None:
        """Take the oldest queued job for ``worker``, unless ``limit`` jobs already run."""
        if self.engine.dialect.name == "postgresql":
            return self._claim_postgresql(worker, limit)
        oldest = (sa.select(_c.id).where(_c.status == QUEUED).order_by(_c.id).limit(1)
                  .scalar_subquery())
        conditions = [_c.id == oldest, _c.status == QUEUED]
        if limit is not None:
            running = (sa.select(sa.func.count()).select_from(jobs_table)
                       .where(_c.status == RUNNING).scalar_subquery())
            conditions.append(running < limit)
        with self.engine.begin() as connection:
            row = connection.execute(
                sa.update(jobs_table).where(*conditions).values(**self._claimed(worker))
                .returning(*jobs_table.c)
            ).first()
        return None if row is None else _job(row)

    def _claim_postgresql(self, worker: str, limit: int | None) -> ExportJob | None:
        with self.engine.begin() as connection:
            if limit is not None:
                # Claims take turns, so two processes never both see a free place.
                connection.execute(sa.select(sa.func.pg_advisory_xact_lock(CLAIM_LOCK_KEY)))
                running = connection.execute(
                    sa.select(sa.func.count()).select_from(jobs_table)
                    .where(_c.status == RUNNING)).scalar_one()
                if running >= limit:
                    return None
            job_id = connection.execute(
                sa.select(_c.id).where(_c.status == QUEUED).order_by(_c.id).limit(1)
                .with_for_update(skip_locked=True)
            ).scalar()
            if job_id is None:
                return None
            row = connection.execute(
                sa.update(jobs_table).where(_c.id == job_id).values(**self._claimed(worker))
                .returning(*jobs_table.c)
            ).one()
        return _job(row)

    def claim_this(self, job_id: int, worker: str) -> ExportJob | None:
        """Take this one job if it is still queued (someone is waiting for it right here)."""
        with self.engine.begin() as connection:
            row = connection.execute(
                sa.update(jobs_table).where(_c.id == job_id, _c.status == QUEUED)
                .values(**self._claimed(worker)).returning(*jobs_table.c)
            ).first()
        return None if row is None else _job(row)

    def heartbeat(self, job_id: int, worker: str) -> bool:
        """Say the job is still running here; False: it is no longer this worker's."""
        with self.engine.begin() as connection:
            changed = connection.execute(
                sa.update(jobs_table)
                .where(_c.id == job_id, _c.status == RUNNING, _c.claimed_by == worker[:200])
                .values(heartbeat_at=_now())
            ).rowcount
        return bool(changed)

    def _end(self, job_id: int, worker: str, **values: object) -> bool:
        with self.engine.begin() as connection:
            changed = connection.execute(
                sa.update(jobs_table)
                .where(_c.id == job_id, _c.status == RUNNING, _c.claimed_by == worker[:200])
                .values(finished_at=_now(), **values)
            ).rowcount
        return bool(changed)

    def finish(self, job_id: int, worker: str, outcome: str) -> bool:
        """The export ran to its end; ``outcome`` (JSON) says what it made."""
        return self._end(job_id, worker, status=DONE, outcome=outcome)

    def fail(self, job_id: int, worker: str, error: str) -> bool:
        """The export raised: the job is failed with ``error`` (for the logs and the page)."""
        return self._end(job_id, worker, status=FAILED, error=error[:2000])

    def release(self, job_id: int, worker: str) -> bool:
        """Give a job back to the queue (its process is stopping before it could finish)."""
        with self.engine.begin() as connection:
            changed = connection.execute(
                sa.update(jobs_table)
                .where(_c.id == job_id, _c.status == RUNNING, _c.claimed_by == worker[:200])
                .values(status=QUEUED, claimed_by=None, attempts=_c.attempts - 1)
            ).rowcount
        return bool(changed)

    def running_count(self) -> int:
        with self.engine.connect() as connection:
            return connection.execute(sa.select(sa.func.count()).select_from(jobs_table)
                                      .where(_c.status == RUNNING)).scalar_one()
