"""Google Docs export: the report's HTML, which Drive converts into a Doc in the shared folder.

It has no local file: ``destination`` tells the views and the command line to send it to Drive
(``exporters.drive_publish``) instead of writing it into the local shared folder.
"""

from __future__ import annotations

from reports.model import CLIENT_COPY, Report

from .render import render_html


class GdocExporter:
    name = "gdoc"
    label = "Google Doc"
    button = "Export to Google Docs"
    extension = "html"
    mimetype = "text/html; charset=utf-8"
    destination = "drive"

    def render(self, report: Report, copy: str = CLIENT_COPY) -> bytes:
        return render_html(report, copy=copy).encode("utf-8")
