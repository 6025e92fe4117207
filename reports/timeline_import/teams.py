"""Messages copied from Microsoft Teams and pasted as text.

Classic Teams puts ``[10:14 AM] Dana Lee`` (or ``[03/10/2026 10:14] Dana Lee``) above each
message; new Teams puts the name and the time on lines of their own, or on one line
(``Dana Lee 10:14 AM``). "Edited", reactions, "N replies", joins and meeting notices are left out.
"""

from __future__ import annotations

from collections.abc import Sequence

from .chat import (
    Header,
    author_of,
    count_headers,
    name_like,
    read_chat,
    spaced_header,
    two_line_header,
)
from .model import Item
from .times import leading_stamp


def bracket_header(lines: Sequence[str], i: int) -> Header | None:
    """``[10:14 AM] Dana Lee``."""
    line = lines[i]
    if not line.startswith("["):
        return None
    found = leading_stamp(line)
    if found is None or not name_like(found[1]):
        return None
    return Header(author_of(found[1]), found[0], 1)


FORMS = (bracket_header, two_line_header, spaced_header)


def read_teams(text: str) -> tuple[list[Item], int]:
    return read_chat(text, FORMS)


def teams_headers(text: str) -> int:
    """How many classic Teams headers the text has (new Teams' look like Google Chat's)."""
    return count_headers(text, bracket_header)
