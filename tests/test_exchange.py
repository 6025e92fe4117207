"""The exchange format: strict about values, lenient about absence, and a faithful round trip."""

from __future__ import annotations

import json
from typing import Any

import pytest

from reports.exchange import DocumentError, from_document, to_document


def test_sample_document_round_trips_exactly(sample_document: dict[str, Any]) -> None:
    assert to_document(from_document(sample_document)) == sample_document


def test_offsets_are_kept_as_written(sample_document: dict[str, Any]) -> None:
    sample_document["started_at"] = "2026-10-03T07:12:00+00:00"
    sample_document["timeline"][0]["at"] = "2026-10-03T03:05:00-04:00"
    document = to_document(from_document(sample_document))
    assert document["started_at"] == "2026-10-03T07:12:00+00:00"
    assert document["timeline"][0]["at"] == "2026-10-03T03:05:00-04:00"


def test_missing_fields_mean_not_written_yet() -> None:
    report = from_document({"format": "hindsight-report/1"})
    assert report.title == "" and report.timeline == [] and report.severity is None
    assert report.status == "draft" and report.timezone == "UTC"
    assert to_document(report)["lessons"] == {"went_well": "", "went_wrong": "", "lucky": ""}


def test_unknown_top_level_fields_survive_a_round_trip(sample_document: dict[str, Any]) -> None:
    sample_document["x_ticket_system"] = {"project": "PLAT"}
    assert to_document(from_document(sample_document))["x_ticket_system"] == {"project": "PLAT"}


def test_server_fields_are_ignored(sample_document: dict[str, Any]) -> None:
    sample_document.update(id=99, version=7)
    document = to_document(from_document(sample_document))
    assert "id" not in document and "version" not in document


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"format": "hindsight-report/2"}, "format"),
        ({"severity": "SEV9"}, "severity"),
        ({"status": "done"}, "status"),
        ({"title": 42}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"summary": "x" * 20_001}, "summary"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"started_at": "yesterday"}, "started_at"),
        ({"started_at": "2026-10-03T09:12:00"}, "started_at"),
        ({"authors": "Dana"}, "authors"),
        ({"timeline": [{"kind": "explosion"}]}, "timeline.0.kind"),
        ({"timeline": [{"contributing": "yes"}]}, "timeline.0.contributing"),
        ({"timeline": ["not an object"]}, "timeline.0"),
        ({"timeline": [{}] * 501}, "timeline"),
        ({"actions": [{"ticket": "javascript:alert(1)"}]}, "actions.0.ticket"),
        ({"actions": [{"due": "15/11/2026"}]}, "actions.0.due"),
        ({"lessons": ["went well"]}, "lessons"),
        ({"apology": "nul \x00 byte"}, "apology"),
    ],
)
def test_bad_values_are_named_by_path(
    sample_document: dict[str, Any], change: dict[str, Any], path: str
) -> None:
    sample_document.update(change)
    with pytest.raises(DocumentError) as caught:
        from_document(sample_document)
    assert path in caught.value.problems


def test_every_problem_is_reported_at_once(sample_document: dict[str, Any]) -> None:
    sample_document.update(severity="bad", status="bad", started_at="bad")
    with pytest.raises(DocumentError) as caught:
        from_document(sample_document)
    assert {"severity", "status", "started_at"} <= set(caught.value.problems)


def test_not_an_object_is_refused() -> None:
    with pytest.raises(DocumentError):
        from_document(json.loads("[1, 2, 3]"))
