"""Exports as jobs (issue 15.4): they run outside the request threads, are never lost or half
written, never run twice for one request, and at most a set number run at once.

Most tests here use the real path: export workers started in the app (``EXPORT_INLINE=False``),
with a format whose rendering waits until the test lets it go, so what happens while an export
runs is shown by the order of events, never by timing. A worker that dies mid-export is a
separate process killed with SIGKILL.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

import exporters
from app import create_app
from exporters.job_outcome import JobOutcome
from reports.exchange import from_document
from reports.export_jobs import (
    DONE,
    FAILED,
    INTERRUPTED,
    MAX_ATTEMPTS,
    QUEUED,
    RUNNING,
    ExportJob,
    ExportJobs,
    jobs_table,
)
from reports.model import CLIENT_COPY, INTERNAL_COPY, Report
from services import export_workers, get_export_jobs, get_exports, get_store
from tests.conftest import SAMPLE_DOCUMENT, csrf_token_from
from tests.pages import form_values, post_page

ROOT = Path(__file__).resolve().parent.parent
PATIENCE = 60.0  # seconds: generous, only so a broken test ends instead of hanging


class HeldFormat:
    """A format whose rendering waits for ``release``: an export that runs as long as we like.

    It records how many renderings ran at once and in all.
    """

    name = "held"
    label = "held page"
    extension = "txt"
    mimetype = "text/plain; charset=utf-8"
    destination = "local"

    def __init__(self) -> None:
        self.release = threading.Event()
        self.started: queue.Queue[str] = queue.Queue()
        self.calls = 0
        self.now = 0
        self.most = 0
        self._lock = threading.Lock()

    def render(self, report: Report, copy: str = CLIENT_COPY) -> bytes:
        with self._lock:
            self.calls += 1
            self.now += 1
            self.most = max(self.most, self.now)
        self.started.put(report.title)
        try:
            if not self.release.wait(PATIENCE):
                raise RuntimeError("the test never let the export go")
            return f"{report.title} ({copy})\n".encode()
        finally:
            with self._lock:
                self.now -= 1

    def wait_started(self, count: int = 1) -> list[str]:
        return [self.started.get(timeout=PATIENCE) for _ in range(count)]


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[HeldFormat]:
    fmt = HeldFormat()
    monkeypatch.setitem(exporters.FORMATS, "held", fmt)
    yield fmt
    fmt.release.set()  # never leave a worker waiting


@pytest.fixture
def make_app(tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Apps with real export workers (stopped, and their databases closed, at the end)."""
    made: list[Flask] = []

    def make(**config: Any) -> Flask:
        settings = {"INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True,
                    "EXPORT_INLINE": False, "EXPORT_WORKERS": 2, "EXPORT_LIMIT": 5, **config}
        app = create_app(settings)
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            workers = export_workers()
            if workers is not None:
                workers.stop(timeout=5)
            get_store().engine.dispose()


def new_report(app: Flask, title: str = "") -> int:
    document = dict(SAMPLE_DOCUMENT)
    if title:
        document["title"] = title
    with app.app_context():
        return get_store().create(from_document(document)).id


def jobs_of(app: Flask) -> ExportJobs:
    with app.app_context():
        return get_export_jobs()


def finished(app: Flask, job_id: int) -> ExportJob:
    """The job once finished (waiting as long as it takes, up to the patience limit)."""
    jobs = jobs_of(app)
    deadline = time.monotonic() + PATIENCE
    while True:
        job = jobs.get(job_id)
        assert job is not None
        if job.finished:
            return job
        assert time.monotonic() < deadline, f"job {job_id} never finished: {job}"
        time.sleep(0.02)


def ask_export(client: FlaskClient, report_id: int, fmt: str, copy: str = CLIENT_COPY,
               **headers: str) -> Any:
    token = csrf_token_from(client.get(f"/reports/{report_id}").get_data(as_text=True))
    return client.post(f"/reports/{report_id}/export/{fmt}",
                       data={"csrf_token": token, "copy": copy}, headers=headers)


def job_id_of(response: Any) -> int:
    assert response.status_code == 303, response.status_code
    match = re.search(r"/exports/jobs/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def local_files(folder: Path) -> list[Path]:
    """Every file in the shared folder that a person would see and the app would serve.

    Hidden names are left out: the folder's lock, and the temporary ``.….part`` file that
    ``SharedFolder.write`` renames into place, which a process killed between writing and
    renaming leaves behind (hidden, never indexed or served; see docs/exports.md).
    """
    if not folder.exists():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def status_of(app: Flask, job_id: int) -> str:
    job = jobs_of(app).get(job_id)
    assert job is not None
    return job.status


def claimed(job: ExportJob | None) -> int:
    assert job is not None
    return job.id


def stall(app: Flask, job_id: int, attempts: int | None = None) -> None:
    """Make a running job look abandoned: its process has said nothing for an hour."""
    values: dict[str, Any] = {"heartbeat_at": datetime.now(UTC) - timedelta(hours=1)}
    with app.app_context():
        engine = get_store().engine
        if attempts is not None:
            values["attempts"] = attempts
        with engine.begin() as connection:
            connection.execute(sa.update(jobs_table).where(jobs_table.c.id == job_id)
                               .values(**values))


# --- Writing goes on while an export runs --------------------------------------------------------

def test_a_save_completes_while_a_slow_export_runs(
    make_app: Callable[..., Flask], held: HeldFormat
) -> None:
    app = make_app(EXPORT_WORKERS=1)
    report_id = new_report(app)
    client = app.test_client()
    job_id = job_id_of(ask_export(client, report_id, "held"))
    held.wait_started()  # the export is now rendering, in a worker thread

    url = f"/reports/{report_id}"
    values = form_values(client.get(url).get_data(as_text=True))
    values["title"] = "Checkout unavailable (saved during an export)"
    saved = post_page(client, url, values, headers={"X-Hindsight-Autosave": "1"})
    assert saved.status_code == 200 and saved.get_json()["version"] == 2

    # The save came back while the export was still held in its rendering.
    assert status_of(app, job_id) == RUNNING
    assert held.now == 1
    held.release.set()
    assert finished(app, job_id).status == DONE


# --- The page: "Exporting…", then the result -----------------------------------------------------

def test_without_javascript_the_job_page_refreshes_until_the_result(
    make_app: Callable[..., Flask], held: HeldFormat
) -> None:
    app = make_app()
    report_id = new_report(app)
    client = app.test_client()
    job_id = job_id_of(ask_export(client, report_id, "held", INTERNAL_COPY))
    held.wait_started()

    page = client.get(f"/reports/{report_id}/exports/jobs/{job_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Exporting the Held page (internal copy)…" in html
    assert re.search(r'<meta http-equiv="refresh" content="\d+">', html)
    assert f'href="/reports/{report_id}/exports/jobs/{job_id}">Check again' in html
    assert f'href="/reports/{report_id}">Back to the report' in html

    held.release.set()
    finished(app, job_id)
    result = client.get(f"/reports/{report_id}/exports/jobs/{job_id}")
    assert result.status_code == 303
    assert result.headers["Location"].endswith(f"/reports/{report_id}")
    editor = client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert "Exported the internal copy as held page" in editor
    assert re.search(r'href="/reports/\d+/exports/\d+/download" download>[^<]*\.txt', editor)


def test_with_javascript_the_job_is_followed_as_json(
    make_app: Callable[..., Flask], held: HeldFormat
) -> None:
    app = make_app()
    report_id = new_report(app)
    client = app.test_client()
    asked = ask_export(client, report_id, "held", Accept="application/json")
    assert asked.status_code == 200
    state = asked.get_json()
    assert state["finished"] is False and state["status"] in (QUEUED, RUNNING)
    assert state["message"] == "Exporting the Held page…"
    held.wait_started()

    running = client.get(state["url"], headers={"Accept": "application/json"}).get_json()
    assert running["finished"] is False and "notices" not in running

    held.release.set()
    finished(app, state["id"])
    done = client.get(state["url"], headers={"Accept": "application/json"}).get_json()
    assert done["finished"] is True and done["status"] == DONE
    assert "Exported as held page" in done["notices"]
    assert re.search(r'href="/reports/\d+/exports/\d+/download" download>', done["notices"])
    assert 'id="export-files"' in done["files"] and ".txt" in done["files"]


def test_the_editor_loads_the_export_script_and_has_a_place_for_the_status(
    make_app: Callable[..., Flask]
) -> None:
    app = make_app()
    report_id = new_report(app)
    html = app.test_client().get(f"/reports/{report_id}").get_data(as_text=True)
    assert '<script src="/static/exports.js" defer></script>' in html
    assert 'id="export-status"' in html and 'id="export-form"' in html
    assert "export-status" not in (ROOT / "static" / "editor.js").read_text()


def test_a_job_of_another_report_is_not_found(
    make_app: Callable[..., Flask], held: HeldFormat
) -> None:
    app = make_app()
    first, second = new_report(app), new_report(app, "Another outage")
    client = app.test_client()
    job_id = job_id_of(ask_export(client, first, "held"))
    assert client.get(f"/reports/{second}/exports/jobs/{job_id}").status_code == 404
    assert client.get(f"/reports/{first}/exports/jobs/{job_id + 100}").status_code == 404


def test_a_failed_export_is_said_plainly(
    make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    import services

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the disk caught fire")

    monkeypatch.setattr(services, "export_saved_report", broken)
    app = make_app()
    report_id = new_report(app)
    client = app.test_client()
    job_id = job_id_of(ask_export(client, report_id, "md"))
    job = finished(app, job_id)
    assert job.status == FAILED and "the disk caught fire" in (job.error or "")
    client.get(f"/reports/{report_id}/exports/jobs/{job_id}")
    editor = client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert "The Markdown export did not finish" in editor
    assert "Try again in a minute" in editor
    assert "the disk caught fire" not in editor  # the cause is for the logs


# --- Never done twice, never more than allowed at once -------------------------------------------

def test_an_identical_request_joins_the_job_under_way(
    make_app: Callable[..., Flask], held: HeldFormat
) -> None:
    app = make_app()
    report_id = new_report(app)
    client = app.test_client()
    first = job_id_of(ask_export(client, report_id, "held"))
    held.wait_started()
    again = job_id_of(ask_export(client, report_id, "held"))
    other_copy = job_id_of(ask_export(client, report_id, "held", INTERNAL_COPY))
    assert again == first and other_copy != first
    held.release.set()
    finished(app, first)
    finished(app, other_copy)
    assert held.calls == 2  # the client copy once, the internal copy once

    # Once finished, a new request is a new job.
    third = job_id_of(ask_export(client, report_id, "held"))
    assert third not in (first, other_copy)
    finished(app, third)


def test_requests_at_once_make_one_job(make_app: Callable[..., Flask]) -> None:
    app = make_app(EXPORT_INLINE=True)
    report_id = new_report(app)
    jobs = jobs_of(app)
    barrier = threading.Barrier(8)
    got: list[int] = []

    def ask() -> None:
        barrier.wait()
        got.append(jobs.enqueue(report_id, 1, "pdf", CLIENT_COPY).id)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(got) == 8 and len(set(got)) == 1


def test_each_queued_job_is_claimed_once(make_app: Callable[..., Flask]) -> None:
    app = make_app(EXPORT_INLINE=True)
    reports = [new_report(app, f"Outage {n}") for n in range(5)]
    jobs = jobs_of(app)
    queued = [jobs.enqueue(report_id, 1, "md", CLIENT_COPY).id for report_id in reports]
    barrier = threading.Barrier(8)
    claimed: list[int] = []

    def claim(n: int) -> None:
        barrier.wait()
        while (job := jobs.claim(f"worker-{n}")) is not None:
            claimed.append(job.id)

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claimed) == queued  # every job once, none twice
    assert jobs.claim("late") is None


def test_jobs_are_claimed_oldest_first_and_within_the_limit(
    make_app: Callable[..., Flask]
) -> None:
    app = make_app(EXPORT_INLINE=True)
    jobs = jobs_of(app)
    ids = [jobs.enqueue(new_report(app, f"Outage {n}"), 1, "md", CLIENT_COPY).id
           for n in range(3)]
    assert claimed(jobs.claim("a", limit=2)) == ids[0]
    assert claimed(jobs.claim("b", limit=2)) == ids[1]
    assert jobs.claim("c", limit=2) is None  # two run: the third waits
    assert jobs.finish(ids[0], "a", "{}")
    assert not jobs.finish(ids[1], "not-b", "{}")  # only its own worker ends a job
    assert claimed(jobs.claim("c", limit=2)) == ids[2]


def test_at_most_the_workers_of_a_process_run_at_once(
    make_app: Callable[..., Flask], held: HeldFormat
) -> None:
    app = make_app(EXPORT_WORKERS=2, EXPORT_LIMIT=10)
    client = app.test_client()
    asked = [job_id_of(ask_export(client, new_report(app, f"Outage {n}"), "held"))
             for n in range(4)]
    held.wait_started(2)
    states = [status_of(app, job_id) for job_id in asked]
    assert states.count(RUNNING) == 2 and states.count(QUEUED) == 2
    held.release.set()
    assert all(finished(app, job_id).status == DONE for job_id in asked)
    assert held.calls == 4 and held.most == 2


def test_at_most_the_limit_run_at_once_across_processes(
    make_app: Callable[..., Flask], held: HeldFormat
) -> None:
    app = make_app(EXPORT_WORKERS=3, EXPORT_LIMIT=1)
    client = app.test_client()
    asked = [job_id_of(ask_export(client, new_report(app, f"Outage {n}"), "held"))
             for n in range(3)]
    held.wait_started(1)
    jobs = jobs_of(app)
    assert jobs.running_count() == 1
    assert jobs.claim("another-instance", limit=1) is None  # the one place is taken
    held.release.set()
    assert all(finished(app, job_id).status == DONE for job_id in asked)
    assert held.calls == 3 and held.most == 1


# --- A worker that dies: never lost, never half written ------------------------------------------

DIE_SCRIPT = r"""
import os, signal, sys, time
from pathlib import Path

import exporters
import exporters.folder
from app import create_app
from services import wait_for_export

instance, job_id, where, ready = sys.argv[1], int(sys.argv[2]), sys.argv[3], Path(sys.argv[4])
app = create_app({"INSTANCE_PATH": instance, "TESTING": True})
if where == "render":
    real = exporters.FORMATS["md"]

    class Stuck:
        name, label, extension, mimetype = real.name, real.label, real.extension, real.mimetype
        destination = "local"

        def render(self, report, copy="client"):
            ready.touch()
            time.sleep(600)

    exporters.FORMATS["md"] = Stuck()
else:
    def killed(source, target):  # the temporary file is written: die before its rename
        ready.touch()
        os.kill(os.getpid(), signal.SIGKILL)

    exporters.folder.os.replace = killed
with app.app_context():
    wait_for_export(job_id)
"""


def run_and_kill(app: Flask, tmp_path: Path, job_id: int, where: str) -> None:
    """Run the job in another process, and kill that process (SIGKILL) mid-export."""
    ready = tmp_path / f"ready-{where}"
    process = subprocess.Popen(
        [sys.executable, "-c", DIE_SCRIPT, app.instance_path, str(job_id), where, str(ready)],
        cwd=ROOT, env=os.environ.copy(),
    )
    try:
        deadline = time.monotonic() + PATIENCE
        while not ready.exists():
            assert process.poll() is None, "the exporting process ended early"
            assert time.monotonic() < deadline, "the exporting process never started exporting"
            time.sleep(0.05)
        if where == "render":
            process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=PATIENCE) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.parametrize("where", ["render", "rename"])
def test_a_killed_export_leaves_no_partial_file_and_is_done_once_by_another_worker(
    make_app: Callable[..., Flask], tmp_path: Path, where: str
) -> None:
    app = make_app(EXPORT_INLINE=True)
    report_id = new_report(app)
    jobs = jobs_of(app)
    job = jobs.enqueue(report_id, 1, "md", CLIENT_COPY)
    run_and_kill(app, tmp_path, job.id, where)

    folder = Path(app.config["SHARED_FOLDER"])
    assert local_files(folder) == []  # no file under the export's name, nothing half written
    left = jobs.get(job.id)
    assert left is not None and left.status == RUNNING and left.attempts == 1

    # Its process is gone and says nothing more: another worker takes the job back and does it.
    stall(app, job.id)
    worker_app = make_app(EXPORT_WORKERS=1)
    worker_app.test_client().get("/healthz")  # the first request starts the workers
    done = finished(worker_app, job.id)
    assert done.status == DONE and done.attempts == 2
    outcome = JobOutcome.from_json(done.outcome or "")
    written = Path(outcome.local_path or "")
    assert written.read_text(encoding="utf-8").startswith("# Checkout unavailable")
    with app.app_context():
        records = [r for r in get_exports().for_report(report_id) if r.format == "md"]
    assert len(records) == 1 and records[0].ok  # done once


def test_a_job_interrupted_too_often_is_reported_on_the_page_and_the_command_line(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    app = make_app(EXPORT_INLINE=True)
    report_id = new_report(app)
    jobs = jobs_of(app)
    job = jobs.enqueue(report_id, 1, "md", CLIENT_COPY)
    run_and_kill(app, tmp_path, job.id, "render")
    stall(app, job.id, attempts=MAX_ATTEMPTS)

    # The command line asks for the same export: it joins that job and reports its end.
    result = app.test_cli_runner().invoke(
        args=["reports", "export", str(report_id), "--format", "md"])
    assert result.exit_code == 1
    assert "The export was interrupted: the server stopped while making it." in result.output
    failed = jobs.get(job.id)
    assert failed is not None and failed.status == FAILED and failed.error == INTERRUPTED

    client = app.test_client()
    client.get(f"/reports/{report_id}/exports/jobs/{job.id}")
    editor = client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert f"The Markdown export was interrupted: the server stopped while making it, " \
           f"{MAX_ATTEMPTS} times." in editor
    assert ("Any file of this report in the shared folder is complete, never half written. "
            "Export again") in editor
    assert local_files(Path(app.config["SHARED_FOLDER"])) == []


def test_a_stopping_process_gives_its_job_back(
    make_app: Callable[..., Flask], held: HeldFormat
) -> None:
    app = make_app(EXPORT_WORKERS=1)
    report_id = new_report(app)
    job_id = job_id_of(ask_export(app.test_client(), report_id, "held"))
    held.wait_started()
    with app.app_context():
        workers = export_workers()
        assert workers is not None and workers.running == {job_id}
        workers.stop(timeout=0.1)
    given_back = jobs_of(app).get(job_id)
    assert given_back is not None and given_back.status == QUEUED
    assert given_back.attempts == 0 and given_back.claimed_by is None
    held.release.set()


# --- The command line waits and prints, as it always did -----------------------------------------

def test_the_command_line_waits_for_a_job_a_worker_runs(
    make_app: Callable[..., Flask], held: HeldFormat, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cli

    joined = threading.Event()
    wait = cli.wait_for_export

    def waiting(job_id: int) -> ExportJob | None:
        joined.set()
        return wait(job_id)

    monkeypatch.setattr(cli, "wait_for_export", waiting)
    app = make_app()
    report_id = new_report(app)
    job_id = job_id_of(ask_export(app.test_client(), report_id, "held"))
    held.wait_started()
    printed: list[Any] = []
    command = threading.Thread(target=lambda: printed.append(app.test_cli_runner().invoke(
        args=["reports", "export", str(report_id), "--format", "held"])))
    command.start()
    assert joined.wait(PATIENCE)  # the command has queued (joined) the job and waits for it
    held.release.set()
    command.join(PATIENCE)
    assert printed, "the command never ended"
    result = printed[0]
    assert result.exit_code == 0, result.output
    done = finished(app, job_id)
    assert result.output.strip() == JobOutcome.from_json(done.outcome or "").local_path
    assert held.calls == 1  # the command joined the job instead of exporting again


def test_the_command_line_runs_the_job_itself_without_a_worker(
    make_app: Callable[..., Flask]
) -> None:
    app = make_app(EXPORT_INLINE=True)
    report_id = new_report(app)
    result = app.test_cli_runner().invoke(
        args=["reports", "export", str(report_id), "--format", "md"])
    assert result.exit_code == 0, result.output
    path = Path(result.output.strip())
    assert path.is_file() and path.read_bytes().startswith(b"# Checkout")
    assert result.output.count("\n") == 1
    missing = app.test_cli_runner().invoke(args=["reports", "export", "999"])
    assert missing.exit_code != 0 and "There is no report 999." in missing.output


def test_export_workers_settings_are_checked(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="HINDSIGHT_EXPORT_WORKERS"):
        create_app({"INSTANCE_PATH": str(tmp_path / "i"), "TESTING": True,
                    "EXPORT_WORKERS": "many"})
    with pytest.raises(RuntimeError, match="HINDSIGHT_EXPORT_LIMIT"):
        create_app({"INSTANCE_PATH": str(tmp_path / "i"), "TESTING": True, "EXPORT_LIMIT": 0})
