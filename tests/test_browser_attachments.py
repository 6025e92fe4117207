"""A report's files in a real Chromium: the file picker, drag and drop, Insert, the figure on the
stakeholders' page, and the same without JavaScript; axe finds nothing to fix."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser_fixtures import LiveServer
from tests.test_browser_editor import (
    SAVED,
    assert_no_axe_violations,
    open_editor,
    wait_for_script,
)

pytestmark = pytest.mark.browser


def png_bytes(colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (160, 90), colour).save(out, format="PNG")
    return out.getvalue()


def choose(page: Page, name: str, data: bytes, mime: str) -> None:
    page.locator("#attachment-file").set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": data}])


def test_js_add_a_graph_insert_it_and_see_it_on_the_stakeholders_page(
        page: Page, live_server: LiveServer, sample_document: dict, screenshots: Path) -> None:
    report_id = live_server.create_report(sample_document)
    open_editor(page, live_server, report_id)
    wait_for_script(page)
    page.evaluate("() => { window.__sameDocument = 'still here'; }")
    choose(page, "errors.png", png_bytes(), "image/png")
    page.locator("#attachment-caption").fill("Errors per minute")
    page.get_by_role("button", name="Add the file").click()
    item = page.locator(".attachment").filter(has_text="errors.png")
    expect(item).to_be_visible()
    expect(page.locator("#attachment-status")).to_have_text(
        "“errors.png” is added to the report.")
    assert page.evaluate("() => window.__sameDocument") == "still here"

    summary = page.locator("#summary")
    summary.click()
    summary.press("End")
    item.get_by_role("button", name=re.compile("Insert")).click()
    attachment_id = item.get_attribute("data-attachment-id")
    expect(summary).to_have_value(re.compile(
        rf"!\[Errors per minute\]\(attachment:{attachment_id}\)$"))
    expect(page.locator("#save-status")).to_have_text(SAVED, timeout=15_000)
    page.screenshot(path=str(screenshots / "editor-attachments.png"), full_page=True)
    assert_no_axe_violations(page, "the editor with a file")

    page.goto(f"{live_server.url}/reports/{report_id}/view")
    figure = page.locator("img.figure")
    expect(figure).to_have_attribute("alt", "Errors per minute")
    assert page.evaluate("() => document.querySelector('img.figure').naturalWidth") == 160
    assert_no_axe_violations(page, "the stakeholders' page with a figure")


def test_js_a_dropped_file_is_added_and_a_refused_one_explained(
        page: Page, live_server: LiveServer, sample_document: dict) -> None:
    report_id = live_server.create_report(sample_document)
    open_editor(page, live_server, report_id)
    wait_for_script(page)
    drop = """([name, base64]) => {
        const bytes = Uint8Array.from(atob(base64), c => c.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], name));
        const zone = document.getElementById('attachment-drop');
        zone.dispatchEvent(new DragEvent('dragover', {dataTransfer: transfer, bubbles: true}));
        zone.dispatchEvent(new DragEvent('drop', {dataTransfer: transfer, bubbles: true}));
    }"""
    page.evaluate(drop, ["checkout.log", base64.b64encode(b"12:00 first error\n").decode()])
    expect(page.locator(".attachment").filter(has_text="checkout.log")).to_be_visible()

    page.evaluate(drop, ["x.png", base64.b64encode(b"<html>not an image</html>").decode()])
    error = page.locator("#attachment-file-error")
    expect(error).to_contain_text("is not a PNG, JPEG, WebP or GIF image")
    expect(page.locator("#attachment-file")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".attachment")).to_have_count(1)
    assert_no_axe_violations(page, "the editor with a refused file")

    remove = page.locator(".attachment").get_by_role("button", name=re.compile("Remove"))
    remove.click()
    expect(page.locator(".attachment")).to_have_count(0)
    expect(page.locator("#attachments-empty")).to_be_visible()


def test_nojs_add_a_file_and_see_a_refusal(nojs_page: Page, live_server: LiveServer,
                                           sample_document: dict) -> None:
    report_id = live_server.create_report(sample_document)
    open_editor(nojs_page, live_server, report_id)
    choose(nojs_page, "errors.png", png_bytes(), "image/png")
    nojs_page.locator("#attachment-caption").fill("Errors per minute")
    nojs_page.locator("#attachment-internal").check()
    nojs_page.get_by_role("button", name="Add the file").click()
    expect(nojs_page).to_have_url(re.compile(rf"/reports/{report_id}#attachments$"))
    item = nojs_page.locator(".attachment").filter(has_text="errors.png")
    expect(item).to_contain_text("Internal only")
    expect(item.locator("code")).to_have_text(
        re.compile(r"!\[Errors per minute\]\(attachment:\d+\)"))
    # The Insert button needs the script: without it the line to copy is shown instead.
    expect(item.get_by_role("button", name=re.compile("Insert"))).to_be_hidden()

    choose(nojs_page, "x.png", b"<html>", "image/png")
    nojs_page.get_by_role("button", name="Add the file").click()
    expect(nojs_page.locator("#attachment-file-error")).to_contain_text("is not a PNG")
    expect(nojs_page.locator(".notice-error")).to_contain_text("is not a PNG")
    expect(nojs_page.locator(".attachment")).to_have_count(1)
