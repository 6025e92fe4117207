"""Wording that blames people rather than systems: find it, say why, suggest a rewrite.

The rules live in ``blameless.json`` beside this module (see ``docs/blameless-wording.md``), so
they can be extended or translated without touching code.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from reports.model import Report

RULES_FILE = Path(__file__).with_name("blameless.json")
_CODE_SPAN = re.compile(r"`[^`\n]*`")
_TERM = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class Hint:
    """One piece of wording to reconsider, at ``text[start:end]``.

    ``family`` says which guidance found it: ``blameless``, ``apology`` or ``plain``. A hint about
    the text as a whole (say, an apology that names no one) has no excerpt and says what it
    found in ``found``; ``explanation`` is a plain explanation the author could add.
    """

    rule_id: str
    start: int
    end: int
    excerpt: str
    why: str
    suggestion: str
    family: str = "blameless"
    found: str = ""
    explanation: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Rule:
    id: str
    patterns: tuple[re.Pattern[str], ...]
    why: str
    suggestion: str


def _expand(pattern: str, terms: dict[str, str]) -> str:
    def term(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in terms:
            raise ValueError(f"unknown term {{{name}}} in pattern {pattern!r}")
        return terms[name]

    return _TERM.sub(term, pattern)


def compile_patterns(rule_id: str, patterns: list[str],
                     terms: dict[str, str] | None = None) -> tuple[re.Pattern[str], ...]:
    """One rule's patterns, ``{term}``s expanded, compiled ignoring case; ValueError if bad."""
    try:
        return tuple(re.compile(_expand(p, terms or {}), re.IGNORECASE) for p in patterns)
    except re.error as error:
        raise ValueError(f"rule {rule_id}: {error}") from error


def rules_from(entries: list[dict[str, Any]], terms: dict[str, str]) -> tuple[Rule, ...]:
    """Rules from the ``rules`` list of a rules file."""
    return tuple(Rule(entry["id"], compile_patterns(entry["id"], entry["patterns"], terms),
                      entry["why"], entry["suggestion"]) for entry in entries)


@lru_cache(maxsize=8)
def load_rules(path: Path = RULES_FILE) -> tuple[Rule, ...]:
    """The rules of one rules file, patterns compiled; raises ValueError on a bad file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return rules_from(data["rules"], data.get("terms", {}))


def without_overlap(found: list[Hint]) -> list[Hint]:
    """The hints in reading order, the longer first where two start together, none overlapping.

    ``found`` is in order of preference: of two hints on the same words, the earlier is kept.
    """
    order = sorted(range(len(found)), key=lambda i: (found[i].start,
                                                      -(found[i].end - found[i].start), i))
    kept: list[Hint] = []
    for hint in (found[i] for i in order):
        if not kept or hint.start >= kept[-1].end:
            kept.append(hint)
    return kept


def match_rules(text: str, rules: tuple[Rule, ...], family: str = "blameless",
                skip: list[tuple[int, int]] | None = None) -> list[Hint]:
    """Every match of every rule in ``text``, except those starting inside a ``skip`` span."""
    found: list[Hint] = []
    for rule in rules:
        for pattern in rule.patterns:
            for match in pattern.finditer(text):
                start, end = match.span()
                if start == end or any(a <= start < b for a, b in skip or ()):
                    continue
                found.append(Hint(rule.id, start, end, match.group(0), rule.why,
                                  rule.suggestion, family))
    return without_overlap(found)


def blameless_hints(text: str, rules: tuple[Rule, ...] | None = None) -> list[Hint]:
    """Every blaming phrase in ``text``, in reading order, never two on the same words."""
    if not text or not text.strip():
        return []
    code = [m.span() for m in _CODE_SPAN.finditer(text)]  # `git blame` in code is not wording
    return match_rules(text, rules if rules is not None else load_rules(), skip=code)


def report_texts(report: Report) -> list[tuple[str, str]]:
    """Every client-facing free text of a report as (document path, text)."""
    texts = [("title", report.title), ("apology", report.apology),
             ("summary", report.summary), ("impact", report.impact)]
    texts += [(f"timeline.{i}.description", e.description) for i, e in enumerate(report.timeline)]
    texts += [(f"factors.{i}.description", f.description) for i, f in enumerate(report.factors)]
    texts += [("lessons.went_well", report.lessons.went_well),
              ("lessons.went_wrong", report.lessons.went_wrong),
              ("lessons.lucky", report.lessons.lucky)]
    texts += [(f"actions.{i}.description", a.description) for i, a in enumerate(report.actions)]
    return texts


def report_hints(report: Report) -> dict[str, list[Hint]]:
    """Hints for a whole report, keyed by document path; texts without hints are left out."""
    hints = {path: blameless_hints(text) for path, text in report_texts(report)}
    return {path: found for path, found in hints.items() if found}
