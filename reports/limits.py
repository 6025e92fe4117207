"""Size limits shared by the page, the API and the importer, so they refuse the same things.

docs/limits.md explains them to users; a test checks that it gives the same numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

MAX_SHORT_TEXT = 200  # title, service, audience, owner, an author's name
MAX_LONG_TEXT = 20_000  # a Markdown part of the report (about eight pages of prose)
MAX_URL = 2_000
MAX_AUTHORS = 30
MAX_ROWS = 500  # timeline events, factors or action items in one report
MAX_REQUEST_BYTES = 4 * 1024 * 1024
# Inputs in one post of the guided page (the app's MAX_FORM_PARTS setting): a full timeline
# (7 inputs a row), full factors (4) and full action items (9, plus a tick for each factor the
# action deals with: up to MAX_LINKS_PER_ACTION counted here), and the other fields.
MAX_LINKS_PER_ACTION = 20
MAX_FORM_PARTS = MAX_ROWS * (7 + 4 + 9 + MAX_LINKS_PER_ACTION) + 200
# No input of the page has a longer name ("actions-499-addresses-499" is 25 characters).
MAX_INPUT_NAME = 100

ROW_LISTS = ("timeline", "factors", "actions")
_ROW_INPUT = re.compile(r"^(timeline|factors|actions)-(\d+)-")


@dataclass(frozen=True)
class Oversized:
    """Why a posted page is larger than any save takes.

    ``name`` is the input (or row list) at fault and ``reason`` follows its label ("is too
    long: ..."); without a name, ``reason`` is a sentence of its own."""

    name: str
    reason: str


def oversized_page(entries: Iterable[tuple[str, str]],
                   max_parts: int = MAX_FORM_PARTS) -> Oversized | None:
    """Check a posted page against the limits before any work is done on it: no more inputs
    than a save takes, no text longer than the longest part of a report, no more rows than a
    report holds. None when the page is within them."""
    rows: dict[str, set[str]] = {name: set() for name in ROW_LISTS}
    for parts, (name, value) in enumerate(entries, start=1):
        if parts > max_parts:
            return Oversized("", f"The page sent more than {max_parts:,} inputs; a report has "
                                 "at most that many.")
        if len(name) > MAX_INPUT_NAME:
            return Oversized("", "The page sent an input this report does not have.")
        if len(value) > MAX_LONG_TEXT:
            return Oversized(name, f"is too long: at most {MAX_LONG_TEXT:,} characters, "
                                   f"this has {len(value):,}.")
        match = _ROW_INPUT.match(name)
        if match:
            indices = rows[match.group(1)]
            indices.add(match.group(2))
            if len(indices) > MAX_ROWS:
                return Oversized(match.group(1), f"has too many rows: at most {MAX_ROWS}.")
    return None
