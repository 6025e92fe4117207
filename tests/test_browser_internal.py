"""Internal only, in a real Chromium: tick it on new rows, see it marked, export either copy.

The rows are added by the page's script from its ``<template>`` rows, so this also proves the
new checkbox is renumbered with its row when rows move.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser_fixtures import LiveServer
from tests.conftest import SAMPLE_DOCUMENT
from tests.test_browser_editor import open_editor, rows, wait_for_script, wait_for_server
from tests.test_internal_copy import HOST, MARKERS, VENDOR, assert_clean, internal_document

pytestmark = pytest.mark.browser

INTERNAL_LABEL = "Internal only — left out of the client copy"


def outlined(page: Page, selector: str) -> bool:
    """Whether the element shows the dashed outline internal items get."""
    return page.eval_on_selector(
        selector,
        """el => { const s = getComputedStyle(el);
                   return s.borderTopStyle === 'dashed'
                          && s.borderTopColor !== 'rgba(0, 0, 0, 0)'; }""",
    )


def shared_folder(server: LiveServer) -> Path:
    return server.instance_path / "shared-reports"


def test_js_new_rows_marked_internal_are_saved_and_left_out_of_the_client_copy(
    page: Page, live_server: LiveServer,
) -> None:
    report_id = live_server.create_report(dict(SAMPLE_DOCUMENT))
    open_editor(page, live_server, report_id)
    wait_for_script(page)
    expect(rows(page, "timeline")).to_have_count(4)

    page.get_by_role("button", name="Add an event").click()
    expect(rows(page, "timeline")).to_have_count(5)
    new_event = page.locator("#timeline-4")
    expect(new_event.get_by_label(INTERNAL_LABEL)).to_have_attribute("name", "timeline-4-internal")
    expect(new_event.locator(".tag-internal")).to_be_hidden()
    assert not outlined(page, "#timeline-4")
    page.fill("#timeline-4-at", "2026-10-03T10:05")
    page.select_option("#timeline-4-kind", "mitigation")
    page.fill("#timeline-4-description", f"Restarted the primary on {HOST} by hand")
    new_event.get_by_label(INTERNAL_LABEL).check()
    expect(new_event.locator(".tag-internal")).to_be_visible()
    assert outlined(page, "#timeline-4")

    # Moving the row renames its checkbox with it, still ticked.
    page.locator("#timeline-4 button[data-row-action='up']").click()
    expect(page.locator("#timeline-3-internal")).to_be_checked()
    expect(page.locator("#timeline-3-description")).to_have_value(
        f"Restarted the primary on {HOST} by hand")
    expect(page.locator("#timeline-4-internal")).not_to_be_checked()
    expect(page.locator("label[for='timeline-3-internal']")).to_have_text(INTERNAL_LABEL)
    expect(page.locator("#timeline-3 .tag-internal")).to_be_visible()
    expect(page.locator("#timeline-4 .tag-internal")).to_be_hidden()

    page.get_by_role("button", name="Add a factor").click()
    page.fill("#factors-2-description", f"{VENDOR} firmware drops connections under load")
    page.check("#factors-2-internal")
    expect(page.locator("#factors-2 .row-legend")).to_have_text(re.compile(r"Factor 3\s+Internal"))
    page.check("#impact_internal")
    assert outlined(page, ".internal-part:has(#impact)")
    assert not outlined(page, ".internal-part:has(#went_well)")

    document = wait_for_server(
        live_server, report_id,
        lambda d: len(d["factors"]) == 3 and d["factors"][2].get("internal") is True
        and any(e.get("internal") for e in d["timeline"]) and "internal_parts" in d,
        what="the internal marks",
    )
    assert [e["description"] for e in document["timeline"] if e.get("internal")] == [
        f"Restarted the primary on {HOST} by hand"]
    assert document["internal_parts"] == ["impact"]
    expect(page.locator("#save-status")).to_have_text(re.compile(r"Saved at"))

    # The export panel: the client copy by default, the internal copy when chosen.
    panel = page.locator("#exports")
    expect(panel.get_by_label("Client copy (internal items left out)")).to_be_checked()
    panel.get_by_label("Internal copy (everything, marked INTERNAL)").check()
    with page.expect_navigation():
        panel.get_by_role("button", name="Export as Markdown").click()
    expect(page.locator(".notice")).to_contain_text("Exported the internal copy as Markdown")
    expect(page.locator("#exports").get_by_label(
        "Client copy (internal items left out)")).to_be_checked()  # back to the safe default
    with page.expect_navigation():
        page.locator("#exports").get_by_role("button", name="Export as Markdown").click()
    expect(page.locator(".notice")).to_contain_text("Exported as Markdown")

    folder = shared_folder(live_server)
    name = "2026/10.checkout.checkout-unavailable-for-eu-customers"
    client_copy = (folder / f"{name}.md").read_text()
    internal_copy = (folder / f"{name}.internal.md").read_text()
    assert HOST in internal_copy and VENDOR in internal_copy and "INTERNAL" in internal_copy
    assert "Who was affected, and how · **Internal**" in internal_copy
    assert_clean(client_copy, "the client copy exported from the page")
    files = page.locator("#exports table.export-list tbody tr")
    expect(files).to_have_count(2)
    expect(files.filter(has_text="Internal")).to_have_count(1)


def test_axe_editor_with_internal_rows(page: Page, live_server: LiveServer) -> None:
    report_id = live_server.create_report(internal_document(SAMPLE_DOCUMENT))
    open_editor(page, live_server, report_id)
    wait_for_script(page)
    expect(page.locator("[data-row] .tag-internal:visible")).to_have_count(3)
    expect(page.get_by_label(INTERNAL_LABEL).and_(page.locator(":checked"))).to_have_count(5)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    assert all(marker in page.content() for marker in MARKERS)  # the editor shows everything
