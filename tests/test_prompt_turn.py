"""A thread holding SQLite's one writer gets the interpreter back promptly (reports/prompt_turn.py):
the process's switch interval is short for the length of the turn, and put back after it."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from reports.exchange import from_document
from reports.prompt_turn import SWITCH_INTERVAL_IN_TURN, prompt_turn
from reports.store import ReportStore

DEFAULT = 0.005  # Python's own


def about(seconds: float) -> Any:
    """Python keeps the interval in whole microseconds."""
    return pytest.approx(seconds, abs=2e-6)


@pytest.fixture(autouse=True)
def python_default_interval() -> Iterator[None]:
    found = sys.getswitchinterval()
    sys.setswitchinterval(DEFAULT)
    yield
    sys.setswitchinterval(found)


def test_the_interval_is_short_in_the_turn_and_put_back_after_it() -> None:
    with prompt_turn():
        assert sys.getswitchinterval() == about(SWITCH_INTERVAL_IN_TURN)
    assert sys.getswitchinterval() == about(DEFAULT)


def test_an_interval_set_by_someone_else_is_what_comes_back() -> None:
    sys.setswitchinterval(0.02)
    with prompt_turn():
        assert sys.getswitchinterval() < 0.02
    assert sys.getswitchinterval() == about(0.02)


def test_an_interval_already_shorter_is_left_alone() -> None:
    sys.setswitchinterval(SWITCH_INTERVAL_IN_TURN / 2)
    with prompt_turn():
        assert sys.getswitchinterval() == about(SWITCH_INTERVAL_IN_TURN / 2)
    assert sys.getswitchinterval() == about(SWITCH_INTERVAL_IN_TURN / 2)


def test_a_failure_in_the_turn_still_puts_the_interval_back() -> None:
    with pytest.raises(RuntimeError), prompt_turn():
        raise RuntimeError("the save failed")
    assert sys.getswitchinterval() == about(DEFAULT)


def test_overlapping_turns_put_it_back_only_when_the_last_one_ends() -> None:
    """Two threads in turns at once (writers of two databases in one process): the first to
    leave must not lengthen the interval under the one still in its turn."""
    first_inside, second_inside, first_left = (threading.Event() for _ in range(3))
    seen: list[float] = []

    def first() -> None:
        with prompt_turn():
            first_inside.set()
            second_inside.wait(5)
        first_left.set()

    def second() -> None:
        first_inside.wait(5)
        with prompt_turn():
            second_inside.set()
            first_left.wait(5)
            seen.append(sys.getswitchinterval())

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen == [about(SWITCH_INTERVAL_IN_TURN)]
    assert sys.getswitchinterval() == about(DEFAULT)


def test_every_statement_a_save_writes_on_sqlite_runs_in_a_prompt_turn(
    store: ReportStore, sample_document: dict[str, Any]
) -> None:
    """The save's writes (the row, its history, its action items) all run with the short
    interval, and reading before the turn does not: a page drawn meanwhile is not slowed.
    PostgreSQL has no writer's turn (its row locks queue the writers): nothing changes there."""
    in_turn = SWITCH_INTERVAL_IN_TURN if store.engine.dialect.name == "sqlite" else DEFAULT
    saved = store.create(from_document(sample_document))
    changed = replace(saved.report, summary=saved.report.summary + " And one more sentence.",
                      actions=saved.report.actions[:1])
    intervals: dict[str, list[float]] = {"writes": [], "reads": []}

    @event.listens_for(store.engine, "before_cursor_execute")
    def note_the_interval(*args: Any) -> None:
        statement = str(args[2]).lstrip().upper()
        kind = "reads" if statement.startswith("SELECT") else "writes"
        intervals[kind].append(sys.getswitchinterval())

    try:
        assert store.save(saved.id, changed, expected_version=saved.version) is not None
    finally:
        event.remove(store.engine, "before_cursor_execute", note_the_interval)
    assert len(intervals["writes"]) >= 3  # the row, the history, the action items
    assert all(seen == about(in_turn) for seen in intervals["writes"])
    assert intervals["reads"] and intervals["reads"][0] == about(DEFAULT)
    assert sys.getswitchinterval() == about(DEFAULT)
    with store.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT version FROM reports WHERE id = :id"),
                                  {"id": saved.id}).scalar_one() == saved.version + 1
