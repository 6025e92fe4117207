"""Only those who may edit a report change its content, by any route (issue: a reviewer could
overwrite any report through the status route, which saved whatever page fields it was sent)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from services import get_store
from tests.people import sign_in
from tests.route_fixtures import Populated, populated_app


@pytest.fixture
def populated(tmp_path: Path) -> Populated:
    return populated_app(tmp_path)


def _set_status(populated: Populated, status: str) -> int:
    with populated.app.app_context():
        store = get_store()
        stored = store.get(populated.acme)
        assert stored is not None
        return store.save(populated.acme, replace(stored.report, status=status)).version  # type: ignore[union-attr]


def _title(populated: Populated) -> str:
    with populated.app.app_context():
        stored = get_store().get(populated.acme)
        assert stored is not None
        return stored.report.title


# The report is not ready to publish (a check is unmet), so "publish" leaves it in review.
@pytest.mark.parametrize("transition, start, end", [("publish", "in_review", "in_review"),
                                                    ("reopen", "in_review", "draft")])
def test_a_reviewer_moves_a_report_but_never_changes_its_content(
    populated: Populated, transition: str, start: str, end: str
) -> None:
    version = _set_status(populated, start)
    before = _title(populated)
    reviewer = sign_in(populated.app, "reviewer")
    answer = reviewer.post(f"/reports/{populated.acme}/status", {
        "transition": transition, "title": "Overwritten by a reviewer",
        "summary": "Overwritten", "base_version": str(version)})
    assert answer.status_code == 303
    assert _title(populated) == before
    with populated.app.app_context():
        stored = get_store().get(populated.acme)
        assert stored is not None and stored.report.status == end
        assert "Overwritten" not in stored.report.summary


def test_the_teams_author_still_saves_the_page_when_sending_it_for_review(
    populated: Populated,
) -> None:
    author = sign_in(populated.app, "team_author")
    with populated.app.app_context():
        version = get_store().get(populated.acme).version  # type: ignore[union-attr]
    answer = author.post(f"/reports/{populated.acme}/status", {
        "transition": "submit", "title": "Renamed by its author", "timezone": "UTC",
        "base_version": str(version)})
    assert answer.status_code == 303
    assert _title(populated) == "Renamed by its author"


@pytest.mark.parametrize("name", ["other_author", "viewer", "team_viewer"])
def test_others_change_nothing_by_any_route(populated: Populated, name: str) -> None:
    before = _title(populated)
    person = sign_in(populated.app, name)
    url = f"/reports/{populated.acme}"
    attempts = [
        person.post(url, {"title": "X", "base_version": "1"}),
        person.post(f"{url}/status", {"transition": "submit", "title": "X",
                                      "base_version": "1"}),
        person.post(f"{url}/history/1/restore"),
        person.post("/actions/done", {"report_id": str(populated.acme), "position": "0"}),
        person.client.put(f"/api{url}", base_url="https://localhost", json={"title": "X"},
                          headers={"If-Match": '"1"'}),
    ]
    assert [a.status_code for a in attempts] == [403] * len(attempts)
    assert _title(populated) == before
