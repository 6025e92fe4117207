"""The one renderer: a report's view-model through a document template per format.

``render_html`` is the stable entry point other exporters (PDF, Google Docs) build on. It returns
a complete HTML document with its CSS inlined and no reference to anything outside it. ``copy``
is ``"client"`` (the default: internal items left out) or ``"internal"`` (everything, marked).
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context
from markupsafe import Markup

from reports.model import CLIENT_COPY, Report

from .text import markdown_inline
from .viewmodel import build

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "export"
RUNNING_TITLE_LIMIT = 80


def css_string(text: str) -> Markup:
    """Text as a quoted CSS string: anything but letters, digits and spaces is escaped."""
    body = "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in text)
    return Markup(f'"{body}"')


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] or text[: limit - 1]
    return cut.rstrip(" ,.;:–—-") + "…"


@pass_context
def in_report_language(context: Context, message: str, **values: object) -> str | Markup:
    """The document templates' ``_``: a message in the language of the report drawn (``r``),
    whoever exports it and whatever the pages speak."""
    if not context.eval_ctx.autoescape:
        return context["r"].t(message, **values)
    # HTML: the words are escaped, and so is every value that is not already markup.
    return Markup.escape(context["r"].t(message)) % values if values else Markup.escape(
        context["r"].t(message))


def page_numbers(pattern: str) -> Markup:
    """"Page %(page)s of %(pages)s", in any language, as a CSS ``content`` value counting the
    PDF's pages."""
    pieces = []
    for piece in pattern.replace("%(pages)s", "\0pages\0").replace(
            "%(page)s", "\0page\0").split("\0"):
        if piece in ("page", "pages"):
            pieces.append(f"counter({piece})")
        elif piece:
            pieces.append(css_string(piece))
    return Markup(" ".join(pieces))


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["css_string"] = css_string
    env.filters["shorten"] = shorten
    env.filters["md"] = markdown_inline
    env.filters["page_numbers"] = page_numbers
    env.globals["_"] = in_report_language
    return env


def render_html(
    report: Report, *, for_pdf: bool = False, exported_on: date | None = None,
    copy: str = CLIENT_COPY,
) -> str:
    """The report as one self-contained HTML document (``for_pdf`` adds page rules for print)."""
    return environment().get_template("report.html").render(
        r=build(report, exported_on=exported_on, copy=copy),
        for_pdf=for_pdf,
        running_title_limit=RUNNING_TITLE_LIMIT,
    )


def render_markdown_document(
    report: Report, *, exported_on: date | None = None, copy: str = CLIENT_COPY
) -> str:
    """The report as a Markdown document with the same content as the HTML one."""
    view = build(report, exported_on=exported_on, copy=copy)
    text = environment().get_template("report.md").render(r=view)
    return text.strip() + "\n"
