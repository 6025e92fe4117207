"""Upgrading keeps every row: no migration may lose a report, a revision or anything that
points at a report (on SQLite a table copied and dropped deletes them through ON DELETE
CASCADE)."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from reports.migrate import upgrade
from reports.store import make_engine

NOW = "2026-10-03 09:00:00"


def _counts(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {table: connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
                for table in ("reports", "revisions", "exports", "action_items")}


def test_upgrading_from_the_last_release_keeps_every_row(
        new_database: Callable[[], str]) -> None:
    engine = make_engine(new_database())
    upgrade(engine, "0012")
    with engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO reports (id, version, created_at, updated_at, title, service, status,"
            " document, authors, search_text, client_search_text)"
            " VALUES (1, 2, :now, :now, 'T', 's', 'draft', '{}', '', 'words', 'words')"),
            {"now": NOW})
        for version in (1, 2):
            connection.execute(sa.text(
                "INSERT INTO revisions (report_id, version, saved_at, document)"
                " VALUES (1, :version, :now, :document)"),
                {"version": version, "now": NOW, "document": b"x"})
        connection.execute(sa.text(
            "INSERT INTO exports (report_id, format, destination, location, created_at,"
            " report_version, ok) VALUES (1, 'pdf', 'local', '2026/10.s.t.pdf', :now, 2, :ok)"),
            {"now": NOW, "ok": True})
        connection.execute(sa.text(
            "INSERT INTO action_items (report_id, position, description, owner, status, ticket)"
            " VALUES (1, 0, 'Fix it', 'Ops', 'agreed', '')"))
    before = _counts(engine)
    assert before == {"reports": 1, "revisions": 2, "exports": 1, "action_items": 1}
    upgrade(engine)
    assert _counts(engine) == before
    engine.dispose()
