"""The guidance endpoint, the page's first render of it, and the fields guidance added."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from reports import limits
from reports.exchange import DocumentError, from_document, to_document
from reports.guidance.client import HINT_FAMILIES
from tests.pages import post_page
from views import guidance as guidance_view


def _new_report(client: FlaskClient, token: str) -> str:
    return client.post("/reports", data={"csrf_token": token}).headers["Location"]


def _tag(html: str, element_id: str) -> str:
    match = re.search(rf'<[^>]*\bid="{re.escape(element_id)}"[^>]*>', html)
    assert match, element_id
    return match.group(0)


def _api(client: FlaskClient, url: str) -> dict[str, Any]:
    return client.get(f"/api{url}").get_json()


def test_guidance_answers_hints_readiness_and_metrics(
    client: FlaskClient, csrf_token: str
) -> None:
    url = _new_report(client, csrf_token)
    form = {
        "csrf_token": csrf_token, "title": "Checkout down", "timezone": "Europe/Paris",
        "started_at": "2026-10-03T09:12", "detected_at": "2026-10-03T09:20",
        "resolved_at": "2026-10-03T11:02",
        "summary": "It was human error.",
        "apology": "We are sorry. For two hours your customers could not pay.",
        "factors-0-description": "The operator made a mistake.", "factors-0-root_cause": "y",
        "actions-0-description": "Add a check.", "actions-0-addresses-0": "y",
    }
    response = client.post(f"{url}/guidance", data=form,
                           headers={"Accept": "application/json"})
    assert response.status_code == 200
    answer = response.get_json()
    assert set(answer["hints"]) == {"summary", "factors-0-description"}
    hint = answer["hints"]["summary"][0]
    assert hint["rule_id"] == "human-error" and hint["excerpt"] == "human error"
    assert {"start", "end", "why", "suggestion", "family", "found", "explanation"} <= set(hint)
    assert hint["family"] == "blameless"
    # Reading ease for the client-facing parts with text, the root cause included.
    assert set(answer["readability"]) == {"apology", "summary", "factors-0-description"}
    assert answer["readability"]["apology"]["score"] is None  # too short to score
    checks = {c["id"]: c for c in answer["readiness"]}
    assert checks["apology"]["met"] and checks["root_causes_addressed"]["met"]
    assert checks["actions_complete"]["field_id"] == "actions-0-owner"
    assert checks["follow_up"]["met"]  # filled in as the autosave would: two months on
    assert answer["missing"] == sum(not c["met"] for c in answer["readiness"])
    assert answer["metrics"]["total_duration"]["text"] == "1 hour 50 minutes"
    # Nothing was saved.
    assert _api(client, url)["title"] == ""


def test_invalid_input_still_gets_what_can_be_worked_out(
    client: FlaskClient, csrf_token: str
) -> None:
    url = _new_report(client, csrf_token)
    form = {"csrf_token": csrf_token, "timezone": "Mars/Olympus", "started_at": "soon",
            "detected_at": "2026-10-03T09:20", "resolved_at": "2026-10-03T08:00",
            "summary": "x " * 9_000 + "he should have known",  # long, within the limit
            "actions-0-ticket": "not a link", "actions-0-owner": "Platform team"}
    answer = client.post(f"{url}/guidance", data=form).get_json()
    assert answer["hints"]["summary"][0]["rule_id"] == "should-have"
    assert answer["metrics"]["time_to_resolve"]["seconds"] is None  # reversed times
    assert answer["metrics"]["started_at"] is None
    assert len(answer["readiness"]) == 12


def test_guidance_needs_the_csrf_token_and_an_existing_report(
    client: FlaskClient, csrf_token: str
) -> None:
    url = _new_report(client, csrf_token)
    assert client.post(f"{url}/guidance", data={"summary": "x"}).status_code == 400
    assert client.post("/reports/999/guidance", data={"csrf_token": csrf_token}).status_code == 404


def test_api_guidance_for_a_stored_report(
    client: FlaskClient, sample_document: dict[str, Any]
) -> None:
    sample_document["lessons"]["went_wrong"] = "The engineer was careless."
    report_id = client.post("/api/reports", json=sample_document).get_json()["id"]
    answer = client.get(f"/api/reports/{report_id}/guidance").get_json()
    assert list(answer["hints"]) == ["lessons.went_wrong"]
    assert [c["id"] for c in answer["readiness"] if not c["met"]] == [
        "root_causes_addressed", "blameless"]
    assert answer["metrics"]["time_to_detect"]["text"] == "8 minutes"
    assert client.get("/api/reports/999/guidance").status_code == 404
    # The report document itself is unchanged by guidance.
    assert "guidance" not in client.get(f"/api/reports/{report_id}").get_json()


def test_the_page_renders_hints_panel_metrics_and_directive_on_load(
    client: FlaskClient, sample_document: dict[str, Any]
) -> None:
    sample_document["summary"] = "Sam failed to check the routing table."
    report_id = client.post("/api/reports", json=sample_document).get_json()["id"]
    html = client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert re.search(r'<div class="field-hints" id="summary-hints"\s*>', html)
    assert "Sam failed to check" in html and 'data-rule="person-lapse"' in html
    assert re.search(r'aria-describedby="[^"]*summary-hints', _tag(html, "summary"))
    assert re.search(r'<div class="field-hints" id="impact-hints" hidden>', html)
    assert 'id="readiness"' in html and "10 of 12 done, 2 still to do." in html
    assert '<a href="#actions-0-addresses">' in html
    assert 'id="metric-total_duration">1 hour 50 minutes<' in html
    assert 'id="prime-directive"' in html and "good faith" in html
    assert "guidance.js" in html and "guidance.css" in html
    # Each action lists the factors to tick, under their own names.
    assert 'name="actions-1-addresses-0"' in html and 'name="actions-1-addresses-1"' in html


def test_links_and_no_single_root_cause_are_saved_from_the_page(
    client: FlaskClient, csrf_token: str
) -> None:
    url = _new_report(client, csrf_token)
    form = {"csrf_token": csrf_token, "factors-0-description": "a", "factors-1-description": "b",
            "factors-2-description": "c", "no_single_root_cause": "y",
            "actions-0-description": "fix b and c", "actions-0-addresses-1": "y",
            "actions-0-addresses-2": "y", "actions-0-addresses-7": "y"}  # 7: no such factor
    assert post_page(client, url, form).status_code == 303
    document = _api(client, url)
    assert document["no_single_root_cause"] is True
    assert document["actions"][0]["addresses"] == [1, 2]
    html = client.get(url).get_data(as_text=True)
    assert re.search(r'name="actions-0-addresses-2" value="y"\s+checked', html)
    assert " checked" in _tag(html, "no_single_root_cause")

    # Without JavaScript, removing or moving a factor keeps each tick on its factor.
    post_page(client, url, {**form, "row_action": "remove:factors:0"})
    assert _api(client, url)["actions"][0]["addresses"] == [0, 1]  # b and c, now first
    moved = {"csrf_token": csrf_token, "factors-0-description": "b",
             "factors-1-description": "c", "actions-0-description": "fix b",
             "actions-0-addresses-0": "y", "row_action": "down:factors:0"}
    post_page(client, url, moved)
    document = _api(client, url)
    assert [f["description"] for f in document["factors"]] == ["c", "b"]
    assert document["actions"][0]["addresses"] == [1]


def test_added_fields_are_written_only_when_set(sample_document: dict[str, Any]) -> None:
    document = to_document(from_document(sample_document))
    assert "no_single_root_cause" not in document
    assert all("addresses" not in a for a in document["actions"])
    sample_document["no_single_root_cause"] = True
    sample_document["actions"][0]["addresses"] = [1, 0, 1]
    document = to_document(from_document(sample_document))
    assert document["no_single_root_cause"] is True
    assert document["actions"][0]["addresses"] == [0, 1]


def test_added_fields_are_checked(sample_document: dict[str, Any]) -> None:
    for bad, path in ((["0"], "actions.0.addresses"), ([5], "actions.0.addresses"),
                      ([True], "actions.0.addresses"), ("0", "actions.0.addresses")):
        document = {**sample_document, "actions": [{"addresses": bad}]}
        try:
            from_document(document)
        except DocumentError as error:
            assert path in error.problems
        else:
            raise AssertionError(f"{bad!r} was accepted")
    try:
        from_document({**sample_document, "no_single_root_cause": "yes"})
    except DocumentError as error:
        assert "no_single_root_cause" in error.problems


def test_guidance_has_the_apology_coach_plain_language_and_reading_ease(
    client: FlaskClient, csrf_token: str
) -> None:
    url = _new_report(client, csrf_token)
    long_summary = ("Card payments failed for two hours on Tuesday. " * 6).strip()
    form = {
        "csrf_token": csrf_token, "audience": "ACME Retail",
        "apology": "We apologise for any inconvenience.",
        "summary": long_summary + " ACME saw OOM errors on k8s.",
        "impact": "The p99 latency doubled.",
        "factors-0-description": "A deadlock in the DB.", "factors-0-root_cause": "y",
        "factors-1-description": "A deadlock in the DB.",
        "went_wrong": "A deadlock in the DB.",  # lessons are not checked for plain language
    }
    answer = client.post(f"{url}/guidance", data=form).get_json()
    hints = answer["hints"]
    assert [(h["family"], h["rule_id"]) for h in hints["apology"]] == [
        ("apology", "vague-harm"), ("apology", "names-who"), ("apology", "names-impact"),
        ("apology", "says-when")]
    assert hints["apology"][1]["found"] == "It does not say who was affected."
    assert [h["rule_id"] for h in hints["summary"]] == ["oom", "k8s"]  # ACME is the client
    assert hints["summary"][0]["explanation"] == "the server ran out of memory"
    assert [h["rule_id"] for h in hints["impact"]] == ["percentile", "latency"]
    assert [h["rule_id"] for h in hints["factors-0-description"]] == ["deadlock", "db"]
    assert "factors-1-description" not in hints and "went_wrong" not in hints
    scores = answer["readability"]
    assert set(scores) == {"apology", "summary", "impact", "factors-0-description"}
    assert scores["summary"]["score"] >= 60 and scores["summary"]["meets"] is True
    assert scores["summary"]["message"].startswith(f"Reading ease {scores['summary']['score']}")
    assert scores["impact"]["message"] == "Reading ease is shown from 30 words; this part has 4."


def test_api_guidance_has_reading_ease_by_document_path(
    client: FlaskClient, sample_document: dict[str, Any]
) -> None:
    sample_document["apology"] = "Mistakes were made."
    report_id = client.post("/api/reports", json=sample_document).get_json()["id"]
    answer = client.get(f"/api/reports/{report_id}/guidance").get_json()
    assert answer["hints"]["apology"][0]["rule_id"] == "passive"
    assert set(answer["readability"]) == {"apology", "summary", "impact",
                                          "factors.0.description"}


def test_the_page_renders_the_coach_and_reading_ease_on_load(
    client: FlaskClient, sample_document: dict[str, Any]
) -> None:
    sample_document["apology"] = "We apologise for any inconvenience."
    sample_document["summary"] = "OOM on k8s."
    report_id = client.post("/api/reports", json=sample_document).get_json()["id"]
    html = client.get(f"/reports/{report_id}").get_data(as_text=True)
    coach = html[html.index('id="apology-hints"'):html.index('id="apology-readability"')]
    assert 'data-family="apology"' in coach and "Apology coach" in coach
    assert '<q class="hint-excerpt">any inconvenience</q>' in coach
    assert '<strong class="hint-found">It does not say who was affected.</strong>' in coach
    assert re.search(r'aria-describedby="[^"]*apology-hints', _tag(html, "apology"))
    plain = html[html.index('id="summary-hints"'):html.index('id="summary-readability"')]
    assert "Words a client may not know" in plain and 'data-rule="k8s"' in plain
    assert "Reading ease is shown from 30 words; this part has 3." in html
    # Every factor has a slot for reading ease; only a root cause's is filled in.
    assert re.search(r'id="factors-0-description-readability"\s*>Reading ease', html)
    assert re.search(r'id="factors-1-description-readability"\s*hidden', html)
    assert 'id="title-readability"' not in html


def test_the_script_shows_the_same_hint_headings_as_the_page() -> None:
    script = (Path(__file__).parents[1] / "static" / "guidance.js").read_text(encoding="utf-8")
    script = re.sub(r'" \+\s+"', "", script)  # join strings split over lines
    for family, title, intro in HINT_FAMILIES:
        assert f'"{family}", "{title}"' in script and f'"{intro}"' in script


# ---- heavy requests: the same limits as a save, refused before any work ----


def _no_work(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make any work on the posted page noticeable: building the form or reading a text."""
    done: list[str] = []

    def form(*args: Any, **kwargs: Any) -> Any:
        done.append("form")
        raise AssertionError("the page was read")

    monkeypatch.setattr(guidance_view, "ReportForm", form)
    monkeypatch.setattr(guidance_view, "text_hints", lambda *a, **k: done.append("hints"))
    return done


OVERSIZED: dict[str, tuple[Callable[[], dict[str, str]], str]] = {
    "a 3.9 MB summary": (
        lambda: {"summary": "He should have known. " * 177_000},
        "Summary is too long: at most 20,000 characters, this has 3,894,000."),
    "one character over in a row": (
        lambda: {"timeline-3-description": "x" * (limits.MAX_LONG_TEXT + 1)},
        "Timeline event 4 is too long: at most 20,000 characters, this has 20,001."),
    "too many rows": (
        lambda: {f"factors-{i}-description": "x" for i in range(limits.MAX_ROWS + 1)},
        f"Contributing factors has too many rows: at most {limits.MAX_ROWS}."),
    "too many inputs": (
        lambda: {f"part-{i}": "" for i in range(limits.MAX_FORM_PARTS + 1)},
        f"The page sent more than {limits.MAX_FORM_PARTS:,} inputs; a report has at most "
        "that many."),
    "a name no input has": (
        lambda: {"x" * 1_000_000: "y"},
        "The page sent an input this report does not have."),
}


@pytest.mark.parametrize("case", sorted(OVERSIZED))
def test_an_oversized_guidance_post_is_refused_before_any_work(
    client: FlaskClient, csrf_token: str, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    url = _new_report(client, csrf_token)
    make, detail = OVERSIZED[case]
    data = {"csrf_token": csrf_token, **make()}
    done = _no_work(monkeypatch)
    started = time.process_time()  # this process's CPU: a busy machine's other work left out
    response = client.post(f"{url}/guidance", data=data, headers={"Accept": "application/json"})
    elapsed = time.process_time() - started
    assert response.status_code == 413, response.get_data(as_text=True)[:300]
    assert response.get_json() == {"error": "Too much to check at once", "detail": detail,
                                   "status": 413}
    assert done == []
    assert elapsed < 3, f"refused after {elapsed:.1f} s"  # it took 9 s of CPU to answer before


def test_a_post_at_the_limits_still_gets_guidance(client: FlaskClient, csrf_token: str) -> None:
    url = _new_report(client, csrf_token)
    summary = ("x " * limits.MAX_LONG_TEXT)[:limits.MAX_LONG_TEXT - 20] + " he should have known"
    summary = summary[-limits.MAX_LONG_TEXT:]
    data = {"csrf_token": csrf_token, "summary": summary,
            **{f"timeline-{i}-description": "Sam failed to check." for i in range(limits.MAX_ROWS)}}
    assert len(summary) == limits.MAX_LONG_TEXT
    answer = client.post(f"{url}/guidance", data=data).get_json()
    assert answer["hints"]["summary"][-1]["rule_id"] == "should-have"  # its very last words
    assert len([k for k in answer["hints"] if k.startswith("timeline-")]) == limits.MAX_ROWS


def test_each_text_is_read_up_to_what_a_save_accepts(client: FlaskClient, csrf_token: str) -> None:
    """A title is read up to its 200 characters: what follows, a save would refuse anyway."""
    url = _new_report(client, csrf_token)
    blame = "It was human error."
    inside = "x" * (limits.MAX_SHORT_TEXT - len(blame)) + blame
    beyond = "x " * limits.MAX_SHORT_TEXT + blame
    answers = [client.post(f"{url}/guidance", data={"csrf_token": csrf_token, "title": title})
               .get_json()["hints"] for title in (inside, beyond)]
    assert [h["rule_id"] for h in answers[0]["title"]] == ["human-error"]
    assert "title" not in answers[1]


def test_the_page_drawn_again_reads_each_text_up_to_its_limit(
    client: FlaskClient, csrf_token: str
) -> None:
    """A save refused for a text too long shows the page again: its advice reads no further
    than the limit either."""
    url = _new_report(client, csrf_token)
    summary = "x " * (limits.MAX_LONG_TEXT // 2) + "he should have known"
    page = post_page(client, url, {"csrf_token": csrf_token, "summary": summary,
                                   "impact": "Sam failed to check."})
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and "too long" in html
    assert 'data-rule="person-lapse"' in html  # the impact is read
    assert 'data-rule="should-have"' not in html  # the summary only up to its 20,000th character


def test_the_limits_are_documented_with_the_numbers_the_code_uses(app: Flask) -> None:
    """docs/limits.md tells users the limits: each of its numbers is the one the code has."""
    doc = (Path(__file__).parents[1] / "docs" / "limits.md").read_text(encoding="utf-8")
    table = dict(re.findall(r"^\| ([^|]+?) \| ([^|]+?) \|", doc, re.M))
    expected = {
        "Title, service, audience, owner, each author's name":
            f"{limits.MAX_SHORT_TEXT:,} characters",
        "Apology, summary, impact, lessons, follow-up outcome, each row's text":
            f"{limits.MAX_LONG_TEXT:,} characters",
        "Ticket link": f"{limits.MAX_URL:,} characters",
        "Authors": f"{limits.MAX_AUTHORS:,} names",
        "Timeline events, contributing factors, action items": f"{limits.MAX_ROWS:,} each",
        "Inputs in one save of the page": f"{limits.MAX_FORM_PARTS:,}",
        "One save or API request, in all": f"{limits.MAX_REQUEST_BYTES // 2**20} MiB",
    }
    assert {key: table.get(key) for key in expected} == expected
    # The app enforces the same numbers as the module.
    assert app.config["MAX_CONTENT_LENGTH"] == limits.MAX_REQUEST_BYTES
    assert app.config["MAX_FORM_PARTS"] == limits.MAX_FORM_PARTS
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert "(docs/limits.md)" in readme
