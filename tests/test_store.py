"""Storage on a real SQLite file: saves are durable, versioned and all-or-nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from reports import store as store_module
from reports.exchange import from_document, to_document
from reports.migrate import current_revision, head_revision, upgrade
from reports.model import Report
from reports.store import ReportStore, make_engine
from reports.store_statements import SAVED_COLUMNS


def test_the_schema_is_migrated_once(new_database: Callable[[], str]) -> None:
    engine = make_engine(new_database())
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    upgrade(engine)  # a second run changes nothing and does not fail
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_the_sqlite_database_is_a_real_file_at_the_latest_schema(tmp_path: Path) -> None:
    path = tmp_path / "db" / "reports.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    assert path.is_file() and path.stat().st_size > 0
    assert current_revision(engine) == head_revision()
    upgrade(engine)  # a second run changes nothing and does not fail
    assert current_revision(engine) == head_revision()


def test_create_get_save_and_list(store: ReportStore, sample_document: dict[str, Any]) -> None:
    created = store.create(from_document(sample_document))
    assert created.version == 1
    fetched = store.get(created.id)
    assert fetched is not None and to_document(fetched.report) == sample_document

    changed = from_document({**sample_document, "title": "Payments failed"})
    saved = store.save(created.id, changed)
    assert saved is not None and saved.version == 2 and saved.report.title == "Payments failed"
    assert saved.updated_at >= created.updated_at

    other = store.create(Report(title="Second"))
    assert [s.id for s in store.list()] == [other.id, created.id]


def test_missing_reports_are_none(store: ReportStore) -> None:
    assert store.get(12345) is None
    assert store.save(12345, Report()) is None


def test_a_failed_save_leaves_the_previous_version_intact(
    store: ReportStore, sample_document: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    created = store.create(from_document(sample_document))

    def explode(connection: sa.Connection, steps: object) -> None:
        # After the report's row is written, before its revision is: a half-written save.
        written = connection.execute(sa.text("SELECT title FROM reports WHERE id = :id"),
                                     {"id": created.id}).scalar()
        assert written == "never stored"
        raise RuntimeError("disk full")

    monkeypatch.setattr(store_module, "_run", explode)
    with pytest.raises(RuntimeError):
        store.save(created.id, Report(title="never stored"))
    monkeypatch.undo()
    after = store.get(created.id)
    assert after is not None and after.version == 1
    assert to_document(after.report) == sample_document


def test_what_is_acknowledged_is_on_disk(
    tmp_path: Path, store: ReportStore, sample_document: dict[str, Any]
) -> None:
    created = store.create(from_document(sample_document))
    store.engine.dispose()
    fresh = ReportStore(make_engine(store.engine.url.render_as_string(hide_password=False)))
    fetched = fresh.get(created.id)
    assert fetched is not None and fetched.report.title == sample_document["title"]
    if fresh.engine.dialect.name == "sqlite":
        with fresh.engine.connect() as connection:
            mode = connection.execute(sa.text("PRAGMA journal_mode")).scalar()
        assert mode == "wal"
    fresh.engine.dispose()


def test_processes_starting_together_migrate_once(new_database: Callable[[], str]) -> None:
    """Four processes (as gunicorn workers) start on one new database at the same moment."""
    import subprocess
    import sys

    url = new_database()
    script = ("import sys; from reports.migrate import upgrade; "
              "from reports.store import make_engine; upgrade(make_engine(sys.argv[1]))")
    processes = [subprocess.Popen([sys.executable, "-c", script, url],
                                  stderr=subprocess.PIPE, text=True) for _ in range(4)]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in processes]  # type: ignore[union-attr]
    assert all(code == 0 for code, _ in results), results
    engine = make_engine(url)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_a_save_writes_every_column_it_works_out() -> None:
    """The save's statement is built once (reports/store_statements.py) with the columns it
    sets: a column added to what a save works out must be added there too, or it is lost."""
    empty = Report()
    worked_out = store_module._row_values(
        empty, "{}", store_module._derived_columns(empty, words=False))
    assert set(worked_out) | {"version", "updated_at"} == set(SAVED_COLUMNS)
