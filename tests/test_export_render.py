"""The shared renderer: one view-model, an HTML and a Markdown document with the same content,
hostile text inert in both, missing parts said out loud."""

from __future__ import annotations

import copy
import re
from dataclasses import replace
from datetime import UTC, date, datetime
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from exporters import FORMATS
from exporters.render import css_string, render_html, render_markdown_document, shorten
from exporters.text import markdown_block, markdown_inline
from reports.exchange import from_document
from reports.model import Report
from tests.export_samples import (
    ACTION_ROWS,
    TIMELINE_ROWS,
    empty_document,
    hostile_document,
    owner,
    rich_document,
    timeline_text,
)

HEADINGS = ["1. Our apology", "2. What happened", "In short", "Who was affected, and how",
            "Timeline", "What contributed", "What we learned", "3. What we are doing about it",
            "Follow-up review"]


class Elements(HTMLParser):
    """Every start tag with its attributes, and the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    return parser


def visible(html: str) -> str:
    body = html.split("<body", 1)[1]
    return re.sub(r"\s+", " ", "".join(parse(body).text))


def assert_in_order(text: str, needles: list[str]) -> None:
    position = 0
    for needle in needles:
        found = text.find(needle, position)
        assert found >= 0, f"{needle!r} missing or out of order"
        position = found + len(needle)


def assert_inert(html: str) -> None:
    """No element or attribute that runs code or loads anything."""
    for tag, attrs in parse(html).tags:
        assert tag not in {"script", "img", "iframe", "object", "embed", "link", "svg", "image",
                           "base", "meta-refresh", "form", "input", "video", "audio"}, tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert name not in {"src", "srcset", "style", "background", "data"}, (tag, name)
            if name == "href":
                assert value and value.startswith(("http://", "https://", "mailto:", "#")), value
    style = re.search(r"<style>(.*?)</style>", html, re.S)
    assert style is not None
    assert "url(" not in style.group(1) and "@import" not in style.group(1)


@pytest.fixture(scope="module")
def rich() -> Report:
    return from_document(rich_document())


def test_html_carries_everything_in_order(rich: Report) -> None:
    html = render_html(rich)
    text = visible(html)
    assert_in_order(text, HEADINGS)
    assert_in_order(text, [timeline_text(i) for i in range(TIMELINE_ROWS)])
    assert_in_order(text, [owner(i) for i in range(ACTION_ROWS)])
    assert "<title>Checkout unavailable for EU customers</title>" in html
    assert '<html lang="en">' in html
    assert '<meta name="author" content="Dana Lee, Sam Ortiz">' in html


def test_html_is_one_self_contained_file(rich: Report) -> None:
    html = render_html(rich)
    assert_inert(html)
    assert "hindsight-asset:" not in html
    assert "@page" not in html  # print rules belong to the PDF only
    assert "@page" in render_html(rich, for_pdf=True)


def test_markdown_carries_the_same_content(rich: Report) -> None:
    markdown = render_markdown_document(rich)
    assert_in_order(markdown, ["## 1. Our apology", "## 2. What happened", "### In short",
                               "### Who was affected, and how", "### Timeline",
                               "### What contributed", "### What we learned",
                               "## 3. What we are doing about it", "### Follow-up review"])
    assert_in_order(markdown, [timeline_text(i) for i in range(TIMELINE_ROWS)])
    assert_in_order(markdown, [owner(i) for i in range(ACTION_ROWS)])
    assert "[OPS-100](<https://tracker.example.com/OPS-100>)" in markdown
    rendered = MarkdownIt("commonmark").enable("table").render(markdown)
    assert rendered.count("<tr>") == 1 + TIMELINE_ROWS + 1 + ACTION_ROWS  # two tables


def test_html_and_markdown_agree_on_the_words(rich: Report) -> None:
    """Both documents come from one view-model: what one says, the other says."""
    html_text = visible(render_html(rich, exported_on=date(2026, 11, 2)))
    markdown_html = MarkdownIt("commonmark").enable("table").render(
        render_markdown_document(rich, exported_on=date(2026, 11, 2)))
    markdown_text = re.sub(r"\s+", " ", "".join(parse(markdown_html).text))
    for phrase in ("Checkout unavailable for EU customers", "SEV2 — major", "5 hours",
                   "3 October 2026, 13:00", "Root cause", "Card payments failed",
                   "exported on 2 November 2026", "We will meet again on 3 December 2026"):
        assert phrase.lower() in html_text.lower() and phrase.lower() in markdown_text.lower()


@pytest.mark.parametrize("port", [8000])
def test_hostile_text_is_inert_in_html(port: int) -> None:
    report = from_document(hostile_document(port))
    html = render_html(report)
    assert_inert(html)
    text = visible(html)
    assert '<script>alert(1)</script> "><img src=x onerror=alert(2)> ../../etc/passwd' in text
    assert "javascript:" not in " ".join(str(a.get("href")) for _, a in parse(html).tags)
    assert "\x07" not in html and "\x1b" not in html and "\x7f" not in html
    assert "\u202e" not in html.split("<main>")[0]  # no bidi override in one-line fields


def test_hostile_text_cannot_become_html_in_markdown() -> None:
    markdown = render_markdown_document(from_document(hostile_document(8000)))
    # Rendered by a permissive CommonMark renderer that *does* pass raw HTML through:
    rendered = MarkdownIt("commonmark", {"html": True}).render(markdown)
    for tag, attrs in parse(rendered).tags:
        assert tag not in {"script", "img", "iframe", "object", "link", "style", "svg", "b", "i"}
        assert not any(name.startswith("on") for name in attrs)
        if tag == "a":
            assert str(attrs.get("href", "")).startswith(("http://", "https://"))
    outside_code = markdown.replace("```\n<script>", "").replace("    <img src=/etc/passwd>", "")
    assert "<script" not in outside_code and "<img" not in outside_code
    assert "!\\[tracking](http://127.0.0.1:8000/markdown-image.png)" in markdown
    assert "\\# not a heading" in markdown
    assert "```\n<script>alert(7)</script>\n```" in markdown  # code stays code, verbatim
    # The unclosed fence is closed, so the sections after it are still headings:
    assert "<h2>3. What we are doing about it</h2>" in rendered
    assert "\\<i\\>" not in markdown and "&lt;i>Eve&lt;/i> \\| pipe" in markdown


def test_an_empty_report_says_what_is_missing() -> None:
    report = from_document(empty_document())
    text = visible(render_html(report))
    assert_in_order(text, ["Untitled report", "Draft", *HEADINGS])
    assert text.count("Not written yet.") == 4
    for missing in ("No events recorded yet.", "No contributing factors recorded yet.",
                    "No actions agreed yet.", "No date set yet."):
        assert missing in text
    assert 'class="missing"' in render_html(report)
    markdown = render_markdown_document(report)
    assert markdown.count("_Not written yet._") == 4


def test_a_published_report_is_not_marked_draft(rich: Report) -> None:
    rich = copy.deepcopy(rich)
    rich.status = "published"
    html = render_html(rich, for_pdf=True)
    assert 'class="draft-notice"' not in html and "@top-right" not in html
    rich.status = "in_review"
    assert "DRAFT" in visible(render_html(rich)).upper()


def test_every_local_format_renders_bytes(rich: Report) -> None:
    for exporter in FORMATS.values():
        if getattr(exporter, "destination", "local") == "local":
            starts = (b"%PDF-", b"# Unt", b"<!doc", b"PK\x03\x04\x14")  # a .docx is a zip
            assert exporter.render(Report())[:5] in starts


def test_css_string_cannot_break_out_of_the_stylesheet() -> None:
    value = css_string('x"; } body { background: url(http://evil) } </style><script>')
    assert value.startswith('"') and value.endswith('"')
    assert not re.search(r'[<>;{}()"]', value[1:-1])
    assert shorten("word " * 40, 30).endswith("…") and len(shorten("word " * 40, 30)) <= 30


def test_markdown_escaping_helpers() -> None:
    assert markdown_inline("a *b* [c](d) <e> | f\nnew line") == (
        "a \\*b\\* \\[c\\](d) &lt;e> \\| f new line"
    )
    assert markdown_block("x <b>\n\n    <i>code</i>") == "x &lt;b>\n\n    <i>code</i>"
    assert markdown_block("```\nopen") == "```\nopen\n```"


def test_factors_are_numbered_and_actions_say_which_they_deal_with(rich: Report) -> None:
    html = render_html(rich)
    text = visible(html)
    assert "Deals with factors 1 and 2" in text and "Deals with factor 2" in text
    assert '<ol class="factors">' in html
    markdown = render_markdown_document(rich)
    assert "1. **Root cause:** The retired gateway" in markdown
    assert "(deals with factors 1 and 2)" in markdown


def test_no_single_root_cause_is_said_only_when_the_authors_agreed(rich: Report) -> None:
    rich = copy.deepcopy(rich)
    rich.factors = [replace(factor, root_cause=False) for factor in rich.factors]
    assert "No root cause marked yet." in visible(render_html(rich))
    rich.no_single_root_cause = True
    text = visible(render_html(rich))
    assert "There was no single root cause" in text
    assert "No root cause marked yet." not in text


def test_prepared_for_is_said_once_in_the_title_block(rich: Report) -> None:
    html = render_html(rich)
    title_block = visible(html.split("<main>")[0] + "</header>")
    assert title_block.count("Acme Retail") == 1
    assert title_block.count("Prepared for") == 1
    assert "Incident report for" not in title_block
    markdown = render_markdown_document(rich).split("## 1.")[0]
    assert markdown.count("Acme Retail") == 1 and "**Prepared for:** Acme Retail" in markdown


SLOGAN = re.compile(r"written with|blameless by design|hindsight", re.IGNORECASE)


def test_the_client_copy_carries_no_product_slogan(rich: Report) -> None:
    html = visible(render_html(rich))
    markdown = render_markdown_document(rich)
    assert not SLOGAN.search(html) and not SLOGAN.search(markdown)
    assert "exported on" in html and "exported on" in markdown
    # The team's own copy may say plainly what made it.
    internal = visible(render_html(rich, copy="internal"))
    assert "made with Hindsight" in internal.split("exported on")[-1]
    assert "blameless by design" not in internal


def test_every_time_is_in_the_reports_zone_with_the_zone_named(rich: Report) -> None:
    exported = datetime(2026, 11, 2, 9, 15, tzinfo=UTC)  # 10:15 in Paris, winter time
    for text in (visible(render_html(rich, exported_on=exported)),
                 re.sub(r"\s+", " ", render_markdown_document(rich, exported_on=exported))):
        for fact in ("3 October 2026, 08:00 CEST", "3 October 2026, 08:20 CEST",
                     "3 October 2026, 13:00 CEST"):
            assert fact in text
        assert "Europe/Paris (CEST), on 3 October 2026" in text
        assert "exported on 2 November 2026, 10:15 CET" in text
    rich = copy.deepcopy(rich)
    rich.timezone = "Asia/Kathmandu"  # no letters of its own in the zone database: "+0545"
    text = visible(render_html(rich, exported_on=exported))
    assert "3 October 2026, 11:45 UTC+5:45" in text
    assert "exported on 2 November 2026, 15:00 UTC+5:45" in text
    assert "Time zone Asia/Kathmandu" in text


def test_a_timeline_across_a_clock_change_names_the_zone_of_each_time() -> None:
    # 25 October 2026 in Paris: 02:30 happens twice, first in summer time (CEST), then in CET.
    report = from_document({
        "timezone": "Europe/Paris",
        "timeline": [
            {"at": "2026-10-25T00:30:00+00:00", "kind": "deploy", "description": "first"},
            {"at": "2026-10-25T01:30:00+00:00", "kind": "mitigation", "description": "second"},
        ],
    })
    for text in (visible(render_html(report)), render_markdown_document(report)):
        assert "Times in Europe/Paris (CEST, then CET), on 25 October 2026." in text
        assert_in_order(text, ["02:30 CEST", "first", "02:30 CET", "second"])


def test_a_report_without_a_zone_says_its_times_are_utc() -> None:
    report = from_document({"started_at": "2026-10-03T08:00:00+02:00", "timezone": ""})
    text = visible(render_html(report))
    assert "3 October 2026, 06:00 UTC" in text and "Time zone UTC" in text


def test_local_time_for_the_pages_that_list_exports_and_saves() -> None:
    from exporters.viewmodel import local_time

    stored = datetime(2026, 10, 3, 8, 15)  # stored as naive UTC
    assert local_time(stored, "Europe/Paris") == "3 Oct 2026 at 10:15 CEST"
    assert local_time(stored.replace(month=12), "Europe/Paris") == "3 Dec 2026 at 09:15 CET"
    assert local_time(stored, "not a zone") == "3 Oct 2026 at 08:15 UTC"
