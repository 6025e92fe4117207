"""A message kept in English with what it needs to be said again in another language.

Some messages are made long before anyone reads them, or by a process that does not know who
will: why an export to Google Drive failed is written into the export's record and into the
export job, and shown later, to whoever opens the report, in their language. So such a message
is a ``Said``: it *is* its English text (a ``str``, for logs, tests and old code alike), and it
also keeps its message id (marked with ``N_`` where written) and its values, so that
``in_language("fr")`` says it in French. Values may be ``Said`` themselves ("the PDF" inside "The
%(what)s could not be put in Google Drive").

``stored`` turns one into text for the database (JSON, marked), and ``shown`` turns stored text
back into words in a language: text stored before messages were kept this way is shown as it was
written, in English.
"""

from __future__ import annotations

import json
from typing import Any

from reports.language import DEFAULT_LANGUAGE, gettext_for, shown_language

_MARK = '{"said":'
Value = Any  # str | int | Said


class Said(str):
    """The English text of a message, which knows how to say itself in another language."""

    message: str
    values: dict[str, Value]
    parts: tuple[Said, ...]
    capital: bool

    def __new__(cls, message: str = "", values: dict[str, Value] | None = None,
                parts: tuple[Said, ...] = (), capital: bool = False) -> Said:
        values = dict(values or {})
        english = _say(message, values, parts, capital, DEFAULT_LANGUAGE)
        self = super().__new__(cls, english)
        self.message, self.values, self.parts, self.capital = message, values, parts, capital
        return self

    def in_language(self, language: str) -> str:
        return _say(self.message, self.values, self.parts, self.capital, language)

    def shown(self) -> str:
        """In the reader's language (``reports.language.show_in``)."""
        return self.in_language(shown_language())

    def capitalised(self) -> Said:
        """The same message starting with a capital letter, in every language."""
        return Said(self.message, self.values, self.parts, capital=True)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"m": self.message}
        if self.values:
            data["v"] = {name: {"said": value.to_json()} if isinstance(value, Said) else value
                         for name, value in self.values.items()}
        if self.parts:
            data["p"] = [part.to_json() for part in self.parts]
        if self.capital:
            data["c"] = True
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Said:
        values = {name: cls.from_json(value["said"]) if isinstance(value, dict) else value
                  for name, value in (data.get("v") or {}).items()}
        parts = tuple(cls.from_json(part) for part in data.get("p") or ())
        return cls(str(data.get("m") or ""), values, parts, bool(data.get("c")))


def said(message: str, **values: Value) -> Said:
    """``message`` (an ``N_``-marked English id) with its ``%(name)s`` values."""
    return Said(message, values)


def sentences(*parts: str) -> Said:
    """Several messages one after the other, as one; plain text parts are kept as written."""
    return Said(parts=tuple(part if isinstance(part, Said) else Said("%(text)s", {"text": part})
                            for part in parts if part))


def stored(text: str) -> str:
    """Text for the database: a ``Said`` as marked JSON, anything else as it is."""
    if isinstance(text, Said):
        return json.dumps({"said": text.to_json()}, ensure_ascii=False)
    return text


def shown(text: str | None, language: str | None = None) -> str:
    """Stored text in ``language`` (the reader's by default); text that is not a stored
    ``Said`` (written before, or by hand) as it is."""
    if not text:
        return ""
    if isinstance(text, Said):
        return text.in_language(language or shown_language())
    if text.startswith(_MARK):
        try:
            message = Said.from_json(json.loads(text)["said"])
        except (ValueError, KeyError, TypeError, AttributeError):
            return text
        return message.in_language(language or shown_language())
    return text


def _say(message: str, values: dict[str, Value], parts: tuple[Said, ...], capital: bool,
         language: str) -> str:
    if parts:
        text = " ".join(part.in_language(language) for part in parts)
    else:
        text = gettext_for(language, message) if message else ""
        if values:
            text = text % {name: value.in_language(language) if isinstance(value, Said)
                           else value for name, value in values.items()}
    return text[:1].upper() + text[1:] if capital else text
