"""Production serving under gunicorn with structured logs, and no debug output anywhere."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from flask import Flask

from app import create_app
from views.permissions import PUBLIC, allow

ROOT = Path(__file__).resolve().parent.parent


START_PATIENCE = 120  # seconds; a new machine's first start also builds caches (fonts, .pyc)


class Gunicorn:
    """gunicorn on a port it picks itself (no race for a free port), its output kept in a file.

    ``wait_until_serving`` follows the output for the address gunicorn listens at, then asks
    ``/healthz`` until a worker answers; if gunicorn exits or takes too long, the failure
    message carries everything gunicorn printed.
    """

    def __init__(self, tmp_path: Path, env: dict[str, str]) -> None:
        self.log_path = tmp_path / "gunicorn.log"
        self._log = self.log_path.open("w")
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            # No control socket: a test must not take the one in $HOME from a real server.
            [str(gunicorn), "-c", "gunicorn.conf.py", "--no-control-socket", "app:create_app()"],
            cwd=ROOT, env={**env, "HINDSIGHT_BIND": "127.0.0.1:0"},
            stdout=self._log, stderr=subprocess.STDOUT, text=True,
        )
        self.base_url = ""

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def _fail(self, why: str) -> None:
        raise AssertionError(f"gunicorn did not start: {why}\n--- gunicorn output ---\n"
                             f"{self.output()}")

    def wait_until_serving(self) -> dict[str, Any]:
        deadline = time.monotonic() + START_PATIENCE
        last_error = "no answer yet"
        while True:
            if self.process.poll() is not None:
                self._fail(f"it exited with status {self.process.returncode}")
            if time.monotonic() > deadline:
                self._fail(f"no answer from /healthz after {START_PATIENCE} s ({last_error})")
            if not self.base_url:
                listening = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", self.output())
                if listening:
                    self.base_url = listening.group(1)
            if self.base_url:
                try:
                    with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=5) as reply:
                        return {"body": json.loads(reply.read()), "headers": reply.headers}
                except OSError as error:  # refused, reset or timed out while workers boot
                    last_error = repr(error)
            time.sleep(0.2)

    def stop(self) -> str:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)
        self._log.close()
        return self.output()


def test_gunicorn_serves_the_app_with_json_logs(
    tmp_path: Path, sample_document: dict[str, Any]
) -> None:
    env = {**os.environ, "HINDSIGHT_INSTANCE_PATH": str(tmp_path / "instance"),
           "HINDSIGHT_WORKERS": "2"}
    server = Gunicorn(tmp_path, env)
    try:
        health = server.wait_until_serving()
        assert health["body"] == {"status": "ok"}
        assert "frame-ancestors 'none'" in health["headers"]["Content-Security-Policy"]
        secret_text = "Confidential summary text"
        request = urllib.request.Request(
            f"{server.base_url}/api/reports", method="POST",
            data=json.dumps({**sample_document, "summary": secret_text}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 201
    finally:
        output = server.stop()
    access = [json.loads(line) for line in output.splitlines() if line.startswith('{"time"')]
    assert any(e.get("path") == "/api/reports" and e.get("status") == 201 for e in access), output
    assert secret_text not in output
    # Each worker prepared its pages and guidance before answering (views/warm.py).
    assert len(re.findall(r"Pages and guidance prepared in \d+\.\d s", output)) == 2, output


def test_unexpected_errors_show_a_plain_page_not_a_traceback(app: Flask) -> None:
    @app.get("/boom")
    @allow(PUBLIC)
    def boom() -> str:
        raise RuntimeError("secret internals")

    app.config["TESTING"] = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/boom")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Sorry, something went wrong" in html
    assert "Traceback" not in html and "secret internals" not in html


def test_json_log_lines(tmp_path: Path, capsys: Any) -> None:
    app = create_app({"INSTANCE_PATH": str(tmp_path / "i"), "LOG_FORMAT": "json"})
    with app.test_request_context("/reports/1", method="POST"):
        app.logger.warning("save refused")
    captured = capsys.readouterr().err.strip().splitlines()[-1]
    entry = json.loads(captured)
    assert entry["message"] == "save refused" and entry["path"] == "/reports/1"
    assert entry["level"] == "warning"
    logging.getLogger(app.logger.name).handlers.clear()
