"""The languages Hindsight speaks, and its catalogues of translated words, without Flask.

The interface follows the person reading (``views/language.py``); a report's exports follow the
report's own ``language``. Both read the same gettext catalogues under ``translations/``:
adding a language is adding a catalogue there (docs/languages.md); ``LANGUAGES`` is read
from that folder. English is the source language: its words are the message ids themselves.

Words kept in module-level tables (vocabularies, labels) stay plain English strings, so JSON,
comparisons and exports never meet a lazy object; they are marked with ``N_`` so extraction
finds them, and translated where they are shown.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

log = logging.getLogger(__name__)

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
DEFAULT_LANGUAGE = "en"


def languages_in(folder: Path) -> dict[str, str]:
    """English, and each language with a catalogue in ``folder`` (``fr/LC_MESSAGES/
    messages.po``), by its own name as its readers write it ("Français"): adding a language is
    adding its catalogue, not code."""
    found = {DEFAULT_LANGUAGE: "English"}
    for catalogue in sorted(folder.glob("*/LC_MESSAGES/messages.po")):
        code = catalogue.parent.parent.name
        try:
            name = Locale.parse(code).get_display_name(code) or code
        except (ValueError, UnknownLocaleError):
            log.warning("translations/%s is not a language Babel knows: left out", code)
            continue
        found[code] = name[:1].upper() + name[1:]
    return found


# Each language's own name (the switch shows these).
LANGUAGES: dict[str, str] = languages_in(TRANSLATIONS)


def N_(message: str) -> str:
    """Mark a word for translation where it is defined; it is translated where shown."""
    return message


def known_language(value: object) -> str:
    """A language Hindsight speaks: ``value`` when it is one, else English."""
    return value if isinstance(value, str) and value in LANGUAGES else DEFAULT_LANGUAGE


def environment_language(environ: Mapping[str, str]) -> str:
    """The language a command-line tool speaks, as gettext chooses it: the first of
    ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` that is set decides ("fr_CA.UTF-8" → French);
    a language Hindsight does not speak, "C" or "POSIX", or none set → English."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "").strip()
        if value:
            code = value.split(".", 1)[0].split("@", 1)[0].replace("-", "_").split("_", 1)[0]
            return known_language(code.lower())
    return DEFAULT_LANGUAGE


def compile_catalogues(folder: Path = TRANSLATIONS) -> list[Path]:
    """Compile each ``messages.po`` whose ``.mo`` is missing or older; returns those written.

    Run by scripts/bootstrap.sh and at start-up, so a fresh clone needs no extra step. Each file
    is written beside its final name and renamed, so processes starting together never read a
    half-written catalogue.
    """
    written = []
    for po_path in sorted(folder.glob("*/LC_MESSAGES/messages.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as source:
            catalogue = read_po(source, locale=po_path.parent.parent.name)
        draft = mo_path.with_name(f".messages.{os.getpid()}.mo")
        try:
            with draft.open("wb") as target:
                write_mo(target, catalogue, use_fuzzy=False)
            os.replace(draft, mo_path)
        except OSError as error:  # a read-only install: say so, and speak English
            log.warning("Could not compile %s: %s", po_path, error)
            continue
        written.append(mo_path)
    translations_for.cache_clear()
    return written


@lru_cache(maxsize=8)
def translations_for(language: str) -> NullTranslations:
    """The catalogue of one language (English: the words as written)."""
    if language == DEFAULT_LANGUAGE or language not in LANGUAGES:
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS), [language])


def gettext_for(language: str, message: str) -> str:
    return translations_for(known_language(language)).gettext(message)


# The language the person reading speaks, for words built outside a page template (the review
# checklist, say): set for each request by views/language.py; English elsewhere.
_SHOWN_IN: ContextVar[str] = ContextVar("hindsight_shown_in", default=DEFAULT_LANGUAGE)


def show_in(language: str) -> None:
    _SHOWN_IN.set(known_language(language))


def shown_language() -> str:
    return _SHOWN_IN.get()


def say(message: str, **values: object) -> str:
    """A message in the reader's language (``show_in``), its ``%(name)s`` filled in."""
    text = gettext_for(_SHOWN_IN.get(), message)
    return text % values if values else text


def day(moment: date, language: str, width: str = "long") -> str:
    """A day as its readers write it: "3 October 2026" / "3 octobre 2026" (``width`` "short":
    "3 Oct 2026" / "3 oct. 2026")."""
    pattern = "d MMMM y" if width == "long" else "d MMM y"
    return format_date(moment, pattern, locale=known_language(language))


def format_date_for(moment: date, pattern: str, language: str) -> str:
    """A date in a CLDR pattern ("dd MMM y") as ``language`` writes it."""
    return format_date(moment, pattern, locale=known_language(language))


def day_and_month(moment: date, language: str) -> str:
    """"3 Oct" / "3 oct."."""
    return format_date(moment, "d MMM", locale=known_language(language))


def month(moment: date, language: str, width: str = "long") -> str:
    """"October 2026" / "octobre 2026"; ``width`` "short": "Oct" / "oct."."""
    if width == "short":
        return format_date(moment, "MMM", locale=known_language(language))
    return format_date(moment, "LLLL y", locale=known_language(language))


def clock(moment: datetime, language: str) -> str:
    """A time of day on the 24-hour clock: "08:00" in English, "08 h 00" in French (as
    Canadian public-service writing has it)."""
    if known_language(language) == "fr":
        return f"{moment:%H} h {moment:%M}"
    return f"{moment:%H:%M}"


def number(value: float, language: str) -> str:
    """A number with the locale's separators: "1,234.5" / "1 234,5"."""
    return format_decimal(value, locale=known_language(language))



def _count(language: str, number: int, unit: str) -> str:
    """"1 hour", "2 hours" / "1 heure", "2 heures"."""
    words = translations_for(known_language(language))
    if unit == "day":
        text = words.ngettext("%(n)d day", "%(n)d days", number)
    elif unit == "hour":
        text = words.ngettext("%(n)d hour", "%(n)d hours", number)
    else:
        text = words.ngettext("%(n)d minute", "%(n)d minutes", number)
    return text % {"n": number}


def duration_words(duration: timedelta | None, language: str) -> str:
    """``reports.metrics.format_duration`` in a language: "1 day, 0 hours 54 minutes" /
    "1 jour, 0 heure 54 minutes" (the same words in English)."""
    if duration is None or duration < timedelta(0):
        return ""
    words = translations_for(known_language(language))
    minutes = round(duration.total_seconds() / 60)
    if minutes < 1:
        return words.gettext("under 1 minute")
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if hours or (days and minutes):
        parts.append(_count(language, hours, "hour"))
    if minutes:
        parts.append(_count(language, minutes, "minute"))
    clock_words = " ".join(parts)
    if not days:
        return clock_words
    day_words = _count(language, days, "day")
    return f"{day_words}, {clock_words}" if clock_words else day_words
