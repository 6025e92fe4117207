"""The Google Drive set-up check in a real browser, against the fake Drive: found from the footer,
run with one click, every step shown with its mark and fix, checked with axe-core."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests import drive_fixtures
from tests.browser_fixtures import LiveServer
from tests.drive_fixtures import FOLDER_ID, SERVICE_ACCOUNT
from tests.fake_drive import FakeDrive
from tests.test_drive_check import key_material

pytestmark = pytest.mark.browser

drive_ca = drive_fixtures.drive_ca
signing_key = drive_fixtures.signing_key
trust_drive_ca = drive_fixtures.trust_drive_ca
fake_drive = drive_fixtures.fake_drive
key_file = drive_fixtures.key_file

SHOTS = Path(os.environ.get("HINDSIGHT_SCREENSHOTS", "/tmp/helper-drive-check"))


def assert_accessible(page: Page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.fixture
def drive_server(tmp_path: Path, fake_drive: FakeDrive, key_file: Path,
                 monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    """The app in its own process, set up for the fake Drive (HTTPLIB2_CA_CERTS is set)."""
    monkeypatch.setenv("HINDSIGHT_DRIVE_FOLDER_ID", FOLDER_ID)
    monkeypatch.setenv("HINDSIGHT_GOOGLE_CREDENTIALS", str(key_file))
    monkeypatch.setenv("HINDSIGHT_DRIVE_API_ENDPOINT", fake_drive.url)
    monkeypatch.setenv("HINDSIGHT_DRIVE_TIMEOUT", "3")
    server = LiveServer(tmp_path / "instance")
    server.start()
    yield server
    server.stop()


def test_check_the_drive_set_up(page: Page, drive_server: LiveServer, fake_drive: FakeDrive,
                                key_file: Path) -> None:
    page.goto(drive_server.url + "/")
    page.get_by_role("link", name="Google Drive set-up").click()
    expect(page.get_by_role("heading", name="Google Drive set-up", level=1)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Check the Google Drive set-up").click()
    expect(page.get_by_role("status")).to_have_text(
        "Every step passed: exports to Google Drive will work.")
    steps = page.locator(".check-step")
    expect(steps).to_have_count(6)
    expect(page.locator(".check-ok")).to_have_count(6)
    expect(steps.nth(2)).to_contain_text(SERVICE_ACCOUNT)
    assert_accessible(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "settings-drive-passed.png"), full_page=True)
    assert fake_drive.files == {}  # the test file was removed again

    fake_drive.fail(403, reason="insufficientFilePermissions", on="POST")
    page.get_by_role("button", name="Check the Google Drive set-up again").click()
    expect(page.get_by_role("alert")).to_contain_text("The Google Drive set-up is not finished.")
    failed = page.locator(".check-failed")
    expect(failed).to_have_count(1)
    expect(failed).to_contain_text(
        "Hindsight can add, update and remove a Doc in the folder: failed")
    expect(failed.locator(".check-fix")).to_contain_text(
        f"What to do: Add {SERVICE_ACCOUNT} to the shared drive as a Content manager")
    assert_accessible(page)
    page.screenshot(path=str(SHOTS / "settings-drive-failed.png"), full_page=True)
    html = page.content()
    for secret in key_material(key_file):
        assert secret not in html
    assert not any(secret in drive_server.log() for secret in key_material(key_file))


def test_check_with_drive_not_set_up(page: Page, own_live_server: LiveServer) -> None:
    page.goto(own_live_server.url + "/settings/drive")
    expect(page.get_by_text("Google Drive export is not set up yet.")).to_be_visible()
    page.get_by_role("button", name="Check the Google Drive set-up").click()
    expect(page.locator(".check-failed")).to_contain_text(
        "HINDSIGHT_DRIVE_FOLDER_ID and HINDSIGHT_GOOGLE_CREDENTIALS are not set")
    expect(page.locator(".check-not_tried")).to_have_count(5)
    assert_accessible(page)
