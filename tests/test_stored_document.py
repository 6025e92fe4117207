"""A stored document reads back as the report that was stored, by the quick reader.

``stored_report`` skips ``from_document``'s checks, so it must give exactly what
``from_document`` gives for everything the store writes, and hand anything else to it.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given

from reports.document_text import document_text
from reports.exchange import DocumentError, from_document, to_document
from reports.stored_document import stored_report
from tests.test_conflicts import FULL_DOCUMENT
from tests.test_fuzz import SETTINGS, documents


def _as_stored(document: Any) -> Any:
    """A document as the store keeps it: its text (as the store writes it), read back."""
    return json.loads(document_text(document))


def test_the_full_report_reads_back_as_stored() -> None:
    # Every kind of field and row, a language other than the default, and a field of another
    # tool's, kept as it came.
    report = from_document({**copy.deepcopy(FULL_DOCUMENT), "language": "fr",
                            "x_other_tool": {"ticket": ["OPS-1", 2], "seen": True}})
    stored = _as_stored(to_document(report))
    assert stored_report(stored) == report == from_document(stored)
    assert report.timeline and report.factors and report.actions and report.extra
    assert report.language == "fr" and report.follow_up_held_on and report.internal_parts


@given(document=documents)
@SETTINGS
def test_what_any_accepted_document_stores_reads_back_the_same(document: dict[str, Any],
                                                                ) -> None:
    try:
        report = from_document(document)
    except DocumentError:
        return
    stored = _as_stored(to_document(report))
    assert stored_report(stored) == from_document(stored) == report


def test_a_document_stored_before_rows_had_ids_is_read_with_the_checks() -> None:
    older = _as_stored(to_document(from_document(copy.deepcopy(FULL_DOCUMENT))))
    for name in ("timeline", "factors", "actions"):
        for row in older[name]:
            del row["id"]
    read = stored_report(older)
    assert read == from_document(older)
    assert [event.id for event in read.timeline][:2] == ["e1", "e2"]


@pytest.mark.parametrize("change", [
    lambda d: d.pop("audience"),  # a field an older version did not write
    lambda d: d.update(format="hindsight-report/0"),
    lambda d: d.update(lessons=None),
    lambda d: d["timeline"][0].update(at="not a time"),
])
def test_anything_unexpected_goes_through_the_checks(change: Any) -> None:
    document = _as_stored(to_document(from_document(copy.deepcopy(FULL_DOCUMENT))))
    change(document)
    try:
        expected: Any = from_document(copy.deepcopy(document))
    except DocumentError as error:
        with pytest.raises(DocumentError) as raised:
            stored_report(document)
        assert raised.value.problems == error.problems
    else:
        assert stored_report(document) == expected
