"""Guidance in a real Chromium: wording hints, the readiness panel and durations follow typing.

Uses the live server and browser fixtures of ``tests/browser_fixtures.py``.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser_fixtures import LiveServer

# The advice is asked for 400 ms after typing stops and usually shows within a second; the
# wait is generous so a busy machine does not fail the test (speed is measured in bench/).
ADVICE_WAIT = 10_000

pytestmark = pytest.mark.browser


def open_report(page: Page, live_server: LiveServer, document: dict[str, Any] | None = None) -> int:
    report_id = live_server.create_report(document or {})
    page.goto(live_server.editor_url(report_id))
    return report_id


def check(page: Page, check_id: str) -> Any:
    return page.locator(f'#readiness-list [data-check="{check_id}"]')


def test_a_blaming_sentence_gets_a_hint_within_a_second_and_fixing_it_clears_it(
    page: Page, live_server: LiveServer
) -> None:
    open_report(page, live_server)
    hints = page.locator("#summary-hints")
    expect(hints).to_be_hidden()
    page.locator("#summary").press_sequentially("The change went out. It was human error.",
                                                 delay=5)
    expect(hints).to_be_visible(timeout=ADVICE_WAIT)
    expect(hints.locator('[data-rule="human-error"] .hint-excerpt')).to_have_text("human error")
    expect(page.locator("#summary")).to_have_attribute("aria-describedby", "summary-hint "
                                                                            "summary-hints")

    page.locator("#summary").fill(
        "The change went out. The deploy tool accepted a route to a retired gateway.")
    expect(hints).to_be_hidden(timeout=ADVICE_WAIT)
    expect(page.locator("#summary")).to_have_attribute("aria-describedby", "summary-hint")


def test_hints_appear_in_rows_added_on_the_page(page: Page, live_server: LiveServer) -> None:
    open_report(page, live_server)
    page.locator('[data-add-row="factors"]').click()
    page.locator("#factors-0-description").fill("The on-call engineer missed the page.")
    expect(page.locator("#factors-0-description-hints [data-rule='person-lapse']")).to_be_visible(
        timeout=ADVICE_WAIT)


def test_the_readiness_panel_follows_the_edits(page: Page, live_server: LiveServer) -> None:
    open_report(page, live_server)
    status = page.locator("#readiness-status")
    expect(status).to_have_text("2 of 12 done, 10 still to do.")
    expect(status).to_have_attribute("role", "status")

    # A link in the panel takes the author to the field.
    check(page, "apology").get_by_role("link").click()
    expect(page.locator("#apology")).to_be_focused()
    page.keyboard.type("We are sorry that for two hours your customers could not pay.")
    expect(check(page, "apology")).to_have_class("check check-met", timeout=ADVICE_WAIT)
    expect(status).to_have_text("3 of 12 done, 9 still to do.")

    page.locator('[data-add-row="factors"]').click()
    page.locator("#factors-0-description").fill("The routing table listed a retired gateway.")
    page.locator("#factors-0-root_cause").check()
    expect(check(page, "root_cause")).to_have_class("check check-met", timeout=ADVICE_WAIT)
    expect(check(page, "root_causes_addressed")).to_contain_text("Factor 1 (root cause)")

    page.locator('[data-add-row="actions"]').click()
    links = page.locator("#actions-0-addresses")
    expect(links.get_by_label("Factor 1 (root cause): The routing table listed a retired "
                              "gateway.")).to_be_visible()
    links.get_by_label("Factor 1", exact=False).check()
    expect(check(page, "root_causes_addressed")).to_have_class("check check-met",
                                                               timeout=ADVICE_WAIT)
    missing = check(page, "actions_complete")
    expect(missing.get_by_role("link")).to_have_attribute("href", "#actions-0-description")

    # Removing the factor undoes what it made true.
    page.locator("#factors-0 [data-row-action='remove']").click()
    expect(check(page, "factors")).to_have_class("check check-missing", timeout=ADVICE_WAIT)
    expect(links.locator(".factor-links-empty")).to_be_visible()


def test_durations_follow_the_times(page: Page, live_server: LiveServer) -> None:
    open_report(page, live_server)
    total = page.locator("#metric-total_duration")
    expect(total).to_have_text("Not known yet")
    page.locator("#timezone").fill("Europe/Paris")
    page.locator("#started_at").fill("2026-10-25T01:30")
    page.locator("#detected_at").fill("2026-10-25T02:10")
    page.locator("#resolved_at").fill("2026-10-25T03:20")
    # The clocks went back at 03:00.
    expect(total).to_have_text("2 hours 50 minutes", timeout=ADVICE_WAIT)
    expect(page.locator("#metric-time_to_detect")).to_have_text("40 minutes")
    expect(page.locator("#metric-time_to_resolve")).to_have_text("2 hours 10 minutes")


def test_ticks_stay_on_their_factor_when_factors_move(
    page: Page, live_server: LiveServer, sample_document: dict[str, Any]
) -> None:
    document = copy.deepcopy(sample_document)
    document["actions"][0]["addresses"] = [1]  # deals with the release checklist
    report_id = open_report(page, live_server, document)
    first = page.locator("#actions-0-addresses")
    expect(first.locator("input:checked")).to_have_count(1)
    page.locator("#factors-0 [data-row-action='down']").click()
    expect(first.get_by_label("Factor 1: The release checklist", exact=False)).to_be_checked()
    expect(first.get_by_label("Factor 2 (root cause)", exact=False)).not_to_be_checked()
    page.locator("#factors-1 [data-row-action='remove']").click()
    expect(first.locator("input")).to_have_count(1)
    expect(first.locator("input")).to_be_checked()
    page.wait_for_function("() => !window.hindsightEditor.hasUnsavedChanges()", timeout=5000)
    stored = live_server.report(report_id)
    assert stored["factors"] == [sample_document["factors"][1]]
    assert stored["actions"][0]["addresses"] == [0]


def test_axe_with_hints_and_panel_visible(
    page: Page, live_server: LiveServer, sample_document: dict[str, Any], screenshots: Path
) -> None:
    document = copy.deepcopy(sample_document)
    document["summary"] = "Dana failed to check the routing table. It was human error."
    document["impact"] = "Orders failed."
    document["actions"][1]["owner"] = ""
    open_report(page, live_server, document)
    expect(page.locator("#summary-hints")).to_be_visible()
    expect(page.locator("#readiness .check-missing")).to_have_count(4)
    page.locator("#went_wrong").fill("The reviewer should have known.")
    expect(page.locator("#went_wrong-hints")).to_be_visible(timeout=ADVICE_WAIT)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    page.locator("#readiness").screenshot(path=str(screenshots / "guidance-panel.png"))
    page.locator("#understand").screenshot(path=str(screenshots / "guidance-hints.png"))
    page.screenshot(path=str(screenshots / "editor-guidance.png"), full_page=True)


def test_send_for_review_lists_what_blocks_it_then_publish_locks_the_page(
    page: Page, live_server: LiveServer, sample_document: dict[str, Any]
) -> None:
    report_id = open_report(page, live_server, copy.deepcopy(sample_document))
    page.get_by_role("button", name="Send for review").click()
    summary = page.locator("#review-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(1)
    summary.get_by_role("link").click()  # to the factor links of the first action
    page.locator("#actions-0-addresses").get_by_label("Factor 1", exact=False).check()
    page.get_by_role("button", name="Send for review").click()
    expect(page.locator(".page-heading .tag")).to_have_text("In review")
    assert live_server.report(report_id)["actions"][0]["addresses"] == [0]

    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".page-heading .tag")).to_have_text("Published")
    expect(page.locator("#summary")).to_be_disabled()
    assert Axe().run(page).violations_count == 0
    page.get_by_role("button", name="Reopen to make changes").click()
    expect(page.locator("#summary")).to_be_enabled()
    assert live_server.report(report_id)["status"] == "draft"


def test_the_checklist_counts_the_advice_and_a_hint_set_aside_is_seen_by_the_reviewer(
    page: Page, live_server: LiveServer, sample_document: dict[str, Any]
) -> None:
    document = copy.deepcopy(sample_document)
    document["actions"][0]["addresses"] = [0]  # otherwise ready for review
    report_id = open_report(page, live_server, document)
    status = page.locator("#readiness-status")
    expect(status).to_have_text("All 12 done: the report is ready for review.")
    page.locator("#apology").fill("We apologise for any inconvenience this may have caused.")
    page.locator("#summary").fill("John forgot to check the backups. The OOM killer stopped "
                                  "the checkout.")
    for check_id in ("apology", "plain_words", "blameless"):
        expect(check(page, check_id)).to_have_class("check check-missing", timeout=2000)
    expect(status).to_have_text("9 of 12 done, 3 still to do.")
    expect(check(page, "blameless").get_by_role("link")).to_have_attribute("href", "#summary")
    check(page, "blameless").get_by_role("link").click()
    expect(page.locator("#summary")).to_be_focused()

    # Set the blaming hint aside, with a reason: it stops counting, and stays set aside.
    hint = page.locator("#summary-hints .hint-group-blameless .field-hint").first
    hint.get_by_text("Set this hint aside").click()
    hint.get_by_label("Why it does not apply here").fill("A quote from the client's email.")
    hint.get_by_role("button", name="Set aside").click()
    expect(check(page, "blameless")).to_have_class("check check-met", timeout=5000)
    expect(status).to_have_text("10 of 12 done, 2 still to do.")
    expect(page.locator("#set-aside")).to_contain_text("A quote from the client's email.")
    assert live_server.report(report_id)["summary"].startswith("John forgot")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()

    # "Send for review" still lists what is left, and not the hint set aside.
    page.get_by_role("button", name="Send for review").click()
    summary = page.locator("#review-summary")
    expect(summary.get_by_role("link")).to_have_count(2)
    expect(summary).not_to_contain_text("blames")

    # The reviewer sees it and why on the read-only view, and restores it.
    page.goto(live_server.url + f"/reports/{report_id}/comments")
    listed = page.locator("#set-aside")
    expect(listed).to_contain_text("John forgot")
    expect(listed).to_contain_text("A quote from the client's email.")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    listed.get_by_role("button", name="Restore the hint").click()
    expect(page.locator("#set-aside")).to_have_count(0)
    page.goto(live_server.editor_url(report_id))
    expect(check(page, "blameless")).to_have_class("check check-missing")


def test_a_published_report_shows_its_true_checklist_and_no_save(
    page: Page, live_server: LiveServer, sample_document: dict[str, Any]
) -> None:
    document = copy.deepcopy(sample_document)
    document["actions"][0]["addresses"] = [0]
    open_report(page, live_server, document)
    page.get_by_role("button", name="Send for review").click()
    expect(page.locator(".page-heading .tag")).to_have_text("In review")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".page-heading .tag")).to_have_text("Published")
    for _ in range(2):  # as published, and after a reload
        status = page.locator("#readiness-status")
        expect(status).to_have_text("All 12 done: the report is ready for review.")
        page.wait_for_timeout(1200)  # the live guidance has answered by now
        expect(status).to_have_text("All 12 done: the report is ready for review.")
        expect(page.locator("#readiness .check-missing")).to_have_count(0)
        expect(page.get_by_role("button", name="Save", exact=True)).to_have_count(0)
        assert Axe().run(page).violations_count == 0
        page.reload()
