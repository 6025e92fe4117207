"""Two tabs on one report in a real browser: neither silently overwrites the other."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.browser_fixtures import LiveServer

pytestmark = pytest.mark.browser


def test_two_tabs_never_overwrite_each_other(browser: Browser, live_server: LiveServer) -> None:
    report_id = live_server.create_report({"title": "Shared report", "summary": "First words."})
    url = live_server.editor_url(report_id)
    first_context, second_context = browser.new_context(), browser.new_context()
    try:
        first, second = first_context.new_page(), second_context.new_page()
        first.goto(url)
        second.goto(url)

        first.locator("#summary").fill("Written in the first tab.")
        first.locator("#title").focus()  # leaving the field saves
        expect(first.locator("#save-status")).to_have_text(re.compile(r"Saved at"), timeout=5000)

        second.locator("#summary").fill("Written in the second tab.")
        second.locator("#impact").fill("Impact from the second tab.")
        second.locator("#title").focus()
        panel = second.locator("#conflict-panel")
        expect(panel).to_be_visible(timeout=5000)
        expect(second.locator("#save-status")).to_contain_text("Not saved")
        summary_conflict = panel.locator('[data-conflict="summary"]')
        expect(summary_conflict).to_contain_text("Written in the first tab.")
        expect(summary_conflict).to_contain_text("Written in the second tab.")
        # The server still has the first tab's text: nothing was overwritten.
        assert live_server.report(report_id)["summary"] == "Written in the first tab."

        # Take theirs for the summary, keep mine for the impact: the merge is saved.
        summary_conflict.get_by_role("button", name=re.compile("Use theirs")).click()
        panel.locator('[data-conflict="impact"]').get_by_role(
            "button", name=re.compile("Keep mine")).click()
        expect(panel).to_be_hidden()
        expect(second.locator("#summary")).to_have_value("Written in the first tab.")
        expect(second.locator("#save-status")).to_have_text(re.compile(r"Saved at"),
                                                            timeout=5000)
        stored = live_server.report(report_id)
        assert stored["summary"] == "Written in the first tab."
        assert stored["impact"] == "Impact from the second tab."
    finally:
        first_context.close()
        second_context.close()
