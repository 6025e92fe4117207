"""Named locks every app process on one database takes turns with, on any machine.

Used where the database itself cannot settle a race: writing the shared folder (two exports must
not pick the same free name, and the folder's index must never be written by two at once), and
putting a report into Google Drive (two exports must not both make its Doc).

PostgreSQL: an advisory lock, held by a connection of its own for the length of the block, so
every instance on the database waits for it, and a process that dies lets go at once (its
connection closes). SQLite is one machine: a process-wide lock per name, plus an ``fcntl``
record lock on a file beside the database for the other processes on that machine.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

# The first of PostgreSQL's two 32-bit advisory keys: "HINL". The sign-in limit uses "HIND"
# (accounts/ratelimit.py); the migration and export-claim locks use the one-key space.
LOCK_SPACE = 0x48494E4C
_RANGES = 2**31 - 1  # record-lock offsets in the SQLite lock file

_thread_locks: dict[str, threading.Lock] = {}
_thread_locks_guard = threading.Lock()
_lock_files: dict[str, int] = {}


@functools.cache  # a few names, asked for on every save
def lock_key(name: str) -> int:
    """The name as a signed 32-bit number (PostgreSQL's second advisory key)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big", signed=True)


def _thread_lock(name: str) -> threading.Lock:
    with _thread_locks_guard:
        return _thread_locks.setdefault(name, threading.Lock())


@contextlib.contextmanager
def _advisory(engine: Engine, name: str) -> Iterator[None]:
    with engine.connect() as connection:
        key = {"space": LOCK_SPACE, "key": lock_key(name)}
        connection.execute(sa.text("SELECT pg_advisory_lock(:space, :key)"), key)
        connection.commit()  # hold the lock, not a transaction: it outlives the block's queries
        try:
            yield
        finally:
            with contextlib.suppress(sa.exc.DBAPIError):  # a lost connection let go already
                connection.execute(sa.text("SELECT pg_advisory_unlock(:space, :key)"), key)
                connection.commit()


def _lock_file(database: str) -> int:
    """The lock file's descriptor, opened once per process and never closed: closing any
    descriptor of a file drops every record lock the process holds on it."""
    path = f"{database}.locks"
    with _thread_locks_guard:
        if path not in _lock_files:
            Path(database).parent.mkdir(parents=True, exist_ok=True)
            _lock_files[path] = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        return _lock_files[path]


@contextlib.contextmanager
def _sqlite_file(database: str, name: str) -> Iterator[None]:
    offset = lock_key(name) % _RANGES
    with _thread_lock(name):
        descriptor = _lock_file(database)
        fcntl.lockf(descriptor, fcntl.LOCK_EX, 1, offset)
        try:
            yield
        finally:
            fcntl.lockf(descriptor, fcntl.LOCK_UN, 1, offset)


def is_shared(engine: Engine) -> bool:
    """Whether processes on other machines may use this database (PostgreSQL)."""
    return engine.dialect.name == "postgresql"


@contextlib.contextmanager
def named_lock(engine: Engine, name: str) -> Iterator[None]:
    """Hold the lock ``name`` on this database for the length of the block."""
    if is_shared(engine):
        with _advisory(engine, name):
            yield
        return
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        with _sqlite_file(database, name):
            yield
        return
    with _thread_lock(name):
        yield
