"""GET /reports/<id>/changes: an open page learns of others' saves without a reload."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from tests.pages import form_values, post_page
from tests.people import BASE_URL, sign_in
from tests.route_fixtures import populated_app

AUTOSAVE = {"X-Hindsight-Autosave": "1"}


def _report(client: FlaskClient, sample_document: dict[str, Any]) -> str:
    created = client.post("/api/reports", json=sample_document)
    assert created.status_code == 201
    return f"/reports/{created.get_json()['id']}"


def test_nothing_new_is_an_empty_answer(client: FlaskClient,
                                        sample_document: dict[str, Any]) -> None:
    url = _report(client, sample_document)
    answer = client.get(f"{url}/changes?since=1")
    assert answer.status_code == 204 and answer.data == b""


def test_a_save_elsewhere_comes_with_who_what_and_the_values(
        client: FlaskClient, sample_document: dict[str, Any]) -> None:
    url = _report(client, sample_document)
    values = form_values(client.get(url).get_data(as_text=True))
    since = values["base_version"]
    values.update({"summary": "New summary.", "timeline-2-description": "Moved back at 10:40."})
    assert post_page(client, url, data=values, headers=AUTOSAVE).status_code == 200
    answer = client.get(f"{url}/changes?since={since}")
    assert answer.status_code == 200
    data = answer.get_json()
    assert data["version"] == int(since) + 1
    assert data["parts"] == ["summary", "timeline"]
    assert data["what"] == "changed the summary and 1 timeline event"
    assert data["saved_clock"].endswith(("CEST", "CET"))
    entries = dict(data["entries"])
    assert entries["summary"] == "New summary."
    assert entries["timeline-2-description"] == "Moved back at 10:40."
    assert answer.headers["Cache-Control"] == "no-store"
    # Asked again from the new version: nothing new.
    assert client.get(f"{url}/changes?since={data['version']}").status_code == 204


def test_the_names_of_who_saved_are_given_with_sign_in(tmp_path: Path) -> None:
    populated = populated_app(tmp_path)
    author = sign_in(populated.app, "team_author")
    url = f"/reports/{populated.acme}"
    values = form_values(author.get(url).get_data(as_text=True))
    since = values["base_version"]
    values["title"] = "Renamed"
    saved = author.client.post(url, base_url=BASE_URL, data=values, headers=AUTOSAVE)
    assert saved.status_code == 200, saved.get_data(as_text=True)
    data = author.get(f"{url}/changes?since={since}").get_json()
    assert data["by"] == ["team_author"]
    assert data["parts"] == ["title"] and data["what"] == "changed the title"


def test_a_bad_since_is_refused_plainly(client: FlaskClient,
                                        sample_document: dict[str, Any]) -> None:
    url = _report(client, sample_document)
    for since in ("", "x", "-1", "1.5"):
        assert client.get(f"{url}/changes?since={since}").status_code == 400
    assert client.get("/reports/999/changes?since=1").status_code == 404
