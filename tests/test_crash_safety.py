"""Kill the server with SIGKILL in the middle of a stream of saves: nothing acknowledged is lost.

The server runs as a real separate process on a real SQLite file; saves are acknowledged only
after the transaction commits with synchronous=FULL, so whatever answered 200 must survive.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(url: str, method: str = "GET", body: Any = None, timeout: float = 5) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


class Server:
    def __init__(self, instance: Path):
        self.instance = instance
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**os.environ, "HINDSIGHT_INSTANCE_PATH": str(self.instance)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "app", "run", "--port", str(self.port),
             "--with-threads"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                _request(f"{self.url}/healthz", timeout=1)
                return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.1)
        raise RuntimeError("the server did not start")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path / "instance")
    running.start()
    yield running
    if running.process and running.process.poll() is None:
        running.process.kill()
        running.process.wait(timeout=10)


def test_sigkill_during_autosaves_keeps_every_acknowledged_save(
    server: Server, sample_document: dict[str, Any]
) -> None:
    report_id = _request(f"{server.url}/api/reports", "POST", sample_document)["id"]
    acknowledged: list[int] = []
    stop = threading.Event()

    refused: list[str] = []

    def autosave() -> None:
        number = 0
        while not stop.is_set():
            number += 1
            # Each save is based on the version the one before it made (version 1 at first).
            document = {**sample_document, "summary": f"Autosave number {number}. " * 40,
                        "version": number}
            try:
                _request(f"{server.url}/api/reports/{report_id}", "PUT", document)
            except urllib.error.HTTPError as error:
                refused.append(f"{error.code}: {error.read()[:300]!r}")
                return
            except (urllib.error.URLError, ConnectionError, OSError):
                return  # the server is gone: this save was never acknowledged
            acknowledged.append(number)

    writer = threading.Thread(target=autosave)
    writer.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < 25:
        assert not refused, refused
        assert time.monotonic() < deadline, "25 saves were not acknowledged within a minute"
        time.sleep(0.01)
    server.kill()
    stop.set()
    writer.join(timeout=10)
    last = acknowledged[-1]

    database = server.instance / "hindsight.sqlite3"
    if not os.environ.get("HINDSIGHT_DATABASE_URL"):  # the SQLite file: check every page
        with sqlite3.connect(database) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    server.start()
    stored = _request(f"{server.url}/api/reports/{report_id}")
    number = int(stored["summary"].split()[2].rstrip("."))
    # The last acknowledged save is there; at most one more, sent but not answered, may be too.
    assert number in (last, last + 1)
    assert stored["version"] == number + 1
    assert stored["title"] == sample_document["title"]
