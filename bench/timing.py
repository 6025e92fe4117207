"""The one way the benchmarks time things: the median of repeated runs, after one warm-up."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_ms(action: Callable[[], object], repeat: int) -> float:
    """Milliseconds per call of ``action``: the median of ``repeat`` runs after a warm-up run
    (which pays for imports, templates and fonts once)."""
    action()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)
