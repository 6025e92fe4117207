"""An autosave over the version this process just saved starts from the row it wrote, without
reading the report back (reports/written_rows.py), and never from a row that is not the one
stored: another instance's save, a bin, a backup put back under the same version."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from app import create_app
from reports.exchange import from_document, to_document
from reports.store import NoLongerAsWritten, ReportStore
from reports.written_rows import WrittenRow, WrittenRows
from tests.conftest import SAMPLE_DOCUMENT
from tests.pages import OpenPage, store_of


@pytest.fixture
def two_instances(tmp_path: Path) -> Iterator[tuple[Flask, Flask]]:
    """Two app instances on one database (one SQLite file, or the test's PostgreSQL
    database), as two servers behind a load balancer."""
    first = create_app({"INSTANCE_PATH": str(tmp_path / "one"), "TESTING": True,
                        "SECRET_KEY": "shared-secret-for-both-instances-0123456789"})
    second = create_app({"INSTANCE_PATH": str(tmp_path / "one"), "TESTING": True,
                         "SECRET_KEY": "shared-secret-for-both-instances-0123456789"})
    yield first, second
    for app in (first, second):
        store_of(app).engine.dispose()


def _new_report(app: Flask) -> int:
    return store_of(app).create(from_document(json.loads(json.dumps(SAMPLE_DOCUMENT)))).id


def _statements(store: ReportStore) -> list[str]:
    seen: list[str] = []
    sa.event.listen(store.engine, "before_cursor_execute",
                    lambda _c, _cur, statement, *_rest: seen.append(statement))
    return seen


def test_an_autosave_over_the_version_just_saved_reads_nothing_back(app: Flask) -> None:
    report_id = _new_report(app)
    page = OpenPage(app, report_id)
    assert page.autosave(summary="First words.").status_code == 200
    seen = _statements(store_of(app))
    answer = page.autosave(impact="Second words.")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert not [s for s in seen if s.lstrip().upper().startswith("SELECT")
                and "document" in s], seen
    stored = store_of(app).get(report_id)
    assert stored is not None and stored.version == page.version == 3
    assert (stored.report.summary, stored.report.impact) == ("First words.", "Second words.")
    # Everything else is as the sample has it.
    expected = {**SAMPLE_DOCUMENT, "summary": "First words.", "impact": "Second words."}
    got = to_document(stored.report)
    assert {key: got[key] for key in SAMPLE_DOCUMENT} == {
        key: json.loads(json.dumps(expected[key])) for key in SAMPLE_DOCUMENT}


def test_autosaves_from_written_rows_fold_into_one_history_entry(app: Flask) -> None:
    report_id = _new_report(app)
    page = OpenPage(app, report_id)
    for step, part in enumerate(("summary", "impact", "summary", "went_well", "summary")):
        assert page.autosave(**{part: f"Step {step}."}).status_code == 200
    history = store_of(app).revisions(report_id)
    assert [(r.version, r.kind, r.saves) for r in history] == [(6, "autosave", 5),
                                                               (1, "create", 1)]
    assert set(history[0].parts) >= {"summary", "impact", "went_well"}
    # The folded ones are still readable by version, for pages based on them.
    for version in range(2, 6):
        assert store_of(app).revision(report_id, version) is not None


def test_a_save_by_another_instance_in_between_is_merged_not_overwritten(
        two_instances: tuple[Flask, Flask]) -> None:
    first, second = two_instances
    report_id = _new_report(first)
    mine, theirs = OpenPage(first, report_id), OpenPage(second, report_id)
    assert mine.autosave(summary="Mine, first.").status_code == 200  # first keeps version 2
    theirs.version = mine.version
    assert theirs.autosave(title="Their title").status_code == 200  # version 3, elsewhere
    answer = mine.autosave(impact="Mine, second.")  # over version 2, kept by the first
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json()["merged"] is True
    stored = store_of(second).get(report_id)
    assert stored is not None and stored.version == 4
    assert (stored.report.title, stored.report.summary, stored.report.impact) == (
        "Their title", "Mine, first.", "Mine, second.")


def test_a_report_binned_elsewhere_is_not_saved_into(two_instances: tuple[Flask, Flask],
                                                     ) -> None:
    first, second = two_instances
    report_id = _new_report(first)
    mine = OpenPage(first, report_id)
    assert mine.autosave(summary="Before the bin.").status_code == 200
    assert store_of(second).delete(report_id)
    assert mine.autosave(summary="After the bin.").status_code == 404
    assert store_of(second).undelete(report_id)
    stored = store_of(second).get(report_id)
    assert stored is not None and stored.version == 2
    assert stored.report.summary == "Before the bin."


def test_a_row_put_back_under_the_same_version_is_read_not_trusted(app: Flask) -> None:
    """A backup put back (or any writer) leaves the same version number with other content:
    the page's change goes onto what is stored, not onto what this process remembers."""
    report_id = _new_report(app)
    page = OpenPage(app, report_id)
    assert page.autosave(summary="Remembered summary.").status_code == 200
    store = store_of(app)
    elsewhere = {**json.loads(json.dumps(SAMPLE_DOCUMENT)), "title": "Put back",
                 "summary": "The summary put back."}
    reports = sa.table("reports", sa.column("id"), sa.column("document"),
                       sa.column("updated_at", sa.DateTime(timezone=True)))
    with store.engine.begin() as connection:
        connection.execute(sa.update(reports).where(reports.c.id == report_id).values(
            document=json.dumps(elsewhere), updated_at=datetime(2026, 11, 1, tzinfo=UTC)))
    answer = page.autosave(impact="A new impact.")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    stored = store.get(report_id)
    assert stored is not None and stored.version == 3
    assert (stored.report.title, stored.report.summary, stored.report.impact) == (
        "Put back", "The summary put back.", "A new impact.")


def test_the_store_refuses_a_save_from_a_row_no_longer_stored(store: ReportStore) -> None:
    report = store.create(from_document(json.loads(json.dumps(SAMPLE_DOCUMENT))))
    written = store.save(report.id, report.report, expected_version=1, kind="autosave")
    assert written is not None
    kept = store.get_to_save_over(report.id, 2)
    assert kept is not None and isinstance(kept.read_from, WrittenRow)
    other = ReportStore(store.engine)  # another instance on the same database
    assert other.save(report.id, kept.report, expected_version=2, note="elsewhere") is not None
    changed = from_document({**to_document(kept.report), "summary": "From a stale row."})
    with pytest.raises(NoLongerAsWritten):
        store.save(report.id, changed, expected_version=2, kind="autosave", read=kept)
    stored = store.get(report.id)
    assert stored is not None and stored.version == 3
    assert stored.report.summary == SAMPLE_DOCUMENT["summary"]
    # Forgotten: the next save over version 2 reads the report (and meets the conflict).
    again = store.get_to_save_over(report.id, 2)
    assert again is not None and again.version == 3 and not isinstance(again.read_from,
                                                                          WrittenRow)


def _row(report_id: int, version: int, document: str = "{}") -> WrittenRow:
    moment = datetime(2026, 12, 4, tzinfo=UTC)
    return WrittenRow(id=report_id, version=version, created_at=moment, updated_at=moment,
                      status="draft", document=document, last_kind="autosave", last_author=None,
                      last_saved_at=moment, last_group_started_at=None, last_group_saves=1,
                      last_parts="{}")


def test_written_rows_answer_only_their_version_and_keep_the_latest_reports() -> None:
    rows = WrittenRows()
    rows.keep(_row(1, 4))
    assert rows.at(1, 4) == _row(1, 4)
    assert rows.at(1, 3) is None and rows.at(1, 5) is None and rows.at(2, 4) is None
    rows.keep(_row(1, 5))
    assert rows.at(1, 4) is None and rows.at(1, 5) == _row(1, 5)
    for report_id in range(2, WrittenRows.MAX_REPORTS + 2):
        rows.keep(_row(report_id, 1))
    assert rows.at(1, 5) is None  # the least recently saved went first
    assert rows.at(2, 1) is not None and rows.at(WrittenRows.MAX_REPORTS + 1, 1) is not None
    rows.forget(2)
    assert rows.at(2, 1) is None


def test_a_very_large_document_is_not_kept() -> None:
    rows = WrittenRows()
    rows.keep(_row(1, 4))
    rows.keep(_row(1, 5, document="x" * (WrittenRows.MAX_TEXT + 1)))
    assert rows.at(1, 5) is None and rows.at(1, 4) is None  # read back, as any save
    rows.keep(_row(1, 6, document="x" * WrittenRows.MAX_TEXT))
    assert rows.at(1, 6) is not None
