"""Plain language: jargon, abbreviations and pasted output are pointed out, ordinary client-facing
sentences are left alone, and reading ease is scored only where it means something."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from reports.exchange import from_document
from reports.guidance.client import REMEMBERED_TEXT, known_names, report_guidance, text_hints
from reports.guidance.plain import (
    GLOSSARY_FILE,
    is_explained,
    load_glossary,
    plain_hints,
    prose,
    readability,
    warm_up,
)
from tests.growth import LINEAR_AT_MOST, growth

TRACEBACK = ('Traceback (most recent call last):\n  File "pay.py", line 3, in charge\n'
             "KeyError: 'price'")

# (text, the rules that must fire, in reading order)
JARGON = [
    ("OOM on k8s", ["oom", "k8s"]),
    ("The pods were OOM-killed.", ["pod", "oom"]),
    ("p99 latency rose to four seconds.", ["percentile", "latency"]),
    ("The p50 held steady.", ["median"]),
    ("We did a rollback at 10:40.", ["rollback"]),
    ("The RCA is attached.", ["rca"]),
    ("We breached the SLA.", ["sla"]),
    ("A DNS change went wrong.", ["dns"]),
    ("The CDN served old pages.", ["cdn"]),
    ("The API returned errors.", ["api"]),
    ("The DB ran out of connections.", ["db"]),
    ("CPU use reached 100%.", ["cpu"]),
    ("Our TLS certificate expired.", ["tls"]),
    ("The QPS doubled.", ["rps"]),
    ("A hotfix went out at noon.", ["hotfix"]),
    ("The failover took ten minutes.", ["failover"]),
    ("A deadlock stopped the queue.", ["deadlock"]),
    ("A memory leak slowly filled the server.", ["memory-leak"]),
    ("Requests were throttled.", ["throttling"]),
    ("The runbook had no step for this.", ["runbook"]),
    ("A regression in release 4.2 broke refunds.", ["regression"]),
    ("The canary looked healthy.", ["canary"]),
    ("A feature flag was switched on.", ["feature-flag"]),
    ("The config pointed at the wrong server.", ["config"]),
    ("Customers saw HTTP 503 errors.", ["http-status"]),
    ("The Redis cluster restarted.", ["redis"]),
    ("Kubernetes restarted the service.", ["kubernetes"]),
    ("The SEV1 was declared at 09:20.", ["severity"]),
    ("The MTTR was 40 minutes.", ["mttr"]),
    ("The ZQX team was called.", ["acronym"]),
    ("The data needed a resync after the outage.", ["resync"]),
    ("We restored the database from a snapshot.", ["snapshot"]),
    ("The replica fell behind by an hour.", ["replica"]),
    ("Replication lag reached forty minutes.", ["replication-lag"]),
    ("Replication stopped at 09:12.", ["replication"]),
    ("One shard of the database was full.", ["shard"]),
    ("The primary stopped accepting writes.", ["primary-db"]),
    ("Files were copied with rsync.", ["rsync"]),
    ("The copy was made with pg_basebackup.", ["db-backup-tool"]),
    ("The engineer used kubectl to restart the service.", ["kubectl"]),
    ("An engineer connected over ssh to the database server.", ["ssh"]),
    ("Alerts from PagerDuty woke the team.", ["paging-tool"]),
    ("The Terraform plan removed the gateway.", ["provisioning-tool"]),
    ("Jenkins stopped the release.", ["build-tool"]),
    ("Grafana showed the spike.", ["monitoring-tool"]),
    ("The Docker image was missing.", ["docker"]),
    ("The etcd cluster lost its leader.", ["coordination-store"]),
    ("The Helm chart had the wrong value.", ["helm"]),
    ("The MTBF doubled.", ["mtbf"]),
]

PASTED = [
    ("db-7.prod.internal stopped answering.", ["hostname"]),
    ("Traffic to web-03 was slow.", ["hostname"]),
    ("The payments-db-2 server filled up.", ["hostname"]),
    ("The cache at redis.svc went away.", ["hostname"]),
    ("Requests from 10.0.3.7 were refused.", ["ip-address"]),
    (TRACEBACK, ["stack-trace"]),
    ("at com.acme.pay.Router.route(Router.java:42)", ["stack-trace"]),
    ("java.lang.IllegalStateException: no route", ["stack-trace"]),
    ("Exception: connection reset", ["stack-trace"]),
    ("The log said TypeError: price is undefined.", ["stack-trace"]),
    ("2026-10-03T09:12:00Z ERROR [router] no route", ["stack-trace"]),
    ("We ran sudo systemctl restart payments.", ["command"]),
    ("An engineer ran rm -rf on the wrong folder.", ["command"]),
    ("We pushed the fix with git push --force.", ["command"]),
    ("The job was started with --dry-run off.", ["command"]),
    ("The job was started with sudo.", ["command"]),
    ("We ran DROP TABLE on the staging copy.", ["command"]),
    ("The settings in /etc/nginx/nginx.conf were wrong.", ["file-path"]),
    ("The backup went to ~/backups/daily.", ["file-path"]),
    ("The change to deploy/prod/payments.yaml had a typo.", ["file-path"]),
    ("The limit is set by max_connections.", ["identifier"]),
    ("The value of payments.retry_limit was too low.", ["identifier"]),
    ("The sessionTimeout setting was 5 seconds.", ["identifier"]),
    ("The fix is tracked in OPS-1234.", ["ticket"]),
    ("See ticket #4521 for the details.", ["ticket"]),
    ("The change request CHG0031337 was approved.", ["ticket"]),
]

# Ordinary client-facing sentences: nothing to point out.
ORDINARY = [
    "We are sorry that for two hours on 3 October your customers could not pay.",
    "We rolled back the change at 10:40.",
    "Card payments failed between 09:12 and 11:02.",
    "A configuration change sent all payment traffic to a retired gateway.",
    "About 1,200 orders from EU customers failed.",
    "The server ran out of memory (OOM), and the OOM errors stopped at 10:00.",
    "The OOM (out of memory) errors stopped at 10:00.",
    "Our service level agreement (SLA) promises 99.9% availability, and the SLA credit applies.",
    "See https://status.example.com/incidents/p99 for updates.",
    "The top-10 customers and tier-1 support were told first.",
    "Version 4.2.1 of the app went out on Monday.",
    "We did NOT lose any data.",
    "The UK and EU stores were affected; the US store was not.",
    "Our CEO has written to you directly.",
    "Please call us on 0800 123 456 or send an SMS.",
    "Your PIN and card details were never at risk.",
    "The report is attached as a PDF.",
    "Times are in UTC.",
    "The faulty update was undone within the hour.",
    "We added a check that stops this kind of change before it reaches the live system.",
    "Prices were wrong for about 300 products.",
    "About 500 errors an hour were shown to customers.",
    "The database slowed down, so pages took up to 30 seconds to load.",
    "Emails sent after 14:00 arrived up to six hours late.",
    "Our cloud provider had a fault in one of its data centres.",
    "The backup copy took over automatically at 10:05.",
    "A COVID-19 rule change brought more orders than usual.",
    "The 3-day sale went ahead as planned.",
    "Write to support@example.com with any question.",
    "The [status page](https://status.example.com/k8s) has the details.",
    "The backups failed over the weekend, and nobody lost data.",
    "WHAT HAPPENED: card payments failed for two hours.",
    "PLEASE NOTE: no card details were exposed.",
    "Payments and/or refunds were delayed.",
    "Our support line is open 24/7.",
    "The read/write speed of the disk dropped.",
    "Prices were wrong e.g. for shoes and bags, i.e. about 300 products.",
    "The incident started at 9 a.m. and ended at 11 a.m.",
    "The 2024/25 plan already includes the fix.",
    "Visit example.com/status for updates.",
    "Customers on iOS and macOS were not affected.",
    "Your order #48213 was charged twice, and we have refunded it.",
    "Our CEO - who joined the call - apologised.",
    "The well-known checkout flow failed for returning shoppers.",
    "This report gives a quick snapshot of what happened.",
    "A snapshot of the week: three incidents, all resolved.",
    "The primary cause was a change to the payment settings.",
    "The client/server connection dropped for two minutes.",
    "Orders placed 9-11 am were delayed -- we are sorry.",
    "The ISO-8601 date format was wrong in one export.",
    "The team followed up with each affected customer.",
    "Please email support@example.com or visit www.example.com.",
    "Our service-level promise was broken, and we will credit your account.",
    "We copied the files again so that both copies matched.",
    "The backup copy of the database fell 40 minutes behind the live one.",
]


def _rules(text: str) -> list[str]:
    return [h.rule_id for h in plain_hints(text)]


@pytest.mark.parametrize(("text", "rules"), JARGON + PASTED)
def test_words_a_client_may_not_know_are_pointed_out(text: str, rules: list[str]) -> None:
    hints = plain_hints(text)
    assert [h.rule_id for h in hints] == rules, (text, hints)
    for hint in hints:
        assert text[hint.start:hint.end] == hint.excerpt
        assert hint.family == "plain" and hint.why.endswith(".") and hint.suggestion


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_client_sentences_raise_no_plain_language_hint(text: str) -> None:
    assert plain_hints(text) == [], text


def test_corpora_are_big_enough_and_every_entry_fires_somewhere() -> None:
    glossary = load_glossary()
    assert len(JARGON) >= 25 and len(PASTED) >= 10 and len(ORDINARY) >= 25
    fired = {rule for _, rules in JARGON + PASTED for rule in rules}
    assert {d.id for d in glossary.detectors} <= fired
    assert {t.kind for t in glossary.terms} <= set(glossary.messages)


def test_a_hint_offers_the_explanation_to_add() -> None:
    oom, k8s = plain_hints("OOM on k8s")
    assert oom.explanation == "the server ran out of memory"
    assert oom.suggestion == ("Explain it where it first appears: “OOM (the server ran out of "
                              "memory)”, or use the plain words instead.")
    assert oom.why == "Most clients will not know what “OOM” stands for."
    assert "Kubernetes" in k8s.suggestion


QUOTED = re.compile(r"“([^”]+)”")
CORPORA = Path(__file__).with_name("corpora")


def test_every_explanation_quotes_the_words_typed() -> None:
    """Each hint's ``why`` names the words found: every phrase it quotes is in the excerpt."""
    for text, _ in JARGON + PASTED:
        for hint in plain_hints(text):
            phrases = QUOTED.findall(hint.why)
            assert phrases, (hint.rule_id, hint.why)
            for phrase in phrases:
                assert phrase.rstrip("…") in hint.excerpt, (hint.rule_id, phrase, hint.excerpt)
            assert hint.excerpt.split("\n")[0][:20] in hint.suggestion or hint.rule_id in {
                d.id for d in load_glossary().detectors} | {"acronym"}, hint.suggestion


# Explanations that must keep the meaning of the word they explain, as a client reads them.
MEANINGS = {
    "replication-lag": "the delay before the backup copy of the database catches up with the "
                       "live one",
    "pod": "one of the running copies of our software",
    "mtbf": "mean time between failures: how long, on average, the service runs between two "
            "failures",
    "shard": "one of the parts our database is split into",
    "replica": "a copy of the database that is kept up to date with the main one",
    "snapshot": "a saved copy of the data as it was at one moment",
    "resync": "copying the data again so that the two copies match",
    "failover": "switching to the standby copy of the system when the main one fails",
}


def test_explanations_keep_the_meaning() -> None:
    explanations = {t.id: t.explanation for t in load_glossary().terms}
    for term, meaning in MEANINGS.items():
        assert explanations[term] == meaning
    # No explanation leans on another engineers' word that the glossary itself flags.
    for term in load_glossary().terms:
        flagged = [h.rule_id for h in plain_hints(term.explanation)
                   if h.rule_id != term.id and term.kind != "acronym"]
        assert flagged == [] or term.id in {"k8s", "eks", "helm"}, (term.id, flagged)


def test_explained_here_or_earlier_is_not_flagged_again() -> None:
    assert plain_hints("The RCA (root cause analysis) and the RCA summary.") == []
    assert plain_hints("A root cause analysis (RCA) followed. The RCA found two causes.") == []
    assert plain_hints("OOM, meaning the server ran out of memory, struck twice. OOM again.") == []
    assert plain_hints("ZQX (our billing partner) called. ZQX called again.") == []
    # Explained only at its second use: the first is still flagged, once.
    assert _rules("The OOM struck. Then the OOM (out of memory) struck again.") == ["oom"]
    # An unexplained term is flagged once, however often it comes.
    assert _rules("OOM here, OOM there, and OOM everywhere.") == ["oom"]


def test_is_explained_reads_brackets_on_either_side() -> None:
    text = "out of memory (OOM) and OOM (out of memory) and OOM (2)"
    first, second, third = (i for i in range(len(text)) if text.startswith("OOM", i))
    assert is_explained(text, first, first + 3)
    assert is_explained(text, second, second + 3)
    assert not is_explained(text, third, third + 3)  # a number is no explanation


def test_a_stack_trace_is_one_hint_however_long() -> None:
    trace = TRACEBACK + "\n" + "\n".join(f"  at com.acme.Step{i}.run(Step.java:{i})"
                                         for i in range(20))
    hints = plain_hints("Payments stopped.\n" + trace)
    assert [h.rule_id for h in hints] == ["stack-trace"]
    assert hints[0].excerpt == "Traceback (most recent call last)"


def test_the_clients_own_names_in_capitals_are_not_flagged() -> None:
    assert _rules("The team at ACME helped us test the fix.") == ["acronym"]
    known = known_names("ACME Retail", "checkout")
    assert known == {"ACME"}
    assert plain_hints("The team at ACME helped us test the fix.", known=known) == []


def test_every_part_gets_the_right_families() -> None:
    text = "It was human error: we apologise for any inconvenience caused by the OOM."
    assert {h.family for h in text_hints(text)} == {"blameless"}
    assert {h.family for h in text_hints(text, plain=True)} == {"blameless", "plain"}
    assert {h.family for h in text_hints(text, apology=True, plain=True)} == {
        "blameless", "apology", "plain"}


def test_report_guidance_covers_client_parts_and_root_causes(sample_document: dict) -> None:
    sample_document["summary"] = "OOM on k8s."
    sample_document["factors"][0]["description"] = "The p99 latency doubled."  # a root cause
    sample_document["factors"][1]["description"] = "The p99 latency doubled."  # not one
    sample_document["apology"] = "We apologise for any inconvenience."
    sample_document["lessons"]["went_wrong"] = "The OOM was human error."
    hints, scores = report_guidance(from_document(sample_document))
    families = {path: {h.family for h in found} for path, found in hints.items()}
    assert families == {"summary": {"plain"}, "factors.0.description": {"plain"},
                        "apology": {"apology"}, "lessons.went_wrong": {"blameless"}}
    assert set(scores) == {"apology", "summary", "impact", "factors.0.description"}
    assert all(s.score is None for s in scores.values())  # all too short to score


def test_the_sample_report_is_clean(sample_document: dict) -> None:
    hints, _ = report_guidance(from_document(sample_document))
    assert hints == {}


# ---- reading ease ----

PLAIN_TEXT = (
    "We are sorry. On Tuesday our card payments stopped for two hours. Your customers could not "
    "pay for their orders, and some of them tried many times. We found the cause quickly. A "
    "change we made sent payments to an old system. We have put it right, and we now check every "
    "change like this before it goes live."
)
DENSE_TEXT = (
    "Consequently, the intermittent unavailability of the authorisation infrastructure "
    "necessitated the immediate reconfiguration of the transactional routing subsystem, "
    "notwithstanding considerable organisational coordination requirements, substantially "
    "prolonging the remediation activities undertaken by the operational engineering "
    "organisation throughout the incident's duration."
)


def test_reading_ease_for_plain_and_dense_text() -> None:
    easy = readability(PLAIN_TEXT)
    assert easy is not None and easy.score is not None and easy.score >= 60 and easy.meets
    assert easy.hard is False and easy.hardest_sentence == ""
    assert easy.message == (f"Reading ease {easy.score} ({easy.level}) — on target: "
                            "aim for 60 or more for a general audience.")
    hard = readability(DENSE_TEXT)
    assert hard is not None and hard.score is not None and hard.score < 30
    assert hard.meets is False and hard.hard is True and hard.level == "very difficult"
    assert hard.hardest_sentence == DENSE_TEXT and hard.hardest_words == 37
    assert hard.message == (
        "Reading ease 0 (very difficult) — hard going for a general audience. Start with the "
        "hardest sentence, “Consequently, the intermittent unavailability of the authorisation "
        "infrastructure necessi…” (37 words): split it, and say it with everyday words.")
    assert 0 <= hard.score <= 100 and easy.target == 60


def _paragraphs(name: str) -> list[str]:
    lines = (CORPORA / f"readability-{name}.txt").read_text(encoding="utf-8").splitlines()
    text = "\n".join(line for line in lines if not line.startswith("#"))
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def test_a_note_only_on_clearly_hard_parts() -> None:
    """Calibration: no note on any plain client paragraph, a note on every hard one, and the
    threshold sits well clear of both."""
    plain, hard = _paragraphs("plain"), _paragraphs("hard")
    assert len(plain) >= 25 and len(hard) >= 20
    warn_below = load_glossary().warn_below
    for paragraph in plain:
        score = readability(paragraph)
        assert score is not None and score.hard is False and score.meets is True, paragraph
        assert score.score is not None and score.score >= warn_below + 10, paragraph
    for paragraph in hard:
        score = readability(paragraph)
        assert score is not None and score.hard is True and score.meets is False, paragraph
        assert score.hardest_sentence and score.hardest_sentence in prose(paragraph)
        assert score.message.count("“") == 1  # names one sentence to fix


def test_a_good_rewrite_just_under_the_target_gets_no_note() -> None:
    rewrite = _paragraphs("plain")[2]  # "A configuration change sent all payment traffic..."
    score = readability(rewrite)
    assert score is not None and score.score is not None and 50 <= score.score < 60
    assert score.meets is True and score.hard is False
    assert score.message == (f"Reading ease {score.score} ({score.level}) — readable; the aim "
                             "for a general audience is 60 or more.")


def test_one_very_long_sentence_is_named_even_when_the_score_is_fine() -> None:
    long = ("On the morning of 3 October a change to the settings of our payment service was "
            "released to all of our servers at once and because the new settings sent every "
            "payment to an old gateway every payment failed for two hours.")
    score = readability(f"We are sorry. {long} We have fixed it. We now check every change. "
                        "Your customers can pay again.")
    assert score is not None and score.score is not None and score.score >= 60
    assert score.hard is True and score.meets is False
    assert score.hardest_sentence == long and score.hardest_words == 42
    assert score.message.endswith("Split it into two or three.")


def test_the_reading_ease_answer_keeps_its_fields() -> None:
    """The page and the API read these fields: new ones are added, none taken away."""
    answer = readability(PLAIN_TEXT)
    assert answer is not None
    assert {"score", "level", "target", "words", "min_words", "meets", "message"} <= set(
        answer.as_dict())
    assert {"hard", "hardest_sentence", "hardest_words", "warn_below", "long_sentence"} <= set(
        answer.as_dict())


def test_reading_ease_is_not_scored_for_short_texts() -> None:
    assert readability("") is None and readability("  \n ") is None
    short = readability("We are sorry. For almost two hours your customers could not pay.")
    assert short is not None and short.score is None and short.meets is None
    assert short.words == 12
    assert short.message == "Reading ease is shown from 30 words; this part has 12."


def test_prose_turns_lines_and_list_items_into_sentences() -> None:
    text = "What happened:\n- payments failed\n- **refunds** were slow\nSee https://x.example/a"
    assert prose(text) == "What happened: payments failed. refunds were slow. See."


def test_the_glossary_can_be_extended_or_translated(tmp_path: Path) -> None:
    data = json.loads(GLOSSARY_FILE.read_text(encoding="utf-8"))
    data["language"] = "fr"
    data["readability"]["target"] = 50
    data["terms"] = [{"id": "mep", "kind": "jargon", "words": ["MEP"], "case_sensitive": True,
                      "explanation": "mise en production"}]
    data["messages"]["jargon"] = {"why": "« {term} » est un mot d'ingénieur.",
                                  "suggestion": "Écrivez « {explanation} »."}
    path = tmp_path / "glossary.fr.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    glossary = load_glossary(path)
    hints = plain_hints("La MEP a échoué.", glossary)
    assert [(h.rule_id, h.suggestion) for h in hints] == [
        ("mep", "Écrivez « mise en production »."),
    ]
    assert glossary.target == 50


def test_a_broken_glossary_is_reported(tmp_path: Path) -> None:
    data = json.loads(GLOSSARY_FILE.read_text(encoding="utf-8"))
    data["terms"] = [{"id": "odd", "kind": "slang", "words": ["odd"], "explanation": "x"}]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="odd"):
        load_glossary(path)
    data["terms"] = [{"id": "broken", "kind": "jargon", "patterns": ["(x"], "explanation": "x"}]
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="broken"):
        load_glossary(path)


# Repeated pieces that once made a pattern try every start against every end.
HOSTILE = ["x", "a-", "a.", "1.", "a.b.", "x.y-", "db-", "ip-1-", "._", "00:00:00", "x@", "OOM (",
           "a (", "AB ", "sorry ", "if you "]


def _checking(unit: str) -> Callable[[int], Callable[[], object]]:
    def of_length(length: int) -> Callable[[], object]:
        text = (unit * (length // len(unit) + 1))[:length]
        return lambda: (text_hints(text, apology=True, plain=True), readability(text))
    return of_length


@pytest.mark.parametrize("unit", HOSTILE)
def test_long_hostile_texts_are_checked_in_linear_time(unit: str) -> None:
    """A pattern that tries every start against every end once took 5 s to 30 s for 30,000
    characters; linear checking grows 5x to 11x for eight times the text (measured)."""
    warm_up()
    # Texts up to REMEMBERED_TEXT are remembered: longer ones are read afresh each time.
    assert growth(_checking(unit), REMEMBERED_TEXT + 500) < LINEAR_AT_MOST, unit
