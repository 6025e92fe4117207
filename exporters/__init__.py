"""Export formats and destinations. One module per format; register it here with one line.

An exporter has a ``name``, a ``label`` for buttons, a file ``extension``, a ``mimetype`` and
``render(report, copy) -> bytes``, where ``copy`` is ``"client"`` (internal items left out, the
default) or ``"internal"`` (everything, marked INTERNAL). Destinations (the local shared
folder in ``exporters.folder``, Google Drive) take those bytes; the shared renderer is
``exporters.render.render_html``.
"""

from __future__ import annotations

from typing import Protocol

from reports.model import CLIENT_COPY, Report

from .docx import DocxExporter
from .gdoc import GdocExporter
from .html import HtmlExporter
from .markdown import MarkdownExporter
from .pdf import PdfExporter


class Exporter(Protocol):
    name: str
    label: str
    extension: str
    mimetype: str
    destination: str  # "local" (a file in the shared folder) or "drive"

    def render(self, report: Report, copy: str = CLIENT_COPY) -> bytes: ...


FORMATS: dict[str, Exporter] = {
    "pdf": PdfExporter(),
    "md": MarkdownExporter(),
    "html": HtmlExporter(),
    "docx": DocxExporter(),  # the shared folder only, not copied to Drive
    "gdoc": GdocExporter(),  # destination "drive": goes to Google Drive, never a local file
}
