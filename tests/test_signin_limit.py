"""The sign-in limit holds across worker processes, app instances and restarts.

Five failures per 15 minutes per address and per account, counted in the database: every app
on the database sees the same count, and guesses arriving at the same moment are counted one by
one. On a PostgreSQL run (``HINDSIGHT_TEST_POSTGRES=1``) every app here uses the same database.
"""

from __future__ import annotations

import base64
import os
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from accounts.ratelimit import FailureLimit
from app import create_app
from tests.conftest import csrf_token_from
from tests.pages import store_of, users_of
from tests.test_production import Gunicorn

PASSWORD = "correct horse battery"
HTTPS = "https://localhost"


@pytest.fixture
def apps(tmp_path: Path) -> Iterator[Callable[[], Flask]]:
    """Makes apps on one instance folder, so one database; each is another instance."""
    made: list[Flask] = []

    def make() -> Flask:
        app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True,
                          "AUTH": "password"})
        made.append(app)
        return app

    yield make
    for app in made:
        store_of(app).engine.dispose()


def _sign_in(app: Flask, username: str, password: str,
             address: str = "192.0.2.1") -> tuple[FlaskClient, int]:
    client = app.test_client()
    client.environ_base.update(HTTP_REFERER=f"{HTTPS}/", REMOTE_ADDR=address)
    token = csrf_token_from(client.get("/login", base_url=HTTPS).get_data(as_text=True))
    response = client.post("/login", base_url=HTTPS, data={
        "csrf_token": token, "username": username, "password": password})
    return client, response.status_code


def test_two_app_instances_share_the_count_and_a_restart_keeps_it(
    apps: Callable[[], Flask],
) -> None:
    first, second = apps(), apps()
    users_of(first).add("dana", role="author", password=PASSWORD)
    for app in (first, second, first, second, first):  # five failures, split between them
        assert _sign_in(app, "dana", "wrong password!")[1] == 400
    # The account is locked on both, even with the right password.
    assert _sign_in(first, "dana", PASSWORD)[1] == 429
    assert _sign_in(second, "dana", PASSWORD, address="198.51.100.7")[1] == 429

    for app in (first, second):  # a restart: the apps go away, a new one starts
        store_of(app).engine.dispose()
    restarted = apps()
    assert _sign_in(restarted, "dana", PASSWORD)[1] == 429
    basic = base64.b64encode(f"dana:{PASSWORD}".encode()).decode()
    api = restarted.test_client().get("/api/reports", base_url=HTTPS,
                                      headers={"Authorization": f"Basic {basic}"})
    assert api.status_code == 429


def test_one_address_is_limited_across_accounts_and_instances(apps: Callable[[], Flask]) -> None:
    first, second = apps(), apps()
    users_of(first).add("sam", role="viewer", password=PASSWORD)
    for number, app in enumerate((first, second, second, first, second)):
        assert _sign_in(app, f"guess-{number}", "wrong password!", address="203.0.113.9")[1] == 400
    assert _sign_in(first, "sam", PASSWORD, address="203.0.113.9")[1] == 429
    # Another address, and the right password, still get in; and that clears nothing else.
    client, status = _sign_in(second, "sam", PASSWORD, address="203.0.113.10")
    assert status == 302 and client.get("/", base_url=HTTPS).status_code == 200
    assert _sign_in(second, "sam", PASSWORD, address="203.0.113.9")[1] == 429


def test_signing_in_does_not_wipe_out_guesses_at_the_account(
    apps: Callable[[], Flask],
) -> None:
    """Someone guessing from many addresses gets 5 guesses, however often the owner signs in."""
    app = apps()
    users_of(app).add("kim", role="author", password=PASSWORD)
    for number in range(4):
        assert _sign_in(app, "kim", "wrong password!", address=f"198.51.100.{number}")[1] == 400
    assert _sign_in(app, "kim", PASSWORD, address="192.0.2.200")[1] == 302  # the owner
    assert _sign_in(app, "kim", "wrong password!", address="198.51.100.4")[1] == 400
    assert _sign_in(app, "kim", "wrong password!", address="198.51.100.5")[1] == 429


def test_guesses_arriving_together_are_counted_exactly(apps: Callable[[], Flask]) -> None:
    limits: list[FailureLimit] = [app.extensions["hindsight.login_failures"]
                                  for app in (apps(), apps())]
    guesses = 24
    start = threading.Barrier(guesses)

    def guess(number: int) -> bool:
        start.wait(timeout=30)
        return limits[number % 2].attempt("ip:192.0.2.50", "user:dana").allowed

    with ThreadPoolExecutor(max_workers=guesses) as pool:
        allowed = list(pool.map(guess, range(guesses)))
    assert allowed.count(True) == 5


def test_gunicorn_workers_share_the_limit(tmp_path: Path) -> None:
    """The report: with 2 workers, 10 of 60 guesses were checked. Now 5 are."""
    instance = tmp_path / "instance"
    # One key for the setup and the server: with PostgreSQL it must be given (docs/deploy.md).
    key = "test-key-shared-by-the-setup-and-the-server"
    setup = create_app({"INSTANCE_PATH": str(instance), "AUTH": "password", "SECRET_KEY": key})
    users_of(setup).add("dana", role="author", password=PASSWORD)
    store_of(setup).engine.dispose()
    server = Gunicorn(tmp_path, {**os.environ, "HINDSIGHT_INSTANCE_PATH": str(instance),
                                 "HINDSIGHT_AUTH": "password", "HINDSIGHT_WORKERS": "2",
                                 "HINDSIGHT_SECRET_KEY": key,
                                 "HINDSIGHT_THREADS": "4"})
    try:
        server.wait_until_serving()
        wrong = base64.b64encode(b"dana:wrong password!").decode()

        def guess(_: int) -> int:
            request = urllib.request.Request(f"{server.base_url}/api/reports",
                                             headers={"Authorization": f"Basic {wrong}"})
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    return response.status
            except urllib.error.HTTPError as error:
                return error.code

        with ThreadPoolExecutor(max_workers=12) as pool:
            statuses = list(pool.map(guess, range(60)))
    finally:
        output = server.stop()
    assert statuses.count(401) == 5, (statuses, output[-3000:])  # checked, and wrong
    assert statuses.count(429) == 55
