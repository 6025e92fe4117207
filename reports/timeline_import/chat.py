"""What Teams and Google Chat copy-pastes share: a header line (who, when) above each message.

A source module says which header forms it reads; this one splits the text into messages,
leaves out the chat's own lines (joins, reactions, "Edited", reply counts, meeting notices) and
keeps a line that is only a date as the date of the messages below it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .emoji import replace_shortcodes
from .model import DayMarker, Item, RawEvent, Stamp
from .text import clean
from .times import day_only, leading_stamp, whole_stamp


@dataclass(frozen=True)
class Header:
    author: str
    stamp: Stamp
    lines: int  # how many lines the header takes (1 or 2)
    text: str = ""  # words on the header line itself, after the name and time


# Reads a header at lines[i]; None when there is none.
HeaderForm = Callable[[Sequence[str], int], Header | None]

PARTICLES = frozenset({"van", "de", "da", "der", "den", "von", "le", "la", "di", "del", "du",
                       "bin", "al", "el", "y", "dos", "das", "do", "ten", "ter", "mc", "st."})
NOISE = re.compile(
    r"^(?:edited|\(edited\)|reply|collapse all|see more|show more|unread|new messages?"
    r"|(?:like|heart|laugh|surprised|sad|angry)s?\s*\d*|[^.!?:]{1,60} (?:joined|left)\.?"
    r"|has context menu|today|yesterday|forwarded|\d+ (?:new )?(?:replies|reply|likes?|"
    r"reactions?)\b.*|.*\breacted(?: to .{0,80})? with\b.*|.*\b(?:has )?(?:joined|left) "
    r"(?:the )?(?:chat|meeting|channel|conversation|space|team|call)\b.*|.*\badded .{1,120} to "
    r"the (?:chat|team|channel|space|conversation|meeting)\b.*|.*\bremoved .{1,120} from the "
    r"(?:chat|team|channel|space|conversation)\b.*|meeting (?:started|ended)\b.*|recording has "
    r"(?:started|stopped)\b.*|.*\bchanged the (?:group name|topic|chat name|space name)\b.*"
    r"|.*\bpinned a message\b.*|.*\bstarted a call\b.*|call ended\b.*|seen by\b.*"
    r"|\d+ (?:like|heart|laugh|surprised|sad|angry) reactions?\.?)$",
    re.IGNORECASE,
)
_LETTERS = re.compile(r"[^\W\d_]")
_ENDS_LIKE_A_TIME = re.compile(r"\d(?:\s*[ap]\.?m\.?)?(?:\s*\(?[A-Za-z/_]{1,20}\)?)?"
                               r"(?:,?\s*edited)?\s*$", re.IGNORECASE)


def name_like(text: str) -> bool:
    """Whether a line could be a person's (or a bot's) name as chats show it."""
    text = text.strip()
    if not 1 <= len(text) <= 60 or text[-1] in ".?!:;," or not text[0].isalpha():
        return False
    words = re.sub(r"\([^)]{0,30}\)", "", text).split()
    if not 1 <= len(words) <= 6 or NOISE.match(text):
        return False
    return all(w[0].isupper() or not w[0].isascii() or w.lower() in PARTICLES for w in words)


def author_of(name: str) -> str:
    """The name without Teams' "(External)" or "(Guest)"."""
    return clean(re.sub(r"\s*\((?:external|guest|bot|app)\)\s*", " ", name,
                        flags=re.IGNORECASE), limit=100)


def two_line_header(lines: Sequence[str], i: int) -> Header | None:
    """``Dana Lee`` then ``10:14 AM`` on the next line (new Teams, Google Chat)."""
    if i + 1 >= len(lines) or not name_like(lines[i]):
        return None
    stamp = whole_stamp(lines[i + 1])
    return Header(author_of(lines[i]), stamp, 2) if stamp else None


def spaced_header(lines: Sequence[str], i: int) -> Header | None:
    """``Dana Lee  10:14 AM`` or ``Dana Lee 3/10 10:14 AM`` on one line."""
    line = lines[i]
    if len(line) > 120 or not _ENDS_LIKE_A_TIME.search(line):
        return None  # most lines: no need to try each place the name could end
    for match in re.finditer(r"\s+", line[:70]):
        name, when = line[:match.start()], line[match.end():]
        if name_like(name) and (stamp := whole_stamp(when.removesuffix("Edited").strip())):
            return Header(author_of(name), stamp, 1)
    return None


def read_chat(text: str, forms: Sequence[HeaderForm]) -> tuple[list[Item], int]:
    """The messages under each header, and how many of the chat's own lines were left out."""
    lines = [line.strip() for line in text.splitlines()]
    items: list[Item] = []
    left_out = 0
    header: Header | None = None
    body: list[str] = []

    def close() -> None:
        nonlocal left_out
        if header is None:
            return
        words = clean(replace_shortcodes("\n".join(part for part in body if part)))
        if len(_LETTERS.findall(words)) < 2:
            left_out += 1
            return
        items.append(RawEvent(f"{header.author}: {words}" if header.author else words,
                              stamp=header.stamp, author=header.author))

    i = 0
    while i < len(lines):
        line = lines[i]
        found = next((h for form in forms if line and (h := form(lines, i))), None)
        if found is not None:
            close()
            header, body = found, [found.text]
            i += found.lines
            continue
        i += 1
        if not line:
            continue
        day = day_only(line)
        if day is not None:
            close()
            header, body = None, []
            items.append(DayMarker(day))
        elif NOISE.match(line):
            left_out += 1
        elif not _LETTERS.search(line):
            continue  # "👍 2": a reaction's count
        elif line.startswith("[") and (alone := leading_stamp(line)) is not None and alone[1]:
            close()  # "[10:20 AM] Call moved to the bridge": a line with its own time
            header, body = None, []
            items.append(RawEvent(clean(alone[1]), stamp=alone[0]))
        elif header is not None:
            body.append(line)
    close()
    return items, left_out


def count_headers(text: str, form: HeaderForm, limit: int = 2_000) -> int:
    lines = [line.strip() for line in text.splitlines()[:limit]]
    return sum(1 for i, line in enumerate(lines) if line and form(lines, i))
