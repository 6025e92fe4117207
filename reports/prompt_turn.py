"""While a thread holds SQLite's one writer, it gets the interpreter back promptly.

Every statement a save runs lets go of Python's interpreter lock while SQLite works. When the
statement is done, the thread asks for the lock back; if another thread of the process is
drawing a page meanwhile, Python makes that thread hand it over only after the switch interval
(``sys.getswitchinterval()``, 5 ms by default). A save runs several statements in its turn, so
under load it held the writer about 20 ms for 1 ms of its own work, and every other save in
every process waited behind it. For the length of the turn the process's switch interval is
made short, and the interval it found is put back when the turn ends. One thread of a process
holds a database's turn at a time (``reports/db_locks.py``), but stores on two databases in one
process may be in their turns at once: turns are counted, and the last one out puts it back.
A short interval everywhere was tried and left: switching that often slowed every page
(bench/load.py, 3 Dec).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

SWITCH_INTERVAL_IN_TURN = 0.0002  # seconds: 25x sooner than Python's default

_guard = threading.Lock()
_inside = 0
_found = 0.0


@contextmanager
def prompt_turn() -> Iterator[None]:
    """Shorten the process's switch interval for the length of the block."""
    global _inside, _found
    with _guard:
        if _inside == 0:
            _found = sys.getswitchinterval()
            sys.setswitchinterval(min(_found, SWITCH_INTERVAL_IN_TURN))
        _inside += 1
    try:
        yield
    finally:
        with _guard:
            _inside -= 1
            if _inside == 0:
                sys.setswitchinterval(_found)
