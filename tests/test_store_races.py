"""A save is worked out before it takes the write lock and written only if the report is still
the version it was worked out from (reports/store.py ``_SavePlan``). These tests put another
writer between the two, on SQLite and PostgreSQL, and check that nothing is lost or doubled."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import Any

import pytest
import sqlalchemy as sa

from reports.exchange import from_document, to_document
from reports.model import ActionItem, Report
from reports.store import ReportStore, VersionConflict
from reports.workflow import ReportPublished


def _meanwhile(store: ReportStore, monkeypatch: pytest.MonkeyPatch,
               other_writer: Callable[[], object]) -> None:
    """Run ``other_writer`` once, just before the next save takes the write lock (after it
    read the report and worked out what to write)."""
    taking_the_lock = store.engine.begin
    done: list[bool] = []

    def begin() -> AbstractContextManager[sa.Connection]:
        if not done:
            done.append(True)
            other_writer()
        return taking_the_lock()

    monkeypatch.setattr(store.engine, "begin", begin)


def _with_actions(document: dict[str, Any], *descriptions: str) -> Report:
    report = from_document(document)
    report.actions = [ActionItem(description=d, owner="Platform") for d in descriptions]
    return report


def _action_rows(store: ReportStore, report_id: int) -> list[str]:
    with store.engine.connect() as connection:
        return list(connection.execute(sa.text(
            "SELECT description FROM action_items WHERE report_id = :id ORDER BY position"),
            {"id": report_id}).scalars())


def test_a_save_on_a_version_someone_just_replaced_is_a_conflict(
    store: ReportStore, sample_document: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    created = store.create(from_document(sample_document))
    theirs = replace(from_document(sample_document), title="Theirs")
    _meanwhile(store, monkeypatch, lambda: store.save(created.id, theirs, expected_version=1))
    with pytest.raises(VersionConflict) as conflict:
        store.save(created.id, replace(from_document(sample_document), title="Mine"),
                   expected_version=1)
    assert conflict.value.current.version == 2
    assert conflict.value.current.report.title == "Theirs"
    stored = store.get(created.id)
    assert stored is not None and stored.version == 2 and stored.report.title == "Theirs"
    assert [r.version for r in store.revisions(created.id)] == [2, 1]


def test_a_save_with_no_version_is_written_after_the_one_that_came_between(
    store: ReportStore, sample_document: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    created = store.create(from_document(sample_document))
    theirs = _with_actions(sample_document, "Theirs first", "Theirs second")
    _meanwhile(store, monkeypatch, lambda: store.save(created.id, theirs))
    mine = _with_actions(sample_document, "Mine")
    saved = store.save(created.id, mine, author="Ana", kind="api")
    assert saved is not None and saved.version == 3
    stored = store.get(created.id)
    assert stored is not None and stored.version == 3
    assert to_document(stored.report) == to_document(mine)
    # The history keeps both, each once; the action items' table holds the last one's.
    history = store.revisions(created.id)
    assert [(r.version, r.kind) for r in history] == [(3, "api"), (2, "save"), (1, "create")]
    assert history[0].parts is not None and "actions" in history[0].parts
    revision_two = store.revision(created.id, 2)
    assert revision_two is not None and to_document(revision_two) == to_document(theirs)
    assert _action_rows(store, created.id) == ["Mine"]


def test_an_autosave_folds_into_the_autosave_that_came_between(
    store: ReportStore, sample_document: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    created = store.create(from_document(sample_document))
    first = replace(from_document(sample_document), summary="First words.")
    _meanwhile(store, monkeypatch,
               lambda: store.save(created.id, first, author="Ana", kind="autosave"))
    second = replace(from_document(sample_document), title="Second words")
    saved = store.save(created.id, second, author="Ana", kind="autosave")
    assert saved is not None and saved.version == 3
    group = store.revisions(created.id)[0]
    assert (group.version, group.saves) == (3, 2)
    assert group.parts is not None and {"summary", "title"} <= set(group.parts)


def test_a_report_put_in_the_bin_meanwhile_is_not_saved(
    store: ReportStore, sample_document: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    created = store.create(from_document(sample_document))
    _meanwhile(store, monkeypatch, lambda: store.delete(created.id))
    assert store.save(created.id, Report(title="Too late"), expected_version=1) is None
    assert store.undelete(created.id)
    stored = store.get(created.id)
    assert stored is not None and stored.version == 1
    assert to_document(stored.report) == sample_document


def test_a_report_published_meanwhile_refuses_a_change_of_content(
    store: ReportStore, sample_document: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    created = store.create(from_document(sample_document))
    published = replace(from_document(sample_document), status="published")
    _meanwhile(store, monkeypatch, lambda: store.save(created.id, published, kind="status"))
    with pytest.raises(ReportPublished):
        store.save(created.id, replace(published, summary="Rewritten after publishing."))
    stored = store.get(created.id)
    assert stored is not None and stored.version == 2
    assert stored.report.summary == sample_document["summary"]


def test_a_save_from_a_report_read_before_someone_else_saved_never_overwrites_it(
    store: ReportStore, sample_document: dict[str, Any]
) -> None:
    """``save(read=…)`` plans from the row the caller read; a save made since is not lost."""
    created = store.create(from_document(sample_document))
    first = replace(from_document(sample_document), summary="Ana's first words.")
    store.save(created.id, first, author="Ana", kind="autosave")
    read = store.get(created.id)
    assert read is not None and read.version == 2
    theirs = replace(from_document(sample_document), title="Theirs")
    store.save(created.id, theirs, author="Bo", kind="autosave")
    with pytest.raises(VersionConflict) as conflict:
        store.save(created.id, replace(read.report, title="Mine"), expected_version=2,
                   author="Ana", kind="autosave", read=read)
    assert conflict.value.current.report.title == "Theirs"
    # Without a version, it lands after theirs; Ana's autosave folds nothing of Bo's.
    saved = store.save(created.id, replace(read.report, impact="Mine too."), author="Ana",
                       kind="autosave", read=read)
    assert saved is not None and saved.version == 4
    history = store.revisions(created.id)
    assert [(r.version, r.author, r.saves) for r in history] == [
        (4, "Ana", 1), (3, "Bo", 1), (2, "Ana", 1), (1, None, 1)]


def test_a_save_from_a_report_read_before_it_went_to_the_bin_is_not_written(
    store: ReportStore, sample_document: dict[str, Any]
) -> None:
    created = store.create(from_document(sample_document))
    read = store.get(created.id)
    assert read is not None
    assert store.delete(created.id)
    assert store.save(created.id, replace(read.report, title="Mine"), read=read) is None
    assert store.undelete(created.id)
    kept = store.get(created.id)
    assert kept is not None and kept.version == 1 and kept.report.title != "Mine"
