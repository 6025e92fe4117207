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
from tests import drive_fixtures
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


# ---- the command line: the language of its environment ---------------------------------------


def test_the_environments_language_is_chosen_as_command_line_tools_do() -> None:
    from reports.language import environment_language

    assert environment_language({"LANG": "fr_CA.UTF-8"}) == "fr"
    assert environment_language({"LANG": "fr"}) == "fr"
    assert environment_language({"LC_MESSAGES": "fr_FR@euro", "LANG": "en_CA.UTF-8"}) == "fr"
    assert environment_language({"LC_ALL": "en_US.UTF-8", "LC_MESSAGES": "fr_FR"}) == "en"
    assert environment_language({"LC_ALL": "", "LANG": "fr_BE.UTF-8"}) == "fr"  # empty: unset
    for other in ({"LANG": "C.UTF-8"}, {"LANG": "POSIX"}, {"LANG": "de_DE.UTF-8"}, {}):
        assert environment_language(other) == "en", other


def _cli(app: Flask, args: list[str], language: str, **kwargs: Any) -> Any:
    env = {"LC_ALL": "", "LC_MESSAGES": "", "LANG": language}
    return app.test_cli_runner().invoke(args=args, env=env, **kwargs)


def test_the_command_line_speaks_french_in_a_french_environment(
    app: Flask, tmp_path: Path,
) -> None:
    missing = _cli(app, ["reports", "dump", "4242"], "fr_CA.UTF-8")
    assert missing.exit_code != 0 and "Il n’y a pas de rapport 4242." in missing.output
    assert "There is no report" not in missing.output
    english = _cli(app, ["reports", "dump", "4242"], "en_CA.UTF-8")
    assert "There is no report 4242." in english.output
    assert "Il n’y a pas" not in english.output

    report_id = create(app)
    lines = tmp_path / "lines.txt"
    lines.write_text("09:14 Alerte reçue\n09:21 Retour à la version 4.1\n", encoding="utf-8")
    added = _cli(app, ["reports", "timeline", str(report_id), str(lines), "--timezone", "UTC",
                       "--add"], "fr_CA.UTF-8")
    assert added.exit_code == 0, added.output
    assert f"2 événements ajoutés au rapport {report_id}" in added.output
    again = _cli(app, ["reports", "timeline", str(report_id), str(lines), "--timezone", "UTC",
                       "--add"], "fr_CA.UTF-8")
    assert "\tdoublon" in again.output and "Rien à ajouter" in again.output
    assert "duplicate" not in again.output and "Nothing to add" not in again.output
    english_again = _cli(app, ["reports", "timeline", str(report_id), str(lines), "--timezone",
                               "UTC", "--add"], "C.UTF-8")
    assert "\tduplicate" in english_again.output and "Nothing to add" in english_again.output

    bad = tmp_path / "notes.json"
    bad.write_bytes(b"\xff\xfe pas du JSON")
    refused = _cli(app, ["reports", "import", str(bad)], "fr_CA.UTF-8")
    assert refused.exit_code != 0
    assert "notes.json n’est pas un fichier JSON qui peut être importé :" in refused.output
    assert _cli(app, ["db", "upgrade"], "fr_FR.UTF-8").output.strip() == \
        "La base de données est à jour."
    assert _cli(app, ["db", "upgrade"], "").output.strip() == "The database is up to date."
    # The command line's language stays with the command: the pages still follow the browser.
    assert "Skip to main content" in app.test_client().get("/").get_data(as_text=True)


# ---- the shared folder's index: in the site's language --------------------------------------


def _site(tmp_path: Path, **config: Any) -> Flask:
    from app import create_app

    return create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True, **config})


def _exported_index(app: Flask, person_speaks: str) -> tuple[str, str]:
    report_id = create(app, status="published", title="Paiements refusés pour 4 % des clients")
    result = _cli(app, ["reports", "export", str(report_id), "--format", "md"], person_speaks)
    assert result.exit_code == 0, result.output
    folder = Path(app.config["SHARED_FOLDER"])
    return ((folder / "index.html").read_text(encoding="utf-8"),
            (folder / "index.md").read_text(encoding="utf-8"))


def test_the_index_is_in_french_when_the_site_is(tmp_path: Path) -> None:
    app = _site(tmp_path, LANGUAGE="fr")
    page, markdown = _exported_index(app, "en_CA.UTF-8")  # whoever exports, in any language
    assert '<html lang="fr">' in page
    assert "<h1>Rapports d’incident</h1>" in page
    assert '<th scope="col">Date de l’incident</th>' in page and "État" in page
    assert "Mis à jour le " in page and " h " in page  # "… à 14 h 05 (UTC)"
    assert "Publié" in page and "version client" in page
    assert "Paiements refusés pour 4 % des clients" in page  # the report's own title
    assert "3 oct. 2026" in page  # the sample incident's day, as French writes it
    for english in ("Incident reports", "Incident date", "client copy", "Updated", "Published"):
        assert english not in page, english
    assert markdown.startswith("# Rapports d’incident\n")
    assert "| Date de l’incident | Rapport | Service | État | Fichiers |" in markdown
    assert "Incident date" not in markdown


def test_the_index_is_in_english_unless_the_site_says_otherwise(tmp_path: Path) -> None:
    app = _site(tmp_path)
    page, markdown = _exported_index(app, "fr_CA.UTF-8")  # a French-speaking person exports
    assert '<html lang="en">' in page and "<h1>Incident reports</h1>" in page
    assert "3 Oct 2026" in page and "Markdown, client copy" in page and "Published" in page
    assert "Rapports d’incident" not in page and "Publié" not in page
    assert "| Incident date | Report | Service | Status | Files |" in markdown


def test_an_unknown_site_language_is_refused_at_start(tmp_path: Path) -> None:
    import pytest

    with pytest.raises(RuntimeError, match="HINDSIGHT_LANGUAGE must be one of en, fr"):
        _site(tmp_path, LANGUAGE="de")
    assert _site(tmp_path, LANGUAGE=" FR ").config["LANGUAGE"] == "fr"


def test_the_drive_folders_index_doc_is_in_the_sites_language() -> None:
    from datetime import UTC, datetime

    from exporters.drive_index import Entry, render

    entry = Entry(7, "Panne du paiement", "paiement", None, "3 oct. 2026", "Publié",
                  [("Google Docs, version client", "https://docs.example/d/1")])
    french = render([entry], datetime(2026, 10, 4, 9, 30, tzinfo=UTC), "fr")
    assert '<html lang="fr">' in french and "Rapports d’incident — index" in french
    assert "Date de l’incident" in french and "Mis à jour le 4 octobre 2026 à 09 h 30" in french
    assert "Incident date" not in french and "Updated" not in french
    english = render([], datetime(2026, 10, 4, 9, 30, tzinfo=UTC), "en")
    assert "Updated 4 October 2026 at 09:30 UTC" in english
    assert "No report has been exported here yet." in english


# ---- the example report, written in French for French pages --------------------------------


def test_the_french_example_is_complete_and_passes_the_french_advice() -> None:
    import json

    from reports.checks import check_report
    from reports.examples import sample_document, sample_file, sample_report
    from reports.exchange import to_document
    from reports.guidance import readiness, report_hints
    from reports.guidance.client import report_guidance

    french, english = sample_report("fr"), sample_report("en")
    assert french.language == "fr" and english.language == "en"
    assert sample_file("fr").name == "sample_report.fr.json"
    assert to_document(french) == json.loads(sample_file("fr").read_text(encoding="utf-8"))
    assert sample_document("xx") == sample_document("en")  # no sample of its own: English
    assert report_hints(french) == {} and check_report(french) == []
    assert [c.id for c in readiness(french) if not c.met] == []
    hints, scores = report_guidance(french)
    assert hints == {} and scores and all(score.meets for score in scores.values())
    # Every kind of field filled as in the English example, and the same shape.
    english_document, french_document = sample_document("en"), sample_document("fr")
    for name, value in english_document.items():
        if name == "lessons":
            assert all(french_document["lessons"][part] for part in value), name
        elif isinstance(value, list):
            assert len(french_document[name]) == len(value), name
        elif value:
            assert french_document.get(name), name
    assert {e.kind for e in french.timeline} == {e.kind for e in english.timeline}
    for mine, theirs in zip(french_document["actions"], english_document["actions"],
                            strict=True):
        assert (mine["priority"], mine["status"], mine["addresses"], bool(mine["ticket"])) == \
            (theirs["priority"], theirs["status"], theirs["addresses"], bool(theirs["ticket"]))
    assert french.resolved_at and french.started_at and english.resolved_at and english.started_at
    assert french.resolved_at - french.started_at == english.resolved_at - english.started_at


def test_french_pages_show_and_start_from_the_french_example(
    app: Flask, client: FlaskClient,
) -> None:
    from reports.examples import sample_document
    from reports.exchange import to_document
    from tests.conftest import csrf_token_from

    french = client.get("/examples", headers=FRENCH).get_data(as_text=True)
    assert "Nous vous présentons nos excuses." in french
    assert "Équipe des rappels" in french and "Physio Boréal" in french
    assert "We are sorry." not in french and "Reminders team" not in french
    assert "The example itself is in English" not in french
    assert "L’exemple lui-même est en anglais" not in french
    english = client.get("/examples").get_data(as_text=True)
    assert "We are sorry." in english and "Nous vous présentons" not in english
    started = client.post("/examples/start", headers=FRENCH,
                          data={"csrf_token": csrf_token_from(french)})
    assert started.status_code == 303
    stored = store_of(app).get(int(started.headers["Location"].rsplit("/", 1)[1]))
    assert stored is not None and to_document(stored.report) == sample_document("fr")


def test_the_french_example_exports(app: Flask) -> None:
    from reports.examples import sample_report

    report_id = store_of(app).create(sample_report("fr")).id
    for fmt in ("md", "html", "pdf"):
        result = _cli(app, ["reports", "export", str(report_id), "--format", fmt], "C.UTF-8")
        assert result.exit_code == 0, result.output
        written = Path(result.output.strip().splitlines()[0])
        assert written.is_file() and written.stat().st_size > 0, fmt
        if fmt == "md":
            text = written.read_text(encoding="utf-8")
            assert "Nous vous présentons nos excuses." in text
            assert "Chronologie" in text and "Timeline" not in text
        if fmt == "html":
            assert '<html lang="fr"' in written.read_text(encoding="utf-8")


# ---- Google Drive: the set-up check's results and the notices of a failed export -------------

drive_ca = drive_fixtures.drive_ca
signing_key = drive_fixtures.signing_key
trust_drive_ca = drive_fixtures.trust_drive_ca
fake_drive = drive_fixtures.fake_drive
key_file = drive_fixtures.key_file


def _drive_app(tmp_path: Path, fake: Any, key: Path) -> Flask:
    return _site(tmp_path, DRIVE_FOLDER_ID=drive_fixtures.FOLDER_ID, GOOGLE_CREDENTIALS=str(key),
                 DRIVE_API_ENDPOINT=fake.url, DRIVE_TIMEOUT=0.5, DRIVE_RETRIES=1,
                 DRIVE_BACKOFF=0.01)


def _text(body: str) -> str:
    import html
    import re

    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def test_a_stored_message_is_said_in_the_readers_language_and_old_text_as_it_was() -> None:
    from exporters.drive_errors import Way, storage_refused
    from reports.said import Said, said, shown, stored

    error = storage_refused(Way(account="robot@example.iam.gserviceaccount.com"))
    kept = stored(error.said)
    assert kept.startswith('{"said":')
    assert shown(kept, "en") == str(error)  # the same English words as before
    french = shown(kept, "fr")
    assert french.startswith("Google Drive a refusé le fichier parce que le compte de service")
    assert "la personne qui s’occupe de Hindsight pour votre équipe" in french
    assert "Ask " not in french
    old = "The Google Doc could not be put in Google Drive. Hindsight could not connect."
    assert shown(old, "fr") == old  # written before messages were kept this way
    assert shown('{"said": broken', "fr") == '{"said": broken'
    nested = said("%(who)s is not a member of the shared drive that holds the folder.",
                  who=said("the service account")).capitalised()
    assert Said.from_json(nested.to_json()).in_language("fr").startswith("Le compte de service")


def test_the_drive_check_speaks_the_readers_language(
    tmp_path: Path, fake_drive: Any, key_file: Path,
) -> None:
    from tests.conftest import csrf_token_from

    app = _drive_app(tmp_path, fake_drive, key_file)
    client = app.test_client()
    token = csrf_token_from(client.get("/settings/drive").get_data(as_text=True))
    fake_drive.fail(403, reason="insufficientFilePermissions", on="POST")
    french = _text(client.post("/settings/drive", data={"csrf_token": token},
                               headers=FRENCH).get_data(as_text=True))
    assert "Hindsight se connecte avec le compte de service de" in french
    assert "C’est la clé du compte de service" in french
    assert "Google a accepté la connexion" in french
    assert "n’a pas le droit d’y ajouter des fichiers" in french
    assert "comme Gestionnaire de contenu" in french
    for english in ("Hindsight signs in as", "It is the key of", "Google accepted the sign-in",
                    "not allowed to add files", "Content manager"):
        assert english not in french, english
    fake_drive.fail(403, reason="insufficientFilePermissions", on="POST")
    english_page = _text(client.post("/settings/drive", data={"csrf_token": token}
                                     ).get_data(as_text=True))
    assert "not allowed to add files to it" in english_page
    assert "n’a pas le droit" not in english_page


def test_the_drive_check_command_speaks_the_environments_language(
    tmp_path: Path, fake_drive: Any, key_file: Path,
) -> None:
    app = _drive_app(tmp_path, fake_drive, key_file)
    french = _cli(app, ["drive", "check"], "fr_CA.UTF-8")
    assert french.exit_code == 0, french.output
    assert french.output.splitlines()[0].startswith(
        "✓ Les paramètres sont remplis : Hindsight se connecte avec le compte de service")
    assert french.output.splitlines()[-1].startswith("Toutes les étapes")
    assert "Hindsight signs in as" not in french.output
    english = _cli(app, ["drive", "check"], "en_US.UTF-8")
    assert english.output.splitlines()[0].startswith("✓ Settings are filled in: Hindsight signs")


def test_a_failed_drive_export_is_explained_in_the_readers_language_later_too(
    tmp_path: Path, fake_drive: Any, key_file: Path,
) -> None:
    from tests.conftest import csrf_token_from

    app = _drive_app(tmp_path, fake_drive, key_file)
    report_id = create(app)
    client = app.test_client()
    editor = client.get(f"/reports/{report_id}", headers=FRENCH).get_data(as_text=True)
    fake_drive.fail(500, times=10)
    done = client.post(f"/reports/{report_id}/export/gdoc", headers=FRENCH,
                       data={"csrf_token": csrf_token_from(editor)})
    assert done.status_code == 303
    french = _text(client.get(done.headers["Location"], headers=FRENCH).get_data(as_text=True))
    assert "Le dépôt dans Google Drive n’a pas fonctionné (Google Docs)." in french
    assert "Google Drive a des problèmes et n’a pas pris le fichier" in french
    assert "Votre rapport n’a pas changé." in french
    assert "could not be put in Google Drive" not in french
    # The record keeps words any reader's language can say: the export list, read later.
    later_french = _text(client.get(f"/reports/{report_id}", headers=FRENCH).get_data(True))
    assert "Cette exportation a échoué. Google Drive a des problèmes" in later_french
    assert "Google Drive a des problèmes et n’a pas pris le fichier" in later_french
    assert "is having problems" not in later_french
    later_english = _text(client.get(f"/reports/{report_id}").get_data(as_text=True))
    assert "Google Drive is having problems and did not take the file" in later_english
    # The job's notices, as the page's script fetches them, follow whoever asks.
    state = client.post(f"/reports/{report_id}/export/gdoc",
                        headers={**FRENCH, "Accept": "application/json"},
                        data={"csrf_token": csrf_token_from(editor)}).get_json()
    assert state["finished"]
    assert "Google Drive a des problèmes et n’a pas pris le fichier" in _text(state["notices"])
    assert "is having problems" not in _text(state["notices"])
    job = client.get(state["url"], headers={"Accept": "application/json"}).get_json()
    assert "Google Drive is having problems" in _text(job["notices"])  # an English reader
    # A record written before messages were kept this way still shows its English words.
    log = app.extensions["hindsight.exports"]
    log.record(report_id=report_id, format="pdf", destination="drive", location="",
               report_version=1, ok=False, message="Old English words about Drive.")
    assert "Old English words about Drive." in _text(
        client.get(f"/reports/{report_id}", headers=FRENCH).get_data(as_text=True))


def test_a_failed_drive_export_on_the_command_line_speaks_its_language(
    tmp_path: Path, fake_drive: Any, key_file: Path,
) -> None:
    app = _drive_app(tmp_path, fake_drive, key_file)
    report_id = create(app)
    fake_drive.folders.clear()  # as if the folder had stopped being shared
    french = _cli(app, ["reports", "export", str(report_id), "--format", "gdoc"], "fr_CA.UTF-8")
    assert french.exit_code == 1
    assert "Hindsight ne voit pas le dossier Google Drive qu’il doit utiliser" in french.output
    assert "cannot see the Google Drive folder" not in french.output
    english = _cli(app, ["reports", "export", str(report_id), "--format", "gdoc"], "C.UTF-8")
    assert "cannot see the Google Drive folder" in english.output


def test_a_file_the_shared_folder_refused_is_explained_in_the_readers_language(
    app: Flask, client: FlaskClient, csrf_token: str, monkeypatch: Any,
) -> None:
    def no_space(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("exporters.folder.os.replace", no_space)
    report_id = create(app)
    done = client.post(f"/reports/{report_id}/export/md", headers=FRENCH,
                       data={"csrf_token": csrf_token})
    french = _text(client.get(done.headers["Location"], headers=FRENCH).get_data(as_text=True))
    assert ("Le fichier n’a pas pu être écrit dans le dossier partagé (Markdown : No space left "
            "on device).") in french
    assert "could not be written" not in french
    english = _cli(app, ["reports", "export", str(report_id), "--format", "md"], "C.UTF-8")
    assert "The Markdown could not be written to the shared folder" in english.output


def test_the_reports_folder_hindsight_makes_is_named_in_the_sites_language(
    tmp_path: Path, fake_drive: Any, trust_drive_ca: Path,
) -> None:
    from tests.test_drive_connect import consent, person_settings, post, the_folder

    app = _site(tmp_path, LANGUAGE="fr", **person_settings(fake_drive, tmp_path))
    client = app.test_client()
    consent(client, fake_drive, trust_drive_ca)
    post(client, "/settings/drive/folder")
    assert the_folder(fake_drive).name == "Rapports d’incident"


def test_backups_and_accounts_say_what_is_wrong_in_the_environments_language(
    app: Flask, tmp_path: Path,
) -> None:
    short = _cli(app, ["users", "add", "dana", "--password", "court"], "fr_CA.UTF-8")
    assert short.exit_code != 0
    assert "Un mot de passe doit compter au moins 12 caractères." in short.output
    made = _cli(app, ["users", "add", "dana", "--password", "correct horse battery"],
                "fr_CA.UTF-8")
    assert "Compte 'dana' créé (author)." in made.output
    twice = _cli(app, ["users", "add", "dana", "--password", "correct horse battery"], "C")
    assert "There is already an account called 'dana'." in twice.output
    full = tmp_path / "full"
    full.mkdir()
    (full / "something.txt").write_text("x", encoding="utf-8")
    refused = _cli(app, ["reports", "backup", str(full)], "fr_CA.UTF-8")
    assert refused.exit_code != 0
    assert "n’est pas un dossier vide; donnez un nouveau dossier à chaque sauvegarde" in \
        refused.output
    create(app)
    backed_up = _cli(app, ["reports", "backup", str(tmp_path / "new")], "fr_CA.UTF-8")
    assert backed_up.exit_code == 0, backed_up.output
    # One is singular, and so is none in French ("0 commentaire", "1 rapport").
    assert backed_up.output.startswith(
        "Sauvegarde de 1 rapport (dont 0 dans la corbeille), 1 version, 0 commentaire, "
        "0 trace d’exportation et comptes non inclus (--with-accounts) dans ")
    again = _cli(app, ["reports", "restore", str(tmp_path / "new")], "fr_CA.UTF-8")
    assert "cette instance a déjà des rapports (1, corbeille comprise)" in again.output


def test_a_language_is_its_catalogue_not_code(tmp_path: Path) -> None:
    from reports.language import LANGUAGES, TRANSLATIONS, languages_in

    assert LANGUAGES == languages_in(TRANSLATIONS) == {"en": "English", "fr": "Français"}
    for code in ("es", "pt_BR", "not-a-language"):
        folder = tmp_path / code / "LC_MESSAGES"
        folder.mkdir(parents=True)
        (folder / "messages.po").write_text('msgid ""\nmsgstr ""\n', encoding="utf-8")
    # Each by its own name, as its readers write it; a folder that is no language is left out.
    assert languages_in(tmp_path) == {"en": "English", "es": "Español",
                                      "pt_BR": "Português (Brasil)"}
