"""PDF export: the report's HTML through WeasyPrint, tagged, with no outside fetches.

WeasyPrint is imported on first use, so the app and the CLI start without paying for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reports.model import CLIENT_COPY, Report

from .render import render_html

if TYPE_CHECKING:
    from .fetcher import AssetFetcher

PRINT_STYLESHEET = "hindsight-asset:print.css"


def html_to_pdf(html: str, fetcher: AssetFetcher | None = None) -> bytes:
    """Any HTML to a tagged PDF with the print stylesheet; only ``fetcher`` may load anything.

    No base URL is given, so relative references (``/etc/passwd``) resolve to nothing, and
    absolute ones reach the fetcher, which refuses all but the app's own assets.
    """
    import weasyprint

    from .fetcher import AssetFetcher

    fetcher = fetcher or AssetFetcher()
    document = weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher)
    stylesheet = weasyprint.CSS(url=PRINT_STYLESHEET, url_fetcher=fetcher)
    # pdf_tags gives a tagged PDF (structure tree, /Lang from <html lang>, reading order).
    # The "pdf/ua-1" variant would also claim PDF/UA conformance, which nothing here verifies.
    return document.write_pdf(stylesheets=[stylesheet], pdf_tags=True)


class PdfExporter:
    name = "pdf"
    label = "PDF"
    extension = "pdf"
    mimetype = "application/pdf"
    destination = "local"

    def render(self, report: Report, copy: str = CLIENT_COPY) -> bytes:
        return html_to_pdf(render_html(report, for_pdf=True, copy=copy))
