"""In a real browser, a save sends what changed, not the whole report."""

from __future__ import annotations

import copy
import re
from urllib.parse import parse_qsl

import pytest
from playwright.sync_api import Page, Request, expect

from tests.browser_fixtures import LiveServer
from tests.test_conflicts import FULL_DOCUMENT

pytestmark = pytest.mark.browser
SAVED = re.compile(r"Saved at \d{1,2}:\d{2}")


def _posted(request: Request) -> list[tuple[str, str]]:
    body = request.post_data or ""
    if "multipart/form-data" in (request.headers.get("content-type") or ""):
        return re.findall(r'name="([^"]+)"\r\n\r\n(.*?)\r\n--', body, re.S)
    return parse_qsl(body, keep_blank_values=True)


def test_each_save_sends_only_what_changed(page: Page, live_server: LiveServer) -> None:
    report_id = live_server.create_report(copy.deepcopy(FULL_DOCUMENT))
    url = live_server.editor_url(report_id)
    bodies: list[list[tuple[str, str]]] = []
    page.on("request", lambda r: bodies.append(_posted(r))
            if r.method == "POST" and r.url == url else None)
    page.goto(url)
    page.wait_for_function("() => !!window.hindsightEditor")

    # One field: only that field travels.
    page.locator("#summary").fill("Only the summary changed.")
    page.locator("#title").focus()
    expect(page.locator("#save-status")).to_have_text(SAVED)
    names = [name for name, _ in bodies[-1]]
    assert dict(bodies[-1])["changes"] == "1" and dict(bodies[-1])["sent"] == "summary"
    assert set(names) == {"csrf_token", "base_version", "changes", "sent", "summary"}

    # A new event: its inputs and the list's new order, nothing of the other rows.
    page.locator('[data-add-row="timeline"]').click()
    page.locator("#timeline-4-at").fill("2025-10-03T10:00")
    page.locator("#timeline-4-description").fill("Traffic moved back.")
    page.locator("#title").focus()
    expect(page.locator("#save-status")).to_have_text(SAVED)
    sent = dict(bodies[-1])
    assert sent["timeline-4-description"] == "Traffic moved back." and sent["timeline_order"]
    assert not any(name.startswith(("timeline-0-", "factors-", "actions-", "summary"))
                   for name, _ in bodies[-1])

    # A factor removed, and an action item's tick: the factors' order, and the two action items
    # whose ticks changed (the second pointed at the removed factor), no other row.
    page.locator("#factors-1").get_by_role("button", name=re.compile("Remove")).click()
    page.locator("#actions-0-addresses-1").check()
    page.locator("#title").focus()
    expect(page.locator("#save-status")).to_have_text(SAVED)
    names = [name for name, _ in bodies[-1]]
    assert "factors_order" in names and "timeline_order" not in names
    assert {name.split("-")[1] for name in names if name.startswith("actions-")} == {"0", "1"}
    assert not any(name.startswith(("timeline-", "factors-")) for name in names)

    stored = live_server.report(report_id)
    assert stored["summary"] == "Only the summary changed."
    assert "Traffic moved back." in [event["description"] for event in stored["timeline"]]
    assert [factor["description"] for factor in stored["factors"]] == [
        FULL_DOCUMENT["factors"][0]["description"], FULL_DOCUMENT["factors"][2]["description"]]
    assert stored["actions"][0]["addresses"] == [0, 1]
    assert stored["actions"][1].get("addresses", []) == []  # its factor was removed

    # What was saved is what the page shows after a reload.
    page.reload()
    expect(page.locator("#summary")).to_have_value("Only the summary changed.")
    expect(page.locator('[data-rows="factors"] > [data-row]')).to_have_count(2)
    expect(page.locator("#actions-0-addresses-1")).to_be_checked()
