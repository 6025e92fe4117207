"""The guided page says every time in the report's own zone, the zone named: the last save and
the exported files (before: UTC in one place, the browser's clock without a zone in another)."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.conftest import csrf_token_from
from tests.pages import post_page


def test_the_last_save_and_the_exports_are_in_the_reports_zone(
    client: FlaskClient, sample_document: dict[str, Any]
) -> None:
    sample_document["timezone"] = "Asia/Kathmandu"  # UTC+5:45: no zone letters, an odd offset
    report_id = client.post("/api/reports", json=sample_document).get_json()["id"]
    url = f"/reports/{report_id}"
    page = client.get(url).get_data(as_text=True)
    assert 'data-saved-text="' in page
    assert "UTC+5:45</time>" in page and " UTC</time>" not in page
    token = csrf_token_from(page)
    client.post(f"{url}/export/md", data={"csrf_token": token})
    page = client.get(url).get_data(as_text=True)
    panel = page[page.index('id="exports"'):]
    assert "UTC+5:45</time>" in panel and " UTC</time>" not in panel
    saved = post_page(client, url, {"csrf_token": token, "title": "Renamed",
                                    "timezone": "Asia/Kathmandu"},
                      headers={"X-Hindsight-Autosave": "1"})
    clock = saved.get_json()["saved_clock"]
    assert clock.endswith(" UTC+5:45") and clock[2] == ":"
