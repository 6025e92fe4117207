"""Connecting a person's Google account: Google's consent flow for web apps against the fake
Google (state, PKCE, the code exchanged, the refresh token kept encrypted), "Make the reports
folder for me", exports into that folder, and Disconnect revoking the connection."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import requests
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from exporters.drive_index import INDEX_NAME
from exporters.gdrive import DOC_MIME, PDF_MIME
from reports.drive_connection import DriveConnections
from reports.exchange import from_document
from tests import drive_fixtures
from tests.conftest import SAMPLE_DOCUMENT, csrf_token_from
from tests.drive_fixtures import (
    OAUTH_CLIENT_ID,
    OTHER_PERSON,
    PERSON,
    PERSON_NAME,
    write_oauth_client,
)
from tests.fake_drive import DRIVE_FILE, FakeDrive

drive_ca = drive_fixtures.drive_ca
signing_key = drive_fixtures.signing_key
trust_drive_ca = drive_fixtures.trust_drive_ca
fake_drive = drive_fixtures.fake_drive

BASE = "http://localhost"
CALLBACK = f"{BASE}/settings/drive/oauth/callback"
PAGE = "/settings/drive"


def notices(body: str) -> str:
    found = re.findall(r'<div class="notice[^"]*"[^>]*>(.*?)</div>', body, re.S)
    return re.sub(r"\s+", " ", " ".join(re.sub(r"<[^>]+>", " ", html.unescape(part))
                                         for part in found))


def person_settings(fake: FakeDrive, tmp_path: Path) -> dict[str, Any]:
    client_file = write_oauth_client(tmp_path / "oauth-client.json", fake, [CALLBACK])
    return {"GOOGLE_OAUTH_CLIENT": str(client_file), "DRIVE_API_ENDPOINT": fake.url,
            "DRIVE_TIMEOUT": 2, "DRIVE_RETRIES": 1, "DRIVE_BACKOFF": 0.01, "BASE_URL": BASE,
            "SECRET_KEY": "the-first-secret-key-of-this-hindsight"}


def make_app(tmp_path: Path, settings: dict[str, Any]) -> Flask:
    return create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True,
                       **settings})


@pytest.fixture
def person_app(tmp_path: Path, fake_drive: FakeDrive) -> Iterator[Flask]:
    app = make_app(tmp_path, person_settings(fake_drive, tmp_path))
    yield app
    app.extensions["hindsight.store"].engine.dispose()


def google(url: str, ca: Path) -> requests.Response:
    """The browser at Google's (the fake's) pages: no redirect followed."""
    return requests.get(url, verify=str(ca), allow_redirects=False, timeout=5)


def consent(client: FlaskClient, fake: FakeDrive, ca: Path, *, account: str = PERSON,
            deny: bool = False) -> str:
    """Click "Connect Google Drive", choose the account (or cancel) on Google's page, come back;
    the settings page as it is then shown."""
    start = client.get("/settings/drive/connect")
    assert start.status_code == 303
    page = google(start.headers["Location"], ca)
    assert page.status_code == 200, page.text
    if deny:
        link = re.search(r'href="([^"]*deny=1[^"]*)"', page.text)
    else:
        link = re.search(rf'href="([^"]*account={re.escape(quote(account, safe=""))}[^"]*)"',
                         page.text)
    assert link, page.text
    back = google(fake.url + html.unescape(link[1]), ca)
    assert back.status_code == 302
    location = urlsplit(back.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == CALLBACK
    done = client.get(f"{location.path}?{location.query}")
    assert done.status_code == 303 and done.headers["Location"].endswith(PAGE)
    return client.get(PAGE).get_data(as_text=True)


def post(client: FlaskClient, url: str, data: dict[str, str] | None = None) -> str:
    token = csrf_token_from(client.get(PAGE).get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token, **(data or {})})
    assert response.status_code == 303, response.status_code
    return client.get(response.headers["Location"]).get_data(as_text=True)


def export(client: FlaskClient, report_id: int, fmt: str) -> str:
    token = csrf_token_from(client.get(f"/reports/{report_id}").get_data(as_text=True))
    response = client.post(f"/reports/{report_id}/export/{fmt}", data={"csrf_token": token})
    assert response.status_code == 303
    return notices(client.get(response.headers["Location"]).get_data(as_text=True))


def the_folder(fake: FakeDrive) -> Any:
    [folder] = [f for f in fake.folders.values() if f.app == OAUTH_CLIENT_ID]
    return folder


def test_connect_make_the_folder_export_and_disconnect(
        person_app: Flask, fake_drive: FakeDrive, trust_drive_ca: Path) -> None:
    client = person_app.test_client()
    before = client.get(PAGE).get_data(as_text=True)
    assert 'href="/settings/drive/connect">Connect Google Drive</a>' in before
    assert CALLBACK in before  # the address to register with the OAuth client

    page = consent(client, fake_drive, trust_drive_ca)

    # Google was asked as its web-server guide says: a code, offline, with state and PKCE.
    [asked] = fake_drive.consents
    assert asked["client_id"] == OAUTH_CLIENT_ID and asked["redirect_uri"] == CALLBACK
    assert asked["response_type"] == "code" and asked["scope"] == DRIVE_FILE
    assert asked["access_type"] == "offline" and asked["prompt"] == "consent"
    assert asked["code_challenge_method"] == "S256" and len(asked["code_challenge"]) == 43
    assert len(asked["state"]) >= 32
    exchange = next(r for r in fake_drive.requests
                    if r.path == "/token" and "code" in r.form)
    assert 43 <= len(exchange.form["code_verifier"]) <= 128  # the fake checked it matches
    said = notices(page)
    assert f"Google Drive is connected: Hindsight now puts reports in the Google Drive of " \
           f"{PERSON_NAME} ({PERSON})." in said
    assert "Make the reports folder for me" in said and ">Disconnect</button>" in page

    # The refresh token is kept encrypted: not in the database as it is, readable with the
    # app's key only.
    [refresh] = list(fake_drive.refresh_tokens)
    engine = person_app.extensions["hindsight.store"].engine
    with engine.connect() as connection:
        stored = connection.execute(sa.text("SELECT secret FROM drive_connections")).scalar()
    assert stored and refresh not in stored
    assert DriveConnections(engine, "the-first-secret-key-of-this-hindsight").person(
        ).refresh_token == refresh
    assert DriveConnections(engine, "another key").person().unreadable

    page = post(client, "/settings/drive/folder")
    folder = the_folder(fake_drive)
    assert (folder.name, folder.owner, folder.drive_id) == ("Incident reports", PERSON, None)
    assert "Hindsight made the folder “Incident reports” in the Google Drive of" in notices(page)
    assert f'href="https://drive.google.com/drive/folders/{folder.id}"' in page
    assert "Make the reports folder for me</button>" not in page

    report_id = person_app.extensions["hindsight.store"].create(
        from_document(SAMPLE_DOCUMENT)).id
    assert "is now in the team's Google Drive folder" in export(client, report_id, "gdoc")
    assert "The PDF is now in the team's Google Drive" in export(client, report_id, "pdf")
    files = {f.mime_type: f for f in fake_drive.in_folder(folder.id) if f.name != INDEX_NAME}
    assert set(files) == {DOC_MIME, PDF_MIME}
    assert all(f.owner == PERSON and f.app == OAUTH_CLIENT_ID for f in files.values())
    export(client, report_id, "gdoc")
    export(client, report_id, "pdf")
    again = {f.mime_type: f for f in fake_drive.in_folder(folder.id) if f.name != INDEX_NAME}
    assert {k: f.id for k, f in again.items()} == {k: f.id for k, f in files.items()}
    assert all(f.revisions == 2 for f in again.values())

    page = post(client, "/settings/drive/disconnect")
    assert "Google Drive is disconnected" in notices(page)
    assert fake_drive.refresh_tokens[refresh].revoked
    revocation = next(r for r in fake_drive.requests if r.path == "/revoke")
    assert revocation.form["token"] == refresh
    assert 'Connect Google Drive</a>' in page
    assert "Export to Google Drive is not set up on this Hindsight" in export(
        client, report_id, "gdoc")


def test_an_answer_that_is_not_for_this_browser_is_refused(
        person_app: Flask, fake_drive: FakeDrive, trust_drive_ca: Path) -> None:
    client = person_app.test_client()
    start = client.get("/settings/drive/connect")
    state = parse_qs(urlsplit(start.headers["Location"]).query)["state"][0]
    # Someone else's code, or a forged state: nothing is exchanged, nothing kept.
    for query in (f"code=4/forged&state={state}x", "code=4/forged&state="):
        client.get("/settings/drive/connect")
        client.get(f"/settings/drive/oauth/callback?{query}")
        assert "does not belong to a “Connect Google Drive” started in this browser" in (
            notices(client.get(PAGE).get_data(as_text=True)))
    stranger = person_app.test_client()  # never clicked Connect
    stranger.get(f"/settings/drive/oauth/callback?code=4/x&state={state}")
    assert "does not belong" in notices(stranger.get(PAGE).get_data(as_text=True))
    assert not [r for r in fake_drive.requests if r.path == "/token"]
    assert DriveConnections(person_app.extensions["hindsight.store"].engine,
                            person_app.config["SECRET_KEY"]).person() is None


def test_saying_no_on_googles_page(person_app: Flask, fake_drive: FakeDrive,
                                   trust_drive_ca: Path) -> None:
    page = consent(person_app.test_client(), fake_drive, trust_drive_ca, deny=True)
    assert "Google Drive is not connected: the permission was not given" in notices(page)
    assert not fake_drive.refresh_tokens


def test_unticking_the_drive_permission(person_app: Flask, fake_drive: FakeDrive,
                                        trust_drive_ca: Path) -> None:
    fake_drive.consent_grants = set()  # granular consent: the box left unticked
    page = consent(person_app.test_client(), fake_drive, trust_drive_ca)
    said = notices(page)
    assert "You did not allow Hindsight to use Google Drive, so it is not connected." in said
    assert "tick the box" in said
    assert "Disconnect</button>" not in page


def test_a_connection_revoked_at_google_is_explained_on_export(
        person_app: Flask, fake_drive: FakeDrive, trust_drive_ca: Path) -> None:
    client = person_app.test_client()
    consent(client, fake_drive, trust_drive_ca)
    post(client, "/settings/drive/folder")
    report_id = person_app.extensions["hindsight.store"].create(
        from_document(SAMPLE_DOCUMENT)).id
    fake_drive.revoke_person(PERSON)  # removed from myaccount.google.com, or expired
    said = export(client, report_id, "gdoc")
    assert f"The connection to {PERSON}'s Google Drive has been revoked or has expired." in said
    assert "Connect Google Drive again" in said
    assert "Your report has not changed." in said


def test_another_account_starts_afresh(person_app: Flask, fake_drive: FakeDrive,
                                       trust_drive_ca: Path) -> None:
    client = person_app.test_client()
    consent(client, fake_drive, trust_drive_ca)
    post(client, "/settings/drive/folder")
    [first_token] = list(fake_drive.refresh_tokens)
    page = consent(client, fake_drive, trust_drive_ca, account=OTHER_PERSON)
    assert f"Google Drive of Sam Ortiz ({OTHER_PERSON})" in notices(page)
    assert "Make the reports folder for me</button>" in page  # Dana's folder is not Sam's
    assert fake_drive.refresh_tokens[first_token].revoked  # one connection at a time


def test_a_new_secret_key_asks_to_connect_again(tmp_path: Path, fake_drive: FakeDrive,
                                                trust_drive_ca: Path) -> None:
    settings = person_settings(fake_drive, tmp_path)
    app = make_app(tmp_path, settings)
    client = app.test_client()
    consent(client, fake_drive, trust_drive_ca)
    post(client, "/settings/drive/folder")
    app.extensions["hindsight.store"].engine.dispose()

    moved = make_app(tmp_path, {**settings, "SECRET_KEY": "a-new-secret-key"})
    client = moved.test_client()
    page = client.get(PAGE).get_data(as_text=True)
    assert "its secret key has changed since the account was connected" in html.unescape(page)
    report_id = moved.extensions["hindsight.store"].create(from_document(SAMPLE_DOCUMENT)).id
    assert "connect Google Drive again" in export(client, report_id, "gdoc")
    moved.extensions["hindsight.store"].engine.dispose()


def test_connecting_is_not_offered_without_an_oauth_client(app: Flask) -> None:
    client = app.test_client()
    page = client.get(PAGE).get_data(as_text=True)
    assert "Connect Google Drive</a>" not in page
    assert "HINDSIGHT_GOOGLE_OAUTH_CLIENT" in page
    response = client.get("/settings/drive/connect")
    assert response.status_code == 303
    assert "Connecting a Google account is not set up" in notices(
        client.get(PAGE).get_data(as_text=True))
