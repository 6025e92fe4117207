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


def _stale(page: Page) -> None:
    """This page does not hear of others' saves (as when its polls are lost on a bad
    network): its next save is the one that meets them."""
    page.route(re.compile(r".*/changes\?since=.*"), lambda route: route.abort())


def _leave_field(page: Page) -> None:
    page.locator("#service").focus()  # leaving a field saves it


def test_two_pages_write_at_once_and_only_the_same_sentence_asks(
    browser: Browser, live_server: LiveServer
) -> None:
    report_id = live_server.create_report({
        "title": "Shared report", "impact": "Some orders failed.",
        "summary": "Payments failed for two hours.\n\nA retired gateway was still listed."})
    first_context, second_context = browser.new_context(), browser.new_context()
    try:
        first, second = first_context.new_page(), second_context.new_page()
        _open(first, live_server, report_id)
        _open(second, live_server, report_id)
        panel_of = {page: page.locator("#conflict-panel") for page in (first, second)}

        # 1. Different parts at once: both kept, no panel, each page shows the other's words.
        first.locator("#title").fill("Checkout outage")
        second.locator("#impact").fill("About 1,200 orders failed.")
        _leave_field(first)
        _leave_field(second)
        for page in (first, second):
            expect(page.locator("#save-status")).to_have_text(SAVED, timeout=15_000)
        expect(first.locator("#impact")).to_have_value("About 1,200 orders failed.",
                                                       timeout=20_000)
        expect(second.locator("#title")).to_have_value("Checkout outage", timeout=20_000)
        expect(first.locator("#live-note")).to_contain_text("impact", timeout=20_000)
        stored = live_server.report(report_id)
        assert (stored["title"], stored["impact"]) == ("Checkout outage",
                                                       "About 1,200 orders failed.")

        # 2. Different paragraphs of the summary at once: both kept, no panel.
        for page in (first, second):
            expect(page.locator("#summary")).to_have_value(stored["summary"])
        first.locator("#summary").fill(
            "Payments failed for almost two hours.\n\nA retired gateway was still listed.")
        second.locator("#summary").fill(
            "Payments failed for two hours.\n\nA retired gateway was still listed, and used.")
        _leave_field(first)
        _leave_field(second)
        both = ("Payments failed for almost two hours.\n\n"
                "A retired gateway was still listed, and used.")
        for page in (first, second):
            expect(page.locator("#summary")).to_have_value(both, timeout=20_000)
            expect(panel_of[page]).to_be_hidden()
        assert live_server.report(report_id)["summary"] == both

        # 3. The same sentence, two ways: the page that saves second asks, for that field only.
        _stale(second)
        first.locator("#summary").fill(both.replace("almost two hours", "110 minutes"))
        _leave_field(first)
        expect(first.locator("#save-status")).to_have_text(SAVED, timeout=15_000)
        second.locator("#summary").fill(both.replace("almost two hours", "nearly two hours"))
        second.locator("#title").fill("Checkout outage in the EU")
        _leave_field(second)
        panel = panel_of[second]
        expect(panel).to_be_visible(timeout=15_000)
        expect(panel.locator("[data-conflict]")).to_have_count(1)
        summary_conflict = panel.locator('[data-conflict="summary"]')
        expect(summary_conflict).to_contain_text("110 minutes")
        expect(summary_conflict).to_contain_text("nearly two hours")
        # The title, which only this page changed, was saved; the summary waits for the author.
        stored = live_server.report(report_id)
        assert stored["title"] == "Checkout outage in the EU"
        assert "110 minutes" in stored["summary"]
        _axe(second, "the editor asking about one field")
        summary_conflict.get_by_role("button", name=re.compile("Keep mine")).click()
        expect(panel).to_be_hidden()
        expect(second.locator("#save-status")).to_have_text(SAVED, timeout=15_000)
        stored = live_server.report(report_id)
        assert "nearly two hours" in stored["summary"]
        assert stored["title"] == "Checkout outage in the EU"
        assert stored["impact"] == "About 1,200 orders failed."
        expect(panel_of[first]).to_be_hidden()
        expect(first.locator("#summary")).to_have_value(stored["summary"], timeout=20_000)
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
        _stale(second)
        saves = _record_saves(second, url)
        _their_changes(first)
        theirs = live_server.report(report_id)
        assert len(theirs["timeline"]) == 5 and theirs["actions"][1]["addresses"] == [1, 2]

        # The second author, still on the old version, writes; leaving the field saves, and
        # they go on typing elsewhere while the answer comes back.
        second.locator("#summary").fill("Written in the second tab.")
        second.locator("#impact").click()
        second.keyboard.type(" And more.", delay=40)
        panel = second.locator("#conflict-panel")
        expect(panel).to_be_visible()
        expect(second.locator("#impact")).to_have_value(
            FULL_DOCUMENT["impact"] + " And more.")  # no keystroke went astray
        expect(second.locator("#save-status")).to_contain_text("Not saved")
        # Only the summary, which both wrote, is asked about ...
        expect(panel.locator("[data-conflict]")).to_have_count(1)
        expect(panel.locator('[data-conflict="summary"]')).to_contain_text("Their summary.")
        # ... and everything else of theirs is already on this page, merged.
        expect(second.locator('[data-rows="timeline"] > [data-row]')).to_have_count(5)
        expect(second.locator("#timeline-3-description")).to_have_value(
            "Traffic moved back to the current gateway.")
        expect(second.locator("#timeline-3-internal")).to_be_checked()
        expect(second.locator("#factors-0-root_cause")).not_to_be_checked()
        expect(second.locator("#actions-1-addresses-2")).to_be_checked()
        expect(second.locator("#summary")).to_have_value("Written in the second tab.")

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
        deploy_id = second.locator("#timeline-1-id").input_value()
        second.wait_for_timeout(3_000)  # longer than the page waits before saving
        assert saves == [409], "while the author decides, nothing more is sent"
        # Of mine, only what merged cleanly was saved: the impact, typed before the save left.
        stored = live_server.report(report_id)
        assert stored["impact"] == FULL_DOCUMENT["impact"] + " And more."
        assert ({k: v for k, v in stored.items() if k not in ("impact", "version")} ==
                {k: v for k, v in theirs.items() if k not in ("impact", "version")})
        _axe(second, "the editor showing the merge panel")

        panel.locator('[data-conflict="summary"]').get_by_role(
            "button", name=re.compile("Keep mine")).click()
        expect(panel).to_be_hidden()
        expect(second.locator("#save-status")).to_have_text(SAVED)
        assert saves == [409, 200]

        merged = live_server.report(report_id)
        events = {event["id"]: event for event in merged["timeline"]}
        assert len(events) == 5 and events[deploy_id]["internal"] is True
        assert "Traffic moved back to the current gateway." in [
            event["description"] for event in merged["timeline"]]
        assert merged["factors"] == theirs["factors"]
        assert [a["addresses"] for a in merged["actions"]] == [[0, 1, 2], [1, 2]]
        assert merged["actions"][1]["internal"] is True
        assert merged["summary"] == "Written in the second tab."
        assert merged["impact"] == FULL_DOCUMENT["impact"] + " And more."
        assert merged["severity"] == "SEV1"
        assert merged["started_at"] == "2025-10-03T09:10:00+02:00"
        assert merged["follow_up_held_on"] == "2025-12-06"
        assert merged["follow_up_outcome"] == "Written in the second tab, too."
        assert merged["internal_parts"] == ["impact", "lessons.went_well", "lessons.went_wrong"]
        assert "no_single_root_cause" not in merged
        # The first author's page had nothing unsaved: it shows all of it without a reload.
        expect(first.locator("#summary")).to_have_value("Written in the second tab.",
                                                       timeout=20_000)
        expect(first.locator("#severity")).to_have_value("SEV1")
        expect(first.locator("#conflict-panel")).to_be_hidden()
    finally:
        first_context.close()
        second_context.close()


def test_their_new_action_item_keeps_its_links_to_factors(
    browser: Browser, live_server: LiveServer
) -> None:
    """Their new action item links to a factor the page added after it loaded: the row comes
    from the page's template, which had no checkbox for that factor, and the link survives."""
    report_id = live_server.create_report(copy.deepcopy(FULL_DOCUMENT))
    context = browser.new_context()
    try:
        second = context.new_page()
        _open(second, live_server, report_id)
        _stale(second)
        # This author adds a factor; someone else then adds an action item for factors 2 and 4
        # and rewords the new factor, through the API.
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
        expect(second.locator("#save-status")).to_have_text(SAVED)
        # Nothing was written twice: merged, and the page took theirs in.
        expect(second.locator("#conflict-panel")).to_be_hidden()
        expect(second.locator("#actions-2-addresses-3")).to_be_checked()
        expect(second.locator("#actions-2-addresses-1")).to_be_checked()
        expect(second.locator("#factors-3-description")).to_have_value(
            "A fourth factor, theirs.")
        merged = live_server.report(report_id)
        assert merged["actions"][2]["addresses"] == [1, 3]
        assert merged["factors"][3]["description"] == "A fourth factor, theirs."
        assert merged["summary"] == "Mine."
    finally:
        context.close()


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
    # Only the summary, which both wrote, is asked about; the rest is merged and on the page.
    expect(panel.locator("[data-conflict]")).to_have_count(1)
    expect(panel.locator('[data-conflict="summary"]')).to_be_visible()
    expect(page.locator("#summary")).to_have_value("Written without JavaScript.")
    expect(page.locator("#actions-0-addresses-1")).to_be_checked()
    expect(page.locator("#actions-1-addresses-2")).to_be_checked()
    expect(page.locator('[data-rows="timeline"] > [data-row]')).to_have_count(5)
    _axe(page, "the editor showing the merge panel without JavaScript")
