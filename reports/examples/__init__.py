"""The sample report written for new authors: shown part by part, and usable as a start.

There is one in each language Hindsight speaks, written in that language for its readers (not
translated word for word): ``sample_report.json`` in English, ``sample_report.fr.json`` in
French. A language without its own sample gets the English one.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from reports.exchange import from_document
from reports.language import DEFAULT_LANGUAGE, known_language
from reports.model import Report

SAMPLE_FILE = Path(__file__).with_name("sample_report.json")


def sample_file(language: str = DEFAULT_LANGUAGE) -> Path:
    """The sample written in ``language``, else the English one."""
    language = known_language(language)
    own = SAMPLE_FILE.with_name(f"sample_report.{language}.json")
    return own if language != DEFAULT_LANGUAGE and own.is_file() else SAMPLE_FILE


@lru_cache(maxsize=4)
def _sample_text(language: str) -> str:
    return sample_file(language).read_text(encoding="utf-8")


def sample_document(language: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
    """The sample as an exchange document (a fresh copy each time)."""
    return json.loads(_sample_text(known_language(language)))


def sample_report(language: str = DEFAULT_LANGUAGE) -> Report:
    """The sample as a report, ready to show or to store as a new draft."""
    return from_document(sample_document(language))
