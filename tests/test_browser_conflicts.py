"""Two tabs on one report in a real browser: neither silently overwrites the other."""

from __future__ import annotations

import copy
import re
import time
from itertools import pairwise

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, Route, expect

from tests.browser_fixtures import LiveServer
from tests.test_conflicts import FULL_DOCUMENT

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


# ---- a report with every kind of input filled in ----

SAVED = re.compile(r"Saved at \d{1,2}:\d{2}")


def _open(page: Page, server: LiveServer, report_id: int) -> None:
    page.goto(server.editor_url(report_id))
    page.wait_for_function("() => !!window.hindsightEditor && !!window.hindsightGuidance")


def _record_saves(page: Page, url: str) -> list[int]:
    """The status of every save the page sends (guidance posts elsewhere)."""
    statuses: list[int] = []
    page.on("response", lambda r: statuses.append(r.status)
            if r.request.method == "POST" and r.url == url else None)
    return statuses


def _axe(page: Page, where: str) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, f"axe on {where}:\n{results.generate_report()}"


def _their_changes(page: Page) -> None:
    """The first author: a new timeline event, a root cause no longer, a new link, the summary."""
    page.locator("#summary").fill("Their summary.")
    page.locator('[data-add-row="timeline"]').click()
    page.locator("#timeline-4-at").fill("2025-10-03T10:00")
    page.locator("#timeline-4-kind").select_option("mitigation")
    page.locator("#timeline-4-description").fill("Traffic moved back to the current gateway.")
    page.locator("#timeline-4-internal").check()
    page.locator("#factors-0-root_cause").uncheck()
    page.locator("#actions-1-addresses-2").check()
    page.locator(".save-bar").get_by_role("button", name="Save").click()
    expect(page.locator("#save-status")).to_have_text(SAVED)


def test_two_authors_merge_a_report_with_every_kind_of_input(
    browser: Browser, live_server: LiveServer
) -> None:
    report_id = live_server.create_report(copy.deepcopy(FULL_DOCUMENT))
    url = live_server.editor_url(report_id)
    first_context, second_context = browser.new_context(), browser.new_context()
    try:
        first, second = first_context.new_page(), second_context.new_page()
        _open(first, live_server, report_id)
        _open(second, live_server, report_id)
        saves = _record_saves(second, url)
        _their_changes(first)
        theirs = live_server.report(report_id)
        assert len(theirs["timeline"]) == 5 and theirs["actions"][1]["addresses"] == [1, 2]

        # The second author, still on the old version, writes; leaving the field saves, and
        # they go on typing elsewhere while the refusal comes back.
        second.locator("#summary").fill("Written in the second tab.")
        second.locator("#impact").click()
        second.keyboard.type(" And more.", delay=40)
        panel = second.locator("#conflict-panel")
        expect(panel).to_be_visible()
        expect(second.locator("#impact")).to_have_value(
            FULL_DOCUMENT["impact"] + " And more.")  # no keystroke went astray
        expect(second.locator("#save-status")).to_contain_text("Not saved")
        for part in ("summary", "timeline", "factors", "actions"):
            expect(panel.locator(f'[data-conflict="{part}"]')).to_be_visible()
        expect(panel.locator('[data-conflict="timeline"]')).to_contain_text(
            "Traffic moved back to the current gateway. (internal only)")
        expect(panel.locator('[data-conflict="actions"]')).to_contain_text(
            "deals with factor 2, 3")

        # More changes of every kind while the author decides: kept, and not sent yet.
        second.locator("#severity").select_option("SEV1")
        second.locator("#started_at").fill("2025-10-03T09:10")
        second.locator("#follow_up_held_on").fill("2025-12-06")
        second.locator("#lucky_internal").uncheck()
        second.locator("#no_single_root_cause").uncheck()
        second.locator("#timeline-1-internal").check()
        second.locator("#actions-0-addresses-1").check()
        second.locator("#follow_up_outcome").fill("Written in the second tab, too.")
        second.locator("#title").focus()
        second.wait_for_timeout(3_000)  # longer than the page waits before saving
        assert saves == [409], "after a refusal the same stale save must not be sent again"
        assert live_server.report(report_id) == theirs
        _axe(second, "the editor showing the merge panel")

        # Their timeline and factors (row lists), my action items and everything else.
        for part, choice in (("timeline", "Use theirs"), ("factors", "Use theirs"),
                             ("actions", "Keep mine"), ("summary", "Keep mine"),
                             ("impact", "Keep mine")):
            panel.locator(f'[data-conflict="{part}"]').get_by_role(
                "button", name=re.compile(choice)).click()
        expect(panel).to_be_hidden()
        expect(second.locator("#save-status")).to_have_text(SAVED)
        assert saves == [409, 200]
        expect(second.locator('[data-rows="timeline"] > [data-row]')).to_have_count(5)
        # Their new event, in time order among the others.
        expect(second.locator("#timeline-3-description")).to_have_value(
            "Traffic moved back to the current gateway.")
        expect(second.locator("#timeline-3-internal")).to_be_checked()
        expect(second.locator("#factors-0-root_cause")).not_to_be_checked()

        merged = live_server.report(report_id)
        assert merged["timeline"] == theirs["timeline"]
        assert merged["factors"] == theirs["factors"]
        assert [a["addresses"] for a in merged["actions"]] == [[0, 1, 2], [1]]
        assert merged["actions"][1]["internal"] is True
        assert merged["summary"] == "Written in the second tab."
        assert merged["impact"] == FULL_DOCUMENT["impact"] + " And more."
        assert merged["severity"] == "SEV1"
        assert merged["started_at"] == "2025-10-03T09:10:00+02:00"
        assert merged["follow_up_held_on"] == "2025-12-06"
        assert merged["follow_up_outcome"] == "Written in the second tab, too."
        assert merged["internal_parts"] == ["impact", "lessons.went_well", "lessons.went_wrong"]
        assert "no_single_root_cause" not in merged
        # The first author's page is now the stale one: its next save shows the panel too.
        first.locator("#went_well").fill("The alert fired within seven minutes.")
        first.locator("#title").focus()
        expect(first.locator("#conflict-panel")).to_be_visible()
        expect(first.locator('#conflict-panel [data-conflict="summary"]')).to_be_visible()
    finally:
        first_context.close()
        second_context.close()


def test_taking_their_action_items_keeps_their_links_to_factors(
    browser: Browser, live_server: LiveServer
) -> None:
    """Their new action item links to a factor the page added after it loaded: the row comes
    from the page's template, which had no checkbox for that factor, and the link survives."""
    report_id = live_server.create_report(copy.deepcopy(FULL_DOCUMENT))
    first_context, second_context = browser.new_context(), browser.new_context()
    try:
        first, second = first_context.new_page(), second_context.new_page()
        _open(first, live_server, report_id)
        _open(second, live_server, report_id)
        # The second author adds a factor; the first adds an action item for factors 1 and 2.
        second.locator('[data-add-row="factors"]').click()
        second.locator("#factors-3-description").fill("A fourth factor, mine.")
        second.locator("#title").focus()
        expect(second.locator("#save-status")).to_have_text(SAVED)
        status, document = live_server.api("GET", f"/api/reports/{report_id}")
        assert status == 200
        document["actions"].append({"description": "Theirs, for two factors.",
                                    "addresses": [1, 3], "status": "proposed"})
        document["factors"][3]["description"] = "A fourth factor, theirs."
        status, _ = live_server.api("PUT", f"/api/reports/{report_id}", {
            k: v for k, v in document.items() if k != "id"})
        assert status == 200

        second.locator("#summary").fill("Mine.")
        second.locator("#title").focus()
        panel = second.locator("#conflict-panel")
        expect(panel.locator('[data-conflict="actions"]')).to_be_visible()
        panel.locator('[data-conflict="actions"]').get_by_role(
            "button", name=re.compile("Use theirs")).click()
        for part in ("factors", "summary"):
            panel.locator(f'[data-conflict="{part}"]').get_by_role(
                "button", name=re.compile("Keep mine")).click()
        expect(panel).to_be_hidden()
        expect(second.locator("#actions-2-addresses-3")).to_be_checked()
        expect(second.locator("#actions-2-addresses-1")).to_be_checked()
        expect(second.locator("label[for='actions-2-addresses-3']")).to_contain_text(
            "A fourth factor, mine.")
        expect(second.locator("#save-status")).to_have_text(SAVED)
        merged = live_server.report(report_id)
        assert merged["actions"][2]["addresses"] == [1, 3]
        assert merged["factors"][3]["description"] == "A fourth factor, mine."
        assert merged["summary"] == "Mine."
    finally:
        first_context.close()
        second_context.close()


def test_a_server_error_is_retried_slowly_and_said(page: Page, live_server: LiveServer) -> None:
    report_id = live_server.create_report(copy.deepcopy(FULL_DOCUMENT))
    url = live_server.editor_url(report_id)
    failing = {"on": True}
    tries: list[float] = []

    def fail_saves(route: Route) -> None:
        if route.request.method == "POST" and failing["on"]:
            tries.append(time.monotonic())
            route.fulfill(status=500, content_type="application/json",
                          body='{"error": "Sorry, something went wrong on our side"}')
        else:
            route.continue_()

    page.route(url, fail_saves)
    _open(page, live_server, report_id)
    status = page.locator("#save-status")
    # The author goes on editing, leaving one field for another, for five seconds.
    started = time.monotonic()
    for number in range(10):
        page.locator("#summary").fill(f"Edit number {number}.")
        page.locator("#factors-1-internal").set_checked(number % 2 == 0)
        page.locator("#title").focus()
        if number == 0:
            expect(status).to_contain_text("the server had a problem (error 500)")
            expect(status).to_contain_text(re.compile(r"Trying again in \d+ s"))
        page.wait_for_timeout(400)
    elapsed = time.monotonic() - started
    # Each try waits twice as long as the one before, from 3 s: never at the pace of the edits
    # (which asked for a save every half second).
    gaps = [later - earlier for earlier, later in pairwise(tries)]
    assert tries and len(tries) <= 3, (len(tries), elapsed)
    assert all(gap >= 3 * 2**number - 0.5 for number, gap in enumerate(gaps)), gaps
    assert live_server.report(report_id)["summary"] == FULL_DOCUMENT["summary"]

    failing["on"] = False
    expect(status).to_have_text(SAVED, timeout=20_000)
    stored = live_server.report(report_id)
    assert stored["summary"] == "Edit number 9."
    assert "internal" not in stored["factors"][1]


def test_without_javascript_a_stale_save_shows_the_merge_panel(
    browser: Browser, scriptless_page: Page, live_server: LiveServer
) -> None:
    report_id = live_server.create_report(copy.deepcopy(FULL_DOCUMENT))
    page = scriptless_page
    page.goto(live_server.editor_url(report_id))
    other = browser.new_context()
    try:
        first = other.new_page()
        _open(first, live_server, report_id)
        _their_changes(first)
    finally:
        other.close()

    page.locator("#summary").fill("Written without JavaScript.")
    page.locator("#actions-0-addresses-1").check()
    with page.expect_navigation() as navigation:
        page.locator(".save-bar").get_by_role("button", name="Save").click()
    assert navigation.value is not None and navigation.value.status == 409
    panel = page.locator("#conflict-panel")
    expect(panel).to_be_visible()
    for part in ("summary", "timeline", "factors", "actions"):
        expect(panel.locator(f'[data-conflict="{part}"]')).to_be_visible()
    expect(page.locator("#summary")).to_have_value("Written without JavaScript.")
    expect(page.locator("#actions-0-addresses-1")).to_be_checked()
    _axe(page, "the editor showing the merge panel without JavaScript")
