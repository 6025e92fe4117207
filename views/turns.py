"""Writing first: when the server is busy, a person's save does not queue behind pages.

A Python process runs one thread at a time, so when every thread of a process is drawing a
page (an editor, the list, a history), a save that arrives waits for all of them, and under a
burst of readers a save could take seconds. Here each app process draws at most
``HINDSIGHT_PAGES_AT_ONCE`` pages at a time (``GET`` and ``HEAD``); the others wait their turn,
holding nothing but their thread. Writes (``POST``, ``PUT``, ``PATCH``, ``DELETE``: autosaves,
saves, status changes, export requests) never wait, and neither do the quick reads a page's
script repeats: those marked ``@quick`` (live changes, the health check), a script's request
for JSON (an export's progress) and static files. A page never waits more than ``PATIENCE``
seconds: after that it goes ahead, so a slow page (one waiting on Google, say) delays others by
that much at most and never blocks them. ``HINDSIGHT_PAGES_AT_ONCE=0`` turns the turns off.
Measured in ``bench/load.py``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from flask import Flask, current_app, g, request

PATIENCE = 2.0  # seconds a page waits for its turn before it goes ahead anyway
WAITING_METHODS = frozenset({"GET", "HEAD"})
QUICK_ATTRIBUTE = "hindsight_quick"
ALWAYS_QUICK = frozenset({"static"})  # Flask's own static files route

View = TypeVar("View", bound=Callable[..., object])


def quick(view: View) -> View:
    """Mark a read that is cheap and repeated by a page's script: it never waits its turn."""
    setattr(view, QUICK_ATTRIBUTE, True)
    return view


def waits_its_turn() -> bool:
    """Whether this request is a page to draw (it waits) rather than a write or a quick read."""
    endpoint = request.endpoint
    if request.method not in WAITING_METHODS or endpoint is None or endpoint in ALWAYS_QUICK:
        return False
    if getattr(current_app.view_functions.get(endpoint), QUICK_ATTRIBUTE, False):
        return False
    asked = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return asked != "application/json"


class PageTurns:
    """At most ``at_once`` pages drawn at a time in this process."""

    def __init__(self, at_once: int, patience: float = PATIENCE):
        self.at_once = at_once
        self.patience = patience
        self._turns = threading.BoundedSemaphore(at_once)

    def take(self) -> bool:
        """Wait for a turn (at most ``patience`` seconds); True when one was taken."""
        return self._turns.acquire(timeout=self.patience)

    def give_back(self) -> None:
        self._turns.release()


def register(app: Flask) -> None:
    at_once = int(app.config.get("PAGES_AT_ONCE") or 0)
    if at_once <= 0:
        return
    turns = PageTurns(at_once)
    app.extensions["hindsight_page_turns"] = turns

    @app.before_request
    def wait_for_a_turn() -> None:
        if waits_its_turn():
            g.hindsight_page_turn = turns.take()

    @app.teardown_request
    def give_the_turn_back(error: BaseException | None) -> None:
        if g.pop("hindsight_page_turn", False):
            turns.give_back()
