"""Fixtures for the real-browser tests: the real app in its own process, and Chromium.

The app runs in a child process (werkzeug's threaded server, as ``flask run`` uses) on a free
port of 127.0.0.1, with its own instance folder. A test can stop it and start it again on the
same port and folder, to play "the server went away and came back".

Loaded from ``tests/conftest.py`` through ``pytest_plugins``.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from tests.databases import PostgresServer

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# How long a step or an expectation waits for the page. A wait that succeeds ends as soon as it
# does, so only a failure waits this long; on a slow CI machine (a whole run of an hour), the
# default 5 s was too close to what a loaded page can take.
DEFAULT_TIMEOUT_MS = 10_000
expect.set_options(timeout=DEFAULT_TIMEOUT_MS)

# Run in the child: the real app factory, configured from the environment only. The child asks
# Linux to end it when the test process dies, so an interrupted run leaves no server behind.
_SERVER_SCRIPT = """
import ctypes, os, signal, sys
ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
if os.getppid() != int(sys.argv[2]):
    sys.exit(0)
from werkzeug.serving import make_server
from app import create_app

server = make_server("127.0.0.1", int(sys.argv[1]), create_app(), threaded=True)
print("ready", flush=True)
server.serve_forever()
"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """The app in a child process; ``stop()`` and ``start()`` keep the port and the data."""

    def __init__(self, instance_path: Path, port: int | None = None,
                 database_url: str | None = None) -> None:
        self.instance_path = instance_path
        self.database_url = database_url
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = instance_path.parent / f"server-{self.port}.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, timeout: float = 20.0) -> None:
        assert not self.running, "the server is already running"
        env = {
            **os.environ,
            "HINDSIGHT_INSTANCE_PATH": str(self.instance_path),
            "PYTHONUNBUFFERED": "1",
        }
        for variable in ("HINDSIGHT_DATABASE_URL", "HINDSIGHT_SHARED_FOLDER"):
            env.pop(variable, None)  # everything in the instance folder...
        if self.database_url:  # ...but the database, on a PostgreSQL run
            env["HINDSIGHT_DATABASE_URL"] = self.database_url
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-c", _SERVER_SCRIPT, str(self.port), str(os.getpid())],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"the app exited at start-up:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=1) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"the app did not answer within {timeout} s:\n{self.log()}")

    def stop(self) -> None:
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=5)
        self._process = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    # Talking to the app directly, as a second client would.

    def api(self, method: str, path: str, document: Any = None) -> tuple[int, Any]:
        data = None if document is None else json.dumps(document).encode()
        request = urllib.request.Request(
            self.url + path, data=data, method=method,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def create_report(self, document: dict[str, Any] | None = None) -> int:
        status, body = self.api("POST", "/api/reports", document or {})
        assert status == 201, body
        return int(body["id"])

    def report(self, report_id: int) -> dict[str, Any]:
        status, body = self.api("GET", f"/api/reports/{report_id}")
        assert status == 200, body
        return body

    def editor_url(self, report_id: int) -> str:
        return f"{self.url}/reports/{report_id}"


def _live_server(instance_path: Path, postgres: PostgresServer | None) -> Iterator[LiveServer]:
    server = LiveServer(instance_path,
                        database_url=postgres.new_database() if postgres else None)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def live_server(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: PostgresServer | None
) -> Iterator[LiveServer]:
    """One app for the whole session; tests stay independent by each using their own report."""
    yield from _live_server(tmp_path_factory.mktemp("live") / "instance", postgres_server)


@pytest.fixture
def own_live_server(
    tmp_path: Path, postgres_server: PostgresServer | None
) -> Iterator[LiveServer]:
    """An app for one test only, which the test may stop and start again."""
    yield from _live_server(tmp_path / "instance", postgres_server)


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def _context(browser: Browser, **options: Any) -> Iterator[BrowserContext]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-GB", **options
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    yield from _context(browser)


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def nojs_context(browser: Browser) -> Iterator[BrowserContext]:
    yield from _context(browser, java_script_enabled=False)


@pytest.fixture
def nojs_page(nojs_context: BrowserContext) -> Page:
    return nojs_context.new_page()


@pytest.fixture
def scriptless_page(context: BrowserContext) -> Page:
    """JavaScript on, but the app's own scripts never load: the no-JS page, for axe.

    axe-core cannot run with ``java_script_enabled=False`` (its promise never settles, so
    ``page.evaluate`` waits for ever); here the page is what a no-JS browser gets while the test
    can still run scripts in it.
    """
    page = context.new_page()
    page.route("**/*.js", lambda route: route.abort())
    return page


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS


# ---- a long report with every kind of field, for the pages' layout and keyboard tests ----

EVENT_KINDS = ["discovery", "deploy", "config_change", "client_communication", "mitigation",
               "resolution", "other"]
LONG_OWNER = "Infrastructure team (Alex Moreno)"
LONG_EVENT = ("The Infrastructure team (Alex Moreno) rolled back release 4.2 of the payment "
              "router, then watched the error rate for ten minutes before declaring the "
              "incident mitigated in 2017 terms.")


def long_report_document(events: int = 10, factors: int = 4, actions: int = 6) -> dict[str, Any]:
    """A report of ``events + factors + actions`` rows (20 by default) with every kind of field:
    every kind of event, contributing, outside the window and internal rows, root causes, action
    items with a long owner, every priority, a ticket, links to factors, and texts long enough
    to wrap."""
    return {
        "format": "hindsight-report/1",
        "title": "Online payments failed for two hours for customers of Acme Retail in 2017",
        "service": "checkout",
        "severity": "SEV2",
        "audience": "Acme Retail",
        "authors": ["Dana Lee", "Sam Ortiz"],
        "timezone": "Europe/Paris",
        "started_at": "2025-10-03T09:00:00+02:00",
        "detected_at": "2025-10-03T09:20:00+02:00",
        "resolved_at": "2025-10-03T11:59:00+02:00",
        "apology": "We are sorry. For almost three hours on 3 October your customers could not "
                   "pay for their orders.",
        "summary": "A configuration change sent **all** payment traffic to a retired gateway.",
        "impact": "About 1,200 orders from EU customers failed between 09:12 and 11:02.",
        "internal_parts": ["lessons.lucky"],
        "timeline": [
            {"at": f"2025-10-03T{9 + i // 6:02d}:{(i * 10) % 60:02d}:00+02:00",
             "kind": EVENT_KINDS[i % len(EVENT_KINDS)],
             "description": LONG_EVENT if i % 3 == 0 else f"Event {i + 1}: the alert fired.",
             "contributing": i % 4 == 1, "outside_window": False, "internal": i % 5 == 4}
            for i in range(events)
        ],
        "factors": [
            {"description": f"Factor {i + 1}: the retired gateway was still listed in the "
                            "routing table, and nothing checked it.",
             "root_cause": i == 0, "internal": i == factors - 1}
            for i in range(factors)
        ],
        "no_single_root_cause": False,
        "lessons": {"went_well": "The alert fired within eight minutes.",
                    "went_wrong": "Rolling back took forty minutes.",
                    "lucky": "It happened outside the sales peak."},
        "actions": [
            {"description": f"Action {i + 1}: remove retired gateways from the routing table "
                            "and check it every day.",
             "owner": LONG_OWNER, "priority": ["high", "medium", "low"][i % 3],
             "due": "2025-11-15", "ticket": "https://tracker.example.com/PLAT-12",
             "status": ["proposed", "agreed", "in_progress", "done"][i % 4],
             "internal": i == actions - 1, "addresses": [0] if factors else []}
            for i in range(actions)
        ],
        # Passed: the follow-up box asks for the outcome, and the lists say it is due.
        "follow_up_review_on": "2025-12-03",
    }
