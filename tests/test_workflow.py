"""Draft → in review → published: checks before each step, read-only once published."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient

from tests.pages import base_version, post_page


def _create(client: FlaskClient, document: dict[str, Any]) -> int:
    return client.post("/api/reports", json=document).get_json()["id"]


def _status(client: FlaskClient, report_id: int) -> str:
    return client.get(f"/api/reports/{report_id}").get_json()["status"]


def _step(client: FlaskClient, report_id: int, token: str, transition: str,
          **form: str) -> Any:
    """A workflow button; with page fields, as the guided page posts it (with its version)."""
    if form:
        form["base_version"] = base_version(client, f"/reports/{report_id}")
    return client.post(f"/reports/{report_id}/status",
                       data={"csrf_token": token, "transition": transition, **form})


def test_a_report_with_gaps_is_not_sent_and_the_page_lists_the_gaps(
    client: FlaskClient, csrf_token: str, sample_document: dict[str, Any]
) -> None:
    report_id = _create(client, sample_document)  # factor 1 has no action item yet
    response = _step(client, report_id, csrf_token, "submit")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/reports/{report_id}?review=blocked")
    assert _status(client, report_id) == "draft"
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    summary = re.search(r'<div class="error-summary review-summary".*?</div>', html, re.S)
    assert summary and 'role="alert"' in summary.group(0)
    assert '<a href="#actions-0-addresses">Every root cause is dealt with' in summary.group(0)
    # Without the marker in the address, the page shows no summary.
    assert "review-summary" not in client.get(f"/reports/{report_id}").get_data(as_text=True)


def test_send_for_review_saves_the_page_first(
    client: FlaskClient, csrf_token: str, sample_document: dict[str, Any]
) -> None:
    sample_document["actions"][0]["addresses"] = [0]
    sample_document["apology"] = ""
    report_id = _create(client, sample_document)
    page = client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert 'value="submit">Send for review</button>' in page
    # The page posts everything it holds; here, only what the step needs plus the apology.
    apology = "We are sorry. For almost two hours your customers could not pay."
    form = {"title": sample_document["title"], "apology": apology,
            "timezone": "Europe/Paris", "started_at": "2026-10-03T09:12",
            "detected_at": "2026-10-03T09:20", "resolved_at": "2026-10-03T11:02",
            "summary": sample_document["summary"], "impact": sample_document["impact"],
            "follow_up_review_on": "2026-12-03"}
    for i, event in enumerate(sample_document["timeline"]):
        form |= {f"timeline-{i}-at": event["at"][:16], f"timeline-{i}-kind": event["kind"],
                 f"timeline-{i}-description": event["description"]}
    for i, factor in enumerate(sample_document["factors"]):
        form |= {f"factors-{i}-description": factor["description"]}
    form["factors-0-root_cause"] = "y"
    for i, action in enumerate(sample_document["actions"]):
        form |= {f"actions-{i}-{k}": action[k] for k in ("description", "owner", "priority",
                                                          "due", "status")}
    form["actions-0-addresses-0"] = "y"
    response = _step(client, report_id, csrf_token, "submit", **form)
    assert response.status_code == 303 and "review=blocked" not in response.headers["Location"]
    document = client.get(f"/api/reports/{report_id}").get_json()
    assert document["status"] == "in_review" and document["apology"] == apology
    assert "Sent for review" in client.get(f"/reports/{report_id}").get_data(as_text=True)


def test_invalid_content_is_shown_with_its_errors_not_sent(
    client: FlaskClient, csrf_token: str, sample_document: dict[str, Any]
) -> None:
    report_id = _create(client, sample_document)
    response = _step(client, report_id, csrf_token, "submit", title="x",
                     started_at="2026-10-03T09:00", resolved_at="2026-10-03T08:00")
    assert response.status_code == 400 and "cannot be resolved" in response.get_data(as_text=True)
    assert _status(client, report_id) == "draft"


def test_publish_then_read_only_until_reopened(
    client: FlaskClient, csrf_token: str, sample_document: dict[str, Any]
) -> None:
    sample_document["actions"][0]["addresses"] = [0]
    report_id = _create(client, sample_document)
    assert _step(client, report_id, csrf_token, "publish").status_code == 303
    assert _status(client, report_id) == "draft"  # publishing needs a review first
    _step(client, report_id, csrf_token, "submit")
    assert _status(client, report_id) == "in_review"
    _step(client, report_id, csrf_token, "publish")
    assert _status(client, report_id) == "published"

    page = client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert '<fieldset class="report-body" disabled>' in page
    assert 'value="reopen">Reopen to make changes</button>' in page
    # Saves are refused, from the page and from the autosave.
    url = f"/reports/{report_id}"
    refused = client.post(url, data={"csrf_token": csrf_token, "title": "Changed"})
    assert refused.status_code == 303
    assert "cannot be changed" in client.get(url).get_data(as_text=True)
    autosave = client.post(url, data={"csrf_token": csrf_token, "title": "Changed"},
                           headers={"X-Hindsight-Autosave": "1"})
    assert autosave.status_code == 400 and autosave.get_json()["ok"] is False
    assert client.get(f"/api{url}").get_json()["title"] == sample_document["title"]

    _step(client, report_id, csrf_token, "reopen")
    assert _status(client, report_id) == "draft"
    assert '<fieldset class="report-body" >' in client.get(url).get_data(as_text=True)
    changed = post_page(client, url, {"csrf_token": csrf_token, "title": "Changed"})
    assert changed.status_code == 303
    assert client.get(f"/api{url}").get_json()["title"] == "Changed"


def test_steps_that_do_not_apply_change_nothing(
    client: FlaskClient, csrf_token: str, sample_document: dict[str, Any]
) -> None:
    report_id = _create(client, sample_document)
    assert _step(client, report_id, csrf_token, "reopen").status_code == 303
    assert _status(client, report_id) == "draft"
    assert _step(client, report_id, csrf_token, "explode").status_code == 400
    assert _step(client, 999, csrf_token, "submit").status_code == 404
    no_token = client.post(f"/reports/{report_id}/status", data={"transition": "submit"})
    assert no_token.status_code == 400
