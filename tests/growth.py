"""How a piece of work grows with its input, measured so that a slow or busy machine cannot fail
the test while a quadratic pattern still does: the same work at two sizes, in one run, as a ratio.
"""

from __future__ import annotations

import time
from collections.abc import Callable

# Eight times the input: linear work takes about eight times as long, work that tries every
# start against every end sixty-four times. Between them, room for a noisy machine.
FACTOR = 8
LINEAR_AT_MOST = 24


def least_cpu_seconds(action: Callable[[], object], tries: int) -> float:
    """The least CPU time of this process that ``action`` took over ``tries`` runs.

    Process time leaves out other processes; the least of several leaves out this one's pauses.
    """
    best = float("inf")
    for _ in range(tries):
        started = time.process_time()
        action()
        best = min(best, time.process_time() - started)
    return best


def growth(work_of_size: Callable[[int], Callable[[], object]], size: int) -> float:
    """How many times longer the work takes at ``FACTOR`` times ``size`` than at ``size``."""
    short = least_cpu_seconds(work_of_size(size), tries=3)
    long = least_cpu_seconds(work_of_size(FACTOR * size), tries=2)
    return long / max(short, 1e-4)
