"""The Google Drive set-up check on its settings page and on the command line: CSRF, who may run
it, the checklist, the exit status, and never a trace of the key in the page, output or logs."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from tests import drive_fixtures
from tests.conftest import csrf_token_from
from tests.drive_fixtures import FOLDER_ID, SERVICE_ACCOUNT
from tests.fake_drive import FakeDrive
from tests.test_drive_check import assert_no_key_material

drive_ca = drive_fixtures.drive_ca
signing_key = drive_fixtures.signing_key
trust_drive_ca = drive_fixtures.trust_drive_ca
fake_drive = drive_fixtures.fake_drive
key_file = drive_fixtures.key_file

PAGE = "/settings/drive"
PASSWORD = "correct horse battery"
HTTPS = "https://localhost"


def make_app(tmp_path: Path, fake: FakeDrive | None = None, key: Path | None = None,
             **config: Any) -> Flask:
    drive = {} if fake is None else {
        "DRIVE_FOLDER_ID": FOLDER_ID, "GOOGLE_CREDENTIALS": str(key),
        "DRIVE_API_ENDPOINT": fake.url, "DRIVE_TIMEOUT": 2, "DRIVE_BACKOFF": 0.01,
    }
    return create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True,
                       **drive, **config})


@pytest.fixture
def drive_app(tmp_path: Path, fake_drive: FakeDrive, key_file: Path) -> Iterator[Flask]:
    app = make_app(tmp_path, fake_drive, key_file)
    yield app
    app.extensions["hindsight.store"].engine.dispose()


def marks(html: str) -> list[str]:
    return re.findall(r'<span class="check-mark" aria-hidden="true">(.)</span>', html)


def run_check(client: FlaskClient, **options: Any) -> Any:
    token = csrf_token_from(client.get(PAGE, **options).get_data(as_text=True))
    return client.post(PAGE, data={"csrf_token": token}, **options)


def test_the_page_before_a_check(drive_app: Flask) -> None:
    client = drive_app.test_client()
    home = client.get("/").get_data(as_text=True)
    assert f'href="{PAGE}"' in home  # linked from the footer
    html = client.get(PAGE).get_data(as_text=True)
    assert "<h1>Google Drive set-up</h1>" in html
    assert "Google Drive export is switched on" in html
    assert "Hindsight can add, update and remove a Doc in the folder" in html  # the steps
    assert "a service account, in a shared drive" in html and f"ID {FOLDER_ID}" in html
    assert "Check the Google Drive set-up</button>" in html


def test_a_check_that_passes(drive_app: Flask, fake_drive: FakeDrive, key_file: Path,
                             caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    drive_app.extensions["hindsight.drive"] = object()  # an export client made earlier
    response = run_check(drive_app.test_client())

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert marks(html) == ["✓"] * 6
    assert "Every step passed: exports to Google Drive will work." in html
    assert f"It is the key of the service account {SERVICE_ACCOUNT}." in html
    assert "Check the Google Drive set-up again" in html
    assert fake_drive.files == {}
    # The folder, then the export path: look up by key, create, look up, update, delete.
    assert [r.method for r in fake_drive.drive_requests()] == [
        "GET", "GET", "POST", "GET", "PATCH", "GET", "DELETE"]
    assert "hindsight.drive" not in drive_app.extensions  # exports read the key file again
    assert "Google Drive set-up check passed" in caplog.text
    assert_no_key_material(html + caplog.text, key_file)


def test_a_check_that_fails_says_what_to_do(drive_app: Flask, fake_drive: FakeDrive,
                                            key_file: Path,
                                            caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    fake_drive.token_refusal = "Invalid JWT Signature."
    html = run_check(drive_app.test_client()).get_data(as_text=True)

    assert marks(html) == ["✓", "✓", "✓", "✗", "–", "–"]
    assert 'role="alert"' in html and "The Google Drive set-up is not finished." in html
    assert "<strong>What to do:</strong> Make a new key for " + SERVICE_ACCOUNT in html
    assert "Google accepts the sign-in<span class=\"visually-hidden\">: failed</span>" in html
    assert "failed at step 'token'" in caplog.text
    assert_no_key_material(html + caplog.text, key_file)


def test_the_check_when_nothing_is_set_up(app: Flask) -> None:
    client = app.test_client()
    assert "Google Drive export is not set up yet" in client.get(PAGE).get_data(as_text=True)
    html = run_check(client).get_data(as_text=True)
    assert marks(html) == ["✗", "–", "–", "–", "–", "–"]
    assert "HINDSIGHT_DRIVE_FOLDER_ID and HINDSIGHT_GOOGLE_CREDENTIALS are not set" in html
    assert "HINDSIGHT_GOOGLE_OAUTH_CLIENT" in html  # the way with a person's account too


def test_a_check_needs_the_csrf_token(drive_app: Flask, fake_drive: FakeDrive) -> None:
    client = drive_app.test_client()
    assert client.post(PAGE).status_code == 400
    assert client.post(PAGE, data={"csrf_token": "forged"}).status_code == 400
    assert not fake_drive.requests


# -- who may run it, with sign-in on -------------------------------------------------------------


@pytest.fixture
def password_app(tmp_path: Path, fake_drive: FakeDrive, key_file: Path) -> Iterator[Flask]:
    app = make_app(tmp_path, fake_drive, key_file, AUTH="password")
    accounts = app.extensions["hindsight.users"]
    for username, role in (("dana", "author"), ("rae", "reviewer"), ("val", "viewer")):
        accounts.add(username, role=role, password=PASSWORD, team="pay")
    yield app
    app.extensions["hindsight.store"].engine.dispose()


def signed_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_REFERER"] = HTTPS + "/"  # CSRF over HTTPS wants a same-site Referer
    token = csrf_token_from(client.get("/login", base_url=HTTPS).get_data(as_text=True))
    response = client.post("/login", base_url=HTTPS, data={
        "csrf_token": token, "username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.mark.parametrize("username", ["dana", "rae"])
def test_authors_and_reviewers_may_run_the_check(password_app: Flask, fake_drive: FakeDrive,
                                                 username: str) -> None:
    client = signed_in(password_app, username)
    assert f'href="{PAGE}"' in client.get("/", base_url=HTTPS).get_data(as_text=True)
    response = run_check(client, base_url=HTTPS)
    assert response.status_code == 200
    assert marks(response.get_data(as_text=True)) == ["✓"] * 6


def test_viewers_may_not_run_the_check(password_app: Flask, fake_drive: FakeDrive) -> None:
    client = signed_in(password_app, "val")
    assert f'href="{PAGE}"' not in client.get("/", base_url=HTTPS).get_data(as_text=True)
    html = client.get(PAGE, base_url=HTTPS).get_data(as_text=True)
    assert "Only authors and reviewers can check the Google Drive set-up." in html
    assert "<form method=\"post\" action=\"/settings/drive\"" not in html
    assert FOLDER_ID not in html
    token = csrf_token_from(html)  # the sign-out form's
    response = client.post(PAGE, base_url=HTTPS, data={"csrf_token": token})
    assert response.status_code == 403
    assert not fake_drive.drive_requests()


def test_viewers_may_not_connect_or_disconnect(tmp_path: Path, fake_drive: FakeDrive,
                                               key_file: Path) -> None:
    client_file = tmp_path / "client.json"
    client_file.write_text('{"web": {}}')
    app = make_app(tmp_path, fake_drive, key_file, AUTH="password",
                   GOOGLE_OAUTH_CLIENT=str(client_file))
    app.extensions["hindsight.users"].add("val", role="viewer", password=PASSWORD, team="pay")
    client = signed_in(app, "val")
    html = client.get(PAGE, base_url=HTTPS).get_data(as_text=True)
    assert "Connect Google Drive" not in html and "Make the reports folder" not in html
    assert client.get("/settings/drive/connect", base_url=HTTPS).status_code == 403
    token = csrf_token_from(html)
    for action in ("/settings/drive/disconnect", "/settings/drive/folder"):
        assert client.post(action, base_url=HTTPS,
                           data={"csrf_token": token}).status_code == 403
    assert not fake_drive.requests
    app.extensions["hindsight.store"].engine.dispose()


def test_signed_out_people_are_sent_to_sign_in(password_app: Flask) -> None:
    response = password_app.test_client().get(PAGE, base_url=HTTPS)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# -- the command line ----------------------------------------------------------------------------


def test_the_command_prints_each_step(drive_app: Flask, fake_drive: FakeDrive, key_file: Path,
                                      caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    result = drive_app.test_cli_runner().invoke(args=["drive", "check"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("✓ Settings are filled in: Hindsight signs in as the service "
                               f"account in {key_file}; folder ID {FOLDER_ID}")
    assert f"✓ Sign-in details are complete: It is the key of the service account " \
           f"{SERVICE_ACCOUNT}." in lines[3]
    assert lines[-1] == "Every step passed: exports to Google Drive will work."
    assert fake_drive.files == {}
    assert_no_key_material(result.output + caplog.text, key_file)


def test_the_command_fails_with_the_fix(drive_app: Flask, fake_drive: FakeDrive,
                                        key_file: Path,
                                        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    fake_drive.fail(403, reason="insufficientFilePermissions", on="POST")
    result = drive_app.test_cli_runner().invoke(args=["drive", "check"])
    assert result.exit_code == 1
    assert "✗ Hindsight can add, update and remove a Doc in the folder: Hindsight can reach " \
           "the folder but is not allowed to add files to it." in result.output
    assert f"    What to do: Add {SERVICE_ACCOUNT} to the shared drive as a Content manager" \
        in result.output
    assert "The step “Hindsight can add, update and remove a Doc in the folder” failed." \
        in result.output
    assert_no_key_material(result.output + caplog.text, key_file)
