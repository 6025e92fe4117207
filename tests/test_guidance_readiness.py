"""The readiness checks: each one met by a complete report and missed for the right reason."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from reports.exchange import from_document
from reports.guidance import Check, readiness
from reports.model import Report


def _checks(document: dict[str, Any]) -> dict[str, Check]:
    return {c.id: c for c in readiness(from_document(document))}


@pytest.fixture
def complete(sample_document: dict[str, Any]) -> dict[str, Any]:
    sample_document["actions"][0]["addresses"] = [0]
    return sample_document


def test_a_complete_report_meets_every_check(complete: dict[str, Any]) -> None:
    checks = readiness(from_document(complete))
    assert [c.id for c in checks] == [
        "apology", "summary_impact", "impact_detail", "timeline_start", "timeline_end",
        "factors", "root_cause", "actions_complete", "root_causes_addressed", "follow_up",
        "plain_words", "blameless",
    ]
    assert [c.id for c in checks if not c.met] == []
    assert all(c.advice == "" for c in checks)


def test_an_empty_report_misses_every_check_and_says_where() -> None:
    checks = readiness(Report())
    wording = {"plain_words", "blameless"}  # nothing written, so no wording to reconsider
    assert all(not c.met for c in checks if c.id not in wording)
    assert all(c.met for c in checks if c.id in wording)
    assert {c.id: c.field_id for c in checks if c.id not in wording} == {
        "apology": "apology", "summary_impact": "summary", "impact_detail": "impact",
        "timeline_start": "timeline", "timeline_end": "timeline", "factors": "factors",
        "root_cause": "no_single_root_cause", "actions_complete": "actions",
        "root_causes_addressed": "actions", "follow_up": "follow_up_review_on",
    }
    assert all(c.advice and c.label for c in checks if c.id not in wording)


def test_apology(complete: dict[str, Any]) -> None:
    complete["apology"] = "   "
    assert not _checks(complete)["apology"].met


@pytest.mark.parametrize(("empty", "field"), [("summary", "summary"), ("impact", "impact")])
def test_summary_and_impact(complete: dict[str, Any], empty: str, field: str) -> None:
    complete[empty] = ""
    check = _checks(complete)["summary_impact"]
    assert not check.met and check.field_id == field


@pytest.mark.parametrize(
    ("impact", "met", "advice"),
    [
        ("About 1,200 orders from EU customers failed between 09:12 and 11:02.", True, ""),
        ("Customers could not pay for 1 h 50 min.", True, ""),
        ("For almost two hours, shoppers saw errors.", True, ""),
        ("Some users could not log in all morning.", True, ""),
        ("Clients saw errors from 09:12 to 11:02.", True, ""),
        ("Payments failed.", False, "who was affected and for how long"),
        ("Customers could not pay.", False, "for how long"),
        ("Payments failed for 45 minutes.", False, "who was affected"),
    ],
)
def test_impact_says_who_and_how_long(
    complete: dict[str, Any], impact: str, met: bool, advice: str
) -> None:
    complete["impact"] = impact
    check = _checks(complete)["impact_detail"]
    assert check.met is met and advice in check.advice


def test_impact_advice_offers_the_duration_from_the_times(complete: dict[str, Any]) -> None:
    complete["impact"] = "Orders failed."
    assert "1 hour 50 minutes" in _checks(complete)["impact_detail"].advice


def test_timeline_start_needs_a_discovery_or_an_early_event(complete: dict[str, Any]) -> None:
    complete["timeline"][1]["kind"] = "other"  # the 09:20 discovery; the 09:05 deploy is earlier
    assert _checks(complete)["timeline_start"].met
    complete["timeline"] = complete["timeline"][1:]  # first event now 09:20, the detection time
    assert _checks(complete)["timeline_start"].met
    complete["timeline"] = complete["timeline"][1:]  # first event 10:40, after detection
    assert not _checks(complete)["timeline_start"].met


def test_timeline_end_needs_a_resolution_or_a_late_event(complete: dict[str, Any]) -> None:
    complete["timeline"][-1]["kind"] = "mitigation"  # still at 11:02, the resolution time
    assert _checks(complete)["timeline_end"].met
    complete["timeline"] = complete["timeline"][:-1]
    check = _checks(complete)["timeline_end"]
    assert not check.met and "Resolution" in check.advice


def test_events_outside_the_window_do_not_count(complete: dict[str, Any]) -> None:
    complete["timeline"] = [{"at": "2026-10-03T12:00:00+02:00", "kind": "resolution",
                             "description": "Post-incident call", "outside_window": True}]
    assert not _checks(complete)["timeline_end"].met


def test_factors(complete: dict[str, Any]) -> None:
    complete["factors"] = [{"description": " ", "root_cause": True}]
    complete["actions"][0].pop("addresses")
    checks = _checks(complete)
    assert not checks["factors"].met and not checks["root_cause"].met


def test_root_cause_or_no_single_root_cause(complete: dict[str, Any]) -> None:
    complete["factors"][0]["root_cause"] = False
    complete["actions"][0].pop("addresses")
    check = _checks(complete)["root_cause"]
    assert not check.met and "no single root cause" in check.advice
    complete["no_single_root_cause"] = True
    assert _checks(complete)["root_cause"].met


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"owner": ""}, "actions-1-owner", "needs an owner"),
        ({"priority": None}, "actions-1-priority", "needs a priority"),
        ({"due": None, "owner": ""}, "actions-1-owner", "an owner and a due date"),
        ({"description": ""}, "actions-1-description", "what will be done"),
    ],
)
def test_every_action_needs_owner_priority_and_due_date(
    complete: dict[str, Any], change: dict[str, Any], field: str, words: str
) -> None:
    complete["actions"][1].update(change)
    check = _checks(complete)["actions_complete"]
    assert not check.met and check.field_id == field
    assert check.advice.startswith("Action item 2 ") and words in check.advice


def test_no_action_items(complete: dict[str, Any]) -> None:
    complete["actions"] = []
    checks = _checks(complete)
    assert not checks["actions_complete"].met and checks["actions_complete"].field_id == "actions"
    assert not checks["root_causes_addressed"].met


def test_every_root_cause_is_addressed(complete: dict[str, Any]) -> None:
    complete["factors"][1]["root_cause"] = True
    check = _checks(complete)["root_causes_addressed"]
    assert not check.met and "Factor 2 (root cause)" in check.advice
    assert check.field_id == "actions-0-addresses"
    complete["actions"][1]["addresses"] = [1]
    assert _checks(complete)["root_causes_addressed"].met
    complete["actions"][0]["addresses"] = []
    complete["actions"][1]["addresses"] = []
    assert "Factors 1, 2 (root causes)" in _checks(complete)["root_causes_addressed"].advice


def test_without_root_causes_some_factor_must_be_addressed(complete: dict[str, Any]) -> None:
    complete["factors"][0]["root_cause"] = False
    complete["no_single_root_cause"] = True
    assert _checks(complete)["root_causes_addressed"].met  # action 1 deals with factor 1
    complete["actions"][0]["addresses"] = []
    assert not _checks(complete)["root_causes_addressed"].met


def test_follow_up_review_date(complete: dict[str, Any]) -> None:
    complete["follow_up_review_on"] = None
    assert not _checks(complete)["follow_up"].met
    report = from_document(complete)
    report.follow_up_review_on = date(2026, 12, 3)
    assert {c.id: c.met for c in readiness(report)}["follow_up"]
