"""The apology coach: wording that weakens an apology, and what a real apology holds.

A real apology says what happened to whom, for how long, that we are sorry, and puts no
conditions on it. The rules and checks live in ``apology.json`` beside this module (see
``docs/client-language.md``), so they can be extended or translated without touching code.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .blameless import Hint, Rule, compile_patterns, in_language, match_rules, rules_from

APOLOGY_FILE = Path(__file__).with_name("apology.json")
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
# A finished sentence: a word, perhaps a closing quote or bracket, then . ! or ?
_SENTENCE_END = re.compile(r"[^\W_][)\"'”’]*[.!?]")


@dataclass(frozen=True)
class WholeCheck:
    """Something the whole apology should hold: present when one of ``present`` matches."""

    id: str
    present: tuple[re.Pattern[str], ...]
    found: str
    why: str
    suggestion: str


@dataclass(frozen=True)
class ApologyRules:
    """The contents of one apology rules file."""

    rules: tuple[Rule, ...]
    checks: tuple[WholeCheck, ...]
    min_words: int


@lru_cache(maxsize=8)
def load_apology_rules(path: Path = APOLOGY_FILE) -> ApologyRules:
    """The rules and checks of one apology file, compiled; raises ValueError on a bad file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    terms: dict[str, str] = data.get("terms", {})
    checks = tuple(
        WholeCheck(entry["id"], compile_patterns(entry["id"], entry["present"], terms),
                   entry["found"], entry["why"], entry["suggestion"])
        for entry in data.get("checks", [])
    )
    return ApologyRules(rules_from(data["rules"], terms), checks, int(data.get("min_words", 12)))


def word_count(text: str) -> int:
    """How many words ``text`` has, counting "don't" and "roll-out" as one."""
    return len(_WORD.findall(text))


def ready_for_checks(text: str, min_words: int) -> bool:
    """Whole-text checks wait for a finished sentence, so half a word typed is not judged."""
    return bool(_SENTENCE_END.search(text)) or word_count(text) >= min_words


def apology_hints(text: str, rules: ApologyRules | None = None,
                  language: str = "en") -> list[Hint]:
    """Hedges and non-apologies in ``text``, in reading order, then what the apology lacks; with
    the rules of ``language`` unless ``rules`` are given."""
    if not text or not text.strip():
        return []
    rules = rules or load_apology_rules(in_language(APOLOGY_FILE, language))
    found = match_rules(text, rules.rules, family="apology")
    if ready_for_checks(text, rules.min_words):
        found += [Hint(check.id, 0, 0, "", check.why, check.suggestion, "apology", check.found)
                  for check in rules.checks if not any(p.search(text) for p in check.present)]
    return found
