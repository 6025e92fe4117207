"""Blameless wording: every rule fires on blaming sentences and stays quiet on ordinary ones."""

from __future__ import annotations

import json
import re
from itertools import pairwise
from pathlib import Path

import pytest

from reports.exchange import from_document
from reports.guidance import blameless_hints, load_rules, report_hints
from reports.guidance.blameless import RULES_FILE

CORPORA = Path(__file__).with_name("corpora")
# Targets on the corpora: at least this share of blaming sentences caught, at most this share of
# neutral ones flagged.
CAUGHT_AT_LEAST = 0.95
FALSE_ALARMS_AT_MOST = 0.02
# Quoted words in a message: “...”.
QUOTED = re.compile(r"“([^”]+)”")


def corpus(name: str) -> list[str]:
    """The sentences of ``tests/corpora/<name>.txt``: one a line, ``#`` lines are comments."""
    lines = (CORPORA / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


# (sentence, the rule that must fire): at least one example for every rule.
BLAMING = [
    ("He did not check the logs before the deploy.", "person-lapse"),
    ("She failed to follow the runbook.", "person-lapse"),
    ("Dana failed to restart the workers.", "person-lapse"),
    ("Zanele did not escalate the alert.", "person-lapse"),
    ("Sam Ortiz did not test the migration.", "person-lapse"),
    ("They didn't read the release notes.", "person-lapse"),
    ("The on-call engineer missed the page.", "person-lapse"),
    ("A developer broke the build on Friday.", "person-lapse"),
    ("Someone ignored the disk space warning.", "person-lapse"),
    ("The operator made a mistake in the command.", "person-lapse"),
    ("Our intern caused the outage.", "person-lapse"),
    ("Ops failed to rotate the keys.", "person-lapse"),
    ("The team forgot to renew the certificate.", "person-lapse"),
    ("Nobody reviewed the change before it went out.", "person-lapse"),
    ("The alerts were ignored for most of the night.", "person-lapse"),
    ("The renewal was forgotten.", "forgot"),
    ("The backup was neglected for months.", "negligent"),
    ("This was negligent.", "negligent"),
    ("The root cause was human error.", "human-error"),
    ("An operator error deleted the table.", "human-error"),
    ("A careless change to the firewall rules.", "character"),
    ("The review was sloppy.", "character"),
    ("It was a rookie mistake.", "character"),
    ("It was poor judgement to deploy at peak time.", "character"),
    ("The config was botched during the migration.", "slip"),
    ("An admin fat-fingered the IP address.", "slip"),
    ("He should have known better.", "should-have"),
    ("The reviewer should have caught this.", "should-have"),
    ("QA should not have signed off the release.", "should-have"),
    ("We should have noticed the warning signs.", "should-have"),
    ("The developer was supposed to test the migration.", "should-have"),
    ("If the engineer had checked the logs, the outage would have been avoided.",
     "counterfactual"),
    ("If the team had tested the change properly, the bug would have been caught.",
     "counterfactual"),
    ("Had QA done their job, the release would have been stopped.", "counterfactual"),
    ("Why did no one check the backups?", "rhetorical-why"),
    ("Why didn't the on-call engineer escalate?", "rhetorical-why"),
    ("How could the reviewer miss something so obvious?", "rhetorical-why"),
    ("Nobody is to blame for this.", "blame"),
    ("The vendor was blamed for the delay.", "blame"),
    ("It was Sam's fault.", "fault"),
    ("It was not their fault.", "fault"),
    ("The support team was at fault.", "fault"),
    ("The developer was responsible for the outage.", "fault"),
    ("The outage was caused by the intern.", "fault"),
    ("The delay was due to the on-call engineer.", "fault"),
    ("The outage was his mistake.", "mistake-by"),
    ("An error by the engineer took the site down.", "mistake-by"),
    ("Rachel's mistake took the checkout offline.", "mistake-by"),
    ("She merged unreviewed changes.", "unchecked-work"),
    ("Untested code from the payments team broke refunds.", "unchecked-work"),
    ("The engineer ran the migration without a backup.", "unchecked-work"),
]

# Ordinary sentences that look close to blaming ones: the documented examples of what is left
# alone (docs/blameless-wording.md). The corpora hold many more.
ORDINARY = [
    "Sam restarted the service at 10:02.",
    "The deploy failed to complete.",
    "An engineer deleted the data by mistake while repairing the replica.",
    "The on-call engineer was paged at 09:14.",
    "Kubernetes failed to schedule the pods.",
    "The alert should have fired at 09:15 but the threshold was too high.",
    "It did not check the certificate expiry date.",
    "The on-call engineer did not receive the page because the phone number was out of date.",
    "The engineer did not know that the flag was still on.",
    "The page sent to Dana failed to arrive.",
    "The QA environment failed to start.",
    "The team responsible for payments was paged at 09:15.",
    "The outage was caused by a full disk.",
    "If the alert had fired, the team would have known at 09:15.",
    "Why did the alert not fire?",
    "Each engineer should have access to the runbook.",
    "We should have told you sooner, and we are sorry.",
    "It was our fault, and we apologise.",
    "Run `git blame` on the config file to see when it changed.",
    "The fault-tolerant cluster kept serving requests.",
    "The lazy-loading images slowed the page.",
]


@pytest.mark.parametrize(("sentence", "rule"), BLAMING)
def test_blaming_wording_is_pointed_out(sentence: str, rule: str) -> None:
    hints = blameless_hints(sentence)
    assert [h.rule_id for h in hints] == [rule], (sentence, hints)
    hint = hints[0]
    assert sentence[hint.start:hint.end] == hint.excerpt
    assert hint.why and hint.suggestion


@pytest.mark.parametrize("sentence", ORDINARY)
def test_ordinary_incident_sentences_raise_no_hint(sentence: str) -> None:
    assert blameless_hints(sentence) == [], sentence


def _rates(blaming: list[str], neutral: list[str]) -> tuple[float, float, list[str], list[str]]:
    missed = [s for s in blaming if not blameless_hints(s)]
    alarms = [s for s in neutral if blameless_hints(s)]
    return (1 - len(missed) / len(blaming), len(alarms) / len(neutral), missed, alarms)


@pytest.mark.parametrize("suffix", ["", "-heldout"])
def test_the_corpora_are_caught_without_false_alarms(suffix: str) -> None:
    """``blaming.txt`` and ``neutral.txt`` were tuned on; the ``-heldout`` pair was written
    before the rules and never tuned on. Both must meet the targets."""
    blaming, neutral = corpus(f"blaming{suffix}"), corpus(f"neutral{suffix}")
    if not suffix:
        assert len(blaming) >= 150 and len(neutral) >= 150
    caught, false_alarms, missed, alarms = _rates(blaming, neutral)
    assert caught >= CAUGHT_AT_LEAST, (f"caught {caught:.1%}", missed)
    assert false_alarms <= FALSE_ALARMS_AT_MOST, (f"false alarms {false_alarms:.1%}", alarms)


def test_every_explanation_quotes_the_words_typed() -> None:
    """A hint's ``why`` speaks of what was typed: each phrase it quotes is in the excerpt, and
    every rule quotes something (so none talks about words that are not there)."""
    sentences = [s for s, _ in BLAMING] + corpus("blaming")
    fired = set()
    for sentence in sentences:
        for hint in blameless_hints(sentence):
            fired.add(hint.rule_id)
            phrases = QUOTED.findall(hint.why)
            assert phrases, (hint.rule_id, hint.why)
            for phrase in phrases:
                assert phrase.rstrip("…").casefold() in hint.excerpt.casefold(), (
                    hint.rule_id, phrase, hint.excerpt)
    assert fired == {r.id for r in load_rules()}


def test_every_rule_has_a_firing_example_and_explains_itself() -> None:
    rules = load_rules()
    assert len({r.id for r in rules}) == len(rules)
    assert {r.id for r in rules} == {rule for _, rule in BLAMING}
    for rule in rules:
        assert rule.why.endswith(".") and "For example" in rule.suggestion


def test_the_subject_is_named_in_the_explanation() -> None:
    hint, = blameless_hints("The on-call engineer failed to escalate.")
    assert "“the on-call engineer”" in hint.why
    hint, = blameless_hints("Then Priya forgot to renew it.")
    assert hint.excerpt == "Priya forgot" and "“Priya”" in hint.why


def test_a_capitalised_system_is_not_a_person() -> None:
    for sentence in ("Jenkins failed to build the branch.", "Monitoring did not check the replica.",
                     "Payments failed to settle.", "Nginx ignored the new configuration."):
        assert blameless_hints(sentence) == [], sentence
    # A first name we know is a person whatever the verb; another capitalised word is one only
    # with something only people do.
    assert blameless_hints("Alex failed to restart the workers.")
    assert blameless_hints("Zbigniew forgot to renew the certificate.")
    assert not blameless_hints("Zbigniew failed to restart the workers.")


def test_hints_come_in_reading_order_without_overlap() -> None:
    text = "It was human error: he did not check, and the change was careless."
    hints = blameless_hints(text)
    assert [h.rule_id for h in hints] == ["human-error", "person-lapse", "character"]
    assert all(a.end <= b.start for a, b in pairwise(hints))


def test_empty_text_has_no_hints() -> None:
    assert blameless_hints("") == [] and blameless_hints("   \n") == []


def test_a_rules_file_can_be_extended_or_translated(tmp_path: Path) -> None:
    data = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    data["language"] = "fr"
    data["rules"] = [{"id": "erreur-humaine", "patterns": ["\\berreur humaine\\b"],
                      "why": "Cela arrête l'analyse.", "suggestion": "Décrivez le système."}]
    path = tmp_path / "blameless.fr.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    hints = blameless_hints("C'était une erreur humaine.", load_rules(path))
    assert [(h.rule_id, h.excerpt) for h in hints] == [("erreur-humaine", "erreur humaine")]


def test_a_broken_pattern_is_reported_with_its_rule(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"rules": [{"id": "bad", "patterns": ["(unclosed"],
                                           "why": ".", "suggestion": "."}]}))
    with pytest.raises(ValueError, match="bad"):
        load_rules(path)


def test_report_hints_are_keyed_by_document_path(sample_document: dict) -> None:
    sample_document["factors"][1]["description"] = "The operator made a mistake."
    sample_document["lessons"]["went_wrong"] = "It was human error."
    hints = report_hints(from_document(sample_document))
    assert set(hints) == {"factors.1.description", "lessons.went_wrong"}
