"""The apology coach: every rule and check fires on weak apologies, and real ones pass clean."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from reports.guidance.apology import APOLOGY_FILE, apology_hints, load_apology_rules

# (sentence, the wording rule that must fire)
WEAK = [
    ("We apologise for any inconvenience.", "vague-harm"),
    ("We apologize for any inconvenience this may have caused.", "vague-harm"),
    ("Sorry for the inconvenience.", "vague-harm"),
    ("We regret any disruption to your service.", "vague-harm"),
    ("We are sorry for any trouble on Tuesday.", "vague-harm"),
    ("Apologies to everyone who was inconvenienced.", "vague-harm"),
    ("We are sorry if you were affected.", "conditional"),
    ("If any of your customers were affected, we apologise.", "conditional"),
    ("We apologise to anyone who may have been affected.", "conditional"),
    ("We regret whatever impact this might have had.", "conditional"),
    ("If this caused problems for your team, we are sorry.", "conditional"),
    ("We are sorry to the extent that our service fell short.", "conditional"),
    ("We're sorry you feel let down.", "sorry-you-feel"),
    ("We are sorry that you were frustrated by the outage.", "sorry-you-feel"),
    ("We are sorry some customers felt the checkout was slow.", "sorry-you-feel"),
    ("We are sorry for how this made you feel.", "sorry-you-feel"),
    ("We apologise for your frustration.", "sorry-you-feel"),
    ("Mistakes were made.", "passive"),
    ("Errors have been made in the release.", "passive"),
    ("A mistake was made during the update.", "passive"),
    ("It is regrettable that payments failed.", "passive"),
    ("We regret that the incident occurred.", "passive"),
    ("We are sorry, but the cause lay with our supplier.", "excuse"),
    ("We apologise, however the payment network was down.", "excuse"),
    ("The outage was caused by events outside our control.", "excuse"),
    ("This happened through no fault of our own.", "excuse"),
    ("It was a minor glitch in the checkout.", "minimising"),
    ("A brief hiccup stopped payments.", "minimising"),
    ("Only a few customers noticed.", "minimising"),
    ("Thank you for your patience.", "presumes-forgiveness"),
    ("We appreciate your understanding.", "presumes-forgiveness"),
    ("We hope you will understand.", "presumes-forgiveness"),
]

# (apology, the whole-text check that must fire, alone)
INCOMPLETE = [
    ("Payments failed for your customers for two hours on 3 October.", "says-sorry"),
    ("We regret the outage that stopped your customers paying for two hours on 3 October.",
     "says-sorry"),
    ("Your shoppers could not check out between 09:12 and 11:02.", "says-sorry"),
    ("We are sorry that payments failed for two hours on 3 October.", "names-who"),
    ("We apologise: the checkout was down all morning on Tuesday.", "names-who"),
    ("We are sorry that card payments were declined for 45 minutes yesterday.", "names-who"),
    ("We are very sorry that 1,200 orders were lost between 09:12 and 11:02.", "names-who"),
    ("We apologise to you for the incident on 3 October.", "names-impact"),
    ("We are sorry, and we owe your customers an explanation for Tuesday.", "names-impact"),
    ("We are sorry that your customers could not pay.", "says-when"),
    ("We apologise: your support team could not see new tickets.", "says-when"),
    ("We are sorry that your customers were charged twice.", "says-when"),
]

# Real apologies, as a client should read them: no hint of any kind.
REAL = [
    "We are sorry that for two hours on 3 October your customers could not pay.",
    "We are sorry. For almost two hours your customers could not pay.",
    "We apologise: between 09:12 and 11:02 on Tuesday, your shoppers could not check out.",
    "On 3 October our payment service failed for 110 minutes, and your customers could not pay. "
    "We are sorry.",
    "We are sorry that your support team could not see new tickets for three hours yesterday.",
    "We apologise to you and to your customers: on Monday morning, for 45 minutes, card payments "
    "were declined.",
    "We are very sorry that 1,200 orders from your shop were lost between 09:12 and 11:02.",
    "We are sorry that your customers were charged twice on 4 March.",
    "Our apologies: your staff were locked out of the admin pages for two hours this morning.",
    "We are sorry that we let you down on 3 October, when your customers could not pay for "
    "almost two hours.",
    "We are sorry that emails to your customers were delayed by up to six hours on Friday.",
    "We are sorry that this was far more than an inconvenience: your shop was offline for a "
    "whole day on 12 May.",
    "We are sorry. Your customers saw wrong prices for four hours on 2 June.",
    "We apologise for the outage on 3 October: for two hours your customers could not pay.",
    "We are sorry that your team waited 40 minutes for an answer from us on Saturday.",
    "We are sorry that we did not tell you sooner: your users could not sign in from 14:00 to "
    "16:30 on 9 April.",
    "We should have told you sooner, and we are sorry: your customers could not pay for two "
    "hours on 3 October.",
    "We are sorry that reports in your dashboard were incorrect for three days last week.",
    "For 90 minutes on 3 October your customers could not pay, and we are sorry.",
    "We are deeply sorry that patient records were unavailable to your clinicians for an hour "
    "on Sunday.",
    "We are sorry that your drivers did not receive new jobs between 06:00 and 07:15 today.",
    "We apologise: on 1 July your subscribers received the same newsletter twice.",
    "We are sorry that search on your site was slow for most of the afternoon on 8 August.",
    "We are sorry that your callers heard silence for 20 minutes on Tuesday evening.",
    "We are sorry that your customers could not pay. It lasted two hours on 3 October, and we "
    "have added a check so that this cannot happen again.",
    "We are sorry that our mistake stopped your customers from paying for two hours on "
    "3 October.",
    "We know this cost your business sales on 3 October, one of its busiest days, and we are "
    "sorry: card payments failed for almost two hours.",
]


def _wording(text: str) -> list[str]:
    return [h.rule_id for h in apology_hints(text) if h.excerpt]


def _missing(text: str) -> list[str]:
    return [h.rule_id for h in apology_hints(text) if not h.excerpt]


@pytest.mark.parametrize(("sentence", "rule"), WEAK)
def test_weak_apology_wording_is_pointed_out(sentence: str, rule: str) -> None:
    hints = [h for h in apology_hints(sentence) if h.excerpt]
    assert [h.rule_id for h in hints] == [rule], (sentence, hints)
    hint = hints[0]
    assert sentence[hint.start:hint.end] == hint.excerpt
    assert hint.family == "apology" and hint.why and hint.suggestion


@pytest.mark.parametrize(("apology", "check"), INCOMPLETE)
def test_what_the_apology_lacks_is_said(apology: str, check: str) -> None:
    hints = apology_hints(apology)
    assert _wording(apology) == [] and _missing(apology) == [check], (apology, hints)
    hint = hints[0]
    assert hint.found and hint.why and hint.suggestion and hint.start == hint.end == 0


@pytest.mark.parametrize("apology", REAL)
def test_a_real_apology_gets_no_hint(apology: str) -> None:
    assert apology_hints(apology) == [], apology


QUOTED = re.compile(r"“([^”]+)”")


def test_every_explanation_speaks_of_what_was_typed() -> None:
    """A wording hint's ``why`` quotes the words found, never other ones ("regret any
    disruption" is not told about "any inconvenience"); a missing-part hint quotes only words
    that are missing."""
    for sentence, _ in WEAK:
        for hint in apology_hints(sentence):
            phrases = QUOTED.findall(hint.why)
            if hint.excerpt:
                assert phrases, (hint.rule_id, hint.why)
                assert all(p.casefold() in hint.excerpt.casefold() for p in phrases), (
                    hint.rule_id, phrases, hint.excerpt)
            else:
                assert not any(p.casefold() in sentence.casefold() for p in phrases), (
                    hint.rule_id, phrases, sentence)
    hint = apology_hints("We regret any disruption to your service.")[0]
    assert hint.excerpt == "regret any disruption"
    assert "“regret any disruption”" in hint.why and "inconvenience" not in hint.why


def test_the_stock_phrase_gets_every_missing_part() -> None:
    hints = apology_hints("We apologise for any inconvenience.")
    assert [h.rule_id for h in hints] == ["vague-harm", "names-who", "names-impact", "says-when"]
    assert [h.found for h in hints[1:]] == [
        "It does not say who was affected.", "It does not say what happened to them.",
        "It does not say when or for how long."]


def test_whole_text_checks_wait_for_a_sentence() -> None:
    assert apology_hints("We") == [] and apology_hints("We are sorry that") == []
    assert _missing("We are sorry.") == ["names-who", "names-impact", "says-when"]
    long_unfinished = "we are sorry that the checkout stopped working for everyone who tried it"
    assert "says-when" in _missing(long_unfinished)  # 12 words or more count as written
    assert apology_hints("") == [] and apology_hints("  \n") == []


def test_every_rule_and_check_has_a_firing_example_and_explains_itself() -> None:
    rules = load_apology_rules()
    ids = [r.id for r in rules.rules] + [c.id for c in rules.checks]
    assert len(set(ids)) == len(ids)
    assert {r.id for r in rules.rules} == {rule for _, rule in WEAK}
    assert {c.id for c in rules.checks} == {check for _, check in INCOMPLETE}
    assert len(WEAK) + len(INCOMPLETE) >= 25 and len(REAL) >= 25
    for rule in rules.rules:
        assert rule.why.endswith(".") and "For example" in rule.suggestion
    for check in rules.checks:
        assert check.found.endswith(".") and check.why.endswith(".") and check.suggestion


def test_the_apology_file_can_be_translated(tmp_path: Path) -> None:
    data = json.loads(APOLOGY_FILE.read_text(encoding="utf-8"))
    data["language"] = "fr"
    data["rules"] = [{"id": "gene", "patterns": ["\\bg[eê]ne occasionn[ée]e\\b"],
                      "why": "Formule toute faite.", "suggestion": "Dites ce qui s'est passé."}]
    data["checks"] = [{"id": "desole", "present": ["\\b(?:désolés?|excuses)\\b"],
                       "found": "Il manque « désolés ».", "why": "Sinon ce n'est pas une excuse.",
                       "suggestion": "Écrivez « Nous sommes désolés »."}]
    path = tmp_path / "apology.fr.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    rules = load_apology_rules(path)
    hints = apology_hints("Veuillez pardonner la gêne occasionnée.", rules)
    assert [(h.rule_id, h.excerpt) for h in hints] == [("gene", "gêne occasionnée"),
                                                       ("desole", "")]
    assert apology_hints("Nous sommes désolés.", rules) == []


def test_a_broken_pattern_is_reported_with_its_rule(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"rules": [], "checks": [
        {"id": "broken-check", "present": ["(unclosed"], "found": ".", "why": ".",
         "suggestion": "."}]}))
    with pytest.raises(ValueError, match="broken-check"):
        load_apology_rules(path)
