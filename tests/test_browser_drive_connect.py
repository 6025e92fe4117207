"""Connecting a person's Google account in a real browser, end to end against the fake Google:
Connect -> Google's consent page -> back -> make the folder -> export -> the Doc is in the
folder Hindsight made -> Disconnect. Every page of the app on the way is checked with axe-core.

Chromium does not know the test CA the fake's certificate comes from (the app trusts it through
HTTPLIB2_CA_CERTS), so this browser context accepts that certificate; nothing else changes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from exporters.drive_index import INDEX_NAME
from exporters.gdrive import DOC_MIME
from tests import drive_fixtures
from tests.browser_fixtures import LiveServer
from tests.conftest import SAMPLE_DOCUMENT
from tests.drive_fixtures import OAUTH_CLIENT_ID, PERSON, PERSON_NAME, write_oauth_client
from tests.fake_drive import FakeDrive

pytestmark = pytest.mark.browser

drive_ca = drive_fixtures.drive_ca
signing_key = drive_fixtures.signing_key
trust_drive_ca = drive_fixtures.trust_drive_ca
fake_drive = drive_fixtures.fake_drive

SHOTS = Path(os.environ.get("HINDSIGHT_SCREENSHOTS", "/tmp/helper-drive-connect"))


def assert_accessible(page: Page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.fixture
def connect_server(tmp_path: Path, fake_drive: FakeDrive,
                   monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    """The app in its own process with an OAuth client registered at the fake Google."""
    server = LiveServer(tmp_path / "instance")
    client_file = write_oauth_client(tmp_path / "oauth-client.json", fake_drive,
                                     [f"{server.url}/settings/drive/oauth/callback"])
    monkeypatch.setenv("HINDSIGHT_GOOGLE_OAUTH_CLIENT", str(client_file))
    monkeypatch.setenv("HINDSIGHT_DRIVE_API_ENDPOINT", fake_drive.url)
    monkeypatch.setenv("HINDSIGHT_BASE_URL", server.url)
    monkeypatch.setenv("HINDSIGHT_DRIVE_TIMEOUT", "3")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def google_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB",
                                  ignore_https_errors=True)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_connect_a_persons_account_export_and_disconnect(
        google_page: Page, connect_server: LiveServer, fake_drive: FakeDrive) -> None:
    page = google_page
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(connect_server.url + "/settings/drive")
    expect(page.get_by_role("heading", name="A person's Google account")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Connect Google Drive").click()
    expect(page.get_by_role("heading", name="Sign in with Google")).to_be_visible()
    assert page.url.startswith(fake_drive.url + "/o/oauth2/auth?")
    page.get_by_role("link", name=f"Continue as {PERSON_NAME} ({PERSON})").click()

    expect(page).to_have_url(connect_server.url + "/settings/drive")
    expect(page.get_by_role("status").first).to_contain_text(
        f"Google Drive is connected: Hindsight now puts reports in the Google Drive of "
        f"{PERSON_NAME} ({PERSON}).")
    expect(page.get_by_role("button", name="Disconnect")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=str(SHOTS / "drive-connected.png"), full_page=True)

    page.get_by_role("button", name="Make the reports folder for me").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Hindsight made the folder “Incident reports”")
    [folder] = [f for f in fake_drive.folders.values() if f.app == OAUTH_CLIENT_ID]
    assert (folder.owner, folder.drive_id) == (PERSON, None)
    expect(page.get_by_role("link", name="Incident reports")).to_have_attribute(
        "href", f"https://drive.google.com/drive/folders/{folder.id}")
    assert_accessible(page)

    report_id = connect_server.create_report(SAMPLE_DOCUMENT)
    page.goto(connect_server.editor_url(report_id))
    page.get_by_role("button", name="Export to Google Docs").first.click()
    expect(page.get_by_text("is now in the team's Google Drive folder")).to_be_visible()
    [doc] = [f for f in fake_drive.in_folder(folder.id)
             if f.mime_type == DOC_MIME and f.name != INDEX_NAME]
    assert doc.owner == PERSON and doc.name.endswith("Checkout unavailable for EU customers")
    link = page.get_by_role("link", name=re.compile(r"Open “.*” in Google Drive"))
    expect(link).to_have_attribute("href", f"https://docs.google.com/document/d/{doc.id}/edit")

    page.goto(connect_server.url + "/settings/drive")
    page.get_by_role("button", name="Disconnect").click()
    expect(page.get_by_role("status").first).to_contain_text("Google Drive is disconnected")
    expect(page.get_by_role("link", name="Connect Google Drive")).to_be_visible()
    assert all(grant.revoked for grant in fake_drive.refresh_tokens.values())
    assert_accessible(page)
    page.screenshot(path=str(SHOTS / "drive-disconnected.png"), full_page=True)
    assert "1//" not in connect_server.log()  # the refresh token never reaches the log
