"""The last English words of issue 17, in French too: the timeline import's sources and
problems, the command line (its language from the environment), the shared folder's index, the
French example report, and the Google Drive check's results and export notices."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from reports.exchange import from_document
from tests.conftest import SAMPLE_DOCUMENT
from tests.pages import store_of

FRENCH = {"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"}
CORPUS = Path(__file__).parent / "corpora" / "timeline_import"


def create(app: Flask, **changes: Any) -> int:
    document = {**copy.deepcopy(SAMPLE_DOCUMENT), **changes}
    return store_of(app).create(from_document(document), team="acme").id


# ---- the timeline import: the kind of text, and what is wrong with it ----------------------


def _read_page(client: FlaskClient, report_id: int, text: str, csrf_token: str,
               headers: dict[str, str], **form: str) -> str:
    return client.post(f"/reports/{report_id}/timeline/import", headers=headers,
                       data={"csrf_token": csrf_token, "text": text, "asked": "1",
                             "timezone": "UTC", **form}).get_data(as_text=True)


def test_the_import_names_the_kind_of_text_in_the_readers_language(
    app: Flask, client: FlaskClient, csrf_token: str,
) -> None:
    report_id = create(app)
    teams = (CORPUS / "teams-paste.txt").read_text(encoding="utf-8")
    slack = (CORPUS / "slack-incident-channel.json").read_text(encoding="utf-8")
    french = _read_page(client, report_id, teams, csrf_token, FRENCH)
    assert "trouvés (Messages Microsoft Teams)" in french
    assert "Microsoft Teams messages" not in french
    french_slack = _read_page(client, report_id, slack, csrf_token, FRENCH)
    assert "(Exportation d’une chaîne Slack)" in french_slack
    assert "Slack channel export" not in french_slack
    english = _read_page(client, report_id, teams, csrf_token, {})
    assert "found in the Microsoft Teams messages" in english
    csv_text = (CORPUS / "pagerduty-log.csv").read_text(encoding="utf-8")
    assert "found in the table (CSV)" in _read_page(client, report_id, csv_text, csrf_token, {})


def test_what_the_import_cannot_read_is_said_in_the_readers_language(
    app: Flask, client: FlaskClient, csrf_token: str,
) -> None:
    report_id = create(app)
    french = _read_page(client, report_id, "pas d’heure ici", csrf_token, FRENCH)
    assert "Aucun événement trouvé" in french and "No events were found" not in french
    broken = _read_page(client, report_id, '[{"ts": ', csrf_token, FRENCH, source="slack")
    assert "Cette exportation Slack ne peut pas être lue" in broken
    assert "not a Slack export" not in broken
    english = _read_page(client, report_id, "no times here", csrf_token, {})
    assert "No events were found" in english
    api = client.post(f"/api/reports/{report_id}/timeline/parse", headers=FRENCH,
                      json={"text": "pas d’heure ici"}).get_json()
    assert api["problems"][0].startswith("Aucun événement trouvé")
