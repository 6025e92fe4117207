"""Viewers are stakeholders: they only ever receive the client copy, on every route, and a
viewer limited to some teams receives nothing of any other team's reports.

Every GET route of ``app.url_map`` is walked as each kind of viewer, pointed at a report full of
unique internal markers and at another team's report.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.people import sign_in
from tests.route_fixtures import CLIENT_MARKER, GLOBEX_MARKER, Populated, populated_app
from tests.test_internal_copy import MARKERS

VIEWERS = ("viewer", "team_viewer", "outside_viewer")


@pytest.fixture
def populated(tmp_path: Path) -> Populated:
    return populated_app(tmp_path)


def _every_get_url(populated: Populated, report_id: int) -> list[str]:
    adapter = populated.app.url_map.bind("localhost")
    return [adapter.build(rule.endpoint, populated.values(rule, report_id))
            for rule in populated.app.url_map.iter_rules()
            if "GET" in (rule.methods or set()) and rule.endpoint != "static"]


def _leaks(body: str) -> list[str]:
    text = re.sub(r"\s+", "", body)
    return [marker for marker in MARKERS if marker in text]


@pytest.mark.parametrize("name", VIEWERS)
def test_no_route_gives_a_viewer_anything_internal(populated: Populated, name: str) -> None:
    person = sign_in(populated.app, name)
    urls = [
        *_every_get_url(populated, populated.acme),
        f"/?q={CLIENT_MARKER}", "/?q=VENDOR", "/actions.csv?owner=",
        f"/reports/{populated.acme}/exports/{populated.internal_export}/download",
    ]
    for url in urls:
        response = person.get(url)
        assert response.status_code < 500, url
        assert _leaks(response.get_data(as_text=True)) == [], f"{url} as {name}"


def test_a_team_viewer_sees_only_their_teams_reports(populated: Populated) -> None:
    person = sign_in(populated.app, "team_viewer")
    for url in _every_get_url(populated, populated.globex):
        response = person.get(url)
        assert GLOBEX_MARKER not in response.get_data(as_text=True), url
    assert "Search outage" not in person.get("/?q=search+outage").get_data(as_text=True)
    assert person.get(f"/reports/{populated.globex}/view").status_code == 403
    assert person.get(f"/api/reports/{populated.globex}").status_code == 403
    listed = person.get("/api/reports").get_json()["reports"]
    assert [r["id"] for r in listed] == [populated.acme]
    # Their own team's report is there, in the client copy.
    assert CLIENT_MARKER in person.get(f"/reports/{populated.acme}/view").get_data(as_text=True)


def test_an_outside_viewer_finds_nothing(populated: Populated) -> None:
    person = sign_in(populated.app, "outside_viewer")
    assert person.get("/api/reports").get_json()["reports"] == []
    home = person.get("/").get_data(as_text=True)
    assert GLOBEX_MARKER not in home and "Checkout unavailable" not in home
    assert person.get(f"/reports/{populated.acme}/view").status_code == 403


def test_search_finds_for_viewers_only_words_of_the_client_copy(populated: Populated) -> None:
    viewer, author = sign_in(populated.app, "viewer"), sign_in(populated.app, "team_author")
    title = "Checkout unavailable"
    assert title in viewer.get(f"/?q={CLIENT_MARKER}").get_data(as_text=True)
    assert title not in viewer.get("/?q=VENDOR-NAME-ACME").get_data(as_text=True)
    assert title in author.get("/?q=VENDOR-NAME-ACME").get_data(as_text=True)


def test_viewers_get_the_client_copy_from_the_api(populated: Populated) -> None:
    viewer = sign_in(populated.app, "viewer")
    document = viewer.get(f"/api/reports/{populated.acme}").get_json()
    assert not any(item.get("internal") for key in ("timeline", "factors", "actions")
                   for item in document[key])
    assert "internal_parts" not in document and document["impact"] == ""
    # Links to left-out factors are dropped and the others renumbered, as in the exports.
    assert all(0 <= p < len(document["factors"]) for a in document["actions"]
               for p in a.get("addresses", []))
    author = sign_in(populated.app, "team_author")
    assert author.get(f"/api/reports/{populated.acme}").get_json()["internal_parts"]


def test_a_viewer_cannot_download_the_internal_copy(populated: Populated) -> None:
    viewer, author = sign_in(populated.app, "viewer"), sign_in(populated.app, "team_author")
    url = f"/reports/{populated.acme}/exports/{populated.internal_export}/download"
    assert viewer.get(url).status_code == 404
    assert author.get(url).status_code == 200
    client_url = f"/reports/{populated.acme}/exports/{populated.client_export}/download"
    assert viewer.get(client_url).status_code == 200
