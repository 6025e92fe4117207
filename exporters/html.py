"""Web page export: one self-contained HTML file (CSS inlined, no outside references)."""

from __future__ import annotations

from reports.model import Report

from .render import render_html


class HtmlExporter:
    name = "html"
    label = "web page (HTML)"
    extension = "html"
    mimetype = "text/html; charset=utf-8"
    destination = "local"

    def render(self, report: Report) -> bytes:
        return render_html(report).encode("utf-8")
