"""A save leaves its search words to be indexed by the next search, which always finds the
reports as saved: all their words for the team, the client copy's words for viewers."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import sqlalchemy as sa

from reports import library
from reports.exchange import from_document
from reports.library import LibraryQuery, Scope
from reports.store import ReportStore, refresh_search_words
from reports.tables import ReportRow


def _found(store: ReportStore, text: str, internal: bool = True) -> list[int]:
    page = library.find(store.engine, LibraryQuery(text=text), Scope(internal=internal))
    return [entry.id for entry in page.entries]


def _stale(store: ReportStore, report_id: int) -> bool:
    with store.engine.connect() as connection:
        return bool(connection.execute(
            sa.select(ReportRow.words_stale).where(ReportRow.id == report_id)).scalar_one())


def test_a_saved_word_is_found_by_the_next_search(store: ReportStore,
                                                  sample_document: dict[str, Any]) -> None:
    created = store.create(from_document(sample_document))
    assert not _stale(store, created.id) and _found(store, "gateway") == [created.id]
    report = copy.deepcopy(created.report)
    report.summary = "A quokka chewed the fibre cable."
    store.save(created.id, report, expected_version=created.version)
    assert _stale(store, created.id)  # the save itself indexed nothing
    assert _found(store, "quokka") == [created.id]
    assert not _stale(store, created.id)
    assert _found(store, "retired gateway sent") == []  # the old summary's words are gone


def test_viewers_never_find_words_saved_as_internal(store: ReportStore,
                                                    sample_document: dict[str, Any]) -> None:
    created = store.create(from_document(sample_document))
    report = copy.deepcopy(created.report)
    report.impact = "The wombat cluster lost its quorum."
    report.internal_parts = ["impact"]
    store.save(created.id, report, expected_version=created.version)
    assert _found(store, "wombat", internal=False) == []
    assert _found(store, "wombat", internal=True) == [created.id]


def test_a_report_saved_again_while_being_indexed_stays_to_be_indexed(
        store: ReportStore, sample_document: dict[str, Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    created = store.create(from_document(sample_document))
    first = copy.deepcopy(created.report)
    first.summary = "First words."
    saved = store.save(created.id, first, expected_version=created.version)
    assert saved is not None
    later = copy.deepcopy(first)
    later.summary = "Later words."
    real_search_text = library.refresh_search_words.__globals__["search_text"]

    def save_meanwhile(report: Any) -> str:  # another save lands while the words are read
        monkeypatch.setitem(library.refresh_search_words.__globals__, "search_text",
                            real_search_text)
        store.save(created.id, later, expected_version=saved.version)
        return str(real_search_text(report))

    monkeypatch.setitem(refresh_search_words.__globals__, "search_text", save_meanwhile)
    refresh_search_words(store.engine)
    monkeypatch.undo()
    assert _stale(store, created.id)  # the newer save's words are not in the index yet
    assert _found(store, "later") == [created.id] and _found(store, "first") == []


def test_the_median_time_to_resolve_holds_while_reports_change(
        store: ReportStore, sample_document: dict[str, Any]) -> None:
    """Under load a report's times can be cleared between the count and the middle rows; the
    figure must come from one consistent view (it was a 500 on the list page)."""
    for _ in range(3):
        store.create(from_document(sample_document))
    cleared: list[bool] = []

    def clear_times_after_the_count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "count(" in statement.lower() and not cleared:
            cleared.append(True)
            with store.engine.begin() as other:  # another person's save, committed meanwhile
                other.execute(sa.update(ReportRow).values(resolved_at=None))

    sa.event.listen(store.engine, "after_cursor_execute", clear_times_after_the_count)
    try:
        median = library.median_time_to_resolve(store.engine)
    finally:
        sa.event.remove(store.engine, "after_cursor_execute", clear_times_after_the_count)
    assert cleared and median is not None and median.total_seconds() > 0
