"""The guided page by keyboard and through the accessibility tree, beyond what axe-core finds.

- WCAG 2.4.11: Tab and Shift+Tab through a 20-row report never leave the focused control under
  the sticky save bar (1280x720, a 390 px phone, and 1280x720 at 400 % zoom); nor do the links
  of the error summary and of the readiness panel.
- WCAG 4.1.3: new writing advice is announced once, politely, in a few words; the autosave is
  quiet and says only what matters (not saved, offline, saved again).
- A refused Save takes the focus to the error summary and puts "Error:" in the window's title;
  after an export the result is in ``main`` and has the focus.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser_fixtures import DEFAULT_TIMEOUT_MS, LiveServer, long_report_document

pytestmark = pytest.mark.browser

# "Saved at 09:23 CET": the time of day in the report's zone, the zone named.
SAVED = re.compile(r"Saved at \d{1,2}:\d{2} (?:[A-Z]{2,5}|UTC[+-]\d{1,2}(?::\d{2})?)")

# Where the focused element is, against the save bar: None when it is in view and not under
# the bar (any part of it), else what is wrong.
COVERED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) { return null; }
    const bar = document.querySelector('.save-bar');
    const r = el.getBoundingClientRect();
    const name = el.id || el.name || el.tagName + ' ' + (el.textContent || '').trim().slice(0, 40);
    if (!r.width && !r.height) { return null; }
    if (r.bottom <= 0 || r.top >= innerHeight) {
        return {name, problem: 'out of view', top: r.top, bottom: r.bottom};
    }
    if (!bar || bar.contains(el)) { return null; }
    const position = getComputedStyle(bar).position;
    if (position !== 'sticky' && position !== 'fixed') { return null; }
    const b = bar.getBoundingClientRect();
    if (r.top < b.bottom - 0.5 && r.bottom > b.top + 0.5) {
        const how = r.bottom <= b.bottom ? 'completely' : 'partly';
        return {name, problem: how + ' under the bar', top: r.top, bottom: r.bottom,
                barBottom: b.bottom};
    }
    return null;
}"""

FOCUSED = "() => document.activeElement === document.body ? null : document.activeElement"


@pytest.fixture
def make_context(browser: Browser) -> Iterator[Any]:
    made: list[BrowserContext] = []

    def make(width: int, height: int, zoom: float = 1) -> Page:
        context = browser.new_context(viewport={"width": width, "height": height},
                                      device_scale_factor=zoom, locale="en-GB")
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        made.append(context)
        return context.new_page()

    yield make
    for context in made:
        context.close()


def open_long_report(page: Page, server: LiveServer) -> int:
    report = server.create_report(long_report_document())
    page.goto(server.editor_url(report))
    page.wait_for_function("() => !!window.hindsightEditor")
    return report


def walk(page: Page, key: str, limit: int = 900) -> tuple[int, list[dict[str, Any]]]:
    """Press ``key`` until the focus has gone round the page; every stop is checked."""
    problems: list[dict[str, Any]] = []
    seen = 0
    first = None
    for _ in range(limit):
        page.keyboard.press(key)
        where = page.evaluate("""() => { const el = document.activeElement;
            if (!el.dataset.walk) { el.dataset.walk = String(Math.random()); }
            return el === document.body ? null : el.dataset.walk; }""")
        if where is None:
            if seen:
                break
            continue
        if where == first:
            break
        first = first or where
        seen += 1
        found = page.evaluate(COVERED)
        if found:
            problems.append(found)
    return seen, problems


@pytest.mark.parametrize("size", [(1280, 720, 1), (390, 844, 1), (320, 180, 4)],
                         ids=["1280x720", "390px-phone", "1280x720-at-400%"])
def test_tab_and_shift_tab_never_leave_the_focus_under_the_save_bar(
    make_context: Any, live_server: LiveServer, size: tuple[int, int, float]
) -> None:
    """(320x180 CSS pixels at a device scale of 4 is 1280x720 zoomed to 400 %.)"""
    page = make_context(*size)
    open_long_report(page, live_server)
    page.locator("body").focus()
    stops, forward = walk(page, "Tab")
    assert stops > 300, stops  # the whole page, 20 rows of it
    assert forward == [], forward[:5]
    page.locator(".danger-zone button").focus()
    stops_back, backward = walk(page, "Shift+Tab")
    assert stops_back > 300, stops_back
    assert backward == [], backward[:5]


def test_summary_and_readiness_links_put_their_field_below_the_bar(
    make_context: Any, live_server: LiveServer
) -> None:
    page = make_context(1280, 720)
    report = live_server.create_report({"title": "Times in the wrong order"})
    page.goto(live_server.editor_url(report))
    page.wait_for_function("() => !!window.hindsightEditor")

    # The readiness panel: each thing still to do leads to its field, focused and in view.
    links = page.locator("#readiness-list .check-missing a")
    count = links.count()
    assert count >= 5
    for index in range(count):
        link = links.nth(index)
        target = link.get_attribute("href")
        assert target
        page.evaluate("() => window.scrollTo(0, 0)")
        link.click()
        focused = page.evaluate_handle(FOCUSED)
        assert focused.evaluate("e => !!e"), target
        held = focused.evaluate(f"(e) => e.id === '{target[1:]}' || "
                                f"!!e.closest('#{target[1:]}')")
        assert held, (target, focused.evaluate("e => e.id"))
        assert page.evaluate(COVERED) is None, target

    # The error summary: each error leads to its field.
    page.fill("#started_at", "2026-10-03T09:00")
    page.fill("#detected_at", "2026-10-03T09:30")
    page.fill("#resolved_at", "2026-10-03T08:00")
    page.locator("#title").focus()
    summary_links = page.locator("#error-summary a")
    expect(summary_links.first).to_be_visible()
    assert summary_links.count() >= 2
    for index in range(summary_links.count()):
        link = summary_links.nth(index)
        target = link.get_attribute("href")
        page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
        link.click()
        expect(page.locator(str(target))).to_be_focused()
        assert page.evaluate(COVERED) is None, target
        label = page.locator(f"label[for='{str(target)[1:]}']").bounding_box()
        bar = page.locator(".save-bar").bounding_box()
        assert label and bar and label["y"] >= bar["y"] + bar["height"], (target, label, bar)


def test_without_javascript_a_summary_link_lands_below_the_bar(
    scriptless_page: Page, live_server: LiveServer
) -> None:
    page = scriptless_page
    page.set_viewport_size({"width": 1280, "height": 720})
    report = live_server.create_report({"title": "No script"})
    page.goto(live_server.editor_url(report))
    page.fill("#started_at", "2026-10-03T09:00")
    page.fill("#resolved_at", "2026-10-03T08:00")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").first.click()
    expect(page).to_have_title(re.compile("^Error: "))
    page.locator("#error-summary a[href='#resolved_at']").click()
    field = page.locator("#resolved_at").bounding_box()
    bar = page.locator(".save-bar").bounding_box()
    assert field and bar and field["y"] >= bar["y"] + bar["height"], (field, bar)


def test_a_refused_save_focuses_the_summary_and_says_error_in_the_title(
    page: Page, live_server: LiveServer
) -> None:
    page.set_viewport_size({"width": 1280, "height": 720})
    report = live_server.create_report(long_report_document())
    page.goto(live_server.editor_url(report))
    page.wait_for_function("() => !!window.hindsightEditor")
    expect(page).to_have_title(
        "Online payments failed for two hours for customers of Acme Retail in 2017 – Hindsight")

    # The window's title follows the report's title as it is typed.
    page.fill("#title", "Checkout down for EU customers")
    expect(page).to_have_title("Checkout down for EU customers – Hindsight")

    page.fill("#resolved_at", "2025-10-03T08:00")
    save = page.locator(".save-bar").get_by_role("button", name="Save")
    save.focus()
    save.press("Enter")
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(page).to_have_title("Error: Checkout down for EU customers – Hindsight")
    assert page.evaluate(COVERED) is None
    expect(page.locator("#save-announcer")).to_contain_text("Not saved")

    page.fill("#resolved_at", "2025-10-03T11:59")
    expect(page.locator("#save-status")).to_have_text(SAVED)
    expect(summary).to_be_hidden()
    expect(page).to_have_title("Checkout down for EU customers – Hindsight")


def test_every_message_for_a_time_is_beside_it_as_in_the_summary(
    page: Page, live_server: LiveServer
) -> None:
    report = live_server.create_report({"title": "Two problems with one time"})
    page.goto(live_server.editor_url(report))
    page.wait_for_function("() => !!window.hindsightEditor")
    page.fill("#started_at", "2026-10-03T09:00")
    page.fill("#detected_at", "2026-10-03T09:30")
    page.fill("#resolved_at", "2026-10-03T08:00")
    page.locator("#title").focus()
    beside = page.locator("#resolved_at-error")
    expect(beside).to_contain_text("before it was noticed")
    expect(beside).to_contain_text(
        "cannot be resolved (03 Oct 2026 08:00) before it started (03 Oct 2026 09:00). "
        "Check the date and the time of both.")
    in_summary = page.locator("#error-summary a[href='#resolved_at']").all_inner_texts()
    assert len(in_summary) == 2
    for text in in_summary:
        message = text.split(": ", 1)[1]
        assert message in beside.inner_text(), (message, beside.inner_text())


ANNOUNCED = """(id) => {
    window.announced = window.announced || {};
    const said = window.announced[id] = [];
    const region = document.getElementById(id);
    new MutationObserver(() => {
        if (region.textContent.trim()) { said.push(region.textContent.trim()); }
    }).observe(region, {childList: true, characterData: true, subtree: true});
}"""


def announced(page: Page, region: str) -> list[str]:
    return page.evaluate(f"() => window.announced['{region}']")


def test_autosave_is_quiet_and_says_only_what_matters(
    page: Page, live_server: LiveServer
) -> None:
    report = live_server.create_report({"title": "Quiet saving"})
    page.goto(live_server.editor_url(report))
    page.wait_for_function("() => !!window.hindsightEditor")
    status = page.locator("#save-status")
    assert status.get_attribute("role") is None and status.get_attribute("aria-live") is None
    page.evaluate(ANNOUNCED, "save-announcer")

    # Typing and saving as usual: shown in the bar, never announced.
    page.click("#summary")
    page.keyboard.type("Payments failed for two hours.", delay=15)
    expect(status).to_have_text(SAVED, timeout=8_000)
    page.keyboard.type(" They failed for every customer.", delay=15)
    page.locator("#title").focus()
    expect(status).to_have_text(SAVED, timeout=8_000)
    page.wait_for_function("() => !window.hindsightEditor.hasUnsavedChanges()")
    assert announced(page, "save-announcer") == []

    # Offline: said once, however often the page tries again; back online: saved, said.
    page.context.set_offline(True)
    page.fill("#impact", "Typed with the network cable out.")
    expect(status).to_contain_text("Offline", timeout=8_000)
    page.wait_for_timeout(4_000)  # one more try, three seconds later
    said = announced(page, "save-announcer")
    assert len(said) == 1 and said[0].startswith("Offline"), said
    page.context.set_offline(False)
    expect(status).to_have_text(SAVED, timeout=8_000)
    page.wait_for_timeout(200)
    said = announced(page, "save-announcer")
    assert len(said) == 2 and SAVED.fullmatch(said[1]), said

    # The Save button: its answer is said even when nothing else changed.
    page.locator(".save-bar").get_by_role("button", name="Save").click()
    page.wait_for_function("() => window.announced['save-announcer'].length === 3")
    assert SAVED.fullmatch(announced(page, "save-announcer")[2])


def test_new_advice_is_announced_once_in_a_few_words(page: Page, live_server: LiveServer) -> None:
    report = live_server.create_report({"title": "Advice"})
    page.goto(live_server.editor_url(report))
    page.wait_for_function("() => !!window.hindsightGuidance")
    region = page.locator("#advice-announcer")
    expect(region).to_have_attribute("aria-live", "polite")
    page.evaluate(ANNOUNCED, "advice-announcer")

    page.fill("#apology", "We apologise for any inconvenience.")
    expect(page.locator("#apology-hints")).to_be_visible()
    expect(region).to_have_text(re.compile(r"^\d+ suggestions for Our apology\.$"))
    count = len(page.locator("#apology-hints .field-hint").all())
    expect(region).to_have_text(f"{count} suggestions for Our apology.")

    # More typing that brings no new advice says nothing more.
    page.locator("#apology").press("End")
    page.keyboard.type(" We will do better.", delay=10)
    page.wait_for_timeout(1_200)
    assert announced(page, "advice-announcer") == [f"{count} suggestions for Our apology."]

    # Advice in a row names the row.
    page.get_by_role("button", name="Add an event").click()
    page.fill("#timeline-0-description", "The on-call engineer failed to check the dashboard.")
    page.wait_for_function("() => window.announced['advice-announcer'].length === 2")
    assert re.fullmatch(r"\d+ suggestions? for What happened, event 1\.",
                        announced(page, "advice-announcer")[1])


def test_after_an_export_the_result_is_in_main_focused_and_says_where(
    page: Page, live_server: LiveServer
) -> None:
    report = live_server.create_report(long_report_document(3, 1, 1))
    page.goto(live_server.editor_url(report))
    page.get_by_role("button", name="Export as Markdown").click()
    result = page.locator("main #flash-messages")
    expect(result).to_contain_text("Exported as Markdown")
    expect(result).to_be_focused()
    path = Path(result.locator("code").inner_text())
    assert path.is_absolute() and path.suffix == ".md" and path.is_file(), path
    assert path.is_relative_to(live_server.instance_path)

    # The shared folder's own index, from the app, and a file from it.
    page.get_by_role("link", name="Open the shared folder’s index").click()
    expect(page).to_have_url(re.compile(r"/shared-folder/$"))
    expect(page.get_by_role("heading", name="Incident reports", level=1)).to_be_visible()
    row = page.locator("tr", has_text="Online payments failed for two hours")
    with page.expect_download() as download:
        row.get_by_role("link", name=re.compile("Markdown")).click()
    assert download.value.suggested_filename == path.name


def test_the_editor_links_to_the_read_only_view(page: Page, live_server: LiveServer) -> None:
    report = live_server.create_report({"title": "Seen by stakeholders"})
    page.goto(live_server.editor_url(report))
    page.get_by_role("link", name="Read-only view for stakeholders").click()
    expect(page).to_have_url(re.compile(rf"/reports/{report}/view$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Seen by stakeholders")
