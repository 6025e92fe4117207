"""An e-mail thread pasted as text: each message's date, sender and first lines.

A message starts at a block of headers (``From:`` with ``Date:`` or ``Sent:`` near it, as mail
programs print and forward them, quoted with ``>`` or not) or at a reply's attribution line
(``On Fri, 3 Oct 2026 at 09:40, Dana Lee <dana@example.com> wrote:``). Its first lines are
kept, without the greeting, the sign-off, the signature or the quoted messages under it. A
message quoted in several replies appears once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from .model import RawEvent, Stamp
from .text import clean
from .times import whole_stamp

FIRST_LINES = 3
_QUOTE = re.compile(r"^((?:\s*>)*)\s?(.*)$")
_HEADER = re.compile(r"^\*?(from|date|sent|to|cc|subject)\*?:\s*(.*)$", re.IGNORECASE)
_ATTRIBUTION = re.compile(r"^(?:on|le|am|el)\s+(.{6,200}?)\s*(?:wrote|a écrit|schrieb|escribió)"
                          r"\s*:\s*$", re.IGNORECASE)
_CLOCK_END = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?(?:\s*(?:[+-]\d{2}:?\d{2}"
                        r"|\(?[A-Z]{1,5}\)?))?", re.IGNORECASE)
_GREETING = re.compile(r"^(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|all|team)\b"
                       r"[^.!?]{0,40}[,!]?$", re.IGNORECASE)
_SIGN_OFF = re.compile(r"^(?:--\s*|__+|thanks?(?: you)?,?|many thanks,?|best(?: regards)?,?"
                       r"|kind regards,?|regards,?|cheers,?|sent from my .*|get outlook for .*"
                       r"|-+\s*original message\s*-+|-+\s*forwarded message\s*-+)$",
                       re.IGNORECASE)


@dataclass
class Message:
    depth: int
    author: str
    when: Stamp | datetime | None
    subject: str = ""
    to: str = ""
    sender_address: str = ""
    body: list[str] = field(default_factory=list)


def _split(line: str) -> tuple[int, str]:
    match = _QUOTE.match(line)
    if match is None:  # the pattern matches every line; this only satisfies the type
        return 0, line.strip()
    return match.group(1).count(">"), match.group(2).strip()


def _when(value: str) -> Stamp | datetime | None:
    value = value.strip()
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        moment = None
    if moment is not None and moment.tzinfo is not None:
        return moment
    return whole_stamp(value)


def _attribution(text: str) -> tuple[Stamp | datetime | None, str]:
    """The date and the sender of "On <date>, <sender> wrote:"."""
    clocks = list(_CLOCK_END.finditer(text))
    if not clocks:
        return None, ""
    end = clocks[0].end()
    when = _when(text[:end])
    sender = text[end:].strip(" ,")
    return when, sender


def _person(value: str) -> tuple[str, str]:
    name, address = parseaddr(value)
    return clean(name or address or value, limit=100), address.lower()


def _domain(address: str) -> str:
    return address.rpartition("@")[2]


def _headers(rows: list[tuple[int, str]], start: int) -> tuple[dict[str, str], int] | None:
    """The header block at ``start`` (From and a date within a few lines), and where it ends."""
    depth = rows[start][0]
    headers: dict[str, str] = {}
    i = start
    while i < len(rows) and rows[i][0] == depth and i - start < 12:
        match = _HEADER.match(rows[i][1])
        if match is None:
            break
        headers.setdefault(match.group(1).lower(), match.group(2))
        i += 1
    if "from" in headers and ("date" in headers or "sent" in headers):
        return headers, i
    return None


def _messages(text: str) -> list[Message]:
    rows = [_split(line) for line in text.splitlines()]
    messages: list[Message] = []
    current: Message | None = None
    i = 0
    while i < len(rows):
        depth, line = rows[i]
        found = _headers(rows, i) if _HEADER.match(line) else None
        if found is not None:
            headers, i = found
            author, address = _person(headers["from"])
            current = Message(depth, author, _when(headers.get("date") or headers.get("sent")
                                                   or ""),
                              subject=headers.get("subject", ""), to=headers.get("to", ""),
                              sender_address=address)
            messages.append(current)
            continue
        joined = line
        if line.lower().startswith(("on ", "le ", "am ", "el ")) and i + 1 < len(rows) and \
                not _ATTRIBUTION.match(line):
            joined = f"{line} {rows[i + 1][1]}"  # an attribution wrapped over two lines
        attribution = _ATTRIBUTION.match(joined)
        if attribution is not None:
            when, sender = _attribution(attribution.group(1))
            author, address = _person(sender)
            current = Message(depth + 1, author, when, sender_address=address)
            messages.append(current)
            i += 1 if joined == line else 2
            continue
        if current is not None and depth == current.depth:
            current.body.append(line)
        i += 1
    return messages


def _first_lines(body: list[str]) -> str:
    """The first lines of a message, its wrapped lines joined back into paragraphs."""
    kept: list[str] = []
    for line in body:
        if not line:
            if kept:
                kept.append("")
            continue
        if _SIGN_OFF.match(line):
            break
        if not kept and _GREETING.match(line):
            continue
        kept.append(line)
        if sum(1 for k in kept if k) >= FIRST_LINES:
            break
    paragraphs = " ".join(line or "\n" for line in kept).replace(" \n ", "\n")
    return clean(paragraphs.strip())


def read_email(text: str) -> list[RawEvent]:
    events: list[RawEvent] = []
    for message in _messages(text):
        if message.when is None:
            continue
        words = _first_lines(message.body) or clean(message.subject)
        if not words:
            continue
        hint = f"e-mail {message.subject}"
        own = _domain(message.sender_address)
        outside = {_domain(address.lower()) for _, address in getaddresses([message.to])
                   if "@" in address} - {own, ""}
        if own and outside:
            hint += " e-mailed the customers"
        description = f"{message.author}: {words}" if message.author else words
        if isinstance(message.when, datetime):
            events.append(RawEvent(description, moment=message.when, author=message.author,
                                   hint=hint))
        else:
            events.append(RawEvent(description, stamp=message.when, author=message.author,
                                   hint=hint))
    events.reverse()  # a thread shows the newest message first, and quotes older ones below
    return events


def looks_like_email(text: str) -> bool:
    rows = [_split(line) for line in text.splitlines()[:5_000]]
    return any(_headers(rows, i) for i, (_, line) in enumerate(rows) if _HEADER.match(line))
