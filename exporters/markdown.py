"""Markdown export: the same content as the PDF, as the author's own Markdown.

Links keep to the PDF's rule too: a link or image to a ``javascript:``, ``vbscript:``, ``data:``
or ``file:`` target is left as its text (``reports.markdown.drop_unsafe_links``).

A figure (``![caption](attachment:12)``) becomes an image whose address is the file in the
report's folder beside the Markdown file (``10.checkout.card-errors/errors-per-minute.png``, see
``exporters.publish.write_files``), so a viewer that shows the Markdown file shows the picture.
An internal-only image is drawn only in the internal copy (from the folder's ``internal/``); in
the client copy, as a number that is not one of the report's images, only its caption is left.
"""

from __future__ import annotations

import re

from reports.attachments import Figures, current_figures
from reports.markdown import drop_unsafe_links
from reports.model import CLIENT_COPY, INTERNAL_COPY, Report

from .naming import INTERNAL_FILES, attachment_file_names, export_names, files_folder
from .render import render_markdown_document

# A figure as the export's text leaves it: its "![" escaped (``exporters.text._inert``), so it
# is inert until placed here. Group 1 is the caption, group 2 the file's number.
_FIGURE = re.compile(r"!\\\[((?:[^\]\\\n]|\\.)*)\]\(attachment:(\d{1,10})\)")
# Inline code, where a figure line is shown as text, not drawn: backticks, anything, the same
# number of backticks.
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)")


class MarkdownExporter:
    name = "md"
    label = "Markdown"
    extension = "md"
    mimetype = "text/markdown; charset=utf-8"
    destination = "local"

    def render(self, report: Report, copy: str = CLIENT_COPY) -> bytes:
        text = render_markdown_document(report, copy=copy)
        figures = current_figures()
        if figures is not None:
            text = place_figures(text, figures_for(report, figures, copy))
        return drop_unsafe_links(text).encode("utf-8")


def figures_for(report: Report, figures: Figures, copy: str) -> dict[int, str]:
    """Attachment number -> the image's address beside the Markdown file, for the images this
    copy may show.

    The folder is the one the export's own name gives (``naming.files_folder``). A report whose
    name another report's file already holds is written under its id form instead
    (``publish.choose_location``, after rendering), which this cannot know.
    """
    images = list(figures.images.values())
    if not images:
        return {}
    report_id = images[0].report_id
    folder = files_folder(export_names(report, report_id, "md", copy).preferred)
    return {number: f"{folder.rpartition('/')[2]}/{path}"
            for number, path in image_paths(figures, copy).items()}


def image_paths(figures: Figures, copy: str) -> dict[int, str]:
    """Attachment number -> where the image is inside the report's folder: the names
    ``exporters.publish.write_files`` gives, internal ones in ``internal/`` (internal copy
    only)."""
    client = [(a.id, a.name) for a in figures.images.values() if not a.internal]
    paths = dict(attachment_file_names(client))
    if copy == INTERNAL_COPY:
        inside = [(a.id, a.name) for a in figures.images.values() if a.internal]
        paths.update({number: f"{INTERNAL_FILES}/{name}"
                      for number, name in attachment_file_names(inside).items()})
    return paths


def place_figures(markdown: str, addresses: dict[int, str]) -> str:
    """Each inert ``![caption](attachment:N)`` as an image of its address, or its caption alone
    when ``addresses`` has none for N; figure lines inside inline code are left as written."""
    def figure(match: re.Match[str]) -> str:
        address = addresses.get(int(match.group(2)))
        caption = match.group(1)
        return f"![{caption}]({address})" if address else caption

    def line(text: str) -> str:
        pieces, kept = [], 0
        for code in _CODE_SPAN.finditer(text):
            pieces.append(_FIGURE.sub(figure, text[kept:code.start()]))
            pieces.append(code.group())
            kept = code.end()
        pieces.append(_FIGURE.sub(figure, text[kept:]))
        return "".join(pieces)

    if "](attachment:" not in markdown:
        return markdown
    return "\n".join(line(text) for text in markdown.split("\n"))

