"""The main pages in French in a real Chromium whose language is Canadian French: each speaks
French, says so (<html lang="fr">), passes axe-core, and the language switch works from the
keyboard and is remembered."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser_fixtures import DEFAULT_TIMEOUT_MS, LiveServer
from tests.conftest import SAMPLE_DOCUMENT

pytestmark = pytest.mark.browser


def assert_accessible(page: Page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.fixture
def french_page(browser: Browser) -> Iterator[Page]:
    context: BrowserContext = browser.new_context(viewport={"width": 1280, "height": 900},
                                                  locale="fr-CA")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def french_report(live_server: LiveServer) -> int:
    document: dict[str, Any] = copy.deepcopy(SAMPLE_DOCUMENT)
    document.update(language="fr", title="Paiements interrompus pour les clients de l’UE",
                    follow_up_review_on="2026-01-15")
    return live_server.create_report(document)


# (path, the level-1 heading the page must show in French)
PAGES = [
    ("/", "Rapports d’incident"),
    ("/actions", "Mesures en suspens"),
    ("/follow-ups", "Réunions de suivi à tenir"),
    ("/bin", "Corbeille"),
    ("/examples", "Un exemple de rapport"),
    ("/settings/drive", "Configuration de Google Drive"),
]


@pytest.mark.parametrize(("path", "heading"), PAGES)
def test_each_page_speaks_french_and_is_accessible(
    french_page: Page, live_server: LiveServer, french_report: int, path: str, heading: str
) -> None:
    french_page.goto(live_server.url + path)
    expect(french_page.locator("html")).to_have_attribute("lang", "fr")
    expect(french_page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(french_page.get_by_role("link", name="Passer au contenu principal")).to_be_attached()
    assert_accessible(french_page)


def test_a_reports_history_and_its_reading_page_in_french(
    french_page: Page, live_server: LiveServer, french_report: int
) -> None:
    french_page.goto(f"{live_server.url}/reports/{french_report}/history")
    expect(french_page.get_by_role("heading", level=1)).to_contain_text("Historique de")
    expect(french_page.locator("table")).to_contain_text("Version 1")
    assert_accessible(french_page)
    french_page.goto(f"{live_server.url}/reports/{french_report}/view")
    expect(french_page.locator("html")).to_have_attribute("lang", "fr")
    expect(french_page.get_by_role("heading", name="1. Nos excuses")).to_be_visible()
    expect(french_page.locator(".view-banner")).to_contain_text("lecture seule")
    assert_accessible(french_page)
    french_page.goto(f"{live_server.url}/reports/{french_report}/timeline/import")
    expect(french_page.get_by_role("heading", level=1)).to_have_text(
        "Ajouter des événements à partir d’un texte")
    french_page.get_by_role("button", name="Trouver les événements").click()
    expect(french_page.locator("#error-summary, .error-summary").first).to_contain_text(
        "Collez les messages")
    assert_accessible(french_page)


def test_an_english_report_read_from_french_pages_is_tagged_apart(
    french_page: Page, live_server: LiveServer
) -> None:
    report_id = live_server.create_report(copy.deepcopy(SAMPLE_DOCUMENT))
    french_page.goto(f"{live_server.url}/reports/{report_id}/view")
    expect(french_page.locator("html")).to_have_attribute("lang", "en")
    expect(french_page.get_by_role("heading", name="1. Our apology")).to_be_visible()
    expect(french_page.locator(".view-banner")).to_have_attribute("lang", "fr")
    assert_accessible(french_page)


def test_the_switch_is_reached_by_keyboard_and_remembered(
    french_page: Page, live_server: LiveServer
) -> None:
    french_page.goto(live_server.url + "/actions")
    switch = french_page.get_by_role("button", name="English")
    expect(switch).to_have_attribute("lang", "en")
    switch.focus()
    french_page.keyboard.press("Enter")
    expect(french_page.locator("html")).to_have_attribute("lang", "en")
    expect(french_page).to_have_url(live_server.url + "/actions")
    expect(french_page.get_by_role("heading", level=1)).to_have_text("Open action items")
    french_page.goto(live_server.url + "/")  # remembered, over the browser's French
    expect(french_page.get_by_role("heading", level=1)).to_have_text("Incident reports")
    french_page.get_by_role("button", name="Français").click()
    expect(french_page.get_by_role("heading", level=1)).to_have_text("Rapports d’incident")


ADVICE_WAIT = 10_000  # the advice usually shows within a second; generous for a busy machine


def test_the_guided_page_in_french_with_french_advice_and_the_reports_language(
    french_page: Page, live_server: LiveServer, french_report: int
) -> None:
    french_page.goto(live_server.editor_url(french_report))
    expect(french_page.locator("html")).to_have_attribute("lang", "fr")
    expect(french_page.get_by_role("heading", name="À propos de l’incident")).to_be_visible()
    language = french_page.get_by_label("Langue du rapport (celle du client)")
    expect(language).to_have_value("fr")
    expect(french_page.locator("#readiness-title")).to_have_text("Prêt pour la révision?")
    assert_accessible(french_page)
    # French wording in a French report gets the French advice, in French, as it is typed.
    summary = french_page.locator("#summary")
    summary.fill("")
    summary.press_sequentially("La panne vient d'une erreur humaine.", delay=5)
    hints = french_page.locator("#summary-hints")
    expect(hints.locator('[data-rule="human-error"]')).to_be_visible(timeout=ADVICE_WAIT)
    expect(hints).to_contain_text("Formulation à revoir")
    expect(hints).to_contain_text("Essayez")
    # The report's language can be changed on the page (the page saves it by itself), and is
    # kept when the page is opened again.
    language.select_option("en")
    _wait_for_language(live_server, french_report, "en")
    french_page.reload()
    expect(french_page.get_by_label("Langue du rapport (celle du client)")).to_have_value("en")
    expect(french_page.locator("html")).to_have_attribute("lang", "fr")  # the page stays French
    french_page.get_by_label("Langue du rapport (celle du client)").select_option("fr")
    _wait_for_language(live_server, french_report, "fr")


def _wait_for_language(live_server: LiveServer, report_id: int, language: str) -> None:
    """Until the autosave has stored it: generous, as the machine may be busy."""
    import time

    deadline = time.monotonic() + ADVICE_WAIT / 1000
    while live_server.report(report_id).get("language", "en") != language:
        assert time.monotonic() < deadline, f"the report's language never became {language}"
        time.sleep(0.2)


def test_french_pages_on_a_phone(browser: Browser, live_server: LiveServer,
                                 french_report: int) -> None:
    """French words run longer than English ones: at 390 px nothing scrolls sideways."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-CA")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    try:
        for path in ("/", f"/reports/{french_report}", f"/reports/{french_report}/view"):
            page.goto(live_server.url + path)
            expect(page.locator("html")).to_have_attribute("lang", "fr")
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, (path, overflow)
            assert_accessible(page)
    finally:
        context.close()
