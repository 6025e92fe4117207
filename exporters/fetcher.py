"""What WeasyPrint may load while it makes a PDF: the app's own export assets, nothing else.

A report is written by people, so its HTML must never make the server fetch a URL (server-side
request forgery) or read a local file into the PDF. Assets are addressed as
``hindsight-asset:NAME`` and served only from ``ASSET_DIR``; the report's own figures as
``hindsight-attachment:ID``, served only from the images of the report being exported
(``reports.attachments.current_figures``: an id of another report's file is refused like any
URL). Every other URL (http, https, file, data, relative paths) is refused and noted in
``refused``.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from pathlib import Path

from weasyprint.urls import URLFetcher, URLFetcherResponse

from reports.attachments import EXPORT_SCHEME, current_figures

SCHEME = "hindsight-asset:"
ASSET_DIR = Path(__file__).resolve().parent.parent / "templates" / "export"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*\.(css|svg|png|ttf|otf|woff2?)$")
_FIGURE = re.compile(r"^hindsight-attachment:(\d{1,10})$")
# A figure's image as ``reports.markdown`` writes it (the only <img> the cleaned HTML holds).
_FIGURE_SOURCE = re.compile(r'(<img class="figure" src=")hindsight-attachment:(\d{1,10})"')


def figure(url: str) -> tuple[bytes, str] | None:
    """The bytes and type of a ``hindsight-attachment:`` image of the report being exported."""
    match = _FIGURE.match(url)
    figures = current_figures()
    if match is None or figures is None:
        return None
    attachment_id = int(match.group(1))
    image, data = figures.image(attachment_id), figures.data(attachment_id)
    if image is None or data is None:
        return None
    return data, image.mimetype


def embed_figures(html: str) -> str:
    """The report's figures written into the HTML itself (data: URIs), so it stays one file."""
    def embedded(match: re.Match[str]) -> str:
        found = figure(f"{EXPORT_SCHEME}{match.group(2)}")
        if found is None:
            return f'{match.group(1)}"'
        data, mimetype = found
        return f'{match.group(1)}data:{mimetype};base64,{base64.b64encode(data).decode()}"'

    return _FIGURE_SOURCE.sub(embedded, html)


class RefusedURL(ValueError):
    """A URL the export is not allowed to load."""


class AssetFetcher(URLFetcher):
    """A WeasyPrint 70 URL fetcher that serves ``hindsight-asset:`` names from one directory."""

    def __init__(self, asset_dir: Path = ASSET_DIR) -> None:
        # No handlers, no redirects, no timeouts to wait for: nothing goes to the network.
        super().__init__(timeout=1, allowed_protocols=(), allow_redirects=False)
        self.asset_dir = asset_dir.resolve()
        self.refused: list[str] = []

    def asset_path(self, url: str) -> Path | None:
        """The file a ``hindsight-asset:`` URL names, if it is one of ours."""
        if not url.startswith(SCHEME):
            return None
        name = url.removeprefix(SCHEME).lstrip("/")
        if not _NAME.match(name):
            return None
        path = (self.asset_dir / name).resolve()
        if path.parent != self.asset_dir or not path.is_file():
            return None
        return path

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        found = figure(url)
        if found is not None:
            return URLFetcherResponse(url, body=found[0], headers={"Content-Type": found[1]})
        path = self.asset_path(url)
        if path is None:
            self.refused.append(url)
            raise RefusedURL(f"exports load only their own assets, not {url[:200]!r}")
        mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url, body=path.read_bytes(), headers={"Content-Type": mimetype}
        )
