"""Blameless wording: every rule fires on blaming sentences and stays quiet on ordinary ones."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import pytest

from reports.exchange import from_document
from reports.guidance import blameless_hints, load_rules, report_hints
from reports.guidance.blameless import RULES_FILE

# (sentence, the rule that must fire)
BLAMING = [
    ("He did not check the logs before the deploy.", "person-lapse"),
    ("She failed to follow the runbook.", "person-lapse"),
    ("Dana failed to escalate the alert.", "person-lapse"),
    ("Sam Ortiz did not test the migration.", "person-lapse"),
    ("They didn't read the release notes.", "person-lapse"),
    ("The on-call engineer missed the page.", "person-lapse"),
    ("A developer broke the build on Friday.", "person-lapse"),
    ("Someone ignored the disk space warning.", "person-lapse"),
    ("The operator made a mistake in the command.", "person-lapse"),
    ("Our intern caused the outage.", "person-lapse"),
    ("He never even looked at the dashboard.", "person-lapse"),
    ("The team forgot to renew the certificate.", "forgot"),
    ("The renewal was forgotten.", "forgot"),
    ("The backup was neglected for months.", "negligent"),
    ("This was negligent.", "negligent"),
    ("The root cause was human error.", "human-error"),
    ("An operator error deleted the table.", "human-error"),
    ("A careless change to the firewall rules.", "character"),
    ("The review was sloppy.", "character"),
    ("The engineer on duty was not paying attention.", "character"),
    ("It was a rookie mistake.", "character"),
    ("Someone messed up the DNS records.", "person-lapse"),
    ("The config was botched during the migration.", "slip"),
    ("An admin fat-fingered the IP address.", "slip"),
    ("He should have known better.", "should-have"),
    ("The reviewer should have caught this.", "should-have"),
    ("We should have noticed the warning signs.", "should-have"),
    ("Nobody is to blame for this.", "blame"),
    ("The vendor was blamed for the delay.", "blame"),
    ("It was Sam's fault.", "fault"),
    ("It was not their fault.", "fault"),
    ("The support team was at fault.", "fault"),
    ("The outage was his mistake.", "mistake-by"),
    ("An error by the engineer took the site down.", "mistake-by"),
]

ORDINARY = [
    "The deploy failed to start.",
    "The health check failed to connect to the database.",
    "The fault-tolerant cluster kept serving requests.",
    "A default value of 30 seconds was used.",
    "We ran fault injection tests in staging.",
    "A fault in the disk controller corrupted the cache.",
    "The faulty network card was replaced.",
    "Run `git blame` on the config file to see when it changed.",
    "We used git blame to find the commit.",
    "The blameless review took place on Monday.",
    "It did not check the certificate expiry date.",
    "The alert should have fired at 09:15 but the threshold was too high.",
    "The cache should have expired after an hour.",
    "The servers did not respond for 20 minutes.",
    "Kubernetes failed to schedule the pods.",
    "The pods did not restart because the image was missing.",
    "The error rate rose to 40% at 09:12.",
    "Users saw an error page when paying.",
    "A human-readable error message was added.",
    "The user interface showed stale prices.",
    "The checker found no errors.",
    "Release 4.2 of the payment router went live.",
    "Dana rolled the change back at 10:40.",
    "Sam noticed the alert and paged the on-call engineer.",
    "The engineer restarted the service at 10:02.",
    "We are sorry that your customers could not pay.",
    "We should have told you sooner, and we are sorry.",
    "The monitoring missed the spike because it sampled every five minutes.",
    "The release checklist had no step for payment routing.",
    "Traffic moved back to the current gateway.",
    "Error budget: 99.9% availability over 30 days.",
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


def test_every_rule_has_a_firing_example_and_explains_itself() -> None:
    rules = load_rules()
    assert len({r.id for r in rules}) == len(rules)
    assert {r.id for r in rules} == {rule for _, rule in BLAMING}
    for rule in rules:
        assert rule.why.endswith(".") and "For example" in rule.suggestion


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
