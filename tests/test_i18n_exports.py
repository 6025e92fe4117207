"""A report's own language: in the exchange format, on the guided page, and in every export,
read back (PDF through pdftotext, the web page, Markdown, Word through python-docx)."""

from __future__ import annotations

import copy
import io
import re
import subprocess
from html import unescape
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from exporters.docx import DocxExporter
from exporters.pdf import PdfExporter
from exporters.render import css_string, render_html, render_markdown_document
from reports.exchange import DocumentError, from_document, to_document
from reports.model import Report
from tests.conftest import SAMPLE_DOCUMENT
from tests.pages import form_values, post_page, store_of

FRENCH = {"Accept-Language": "fr-CA,fr;q=0.9"}
# Words every French export says, and their English counterparts it must not.
FRENCH_HEADINGS = ["Rapport d’incident", "Nos excuses", "Ce qui s’est passé", "En bref",
                   "Chronologie", "Facteurs contributifs", "Ce que nous avons appris",
                   "Ce que nous faisons pour y remédier", "Réunion de suivi", "Responsable",
                   "Échéance", "Gravité", "3 octobre 2026"]
ENGLISH_HEADINGS = ["Incident report", "Our apology", "What happened", "In short",
                    "What contributed", "What we learned", "What we are doing about it",
                    "Follow-up review", "Owner", "Severity", "Not written yet"]


def french_report(**changes: Any) -> Report:
    document = copy.deepcopy(SAMPLE_DOCUMENT)
    document.update(language="fr", status="in_review", **changes)
    return from_document(document)


def html_text(html: str) -> str:
    """What a reader of the page sees: no style sheet, no tags."""
    without_style = re.sub(r"<style>.*?</style>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", without_style))


def assert_french(text: str) -> None:
    flat = " ".join(text.split()).casefold()  # the PDF's eyebrow is in capitals
    for heading in FRENCH_HEADINGS:
        assert heading.casefold() in flat, heading
    for heading in ENGLISH_HEADINGS:
        assert heading.casefold() not in flat, heading


# The exchange format -------------------------------------------------------------------------

def test_an_english_report_writes_no_language_so_old_documents_round_trip_unchanged() -> None:
    document = to_document(from_document(copy.deepcopy(SAMPLE_DOCUMENT)))
    assert "language" not in document
    assert from_document(document).language == "en"
    assert from_document({**document, "language": "en"}).language == "en"
    assert "language" not in to_document(from_document({**document, "language": "en"}))


def test_a_french_report_keeps_its_language_through_a_round_trip() -> None:
    document = to_document(french_report())
    assert document["language"] == "fr"
    assert to_document(from_document(document)) == document


@pytest.mark.parametrize("value", ["de", "FR", "fr-CA", "", 1, ["fr"], True])
def test_a_language_the_app_does_not_write_in_is_refused_by_its_path(value: object) -> None:
    with pytest.raises(DocumentError) as refused:
        from_document({**SAMPLE_DOCUMENT, "language": value})
    assert "language" in refused.value.problems
    assert "en, fr" in refused.value.problems["language"]


def test_the_api_takes_the_language_and_defaults_to_english(client: FlaskClient) -> None:
    made = client.post("/api/reports", json={**SAMPLE_DOCUMENT, "language": "fr"},
                       headers={"X-Requested-With": "fetch"})
    assert made.status_code == 201, made.get_data(as_text=True)
    assert made.get_json()["language"] == "fr"
    plain = client.post("/api/reports", json={"title": "Sans langue"},
                        headers={**FRENCH, "X-Requested-With": "fetch"})
    assert "language" not in plain.get_json()  # English: the API never guesses from headers


# The guided page -----------------------------------------------------------------------------

def _new_report(client: FlaskClient, headers: dict[str, str]) -> str:
    token = form_values(client.get("/", headers=headers).get_data(as_text=True))["csrf_token"]
    response = client.post("/reports", data={"csrf_token": token}, headers=headers)
    assert response.status_code == 302
    return response.headers["Location"]


def test_a_report_started_on_the_page_takes_the_pages_language(
    app: Flask, client: FlaskClient,
) -> None:
    store = store_of(app)
    french = _new_report(client, FRENCH)
    english = _new_report(client, {"Accept-Language": "en-GB"})
    assert store.get(int(french.rsplit("/", 1)[1])).report.language == "fr"
    assert store.get(int(english.rsplit("/", 1)[1])).report.language == "en"


def test_the_page_changes_the_language_and_a_save_without_it_keeps_it(
    app: Flask, client: FlaskClient,
) -> None:
    url = _new_report(client, {})
    report_id = int(url.rsplit("/", 1)[1])
    values = form_values(client.get(url).get_data(as_text=True))
    values["language"] = "fr"
    assert post_page(client, url, values).status_code == 303
    assert store_of(app).get(report_id).report.language == "fr"
    values = form_values(client.get(url).get_data(as_text=True))
    values.pop("language", None)
    values["title"] = "Paiements interrompus"
    assert post_page(client, url, values).status_code == 303
    saved = store_of(app).get(report_id).report
    assert (saved.title, saved.language) == ("Paiements interrompus", "fr")
    values = form_values(client.get(url).get_data(as_text=True))
    values["language"] = "xx"
    post_page(client, url, values)
    assert store_of(app).get(report_id).report.language == "fr"  # refused, nothing lost


# Every export --------------------------------------------------------------------------------

def test_the_web_page_is_in_french_and_says_so() -> None:
    html = render_html(french_report())
    assert '<html lang="fr">' in html
    assert_french(html_text(html))
    assert "Pas encore rédigé." in render_html(french_report(summary=""))
    owner_label = css_string("Responsable\u00a0: ")
    assert f"content: {owner_label};" in html  # the phone layout's labels


def test_the_markdown_is_in_french() -> None:
    text = render_markdown_document(french_report())
    assert_french(text)
    assert "> **BROUILLON** – ce rapport est en cours de révision" in text
    assert "- **Gravité\u00a0:** SEV2 — majeure" in text
    assert "| 09 h 05 |" in text


def test_the_internal_copy_is_marked_in_french() -> None:
    report = french_report(impact="Notes", internal_parts=["impact"])
    text = render_markdown_document(report, copy="internal")
    assert "**INTERNE — ne pas transmettre aux clients**" in text
    assert "· **Interne**" in text


def pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
                          check=True, capture_output=True, text=True).stdout


def test_the_pdf_is_in_french_with_its_marks_page_numbers_and_language_tag(
    tmp_path: Path,
) -> None:
    path = tmp_path / "rapport.pdf"
    path.write_bytes(PdfExporter().render(french_report()))
    text = pdftotext(path)
    assert_french(text)
    pages = len(PdfReader(str(path)).pages)
    assert f"Page 1 de {pages}" in text
    assert "BROUILLON–ENRÉVISION" in "".join(text.split())  # letter-spaced in the margin
    assert str(PdfReader(str(path)).trailer["/Root"]["/Lang"]) == "fr"


def test_the_word_document_is_in_french_with_its_language_set(tmp_path: Path) -> None:
    document = docx.Document(io.BytesIO(DocxExporter().render(french_report())))
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(cell.text for table in document.tables for row in table.rows
                      for cell in row.cells)
    assert_french(text)
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:3] == ["1. Nos excuses", "2. Ce qui s’est passé", "En bref"]
    assert document.core_properties.language == "fr"
    normal = document.styles["Normal"].element.rPr
    assert normal.find(qn("w:lang")).get(qn("w:val")) == "fr"
    header = document.sections[0].header.paragraphs[0].text
    assert header == "BROUILLON – EN RÉVISION"
    footer = document.sections[0].footer.paragraphs[0].text
    assert "Page " in footer and " de " in footer


def test_the_stakeholders_page_shows_the_report_in_its_language_inside_the_readers_pages(
    app: Flask, client: FlaskClient,
) -> None:
    store = store_of(app)
    english = store.create(from_document(copy.deepcopy(SAMPLE_DOCUMENT))).id
    page = client.get(f"/reports/{english}/view", headers=FRENCH).get_data(as_text=True)
    assert '<html lang="en">' in page and "Our apology" in page
    french = store.create(french_report()).id
    page = client.get(f"/reports/{french}/view").get_data(as_text=True)
    assert '<html lang="fr">' in page and "Nos excuses" in page
    # The banner around it speaks the reader's language, and says which that is.
    assert re.search(r'<[a-z]+ [^>]*lang="en"', page.split("<body", 1)[1])


def test_the_google_doc_is_in_french() -> None:
    from exporters.gdoc import render_gdoc_html

    html = render_gdoc_html(french_report(), copy="internal")
    assert '<html lang="fr">' in html
    assert_french(html_text(html))
    assert "INTERNE — ne pas transmettre aux clients" in html
    assert "BROUILLON" in html


def test_dates_times_and_durations_of_a_french_report() -> None:
    text = render_markdown_document(french_report())
    assert "- **Début\u00a0:** 3 octobre 2026, 09 h 12" in text
    assert "- **Durée\u00a0:** 1 heure 50 minutes" in text
    english = render_markdown_document(from_document(copy.deepcopy(SAMPLE_DOCUMENT)))
    assert "- **Started:** 3 October 2026, 09:12" in english
    assert "- **Duration:** 1 hour 50 minutes" in english
