"""Markdown export: the same content as the PDF, as the author's own Markdown."""

from __future__ import annotations

from reports.model import CLIENT_COPY, Report

from .render import render_markdown_document


class MarkdownExporter:
    name = "md"
    label = "Markdown"
    extension = "md"
    mimetype = "text/markdown; charset=utf-8"
    destination = "local"

    def render(self, report: Report, copy: str = CLIENT_COPY) -> bytes:
        return render_markdown_document(report, copy=copy).encode("utf-8")
