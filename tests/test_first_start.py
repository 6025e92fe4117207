"""First start: many processes (gunicorn workers) start the app at once on a new, empty instance.

Each round makes a new instance folder (and, on a PostgreSQL run, a new empty database), starts
``PROCESSES`` processes that wait for each other and then all call ``create_app`` on it, and
checks that every one started and that all of them sign sessions with the same key.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from app import create_app
from tests.databases import PostgresServer
from tests.pages import store_of

PROCESSES = 8
ROUNDS = 20
ROUNDS_ON_POSTGRES = 5  # each round migrates a new database, seconds each on PostgreSQL


def _start(instance: str, database_url: str | None, barrier: Barrier, results: Any) -> None:
    try:
        config: dict[str, Any] = {"INSTANCE_PATH": instance}
        if database_url:
            config["DATABASE_URL"] = database_url
        barrier.wait(timeout=60)
        app = create_app(config)
        store_of(app).engine.dispose()
        results.put(("started", app.config["SECRET_KEY"]))
    except BaseException:  # the parent reports whatever stopped the start
        results.put(("failed", traceback.format_exc()))


def test_many_processes_start_together_on_a_new_instance(
    tmp_path: Path, new_database: Callable[[], str], postgres_server: PostgresServer | None
) -> None:
    processes = multiprocessing.get_context("fork")
    rounds = ROUNDS if postgres_server is None else ROUNDS_ON_POSTGRES
    for round_number in range(rounds):
        instance = tmp_path / f"round-{round_number}" / "instance"
        database_url = new_database() if postgres_server is not None else None
        barrier = processes.Barrier(PROCESSES)
        results = processes.Queue()
        starters = [processes.Process(target=_start,
                                      args=(str(instance), database_url, barrier, results))
                    for _ in range(PROCESSES)]
        for starter in starters:
            starter.start()
        outcomes = [results.get(timeout=120) for _ in starters]
        for starter in starters:
            starter.join(timeout=60)
        failures = [detail for outcome, detail in outcomes if outcome == "failed"]
        assert not failures, (f"round {round_number}: {len(failures)} of {PROCESSES} did not "
                              f"start; the first:\n{failures[0]}")
        keys = {detail for _, detail in outcomes}
        assert len(keys) == 1, f"round {round_number}: the processes signed with {len(keys)} keys"
        if postgres_server is None:
            engine = sa.create_engine(f"sqlite:///{instance / 'hindsight.sqlite3'}")
            with engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            engine.dispose()
