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


def medians_ms(actions: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """``median_ms`` of each action, the actions taking turns (one run of each, ``repeat``
    times): a change in the machine's load during the run weighs on all of them alike, so
    their ratios hold better than when each is timed in a block of its own."""
    for action in actions.values():
        action()
    samples: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(repeat):
        for name, action in actions.items():
            start = time.perf_counter()
            action()
            samples[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(times) for name, times in samples.items()}
