"""Message text made safe to keep: valid Unicode, no control or direction-changing characters,
tidy spacing and a bounded length.

The text stays what the person wrote (``<script>`` stays the words ``<script>``): the page
escapes it and the report's Markdown shows raw HTML as text, as for anything an author types.
"""

from __future__ import annotations

import re

MAX_DESCRIPTION = 1_000  # a message longer than this is cut, with "…" at the end

_SURROGATE = re.compile("[\ud800-\udfff]")
# C0 and C1 controls but tab and line feed; bidirectional embeddings, overrides and isolates.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def valid_text(text: str) -> str:
    """Text that any UTF-8 writer can store: an unpaired surrogate becomes U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def clean(text: str, limit: int = MAX_DESCRIPTION) -> str:
    """A message as a timeline row keeps it."""
    text = valid_text(text).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROLS.sub("", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    text = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def one_line(text: str) -> str:
    """The text on one line, for the command line's listing."""
    return " ".join(clean(text, limit=10**6).split())
