"""Google Docs export: HTML written for Google's importer, which Drive converts into a Doc.

It has no local file: ``destination`` tells the views and the command line to send it to Drive
(``exporters.drive_publish``) instead of writing it into the local shared folder.

The HTML is not the web page's (``templates/export/report.html``): Google Docs' importer keeps
what is written on each element (``style`` attributes, ``width``) and little else, so a page
styled by a stylesheet, CSS variables, grid or flex arrives grey and shapeless. The view-model is
the same (``exporters.viewmodel.build``), so the content, and what the client copy leaves out,
are the same; ``templates/export/gdoc.html`` lays it out the importer's way.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache

from jinja2 import Environment
from markupsafe import Markup

from reports.language import N_
from reports.model import CLIENT_COPY, Report

from .fetcher import embed_figures
from .render import environment as export_environment
from .viewmodel import build

# Inline styles for the few elements the sanitised Markdown can hold (reports/markdown.py:
# p, br, ul, ol, li, em, strong, a, code, pre, blockquote; only <a> carries attributes).
_STYLES = {
    "p": "margin:0 0 6pt",
    "code": "font-family:'Courier New',monospace;background-color:#f3f5f8",
    "pre": ("font-family:'Courier New',monospace;background-color:#f3f5f8;padding:4pt 6pt;"
            "white-space:pre-wrap"),
    "blockquote": "border-left:3pt solid #d5dbe3;color:#5f6b7a;margin:0 0 6pt;padding-left:8pt",
}
_OPENING = re.compile(r"<(p|code|pre|blockquote)>")
_LINK = re.compile(r"<a ")
_ONE_PARAGRAPH = re.compile(r"\A\s*<p>((?:(?!<p>|</p>).)*)</p>\s*\Z", re.S)


def styled(html: Markup, inline: bool = False) -> Markup:
    """Sanitised Markdown HTML with its look written on each element.

    ``inline``: one paragraph loses its ``<p>``, to sit on the line of a mark before it.
    """
    text = str(html)
    if inline and (single := _ONE_PARAGRAPH.match(text)):
        text = single.group(1)
    text = _OPENING.sub(lambda m: f'<{m[1]} style="{_STYLES[m[1]]}">', text)
    text = _LINK.sub('<a style="color:#1f5f8b" ', text)
    return Markup(text)  # sanitised HTML in; only fixed attributes are added


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The export templates' environment, with the filter that writes the look inline."""
    env = export_environment().overlay()
    env.filters["styled"] = styled
    return env


def render_gdoc_html(report: Report, *, copy: str = CLIENT_COPY,
                     exported_on: date | datetime | None = None) -> str:
    """The report as HTML for Google Docs' importer (the same content as every export).

    Figures go in as data: URIs, which the importer turns into the Doc's own images.
    """
    return embed_figures(environment().get_template("gdoc.html").render(
        r=build(report, exported_on=exported_on, copy=copy)))


class GdocExporter:
    name = "gdoc"
    label = N_("Google Doc")
    button = N_("Export to Google Docs")
    extension = "html"
    mimetype = "text/html; charset=utf-8"
    destination = "drive"

    def render(self, report: Report, copy: str = CLIENT_COPY) -> bytes:
        return render_gdoc_html(report, copy=copy).encode("utf-8")
