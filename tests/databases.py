"""The database each test runs on: SQLite files by default, or a real PostgreSQL server.

With ``HINDSIGHT_TEST_POSTGRES=1`` the session starts its own PostgreSQL server (Debian's
``postgresql`` package) on a Unix socket in a temporary folder, no TCP port, and every test gets
a database of its own. The URL is put in ``HINDSIGHT_DATABASE_URL`` for the test's duration, so
apps made in the test, and servers it starts in other processes, all use it.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from exporters.worker import stop_every_pool

USE_POSTGRES = os.environ.get("HINDSIGHT_TEST_POSTGRES") == "1"


class PostgresServer:
    def __init__(self) -> None:
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        if not binaries:
            raise RuntimeError("PostgreSQL is not installed: run scripts/bootstrap.sh "
                               "--with-test-tools")
        self.bin = Path(binaries[-1]).parent
        self.root = Path(tempfile.mkdtemp(prefix="hindsight-pg-"))
        self.data = self.root / "data"
        self.socket_dir = self.root
        self._names = itertools.count(1)
        self.made: list[str] = []
        self._as_postgres = os.geteuid() == 0  # the server refuses to run as root

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self._as_postgres else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, text=True)

    def start(self) -> None:
        if self._as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "--auth=trust",
                  "--username=postgres", "--encoding=UTF8", "--no-sync")
        options = (f"-k {self.socket_dir} -c listen_addresses='' -c fsync=on "
                   "-c max_connections=300")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-w",
                  "-l", str(self.root / "server.log"), "start")

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                      "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@/{database}?host={self.socket_dir}"

    def _admin(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(host=str(self.socket_dir), user="postgres", dbname="postgres",
                             autocommit=True) as connection:
            connection.execute(statement)

    def new_database(self) -> str:
        name = f"test_{os.getpid()}_{next(self._names)}"
        self._admin(f'CREATE DATABASE "{name}"')
        self.made.append(name)
        return self.url(name)

    def drop_databases(self, keep: int = 0) -> None:
        """Drop the databases made after the first ``keep``, closing what is left connected."""
        while len(self.made) > keep:
            self._admin(f'DROP DATABASE IF EXISTS "{self.made.pop()}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer | None]:
    if not USE_POSTGRES:
        yield None
        return
    server = PostgresServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def new_database(
    postgres_server: PostgresServer | None, tmp_path: Path
) -> Callable[[], str]:
    """Makes one more empty database for this test (a SQLite file, or a PostgreSQL database)."""
    counter = itertools.count(1)

    def make() -> str:
        if postgres_server is not None:
            return postgres_server.new_database()
        return f"sqlite:///{tmp_path / f'extra-{next(counter)}.sqlite3'}"

    return make


@pytest.fixture(autouse=True)
def database_for_this_test(
    postgres_server: PostgresServer | None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str | None]:
    """On PostgreSQL, point every app of this test at a fresh database of its own.

    Afterwards the export threads this test's apps started are stopped, before the database
    they read goes away (they would poll it, and say so in the log, until the run ends)."""
    if postgres_server is None:
        monkeypatch.delenv("HINDSIGHT_DATABASE_URL", raising=False)
        yield None
        stop_every_pool()
        return
    keep = len(postgres_server.made)  # databases of wider-scoped fixtures stay
    url = postgres_server.new_database()
    monkeypatch.setenv("HINDSIGHT_DATABASE_URL", url)
    yield url
    stop_every_pool()
    postgres_server.drop_databases(keep)
