"""Web page export: one self-contained HTML file (CSS inlined, figures embedded, no outside
references)."""

from __future__ import annotations

from reports.language import N_
from reports.model import CLIENT_COPY, Report

from .fetcher import embed_figures
from .render import render_html


class HtmlExporter:
    name = "html"
    label = N_("web page (HTML)")
    extension = "html"
    mimetype = "text/html; charset=utf-8"
    destination = "local"

    def render(self, report: Report, copy: str = CLIENT_COPY) -> bytes:
        return embed_figures(render_html(report, copy=copy)).encode("utf-8")
