"""Writing first: when the server is busy, a person's save does not queue behind pages.

Drawing a page (an editor, the list, a history) takes tens of milliseconds of processor time;
a save takes one or two. When every core is drawing pages, a save that arrives waits for a
share of a processor among all of them, and under a burst of readers a save could take seconds.
So all the processes of an instance on one machine draw at most ``HINDSIGHT_PAGES_AT_ONCE``
pages at a time (``GET`` and ``HEAD``; by default as many as the machine has cores): the others
wait their turn, holding nothing but their thread, and a core is soon free for the next save.
Writes (``POST``, ``PUT``, ``PATCH``, ``DELETE``: autosaves, saves, status changes, export
requests) never wait, and neither do the quick reads a page's script repeats: those marked
``@quick`` (live changes, the health check), a script's request for JSON (an export's progress)
and static files. A page never waits more than ``PATIENCE`` seconds: after that it goes ahead,
so a slow page (one waiting on Google, say) delays others by that much at most and never blocks
them. ``HINDSIGHT_PAGES_AT_ONCE=0`` turns the turns off.

The turns are lock files in the instance folder (``page-turns/``), one per page at once, held
with ``flock``: the processes of one instance share them, and the kernel lets go of a process's
turn when it stops, however it stops, so no turn is ever lost. Turns counted in each process
were not enough: four processes of two turns each drew eight pages at once on two cores, and
saves still waited a second at times (``bench/load.py``, 3 Dec).
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, TypeVar

from flask import Flask, current_app, g, request

PATIENCE = 2.0  # seconds a page waits for its turn before it goes ahead anyway
FIRST_LOOK_AGAIN = 0.001  # seconds before a waiting page looks for a free turn again, at first,
LAST_LOOK_AGAIN = 0.002  # doubling up to this: a turn given back is soon taken again
FOLDER = "page-turns"  # in the instance folder
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
    """At most ``at_once`` pages drawn at a time by all the processes that share ``folder``.

    Each turn is a lock file. A waiting thread looks for a free one, then looks again a moment
    later; only one thread of a process looks at a time (the others wait for it), so the
    waiting costs next to no processor time.
    """

    def __init__(self, folder: Path, at_once: int, patience: float = PATIENCE):
        folder.mkdir(parents=True, exist_ok=True)
        self.paths = [folder / f"turn-{number}.lock" for number in range(at_once)]
        self.at_once = at_once
        self.patience = patience
        self._front = threading.Lock()  # held by the one thread of this process that looks
        self._mine = threading.local()  # each thread's open lock files, and the one it holds

    def _files(self) -> list[IO[bytes]]:
        """This thread's own open lock files: ``flock`` tells open files apart, even in one
        process, so two threads of a process never share a turn."""
        files: list[IO[bytes]] | None = getattr(self._mine, "files", None)
        if files is None:
            files = [path.open("ab") for path in self.paths]
            self._mine.files = files
        return files

    def _take_a_free_one(self) -> bool:
        for file in self._files():
            try:
                fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue
            self._mine.held = file
            return True
        return False

    def take(self) -> bool:
        """Wait for a turn (at most ``patience`` seconds); True when one was taken."""
        deadline = time.monotonic() + self.patience
        if not self._front.acquire(timeout=self.patience):
            return False
        try:
            look_again = FIRST_LOOK_AGAIN
            while not self._take_a_free_one():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                time.sleep(min(look_again, left))
                look_again = min(look_again * 2, LAST_LOOK_AGAIN)
            return True
        finally:
            self._front.release()

    def taken(self) -> int:
        """How many turns are taken now, by any process (for tests and a curious operator)."""
        taken = 0
        for path in self.paths:
            with path.open("ab") as file:
                try:
                    fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    taken += 1
                else:
                    fcntl.flock(file, fcntl.LOCK_UN)
        return taken

    def give_back(self) -> None:
        fcntl.flock(self._mine.held, fcntl.LOCK_UN)
        self._mine.held = None


def pages_at_once(app: Flask) -> int:
    """``HINDSIGHT_PAGES_AT_ONCE``, or by default the cores this process may run on."""
    setting = app.config.get("PAGES_AT_ONCE")
    if setting is None or str(setting).strip() == "":
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
            os.cpu_count() or 1)
    try:
        return max(0, int(str(setting).strip()))
    except ValueError:
        raise RuntimeError("HINDSIGHT_PAGES_AT_ONCE must be a whole number: the pages drawn at "
                           "once on this machine (0: no turns)") from None


def register(app: Flask) -> None:
    at_once = pages_at_once(app)
    if at_once <= 0:
        return
    turns = PageTurns(Path(app.instance_path) / FOLDER, at_once)
    app.extensions["hindsight_page_turns"] = turns

    @app.before_request
    def wait_for_a_turn() -> None:
        if waits_its_turn():
            g.hindsight_page_turn = turns.take()

    @app.teardown_request
    def give_the_turn_back(error: BaseException | None) -> None:
        if g.pop("hindsight_page_turn", False):
            turns.give_back()
