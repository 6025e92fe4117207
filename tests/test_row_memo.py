"""Rows written and read once per object (reports/row_memo.py) give exactly what writing and
reading them afresh gives, whatever the rows hold and however they were made."""

from __future__ import annotations

import copy
import dataclasses
import json
import threading
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from hypothesis import given

from reports.exchange import (
    DocumentError,
    action_document,
    event_document,
    factor_document,
    from_document,
    to_document,
)
from reports.model import ActionItem, Factor, Report, TimelineEvent
from reports.row_memo import RowMemo
from reports.store import ReportStore
from reports.stored_document import stored_report
from tests.test_conflicts import FULL_DOCUMENT
from tests.test_fuzz import SETTINGS, documents


def _afresh(report: Report) -> dict[str, Any]:
    """The report's document with every row written anew, no memo involved."""
    return {**to_document(report),
            "timeline": [event_document(e) for e in report.timeline],
            "factors": [factor_document(f) for f in report.factors],
            "actions": [action_document(a) for a in report.actions]}


def _stored_text(store: ReportStore, report_id: int) -> str:
    with store.engine.connect() as connection:
        return str(connection.execute(sa.text("SELECT document FROM reports WHERE id = :id"),
                                      {"id": report_id}).scalar_one())


def test_rows_cannot_be_changed_in_place() -> None:
    # What makes remembering by identity safe: a changed row is a new object.
    for row in (TimelineEvent(), Factor(), ActionItem()):
        with pytest.raises(dataclasses.FrozenInstanceError):
            row.description = "changed"  # type: ignore[misc]  # what a careless caller would do


def test_the_memo_goes_by_identity_and_starts_again_when_full() -> None:
    memo: RowMemo[Factor, str] = RowMemo()
    memo.MAX_ENTRIES = 3
    one = Factor(description="same", id="f1")
    twin = Factor(description="same", id="f1")

    def made_anew(row: Factor) -> str:
        return f"made anew for {row.id}"

    memo.put(one, "made of one")
    assert one == twin
    assert memo.made_for_each([one, twin], made_anew) == ["made of one", "made anew for f1"]
    others = [Factor(id=f"f{n}") for n in range(2, 5)]
    for other in others:
        memo.put(other, other.id)
    assert memo.made_for_each([others[-1], one], made_anew) == ["f4", "made anew for f1"]


def test_a_list_of_the_same_rows_is_answered_whole_and_a_changed_one_is_not() -> None:
    memo: RowMemo[Factor, str] = RowMemo()
    rows = [Factor(id=f"f{n}") for n in range(5)]
    made: list[str] = []

    def make(row: Factor) -> str:
        made.append(row.id)
        return f"made of {row.id}"

    first = memo.made_for_each(list(rows), make)
    again = memo.made_for_each(list(rows), make)  # a new list of the same objects
    assert again == first == [f"made of f{n}" for n in range(5)] and made == [r.id for r in rows]
    again.append("the caller's own")  # each answer is the caller's list
    assert memo.made_for_each(list(rows), make) == first
    edited = [*rows[:2], Factor(id="f2", description="edited"), *rows[3:]]
    assert memo.made_for_each(edited, make)[2] == "made of f2" and made[-1] == "f2"
    assert len(made) == 6  # only the edited row was made again
    assert memo.made_for_each(rows[:4], make) == first[:4]  # shorter: row by row
    assert memo.made_for_each(rows[::-1], make) == first[::-1]
    assert memo.made_for_each([], make) == [] and len(made) == 6


def test_many_threads_get_what_their_own_rows_make() -> None:
    memo: RowMemo[Factor, str] = RowMemo()
    lists = [[Factor(id=f"l{n}-r{r}") for r in range(20)] for n in range(12)]
    wrong: list[str] = []

    def work(rows: list[Factor]) -> None:
        for _ in range(300):
            answer = memo.made_for_each(list(rows), lambda row: row.id)
            if answer != [row.id for row in rows]:
                wrong.append(rows[0].id)

    threads = [threading.Thread(target=work, args=(rows,)) for rows in lists]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []


def test_a_time_in_a_named_zone_reads_back_as_stored(store: ReportStore) -> None:
    # The page gives times in the report's zone (ZoneInfo); a stored document gives them with
    # their offset. Reading back must give the stored kind every time, never the page's
    # objects, however many times the same rows are saved and read.
    paris = ZoneInfo("Europe/Paris")
    report = from_document(copy.deepcopy(FULL_DOCUMENT))
    report.timeline = [dataclasses.replace(e, at=datetime(2026, 3, 29, 1, 30 + n, tzinfo=paris))
                       for n, e in enumerate(report.timeline)]
    created = store.create(report)
    for round_ in range(3):
        current = store.get(created.id)
        assert current is not None
        afresh = stored_report(json.loads(_stored_text(store, created.id)))
        assert [(e.at, e.at and e.at.tzinfo) for e in current.report.timeline] == [
            (e.at, e.at and e.at.tzinfo) for e in afresh.timeline]
        assert all(not isinstance(e.at.tzinfo, ZoneInfo) for e in current.report.timeline
                   if e.at)
        current.report.summary = f"Round {round_}."
        store.save(created.id, current.report, expected_version=current.version, read=current)


def test_saving_the_rows_read_writes_them_unchanged(store: ReportStore) -> None:
    # An autosave's path: read, change one row and one field, save, read again.
    created = store.create(from_document(copy.deepcopy(FULL_DOCUMENT)))
    for round_ in range(3):
        current = store.get(created.id)
        assert current is not None
        report = current.report
        report.timeline[0] = dataclasses.replace(report.timeline[0],
                                                 description=f"Edited {round_}.")
        report.actions.append(ActionItem(description=f"New {round_}.", owner="Ops"))
        report.actions[0] = dataclasses.replace(report.actions[0], addresses=(0, 1))
        saved = store.save(created.id, report, expected_version=current.version, read=current)
        assert saved is not None
        assert json.loads(_stored_text(store, created.id)) == _afresh(report)
        again = store.get(created.id)
        assert again is not None and again.report == report
        assert to_document(again.report) == _afresh(again.report)


@given(document=documents)
@SETTINGS
def test_any_accepted_document_writes_and_reads_the_same_twice(document: dict[str, Any],
                                                                ) -> None:
    try:
        report = from_document(document)
    except DocumentError:
        return
    first = json.loads(json.dumps(to_document(report)))
    read = stored_report(first)
    assert to_document(read) == _afresh(read) == _afresh(report)
    assert stored_report(first) == read == stored_report(copy.deepcopy(first))
