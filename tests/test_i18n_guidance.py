"""The writing advice in French, for reports written in French: blameless wording, the apology
coach, plain words and reading ease (Kandel–Moles), each tried both ways on French corpora
(tests/corpora/fr/), and applied by the report's language, never by the page's."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from reports.exchange import from_document
from reports.guidance.apology import APOLOGY_FILE, apology_hints
from reports.guidance.blameless import RULES_FILE, blameless_hints, in_language
from reports.guidance.client import report_guidance
from reports.guidance.plain import GLOSSARY_FILE, plain_hints, readability
from tests.conftest import SAMPLE_DOCUMENT

CORPORA = Path(__file__).with_name("corpora") / "fr"
CAUGHT_AT_LEAST = 0.95
FALSE_ALARMS_AT_MOST = 0.02
ENGLISH_WORDS = re.compile(r"\b(?:the|and|with|what|when|your|this|that)\b")


def corpus(name: str) -> list[str]:
    lines = (CORPORA / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def paragraphs(name: str) -> list[str]:
    text = "\n".join(line for line in (CORPORA / f"{name}.txt").read_text(encoding="utf-8")
                     .splitlines() if not line.startswith("#"))
    return [part.strip() for part in text.split("\n\n") if part.strip()]


def french(text: str) -> bool:
    return not ENGLISH_WORDS.search(text)


# ---- blameless wording -----------------------------------------------------------------------

@pytest.mark.parametrize("suffix", ["", "-heldout"])
def test_blaming_french_is_caught_and_neutral_french_is_left_alone(suffix: str) -> None:
    blaming, neutral = corpus(f"blaming{suffix}"), corpus(f"neutral{suffix}")
    if not suffix:
        assert len(blaming) >= 60 and len(neutral) >= 60
    missed = [s for s in blaming if not blameless_hints(s, language="fr")]
    alarms = [s for s in neutral if blameless_hints(s, language="fr")]
    assert 1 - len(missed) / len(blaming) >= CAUGHT_AT_LEAST, missed
    assert len(alarms) / len(neutral) <= FALSE_ALARMS_AT_MOST, alarms


def test_every_french_rule_fires_on_the_corpus_and_speaks_french() -> None:
    rules = {rule["id"] for rule in json.loads(
        in_language(RULES_FILE, "fr").read_text(encoding="utf-8"))["rules"]}
    fired: set[str] = set()
    for sentence in corpus("blaming"):
        for hint in blameless_hints(sentence, language="fr"):
            fired.add(hint.rule_id)
            assert french(hint.why) and french(hint.suggestion), hint
            assert hint.excerpt in sentence
    assert rules <= fired, rules - fired


def test_the_subject_is_named_in_french() -> None:
    [hint] = blameless_hints("L'ingénieur de garde n'a pas vérifié les journaux.", language="fr")
    assert "« L'ingénieur de garde »" in hint.why.replace("\u00a0", " ")


def test_french_text_in_an_english_report_gets_the_english_rules_and_the_reverse() -> None:
    assert blameless_hints("He forgot to renew the certificate.", language="fr") == []
    assert blameless_hints("Il a oublié de renouveler le certificat.") == []
    assert blameless_hints("He forgot to renew the certificate.")


def test_a_language_without_rules_falls_back_to_english() -> None:
    assert in_language(RULES_FILE, "de") == RULES_FILE
    assert in_language(RULES_FILE, "fr").name == "blameless.fr.json"


# ---- the apology coach -----------------------------------------------------------------------

REAL_APOLOGY = ("Nous sommes désolés. Mardi, pendant deux heures, vos clients n’ont pas pu payer "
                "leurs commandes. Nous avons fait un changement qui a interrompu les paiements.")
WEAK = [
    ("Nous nous excusons pour les désagréments occasionnés.", "vague-harm"),
    ("Nous sommes désolés pour tout inconvénient que cela a pu causer.", "vague-harm"),
    ("Nous sommes désolés si vous avez été touchés par la panne.", "conditional"),
    ("Nous regrettons les éventuelles répercussions sur votre activité.", "conditional"),
    ("Nous sommes désolés que vous soyez frustrés par la lenteur.", "sorry-you-feel"),
    ("Des erreurs ont été commises lors de la mise à jour.", "passive"),
    ("Nous sommes désolés, mais le fournisseur était en panne.", "excuse"),
    ("La panne était due à des circonstances indépendantes de notre volonté.", "excuse"),
    ("Seulement quelques clients ont été touchés par ce léger incident.", "minimising"),
    ("Merci de votre patience pendant cette interruption.", "presumes-forgiveness"),
]
@pytest.mark.parametrize(("text", "rule"), WEAK)
def test_weak_french_apologies_are_pointed_out(text: str, rule: str) -> None:
    hints = apology_hints(text, language="fr")
    assert rule in {h.rule_id for h in hints}
    assert all(french(h.why) for h in hints)


@pytest.mark.parametrize("text", [
    REAL_APOLOGY,
    "Nous vous présentons nos excuses. Le 3 octobre, pendant 40 minutes, 120 de vos clients "
    "n’ont pas pu se connecter. Nous avons corrigé le changement qui en était la cause.",
    "Nous sommes désolés : jeudi, vos rappels de rendez-vous indiquaient la mauvaise heure "
    "pendant toute la journée, et vos patients sont arrivés trop tôt.",
])
def test_real_french_apologies_get_no_hint(text: str) -> None:
    assert apology_hints(text, language="fr") == []


def test_what_a_french_apology_lacks_is_said() -> None:
    found = {h.rule_id for h in apology_hints(
        "Nous regrettons la situation, qui est maintenant réglée depuis peu.", language="fr")}
    assert {"names-who", "names-impact", "says-when"} <= found
    found = {h.rule_id for h in apology_hints(
        "Mardi, pendant deux heures, vos clients n’ont pas pu payer leurs commandes.",
        language="fr")}
    assert found == {"says-sorry"}


def test_every_french_apology_rule_and_check_is_tried() -> None:
    data = json.loads(in_language(APOLOGY_FILE, "fr").read_text(encoding="utf-8"))
    assert {r["id"] for r in data["rules"]} == {rule for _, rule in WEAK}
    english = json.loads(APOLOGY_FILE.read_text(encoding="utf-8"))
    assert [c["id"] for c in data["checks"]] == [c["id"] for c in english["checks"]]


# ---- plain words and reading ease ------------------------------------------------------------

@pytest.mark.parametrize(("text", "term"), [
    ("Nous avons fait un rollback après la mise en prod.", "rollback"),
    ("La MEP de vendredi a causé la panne.", "mep"),
    ("La latence a doublé pendant une heure.", "latence"),
    ("Le DNS ne répondait plus.", "dns"),
    ("Le serveur db-01 a cessé de répondre.", "hostname"),
])
def test_french_jargon_is_explained_in_french(text: str, term: str) -> None:
    hints = plain_hints(text, language="fr")
    assert term in {h.rule_id for h in hints}
    assert all(french(h.why) and french(h.suggestion) for h in hints)


@pytest.mark.parametrize("text", [
    "Vos clients n’ont pas pu payer pendant deux heures.",
    "Nous avons annulé le changement, et le service est revenu à 11 h 02.",
    "Le délai de réponse (le temps que met une page à s’afficher) a doublé.",
])
def test_plain_french_gets_no_plain_words_hint(text: str) -> None:
    assert plain_hints(text, language="fr") == []


def test_plain_french_paragraphs_read_easily() -> None:
    found = paragraphs("readability-plain")
    assert len(found) >= 5
    for paragraph in found:
        score = readability(paragraph, language="fr")
        assert score is not None and not score.hard, (score, paragraph)
        assert score.message.startswith("Lisibilité"), score.message


def test_hard_french_paragraphs_are_flagged_in_french() -> None:
    found = paragraphs("readability-hard")
    assert len(found) >= 4
    for paragraph in found:
        score = readability(paragraph, language="fr")
        assert score is not None and score.hard, (score, paragraph)
        assert "difficile" in score.message and score.hardest_sentence in paragraph


def test_the_french_score_is_kandel_and_moles() -> None:
    """207 − 1.015 × words per sentence − 73.6 × syllables per word, with textstat's French
    syllables: a text of short words and sentences scores high, and far higher than English's
    formula would give the same French text."""
    text = "Le chat dort. Il fait beau. Nous sommes là. Tout va bien. " * 6
    french_score = readability(text, language="fr")
    english_score = readability(text)
    assert french_score is not None and english_score is not None
    assert french_score.score == 100 and french_score.level == "très facile"
    data = json.loads(in_language(GLOSSARY_FILE, "fr").read_text(encoding="utf-8"))
    assert data["readability"]["language"] == "fr"


# ---- by the report's language ----------------------------------------------------------------

def test_a_french_report_gets_french_advice_and_an_english_one_english() -> None:
    document = copy.deepcopy(SAMPLE_DOCUMENT)
    document.update(language="fr", apology="Nous nous excusons pour les désagréments occasionnés.",
                    summary="L'ingénieur de garde a oublié de relancer les serveurs.")
    hints, _ = report_guidance(from_document(document))
    assert "forgot" in {h.rule_id for h in hints["summary"]}
    assert "vague-harm" in {h.rule_id for h in hints["apology"]}
    document["language"] = "en"
    hints, _ = report_guidance(from_document(document))
    assert "summary" not in hints
