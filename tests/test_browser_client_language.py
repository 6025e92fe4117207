"""The apology coach, plain-language hints and reading ease in a real Chromium, while typing.

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

LONG_SUMMARY = (
    "On Tuesday our card payments stopped for two hours. Your customers could not pay for their "
    "orders, and some of them tried many times. A change we made sent payments to an old system. "
    "We have put it right."
)


def open_report(page: Page, live_server: LiveServer, document: dict[str, Any] | None = None) -> int:
    report_id = live_server.create_report(document or {})
    page.goto(live_server.editor_url(report_id))
    return report_id


def test_the_apology_coach_appears_within_a_second_and_a_real_apology_clears_it(
    page: Page, live_server: LiveServer
) -> None:
    open_report(page, live_server)
    hints = page.locator("#apology-hints")
    coach = hints.locator('[data-family="apology"]')
    expect(hints).to_be_hidden()
    page.locator("#apology").press_sequentially("We apologise for any inconvenience.", delay=5)
    expect(coach).to_be_visible(timeout=ADVICE_WAIT)
    expect(coach.locator(".field-hints-title")).to_have_text("Apology coach")
    expect(coach.locator('[data-rule="vague-harm"] .hint-excerpt')).to_have_text(
        "any inconvenience")
    expect(coach.locator(".hint-found")).to_have_text([
        "It does not say who was affected.", "It does not say what happened to them.",
        "It does not say when or for how long."])
    expect(coach.locator(".hint-suggestion").first).to_contain_text("Try:")
    expect(page.locator("#apology")).to_have_attribute("aria-describedby",
                                                       "apology-hint apology-hints")

    page.locator("#apology").fill(
        "We are sorry that for two hours on 3 October your customers could not pay.")
    expect(hints).to_be_hidden(timeout=ADVICE_WAIT)
    expect(page.locator("#apology")).to_have_attribute("aria-describedby", "apology-hint")


def test_jargon_in_the_summary_gets_plain_language_hints_and_reading_ease(
    page: Page, live_server: LiveServer
) -> None:
    open_report(page, live_server)
    summary = page.locator("#summary")
    plain = page.locator('#summary-hints [data-family="plain"]')
    score = page.locator("#summary-readability")
    summary.press_sequentially("OOM on k8s", delay=5)
    expect(plain).to_be_visible(timeout=ADVICE_WAIT)
    expect(plain.locator(".field-hints-title")).to_have_text("Words a client may not know")
    expect(plain.locator(".field-hint")).to_have_count(2)
    expect(plain.locator('[data-rule="oom"]')).to_contain_text(
        "“OOM (the server ran out of memory)”")
    expect(plain.locator('[data-rule="k8s"] .hint-excerpt')).to_have_text("k8s")
    expect(score).to_have_text("Reading ease is shown from 30 words; this part has 3.")

    summary.fill(LONG_SUMMARY)
    expect(plain).to_have_count(0, timeout=ADVICE_WAIT)
    expect(score).to_contain_text("Reading ease", timeout=5000)
    expect(score).to_contain_text("on target: aim for 60 or more for a general audience.")
    expect(score).not_to_have_class("field-readability readability-low")


def test_a_factor_is_checked_for_plain_language_while_it_is_a_root_cause(
    page: Page, live_server: LiveServer
) -> None:
    open_report(page, live_server)
    page.locator('[data-add-row="factors"]').click()
    page.locator("#factors-0-description").fill("A deadlock in the DB.")
    plain = page.locator('#factors-0-description-hints [data-family="plain"]')
    score = page.locator("#factors-0-description-readability")
    page.wait_for_timeout(700)  # the guidance has answered: nothing for a plain factor
    expect(plain).to_have_count(0)
    expect(score).to_be_hidden()
    page.locator("#factors-0-root_cause").check()
    expect(plain.locator(".field-hint")).to_have_count(2, timeout=ADVICE_WAIT)
    expect(score).to_be_visible()
    page.locator("#factors-0-root_cause").uncheck()
    expect(plain).to_have_count(0, timeout=ADVICE_WAIT)
    expect(score).to_be_hidden()


def test_axe_with_the_coach_and_plain_language_hints_visible(
    page: Page, live_server: LiveServer, sample_document: dict[str, Any], screenshots: Path
) -> None:
    document = copy.deepcopy(sample_document)
    document["apology"] = ("We apologise for any inconvenience this may have caused, and thank "
                           "you for your patience.")
    document["summary"] = ("The pods on k8s were OOM-killed after the deploy, so the p99 latency "
                           "of the checkout API went up.")
    document["impact"] = LONG_SUMMARY
    open_report(page, live_server, document)
    expect(page.locator('#apology-hints [data-family="apology"]')).to_be_visible()
    expect(page.locator('#summary-hints [data-family="plain"] .field-hint')).to_have_count(6)
    expect(page.locator("#impact-readability")).to_contain_text("Reading ease")
    page.locator("#summary").fill(document["summary"] + " It was human error.")
    expect(page.locator('#summary-hints [data-family="blameless"]')).to_be_visible(
        timeout=ADVICE_WAIT)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    # Whole-page shots clipped to the part, so the sticky save bar does not cover its heading.
    for selector, name in (("#apologise", "apology-coach.png"),
                           ('[data-field="summary"]', "plain-language.png")):
        page.evaluate("window.scrollTo(0, 0)")
        box = page.locator(selector).bounding_box()
        assert box is not None
        page.screenshot(path=str(screenshots / name), full_page=True, clip=box)
