"""What was made of a row, remembered by the row's identity: a big report's rows are written
and read on every autosave, and all but the one being typed in are the same objects each time.

A report's rows (``TimelineEvent``, ``Factor``, ``ActionItem``) are frozen, and the documents
the store reads and writes are only ever read, so what was made of one stays true for as long
as the object lives. Each entry holds the object itself, so its ``id`` cannot be given to
another object while the entry is there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

Key = TypeVar("Key")
Made = TypeVar("Made")


class RowMemo(Generic[Key, Made]):
    """``made`` for ``key`` objects, looked up by identity (never by value: an equal row that
    is another object may hold a time in another kind of zone)."""

    # Rows of the reports being written at the same time (a report has at most 1,500: three
    # lists of ``limits.MAX_ROWS``), each held with what was made of it: a few megabytes.
    # Beyond, it starts again from nothing, which costs one reading of each report.
    MAX_ENTRIES = 5_000

    def __init__(self) -> None:
        self._entries: dict[int, tuple[Key, Made]] = {}

    def put(self, key: Key, made: Made) -> Made:
        if len(self._entries) >= self.MAX_ENTRIES:
            self._entries.clear()
        self._entries[id(key)] = (key, made)
        return made

    def made_for_each(self, keys: Iterable[Key], make: Callable[[Key], Made]) -> list[Made]:
        """What was made of each of ``keys``, made by ``make`` for those not seen yet."""
        entries = self._entries  # the loop every autosave runs for every row: kept tight
        made = []
        for key in keys:
            entry = entries.get(id(key))
            made.append(entry[1] if entry is not None and entry[0] is key
                        else self.put(key, make(key)))
        return made
