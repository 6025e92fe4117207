""""Add events from text" in a real Chromium: paste → choose the zone → review → add, at
1280 and 390 px, with axe on every step and nothing wider than the screen on a phone."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser_fixtures import LiveServer
from tests.conftest import SAMPLE_DOCUMENT

pytestmark = pytest.mark.browser

CORPUS = Path(__file__).parent / "corpora" / "timeline_import"
VIEWPORTS = {"1280px": {"width": 1280, "height": 900}, "390px": {"width": 390, "height": 844}}


def assert_accessible(page: Page, where: str) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, f"axe on {where}:\n{results.generate_report()}"
    widths = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    assert widths[0] <= widths[1], (where, widths)


@pytest.mark.parametrize("viewport", list(VIEWPORTS), ids=list(VIEWPORTS))
def test_paste_review_and_add(live_server: LiveServer, page: Page, viewport: str) -> None:
    page.set_viewport_size(VIEWPORTS[viewport])
    report_id = live_server.create_report(copy.deepcopy(SAMPLE_DOCUMENT))
    page.goto(live_server.editor_url(report_id))
    page.get_by_role("link", name="Add events from text").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add events from text")
    assert_accessible(page, f"the paste step at {viewport}")

    page.get_by_label("Paste the messages or lines").fill(
        (CORPUS / "teams-paste.txt").read_text(encoding="utf-8"))
    page.get_by_role("button", name="Find the events").click()
    zone = page.get_by_label("Which time zone are the times in?")
    expect(zone).to_have_value("Europe/Paris")
    assert_accessible(page, f"the zone step at {viewport}")
    page.get_by_role("button", name="Show the events").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Choose the events to add")
    rows = page.locator("#events tbody tr")
    expect(rows).to_have_count(7)
    assert_accessible(page, f"the review table at {viewport}")
    # Keep the first three only, and say the third was a configuration change.
    for index in range(3, 7):
        page.get_by_label(f"Add event {index + 1}", exact=True).uncheck()
    page.get_by_label("Kind of event 3").select_option("config_change")
    page.get_by_role("button", name="Add the ticked events").click()

    # The editor opens at the first event added (the three are named open in the address).
    three_open = r"\?(open=[\w-]+&){2}open=[\w-]+#timeline-\d+$"
    expect(page).to_have_url(re.compile(re.escape(live_server.editor_url(report_id)) + three_open))
    expect(page.get_by_text("Added 3 events to the timeline.")).to_be_visible()
    document = live_server.report(report_id)
    assert document["version"] == 2
    added = {(e["at"], e["kind"]) for e in document["timeline"]} - {
        (e["at"], e["kind"]) for e in SAMPLE_DOCUMENT["timeline"]}
    assert added == {("2026-10-03T09:21:00+02:00", "discovery"),
                     ("2026-10-03T09:23:00+02:00", "deploy"),
                     ("2026-10-03T09:24:00+02:00", "config_change")}


def test_the_no_javascript_page_reviews_too(live_server: LiveServer, nojs_page: Page) -> None:
    report_id = live_server.create_report(copy.deepcopy(SAMPLE_DOCUMENT))
    nojs_page.goto(f"{live_server.url}/reports/{report_id}/timeline/import")
    nojs_page.get_by_label("Or choose a file").set_input_files(
        str(CORPUS / "slack-incident-channel.json"))
    nojs_page.get_by_role("button", name="Find the events").click()
    # A Slack export's times are exact: no zone to ask, straight to the review.
    expect(nojs_page.get_by_role("heading", level=1)).to_have_text("Choose the events to add")
    expect(nojs_page.locator("#events tbody tr")).to_have_count(15)
    expect(nojs_page.locator("#events")).to_contain_text("PagerDuty: Triggered #4211")
    expect(nojs_page.locator("#events")).not_to_contain_text("has joined")
