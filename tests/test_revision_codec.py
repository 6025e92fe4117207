"""Revisions are kept as Zstandard frames (reports/revision_codec.py); those kept before as zlib
streams are read as they always were, through the history, a restore and a backup."""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from reports import revision_codec
from reports.backup import backup
from reports.document_text import document_text
from reports.exchange import from_document, to_document
from reports.migrate import upgrade
from reports.store import ReportStore, make_engine
from tests.conftest import SAMPLE_DOCUMENT

# Any text a document can hold once written as JSON: every character but lone surrogates,
# which JSON text written by the app never carries (reports/document_text.py escapes them).
TEXTS = st.text(st.characters(exclude_categories=("Cs",)), max_size=3000)


@settings(max_examples=200, deadline=None)
@given(TEXTS)
def test_any_text_comes_back_as_it_was_kept(text: str) -> None:
    kept = revision_codec.pack(text)
    assert kept.startswith(revision_codec.ZSTD_MAGIC)
    assert revision_codec.unpack(kept) == text
    assert revision_codec.unpack(memoryview(kept)) == text  # as PostgreSQL's driver gives it


@settings(max_examples=100, deadline=None)
@given(TEXTS)
def test_text_kept_by_earlier_versions_is_still_read(text: str) -> None:
    for level in (1, 6, 9):  # zlib at its fastest (the last versions) and its default (before)
        assert revision_codec.unpack(zlib.compress(text.encode("utf-8"), level)) == text


def test_a_big_document_comes_back_whole() -> None:
    document = {**SAMPLE_DOCUMENT, "timeline": [
        {"at": "2026-10-03T07:00:00+00:00", "kind": "other",
         "description": f"Row {i}: {'é∑😀' * (i % 50)} " + "words " * (i % 97)}
        for i in range(2000)]}
    text = document_text(document)
    assert len(text) > 500_000
    kept = revision_codec.pack(text)
    assert len(kept) < len(text.encode("utf-8")) / 4
    assert revision_codec.unpack(kept) == text


def test_a_history_with_revisions_of_both_kinds_reads_and_backs_up(
        new_database: Callable[[], str], tmp_path: Path) -> None:
    engine = make_engine(new_database())
    upgrade(engine)
    store = ReportStore(engine)
    first = from_document(json.loads(json.dumps(SAMPLE_DOCUMENT)))
    report = store.create(first)
    # Version 1 as an earlier version of the app kept it: a zlib stream.
    old_text = document_text(to_document(first))
    with engine.begin() as connection:
        connection.execute(sa.text(
            "UPDATE revisions SET document = :document WHERE report_id = :id AND version = 1"),
            {"document": zlib.compress(old_text.encode("utf-8"), 1), "id": report.id})
    second = from_document({**json.loads(json.dumps(SAMPLE_DOCUMENT)), "title": "Second"})
    assert store.save(report.id, second, expected_version=1) is not None
    with engine.connect() as connection:
        kept = dict(connection.execute(sa.text(
            "SELECT version, document FROM revisions WHERE report_id = :id"),
            {"id": report.id}).all())
    assert not bytes(kept[1]).startswith(revision_codec.ZSTD_MAGIC)
    assert bytes(kept[2]).startswith(revision_codec.ZSTD_MAGIC)
    assert to_document(store.revision(report.id, 1)) == to_document(first)
    assert to_document(store.revision(report.id, 2)) == to_document(second)
    # Restoring the old one brings it back as a new version, kept the new way.
    restored = store.restore_revision(report.id, 1)
    assert restored is not None and restored.report.title == first.title
    folder = tmp_path / "backup"
    backup(store, folder, secret_key="a-key-only-this-test-uses-0123456789")
    record = json.loads((folder / "reports" / f"{report.id}.json").read_text())
    assert [r["document"]["title"] for r in record["revisions"]] == [
        first.title, "Second", first.title]
    engine.dispose()
