"""scripts/run.sh: serves with gunicorn, prints the address to open, answers there, stops on
Ctrl-C; a .env file in the project folder is read for HINDSIGHT_* settings, and a real
environment variable wins over it."""

from __future__ import annotations

import os
import re
import selectors
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

import app as app_module

ROOT = Path(__file__).resolve().parent.parent
READY = re.compile(r"Hindsight is ready: open (http://\S+)")
START_TIMEOUT = 120  # bootstrap.sh first, which installs only what is missing


class Served:
    def __init__(self, process: subprocess.Popen[str], address: str, log: Path):
        self.process = process
        self.address = address
        self.log = log  # its standard error


def start(script: Path, env: dict[str, str], log: Path) -> Served:
    """Run the script in its own process group, as a terminal would, until it says its address."""
    with log.open("w") as errors:
        process = subprocess.Popen(
            ["bash", str(script)], env=env, stdout=subprocess.PIPE, stderr=errors,
            text=True, start_new_session=True,
        )
    assert process.stdout is not None
    printed = ""
    deadline = time.monotonic() + START_TIMEOUT
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline and process.poll() is None:
            if not selector.select(timeout=1):
                continue
            line = process.stdout.readline()
            printed += line
            if found := READY.search(line):
                return Served(process, found.group(1), log)
    stop(process)
    pytest.fail(f"run.sh printed no address; stdout: {printed!r}, stderr: {log.read_text()!r}")


def stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status, answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def environment(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HINDSIGHT_")}
    env.update(settings)
    return env


def interrupt_and_wait(served: Served) -> tuple[int, str]:
    """Ctrl-C: SIGINT to the whole foreground process group, as a terminal sends it; the exit
    status and stderr. It must stop at once: a worker stuck on its way out would be killed by
    the master only after graceful_timeout (30 s)."""
    os.killpg(served.process.pid, signal.SIGINT)
    try:
        status = served.process.wait(timeout=15)
    finally:
        stop(served.process)
    log = served.log.read_text()
    assert "Worker exiting" in log and "Shutting down: Master" in log, log
    return status, log


@pytest.fixture
def project_copy(tmp_path: Path) -> Iterator[Path]:
    """A project folder of its own (for a .env file of its own): the scripts, the virtualenv and
    pyproject.toml linked, gunicorn.conf.py copied (it reads the .env beside itself)."""
    folder = tmp_path / "project"
    folder.mkdir()
    for name in ("scripts", ".venv", "pyproject.toml"):
        (folder / name).symlink_to(ROOT / name)
    shutil.copy(ROOT / "gunicorn.conf.py", folder / "gunicorn.conf.py")
    yield folder


def test_run_sh_serves_with_gunicorn_prints_its_address_and_stops_on_ctrl_c(
    tmp_path: Path,
) -> None:
    instance = tmp_path / "instance"
    # Port 0: the system picks a free port, and run.sh must print the one really bound.
    served = start(ROOT / "scripts" / "run.sh",
                   environment(HINDSIGHT_BIND="127.0.0.1:0", HINDSIGHT_INSTANCE_PATH=str(instance)),
                   tmp_path / "stderr.log")
    try:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", served.address)
        assert not served.address.endswith(":0")
        assert get(f"{served.address}/healthz")[0] == 200
        status, page = get(f"{served.address}/")
        assert status == 200 and "Hindsight" in page
        assert (instance / "hindsight.sqlite3").is_file()
    finally:
        status, stderr = interrupt_and_wait(served)
    assert status == 0, stderr
    assert "Traceback" not in stderr
    # The production server, not Flask's development one:
    assert "Listening at: " + served.address in stderr and "Using worker: gthread" in stderr
    assert "development server" not in stderr
    assert "Shutting down: Master" in stderr
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{served.address}/healthz", timeout=5)


def test_run_sh_default_address_is_127_0_0_1_port_5000() -> None:
    script = (ROOT / "scripts" / "run.sh").read_text()
    assert 'default HINDSIGHT_BIND "${HINDSIGHT_HOST:-127.0.0.1}:${HINDSIGHT_PORT:-5000}"' in script
    assert "exec .venv/bin/gunicorn -c gunicorn.conf.py" in script
    assert "flask --app app run" not in script


def test_a_dotenv_file_is_read_and_the_real_environment_wins(
    project_copy: Path, tmp_path: Path
) -> None:
    from_file = tmp_path / "instance-from-dotenv"
    (project_copy / ".env").write_text(
        "# Settings for this installation\n"
        f"HINDSIGHT_INSTANCE_PATH={from_file}\n"
        "HINDSIGHT_BIND=127.0.0.1:1\n"  # the environment's wins, or the server cannot start
        "export HINDSIGHT_SERVER_NAMES=reports.example.test\n"
        "PATH=/nowhere\n"  # not a HINDSIGHT_ setting: ignored
    )
    served = start(project_copy / "scripts" / "run.sh",
                   environment(HINDSIGHT_BIND="127.0.0.1:0"), tmp_path / "stderr.log")
    try:
        assert not served.address.endswith(":1")
        assert get(f"{served.address}/healthz")[0] == 200
        assert (from_file / "hindsight.sqlite3").is_file()  # the .env's instance folder
        # The .env's extra server name is answered:
        request = urllib.request.Request(f"{served.address}/healthz",
                                         headers={"Host": "reports.example.test"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            assert answer.status == 200
    finally:
        status, stderr = interrupt_and_wait(served)
    assert status == 0, stderr


def unset(monkeypatch: pytest.MonkeyPatch, *names: str) -> None:
    """Unset now, and unset again after the test, whatever the code under test set meanwhile."""
    for name in names:
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)


def test_load_dotenv_settings_takes_only_hindsight_names_not_set_already(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "HINDSIGHT_AUTH=password\n"
        "HINDSIGHT_SESSION_HOURS='2'\n"
        "HINDSIGHT_LOG_FORMAT=json\n"
        "SOMETHING_ELSE=1\n"
        "HINDSIGHT_BASE_URL=https://${HOST}/x\n"  # taken as written, no interpolation
    )
    monkeypatch.setenv("HINDSIGHT_LOG_FORMAT", "text")
    unset(monkeypatch, "HINDSIGHT_AUTH", "HINDSIGHT_SESSION_HOURS", "HINDSIGHT_BASE_URL",
          "SOMETHING_ELSE")
    taken = app_module.load_dotenv_settings(dotenv)
    assert taken == {"HINDSIGHT_AUTH": "password", "HINDSIGHT_SESSION_HOURS": "2",
                     "HINDSIGHT_BASE_URL": "https://${HOST}/x"}
    assert os.environ["HINDSIGHT_LOG_FORMAT"] == "text"  # the real environment won
    assert "SOMETHING_ELSE" not in os.environ
    assert app_module.load_dotenv_settings(tmp_path / "missing") == {}


def test_create_app_reads_the_project_dotenv_but_tests_configs_do_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(f"HINDSIGHT_INSTANCE_PATH={tmp_path / 'inst'}\nHINDSIGHT_SESSION_HOURS=3\n")
    monkeypatch.setattr(app_module, "DOTENV_PATH", dotenv)
    unset(monkeypatch, "HINDSIGHT_INSTANCE_PATH", "HINDSIGHT_SESSION_HOURS")
    with_config = app_module.create_app({"INSTANCE_PATH": str(tmp_path / "given"),
                                         "TESTING": True})
    assert with_config.config["SESSION_HOURS"] == 8.0
    assert "HINDSIGHT_SESSION_HOURS" not in os.environ
    served = app_module.create_app()
    assert served.config["SESSION_HOURS"] == 3.0
    assert Path(served.instance_path) == tmp_path / "inst"
