"""Review comments, the follow-up box and the example report in a real browser, with axe-core."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from reports.examples import sample_document
from tests.browser_fixtures import LiveServer
from tests.conftest import SAMPLE_DOCUMENT

pytestmark = pytest.mark.browser


def assert_accessible(page: Page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def _due_report(live_server: LiveServer, title: str) -> int:
    document: dict[str, Any] = copy.deepcopy(SAMPLE_DOCUMENT)
    document.update(title=title, follow_up_review_on="2026-01-15")
    return live_server.create_report(document)


def test_add_and_resolve_a_comment_keeps_the_authors_text(
    page: Page, live_server: LiveServer, screenshots: Path,
) -> None:
    report_id = _due_report(live_server, "Comments in the browser")
    page.goto(live_server.editor_url(report_id))
    page.locator("#summary").fill("Typed just before commenting.")  # not saved yet
    part = page.locator("#apologise")
    part.get_by_text("Add a review comment").click()
    part.get_by_label("Your comment on “1. Apologise”").fill("Name the stores <b>first</b>.")
    expect(page.locator("#save-status")).not_to_have_text("Unsaved changes", timeout=1000)
    part.get_by_role("button", name="Add comment").click()

    expect(page).to_have_url(re.compile(rf"/reports/{report_id}#apologise$"))
    comments = page.locator("#apologise-comments")
    expect(comments.get_by_role("heading")).to_have_text("Review comments: 1 open")
    expect(comments.locator(".comment-body")).to_have_text("Name the stores <b>first</b>.")
    expect(page.locator("#comments-summary")).to_contain_text("1 review comment still open")
    expect(page.locator("#summary")).to_have_value("Typed just before commenting.")
    assert live_server.report(report_id)["summary"] == "Typed just before commenting."

    follow_up = page.locator("#follow-up")
    expect(follow_up.get_by_role("heading")).to_have_text("The follow-up review is due")
    expect(follow_up).to_contain_text("2 still open")
    assert_accessible(page)
    comments.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "editor-review-comment.png"))
    follow_up.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "editor-follow-up-due.png"))

    comments.get_by_role("button", name=re.compile("Mark as resolved")).click()
    expect(page).to_have_url(re.compile(rf"/reports/{report_id}#apologise$"))
    expect(page.locator("#comments-summary")).to_have_count(0)
    resolved = page.locator("#apologise-comments details.comments-resolved")
    resolved.get_by_text("1 resolved comment on this part").click()
    expect(resolved).to_contain_text("Resolved by Reviewer")
    assert_accessible(page)


def test_record_the_follow_up_outcome(page: Page, live_server: LiveServer) -> None:
    report_id = _due_report(live_server, "Follow-up recorded in the browser")
    page.goto(live_server.editor_url(report_id))
    page.get_by_label("Follow-up outcome").fill("Action 1 is done; action 2 moves to March.")
    page.get_by_label("Review held on").fill("2026-01-16")
    page.locator(".form-footer").get_by_role("button", name="Save").click()
    expect(page.locator("#save-status")).to_contain_text("Saved at")
    page.reload()
    expect(page.locator("#follow-up").get_by_role("heading")).to_have_text(
        "Follow-up review held on 16 January 2026")
    saved = live_server.report(report_id)
    assert saved["follow_up_held_on"] == "2026-01-16"
    assert saved["follow_up_outcome"].startswith("Action 1 is done")


def test_comment_without_javascript(nojs_page: Page, live_server: LiveServer) -> None:
    report_id = _due_report(live_server, "Comments without scripts")
    nojs_page.goto(live_server.editor_url(report_id))
    part = nojs_page.locator("#prevent")
    part.get_by_text("Add a review comment").click()
    part.get_by_label("Your comment on “3. Prevent it happening again”").fill("Dates, please.")
    part.get_by_role("button", name="Add comment").click()
    expect(nojs_page.locator("#prevent-comments .comment-body")).to_have_text("Dates, please.")
    nojs_page.locator("#prevent-comments").get_by_role(
        "button", name=re.compile("Mark as resolved")).click()
    expect(nojs_page.locator("#prevent-comments details.comments-resolved")).to_have_count(1)


def test_start_from_the_example(page: Page, live_server: LiveServer, screenshots: Path) -> None:
    page.goto(live_server.url + "/examples#apologise")
    expect(page.get_by_role("heading", name="An example report", level=1)).to_be_visible()
    expect(page.locator("#apologise")).to_contain_text("We are sorry.")
    assert_accessible(page)
    page.screenshot(path=str(screenshots / "examples.png"), full_page=True)
    page.locator("#start-from-example-top").click()
    expect(page).to_have_url(re.compile(r"/reports/\d+$"))
    example = sample_document()
    expect(page.locator("#title")).to_have_value(example["title"])
    expect(page.locator(".notice")).to_contain_text("This draft is a copy of the example")
    report_id = int(page.url.rsplit("/", 1)[1])
    saved = live_server.report(report_id)
    assert {key: saved[key] for key in example} == example


def test_see_an_example_from_the_editor(page: Page, live_server: LiveServer) -> None:
    report_id = live_server.create_report({"title": "Looking for an example"})
    page.goto(live_server.editor_url(report_id))
    page.locator("#prevent").get_by_role("link", name="See an example").click()
    expect(page).to_have_url(re.compile(r"/examples#prevent$"))
    expect(page.locator("#prevent")).to_contain_text("Reminders team")


def test_empty_library_offers_the_example(page: Page, own_live_server: LiveServer) -> None:
    page.goto(own_live_server.url + "/")
    expect(page.locator(".empty-state")).to_contain_text("Read an example report")
    assert_accessible(page)
    page.get_by_role("button", name="Start from the example report").click()
    expect(page).to_have_url(re.compile(r"/reports/\d+$"))
    expect(page.locator("#apology")).to_have_value(re.compile("^We are sorry."))


def test_comments_page_for_reviewers(page: Page, live_server: LiveServer) -> None:
    report_id = _due_report(live_server, "The comments page")
    page.goto(f"{live_server.url}/reports/{report_id}/view")
    page.get_by_role("link", name="Review comments").click()
    part = page.locator("#understand")
    part.get_by_text("Add a review comment").click()
    part.get_by_label(re.compile("Your comment on")).fill("The timeline needs the first alert.")
    part.get_by_role("button", name="Add comment").click()
    expect(page).to_have_url(re.compile(rf"/reports/{report_id}/comments#understand$"))
    expect(page.locator("#understand-comments")).to_contain_text("the first alert")
    assert_accessible(page)
