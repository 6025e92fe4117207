"""The row a save just wrote, kept so that the next save of the report need not read it back.

An open page autosaves every few seconds, each time over the version its previous autosave
made. The store keeps, for the last reports it saved in this process, the report's row as the
save wrote it; a save over that very version starts from it instead of reading the report
again (a tenth of an autosave, bench/bench_autosave.py).

Nothing is taken on trust that the database does not confirm. The write over a kept row
happens only if the stored row is still that version, written at that moment, and not in the
bin (``store_statements.SAVE_ROW_OVER_WRITTEN``); a save by another process, a bin, a restored
backup all fail it, and the store then reads the row under its write lock as for any save.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class WrittenRow:
    """The columns ``store_statements.CURRENT_ROW`` reads, as a save wrote them.

    The row's revision is the one the save added: never folded yet, and ``last_kind``,
    ``last_author``… are what it was written with.
    """

    id: int
    version: int
    created_at: datetime
    updated_at: datetime
    status: str
    document: str
    last_kind: str
    last_author: str | None
    last_saved_at: datetime
    last_group_started_at: datetime | None
    last_group_saves: int
    last_parts: str
    deleted_at: None = None
    last_folded: bool = False


class WrittenRows:
    """The last row written for each of the most recently saved reports (one store's)."""

    MAX_REPORTS = 32
    # Characters: a larger document is not kept (its saves read it back, as before), so the
    # rows kept stay under 32 MB however large reports grow.
    MAX_TEXT = 1_000_000

    def __init__(self) -> None:
        self._rows: OrderedDict[int, WrittenRow] = OrderedDict()
        self._lock = threading.Lock()

    def keep(self, row: WrittenRow) -> None:
        if len(row.document) > self.MAX_TEXT:
            self.forget(row.id)
            return
        with self._lock:
            self._rows[row.id] = row
            self._rows.move_to_end(row.id)
            while len(self._rows) > self.MAX_REPORTS:
                self._rows.popitem(last=False)

    def at(self, report_id: int, version: int) -> WrittenRow | None:
        """The row kept for ``report_id`` if it is that ``version``."""
        with self._lock:
            row = self._rows.get(report_id)
        return row if row is not None and row.version == version else None

    def forget(self, report_id: int) -> None:
        with self._lock:
            self._rows.pop(report_id, None)
