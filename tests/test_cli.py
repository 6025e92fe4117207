"""The command line: import, list and dump, with a faithful round trip."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Flask


def test_import_list_dump_round_trip(
    app: Flask, tmp_path: Path, sample_document: dict[str, Any]
) -> None:
    runner = app.test_cli_runner()
    source = tmp_path / "report.json"
    source.write_text(json.dumps(sample_document), encoding="utf-8")

    imported = runner.invoke(args=["reports", "import", str(source)])
    assert imported.exit_code == 0, imported.output
    report_id = int(imported.output.strip())

    listed = runner.invoke(args=["reports", "list"])
    assert listed.exit_code == 0
    assert f"{report_id}\tdraft" in listed.output and sample_document["title"] in listed.output

    dumped = runner.invoke(args=["reports", "dump", str(report_id)])
    assert dumped.exit_code == 0
    assert json.loads(dumped.output) == sample_document


def test_import_explains_what_is_wrong(app: Flask, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "hindsight-report/1", "severity": "SEV7"}))
    result = runner.invoke(args=["reports", "import", str(bad)])
    assert result.exit_code != 0 and "severity" in result.output

    not_json = tmp_path / "notes.json"
    not_json.write_bytes(b"\xff\xfe not json")
    result = runner.invoke(args=["reports", "import", str(not_json)])
    assert result.exit_code != 0 and "not a JSON file" in result.output
    assert runner.invoke(args=["reports", "list"]).output == ""


def test_dump_of_a_missing_report_fails_clearly(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["reports", "dump", "42"])
    assert result.exit_code != 0 and "no report 42" in result.output
