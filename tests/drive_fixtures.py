"""Fixtures for Drive tests: a test CA the app trusts, a service-account key, the fake Drive,
an OAuth web client registered with it, and the people of the fake organisation.

Import the fixtures a test module needs from here. The CA reaches the app through the standard
``HTTPLIB2_CA_CERTS`` variable, which the exporter (and the OAuth code exchange) reads on every
call.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.fake_drive import FakeDrive

FOLDER_ID = "0AFolder-shared-with-hindsight"
SERVICE_ACCOUNT = "hindsight-export@incident-reports.iam.gserviceaccount.com"
SERVICE_ACCOUNT_CLIENT_ID = "100000000000000000001"
PERSON = "dana.lee@example.org"
PERSON_NAME = "Dana Lee"
OTHER_PERSON = "sam.ortiz@example.org"
OAUTH_CLIENT_ID = "123456789012-hindsight.apps.googleusercontent.com"
OAUTH_CLIENT_SECRET = "GOCSPX-test-secret-not-real"


@pytest.fixture(scope="session")
def drive_ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def trust_drive_ca(drive_ca: trustme.CA, tmp_path: Path,
                   monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app trusts the test CA, as it would a company proxy's CA: via HTTPLIB2_CA_CERTS."""
    bundle = tmp_path / "test-ca.pem"
    bundle.write_bytes(drive_ca.cert_pem.bytes())
    monkeypatch.setenv("HTTPLIB2_CA_CERTS", str(bundle))
    return bundle


@pytest.fixture
def fake_drive(drive_ca: trustme.CA, signing_key: rsa.RSAPrivateKey,
               trust_drive_ca: Path) -> Iterator[FakeDrive]:
    public_pem = signing_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    server = FakeDrive(drive_ca, public_pem, service_account=SERVICE_ACCOUNT,
                       service_account_client_id=SERVICE_ACCOUNT_CLIENT_ID).start()
    server.add_folder(FOLDER_ID)
    server.add_person(PERSON, PERSON_NAME)
    server.add_person(OTHER_PERSON, "Sam Ortiz")
    yield server
    server.stop()


@pytest.fixture
def key_file(tmp_path: Path, signing_key: rsa.RSAPrivateKey, fake_drive: FakeDrive) -> Path:
    """A service-account key file whose token_uri is the fake server's token endpoint."""
    private_pem = signing_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    path = tmp_path / "service-account.json"
    path.write_text(json.dumps({
        "type": "service_account",
        "project_id": "incident-reports",
        "private_key_id": "test-key-1",
        "private_key": private_pem,
        "client_email": SERVICE_ACCOUNT,
        "client_id": SERVICE_ACCOUNT_CLIENT_ID,
        "token_uri": f"{fake_drive.url}/token",
    }))
    return path


def write_oauth_client(path: Path, fake_drive: FakeDrive, redirect_uris: list[str]) -> Path:
    """A "Web application" client file as the Cloud console gives it, registered with the fake
    (its endpoints point there)."""
    fake_drive.add_oauth_client(OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, redirect_uris)
    path.write_text(json.dumps({"web": {
        "client_id": OAUTH_CLIENT_ID,
        "project_id": "incident-reports",
        "auth_uri": f"{fake_drive.url}/o/oauth2/auth",
        "token_uri": f"{fake_drive.url}/token",
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_secret": OAUTH_CLIENT_SECRET,
        "redirect_uris": redirect_uris,
    }}))
    return path
