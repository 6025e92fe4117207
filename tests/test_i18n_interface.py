"""The pages' language: the browser's Accept-Language, the switch on every page (remembered),
and the compiled catalogue a fresh clone gets at start-up."""

from __future__ import annotations

import shutil
from pathlib import Path

from flask.testing import FlaskClient

from reports import language
from tests.conftest import csrf_token_from

FRENCH = {"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"}


def test_english_by_default_and_french_when_the_browser_asks(client: FlaskClient) -> None:
    english = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in english
    assert "Skip to main content" in english
    french = client.get("/", headers=FRENCH).get_data(as_text=True)
    assert '<html lang="fr">' in french
    assert "Passer au contenu principal" in french
    assert "Skip to main content" not in french


def test_a_language_the_app_does_not_speak_falls_back_to_english(client: FlaskClient) -> None:
    page = client.get("/", headers={"Accept-Language": "de-DE,ja;q=0.8"}).get_data(as_text=True)
    assert '<html lang="en">' in page


def test_the_switch_is_on_every_page_names_the_other_language_in_its_own_words(
    client: FlaskClient,
) -> None:
    for url in ("/", "/examples", "/reports/999999"):
        page = client.get(url).get_data(as_text=True)
        assert 'action="/language"' in page, url
        assert 'lang="fr"' in page and ">Français</button>" in page, url
    french = client.get("/", headers=FRENCH).get_data(as_text=True)
    assert ">English</button>" in french and ">Français</button>" not in french


def test_the_choice_is_remembered_over_the_browser_and_goes_back_to_the_page(
    client: FlaskClient,
) -> None:
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    response = client.post("/language", data={"language": "fr", "next": "/examples?x=1",
                                              "csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"] == "/examples?x=1"
    assert "hindsight_language=fr" in response.headers["Set-Cookie"]
    assert '<html lang="fr">' in client.get("/").get_data(as_text=True)
    # Chosen beats the browser's wish.
    client.post("/language", data={"language": "en", "next": "/", "csrf_token": token})
    assert '<html lang="en">' in client.get("/", headers=FRENCH).get_data(as_text=True)


def test_the_switch_never_leads_off_the_site_nor_takes_an_unknown_language(
    client: FlaskClient,
) -> None:
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)", ""):
        response = client.post("/language", data={"language": "fr", "next": target,
                                                  "csrf_token": token})
        assert response.headers["Location"] == "/", target
    response = client.post("/language", data={"language": "xx", "csrf_token": token})
    assert "hindsight_language=en" in response.headers["Set-Cookie"]


def test_the_switch_needs_the_form_token(client: FlaskClient) -> None:
    assert client.post("/language", data={"language": "fr"}).status_code == 400


def test_the_catalogue_is_compiled_when_missing_or_older(tmp_path: Path) -> None:
    folder = tmp_path / "translations"
    shutil.copytree(language.TRANSLATIONS, folder, ignore=shutil.ignore_patterns("*.mo"))
    written = language.compile_catalogues(folder)
    assert [p.relative_to(folder) for p in written] == [
        Path("fr/LC_MESSAGES/messages.mo")]
    assert language.compile_catalogues(folder) == []  # up to date: nothing to do
    assert not list(folder.glob("**/.messages.*"))


def test_dates_and_numbers_follow_the_language() -> None:
    from datetime import date, datetime

    assert language.day(date(2026, 10, 3), "en") == "3 October 2026"
    assert language.day(date(2026, 10, 3), "fr") == "3 octobre 2026"
    assert language.day(date(2026, 10, 3), "fr", "short") == "3 oct. 2026"
    assert language.clock(datetime(2026, 10, 3, 8, 5), "fr") == "08 h 05"
    assert language.number(1234.5, "en") == "1,234.5"
    assert language.number(1234.5, "fr") == "1\u202f234,5"


def test_the_review_checklist_speaks_the_readers_language(client: FlaskClient) -> None:
    """The checklist (its words built outside the templates) follows the reader, as pages do;
    the writing advice itself follows the report's language."""
    from tests.conftest import SAMPLE_DOCUMENT

    made = client.post("/api/reports", json={**SAMPLE_DOCUMENT, "impact": ""},
                       headers={"X-Requested-With": "fetch"})
    report_id = made.get_json()["id"]
    english = client.get(f"/api/reports/{report_id}/guidance").get_json()
    french = client.get(f"/api/reports/{report_id}/guidance", headers=FRENCH).get_json()
    labels = {c["id"]: c["label"] for c in english["readiness"]}
    assert labels["follow_up"] == "A date for the follow-up review"
    french_labels = {c["id"]: c["label"] for c in french["readiness"]}
    assert french_labels["follow_up"] == "Une date pour la réunion de suivi"
    advice = {c["id"]: c["advice"] for c in french["readiness"]}
    assert advice["summary_impact"].startswith("Décrivez les répercussions")
