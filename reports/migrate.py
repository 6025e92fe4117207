"""Schema migrations (Alembic), run programmatically so no alembic.ini is needed."""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).with_name("migrations")
LOCK_KEY = 0x48494E44  # "HIND": the advisory lock every Hindsight process migrates under


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@contextmanager
def _only_one_migrator(engine: Engine) -> Iterator[None]:
    """Hold a lock that every process starting on this database takes before migrating.

    Several workers (gunicorn), or several instances on several machines, start at once;
    without it two would create the same tables and one would fail. PostgreSQL gets an advisory
    lock, which every machine on the database waits for; a SQLite file (one machine), a lock
    file beside it. Whoever waited then finds the database up to date and does nothing.
    """
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": LOCK_KEY})
            # The lock is the session's: end the transaction, so the connection is not left
            # "idle in transaction" (which a server setting may cut) while others migrate.
            connection.commit()
            try:
                yield
            finally:
                connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
                connection.commit()
        return
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        with open(f"{database}.migrate-lock", "a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)
        return
    yield


def _use_wal(engine: Engine, patience: float = 30.0) -> None:
    """Switch a SQLite file to write-ahead logging, which the file then keeps for good.

    Every connection asks for it too (``store.make_engine``) but lets a busy file pass. SQLite
    answers "database is locked" to the switch at once, without waiting out ``busy_timeout``,
    while another process is opening the same new file; so here, under the migration lock,
    the switch is tried again until it is made.
    """
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return
    deadline = time.monotonic() + patience
    while True:
        try:
            with engine.connect() as connection:
                mode = connection.exec_driver_sql("PRAGMA journal_mode=WAL").scalar()
            break
        except sa.exc.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    if str(mode).lower() != "wal":
        raise RuntimeError(f"SQLite refused write-ahead logging (journal mode {mode!r})")


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database up to ``revision``; a database already there is left untouched."""
    if revision == "head" and current_revision(engine) == head_revision():
        return
    with _only_one_migrator(engine):
        _use_wal(engine)
        if revision == "head" and current_revision(engine) == head_revision():
            return  # another process migrated while this one waited
        config = _config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
