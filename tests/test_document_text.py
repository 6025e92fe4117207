"""The store's text of a document reads back as the document, whatever an import let in."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from reports.document_text import document_text
from reports.exchange import from_document, to_document, unstorable_values
from tests.test_conflicts import FULL_DOCUMENT
from tests.test_fuzz import SETTINGS, json_values


def test_the_full_report_reads_back_with_its_own_characters() -> None:
    document = to_document(from_document({
        **copy.deepcopy(FULL_DOCUMENT), "title": "Panne à Zürich — 東京 😀", "language": "fr"}))
    text = document_text(document)
    assert json.loads(text) == document
    assert "Panne à Zürich — 東京 😀" in text  # not \\u escapes: a third of the size for CJK


def test_values_orjson_refuses_are_written_by_json() -> None:
    # An imported document's unknown fields are any JSON: integers beyond 64 bits and nesting
    # deeper than orjson's 255 levels are written all the same, and read back unchanged.
    deep: Any = "bottom"
    for _ in range(300):
        deep = [deep]
    for extra in ({"x_big": 10**30}, {"x_deep": deep}, {"x_negative": -(2**70)}):
        document = {**to_document(from_document(copy.deepcopy(FULL_DOCUMENT))), **extra}
        assert json.loads(document_text(document)) == document


@given(value=json_values, key=st.text())
@SETTINGS
def test_any_storable_json_value_reads_back_the_same(value: Any, key: str) -> None:
    # What cannot be stored (unpaired surrogates, infinite numbers, too deep) is refused on
    # every way in (``unstorable_values``), before a document reaches the store.
    document = {key: value}
    if unstorable_values(document):
        return
    assert json.loads(document_text(document)) == document
