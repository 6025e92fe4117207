"""All wording guidance for one text, by the part it belongs to.

Every free text gets the blameless wording hints; the apology also gets the apology coach; the
parts a client reads first (apology, summary, impact, and factors marked as a root cause) also
get plain-language hints and a reading-ease figure.
"""

from __future__ import annotations

import re
from functools import lru_cache

from reports.language import N_
from reports.model import Report

from .apology import apology_hints
from .blameless import Hint, blameless_hints, report_texts
from .plain import Readability, plain_hints, readability

PLAIN_PARTS = ("apology", "summary", "impact")
# Each family of hints under its own heading and introduction on the page, in this order
# (static/guidance.js has the same words).
HINT_FAMILIES = (
    ("blameless", N_("Wording to reconsider"), ""),
    ("apology", N_("Apology coach"),
     N_("A real apology says that we are sorry, what happened to whom and for how long, "
        "with no conditions.")),
    ("plain", N_("Words a client may not know"),
     N_("Clients read this part: explain these words, or say them plainly.")),
)
_CAPS = re.compile(r"\b[A-Z][A-Z0-9&]{1,5}s?\b")


def known_names(*texts: str) -> frozenset[str]:
    """Abbreviations in capitals the client knows because they are its own, e.g. "ACME"."""
    return frozenset(match.group(0) for text in texts for match in _CAPS.finditer(text or ""))


# Texts up to this long are remembered (``_remembered_hints``): a row's text, typically.
REMEMBERED_TEXT = 2000


def text_hints(text: str, *, apology: bool = False, plain: bool = False,
               known: frozenset[str] = frozenset(), language: str = "en") -> list[Hint]:
    """The hints for one text: blameless wording, then the apology coach, then plain language.

    Reading a text takes about a millisecond, and a page load, its checklist and every live
    update read all of a report's texts again (260 in a 200-row report), nearly all unchanged
    since the last time: so the hints of short texts are remembered.
    """
    if len(text) <= REMEMBERED_TEXT:
        return list(_remembered_hints(text, apology, plain, known, language))
    return _read_hints(text, apology, plain, known, language)


def _read_hints(text: str, apology: bool, plain: bool, known: frozenset[str],
                language: str = "en") -> list[Hint]:
    """In the language of the report (its French rules: reports/guidance/*.fr.json)."""
    hints = blameless_hints(text, language=language)
    if apology:
        hints += apology_hints(text, language=language)
    if plain:
        hints += plain_hints(text, known=known, language=language)
    return hints


@lru_cache(maxsize=2048)
def _remembered_hints(text: str, apology: bool, plain: bool,
                      known: frozenset[str], language: str = "en") -> tuple[Hint, ...]:
    """``_read_hints``, remembered (hints are frozen, so they can be shared)."""
    return tuple(_read_hints(text, apology, plain, known, language))


def plain_paths(report: Report) -> list[str]:
    """Document paths of the parts checked for plain language."""
    return [*PLAIN_PARTS, *(f"factors.{i}.description" for i, f in enumerate(report.factors)
                            if f.root_cause)]


def report_text_hints(report: Report) -> list[tuple[str, list[Hint]]]:
    """Every free text's hints as (document path, hints), in the order of the page."""
    plain = set(plain_paths(report))
    known = known_names(report.audience, report.service)
    return [(path, text_hints(text, apology=path == "apology", plain=path in plain,
                              known=known, language=report.language))
            for path, text in report_texts(report)]


def report_guidance(report: Report) -> tuple[dict[str, list[Hint]], dict[str, Readability]]:
    """Hints and reading ease for a whole report, keyed by document path; empty ones left out."""
    plain = set(plain_paths(report))
    known = known_names(report.audience, report.service)
    hints: dict[str, list[Hint]] = {}
    scores: dict[str, Readability] = {}
    for path, text in report_texts(report):
        found = text_hints(text, apology=path == "apology", plain=path in plain, known=known,
                           language=report.language)
        if found:
            hints[path] = found
        score = readability(text, language=report.language) if path in plain else None
        if score is not None:
            scores[path] = score
    return hints, scores
