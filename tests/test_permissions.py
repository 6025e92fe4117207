"""Every route declares who may use it, and the table below is what the app does.

The table names, for each endpoint, who may use it on the ``acme`` report. A new route fails
``test_the_table_covers_every_route`` until it is added here, so none slips past the rules.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from accounts.roles import AUTHOR, REVIEWER, VIEWER, CurrentUser
from app import create_app
from tests.people import EVERYONE, refused, sign_in
from tests.route_fixtures import Populated, populated_app
from views.permissions import rule_for

ANYONE = frozenset(EVERYONE)
SIGNED_IN = ANYONE - {"no_one"}
AUTHORS = frozenset({"team_author", "other_author"})
STAFF = AUTHORS | {"reviewer"}
READERS = SIGNED_IN - {"outside_viewer"}  # of the acme report
TEAM = frozenset({"team_author"})

WHO_MAY: dict[str, frozenset[str]] = {
    "static": ANYONE, "healthz": ANYONE, "auth.login": ANYONE, "auth.logout": ANYONE,
    "language.switch": ANYONE,
    "library.index": SIGNED_IN, "library.actions": SIGNED_IN,
    "library.actions_csv": SIGNED_IN, "library.follow_ups": SIGNED_IN,
    "library.view": READERS, "library.mark_done": TEAM,
    "editor.new_report": AUTHORS, "editor.edit": READERS, "editor.save": TEAM,
    "examples.page": SIGNED_IN, "examples.start": AUTHORS,
    "exports.export": TEAM, "exports.download": READERS, "exports.shared_folder_file": STAFF,
    "exports.job": TEAM,
    "guidance.live": STAFF, "guidance.for_api": READERS,
    "guidance.set_aside": TEAM, "guidance.restore_set_aside": TEAM | {"reviewer"},
    "history.history": STAFF, "history.revision": STAFF, "history.restore": TEAM,
    "history.delete": TEAM, "history.bin": AUTHORS, "history.undelete": TEAM,
    "review.comments": STAFF, "review.add_comment": STAFF, "review.resolve_comment": STAFF,
    "settings.drive": SIGNED_IN, "settings.check_drive_settings": STAFF,
    "drive_connect.connect": STAFF, "drive_connect.callback": STAFF,
    "drive_connect.make_folder": STAFF, "drive_connect.disconnect": STAFF,
    "workflow.change_status": TEAM | {"reviewer"},
    "api.list_reports": SIGNED_IN, "api.create_report": AUTHORS, "api.get_report": READERS,
    "api.put_report": TEAM, "api.patch_report": TEAM, "live.changes": TEAM,
    "attachments.download": READERS, "attachments.upload": TEAM, "attachments.change": TEAM,
    "attachments.remove": TEAM, "attachments_api.list": READERS, "attachments_api.upload": TEAM,
    "timeline_import.start": TEAM, "timeline_import.read": TEAM, "timeline_import.add": TEAM,
    "timeline_import_api.parse": TEAM,
}


@pytest.fixture
def populated(tmp_path: Path) -> Populated:
    return populated_app(tmp_path)


def test_every_route_declares_who_may_use_it(app: Flask) -> None:
    with app.test_request_context():
        undeclared = [rule.endpoint for rule in app.url_map.iter_rules()
                      if rule_for(rule.endpoint) is None]
    assert undeclared == []


def test_the_table_covers_every_route(app: Flask) -> None:
    assert {rule.endpoint for rule in app.url_map.iter_rules()} == set(WHO_MAY)


def test_a_route_without_a_rule_is_refused_to_everyone(tmp_path: Path) -> None:
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True})
    app.add_url_rule("/undeclared", "undeclared", lambda: "should never be seen")
    response = app.test_client().get("/undeclared")
    assert response.status_code == 403
    assert "should never be seen" not in response.get_data(as_text=True)


def test_who_may_use_each_route(populated: Populated) -> None:
    app = populated.app
    people = {name: sign_in(app, name) for name in EVERYONE}
    rules = sorted(app.url_map.iter_rules(),
                   key=lambda r: (r.endpoint == "auth.logout", r.endpoint))  # sign-out last
    wrong = []
    for rule in rules:
        url = app.url_map.bind("localhost").build(
            rule.endpoint, populated.values(rule, populated.acme))
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            for name, person in people.items():
                if method == "GET":
                    response = person.get(url)
                elif method == "PUT":
                    response = person.client.put(url, base_url="https://localhost", json={})
                elif method == "PATCH":
                    response = person.client.patch(
                        url, base_url="https://localhost", data="[]",
                        headers={"Content-Type": "application/json-patch+json",
                                 "If-Match": '"1"'})
                else:
                    response = person.post(url, {"report_id": str(populated.acme),
                                                 "position": "0", "transition": "reopen"})
                assert response.status_code < 500, (method, url, name)
                expected_refusal = name not in WHO_MAY[rule.endpoint]
                if refused(person, response) != expected_refusal:
                    wrong.append(f"{method} {url} as {name}: {response.status_code}")
    assert wrong == []


@pytest.mark.parametrize("role", [AUTHOR, REVIEWER, VIEWER])
@pytest.mark.parametrize("team", [None, "", "acme", "acme, globex"])
def test_the_report_s_team_is_looked_up_for_everyone_it_can_matter_to(role: str,
                                                                      team: str | None) -> None:
    """``permitted`` skips the team's lookup for people whose rights do not depend on it."""
    person = CurrentUser(username="p", display_name="P", role=role, team=team)
    reports_teams = [None, "", "acme", "globex", "other"]
    depends = (len({person.may_edit_team(t) for t in reports_teams}) > 1
               or len({person.may_read_team(t) for t in reports_teams}) > 1)
    assert person.team_matters or not depends
    if not person.team_matters:
        assert all(person.may_edit_team(t) == person.may_edit_team(None)
                   and person.may_read_team(t) == person.may_read_team(None)
                   for t in reports_teams)
