"""A long timeline in a real browser: its events shown as text, "Edit" opening one in place,
others' changes showing in the text, with and without the page's script, at 1280 and 390 px."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.browser_fixtures import LiveServer, long_report_document
from tests.test_browser_phone import PHONE, horizontal_overflow

pytestmark = pytest.mark.browser
SAVED = re.compile(r"Saved at \d{1,2}:\d{2}")
EVENTS = 60
CHANGED = "Changed on the other page: Dana forgot to restart the server."


def _document() -> dict[str, Any]:
    """A long report with every kind of field, its events inside the incident and without
    writing advice: every event is shown as text."""
    document = long_report_document(events=EVENTS)
    document["resolved_at"] = "2025-10-03T19:30:00+02:00"
    for number, event in enumerate(document["timeline"], start=1):
        event["description"] = f"Event {number}: the error rate was checked again."
    return document


def _axe(page: Page, where: str) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, f"axe on {where}:\n{results.generate_report()}"


def _open(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_function("() => !!window.hindsightEditor && !!window.hindsightGuidance")


def test_edit_opens_an_event_in_place_and_others_changes_show_in_the_text(
        browser: Browser, page: Page, live_server: LiveServer) -> None:
    report_id = live_server.create_report(_document())
    url = live_server.editor_url(report_id)
    events = live_server.report(report_id)["timeline"]
    _open(page, url)
    expect(page.locator("[data-closed]")).to_have_count(EVENTS)
    _axe(page, "a long timeline shown as text (1280 px)")

    # Edit event 40: its inputs in its place, filled, the cursor in the first; no request.
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if r.method == "POST" else None)
    page.get_by_role("button", name="Edit event 40", exact=True).click()
    row = page.locator("#timeline-39")
    expect(row.locator("#timeline-39-at")).to_be_focused()
    expect(row.locator("#timeline-39-description")).to_have_value(events[39]["description"])
    expect(row.locator("#timeline-39-at")).to_have_value(events[39]["at"][:16])
    expect(row.locator("#timeline-39-kind")).to_have_value(events[39]["kind"])
    expect(row.locator("#timeline-39-internal")).to_be_checked(checked=events[39]["internal"])
    expect(row.locator("#timeline-39-contributing")).to_be_checked(
        checked=events[39]["contributing"])
    assert not [u for u in requests if u == url]  # opening sends nothing to save
    expect(page.locator("[data-closed]")).to_have_count(EVENTS - 1)
    _axe(page, "a long timeline with one event opened")

    row.locator("#timeline-39-description").fill("Edited in place:\nthe second line.")
    page.locator("#title").focus()
    expect(page.locator("#save-status")).to_have_text(SAVED, timeout=20_000)
    assert live_server.report(report_id)["timeline"][39]["description"] == \
        "Edited in place:\nthe second line."
    page.reload()
    page.wait_for_function("() => !!window.hindsightEditor")
    expect(page.locator("#timeline-39 .row-text")).to_have_text(
        "Edited in place:\nthe second line.")
    expect(page.locator("[data-closed]")).to_have_count(EVENTS)

    # Another author opens event 11 (closed on this page), changes its words and its ticks.
    other_context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        other = other_context.new_page()
        _open(other, f"{url}?open={events[10]['id']}")
        expect(other.locator("#timeline-10-description")).to_be_visible()
        other.locator("#timeline-10-description").fill(CHANGED)
        other.locator("#timeline-10-outside_window").check()
        other.locator("#timeline-10-internal").check()
        other.locator("#title").focus()
        expect(other.locator("#save-status")).to_have_text(SAVED, timeout=20_000)
    finally:
        other_context.close()
    closed = page.locator("#timeline-10")
    expect(closed.locator(".row-text")).to_have_text(CHANGED, timeout=20_000)
    expect(closed.locator(".row-tags")).to_contain_text("Outside the window")
    expect(closed.locator(".tag-internal")).to_be_visible()
    expect(closed.locator('input[name="timeline-10-internal"]')).to_have_count(1)
    expect(closed).to_have_attribute("data-closed", "")
    # The writing advice on its new words shows in the closed row, under its text.
    advice = closed.locator("#timeline-10-description-hints")
    expect(advice).to_be_visible(timeout=20_000)
    expect(advice).to_contain_text("Wording to reconsider")
    # Said to a screen reader with the field's name, though the closed row shows no label.
    expect(page.locator("#advice-announcer")).to_contain_text(
        "for What happened, event 11", timeout=20_000)
    # Taken in, not typed here: nothing to save; opened, it shows the new values and the advice.
    page.get_by_role("button", name="Edit event 11", exact=True).click()
    text = page.locator("#timeline-10-description")
    expect(text).to_have_value(CHANGED)
    expect(page.locator("#timeline-10-outside_window")).to_be_checked()
    expect(page.locator("#timeline-10 #timeline-10-description-hints")).to_be_visible()
    assert "timeline-10-description-hints" in (text.get_attribute("aria-describedby") or "")
    assert page.evaluate("() => window.hindsightEditor.hasUnsavedChanges()") is False


def test_on_a_phone_nothing_scrolls_sideways_and_edit_works_from_the_keyboard(
        browser: Browser, live_server: LiveServer) -> None:
    report_id = live_server.create_report(_document())
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    try:
        page = context.new_page()
        _open(page, live_server.editor_url(report_id))
        found = horizontal_overflow(page)
        assert found["scrollWidth"] <= found["innerWidth"], found
        _axe(page, "a long timeline shown as text (390 px)")
        edit = page.get_by_role("button", name="Edit event 30", exact=True)
        edit.focus()
        page.keyboard.press("Enter")
        expect(page.locator("#timeline-29-at")).to_be_focused()
        found = horizontal_overflow(page)
        assert found["scrollWidth"] <= found["innerWidth"], found
        _axe(page, "a long timeline with one event opened (390 px)")
    finally:
        context.close()


def test_without_script_edit_shows_the_event_with_its_inputs(
        nojs_page: Page, scriptless_page: Page, live_server: LiveServer) -> None:
    report_id = live_server.create_report(_document())
    url = live_server.editor_url(report_id)
    nojs_page.goto(url)
    nojs_page.locator("#summary").fill("Typed before Edit.")
    nojs_page.get_by_role("button", name="Edit event 40", exact=True).click()
    expect(nojs_page).to_have_url(re.compile(r"\?open=[0-9a-z]+#timeline-39$"))
    expect(nojs_page.locator("#timeline-39-description")).to_be_visible()
    # The address names the event: once the browser has gone to it (it is the :target, which
    # also sets where Tab starts from), the next Tab goes to its first input.
    nojs_page.wait_for_load_state("load")
    expect(nojs_page.locator("#timeline-39:target")).to_have_count(1)
    nojs_page.keyboard.press("Tab")
    expect(nojs_page.locator("#timeline-39-at")).to_be_focused()
    expect(nojs_page.locator("#summary")).to_have_value("Typed before Edit.")
    expect(nojs_page.locator("[data-closed]")).to_have_count(EVENTS - 1)
    # The same page, for axe (which needs scripts of its own to run).
    scriptless_page.goto(nojs_page.url)
    _axe(scriptless_page, "the no-JS page with one event opened")
