"""The Google Drive set-up check against the fake Drive, over HTTPS, through the real Google
libraries: each way the set-up can be wrong, the step that catches it, its words and its fix."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import pytest

from exporters import drive_check
from exporters.drive_auth import StoredPerson
from exporters.drive_check import (
    NOT_TRIED,
    STEPS,
    TEST_FILE_NAME,
    StepResult,
    Stored,
    check_drive,
    folder_id_from_address,
    passed,
)
from exporters.gdrive import KEY_PROPERTY, MARK, MARK_PROPERTY
from tests import drive_fixtures
from tests.drive_fixtures import (
    FOLDER_ID,
    OAUTH_CLIENT_ID,
    PERSON,
    SERVICE_ACCOUNT,
    SERVICE_ACCOUNT_CLIENT_ID,
    write_oauth_client,
)
from tests.fake_drive import (
    DEFAULT_DRIVE,
    DOC_MIME,
    DRIVE,
    DRIVE_FILE,
    FakeDrive,
    RefreshGrant,
    StoredFile,
    _parse_related,
)

drive_ca = drive_fixtures.drive_ca
signing_key = drive_fixtures.signing_key
trust_drive_ca = drive_fixtures.trust_drive_ca
fake_drive = drive_fixtures.fake_drive
key_file = drive_fixtures.key_file

SHARE_FIX = f"Add {SERVICE_ACCOUNT} to the shared drive as a Content manager"


def settings(fake: FakeDrive, key: Path, **changes: Any) -> dict[str, Any]:
    return {"DRIVE_FOLDER_ID": FOLDER_ID, "GOOGLE_CREDENTIALS": str(key),
            "DRIVE_API_ENDPOINT": fake.url, "DRIVE_TIMEOUT": 2, **changes}


def run(config: dict[str, Any], stored: Stored | None = None) -> list[StepResult]:
    return check_drive(config, stored, sleep=lambda _: None)


def key_material(key: Path) -> list[str]:
    """Strings from the key file that must never be shown or logged."""
    info = json.loads(key.read_text())
    pem_lines = [line for line in info["private_key"].splitlines() if len(line) > 40]
    return [info["private_key"], info["private_key_id"], "PRIVATE KEY", *pem_lines]


def assert_no_key_material(text: str, key: Path) -> None:
    for secret in key_material(key):
        assert secret not in text


def failed_at(results: list[StepResult], name: str) -> StepResult:
    """The one failed step is ``name``; those before passed, those after were not tried."""
    assert [r.name for r in results] == [name for name, _ in STEPS]
    index = [r.name for r in results].index(name)
    assert all(r.ok for r in results[:index]), results[:index]
    failed = results[index]
    assert failed.state == "failed" and failed.message and failed.fix
    for later in results[index + 1:]:
        assert later.state == "not_tried" and later.message == NOT_TRIED
    return failed


def test_a_good_set_up_passes_every_step_and_leaves_no_file(
        fake_drive: FakeDrive, key_file: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    results = run(settings(fake_drive, key_file))

    assert passed(results), results
    by_name = {r.name: r for r in results}
    assert SERVICE_ACCOUNT in by_name["key_valid"].message
    assert "Incident reports" in by_name["folder_visible"].message
    assert "found it again by its key, updated it and deleted it again" in (
        by_name["folder_writable"].message)
    # The export path: look up by key, create a Doc from HTML with Hindsight's properties,
    # look it up by key again and update it, then delete it: nothing is left.
    requests = fake_drive.drive_requests()
    doc_id = requests[4].path.rsplit("/", 1)[1]
    assert [f"{r.method} {r.path}" for r in requests] == [
        f"GET /drive/v3/files/{FOLDER_ID}", "GET /drive/v3/files",
        "POST /upload/drive/v3/files", "GET /drive/v3/files",
        f"PATCH /upload/drive/v3/files/{doc_id}", f"GET /drive/v3/files/{doc_id}",
        f"DELETE /drive/v3/files/{doc_id}"]
    created = requests[2]
    assert json.dumps(TEST_FILE_NAME).encode() in created.body
    assert FOLDER_ID.encode() in created.body and DOC_MIME.encode() in created.body
    metadata, _, media_type = _parse_related(created.headers["content-type"], created.body)
    assert media_type == "text/html"
    key = metadata["appProperties"]
    assert key[MARK_PROPERTY] == MARK and key[KEY_PROPERTY].startswith("hindsight:check:")
    assert f"value='{key[KEY_PROPERTY]}'" in requests[3].query["q"]
    assert fake_drive.files == {}
    assert_no_key_material(repr(results) + caplog.text, key_file)


def test_a_key_others_can_read_gets_a_tip(fake_drive: FakeDrive, key_file: Path) -> None:
    key_file.chmod(0o644)
    readable = run(settings(fake_drive, key_file))[1]
    assert readable.ok and "chmod 600" in readable.fix
    key_file.chmod(0o600)
    assert run(settings(fake_drive, key_file))[1].fix == ""


def test_nothing_set_up() -> None:
    failed = failed_at(run({}), "configured")
    assert "HINDSIGHT_DRIVE_FOLDER_ID and HINDSIGHT_GOOGLE_CREDENTIALS are not set" in (
        failed.message)
    assert "docs/google-drive.md" in failed.fix
    for way in ("a person's Google account", "acting for a person", "in a shared drive"):
        assert way in failed.fix
    # Organisations that block service-account keys are told the way without one.
    assert "key creation is disabled by an organisation policy" in failed.fix


def test_a_pasted_web_address_instead_of_the_folder_id(tmp_path: Path) -> None:
    address = f"https://drive.google.com/drive/folders/{FOLDER_ID}?usp=sharing"
    failed = failed_at(run({"DRIVE_FOLDER_ID": address,
                            "GOOGLE_CREDENTIALS": str(tmp_path / "k.json")}), "configured")
    assert "web address" in failed.message
    assert f"just the ID, {FOLDER_ID}" in failed.fix
    assert folder_id_from_address("https://drive.google.com/open?id=abc_1-2") == "abc_1-2"


def test_a_bad_endpoint_a_bad_number_and_a_missing_ca_file(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    config = {"DRIVE_FOLDER_ID": FOLDER_ID, "GOOGLE_CREDENTIALS": str(tmp_path / "k.json")}
    failed = failed_at(run({**config, "DRIVE_API_ENDPOINT": "drive.example"}), "configured")
    assert "HINDSIGHT_DRIVE_API_ENDPOINT" in failed.message
    failed = failed_at(run({**config, "DRIVE_RETRIES": "three"}), "configured")
    assert "HINDSIGHT_DRIVE_RETRIES" in failed.message and "not a number" in failed.message
    monkeypatch.setenv("HTTPLIB2_CA_CERTS", str(tmp_path / "no-such-ca.pem"))
    failed = failed_at(run(config), "configured")
    assert "HTTPLIB2_CA_CERTS names a file that does not exist" in failed.message


def test_no_key_file_there(fake_drive: FakeDrive, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.json"
    failed = failed_at(run(settings(fake_drive, missing)), "key_readable")
    assert failed.message == f"There is no file at {missing}."
    assert "HINDSIGHT_GOOGLE_CREDENTIALS" in failed.fix
    assert not fake_drive.requests
    failed = failed_at(run(settings(fake_drive, tmp_path)), "key_readable")
    assert "is a folder, not a file" in failed.message


def test_a_key_file_hindsight_may_not_read(fake_drive: FakeDrive, key_file: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    key_file.chmod(0)
    if os.geteuid() == 0:  # root reads every file: refuse it as the file system would
        def refuse(*args: Any, **kwargs: Any) -> Any:
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(drive_check, "open", refuse, raising=False)
    failed = failed_at(run(settings(fake_drive, key_file)), "key_readable")
    assert "is not allowed to read" in failed.message and "chmod 600" in failed.fix


@pytest.mark.parametrize(("content", "words"), [
    ("", "is empty"),
    ("not json", "is not a JSON file"),
    (json.dumps({"installed": {"client_id": "x"}}), "an OAuth client file"),
    (json.dumps({"type": "authorized_user"}), "a person's saved sign-in"),
    (json.dumps({"type": "service_account", "client_email": SERVICE_ACCOUNT,
                 "token_uri": "https://oauth2.googleapis.com/token"}), "has no private_key"),
])
def test_a_file_that_is_not_a_service_account_key(fake_drive: FakeDrive, tmp_path: Path,
                                                  content: str, words: str) -> None:
    path = tmp_path / "key.json"
    path.write_text(content)
    step = "key_readable" if not content else "key_valid"
    failed = failed_at(run(settings(fake_drive, path)), step)
    assert words in failed.message
    assert "Create new key → JSON" in failed.fix
    assert not fake_drive.requests


def test_a_damaged_private_key(fake_drive: FakeDrive, key_file: Path) -> None:
    info = json.loads(key_file.read_text())
    info["private_key"] = info["private_key"].replace("\n", "\n!", 3)
    key_file.write_text(json.dumps(info))
    failed = failed_at(run(settings(fake_drive, key_file)), "key_valid")
    assert "private key" in failed.message and "damaged" in failed.message
    assert_no_key_material(repr(failed), key_file)


@pytest.mark.parametrize("refusal", ["invalid_grant", "401"])
def test_a_revoked_key(fake_drive: FakeDrive, key_file: Path, refusal: str) -> None:
    if refusal == "invalid_grant":
        fake_drive.token_refusal = "Invalid JWT Signature."
    else:
        fake_drive.token_status, fake_drive.token_error = 401, "invalid_client"
    failed = failed_at(run(settings(fake_drive, key_file)), "token")
    assert "Google refused the key" in failed.message and "revoked" in failed.message
    assert f"Make a new key for {SERVICE_ACCOUNT}" in failed.fix
    assert str(key_file) in failed.fix
    assert not fake_drive.drive_requests()


def test_a_network_that_inspects_secure_traffic(fake_drive: FakeDrive, key_file: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HTTPLIB2_CA_CERTS")
    failed = failed_at(run(settings(fake_drive, key_file)), "token")
    assert "certificate" in failed.message and "company TLS proxy" in failed.message
    assert "set HTTPLIB2_CA_CERTS" in failed.fix and "it is not set now" in failed.fix
    assert "Do not turn certificate checks off" in failed.fix


def test_google_cannot_be_reached(fake_drive: FakeDrive, key_file: Path) -> None:
    # The sign-in goes to the fake; Drive's address has nobody listening.
    failed = failed_at(run(settings(fake_drive, key_file,
                                    DRIVE_API_ENDPOINT="https://127.0.0.1:9")), "folder_visible")
    assert failed.message == "Hindsight could not reach Google Drive (127.0.0.1:9)."
    assert "curl -I https://127.0.0.1:9/" in failed.fix
    assert "HTTPS_PROXY" in failed.fix and "HTTPLIB2_CA_CERTS" in failed.fix


def test_a_folder_that_is_not_there_or_not_shared(fake_drive: FakeDrive,
                                                  key_file: Path) -> None:
    failed = failed_at(run(settings(fake_drive, key_file, DRIVE_FOLDER_ID="0ANotShared",
                                    DRIVE_SCOPE="drive")), "folder_visible")
    assert "no folder with the ID 0ANotShared" in failed.message
    assert failed.fix.startswith(SHARE_FIX)
    assert "after “folders/”" in failed.fix
    assert not fake_drive.files


def test_a_folder_someone_else_made_under_drive_file(fake_drive: FakeDrive,
                                                     key_file: Path) -> None:
    """about-auth: the default scope reaches only what Hindsight made (404 for the rest)."""
    fake_drive.add_folder("0AMadeByAPerson", app=None)
    failed = failed_at(run(settings(fake_drive, key_file, DRIVE_FOLDER_ID="0AMadeByAPerson")),
                       "folder_visible")
    assert "only for the files it makes itself" in failed.message
    assert "HINDSIGHT_DRIVE_SCOPE=drive" in failed.fix
    assert passed(run(settings(fake_drive, key_file, DRIVE_FOLDER_ID="0AMadeByAPerson",
                               DRIVE_SCOPE="drive")))


def test_not_a_member_of_the_shared_drive(fake_drive: FakeDrive, key_file: Path) -> None:
    fake_drive.add_shared_drive("0AOtherDrive", "Finance", members={"ann@example.org": "organizer"})
    fake_drive.add_folder("0AFinanceFolder", drive_id="0AOtherDrive", app=None)
    failed = failed_at(run(settings(fake_drive, key_file, DRIVE_FOLDER_ID="0AFinanceFolder",
                                    DRIVE_SCOPE="drive")), "folder_visible")
    assert "no folder with the ID 0AFinanceFolder" in failed.message
    assert failed.fix.startswith(SHARE_FIX)
    # The same words Drive's own refusal for non-members gets.
    fake_drive.fail(403, reason="teamDriveMembershipRequired", on="POST")
    failed = failed_at(run(settings(fake_drive, key_file)), "folder_writable")
    assert "is not a member of the shared drive" in failed.message
    assert "Content manager" in failed.fix


def test_a_my_drive_folder_gives_a_service_account_no_storage(fake_drive: FakeDrive,
                                                              key_file: Path) -> None:
    """The 403 storageQuotaExceeded a service account gets for files in a My Drive."""
    fake_drive.add_folder("0AMyDriveFolder", drive_id=None, owner=PERSON, app=None,
                          shared={SERVICE_ACCOUNT: "writer"})
    failed = failed_at(run(settings(fake_drive, key_file, DRIVE_FOLDER_ID="0AMyDriveFolder",
                                    DRIVE_SCOPE="drive")), "folder_writable")
    assert "no storage space" in failed.message
    for way in ("Use a folder in a shared drive", "HINDSIGHT_DRIVE_SUBJECT",
                "connect a person's Google account"):
        assert way in failed.fix
    assert fake_drive.files == {}


# -- a service account acting for a person (domain-wide delegation) ----------------------------


def test_delegation_not_granted_names_the_client_id_and_scope(fake_drive: FakeDrive,
                                                              key_file: Path) -> None:
    failed = failed_at(run(settings(fake_drive, key_file, DRIVE_SUBJECT=PERSON)), "token")
    assert f"did not let the service account act for {PERSON}" in failed.message
    assert SERVICE_ACCOUNT_CLIENT_ID in failed.fix and DRIVE_FILE in failed.fix
    assert "Manage domain-wide delegation" in failed.fix
    fake_drive.grant_delegation(SERVICE_ACCOUNT_CLIENT_ID, DRIVE)  # another scope than asked
    assert failed_at(run(settings(fake_drive, key_file, DRIVE_SUBJECT=PERSON)), "token")


def test_delegation_for_someone_google_does_not_know(fake_drive: FakeDrive,
                                                     key_file: Path) -> None:
    fake_drive.grant_delegation(SERVICE_ACCOUNT_CLIENT_ID, DRIVE_FILE)
    failed = failed_at(run(settings(fake_drive, key_file, DRIVE_SUBJECT="gone@example.org")),
                       "token")
    assert "does not know the person gone@example.org" in failed.message


def test_delegation_writes_into_the_persons_my_drive(fake_drive: FakeDrive,
                                                     key_file: Path) -> None:
    fake_drive.grant_delegation(SERVICE_ACCOUNT_CLIENT_ID, DRIVE_FILE)
    made = fake_drive.add_folder("0AMadeForDana", drive_id=None, owner=PERSON,
                                 app=fake_drive.sa_app(SERVICE_ACCOUNT))
    config = settings(fake_drive, key_file, DRIVE_SUBJECT=PERSON, DRIVE_FOLDER_ID=None)
    results = run(config, Stored(made_folder=made.id))
    assert passed(results), results
    assert f"acting for {PERSON}" in results[0].message
    assert SERVICE_ACCOUNT_CLIENT_ID in results[2].message
    assert fake_drive.files == {}
    # Without a folder Hindsight made, the check says how to get one.
    failed = failed_at(run(config), "configured")
    assert "Make the reports folder for me" in failed.fix


# -- a person's own Google account -----------------------------------------------------------


def person_config(fake: FakeDrive, tmp_path: Path) -> dict[str, Any]:
    client = write_oauth_client(tmp_path / "client.json", fake,
                                ["http://localhost:5000/settings/drive/oauth/callback"])
    return {"GOOGLE_OAUTH_CLIENT": str(client), "DRIVE_API_ENDPOINT": fake.url,
            "DRIVE_TIMEOUT": 2}


def connected(fake: FakeDrive) -> StoredPerson:
    fake.refresh_tokens["1//dana"] = RefreshGrant(OAUTH_CLIENT_ID, PERSON, DRIVE_FILE)
    return StoredPerson(PERSON, "1//dana", "Dana Lee")


def test_a_persons_account_with_the_folder_hindsight_made(fake_drive: FakeDrive,
                                                          tmp_path: Path) -> None:
    folder = fake_drive.add_folder("0ADanasReports", drive_id=None, owner=PERSON,
                                   app=OAUTH_CLIENT_ID)
    results = run(person_config(fake_drive, tmp_path),
                  Stored(person=connected(fake_drive), made_folder=folder.id))
    assert passed(results), results
    assert "a person's Google account" in results[0].message
    assert f"Connected to the Google account {PERSON}" in results[2].message
    assert "1//dana" not in repr(results)
    assert fake_drive.files == {}


def test_a_revoked_connection_says_connect_again(fake_drive: FakeDrive, tmp_path: Path) -> None:
    folder = fake_drive.add_folder("0ADanasReports", drive_id=None, owner=PERSON,
                                   app=OAUTH_CLIENT_ID)
    person = connected(fake_drive)
    fake_drive.revoke_person(PERSON)
    failed = failed_at(run(person_config(fake_drive, tmp_path),
                           Stored(person=person, made_folder=folder.id)), "token")
    assert "has been revoked or has expired" in failed.message
    assert "Connect Google Drive again" in failed.fix


def test_a_connection_the_secret_key_no_longer_opens(fake_drive: FakeDrive,
                                                     tmp_path: Path) -> None:
    failed = failed_at(run(person_config(fake_drive, tmp_path),
                           Stored(person_unreadable=True, made_folder="0ADanasReports")),
                       "key_readable")
    assert "secret key has changed" in failed.message
    assert "Connect Google Drive" in failed.fix


def test_a_persons_folder_made_in_drive_is_hidden_under_drive_file(fake_drive: FakeDrive,
                                                                   tmp_path: Path) -> None:
    fake_drive.add_folder("0ADanasOwnFolder", drive_id=None, owner=PERSON, app=None)
    config = {**person_config(fake_drive, tmp_path), "DRIVE_FOLDER_ID": "0ADanasOwnFolder"}
    failed = failed_at(run(config, Stored(person=connected(fake_drive))), "folder_visible")
    assert "Make the reports folder for me" in failed.fix
    assert "HINDSIGHT_DRIVE_SCOPE=drive" in failed.fix


def test_connect_is_offered_when_only_the_client_is_set(fake_drive: FakeDrive,
                                                        tmp_path: Path) -> None:
    failed = failed_at(run(person_config(fake_drive, tmp_path)), "configured")
    assert "No Google account is connected yet" in failed.message
    assert "Connect Google Drive" in failed.fix


def test_an_id_of_a_file_not_a_folder(fake_drive: FakeDrive, key_file: Path) -> None:
    fake_drive.files["doc1"] = StoredFile("doc1", "Meeting notes", DOC_MIME, [FOLDER_ID],
                                          drive_id=DEFAULT_DRIVE,
                                          app=fake_drive.sa_app(SERVICE_ACCOUNT))
    failed = failed_at(run(settings(fake_drive, key_file, DRIVE_FOLDER_ID="doc1")),
                       "folder_visible")
    assert failed.message == "The ID doc1 belongs to a file, not a folder: “Meeting notes”."
    assert "after “folders/”" in failed.fix
    assert list(fake_drive.files) == ["doc1"]


def test_the_drive_api_turned_off(fake_drive: FakeDrive, key_file: Path) -> None:
    fake_drive.fail(403, reason="accessNotConfigured", on="GET")
    failed = failed_at(run(settings(fake_drive, key_file)), "folder_visible")
    assert "Google Drive API is turned off" in failed.message
    assert "click Enable" in failed.fix


def test_a_folder_shared_as_viewer_only(fake_drive: FakeDrive, key_file: Path) -> None:
    fake_drive.fail(403, reason="insufficientFilePermissions", on="POST")
    failed = failed_at(run(settings(fake_drive, key_file)), "folder_writable")
    assert "not allowed to add files" in failed.message
    assert failed.fix.startswith(SHARE_FIX) and "Viewer or Commenter is not enough" in failed.fix
    assert not fake_drive.files


def test_no_storage_for_the_service_account(fake_drive: FakeDrive, key_file: Path) -> None:
    fake_drive.fail(403, reason="quotaExceeded", on="POST")
    failed = failed_at(run(settings(fake_drive, key_file)), "folder_writable")
    assert "no storage space" in failed.message
    assert "Use a folder in a shared drive" in failed.fix


def test_drive_having_problems(fake_drive: FakeDrive, key_file: Path) -> None:
    fake_drive.fail(503, times=5)
    failed = failed_at(run(settings(fake_drive, key_file)), "folder_visible")
    assert failed.message == "Google Drive is having problems right now."
    assert len(fake_drive.drive_requests()) == 2  # one try and one retry: someone is waiting


def test_google_hides_the_folder_but_takes_files(fake_drive: FakeDrive, key_file: Path) -> None:
    """With the drive.file scope Google may not describe a shared folder, yet accept files."""
    fake_drive.fail(404, reason="notFound", on="GET")
    results = run(settings(fake_drive, key_file))
    assert passed(results), results
    assert "does not show Hindsight the folder's details" in results[4].message
    assert "deleted it again" in results[5].message
    assert fake_drive.files == {}


def test_deleting_refused_moves_the_test_file_to_the_bin(fake_drive: FakeDrive,
                                                         key_file: Path) -> None:
    fake_drive.fail(403, reason="insufficientFilePermissions", on="DELETE")
    results = run(settings(fake_drive, key_file))
    assert passed(results)
    assert "moved it to the bin" in results[-1].message and not results[-1].fix
    [left] = fake_drive.files.values()
    assert left.name == TEST_FILE_NAME and left.trashed and left.parents == [FOLDER_ID]


def test_a_test_file_that_cannot_be_removed_is_reported(fake_drive: FakeDrive,
                                                        key_file: Path) -> None:
    fake_drive.fail(403, reason="insufficientFilePermissions", on="DELETE")
    fake_drive.fail(403, reason="insufficientFilePermissions", on="PATCH")
    results = run(settings(fake_drive, key_file))
    assert passed(results)  # exports will work: they never delete
    assert "could not remove the Doc" in results[-1].message
    assert results[-1].fix == f"Delete “{TEST_FILE_NAME}” from the folder yourself."
    [left] = fake_drive.files.values()
    assert not left.trashed
