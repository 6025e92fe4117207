"""The guided page in a real Chromium: what a person does, with and without JavaScript.

The app runs in its own process (see ``tests/browser_fixtures.py``); every test works on a report
of its own, so the tests do not depend on each other or on their order.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, Request, Response, Route, expect

from tests.browser_fixtures import LiveServer

pytestmark = pytest.mark.browser

SAVED = re.compile(r"Saved at \d{1,2}:\d{2}")
EDITOR_URL = re.compile(r"/reports/(\d+)(#.*)?$")

# What an author types in the parts of the page that are not rows, by input id.
ABOUT: dict[str, str] = {
    "title": "Online payments failed for two hours",
    "service": "Checkout",
    "audience": "Acme Retail",
    "authors": "Dana Lee, Sam Ortiz",
    "timezone": "Europe/Paris",
    "started_at": "2026-10-03T09:12",
    "detected_at": "2026-10-03T09:20",
    "resolved_at": "2026-10-03T11:02",
    "apology": "We are sorry. For almost two hours your customers could not pay.",
    "summary": "A configuration change sent payment traffic to a retired gateway.",
    "impact": "About 1,200 orders failed between 09:12 and 11:02.",
    "went_well": "The alert fired within eight minutes.",
    "went_wrong": "Rolling back took forty minutes.",
    "lucky": "It happened outside the sales peak.",
}


# ---- helpers ----


def fill_about(page: Page, values: dict[str, str] = ABOUT) -> None:
    for field_id, value in values.items():
        page.locator(f"#{field_id}").fill(value)
    page.select_option("#severity", "SEV2")


def expect_values(page: Page, values: dict[str, str]) -> None:
    for field_id, value in values.items():
        expect(page.locator(f"#{field_id}"), f"#{field_id} keeps what was typed").to_have_value(
            value
        )


def expect_about(page: Page) -> None:
    expect_values(page, ABOUT)
    expect(page.locator("#severity")).to_have_value("SEV2")


def submit(page: Page, button: Locator) -> Response:
    """Click a submit button on a page without JavaScript and wait for the page that comes back."""
    with page.expect_navigation() as navigation:
        button.click()
    response = navigation.value
    assert response is not None
    return response


def row_button(page: Page, row_id: str, action: str) -> Locator:
    return page.locator(f"#{row_id} button[data-row-action='{action}']")


def rows(page: Page, list_name: str) -> Locator:
    return page.locator(f"#report-form [data-rows='{list_name}'] > [data-row='{list_name}']")


def ids_in_dom_order(page: Page, list_name: str, subfield: str) -> list[str]:
    return page.eval_on_selector_all(
        f"#report-form [data-rows='{list_name}'] [name$='-{subfield}']",
        "els => els.map(e => e.id + '|' + e.name)",
    )


def open_new_report(page: Page, server: LiveServer) -> int:
    """From the list page, as a person would: the button, then the editor of a new report."""
    page.goto(server.url + "/")
    button = page.get_by_role("button", name="Start a new report")
    expect(button).to_be_visible()
    button.click()
    expect(page).to_have_url(EDITOR_URL)
    match = EDITOR_URL.search(page.url)
    assert match
    return int(match.group(1))


def open_editor(page: Page, server: LiveServer, report_id: int) -> None:
    page.goto(server.editor_url(report_id))
    expect(page.locator("#report-form")).to_be_visible()


def wait_for_script(page: Page) -> None:
    page.wait_for_function("() => !!window.hindsightEditor", timeout=5_000)


def has_unsaved_changes(page: Page) -> bool:
    return bool(page.evaluate("() => window.hindsightEditor.hasUnsavedChanges()"))


def wait_for_server(
    server: LiveServer, report_id: int, check: Callable[[dict[str, Any]], bool],
    timeout: float = 8.0, what: str = "the change",
) -> dict[str, Any]:
    """Poll the API until the stored report passes ``check``: proof the page saved by itself."""
    deadline = time.monotonic() + timeout
    document = server.report(report_id)
    while not check(document):
        if time.monotonic() > deadline:
            raise AssertionError(f"the server never got {what} within {timeout} s: {document}")
        time.sleep(0.1)
        document = server.report(report_id)
    return document


def drafts(page: Page) -> dict[str, str]:
    """Everything the page keeps in localStorage under ``hindsight:draft:``."""
    return page.evaluate(
        """() => Object.fromEntries(Object.keys(localStorage)
             .filter(k => k.startsWith('hindsight:draft:'))
             .map(k => [k, localStorage.getItem(k)]))"""
    )


def record_autosaves(page: Page) -> list[Request]:
    seen: list[Request] = []

    def on_request(request: Request) -> None:
        if request.method == "POST" and request.headers.get("x-hindsight-autosave") == "1":
            seen.append(request)

    page.on("request", on_request)
    return seen


def mark_window(page: Page) -> None:
    """A marker that only survives if the page is never replaced by a navigation."""
    page.evaluate("() => { window.__sameDocument = 'still here'; }")


def expect_same_document(page: Page) -> None:
    assert page.evaluate("() => window.__sameDocument") == "still here", (
        "the page navigated: the marker set on window before the click is gone"
    )


def assert_no_axe_violations(page: Page, where: str) -> None:
    """Never on a ``java_script_enabled=False`` page: axe would wait for ever there."""
    results = Axe().run(page)
    assert results.violations_count == 0, f"axe on {where}:\n{results.generate_report()}"


def local_time(moment: str | None) -> str | None:
    """``2026-10-03T09:12:00+02:00`` as the page shows it: ``2026-10-03T09:12``."""
    return moment[:16] if moment else moment


# ---- the list page ----


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_list_page_starts_a_new_report(
    request: pytest.FixtureRequest, live_server: LiveServer, javascript: bool
) -> None:
    page: Page = request.getfixturevalue("page" if javascript else "nojs_page")
    report_id = open_new_report(page, live_server)

    expect(page.locator("h1")).to_have_text("Untitled report")
    expect(page.locator("#title")).to_have_value("")
    assert live_server.report(report_id)["title"] == ""

    page.goto(live_server.url + "/")
    expect(page.locator(f"a[href='/reports/{report_id}']")).to_have_text("Untitled report")


# ---- without JavaScript: every button posts the form ----


def test_nojs_fill_add_move_remove_rows_save_and_reload(
    nojs_page: Page, live_server: LiveServer
) -> None:
    page = nojs_page
    report_id = open_new_report(page, live_server)
    fill_about(page)

    submit(page, page.get_by_role("button", name="Add an event"))
    expect_about(page)
    expect(rows(page, "timeline")).to_have_count(1)
    page.fill("#timeline-0-at", "2026-10-03T10:40")
    page.select_option("#timeline-0-kind", "mitigation")
    page.fill("#timeline-0-description", "Traffic moved back to the current gateway.")

    submit(page, page.get_by_role("button", name="Add an event"))
    expect(rows(page, "timeline")).to_have_count(2)
    expect(page.locator("#timeline-0-description")).to_have_value(
        "Traffic moved back to the current gateway."
    )
    page.fill("#timeline-1-at", "2026-10-03T09:05")
    page.select_option("#timeline-1-kind", "deploy")
    page.fill("#timeline-1-description", "Release 4.2 of the payment router went live.")
    page.check("#timeline-1-contributing")

    # A third event, then "Remove" takes it away again; the two others stay.
    submit(page, page.get_by_role("button", name="Add an event"))
    expect(rows(page, "timeline")).to_have_count(3)
    page.fill("#timeline-2-description", "A row added by mistake.")
    submit(page, row_button(page, "timeline-2", "remove"))
    expect(rows(page, "timeline")).to_have_count(2)
    expect(page.locator("#report-form")).not_to_contain_text("A row added by mistake.")

    # Two factors; "Move up" on the second puts it first.
    submit(page, page.get_by_role("button", name="Add a factor"))
    page.fill("#factors-0-description", "The release checklist had no step for routing.")
    submit(page, page.get_by_role("button", name="Add a factor"))
    page.fill("#factors-1-description", "The retired gateway was still in the routing table.")
    page.check("#factors-1-root_cause")
    submit(page, row_button(page, "factors-1", "up"))
    expect_values(page, {
        "factors-0-description": "The retired gateway was still in the routing table.",
        "factors-1-description": "The release checklist had no step for routing.",
    })
    expect(page.locator("#factors-0-root_cause")).to_be_checked()
    expect(page.locator("#factors-1-root_cause")).not_to_be_checked()

    # Three action items; "Move down" on the first, then "Remove" the last.
    for number, (text, owner) in enumerate([
        ("Add payment routing to the release checklist.", "Release managers"),
        ("Remove retired gateways from the routing table.", "Platform team"),
        ("Delete me.", "Nobody"),
    ]):
        submit(page, page.get_by_role("button", name="Add an action item"))
        page.fill(f"#actions-{number}-description", text)
        page.fill(f"#actions-{number}-owner", owner)
    page.select_option("#actions-1-priority", "high")
    page.fill("#actions-1-due", "2026-11-15")
    page.fill("#actions-1-ticket", "https://tracker.example.com/PLAT-12")
    page.select_option("#actions-1-status", "agreed")
    submit(page, row_button(page, "actions-0", "down"))
    expect_values(page, {
        "actions-0-description": "Remove retired gateways from the routing table.",
        "actions-1-description": "Add payment routing to the release checklist.",
        "actions-2-description": "Delete me.",
    })
    submit(page, row_button(page, "actions-2", "remove"))
    expect(rows(page, "actions")).to_have_count(2)
    expect_about(page)

    response = submit(page, page.get_by_role("button", name="Save").first)
    assert response.ok
    expect(page.get_by_text("Your report is saved.")).to_be_visible()

    # A fresh load shows everything, the timeline in time order.
    page.goto(live_server.editor_url(report_id))
    expect_about(page)
    expect_values(page, {
        "timeline-0-at": "2026-10-03T09:05",
        "timeline-0-description": "Release 4.2 of the payment router went live.",
        "timeline-1-at": "2026-10-03T10:40",
        "timeline-1-description": "Traffic moved back to the current gateway.",
        "factors-0-description": "The retired gateway was still in the routing table.",
        "factors-1-description": "The release checklist had no step for routing.",
        "actions-0-description": "Remove retired gateways from the routing table.",
        "actions-0-owner": "Platform team",
        "actions-0-due": "2026-11-15",
        "actions-0-ticket": "https://tracker.example.com/PLAT-12",
        "actions-1-description": "Add payment routing to the release checklist.",
        "actions-1-owner": "Release managers",
        "follow_up_review_on": "2026-12-03",  # two months after it was resolved
    })
    expect(page.locator("#timeline-0-kind")).to_have_value("deploy")
    expect(page.locator("#timeline-0-contributing")).to_be_checked()
    expect(page.locator("#timeline-1-kind")).to_have_value("mitigation")
    expect(page.locator("#timeline-1-contributing")).not_to_be_checked()
    expect(page.locator("#actions-0-priority")).to_have_value("high")
    expect(page.locator("#actions-0-status")).to_have_value("agreed")
    expect(rows(page, "timeline")).to_have_count(2)
    expect(rows(page, "factors")).to_have_count(2)
    expect(rows(page, "actions")).to_have_count(2)

    stored = live_server.report(report_id)
    assert stored["title"] == ABOUT["title"]
    assert [e["kind"] for e in stored["timeline"]] == ["deploy", "mitigation"]
    assert [f["root_cause"] for f in stored["factors"]] == [True, False]


def test_nojs_invalid_times_show_errors_and_keep_every_value(
    nojs_page: Page, live_server: LiveServer
) -> None:
    page = nojs_page
    report_id = open_new_report(page, live_server)
    typed = {**ABOUT, "started_at": "2026-10-03T09:00", "resolved_at": "2026-10-03T08:00"}
    typed.pop("detected_at")
    fill_about(page, typed)

    response = submit(page, page.get_by_role("button", name="Save").first)
    assert response.status == 400
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary.locator("a[href='#resolved_at']")).to_contain_text("cannot be resolved")
    expect(page.locator("#resolved_at-error")).to_be_visible()
    expect(page.locator("#resolved_at-error")).to_contain_text("cannot be resolved")
    expect(page.locator("#resolved_at")).to_have_attribute("aria-invalid", "true")
    expect_values(page, typed)
    expect(page.locator("#severity")).to_have_value("SEV2")
    assert live_server.report(report_id)["title"] == "", "an invalid report must not be saved"

    # A row button on the error page keeps the errors and everything typed.
    response = submit(page, page.get_by_role("button", name="Add an action item"))
    assert response.status == 400
    expect(rows(page, "actions")).to_have_count(1)
    expect(page.locator("#resolved_at-error")).to_be_visible()
    expect_values(page, typed)

    page.fill("#resolved_at", "2026-10-03T11:00")
    response = submit(page, page.get_by_role("button", name="Save").first)
    assert response.ok
    expect(page.get_by_text("Your report is saved.")).to_be_visible()
    expect(page.locator("#error-summary")).to_be_hidden()
    expect(page.locator("#resolved_at-error")).to_be_hidden()
    stored = live_server.report(report_id)
    assert stored["title"] == ABOUT["title"]
    assert stored["resolved_at"] == "2026-10-03T11:00:00+02:00"


# ---- with JavaScript: rows in place, saving by itself ----


def test_js_rows_are_added_moved_and_removed_in_place(
    page: Page, live_server: LiveServer
) -> None:
    report_id = live_server.create_report()
    open_editor(page, live_server, report_id)
    wait_for_script(page)
    mark_window(page)
    expect(page.get_by_text("No factors yet.")).to_be_visible()

    add_factor = page.get_by_role("button", name="Add a factor")
    for _ in range(3):
        add_factor.click()
    expect(rows(page, "factors")).to_have_count(3)
    expect(page.get_by_text("No factors yet.")).to_be_hidden()
    expect_same_document(page)
    for index, text in enumerate(["First factor", "Second factor", "Third factor"]):
        page.fill(f"#factors-{index}-description", text)

    row_button(page, "factors-2", "up").click()
    expect_values(page, {
        "factors-0-description": "First factor",
        "factors-1-description": "Third factor",
        "factors-2-description": "Second factor",
    })
    row_button(page, "factors-0", "down").click()
    expect_values(page, {
        "factors-0-description": "Third factor",
        "factors-1-description": "First factor",
        "factors-2-description": "Second factor",
    })
    row_button(page, "factors-1", "remove").click()
    expect(rows(page, "factors")).to_have_count(2)
    expect_values(page, {
        "factors-0-description": "Third factor",
        "factors-1-description": "Second factor",
    })
    assert ids_in_dom_order(page, "factors", "description") == [
        "factors-0-description|factors-0-description",
        "factors-1-description|factors-1-description",
    ]
    expect(page.locator("#factors-1 .row-legend")).to_contain_text("Factor 2")
    page.check("#factors-0-root_cause")

    page.get_by_role("button", name="Add an event").click()
    page.get_by_role("button", name="Add an event").click()
    page.fill("#timeline-0-at", "2026-10-03T10:40")
    page.fill("#timeline-0-description", "The later event, typed first.")
    page.fill("#timeline-1-at", "2026-10-03T09:05")
    page.fill("#timeline-1-description", "The earlier event, typed second.")
    page.select_option("#timeline-1-kind", "deploy")
    page.get_by_role("button", name="Add an action item").click()
    page.fill("#actions-0-description", "Add payment routing to the release checklist.")
    expect(rows(page, "timeline")).to_have_count(2)
    expect(rows(page, "actions")).to_have_count(1)
    expect_same_document(page)

    wait_for_server(
        live_server, report_id,
        lambda d: [f["description"] for f in d["factors"]] == ["Third factor", "Second factor"]
        and len(d["timeline"]) == 2 and len(d["actions"]) == 1
        and d["actions"][0]["description"] == "Add payment routing to the release checklist.",
        what="the rows",
    )
    expect(page.locator("#save-status")).to_have_text(SAVED)
    expect_same_document(page)

    page.reload()
    expect(rows(page, "factors")).to_have_count(2)
    expect_values(page, {
        "factors-0-description": "Third factor",
        "factors-1-description": "Second factor",
        "timeline-0-at": "2026-10-03T09:05",
        "timeline-0-description": "The earlier event, typed second.",
        "timeline-1-at": "2026-10-03T10:40",
        "timeline-1-description": "The later event, typed first.",
        "actions-0-description": "Add payment routing to the release checklist.",
    })
    expect(page.locator("#factors-0-root_cause")).to_be_checked()
    expect(page.locator("#factors-1-root_cause")).not_to_be_checked()
    expect(page.locator("#timeline-0-kind")).to_have_value("deploy")


def test_js_saves_after_a_pause_in_typing_and_on_leaving_a_field(
    page: Page, live_server: LiveServer
) -> None:
    report_id = live_server.create_report()
    autosaves = record_autosaves(page)
    open_editor(page, live_server, report_id)
    wait_for_script(page)
    mark_window(page)

    # Typing, then a pause: saved without leaving the field.
    page.click("#title")
    page.keyboard.type("Payments failed", delay=20)
    assert has_unsaved_changes(page)
    wait_for_server(live_server, report_id, lambda d: d["title"] == "Payments failed",
                    what="the title after a pause in typing")
    expect(page.locator("#save-status")).to_have_text(SAVED)
    # Saving as one types is shown, never announced: the live region beside it stays quiet.
    expect(page.locator("#save-status")).not_to_have_attribute("role", "status")
    expect(page.locator("#save-status")).not_to_have_attribute("aria-live", "polite")
    expect(page.locator("#save-announcer")).to_have_attribute("role", "status")
    expect(page.locator("#save-announcer")).to_have_text("")
    expect(page.locator("#title")).to_be_focused()
    assert not has_unsaved_changes(page)
    assert autosaves, "no POST with the header X-Hindsight-Autosave: 1"
    assert all(r.url == live_server.editor_url(report_id) for r in autosaves), [
        r.url for r in autosaves
    ]

    # Leaving a field saves at once, well before the pause in typing would.
    page.click("#service")
    page.keyboard.type("Checkout", delay=10)
    page.keyboard.press("Tab")
    wait_for_server(live_server, report_id, lambda d: d["service"] == "Checkout", timeout=1.5,
                    what="the service within 1.5 s of leaving the field")

    # A choice is a change too.
    page.select_option("#severity", "SEV3")
    wait_for_server(live_server, report_id, lambda d: d["severity"] == "SEV3",
                    what="the severity")
    expect(page.locator("#save-status")).to_have_text(SAVED)
    expect_same_document(page)


def test_js_fill_the_page_then_reload_shows_everything(
    page: Page, live_server: LiveServer
) -> None:
    report_id = open_new_report(page, live_server)
    wait_for_script(page)
    fill_about(page)
    page.get_by_role("button", name="Add an event").click()
    page.fill("#timeline-0-at", "2026-10-03T09:20")
    page.select_option("#timeline-0-kind", "discovery")
    page.fill("#timeline-0-description", "The error-rate alert for checkout fired.")
    page.fill("#follow_up_review_on", "2026-12-10")

    wait_for_server(
        live_server, report_id,
        lambda d: d["lessons"]["lucky"] == ABOUT["lucky"]
        and d["follow_up_review_on"] == "2026-12-10"
        and len(d["timeline"]) == 1
        and d["timeline"][0]["description"] == "The error-rate alert for checkout fired.",
        what="the whole page",
    )
    expect(page.locator("#save-status")).to_have_text(SAVED)

    page.reload()
    expect_about(page)
    expect_values(page, {
        "timeline-0-at": "2026-10-03T09:20",
        "timeline-0-description": "The error-rate alert for checkout fired.",
        "follow_up_review_on": "2026-12-10",
    })
    expect(page.locator("#timeline-0-kind")).to_have_value("discovery")
    expect(page.locator("h1")).to_have_text(ABOUT["title"])


def test_js_invalid_times_show_errors_and_keep_the_draft(
    page: Page, live_server: LiveServer, screenshots: Path
) -> None:
    report_id = live_server.create_report()
    open_editor(page, live_server, report_id)
    wait_for_script(page)
    page.fill("#title", "Times in the wrong order")
    page.fill("#started_at", "2026-10-03T09:00")
    page.fill("#resolved_at", "2026-10-03T08:00")

    error = page.locator("#resolved_at-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("cannot be resolved")
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary.locator("a[href='#resolved_at']")).to_contain_text("cannot be resolved")
    expect(page.locator("#save-status")).to_contain_text("Not saved")
    expect_values(page, {"title": "Times in the wrong order",
                         "started_at": "2026-10-03T09:00", "resolved_at": "2026-10-03T08:00"})
    kept = drafts(page)
    assert list(kept) == [f"hindsight:draft:{report_id}"], kept
    assert "2026-10-03T08:00" in next(iter(kept.values()))
    assert has_unsaved_changes(page)
    assert live_server.report(report_id)["title"] == "", "an invalid report must not be saved"

    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(screenshots / "editor-errors.png"))
    assert_no_axe_violations(page, "the editor showing errors (JavaScript)")

    # Putting it right clears the messages and saves.
    page.fill("#resolved_at", "2026-10-03T11:00")
    expect(page.locator("#save-status")).to_have_text(SAVED)
    expect(error).to_be_hidden()
    expect(summary).to_be_hidden()
    stored = live_server.report(report_id)
    assert stored["resolved_at"] == "2026-10-03T11:00:00+00:00"
    assert stored["title"] == "Times in the wrong order"


def test_js_asks_before_closing_with_unsaved_changes(
    page: Page, live_server: LiveServer
) -> None:
    report_id = live_server.create_report()
    open_editor(page, live_server, report_id)
    wait_for_script(page)
    assert not has_unsaved_changes(page)

    page.click("#summary")
    page.keyboard.type("Not saved yet", delay=5)
    assert has_unsaved_changes(page)
    with page.expect_event("dialog") as dialog_info:
        page.close(run_before_unload=True)
    dialog = dialog_info.value
    assert dialog.type == "beforeunload"
    dialog.accept()


def test_js_closes_without_asking_once_saved(page: Page, live_server: LiveServer) -> None:
    report_id = live_server.create_report()
    open_editor(page, live_server, report_id)
    wait_for_script(page)
    page.click("#summary")
    page.keyboard.type("Saved already", delay=5)
    page.keyboard.press("Tab")
    wait_for_server(live_server, report_id, lambda d: d["summary"] == "Saved already")
    expect(page.locator("#save-status")).to_have_text(SAVED)
    assert not has_unsaved_changes(page)

    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.type), d.accept()))
    with page.expect_event("close"):
        page.close(run_before_unload=True)
    assert dialogs == []


# ---- the server goes away and comes back ----


def go_offline_and_type(page: Page, server: LiveServer, report_id: int, text: str) -> None:
    """Open the editor, save once, stop the server, then type ``text`` into the summary."""
    open_editor(page, server, report_id)
    wait_for_script(page)
    page.fill("#title", "Written across an outage")
    wait_for_server(server, report_id, lambda d: d["title"] == "Written across an outage")
    expect(page.locator("#save-status")).to_have_text(SAVED)

    server.stop()
    page.click("#summary")
    page.keyboard.type(text, delay=5)
    expect(page.locator("#save-status")).to_contain_text("Offline", timeout=8_000)
    kept = drafts(page)
    assert list(kept) == [f"hindsight:draft:{report_id}"], kept
    assert text in json.dumps(json.loads(next(iter(kept.values())))), kept
    assert has_unsaved_changes(page)


def test_js_offline_changes_are_sent_when_the_server_comes_back(
    page: Page, own_live_server: LiveServer
) -> None:
    server = own_live_server
    report_id = server.create_report()
    typed = "Typed while the server was away."
    go_offline_and_type(page, server, report_id, typed)

    server.start()
    expect(page.locator("#save-status")).to_have_text(SAVED, timeout=20_000)
    assert server.report(report_id)["summary"] == typed
    assert not has_unsaved_changes(page)

    fresh = page.context.new_page()
    open_editor(fresh, server, report_id)
    expect(fresh.locator("#summary")).to_have_value(typed)
    expect(fresh.locator("#title")).to_have_value("Written across an outage")


def test_js_reload_restores_the_draft_kept_in_the_browser(
    page: Page, own_live_server: LiveServer
) -> None:
    server = own_live_server
    report_id = server.create_report()
    typed = "Only this browser has this sentence."
    go_offline_and_type(page, server, report_id, typed)

    # The server is back, but every save is held back until the reloaded page has put the
    # browser's copy into the form: what the author sees can only come from that copy.
    hold = {"saves": True}

    def hold_back_saves(route: Route) -> None:
        if route.request.method == "POST" and hold["saves"]:
            route.abort()
        else:
            route.continue_()

    page.route(f"{server.editor_url(report_id)}", hold_back_saves)
    server.start()
    assert server.report(report_id)["summary"] == ""
    page.on("dialog", lambda d: d.accept())  # "leave the page?" on reload
    page.reload()

    expect(page.locator("#summary")).to_have_value(typed)
    expect(page.locator("#title")).to_have_value("Written across an outage")
    assert server.report(report_id)["summary"] == ""
    hold["saves"] = False  # the page retries by itself
    expect(page.locator("#save-status")).to_have_text(SAVED, timeout=20_000)
    wait_for_server(server, report_id, lambda d: d["summary"] == typed,
                    what="the restored draft")
    assert drafts(page) == {}, "the draft stays in the browser after the server has it"


def test_js_browser_offline_then_online_sends_the_changes(
    page: Page, live_server: LiveServer
) -> None:
    report_id = live_server.create_report()
    open_editor(page, live_server, report_id)
    wait_for_script(page)
    page.context.set_offline(True)
    page.fill("#impact", "Typed with the network cable out.")
    expect(page.locator("#save-status")).to_contain_text("Offline", timeout=8_000)
    assert live_server.report(report_id)["impact"] == ""

    page.context.set_offline(False)
    expect(page.locator("#save-status")).to_have_text(SAVED, timeout=8_000)
    assert live_server.report(report_id)["impact"] == "Typed with the network cable out."


def test_js_a_busy_server_is_said_so_and_the_save_is_sent_again(
    page: Page, live_server: LiveServer
) -> None:
    report_id = live_server.create_report()
    busy = {"left": 1}

    def busy_once(route: Route) -> None:
        # As views/errors.py answers when the database stayed busy (tests/test_turns.py).
        if route.request.method == "POST" and busy["left"]:
            busy["left"] -= 1
            route.fulfill(status=503, headers={"Retry-After": "2"}, json={
                "error": "The app is very busy", "detail": "Nothing was changed.",
                "status": 503})
        else:
            route.continue_()

    page.route(live_server.editor_url(report_id), busy_once)
    open_editor(page, live_server, report_id)
    wait_for_script(page)
    page.fill("#impact", "Typed while the server was busy.")
    expect(page.locator("#save-status")).to_contain_text("the server is very busy",
                                                         timeout=8_000)
    expect(page.locator("#save-status")).to_have_text(SAVED, timeout=20_000)
    assert live_server.report(report_id)["impact"] == "Typed while the server was busy."


# ---- accessibility and screenshots ----


def test_axe_list_page(page: Page, live_server: LiveServer, sample_document: dict,
                       screenshots: Path) -> None:
    live_server.create_report(sample_document)
    page.goto(live_server.url + "/")
    expect(page.get_by_role("link", name=sample_document["title"]).first).to_be_visible()
    page.screenshot(path=str(screenshots / "list.png"), full_page=True)
    assert_no_axe_violations(page, "the list page")


def test_axe_empty_editor(page: Page, live_server: LiveServer) -> None:
    open_new_report(page, live_server)
    wait_for_script(page)
    assert_no_axe_violations(page, "an empty editor")


def test_axe_filled_editor(page: Page, live_server: LiveServer, sample_document: dict,
                           screenshots: Path) -> None:
    report_id = live_server.create_report(sample_document)
    open_editor(page, live_server, report_id)
    wait_for_script(page)
    expect(rows(page, "timeline")).to_have_count(4)
    expect(page.locator("#title")).to_have_value(sample_document["title"])
    expect(page.locator("#timeline-0-at")).to_have_value(
        local_time(sample_document["timeline"][0]["at"])
    )
    page.screenshot(path=str(screenshots / "editor-filled.png"), full_page=True)
    assert_no_axe_violations(page, "a filled editor with rows")

    # Rows added by the script are as accessible as the ones from the server.
    page.get_by_role("button", name="Add a factor").click()
    page.get_by_role("button", name="Add an action item").click()
    expect(rows(page, "factors")).to_have_count(3)
    assert_no_axe_violations(page, "a filled editor after adding rows in place")


def test_axe_editor_with_errors_without_scripts(
    scriptless_page: Page, live_server: LiveServer, screenshots: Path
) -> None:
    page = scriptless_page
    report_id = live_server.create_report()
    open_editor(page, live_server, report_id)
    page.fill("#title", "Times in the wrong order")
    page.fill("#started_at", "2026-10-03T09:00")
    page.fill("#resolved_at", "2026-10-03T08:00")
    assert submit(page, page.get_by_role("button", name="Add an event")).status == 400
    response = submit(page, page.get_by_role("button", name="Save").first)
    assert response.status == 400
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#resolved_at-error")).to_be_visible()
    page.screenshot(path=str(screenshots / "editor-errors-nojs.png"), full_page=True)
    assert_no_axe_violations(page, "the editor showing errors from the server (no scripts)")
