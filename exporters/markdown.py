"""Markdown export: the same content as the PDF, as the author's own Markdown.

Links keep to the PDF's rule too: a link or image to a ``javascript:``, ``vbscript:``, ``data:``
or ``file:`` target is left as its text (``reports.markdown.drop_unsafe_links``).
"""

from __future__ import annotations

from reports.markdown import drop_unsafe_links
from reports.model import CLIENT_COPY, Report

from .render import render_markdown_document


class MarkdownExporter:
    name = "md"
    label = "Markdown"
    extension = "md"
    mimetype = "text/markdown; charset=utf-8"
    destination = "local"

    def render(self, report: Report, copy: str = CLIENT_COPY) -> bytes:
        return drop_unsafe_links(render_markdown_document(report, copy=copy)).encode("utf-8")
