"""Writing first (views/turns.py): pages take turns on a busy machine, over all the processes of
an instance, saves never wait; and a database too busy to answer gives a clear 503 the page's
script sends again, never a 500."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.exc import OperationalError

from app import create_app
from reports.store import ReportStore, parsed_document
from tests.pages import form_values
from views.permissions import PUBLIC, allow
from views.turns import FOLDER, PageTurns, waits_its_turn

ROOT = Path(__file__).resolve().parent.parent

AUTOSAVE = {"X-Hindsight-Autosave": "1", "Accept": "application/json"}  # as the script


def _app(tmp_path: Path, **settings: Any) -> Flask:
    app = create_app({"INSTANCE_PATH": str(tmp_path), "TESTING": True,
                      "WTF_CSRF_ENABLED": False, **settings})
    return app


def _report(app: Flask, sample_document: dict[str, Any]) -> str:
    created = app.test_client().post("/api/reports", json=sample_document)
    assert created.status_code == 201
    return f"/reports/{created.get_json()['id']}"


@pytest.mark.parametrize(("method", "path", "headers", "waits"), [
    ("GET", "/", {}, True),  # the list: a page to draw
    ("GET", "/reports/1", {}, True),  # the guided page
    ("HEAD", "/reports/1", {}, True),
    ("GET", "/reports/1/history", {}, True),
    ("POST", "/reports/1", AUTOSAVE, False),  # an autosave
    ("POST", "/reports/1/export/pdf", {}, False),
    ("PATCH", "/api/reports/1", {}, False),
    ("GET", "/healthz", {}, False),  # marked @quick
    ("GET", "/reports/1/changes", {}, False),  # marked @quick: polled every few seconds
    ("GET", "/reports/1/exports/jobs/1", {"Accept": "application/json"}, False),  # a script's
    ("GET", "/reports/1/exports/jobs/1", {}, True),  # the same page for a browser without it
    ("GET", "/static/editor.js", {}, False),
    ("GET", "/no/such/page", {}, False),  # nothing to draw
])
def test_which_requests_wait_their_turn(tmp_path: Path, method: str, path: str,
                                        headers: dict[str, str], waits: bool) -> None:
    app = _app(tmp_path)
    with app.test_request_context(path, method=method, headers=headers):
        assert waits_its_turn() is waits


def test_turns_are_on_by_default_one_a_core_and_can_be_turned_off(tmp_path: Path) -> None:
    turns = _app(tmp_path / "on").extensions.get("hindsight_page_turns")
    assert isinstance(turns, PageTurns)
    assert turns.at_once == len(os.sched_getaffinity(0))
    assert turns.paths[0].parent == tmp_path / "on" / FOLDER
    assert _app(tmp_path / "three", PAGES_AT_ONCE="3").extensions[
        "hindsight_page_turns"].at_once == 3  # as the environment gives it: text
    assert "hindsight_page_turns" not in _app(tmp_path / "off", PAGES_AT_ONCE=0).extensions


@pytest.mark.parametrize("setting", ["two", "1.5"])
def test_a_setting_that_is_not_a_number_stops_the_app_with_its_name(
        tmp_path: Path, setting: str) -> None:
    with pytest.raises(RuntimeError, match="HINDSIGHT_PAGES_AT_ONCE must be a whole number"):
        _app(tmp_path, PAGES_AT_ONCE=setting)


def test_two_threads_of_one_process_never_share_a_turn(tmp_path: Path) -> None:
    turns = PageTurns(tmp_path, 1, patience=0.05)
    assert turns.take()
    other: list[bool] = []
    thread = threading.Thread(target=lambda: other.append(turns.take()))
    thread.start()
    thread.join(10)
    assert other == [False]  # flock tells each thread's open file apart
    turns.give_back()
    thread = threading.Thread(target=lambda: other.append(turns.take()))
    thread.start()
    thread.join(10)
    assert other == [False, True]
    # That thread ended without giving its turn back: its own files closed with it, and with
    # them the turn (a thread that dies mid-page loses nothing either).
    assert turns.taken() == 0


HOLDER = """
import sys, time
from pathlib import Path
from views.turns import PageTurns
turns = PageTurns(Path(sys.argv[1]), int(sys.argv[2]))
for _ in range(int(sys.argv[2])):
    assert turns.take()
print("holding", flush=True)
time.sleep(60)
"""


def _holder(folder: Path, turns: int) -> subprocess.Popen[str]:
    """Another process (another gunicorn worker, say) that takes ``turns`` turns and keeps them."""
    process = subprocess.Popen([sys.executable, "-c", HOLDER, str(folder), str(turns)],
                               cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline().strip() == "holding"
    return process


def test_processes_share_the_turns_and_a_killed_one_gives_its_turn_back_at_once(
        tmp_path: Path) -> None:
    turns = PageTurns(tmp_path, 2, patience=0.1)
    holder = _holder(tmp_path, 1)
    try:
        assert turns.taken() == 1
        assert turns.take()  # the second turn
        threads_answer: list[bool] = []
        thread = threading.Thread(target=lambda: threads_answer.append(turns.take()))
        thread.start()
        thread.join(10)
        assert threads_answer == [False]  # both taken: one here, one in the other process
        holder.send_signal(signal.SIGKILL)  # as a worker the master kills for a time-out
        holder.wait(10)
        thread = threading.Thread(target=lambda: threads_answer.append(turns.take()))
        thread.start()
        thread.join(10)
        assert threads_answer == [False, True]  # the kernel let go of the killed one's turn
    finally:
        holder.kill()
        holder.wait(10)


def test_a_page_waits_for_a_turn_another_process_holds_and_a_save_does_not(
        tmp_path: Path, sample_document: dict[str, Any]) -> None:
    app = _app(tmp_path, PAGES_AT_ONCE=1)
    turns = app.extensions["hindsight_page_turns"]
    turns.patience = 30
    url = _report(app, sample_document)
    values = form_values(app.test_client().get(url).get_data(as_text=True))
    holder = _holder(tmp_path / FOLDER, 1)
    answers: dict[str, int] = {}
    waiting = threading.Thread(
        target=lambda: answers.update(list=app.test_client().get("/").status_code))
    try:
        waiting.start()
        saved = app.test_client().post(url, data={**values, "summary": "Saved meanwhile."},
                                       headers=AUTOSAVE)
        assert saved.status_code == 200, saved.get_data(as_text=True)[:300]
        waiting.join(0.3)
        assert waiting.is_alive() and answers == {}  # the list waits for the other process
    finally:
        holder.kill()
        holder.wait(10)
    waiting.join(30)
    assert answers == {"list": 200}
    assert turns.taken() == 0


def _with_a_slow_page(app: Flask) -> threading.Event:
    """A page that is drawn until the test lets it finish."""
    finish = threading.Event()

    @allow(PUBLIC)
    def slow_page() -> str:
        finish.wait(30)
        return "drawn"

    app.add_url_rule("/test/slow", "slow_page", slow_page)
    return finish


def test_a_save_goes_through_while_every_turn_is_taken_and_pages_wait(
        tmp_path: Path, sample_document: dict[str, Any]) -> None:
    app = _app(tmp_path, PAGES_AT_ONCE=1)
    turns = app.extensions["hindsight_page_turns"]
    turns.patience = 30  # long enough that a waiting page cannot go ahead during the test
    finish = _with_a_slow_page(app)
    url = _report(app, sample_document)
    values = form_values(app.test_client().get(url).get_data(as_text=True))
    answers: dict[str, int] = {}

    def ask(name: str, path: str) -> None:
        answers[name] = app.test_client().get(path).status_code

    slow = threading.Thread(target=ask, args=("slow", "/test/slow"))
    slow.start()
    while turns.taken() != 1:  # the slow page has its turn
        threading.Event().wait(0.01)
    waiting = threading.Thread(target=ask, args=("list", "/"))
    waiting.start()
    saved = app.test_client().post(url, data={**values, "summary": "Saved meanwhile."},
                                   headers=AUTOSAVE)
    assert saved.status_code == 200, saved.get_data(as_text=True)[:300]
    waiting.join(0.3)
    assert waiting.is_alive() and "list" not in answers  # the list waits for its turn
    finish.set()
    slow.join(30)
    waiting.join(30)
    assert answers == {"slow": 200, "list": 200}
    assert turns.taken() == 0  # every turn given back
    assert app.test_client().get(url).get_data(as_text=True).count("Saved meanwhile.") >= 1


def test_a_page_that_waited_too_long_goes_ahead_and_gives_back_nothing(tmp_path: Path) -> None:
    app = _app(tmp_path, PAGES_AT_ONCE=1)
    turns = app.extensions["hindsight_page_turns"]
    turns.patience = 0.05
    finish = _with_a_slow_page(app)
    answers: list[int] = []
    slow = threading.Thread(target=lambda: answers.append(
        app.test_client().get("/test/slow").status_code))
    slow.start()
    while turns.taken() != 1:
        threading.Event().wait(0.01)
    assert app.test_client().get("/").status_code == 200  # went ahead without a turn
    finish.set()
    slow.join(30)
    assert answers == [200]
    assert turns.taken() == 0  # the slow page gave its turn back; the list had none to give


def _busy(*args: Any, **kwargs: Any) -> Any:
    raise OperationalError("UPDATE reports", {}, sqlite3.OperationalError("database is locked"))


def test_a_busy_database_is_a_503_the_page_sends_again_not_a_500(
        tmp_path: Path, sample_document: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    app = _app(tmp_path)
    client = app.test_client()
    url = _report(app, sample_document)
    values = form_values(client.get(url).get_data(as_text=True))
    monkeypatch.setattr(ReportStore, "save", _busy)
    autosave = client.post(url, data={**values, "summary": "Typed."}, headers=AUTOSAVE)
    assert autosave.status_code == 503
    assert autosave.headers["Retry-After"] == "2"
    assert autosave.get_json()["error"] == "The app is very busy"
    page = client.post(url, data={**values, "summary": "Typed."})
    assert page.status_code == 503
    assert "kept in this browser" in page.get_data(as_text=True)
    api = client.put(f"/api{url}", json=sample_document,
                     headers={"If-Match": f'"{values["base_version"]}"'})
    assert api.status_code == 503 and api.get_json()["status"] == 503


def test_another_database_error_is_still_the_error_page(
        tmp_path: Path, sample_document: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    app = _app(tmp_path)
    client = app.test_client()
    url = _report(app, sample_document)
    values = form_values(client.get(url).get_data(as_text=True))

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: reports"))

    monkeypatch.setattr(ReportStore, "save", broken)
    answer = client.post(url, data=values, headers=AUTOSAVE)
    assert answer.status_code == 500
    assert "Retry-After" not in answer.headers


def test_documents_are_parsed_once_and_large_ones_not_kept() -> None:
    text = '{"format": "hindsight-report/1", "title": "Once"}'
    first = parsed_document(text)
    assert parsed_document(text) is first  # the same text: parsed once
    assert parsed_document(text + " ") is not first and parsed_document(text + " ") == first
    large = '{"summary": "%s"}' % ("x" * (parsed_document.MAX_TEXT + 1))
    assert parsed_document(large) is not parsed_document(large)  # too big to keep
    for n in range(parsed_document.MAX_ENTRIES + 1):  # the oldest entries leave
        parsed_document(f'{{"n": {n}}}')
    assert parsed_document(text) is not first
