"""The sample report written for new authors: shown part by part, and usable as a start."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from reports.exchange import from_document
from reports.model import Report

SAMPLE_FILE = Path(__file__).with_name("sample_report.json")


@lru_cache(maxsize=1)
def _sample_text() -> str:
    return SAMPLE_FILE.read_text(encoding="utf-8")


def sample_document() -> dict[str, Any]:
    """The sample as an exchange document (a fresh copy each time)."""
    return json.loads(_sample_text())


def sample_report() -> Report:
    """The sample as a report, ready to show or to store as a new draft."""
    return from_document(sample_document())
