"""Messages copied from Google Chat and pasted as text.

Google Chat puts the name and the time above each message, separated by a comma
(``Dana Lee, 9:14 AM`` or ``Dana Lee, Oct 3, 9:14 AM``), or on lines of their own. Joins,
reactions, "Edited" and "N replies" are left out.
"""

from __future__ import annotations

import re
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
from .times import whole_stamp

_COMMA = re.compile(r"^([^,\d\[][^,]{0,59}),\s*(.{3,80})$")
_EDITED = re.compile(r",?\s*\(?edited\)?\s*$", re.IGNORECASE)


def comma_header(lines: Sequence[str], i: int) -> Header | None:
    """``Dana Lee, 9:14 AM`` (", Edited" after it is allowed)."""
    match = _COMMA.match(lines[i])
    if match is None or not name_like(match.group(1)):
        return None
    stamp = whole_stamp(_EDITED.sub("", match.group(2)))
    return Header(author_of(match.group(1)), stamp, 1) if stamp else None


FORMS = (comma_header, two_line_header, spaced_header)


def read_google_chat(text: str) -> tuple[list[Item], int]:
    return read_chat(text, FORMS)


def google_chat_headers(text: str) -> int:
    return count_headers(text, comma_header)


def other_chat_headers(text: str) -> int:
    """Headers with the name and time on their own lines, as new Teams and Google Chat write."""
    return count_headers(text, two_line_header) + count_headers(text, spaced_header)
