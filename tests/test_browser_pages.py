"""The other pages in a real browser: the library, action items, follow-ups, history, the bin and
the stakeholders' view; each is checked with axe-core and used as a person would."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser_fixtures import LiveServer
from tests.conftest import SAMPLE_DOCUMENT

pytestmark = pytest.mark.browser


def assert_accessible(page: Page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.fixture(scope="module")
def reports(live_server: LiveServer) -> Iterator[list[int]]:
    ids = []
    for index, service in enumerate(["checkout", "search", "login"]):
        document: dict[str, Any] = copy.deepcopy(SAMPLE_DOCUMENT)
        document.update(title=f"{service.capitalize()} outage number {index}", service=service,
                        follow_up_review_on="2026-01-15")
        # An owner no other test uses, so the counts below are this module's alone.
        document["actions"][1]["owner"] = "Pages test owners"
        ids.append(live_server.create_report(document))
    yield ids


def test_library_search_filter_and_open_a_report(
    page: Page, live_server: LiveServer, reports: list[int]
) -> None:
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="Incident reports", level=1)).to_be_visible()
    expect(page.locator(".figures")).to_contain_text("open action items")
    assert_accessible(page)
    page.get_by_label("Search").fill("search outage")
    page.get_by_role("button", name="Show reports").click()
    expect(page.locator(".report-list tbody tr")).to_have_count(1)
    expect(page.locator(".report-list")).to_contain_text("Search outage number 1")
    page.get_by_label("Service").select_option("login")
    page.get_by_label("Search").fill("")
    page.get_by_role("button", name="Show reports").click()
    expect(page.locator(".report-list")).to_contain_text("Login outage number 2")
    page.get_by_role("link", name="Login outage number 2", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/reports/{reports[2]}$"))


def test_stakeholder_view_reads_like_the_export(
    page: Page, live_server: LiveServer, reports: list[int]
) -> None:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" else None)
    page.goto(f"{live_server.url}/reports/{reports[0]}/view")
    expect(page.get_by_role("heading", level=1)).to_have_text("Checkout outage number 0")
    expect(page.locator("body")).to_contain_text("Remove retired gateways")
    expect(page.locator(".view-banner")).to_contain_text("read-only view for stakeholders")
    # The export's inline stylesheet is allowed by hash: the page is styled, nothing refused.
    assert page.evaluate(
        "getComputedStyle(document.querySelector('.eyebrow')).color") != "rgb(0, 0, 0)"
    assert not [e for e in errors if "Content Security Policy" in e], errors
    assert_accessible(page)


def test_action_items_mark_done(page: Page, live_server: LiveServer, reports: list[int]) -> None:
    page.goto(live_server.url + "/actions")
    assert_accessible(page)
    rows = page.locator(".action-list tbody tr")
    assert rows.count() >= 6
    page.get_by_label("Owner").select_option("Pages test owners")
    page.get_by_role("button", name="Show").click()
    expect(rows).to_have_count(3)
    rows.first.get_by_role("button", name=re.compile("Mark as done")).click()
    expect(page.locator(".notice")).to_contain_text("Marked as done")
    expect(rows).to_have_count(2)


def test_follow_ups_history_and_bin(page: Page, live_server: LiveServer,
                                    reports: list[int]) -> None:
    page.goto(live_server.url + "/follow-ups")
    expect(page.locator("table")).to_contain_text("Checkout outage number 0")
    assert_accessible(page)

    report_id = live_server.create_report({"title": "To be deleted", "summary": "First."})
    _, body = live_server.api("GET", f"/api/reports/{report_id}")
    live_server.api("PUT", f"/api/reports/{report_id}", {**body, "summary": "Second."})
    page.goto(f"{live_server.url}/reports/{report_id}/history")
    assert_accessible(page)
    page.get_by_role("link", name="Version 1").click()
    expect(page.locator(".revision")).to_contain_text("First.")
    page.get_by_role("button", name="Bring back this version").click()
    expect(page.locator("#summary")).to_have_value("First.")

    page.get_by_role("button", name="Move this report to the bin").click()
    expect(page.get_by_role("heading", name="Bin")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("Put back")).first.click()
    expect(page.locator("#title")).to_have_value("To be deleted")


def test_the_chart_tells_severities_apart_by_more_than_colour(
    page: Page, live_server: LiveServer
) -> None:
    """SEV2 and SEV3 are 1.05:1 apart in colour: each severity also has a pattern, and the
    legend that names them is read by screen readers."""
    recent = (datetime.now(UTC) - timedelta(days=3)).replace(microsecond=0).isoformat()
    for severity in ("SEV2", "SEV3"):
        live_server.create_report({"title": f"A {severity} incident for the chart",
                                   "severity": severity, "started_at": recent})
    page.goto(live_server.url + "/")
    fills = {}
    for severity in ("SEV2", "SEV3"):
        bar = page.locator(f".chart-svg rect[data-severity='{severity}']").first
        fill = bar.get_attribute("fill") or ""
        pattern = re.fullmatch(r"url\(#([\w-]+)\)", fill)
        assert pattern, fill
        fills[severity] = page.locator(f"pattern#{pattern.group(1)}").inner_html()
        swatch = page.locator(f".chart-legend li[data-severity='{severity}'] rect")
        assert swatch.get_attribute("fill") == fill  # the key shows the bars' own pattern
    assert fills["SEV2"] != fills["SEV3"]
    assert "<circle" in fills["SEV3"] and "<circle" not in fills["SEV2"]

    legend = page.locator(".chart-legend")
    assert legend.get_attribute("aria-hidden") is None
    expect(legend).to_match_aria_snapshot(
        '- list "Key":\n'
        '  - listitem: SEV1 (solid)\n'
        '  - listitem: SEV2 (stripes)\n'
        '  - listitem: SEV3 (dots)\n'
        '  - listitem: SEV4 (lines)\n'
        '  - listitem: Not rated (grid)\n')
    assert page.locator(".chart-svg").get_attribute("aria-describedby") == "chart-legend"
    assert_accessible(page)
