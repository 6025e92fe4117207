"""A small sliding-window limit on failed sign-ins, per address and per username.

Kept in memory: with several worker processes each counts on its own, so the real limit is
the configured one times the number of workers; enough to make guessing passwords slow.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque


class FailureLimit:
    def __init__(self, attempts: int = 5, window_seconds: float = 900.0):
        self.attempts = attempts
        self.window = window_seconds
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures[key]
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def blocked_for(self, *keys: str, now: float | None = None) -> float:
        """Seconds until any of ``keys`` may try again; 0 when none is blocked."""
        now = time.monotonic() if now is None else now
        with self._lock:
            waits = [
                failures[0] + self.window - now
                for key in keys
                if len(failures := self._recent(key, now)) >= self.attempts
            ]
        return max(waits, default=0.0)

    def failed(self, *keys: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)
