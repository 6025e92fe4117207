"""The stakeholders' view is easy to move through by keyboard and screen reader: a skip link
first, and the report's title inside ``main`` with the rest of the report."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from flask.testing import FlaskClient


class _Landmarks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.first_link: str | None = None
        self.h1_inside_main = False
        self.main_id: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "a" and self.first_link is None:
            self.first_link = named.get("href")
        if tag == "main":
            self.main_id = named.get("id")
        if tag == "h1" and "main" in self.open:
            self.h1_inside_main = True
        if tag not in ("br", "img", "input", "meta", "link", "hr"):
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag):]


def test_a_skip_link_leads_to_main_which_holds_the_title(
    client: FlaskClient, sample_document: dict[str, Any]
) -> None:
    report_id = client.post("/api/reports", json=sample_document).get_json()["id"]
    page = _Landmarks()
    page.feed(client.get(f"/reports/{report_id}/view").get_data(as_text=True))
    assert page.first_link == "#main" and page.main_id == "main"
    assert page.h1_inside_main
