"""Whether a found event is already a row of the report: near the same time, with words alike.

"Near" is within two minutes (chat clocks and a person's notes rarely agree to the second);
"alike" is the same words once case, spacing, punctuation and a "Name:" in front are set aside,
one holding the other, or most of the words shared.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from difflib import SequenceMatcher

from .model import ExistingEvent

NEAR = timedelta(minutes=2)
ALIKE = 0.75
_NOT_WORD = re.compile(r"[\W_]+")
_SPEAKER = re.compile(r"^[^:\n]{1,60}:\s+")


def words(text: str) -> str:
    return _NOT_WORD.sub(" ", text.casefold()).strip()


def _alike(found: str, existing: str) -> bool:
    a, b = words(found), words(existing)
    if not a or not b:
        return False
    if a == b:
        return True
    bare = words(_SPEAKER.sub("", found))
    if bare == b:
        return True
    shorter, longer = sorted((bare, b), key=len)
    if len(shorter) >= 12 and shorter in longer:
        return True
    return SequenceMatcher(None, bare[:500], b[:500]).ratio() >= ALIKE


def is_duplicate(at: datetime, description: str, existing: Iterable[ExistingEvent]) -> bool:
    return any(row.at is not None and abs(row.at - at) <= NEAR
               and _alike(description, row.description) for row in existing)
