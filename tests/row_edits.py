"""Changing a row of a report in a test: rows are frozen (a changed row is a new object)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from reports.model import Report


def edit_row(report: Report, name: str, index: int, **values: Any) -> None:
    """Give row ``index`` of ``report``'s ``name`` list ("timeline", "factors", "actions")
    these ``values``."""
    rows = getattr(report, name)
    rows[index] = replace(rows[index], **values)


def edit_lessons(report: Report, **values: str) -> None:
    report.lessons = replace(report.lessons, **values)
