"""The HTML uploaded for a Google Doc looks right without any stylesheet, as Google's importer
reads it: no CSS variables, no grid or flex, no class-dependent look; every colour, border,
shade and width inline. Chromium renders it with and without its <style> blocks, pixel for
pixel the same; both screenshots are kept for people to look at."""

from __future__ import annotations

import os
import re
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from playwright.sync_api import Page

from exporters.gdoc import render_gdoc_html
from exporters.render import render_html
from reports.exchange import from_document
from reports.model import INTERNAL_COPY
from tests.conftest import SAMPLE_DOCUMENT
from tests.test_internal_copy import internal_document

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("HINDSIGHT_GDOC_SHOTS", "/tmp/hindsight-gdoc"))
STYLE_BLOCK = re.compile(r"<style\b.*?</style>", re.S | re.I)


def shot(page: Page, document: str) -> bytes:
    page.set_content(document, wait_until="load")
    return page.screenshot(full_page=True)


def same_pixels(first: bytes, second: bytes) -> bool:
    a, b = Image.open(BytesIO(first)).convert("RGB"), Image.open(BytesIO(second)).convert("RGB")
    return a.size == b.size and ImageChops.difference(a, b).getbbox() is None


@pytest.mark.parametrize("copy", ["client", INTERNAL_COPY])
def test_the_uploaded_html_needs_no_stylesheet(page: Page, copy: str) -> None:
    report = from_document(SAMPLE_DOCUMENT if copy == "client" else internal_document())
    uploaded = render_gdoc_html(report, copy=copy)
    assert "var(" not in uploaded
    assert not re.search(r"display\s*:\s*(grid|flex|inline-flex|inline-grid)", uploaded)
    assert "class=" not in uploaded
    assert not re.search(r"<h[4-6]\b", uploaded)  # headings h1 to h3 only

    page.set_viewport_size({"width": 900, "height": 1200})
    as_uploaded = shot(page, uploaded)
    without_styles = shot(page, STYLE_BLOCK.sub("", uploaded))
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / f"gdoc-{copy}-as-uploaded.png").write_bytes(as_uploaded)
    (SHOTS / f"gdoc-{copy}-without-style-blocks.png").write_bytes(without_styles)
    assert same_pixels(as_uploaded, without_styles)

    # The look is there, on the elements themselves: shaded rows, marks in colour, the facts
    # as a two-column table with bordered cells.
    page.set_content(STYLE_BLOCK.sub("", uploaded))
    colour = "getComputedStyle(el).color"
    assert page.locator("span", has_text="ROOT CAUSE").first.evaluate(
        f"el => {colour}") == "rgb(164, 51, 31)"
    contributed = page.locator("tr", has=page.locator("span", has_text="CONTRIBUTED")).first
    contributed = contributed.locator("td")
    assert contributed.first.evaluate(
        "el => getComputedStyle(el).backgroundColor") == "rgb(251, 238, 233)"
    facts = page.locator("table").filter(has_text="Severity").first
    assert facts.locator("tr").first.locator("td").count() == 2
    assert facts.locator("td").first.evaluate(
        "el => getComputedStyle(el).borderTopStyle") == "solid"
    assert page.locator("span", has_text="DRAFT").first.evaluate(
        f"el => {colour}") == "rgb(164, 51, 31)"
    if copy == INTERNAL_COPY:
        assert page.locator("span", has_text="INTERNAL").first.evaluate(
            f"el => {colour}") == "rgb(91, 45, 142)"
        assert page.get_by_text("INTERNAL — not for clients").count() == 1


def test_the_comparison_sees_a_page_that_needs_its_stylesheet(page: Page) -> None:
    """The control: the web page's HTML (report.html) is styled by its <style> block, so the
    same comparison finds it changed; the Doc's HTML must never be like that."""
    web_page = render_html(from_document(SAMPLE_DOCUMENT))
    page.set_viewport_size({"width": 900, "height": 1200})
    assert STYLE_BLOCK.search(web_page)
    assert not same_pixels(shot(page, web_page), shot(page, STYLE_BLOCK.sub("", web_page)))
