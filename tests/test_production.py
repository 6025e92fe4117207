"""Production serving under gunicorn with structured logs, and no debug output anywhere."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from flask import Flask

from app import create_app

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_serves_the_app_with_json_logs(
    tmp_path: Path, sample_document: dict[str, Any]
) -> None:
    port = _free_port()
    env = {**os.environ, "HINDSIGHT_INSTANCE_PATH": str(tmp_path / "instance"),
           "HINDSIGHT_BIND": f"127.0.0.1:{port}", "HINDSIGHT_WORKERS": "2"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "-c", "gunicorn.conf.py", "app:create_app()"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                    assert json.loads(r.read()) == {"status": "ok"}
                    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        secret_text = "Confidential summary text"
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/reports", method="POST",
            data=json.dumps({**sample_document, "summary": secret_text}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 201
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    access = [json.loads(line) for line in output.splitlines() if line.startswith('{"time"')]
    assert any(e.get("path") == "/api/reports" and e.get("status") == 201 for e in access), output
    assert secret_text not in output


def test_unexpected_errors_show_a_plain_page_not_a_traceback(app: Flask) -> None:
    @app.get("/boom")
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
