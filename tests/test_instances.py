"""Several app instances on one database behave as one app (issue 18).

Two instances run as separate processes, each with an instance folder of its own, on one
database (the PostgreSQL server the tests start with ``HINDSIGHT_TEST_POSTGRES=1``; otherwise one
SQLite file, which is two instances on one machine) and one shared folder. A person's requests go
to either, as a load balancer without sticky sessions would send them.
"""

from __future__ import annotations

import json
import os
import re
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from app import create_app
from reports.db_locks import named_lock
from reports.export_jobs import DONE, ExportJobs, jobs_table
from reports.exports_log import ExportLog
from reports.instances import (
    Instance,
    Instances,
    folder_warnings,
    instances_table,
    is_local_folder,
)
from reports.migrate import current_revision, head_revision
from reports.store import make_engine
from services import get_instances, get_users
from tests import drive_fixtures
from tests.conftest import SAMPLE_DOCUMENT
from tests.databases import USE_POSTGRES
from tests.drive_fixtures import FOLDER_ID
from tests.fake_drive import DOC_MIME, FakeDrive

drive_ca = drive_fixtures.drive_ca
signing_key = drive_fixtures.signing_key
trust_drive_ca = drive_fixtures.trust_drive_ca
fake_drive = drive_fixtures.fake_drive
key_file = drive_fixtures.key_file

ROOT = Path(__file__).resolve().parent.parent
PATIENCE = 120.0  # seconds; PDFs on a busy 2-core machine
PASSWORD = "correct horse battery staple"
SECRET = "one-key-for-every-instance-of-this-test-0123456789"

# One app instance: the app from the environment (as gunicorn makes it), served by Werkzeug's
# threaded server on a port the system picks. TEST_HOLD_FORMAT makes that format's rendering
# touch TEST_HOLD_MARK and then hang, so the test can kill the process mid-export.
SERVE_SCRIPT = """
import os, sys, time
from pathlib import Path
from werkzeug.serving import make_server
import exporters
from app import create_app

held = os.environ.get("TEST_HOLD_FORMAT")
if held:
    real = exporters.FORMATS[held]

    class Held:
        name, label, extension, mimetype = real.name, real.label, real.extension, real.mimetype
        destination = "local"

        def render(self, report, copy="client"):
            Path(os.environ["TEST_HOLD_MARK"]).touch()
            time.sleep(600)

    exporters.FORMATS[held] = Held()
app = create_app()
server = make_server("127.0.0.1", 0, app, threaded=True)
print(f"serving http://127.0.0.1:{server.server_port}", flush=True)
server.serve_forever()
"""
SERVING = re.compile(r"serving (http://\S+)")


class Served:
    """One app instance in its own process."""

    def __init__(self, name: str, env: dict[str, str], log: Path):
        self.name = name
        self.log = log
        with log.open("w") as errors:
            self.process = subprocess.Popen(
                [sys.executable, "-c", SERVE_SCRIPT], cwd=ROOT, env=env,
                stdout=subprocess.PIPE, stderr=errors, text=True, start_new_session=True)
        self.url = self._address()

    def _address(self) -> str:
        assert self.process.stdout is not None
        deadline = time.monotonic() + PATIENCE
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            while time.monotonic() < deadline and self.process.poll() is None:
                if selector.select(timeout=1):
                    found = SERVING.search(self.process.stdout.readline())
                    if found:
                        url = found.group(1)
                        requests.get(f"{url}/healthz", timeout=30)  # starts its export workers
                        return url
        self.kill()
        raise AssertionError(f"instance {self.name} did not start:\n{self.log.read_text()}")

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)


@pytest.fixture
def database_url(database_for_this_test: str | None, tmp_path: Path) -> str:
    """The database both instances share: this test's PostgreSQL database, or one SQLite file."""
    return database_for_this_test or f"sqlite:///{tmp_path / 'shared.sqlite3'}"


@pytest.fixture
def shared_folder(tmp_path: Path) -> Path:
    return tmp_path / "shared-reports"


@pytest.fixture
def settings(database_url: str, shared_folder: Path) -> dict[str, str]:
    """What every instance is given: the same database, folder and secret key."""
    return {"HINDSIGHT_DATABASE_URL": database_url, "HINDSIGHT_SHARED_FOLDER": str(shared_folder),
            "HINDSIGHT_SECRET_KEY": SECRET, "HINDSIGHT_AUTH": "password",
            "HINDSIGHT_COOKIE_SECURE": "0", "HINDSIGHT_EXPORT_WORKERS": "1",
            "HINDSIGHT_EXPORT_LIMIT": "2", "HINDSIGHT_LOG_FORMAT": "json"}


@pytest.fixture
def admin(database_url: str, shared_folder: Path, tmp_path: Path) -> Iterator[Any]:
    """An app in the test's own process on the same database: accounts, and a look inside."""
    app = create_app({"INSTANCE_PATH": str(tmp_path / "admin"), "TESTING": True,
                      "DATABASE_URL": database_url, "SHARED_FOLDER": str(shared_folder),
                      "AUTH": "password"})
    with app.app_context():
        for name in ("dana", "sam"):
            get_users().add(name, role="author", password=PASSWORD)
    yield app
    app.extensions["hindsight.store"].engine.dispose()


@pytest.fixture
def start(tmp_path: Path, settings: dict[str, str]) -> Iterator[Callable[..., Served]]:
    """Start instances (each with an instance folder of its own); all are killed at the end."""
    started: list[Served] = []

    def run(name: str, **extra: str) -> Served:
        env = {k: v for k, v in os.environ.items() if not k.startswith("HINDSIGHT_")}
        env.update(settings, HINDSIGHT_INSTANCE_PATH=str(tmp_path / f"instance-{name}"), **extra)
        served = Served(name, env, tmp_path / f"{name}.log")
        started.append(served)
        return served

    yield run
    for served in started:
        served.kill()


def signed_in(base: str, name: str, password: str = PASSWORD) -> requests.Session:
    person = requests.Session()
    answer = sign_in(person, base, name, password)
    assert answer.status_code == 302, answer.text[:500]
    return person


def form_token(person: requests.Session, url: str) -> str:
    page = person.get(url, timeout=30).text
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert found, page[:500]
    return found.group(1)


def sign_in(person: requests.Session, base: str, name: str, password: str) -> requests.Response:
    token = form_token(person, f"{base}/login")
    return person.post(f"{base}/login", data={"csrf_token": token, "username": name,
                                              "password": password},
                       allow_redirects=False, timeout=30)


def new_report(person: requests.Session, base: str) -> int:
    answer = person.post(f"{base}/api/reports", json=SAMPLE_DOCUMENT, timeout=30)
    assert answer.status_code == 201, answer.text[:500]
    return int(answer.json()["id"])


def jobs_finished(admin: Any, timeout: float = PATIENCE) -> list[Any]:
    jobs = ExportJobs(admin.extensions["hindsight.store"].engine)
    deadline = time.monotonic() + timeout
    while True:
        with jobs.engine.connect() as connection:
            ids = connection.execute(sa.select(jobs_table.c.id)).scalars().all()
        found = [jobs.get(job_id) for job_id in ids]
        if found and all(job is not None and job.finished for job in found):
            return found
        assert time.monotonic() < deadline, f"exports never finished: {found}"
        time.sleep(0.2)


def visible_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


# --- Sessions, form tokens and others' saves --------------------------------------------------

def test_a_session_and_form_token_from_one_instance_are_accepted_by_the_other_and_saves_show(
    start: Callable[..., Served], admin: Any
) -> None:
    one, two = start("one"), start("two")
    dana = signed_in(one.url, "dana")
    report_id = new_report(dana, one.url)
    # The same cookie (same host, another port) is a signed-in session on the other instance.
    assert dana.get(f"{two.url}/reports/{report_id}", timeout=30).status_code == 200
    token = form_token(dana, f"{one.url}/reports/{report_id}")
    exported = dana.post(f"{two.url}/reports/{report_id}/export/md",
                         data={"csrf_token": token, "copy": "client"},
                         headers={"Accept": "application/json"}, timeout=60)
    assert exported.status_code == 200, exported.text[:500]  # one's form token, two's check

    sam = signed_in(two.url, "sam")
    assert sam.get(f"{two.url}/reports/{report_id}/changes?since=1",
                   timeout=30).status_code == 204  # nothing saved since version 1

    document = dana.get(f"{one.url}/api/reports/{report_id}", timeout=30).json()
    document["summary"] = "Saved on instance one, read on instance two."
    saved = dana.put(f"{one.url}/api/reports/{report_id}", json=document, timeout=30)
    assert saved.status_code == 200, saved.text[:500]

    changes = sam.get(f"{two.url}/reports/{report_id}/changes?since=1", timeout=30)
    assert changes.status_code == 200
    body = changes.json()
    assert body["version"] == 2 and body["by"] == ["dana"] and "summary" in body["parts"]
    assert "Saved on instance one, read on instance two." in json.dumps(body["entries"])
    jobs_finished(admin)


def test_five_wrong_passwords_over_both_instances_lock_the_account(
    start: Callable[..., Served], admin: Any
) -> None:
    one, two = start("one"), start("two")
    for n in range(5):
        base = (one, two)[n % 2].url
        wrong = sign_in(requests.Session(), base, "dana", "not the password")
        assert wrong.status_code == 400
    for served in (one, two):
        right = sign_in(requests.Session(), served.url, "dana", PASSWORD)
        assert right.status_code == 429 and "Too many attempts" in right.text


# --- Exports: each once, the folder and Drive written by one at a time -------------------------

def test_ten_exports_asked_on_both_at_once_make_one_file_and_one_doc(
    start: Callable[..., Served], admin: Any, fake_drive: FakeDrive, key_file: Path,
    shared_folder: Path,
) -> None:
    drive = {"HINDSIGHT_DRIVE_FOLDER_ID": FOLDER_ID, "HINDSIGHT_GOOGLE_CREDENTIALS": str(key_file),
             "HINDSIGHT_DRIVE_API_ENDPOINT": fake_drive.url}
    one, two = start("one", **drive), start("two", **drive)
    dana = signed_in(one.url, "dana")
    report_id = new_report(dana, one.url)
    token = form_token(dana, f"{one.url}/reports/{report_id}")
    go = threading.Barrier(10)

    def ask(n: int) -> int:
        base, fmt = (one, two)[n % 2].url, ("pdf", "gdoc")[(n // 2) % 2]
        go.wait()
        answer = dana.post(f"{base}/reports/{report_id}/export/{fmt}",
                           data={"csrf_token": token, "copy": "client"},
                           headers={"Accept": "application/json"}, timeout=60)
        return answer.status_code

    with ThreadPoolExecutor(10) as pool:
        assert list(pool.map(ask, range(10))) == [200] * 10
    jobs = jobs_finished(admin)
    assert all(job.status == DONE for job in jobs), jobs
    assert {job.format for job in jobs} == {"pdf", "gdoc"}

    pdfs = [p for p in visible_files(shared_folder) if p.suffix == ".pdf"]
    assert len(pdfs) == 1, pdfs
    assert (shared_folder / "index.html").is_file()
    in_drive = fake_drive.in_folder(FOLDER_ID)
    docs = [f for f in in_drive if f.mime_type == DOC_MIME]
    keys = sorted(f.app_properties.get("hindsight", "") for f in docs)
    report_docs = [f for f in docs if f.name != "Incident reports — index"]
    index_docs = [f for f in docs if f.name == "Incident reports — index"]
    assert len(report_docs) == 1 and len(index_docs) == 1, keys
    assert len([f for f in in_drive if f.mime_type == "application/pdf"]) == 1
    with admin.app_context():
        log = ExportLog(admin.extensions["hindsight.store"].engine)
        current = [r for r in log.current_all() if r.report_id == report_id]
    assert sorted((r.format, r.destination) for r in current) == [
        ("gdoc", "drive"), ("pdf", "drive"), ("pdf", "local")]


def test_an_instance_killed_mid_export_leaves_the_job_to_the_other_done_once(
    start: Callable[..., Served], admin: Any, tmp_path: Path, shared_folder: Path
) -> None:
    mark = tmp_path / "rendering"
    one = start("one", TEST_HOLD_FORMAT="md", TEST_HOLD_MARK=str(mark))
    dana = signed_in(one.url, "dana")
    report_id = new_report(dana, one.url)
    token = form_token(dana, f"{one.url}/reports/{report_id}")
    asked = dana.post(f"{one.url}/reports/{report_id}/export/md",
                      data={"csrf_token": token, "copy": "client"},
                      headers={"Accept": "application/json"}, timeout=60)
    job_id = asked.json()["id"]
    deadline = time.monotonic() + PATIENCE
    while not mark.exists():
        assert time.monotonic() < deadline, "instance one never started the export"
        time.sleep(0.05)
    one.kill()  # mid-render: no goodbye, no release
    engine = admin.extensions["hindsight.store"].engine
    jobs = ExportJobs(engine)
    left = jobs.get(job_id)
    assert left is not None and left.status == "running" and left.attempts == 1
    assert visible_files(shared_folder) == []

    # A minute passes without a heartbeat from one; two notices and does the export.
    with engine.begin() as connection:
        connection.execute(sa.update(jobs_table).where(jobs_table.c.id == job_id).values(
            heartbeat_at=datetime.now(UTC) - timedelta(hours=1)))
    two = start("two")
    done = jobs_finished(admin)
    assert [(job.id, job.status, job.attempts) for job in done] == [(job_id, DONE, 2)]
    assert done[0].claimed_by and done[0].claimed_by.endswith(f":{two.process.pid}")
    exported = [p for p in visible_files(shared_folder) if p.parent != shared_folder]
    assert [p.suffix for p in exported] == [".md"]  # one file, beside the folder's index
    log = ExportLog(engine)
    assert len([r for r in log.for_report(report_id) if r.format == "md"]) == 1


# --- Start-up ---------------------------------------------------------------------------------

MIGRATE_SCRIPT = """
import logging, sys, time
from pathlib import Path
logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(name)s %(message)s")
from reports.migrate import upgrade
from reports.store import make_engine
engine = make_engine(sys.argv[1])
go = Path(sys.argv[2])
while not go.exists():
    time.sleep(0.005)
upgrade(engine)
"""


def test_two_instances_starting_at_once_migrate_once(
    new_database: Callable[[], str], tmp_path: Path
) -> None:
    url = new_database()
    go = tmp_path / "go"
    processes = [subprocess.Popen([sys.executable, "-c", MIGRATE_SCRIPT, url, str(go)], cwd=ROOT,
                                  stderr=subprocess.PIPE, text=True) for _ in range(2)]
    time.sleep(1.5)  # both have imported everything and wait for the word
    go.touch()
    outputs = [process.communicate(timeout=PATIENCE)[1] for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    first = [out for out in outputs if "Running upgrade  -> 0001" in out]
    assert len(first) == 1, outputs  # one process migrated, the other found it done
    engine = make_engine(url)
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_sign_in_on_postgresql_needs_the_secret_key_given(tmp_path: Path) -> None:
    settings = {"INSTANCE_PATH": str(tmp_path / "i"), "AUTH": "password",
                "DATABASE_URL": "postgresql+psycopg://hindsight@/hindsight"}
    with pytest.raises(RuntimeError, match="HINDSIGHT_SECRET_KEY is not set") as refused:
        create_app(settings)
    assert "same HINDSIGHT_SECRET_KEY to every instance" in str(refused.value)
    assert not (tmp_path / "i" / "secret_key").exists()


def test_sign_in_on_sqlite_still_makes_its_key(tmp_path: Path) -> None:
    app = create_app({"INSTANCE_PATH": str(tmp_path / "i"), "AUTH": "password",
                      "BASE_URL": "https://reports.example.com",
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'i' / 'one.sqlite3'}"})
    app.extensions["hindsight.store"].engine.dispose()
    assert (tmp_path / "i" / "secret_key").read_text().strip() == app.config["SECRET_KEY"]


def test_a_shared_folder_that_cannot_be_written_stops_the_start_and_says_why(
    tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(RuntimeError, match="cannot write to the shared folder") as refused:
        create_app({"INSTANCE_PATH": str(tmp_path / "i"), "TESTING": True,
                    "SHARED_FOLDER": str(blocker / "shared")})
    assert "HINDSIGHT_SHARED_FOLDER" in str(refused.value)


# --- Knowing the other instances ---------------------------------------------------------------

MOUNTS = """\
/dev/sda1 / ext4 rw 0 0
server:/exports /srv/shared nfs4 rw 0 0
//nas/reports /mnt/team\\040reports cifs rw 0 0
"""


def test_a_folder_on_a_network_share_is_told_from_a_local_one() -> None:
    assert is_local_folder("/var/lib/hindsight/shared", MOUNTS)
    assert not is_local_folder("/srv/shared/reports", MOUNTS)
    assert not is_local_folder("/mnt/team reports", MOUNTS)
    assert is_local_folder("/srv/sharedx", MOUNTS)  # a name that only starts like the mount


def instance(host: str, folder: str, local: bool, pid: int = 1) -> Instance:
    now = datetime.now(UTC)
    return Instance(f"{host}:{pid}", host, pid, folder, local, now, now)


def test_warnings_name_the_other_machine_and_the_local_folder() -> None:
    me = instance("app-1", "/srv/hindsight/shared", local=True)
    assert folder_warnings(me, [instance("app-1", "/srv/hindsight/shared", True, 2)]) == []
    [told] = folder_warnings(me, [instance("app-2", "/srv/hindsight/shared", True)])
    assert "app-2" in told and "/srv/hindsight/shared" in told and "this machine" in told
    on_share = instance("app-1", "/mnt/share", local=False)
    assert folder_warnings(on_share, [instance("app-2", "/mnt/share", False)]) == []
    [theirs] = folder_warnings(on_share, [instance("app-2", "/var/shared", True)])
    assert "app-2's own disk" in theirs
    [apart] = folder_warnings(me, [instance("app-1", "/elsewhere", True, 7)])
    assert "process 7" in apart and "HINDSIGHT_SHARED_FOLDER" in apart


def test_an_instance_warns_once_when_another_machine_runs_with_a_local_folder(
    admin: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with admin.app_context():
        mine = get_instances()
    live = mine.live()
    assert [i.id for i in live] == [mine.me.id] and live[0].shared_folder == mine.me.shared_folder
    engine = admin.extensions["hindsight.store"].engine
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(sa.insert(instances_table).values(
            id="app-2.example:40", host="app-2.example", pid=40, shared_folder="/srv/shared",
            folder_is_local=True, started_at=now, seen_at=now))
        connection.execute(sa.insert(instances_table).values(  # stopped long ago: not live
            id="app-3.example:41", host="app-3.example", pid=41, shared_folder="/srv/shared",
            folder_is_local=True, started_at=now, seen_at=now - timedelta(hours=2)))
    mine._last_beat = 0.0  # a minute has passed: the next request says "still here"
    client = admin.test_client()
    client.get("/healthz")
    client.get("/healthz")
    told = [r.getMessage() for r in caplog.records if "app-2.example" in r.getMessage()]
    assert len(told) == 1 and "own disk" in told[0]
    assert not any("app-3.example" in r.getMessage() for r in caplog.records)
    mine.leave()
    assert mine.me.id not in [i.id for i in Instances(engine, mine.me).live()]


# --- The lock itself ------------------------------------------------------------------------------

def test_a_named_lock_is_held_by_one_at_a_time(admin: Any) -> None:
    engine = admin.extensions["hindsight.store"].engine
    inside, most = [0], [0]
    guard = threading.Lock()

    def hold(_: int) -> None:
        with named_lock(engine, "shared-folder"):
            with guard:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            time.sleep(0.02)
            with guard:
                inside[0] -= 1

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(hold, range(12)))
    assert most[0] == 1


@pytest.mark.skipif(not USE_POSTGRES, reason="the cross-machine lock is PostgreSQL's")
def test_on_postgresql_the_folder_lock_is_in_the_database(admin: Any, tmp_path: Path) -> None:
    from exporters.folder import SharedFolder

    engine = admin.extensions["hindsight.store"].engine
    folder = SharedFolder(tmp_path / "share", engine)
    with folder.lock(), engine.connect() as connection:
        held = connection.execute(sa.text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
        )).scalar_one()
    assert held == 1
    assert not (tmp_path / "share" / ".hindsight-export.lock").exists()


# --- Behind a proxy -------------------------------------------------------------------------------

def failure_keys(app: Any) -> list[str]:
    from reports.tables import SigninFailureRow, table_of

    failures = table_of(SigninFailureRow)
    with app.extensions["hindsight.store"].engine.connect() as connection:
        return sorted(connection.execute(sa.select(failures.c.key)).scalars())


@pytest.mark.parametrize(("peer", "counted"), [
    ("10.0.0.5", "ip:198.51.100.7"),  # the proxy: the address it added, not the one sent to it
    ("10.0.0.99", "ip:10.0.0.99"),  # anyone else: the header is not believed
])
def test_the_sign_in_limit_counts_the_address_a_trusted_proxy_names(
    tmp_path: Path, peer: str, counted: str
) -> None:
    app = create_app({"INSTANCE_PATH": str(tmp_path / "i"), "TESTING": True, "AUTH": "password",
                      "TRUSTED_PROXIES": "10.0.0.5", "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = peer
    answer = client.post("/login", data={"username": "dana", "password": "wrong"},
                         headers={"X-Forwarded-For": "203.0.113.9, 198.51.100.7"})
    assert answer.status_code == 400
    assert failure_keys(app) == [counted, "user:dana"]
    app.extensions["hindsight.store"].engine.dispose()


def test_with_header_sign_in_the_address_stays_the_proxys(tmp_path: Path) -> None:
    app = create_app({"INSTANCE_PATH": str(tmp_path / "i"), "TESTING": True, "AUTH": "header",
                      "TRUSTED_PROXIES": "10.0.0.5"})
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.0.0.5"
    answer = client.get("/", headers={"X-Forwarded-User": "dana",
                                      "X-Forwarded-For": "198.51.100.7"})
    assert answer.status_code == 200  # believed: it came from the proxy itself
    app.extensions["hindsight.store"].engine.dispose()


NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class GunicornInstance:
    """An instance as docs/deploy.md runs it: gunicorn with gunicorn.conf.py."""

    def __init__(self, name: str, env: dict[str, str], tmp_path: Path):
        self.log = tmp_path / f"gunicorn-{name}.log"
        with self.log.open("w") as output:
            self.process = subprocess.Popen(
                [str(Path(sys.executable).with_name("gunicorn")), "-c", "gunicorn.conf.py",
                 "--no-control-socket", "app:create_app()"],
                cwd=ROOT, env={**env, "HINDSIGHT_BIND": "127.0.0.1:0"}, stdout=output,
                stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + PATIENCE
        while True:
            found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", self.log.read_text())
            if found:
                self.port = int(found.group(1))
                break
            assert self.process.poll() is None and time.monotonic() < deadline, \
                self.log.read_text()
            time.sleep(0.1)
        while True:  # until its worker answers
            try:
                if requests.get(f"http://127.0.0.1:{self.port}/healthz", timeout=15).ok:
                    return
            except (requests.ConnectionError, requests.Timeout):
                pass  # not listening yet, or its first answer slow on a busy machine
            assert time.monotonic() < deadline, self.log.read_text()
            time.sleep(0.2)

    def served(self, path: str) -> int:
        return len([line for line in self.log.read_text().splitlines()
                    if line.startswith('{"time"') and f'"path":"{path}"' in line])

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)


def nginx_site(example: str, ports: tuple[int, int], http: int, https: int, cert: Path,
               key: Path) -> str:
    """deploy/nginx.conf with this test's addresses: every change is one the file asks for."""
    changes = [
        ("server 10.0.0.11:8000", f"server 127.0.0.1:{ports[0]}"),
        ("server 10.0.0.12:8000", f"server 127.0.0.1:{ports[1]}"),
        ("    listen 80;\n", f"    listen 127.0.0.1:{http};\n"),
        ("    listen [::]:80;\n", ""),
        ("    listen 443 ssl http2;\n", f"    listen 127.0.0.1:{https} ssl http2;\n"),
        ("    listen [::]:443 ssl http2;\n", ""),
        ("/etc/ssl/hindsight/fullchain.pem", str(cert)),
        ("/etc/ssl/hindsight/privkey.pem", str(key)),
    ]
    for old, new in changes:
        assert example.count(old) == 1, f"deploy/nginx.conf no longer has {old!r}"
        example = example.replace(old, new)
    return example


def test_the_example_nginx_configuration_in_front_of_two_instances(
    tmp_path: Path, settings: dict[str, str], admin: Any
) -> None:
    import trustme

    # Not a skip: a machine set up by scripts/bootstrap.sh --with-test-tools has nginx.
    assert NGINX is not None, "nginx is not installed: run scripts/bootstrap.sh --with-test-tools"
    ca = trustme.CA()
    issued = ca.issue_cert("reports.example.com", "127.0.0.1")
    cert, key, ca_file = tmp_path / "fullchain.pem", tmp_path / "privkey.pem", tmp_path / "ca.pem"
    issued.cert_chain_pems[0].write_to_path(str(cert))
    for pem in issued.cert_chain_pems[1:]:
        pem.write_to_path(str(cert), append=True)
    issued.private_key_pem.write_to_path(str(key))
    ca.cert_pem.write_to_path(str(ca_file))

    env = {k: v for k, v in os.environ.items() if not k.startswith("HINDSIGHT_")}
    env.update(settings, HINDSIGHT_TRUSTED_PROXIES="127.0.0.1", HINDSIGHT_WORKERS="1",
               HINDSIGHT_BASE_URL="https://reports.example.com")
    env.pop("HINDSIGHT_COOKIE_SECURE")  # on, as with sign-in in production
    instances = [GunicornInstance(name, {**env, "HINDSIGHT_INSTANCE_PATH":
                                         str(tmp_path / f"instance-{name}")}, tmp_path)
                 for name in ("one", "two")]
    http, https = free_port(), free_port()
    site = tmp_path / "hindsight.conf"
    site.write_text(nginx_site((ROOT / "deploy" / "nginx.conf").read_text(),
                               (instances[0].port, instances[1].port), http, https, cert, key))
    main = tmp_path / "nginx.conf"
    temp = tmp_path / "nginx-temp"
    temp.mkdir()
    main.write_text(f"""
user root;
worker_processes 1;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/nginx-error.log;
events {{ worker_connections 256; }}
http {{
    access_log {tmp_path}/nginx-access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {site};
}}
""")
    checked = subprocess.run([NGINX, "-t", "-c", str(main), "-p", str(tmp_path)],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    nginx = subprocess.Popen([NGINX, "-c", str(main), "-p", str(tmp_path), "-g", "daemon off;"],
                             stderr=subprocess.PIPE, text=True)
    base = f"https://127.0.0.1:{https}"
    host = {"Host": "reports.example.com"}
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                health = requests.get(f"{base}/healthz", headers=host, verify=str(ca_file),
                                      timeout=10)
                break
            except requests.ConnectionError:
                assert nginx.poll() is None and time.monotonic() < deadline
                time.sleep(0.1)
        assert health.status_code == 200 and health.json() == {"status": "ok"}
        plain = requests.get(f"http://127.0.0.1:{http}/reports", headers=host,
                             allow_redirects=False, timeout=10)
        assert plain.status_code == 301
        assert plain.headers["Location"] == "https://reports.example.com/reports"

        person = requests.Session()
        person.verify = str(ca_file)
        person.trust_env = False  # this test's CA, whatever REQUESTS_CA_BUNDLE says
        person.headers.update(host, Referer="https://reports.example.com/login")
        answer = sign_in(person, base, "dana", PASSWORD)
        assert answer.status_code == 302, answer.text[:500]
        assert "Secure" in answer.headers["Set-Cookie"]
        # The app believed nginx's X-Forwarded-Proto: over HTTPS a form from another site (its
        # Referer) is refused, even with the right password.
        stranger = requests.Session()
        stranger.verify, stranger.trust_env = str(ca_file), False
        stranger.headers.update(host, Referer="https://elsewhere.example/")
        assert sign_in(stranger, base, "dana", PASSWORD).status_code == 400
        for _ in range(6):  # no sticky sessions: either instance takes the signed-in person
            assert person.get(f"{base}/", allow_redirects=False, timeout=30).status_code == 200
        assert all(instance.served("/") >= 1 for instance in instances), \
            [instance.served("/") for instance in instances]

        instances[0].kill()  # one instance goes away: the other answers everything
        for _ in range(4):
            assert person.get(f"{base}/", allow_redirects=False, timeout=30).status_code == 200
    finally:
        nginx.terminate()
        nginx.wait(timeout=30)
        for instance in instances:
            instance.kill()
