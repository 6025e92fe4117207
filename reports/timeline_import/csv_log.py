"""A table with a time column, as paging and status-page tools export their incident logs.

The first row names the columns (a first row that already holds a time is data, and the columns
are called "Column 1", "Column 2"…). Commas, semicolons, tabs or bars separate the cells, and
quoted cells may hold them. The time column is the one whose cells read as times (epoch seconds
and milliseconds too); the text column is the one named like a message or, failing that, the one
with the longest text. A column named "type", "status" or "action" helps guess the kind, and a
date column is joined to a time column that has no dates. The person can choose other columns.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from reports.language import N_, say

from .model import RawEvent, Stamp, Table
from .text import clean
from .times import day_only, whole_stamp

DELIMITERS = (",", ";", "\t", "|")
MAX_ROWS_READ = 100_000
_SAMPLE = 50
_TEXT_NAMES = re.compile(r"message|description|summary|text|details?|update|event|title|body|"
                         r"note|log|entry|what|subject|content", re.IGNORECASE)
_TIME_NAMES = re.compile(r"time|date|created|when|\bat\b|occurred|started|logged", re.IGNORECASE)
_HINT_NAMES = re.compile(r"^(?:type|status|action|event ?type|kind|state|category)$",
                         re.IGNORECASE)
_AUTHOR_NAMES = re.compile(r"^(?:agent|user|author|who|by|from|person|created by|actor)$",
                           re.IGNORECASE)


class ColumnError(ValueError):
    """A column the person named that the table does not have."""


@dataclass(frozen=True)
class Cells:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    has_header: bool


def _delimiter(first_line: str) -> str | None:
    counts = {d: first_line.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else None


def cells(text: str) -> Cells | None:
    """The table's cells; None when the text is not a table of two columns or more."""
    text = text.lstrip("\ufeff")
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = _delimiter(first)
    if delimiter is None:
        return None
    reader = csv.reader(io.StringIO(text.strip("\r\n"), newline=""), delimiter=delimiter)
    rows: list[tuple[str, ...]] = []
    try:
        for number, row in enumerate(reader):
            if number >= MAX_ROWS_READ:
                break
            if any(cell.strip() for cell in row):
                rows.append(tuple(cell.strip() for cell in row))
    except csv.Error:
        return None
    if len(rows) < 2 or len(rows[0]) < 2:
        return None
    width = len(rows[0])
    if sum(1 for row in rows[:_SAMPLE] if len(row) == width) < 0.8 * min(len(rows), _SAMPLE):
        return None
    has_header = not any(_time_of(cell) for cell in rows[0])
    header = rows[0] if has_header else tuple(f"Column {i + 1}" for i in range(width))
    header = tuple(name or f"Column {i + 1}" for i, name in enumerate(header))
    body = rows[1:] if has_header else rows
    return Cells(header, tuple(body), has_header)


def _epoch(cell: str) -> datetime | None:
    if cell.isdigit() and len(cell) in (10, 13):
        seconds = int(cell) / (1000 if len(cell) == 13 else 1)
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)
    return None


def _time_of(cell: str) -> Stamp | datetime | None:
    return _epoch(cell) or whole_stamp(cell)


def _cell(row: tuple[str, ...], index: int | None) -> str:
    return row[index] if index is not None and index < len(row) else ""


def _share(table: Cells, index: int, test: Callable[[str], object]) -> float:
    """The part of the first rows whose cell in this column passes the test."""
    sample = table.rows[:_SAMPLE]
    if not sample:
        return 0.0
    return sum(1 for row in sample if test(_cell(row, index))) / len(sample)


def guess_time_column(table: Cells) -> int | None:
    scored = [(_share(table, i, _time_of), bool(_TIME_NAMES.search(name)), -i)
              for i, name in enumerate(table.header)]
    best = max(scored)
    return -best[2] if best[0] >= 0.5 else None


def guess_text_column(table: Cells, time_column: int | None) -> int | None:
    others = [i for i in range(len(table.header)) if i != time_column]
    if not others:
        return None
    named = [i for i in others if _TEXT_NAMES.search(table.header[i])
             and not _HINT_NAMES.match(table.header[i])]

    def length(i: int) -> float:
        sample = table.rows[:_SAMPLE]
        return sum(len(_cell(row, i)) for row in sample) / max(len(sample), 1)

    return max(named or others, key=length)


def column_index(table: Cells, column: str | int | None) -> int | None:
    """A column named by its header (any case) or its position from 0."""
    if column is None or column == "":
        return None
    if isinstance(column, int) or (isinstance(column, str) and column.strip().isdigit()
                                   and column.strip() not in table.header):
        index = int(column)
        if 0 <= index < len(table.header):
            return index
    else:
        wanted = column.strip().casefold()
        for i, name in enumerate(table.header):
            if name.casefold() == wanted:
                return i
    raise ColumnError(say(N_("The table has no column %(column)s. Its columns are: "
                             "%(columns)s."),
                          column=repr(column), columns=", ".join(table.header[:30])))


def _first_matching(table: Cells, pattern: re.Pattern[str], skip: set[int | None]) -> int | None:
    return next((i for i, name in enumerate(table.header)
                 if i not in skip and pattern.search(name)), None)


def describe(table: Cells, time_column: int | None, text_column: int | None) -> Table:
    return Table(table.header, table.rows[:3], time_column, text_column)


def read_csv(text: str, time_column: str | int | None = None,
             text_column: str | int | None = None) -> tuple[list[RawEvent], Table | None]:
    """The rows as events, in the table's order; ColumnError for a column the table lacks."""
    table = cells(text)
    if table is None:
        return [], None
    time_index = column_index(table, time_column)
    if time_index is None:
        time_index = guess_time_column(table)
    text_index = column_index(table, text_column)
    if text_index is None:
        text_index = guess_text_column(table, time_index)
    shape = describe(table, time_index, text_index)
    if time_index is None or text_index is None:
        return [], shape
    used: set[int | None] = {time_index, text_index}
    hint_index = _first_matching(table, _HINT_NAMES, used)
    author_index = _first_matching(table, _AUTHOR_NAMES, used | {hint_index})
    date_index = next((i for i in range(len(table.header)) if i not in used
                       and _share(table, i, day_only) >= 0.5), None)
    events: list[RawEvent] = []
    for row in table.rows:
        when_text = _cell(row, time_index)
        when = _time_of(when_text)
        if isinstance(when, Stamp) and when.date is None and date_index is not None:
            when = whole_stamp(f"{_cell(row, date_index)} {when_text}") or when
        description = clean(_cell(row, text_index))
        if when is None or not description:
            continue
        author = clean(_cell(row, author_index), limit=100)
        hint = _cell(row, hint_index)[:200]
        if isinstance(when, datetime):
            events.append(RawEvent(description, moment=when, author=author, hint=hint))
        else:
            events.append(RawEvent(description, stamp=when, author=author, hint=hint))
    return events, shape


def looks_like_csv(text: str) -> bool:
    table = cells(text[:200_000])
    return table is not None and table.has_header and guess_time_column(table) is not None
