"""Backup and restore through the command line: a faithful round trip, and no half imports."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask

from app import create_app
from reports.exchange import from_document, to_document


def test_backup_then_restore_into_a_fresh_instance(
    app: Flask, tmp_path: Path, sample_document: dict[str, Any],
    new_database: Callable[[], str],
) -> None:
    store = app.extensions["hindsight.store"]
    documents = [sample_document, {**sample_document, "title": "Second — Ünïcödé"},
                 {"format": "hindsight-report/1"}]
    for document in documents:
        store.create(from_document(document))
    folder = tmp_path / "backup"
    result = app.test_cli_runner().invoke(args=["reports", "backup", str(folder)])
    assert result.exit_code == 0 and "Backed up 3 reports" in result.output
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["format"] == "hindsight-backup/1" and manifest["count"] == 3

    fresh = create_app({"INSTANCE_PATH": str(tmp_path / "fresh"),
                        "DATABASE_URL": new_database()})
    result = fresh.test_cli_runner().invoke(args=["reports", "restore", str(folder)])
    assert result.exit_code == 0 and "Restored 3 reports" in result.output
    fresh_store = fresh.extensions["hindsight.store"]
    restored = [to_document(fresh_store.get(s.id).report) for s in fresh_store.list()]
    expected = [to_document(from_document(d)) for d in documents]
    assert sorted(restored, key=json.dumps) == sorted(expected, key=json.dumps)


def test_a_tampered_backup_is_refused_whole(
    app: Flask, tmp_path: Path, sample_document: dict[str, Any],
    new_database: Callable[[], str],
) -> None:
    store = app.extensions["hindsight.store"]
    store.create(from_document(sample_document))
    store.create(from_document(sample_document))
    folder = tmp_path / "backup"
    app.test_cli_runner().invoke(args=["reports", "backup", str(folder)])
    first = sorted((folder / "reports").iterdir())[1]
    first.write_text(first.read_text().replace("Checkout", "Tampered"))

    fresh = create_app({"INSTANCE_PATH": str(tmp_path / "fresh"),
                        "DATABASE_URL": new_database()})
    result = fresh.test_cli_runner().invoke(args=["reports", "restore", str(folder)])
    assert result.exit_code != 0 and "checksum" in result.output
    assert fresh.extensions["hindsight.store"].list() == []

    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["reports"][0]["file"] = "../../etc/passwd"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    result = fresh.test_cli_runner().invoke(args=["reports", "restore", str(folder)])
    assert result.exit_code != 0 and "outside the backup" in result.output
