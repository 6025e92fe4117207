"""What was made of a row, remembered by the row's identity: a big report's rows are written
and read on every autosave, and all but the one being typed in are the same objects each time.

A report's rows (``TimelineEvent``, ``Factor``, ``ActionItem``) are frozen, and the documents
the store reads and writes are only ever read, so what was made of one stays true for as long
as the object lives. Each entry holds the object itself, so its ``id`` cannot be given to
another object while the entry is there.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from operator import is_
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
    # Whole lists made lately: an autosave of a big report writes and reads lists of the very
    # same rows as the one before it (in new list objects), and comparing them object for
    # object in C costs a tenth of looking each row up in Python.
    RECENT_LISTS = 8

    def __init__(self) -> None:
        self._entries: dict[int, tuple[Key, Made]] = {}
        self._recent: deque[tuple[tuple[Key, ...], list[Made]]] = deque(
            maxlen=self.RECENT_LISTS)

    def put(self, key: Key, made: Made) -> Made:
        if len(self._entries) >= self.MAX_ENTRIES:
            self._entries.clear()
        self._entries[id(key)] = (key, made)
        return made

    def made_for_each(self, keys: Sequence[Key], make: Callable[[Key], Made]) -> list[Made]:
        """What was made of each of ``keys``, made by ``make`` for those not seen yet."""
        for seen, made_then in tuple(self._recent):  # a copy: other threads add to it
            if len(seen) == len(keys) and all(map(is_, seen, keys)):
                return list(made_then)
        entries = self._entries  # the loop every autosave runs for every row: kept tight
        made = []
        for key in keys:
            entry = entries.get(id(key))
            made.append(entry[1] if entry is not None and entry[0] is key
                        else self.put(key, make(key)))
        self._recent.append((tuple(keys), made))
        return list(made)
