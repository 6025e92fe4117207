"""What WeasyPrint may load while it makes a PDF: the app's own export assets, nothing else.

A report is written by people, so its HTML must never make the server fetch a URL (server-side
request forgery) or read a local file into the PDF. Assets are addressed as
``hindsight-asset:NAME`` and served only from ``ASSET_DIR``; every other URL (http, https,
file, data, relative paths) is refused and noted in ``refused``.
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path

from weasyprint.urls import URLFetcher, URLFetcherResponse

SCHEME = "hindsight-asset:"
ASSET_DIR = Path(__file__).resolve().parent.parent / "templates" / "export"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*\.(css|svg|png|ttf|otf|woff2?)$")


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
        path = self.asset_path(url)
        if path is None:
            self.refused.append(url)
            raise RefusedURL(f"exports load only their own assets, not {url[:200]!r}")
        mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url, body=path.read_bytes(), headers={"Content-Type": mimetype}
        )
