"""Headers that keep the browser from running or framing anything the app did not serve."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_every_page_forbids_inline_code_other_origins_and_framing(client: FlaskClient) -> None:
    for url in ("/", "/reports/404", "/api/reports", "/static/hindsight.css"):
        headers = client.get(url).headers
        policy = headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy
        assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_pages_carry_no_inline_script_or_style(client: FlaskClient, csrf_token: str) -> None:
    url = client.post("/reports", data={"csrf_token": csrf_token}).headers["Location"]
    for page in (client.get("/"), client.get(url)):
        html = page.get_data(as_text=True)
        assert "<script>" not in html and "<style" not in html and " style=" not in html
        assert "onclick=" not in html and "onload=" not in html


def test_health_check(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
