"""The exchange format: strict about values, lenient about absence, and a faithful round trip."""

from __future__ import annotations

import json
from typing import Any

import pytest

from reports.exchange import DocumentError, from_document, to_document


def _without_row_ids(document: dict[str, Any]) -> dict[str, Any]:
    return {key: ([{k: v for k, v in row.items() if k != "id"} for row in value]
                  if key in ("timeline", "factors", "actions") else value)
            for key, value in document.items()}


def test_sample_document_round_trips_exactly(sample_document: dict[str, Any]) -> None:
    assert to_document(from_document(sample_document)) == sample_document


def test_rows_without_ids_are_named_by_their_place(sample_document: dict[str, Any]) -> None:
    without = _without_row_ids(sample_document)
    dumped = to_document(from_document(without))
    assert _without_row_ids(dumped) == without
    assert [row["id"] for row in dumped["timeline"]] == ["e1", "e2", "e3", "e4"]
    assert [row["id"] for row in dumped["factors"]] == ["f1", "f2"]
    assert [row["id"] for row in dumped["actions"]] == ["a1", "a2"]
    # Read again, the same document names its rows the same way: every version agrees.
    assert to_document(from_document(without)) == dumped
    assert to_document(from_document(dumped)) == dumped


def test_a_new_row_never_takes_a_name_already_in_use(sample_document: dict[str, Any]) -> None:
    sample_document["timeline"][1]["id"] = "e1"
    del sample_document["timeline"][0]["id"]
    ids = [e.id for e in from_document(sample_document).timeline]
    assert ids[1] == "e1" and ids[0] != "e1" and len(set(ids)) == 4


@pytest.mark.parametrize("bad", ["", "has space", "a/b", "x" * 41, 7, True, ["e1"]])
def test_row_ids_that_cannot_name_a_row_are_refused(sample_document: dict[str, Any],
                                                     bad: object) -> None:
    sample_document["factors"][1]["id"] = bad
    with pytest.raises(DocumentError) as refused:
        from_document(sample_document)
    assert "factors.1.id" in refused.value.problems


def test_a_repeated_row_id_is_refused(sample_document: dict[str, Any]) -> None:
    sample_document["actions"][1]["id"] = sample_document["actions"][0]["id"]
    with pytest.raises(DocumentError) as refused:
        from_document(sample_document)
    assert "repeats" in refused.value.problems["actions.1.id"]


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
        ({"timeline": [{"internal": "yes"}]}, "timeline.0.internal"),
        ({"factors": [{"internal": 1}]}, "factors.0.internal"),
        ({"actions": [{"internal": None, "owner": 3}]}, "actions.0.owner"),
        ({"actions": [{"internal": "no"}]}, "actions.0.internal"),
        ({"internal_parts": "impact"}, "internal_parts"),
        ({"internal_parts": ["apology"]}, "internal_parts"),
        ({"internal_parts": ["summary"]}, "internal_parts"),
        ({"internal_parts": [["impact"]]}, "internal_parts"),
        ({"title": "lone \ud800 surrogate"}, "title"),
        ({"authors": ["Dana", "\udc00"]}, "authors.1"),
        ({"timeline": [{"description": "\udbff"}]}, "timeline.0.description"),
        ({"x_note": {"lines": ["ok", "\ud800"]}}, "x_note.lines.1"),
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


def test_internal_items_round_trip_exactly(sample_document: dict[str, Any]) -> None:
    sample_document["timeline"][1]["internal"] = True
    sample_document["factors"][0]["internal"] = True
    sample_document["actions"][1]["internal"] = True
    sample_document["internal_parts"] = ["impact", "lessons.went_wrong"]
    report = from_document(sample_document)
    assert [e.internal for e in report.timeline] == [False, True, False, False]
    assert [f.internal for f in report.factors] == [True, False]
    assert [a.internal for a in report.actions] == [False, True]
    assert report.is_internal("impact") and not report.is_internal("lessons.lucky")
    assert to_document(report) == sample_document
    assert json.dumps(to_document(report)) == json.dumps(sample_document)


def test_internal_fields_are_written_only_when_set(sample_document: dict[str, Any]) -> None:
    sample_document["internal_parts"] = []
    sample_document["timeline"][0]["internal"] = False
    document = to_document(from_document(sample_document))
    assert "internal_parts" not in document
    assert all("internal" not in row for key in ("timeline", "factors", "actions")
               for row in document[key])


def test_internal_parts_are_kept_once_in_the_page_order(sample_document: dict[str, Any]) -> None:
    sample_document["internal_parts"] = ["lessons.lucky", "impact", "lessons.lucky"]
    assert from_document(sample_document).internal_parts == ["impact", "lessons.lucky"]


def test_one_line_fields_lose_bidi_controls_and_prose_keeps_them(
    sample_document: dict[str, Any],
) -> None:
    """An override in a title makes it read backwards ("exe.fdp" shown as "pdf.exe")."""
    sample_document.update(title="Invoice \u202eexe.fdp\u202c", service="\u2066pay\u2069",
                           audience="\u202dAcme", authors=["Dana \u202bLee"],
                           summary="Mixed \u2067عربي\u2069 text.")
    sample_document["actions"][0]["owner"] = "\u202aOps\u202c"
    report = from_document(sample_document)
    assert (report.title, report.service, report.audience, report.authors) == (
        "Invoice exe.fdp", "pay", "Acme", ["Dana Lee"])
    assert report.actions[0].owner == "Ops"
    assert report.summary == "Mixed \u2067عربي\u2069 text."
