"""The PDF renderer loads nothing but its own assets: no network, no local files.

A real HTTP server on 127.0.0.1 counts every request it gets; the PDF is made from raw HTML
(not only from sanitised reports, since render_markdown already drops images) that points at it
and at local files in every way WeasyPrint would follow.
"""

from __future__ import annotations

import http.server
import io
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from exporters.fetcher import AssetFetcher, RefusedURL
from exporters.pdf import PRINT_STYLESHEET, PdfExporter, html_to_pdf
from reports.exchange import from_document
from tests.export_samples import hostile_document


class Canary:
    def __init__(self) -> None:
        self.paths: list[str] = []
        canary = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                canary.paths.append(self.path)
                body = b"body { background: red }" if self.path.endswith(".css") else b"x"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def canary() -> Iterator[Canary]:
    server = Canary()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


def test_the_canary_server_really_answers(canary: Canary) -> None:
    """Guard against a test that passes because nothing could have connected anyway."""
    import urllib.request

    with urllib.request.urlopen(f"{canary.url}/ping", timeout=5) as response:
        assert response.read() == b"x"
    assert canary.paths == ["/ping"]


def hostile_html(url: str, secret: Path) -> str:
    return f"""<!doctype html><html lang="en"><head><title>Hostile</title>
<link rel="stylesheet" href="{url}/link.css">
<link rel="attachment" href="{url}/attachment.bin">
<style>
@import url("{url}/import.css");
@import "file://{secret}";
@font-face {{ font-family: Evil; src: url("{url}/font.ttf"); }}
body {{ background-image: url("{url}/background.png"); font-family: Evil; }}
h1 {{ background: url("file:///etc/passwd"); }}
h2 {{ background: url("/etc/passwd"); list-style-image: url("{url}/bullet.png"); }}
</style></head><body>
<h1>Hostile</h1><h2>Still hostile</h2>
<img src="{url}/image.png" alt="remote">
<img src="/etc/passwd" alt="relative">
<img src="file:///etc/passwd" alt="file">
<img src="file://{secret}" alt="secret file">
<img srcset="{url}/srcset.png 2x" alt="srcset">
<object data="{url}/object.svg" type="image/svg+xml"></object>
<embed src="{url}/embed.svg" type="image/svg+xml">
<iframe src="{url}/frame.html"></iframe>
<svg width="10" height="10"><image href="{url}/svg-image.png" width="10" height="10"/></svg>
<div style="background: url('{url}/inline-style.png')">inline</div>
<a href="{url}/a-link">a plain link is never fetched</a>
</body></html>"""


def test_no_remote_or_local_reference_is_ever_fetched(canary: Canary, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    fetcher = AssetFetcher()
    pdf = html_to_pdf(hostile_html(canary.url, secret), fetcher)

    assert canary.paths == []
    assert pdf.startswith(b"%PDF-")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "TOP-SECRET" not in text and "root:" not in text
    assert "Still hostile" in text
    refused = " ".join(fetcher.refused)
    # Absolute references reached the fetcher and were refused there; relative ones
    # (``/etc/passwd``) never become a URL because the document has no base URL.
    for name in ("image.png", "link.css", "import.css", "background.png", "object.svg"):
        assert f"{canary.url}/{name}" in refused
    assert "file:///etc/passwd" in refused
    assert str(secret) in refused


def test_a_hostile_report_makes_no_request_either(canary: Canary) -> None:
    report = from_document(hostile_document(canary.port))
    pdf = PdfExporter().render(report)
    assert pdf.startswith(b"%PDF-")
    assert canary.paths == []


def test_the_fetcher_serves_its_own_stylesheet_and_nothing_else(tmp_path: Path) -> None:
    fetcher = AssetFetcher()
    response = fetcher.fetch(PRINT_STYLESHEET)
    assert response.content_type == "text/css"
    assert b"@page" in response.read()

    outside = tmp_path / "outside.css"
    outside.write_text("body {}")
    for url in (
        "hindsight-asset:../print.css",
        "hindsight-asset:/../../etc/passwd",
        "hindsight-asset:report.html",  # a template, not an asset
        "hindsight-asset:missing.css",
        f"file://{outside}",
        "file:///etc/passwd",
        "http://127.0.0.1:9/print.css",
        "https://example.com/print.css",
        "data:text/css,body{}",
        "/etc/passwd",
        "print.css",
    ):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 11


def test_assets_come_only_from_the_directory_given(tmp_path: Path) -> None:
    assets = tmp_path / "assets"
    assets.mkdir()
    (assets / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path / "secret.css").write_text("secret")
    fetcher = AssetFetcher(assets)
    assert fetcher.fetch("hindsight-asset:logo.svg").content_type == "image/svg+xml"
    with pytest.raises(RefusedURL):
        fetcher.fetch("hindsight-asset:../secret.css")
    (assets / "link.css").symlink_to(tmp_path / "secret.css")
    with pytest.raises(RefusedURL):
        fetcher.fetch("hindsight-asset:link.css")
