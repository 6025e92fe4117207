"""Hints set aside with a reason: they stop counting in the checklist, the review gate lets the
report through, reviewers see why and may restore them, and the notes never leave as content."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from reports.exchange import from_document
from reports.guidance import readiness
from reports.guidance.readiness import hint_key, report_advice
from reports.set_aside import MAX_REASON, SetAsideError, SetAsideStore, clean_reason
from tests.pages import store_of
from tests.people import password_app, sign_in

BLAMING = "John forgot to check the backups."


def _store(app: Flask) -> SetAsideStore:
    return SetAsideStore(store_of(app).engine)


def _ready(document: dict[str, Any]) -> dict[str, Any]:
    document["actions"][0]["addresses"] = [0]
    return document


def _token(client: FlaskClient, report_id: int) -> str:
    """The "Set aside" token of the first blaming hint, as the guided page draws it."""
    answer = client.get(f"/api/reports/{report_id}/guidance").get_json()
    path, hints = next((p, h) for p, h in answer["hints"].items()
                       if any(x["family"] == "blameless" for x in h))
    hint = next(x for x in hints if x["family"] == "blameless")
    return "|".join((hint["family"], path.replace(".", "-"), hint["rule_id"], hint["excerpt"]))


@pytest.mark.parametrize("reason", ["", "   ", "x" * (MAX_REASON + 1)])
def test_a_reason_is_required_and_short(reason: str) -> None:
    with pytest.raises(SetAsideError):
        clean_reason(reason)


def test_a_hint_set_aside_stops_counting_and_stays_set_aside_across_saves(
    sample_document: dict[str, Any]
) -> None:
    document = _ready(sample_document)
    document["summary"] += " " + BLAMING
    report = from_document(document)
    blaming = next(h for _, h in report_advice(report).hints if h.family == "blameless")
    assert not {c.id: c for c in readiness(report)}["blameless"].met
    keys = frozenset({hint_key(blaming)})
    assert all(c.met for c in readiness(report, keys))
    # The same words elsewhere, after more typing: still set aside; other words: not.
    document["summary"] = "Checkout failed.  " + BLAMING.replace(" ", "  ")
    assert all(c.met for c in readiness(from_document(document), keys))
    document["summary"] = "Sam forgot to rotate the keys."
    assert not {c.id: c for c in readiness(from_document(document), keys)}["blameless"].met


def test_the_review_gate_refuses_then_accepts_once_set_aside(
    client: FlaskClient, csrf_token: str, sample_document: dict[str, Any]
) -> None:
    document = _ready(sample_document)
    document["lessons"]["went_wrong"] = BLAMING
    report_id = client.post("/api/reports", json=document).get_json()["id"]
    refused = client.post(f"/reports/{report_id}/status",
                          data={"csrf_token": csrf_token, "transition": "submit"})
    assert refused.headers["Location"].endswith("?review=blocked")
    page = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert '<a href="#went_wrong">No sentence blames a person' in page
    token = _token(client, report_id)
    # Without a reason, nothing is set aside.
    client.post(f"/reports/{report_id}/set-aside", data={"csrf_token": csrf_token,
                                                          "set_aside": token})
    assert _store(client.application).for_report(report_id) == []
    answer = client.post(f"/reports/{report_id}/set-aside", data={
        "csrf_token": csrf_token, "set_aside": token,
        f"reason|{token}": "A quote from the client's own message."})
    assert answer.status_code == 303
    guidance = client.get(f"/api/reports/{report_id}/guidance").get_json()
    assert guidance["missing"] == 0 and "lessons.went_wrong" not in guidance["hints"]
    accepted = client.post(f"/reports/{report_id}/status",
                           data={"csrf_token": csrf_token, "transition": "submit"})
    assert "review=blocked" not in accepted.headers["Location"]
    assert client.get(f"/api/reports/{report_id}").get_json()["status"] == "in_review"


def test_the_api_status_change_lists_a_blaming_sentence(
    client: FlaskClient, sample_document: dict[str, Any]
) -> None:
    document = _ready(sample_document)
    document["summary"] += " " + BLAMING
    created = client.post("/api/reports", json=document).get_json()
    document |= {"status": "in_review", "version": created["version"]}
    answer = client.put(f"/api/reports/{created['id']}", json=document)
    assert answer.status_code in (409, 422)
    assert "No sentence blames a person" in str(answer.get_json())


def test_api_guidance_agrees_with_the_page_checklist(
    client: FlaskClient, sample_document: dict[str, Any]
) -> None:
    document = _ready(sample_document)
    document["apology"] = "We apologise for any inconvenience this may have caused."
    document["summary"] += " " + BLAMING + " The OOM killer stopped the DB."
    report_id = client.post("/api/reports", json=document).get_json()["id"]
    answer = client.get(f"/api/reports/{report_id}/guidance").get_json()
    unmet = [c["id"] for c in answer["readiness"] if not c["met"]]
    assert unmet == ["apology", "plain_words", "blameless"]
    page = client.get(f"/reports/{report_id}").get_data(as_text=True)
    for check in answer["readiness"]:
        state = "check-met" if check["met"] else "check-missing"
        assert f'class="check {state}" data-check="{check["id"]}"' in page
    total = len(answer["readiness"])
    assert f"{total - 3} of {total} done, 3 still to do." in page


def test_a_published_report_shows_its_true_checklist_and_no_save(
    client: FlaskClient, csrf_token: str, sample_document: dict[str, Any]
) -> None:
    document = _ready(sample_document)
    report_id = client.post("/api/reports", json=document).get_json()["id"]
    for step in ("submit", "publish"):
        client.post(f"/reports/{report_id}/status",
                    data={"csrf_token": csrf_token, "transition": step})
    assert client.get(f"/api/reports/{report_id}").get_json()["status"] == "published"
    page = client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert 'name="save"' not in page and "still to do" not in page
    # The page's inputs are disabled, so it posts only its token: the stored report answers.
    live = client.post(f"/reports/{report_id}/guidance", data={"csrf_token": csrf_token})
    assert live.get_json()["missing"] == 0
    assert all(c["met"] for c in live.get_json()["readiness"])


def test_reviewers_see_and_restore_and_only_the_right_people_may(
    tmp_path: Path, sample_document: dict[str, Any]
) -> None:
    app = password_app(tmp_path)
    document = _ready(sample_document)
    document["summary"] += " " + BLAMING
    report_id = store_of(app).create(from_document(document), team="acme").id
    author = sign_in(app, "team_author")
    token = _token(author.client, report_id)
    data = {"set_aside": token, "reason": "The name is the product's."}
    for name in ("other_author", "team_viewer", "reviewer"):
        assert sign_in(app, name).post(f"/reports/{report_id}/set-aside", data).status_code \
            == 403
    assert author.post(f"/reports/{report_id}/set-aside", data).status_code == 303
    (entry,) = _store(app).for_report(report_id)
    assert entry.reason == "The name is the product's." and entry.author == "team_author"

    reviewer = sign_in(app, "reviewer")
    for url in (f"/reports/{report_id}/view", f"/reports/{report_id}/comments"):
        html = reviewer.get(url).get_data(as_text=True)
        assert "Hints set aside (1)" in html and "The name is the product&#39;s." in html
    viewer_page = sign_in(app, "team_viewer").get(f"/reports/{report_id}/view")
    assert "product&#39;s" not in viewer_page.get_data(as_text=True)
    # Never in the exchange document.
    assert "product" not in str(author.get(f"/api/reports/{report_id}").get_json())

    restore = {"restore": str(entry.id), "back": "view"}
    for name in ("other_author", "team_viewer"):
        assert sign_in(app, name).post(f"/reports/{report_id}/set-aside/restore",
                                       restore).status_code == 403
    assert _store(app).for_report(report_id) != []
    assert reviewer.post(f"/reports/{report_id}/set-aside/restore", restore).status_code == 303
    assert _store(app).for_report(report_id) == []
    answer = author.get(f"/api/reports/{report_id}/guidance").get_json()
    assert [c["id"] for c in answer["readiness"] if not c["met"]] == ["blameless"]
