"""Every way of connecting Drive exports a Doc and a PDF into its folder and updates them in
place: a service account in a shared drive, a service account acting for a person (domain-wide
delegation), and a person's own account (connected on the settings page)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from google.auth import jwt

from app import create_app
from exporters.drive_index import INDEX_NAME
from exporters.gdrive import DOC_MIME, PDF_MIME
from reports.exchange import from_document
from tests import drive_fixtures
from tests.conftest import SAMPLE_DOCUMENT
from tests.drive_fixtures import (
    OAUTH_CLIENT_ID,
    PERSON,
    SERVICE_ACCOUNT,
    SERVICE_ACCOUNT_CLIENT_ID,
)
from tests.fake_drive import DRIVE, DRIVE_FILE, FakeDrive
from tests.test_drive_connect import consent, export, person_settings, post

drive_ca = drive_fixtures.drive_ca
signing_key = drive_fixtures.signing_key
trust_drive_ca = drive_fixtures.trust_drive_ca
fake_drive = drive_fixtures.fake_drive
key_file = drive_fixtures.key_file

SETTINGS = {"DRIVE_TIMEOUT": 2, "DRIVE_RETRIES": 1, "DRIVE_BACKOFF": 0.01,
            "BASE_URL": "http://localhost"}


@pytest.fixture
def apps(tmp_path: Path) -> Iterator[list[Flask]]:
    made: list[Flask] = []
    yield made
    for app in made:
        app.extensions["hindsight.store"].engine.dispose()


def start(apps: list[Flask], tmp_path: Path, **settings: Any) -> tuple[Flask, FlaskClient, int]:
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True,
                      **SETTINGS, **settings})
    apps.append(app)
    report_id = app.extensions["hindsight.store"].create(from_document(SAMPLE_DOCUMENT)).id
    return app, app.test_client(), report_id


def exported_twice(client: FlaskClient, report_id: int, fake: FakeDrive,
                   folder_id: str) -> dict[str, Any]:
    """Export the Doc and the PDF, then both again: one Doc and one PDF in the folder, each
    updated in place; the folder's index Doc beside them."""
    assert "is now in the team's Google Drive folder" in export(client, report_id, "gdoc")
    assert "The PDF is now in the team's Google Drive" in export(client, report_id, "pdf")
    first = {f.mime_type: f.id for f in fake.in_folder(folder_id) if f.name != INDEX_NAME}
    assert set(first) == {DOC_MIME, PDF_MIME}
    assert "its link is the same" in export(client, report_id, "gdoc")
    assert "its link is the same" in export(client, report_id, "pdf")
    files = {f.mime_type: f for f in fake.in_folder(folder_id) if f.name != INDEX_NAME}
    assert {kind: f.id for kind, f in files.items()} == first
    assert all(f.revisions == 2 for f in files.values())
    [index] = [f for f in fake.in_folder(folder_id) if f.name == INDEX_NAME]
    assert index.mime_type == DOC_MIME and index.revisions == 4  # made once, updated thrice
    return files


def token_claims(fake: FakeDrive) -> list[dict[str, Any]]:
    return [jwt.decode(r.form["assertion"], verify=False) for r in fake.requests
            if r.path == "/token" and "assertion" in r.form]


def test_a_service_account_in_a_shared_drive(apps: list[Flask], tmp_path: Path,
                                             fake_drive: FakeDrive, key_file: Path) -> None:
    # A folder a person made in the shared drive, the service account a Content manager of it:
    # with the drive scope, as the guide says for this way.
    fake_drive.add_folder("0ATeamFolder", app=None)
    _, client, report_id = start(apps, tmp_path, GOOGLE_CREDENTIALS=str(key_file),
                                 DRIVE_FOLDER_ID="0ATeamFolder", DRIVE_SCOPE="drive",
                                 DRIVE_API_ENDPOINT=fake_drive.url)
    files = exported_twice(client, report_id, fake_drive, "0ATeamFolder")
    assert all(f.owner is None and f.drive_id for f in files.values())  # the drive owns them
    assert {c.get("sub") for c in token_claims(fake_drive)} == {None}
    assert {c["scope"] for c in token_claims(fake_drive)} == {DRIVE}
    assert all(r.query.get("supportsAllDrives") == "true" for r in fake_drive.drive_requests()
               if r.path.startswith(("/drive/v3/files", "/upload/")))


def test_a_service_account_acting_for_a_person(apps: list[Flask], tmp_path: Path,
                                               fake_drive: FakeDrive, key_file: Path) -> None:
    fake_drive.grant_delegation(SERVICE_ACCOUNT_CLIENT_ID, DRIVE_FILE)
    _, client, report_id = start(apps, tmp_path, GOOGLE_CREDENTIALS=str(key_file),
                                 DRIVE_SUBJECT=PERSON, DRIVE_API_ENDPOINT=fake_drive.url)
    page = client.get("/settings/drive").get_data(as_text=True)
    assert "a service account acting for a person of your organisation" in page
    assert "Make the reports folder for me</button>" in page

    post(client, "/settings/drive/folder")

    [folder] = [f for f in fake_drive.folders.values()
                if f.app == fake_drive.sa_app(SERVICE_ACCOUNT)
                and f.id != drive_fixtures.FOLDER_ID]
    assert (folder.owner, folder.drive_id) == (PERSON, None)  # in the person's My Drive
    files = exported_twice(client, report_id, fake_drive, folder.id)
    assert all(f.owner == PERSON for f in files.values())  # the person's files, their storage
    assert {c.get("sub") for c in token_claims(fake_drive)} == {PERSON}


def test_delegation_with_an_existing_my_drive_folder(apps: list[Flask], tmp_path: Path,
                                                     fake_drive: FakeDrive,
                                                     key_file: Path) -> None:
    """A folder the person made in their My Drive, with the drive scope (granted by the admin
    for the client id): the files are theirs, so no storage refusal."""
    fake_drive.grant_delegation(SERVICE_ACCOUNT_CLIENT_ID, DRIVE)
    fake_drive.add_folder("0ADanasFolder", drive_id=None, owner=PERSON, app=None)
    _, client, report_id = start(apps, tmp_path, GOOGLE_CREDENTIALS=str(key_file),
                                 DRIVE_SUBJECT=PERSON, DRIVE_SCOPE="drive",
                                 DRIVE_FOLDER_ID="0ADanasFolder",
                                 DRIVE_API_ENDPOINT=fake_drive.url)
    files = exported_twice(client, report_id, fake_drive, "0ADanasFolder")
    assert all(f.owner == PERSON for f in files.values())


def test_the_same_my_drive_folder_refuses_the_service_account_alone(
        apps: list[Flask], tmp_path: Path, fake_drive: FakeDrive, key_file: Path) -> None:
    fake_drive.add_folder("0ADanasFolder", drive_id=None, owner=PERSON, app=None,
                          shared={SERVICE_ACCOUNT: "writer"})
    _, client, report_id = start(apps, tmp_path, GOOGLE_CREDENTIALS=str(key_file),
                                 DRIVE_SCOPE="drive", DRIVE_FOLDER_ID="0ADanasFolder",
                                 DRIVE_API_ENDPOINT=fake_drive.url)
    said = export(client, report_id, "gdoc")
    assert "the service account has no storage space of its own" in said
    assert "HINDSIGHT_DRIVE_SUBJECT" in said and "shared drive" in said
    assert not fake_drive.files


def test_a_persons_own_account(apps: list[Flask], tmp_path: Path, fake_drive: FakeDrive,
                               trust_drive_ca: Path) -> None:
    _, client, report_id = start(apps, tmp_path, **person_settings(fake_drive, tmp_path))
    consent(client, fake_drive, trust_drive_ca)
    post(client, "/settings/drive/folder")
    [folder] = [f for f in fake_drive.folders.values() if f.app == OAUTH_CLIENT_ID]
    files = exported_twice(client, report_id, fake_drive, folder.id)
    assert all(f.owner == PERSON for f in files.values())


# -- the set-up check's words appear when an export fails --------------------------------------


def test_delegation_not_granted_is_explained_on_export(apps: list[Flask], tmp_path: Path,
                                                       fake_drive: FakeDrive,
                                                       key_file: Path) -> None:
    fake_drive.add_folder("0ADanasFolder", drive_id=None, owner=PERSON, app=None)
    _, client, report_id = start(apps, tmp_path, GOOGLE_CREDENTIALS=str(key_file),
                                 DRIVE_SUBJECT=PERSON, DRIVE_SCOPE="drive",
                                 DRIVE_FOLDER_ID="0ADanasFolder",
                                 DRIVE_API_ENDPOINT=fake_drive.url)
    said = export(client, report_id, "gdoc")
    assert f"Google did not let the service account act for {PERSON}" in said
    assert SERVICE_ACCOUNT_CLIENT_ID in said and DRIVE in said
    assert "Manage domain-wide delegation" in said
    assert not fake_drive.files


def test_not_a_member_of_the_shared_drive_is_explained_on_export(
        apps: list[Flask], tmp_path: Path, fake_drive: FakeDrive, key_file: Path) -> None:
    fake_drive.add_shared_drive("0AFinance", "Finance", members={PERSON: "organizer"})
    fake_drive.add_folder("0AFinanceReports", drive_id="0AFinance", app=None)
    _, client, report_id = start(apps, tmp_path, GOOGLE_CREDENTIALS=str(key_file),
                                 DRIVE_SCOPE="drive", DRIVE_FOLDER_ID="0AFinanceReports",
                                 DRIVE_API_ENDPOINT=fake_drive.url)
    said = export(client, report_id, "gdoc")
    assert "cannot see the Google Drive folder it is set to use (0AFinanceReports)" in said
    assert "add it as a member of the shared drive" in said
    assert not fake_drive.files
