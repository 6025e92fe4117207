"""The limit on sign-in attempts: a few failures per address and per account, then a wait.

The failures are rows in the database, so every worker process, every app instance on the same
database and every restart counts the same failures. Each attempt is counted *before* its
password is checked, in one short transaction that other attempts on the same keys wait for
(the SQLite file's write lock; on PostgreSQL a transaction-level advisory lock per key), so that
five guesses arriving at once are five, not five each. A right password then takes back its own
attempt only: earlier failures still count until they are 15 minutes old, so a person who signs
in often cannot wipe out the guesses someone else makes at their account.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from reports.tables import SIGNIN_KEY_LENGTH as KEY_LENGTH
from reports.tables import SigninFailureRow, table_of

# The first of the two 32-bit advisory lock keys: "HIND", as the migration lock (reports/migrate
# .py) uses in PostgreSQL's other key space (one 64-bit key); the two spaces do not overlap.
_LOCK_SPACE = 0x48494E44
PRUNE_EVERY = 100  # attempts a process counts between two sweeps of expired failures


_failures = table_of(SigninFailureRow)


def _utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored here is UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _lock_key(key: str) -> int:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big", signed=True)


@dataclass(frozen=True)
class Attempt:
    """One sign-in attempt: let through (and counted), or told how long to wait."""

    wait: float  # seconds until the keys may try again; 0 when this attempt went ahead
    ids: tuple[int, ...] = ()  # its rows, which stand as failures unless it succeeds

    @property
    def allowed(self) -> bool:
        return self.wait == 0


class FailureLimit:
    """At most ``attempts`` failed sign-ins per key within ``window_seconds``."""

    def __init__(self, engine: Engine, attempts: int = 5, window_seconds: float = 900.0):
        self.engine = engine
        self.attempts = attempts
        self.window = timedelta(seconds=window_seconds)
        self._since_prune = 0

    @staticmethod
    def _keys(keys: tuple[str, ...]) -> list[str]:
        # Sorted by lock key: every transaction takes the advisory locks in the same order.
        return sorted({key[:KEY_LENGTH] for key in keys}, key=lambda k: (_lock_key(k), k))

    def _wait(self, connection: Connection, keys: list[str], now: datetime,
              leave_out: set[int]) -> float:
        """Seconds until every key is under the limit again; 0 when none is at it."""
        rows = connection.execute(
            sa.select(_failures.c.id, _failures.c.key, _failures.c.failed_at)
            .where(_failures.c.key.in_(keys), _failures.c.failed_at > now - self.window)
            .order_by(_failures.c.failed_at)
        ).all()
        waits = [0.0]
        for key in keys:
            times = [_utc(row.failed_at) for row in rows
                     if row.key == key and row.id not in leave_out]
            if len(times) >= self.attempts:
                # Under the limit again once enough of the oldest have left the window.
                frees_at = times[len(times) - self.attempts] + self.window
                waits.append((frees_at - now).total_seconds())
        return max(waits)

    def blocked_for(self, *keys: str, now: datetime | None = None) -> float:
        """Seconds until any of ``keys`` may try again; 0 when none is blocked. Counts nothing."""
        now = now or datetime.now(UTC)
        with self.engine.connect() as connection:
            return self._wait(connection, self._keys(keys), now, set())

    def attempt(self, *keys: str, now: datetime | None = None) -> Attempt:
        """Count one more attempt against each key, unless one of them is at the limit already.

        An attempt let through stands as a failure unless ``succeeded`` takes it back; one that
        must wait counts nothing.
        """
        now = now or datetime.now(UTC)
        ordered = self._keys(keys)
        with self.engine.connect() as connection, connection.begin() as transaction:
            if connection.dialect.name == "postgresql":
                for key in ordered:
                    connection.execute(sa.select(sa.func.pg_advisory_xact_lock(
                        _LOCK_SPACE, _lock_key(key))))
            # On SQLite the first write takes the file's write lock, held until the commit: so
            # the attempt is written first, and the count read after it is the whole truth.
            mine = tuple(
                connection.execute(
                    sa.insert(_failures).values(key=key, failed_at=now).returning(_failures.c.id)
                ).scalar_one()
                for key in ordered
            )
            wait = self._wait(connection, ordered, now, leave_out=set(mine))
            if wait:
                transaction.rollback()
                return Attempt(wait)
        self._since_prune += 1
        if self._since_prune >= PRUNE_EVERY:
            self._since_prune = 0
            self.prune(now)
        return Attempt(0.0, mine)

    def succeeded(self, attempt: Attempt) -> None:
        """The right password was given: this attempt is not a failure."""
        if attempt.ids:
            with self.engine.begin() as connection:
                connection.execute(sa.delete(_failures).where(_failures.c.id.in_(attempt.ids)))

    def prune(self, now: datetime | None = None) -> int:
        """Delete the failures that have left the window, for every key; returns how many.

        On PostgreSQL rows another transaction holds are skipped (the next sweep takes them), so
        a sweep never waits for, or deadlocks with, a sign-in.
        """
        expired = _failures.c.failed_at <= (now or datetime.now(UTC)) - self.window
        with self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                free = (sa.select(_failures.c.id).where(expired)
                        .with_for_update(skip_locked=True).scalar_subquery())
                result = connection.execute(sa.delete(_failures).where(_failures.c.id.in_(free)))
            else:
                result = connection.execute(sa.delete(_failures).where(expired))
        return result.rowcount
