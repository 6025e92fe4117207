"""Wording that blames people rather than systems: find it, say why, suggest a rewrite.

The rules live in ``blameless.json`` beside this module (see ``docs/blameless-wording.md``), so
they can be extended or translated without touching code.

Most rules look for a *subject* doing something only a person is blamed for: a person, a name,
a pronoun, a role or a team ("the on-call engineer", "QA", "Dana") as the subject of "failed
to", "should have", "forgot", "was responsible"... The same verbs with a system as the subject
("the deploy failed to start") are what a report should describe, and are left alone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from reports.model import Report

RULES_FILE = Path(__file__).with_name("blameless.json")
_CODE_SPAN = re.compile(r"`[^`\n]*`")
_TERM = re.compile(r"\{([a-z_]+)\}")
_PLACEHOLDER = re.compile(r"\{(match|subject)\}")
_LEADING_TERM = re.compile(r"\{([a-z_]+)\}")
_QUOTED_MAX = 60
_TITLES = {"Mr", "Mrs", "Ms", "Mx", "Dr", "Miss"}
# Endings of capitalised words that are systems far more often than people: "Monitoring",
# "Scheduler", "Payments", "Replication", "Deployment".
_SYSTEM_ENDINGS = re.compile(r"(?:ing|er|ers|or|ors|s|tion|ment|ness|ity|ics|ics|ware|DB|SQL)$")

Validator = Callable[[str], bool]


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
    """A rule: its patterns, why the wording is a problem and what to write instead.

    ``why`` and ``suggestion`` may hold ``{match}`` (the words found) and ``{subject}`` (the
    pattern's group ``subject``: who the sentence blames); ``why_general`` replaces ``why`` when
    a pattern has no subject. ``checks`` are tests a named group must pass for a match to count.
    """

    id: str
    patterns: tuple[re.Pattern[str], ...]
    why: str
    suggestion: str
    why_general: str = ""
    checks: Mapping[str, Validator] = field(default_factory=dict)
    # For each pattern that starts with a term (say ``{agent}``): where that term can start.
    # Finding those places once per text, then trying the pattern only there, is much faster
    # than trying every pattern at every position.
    leads: tuple[re.Pattern[str] | None, ...] = ()


def _expand(pattern: str, terms: dict[str, str], seen: tuple[str, ...] = ()) -> str:
    """``{term}``s replaced by their definitions, which may use other terms in turn."""
    def term(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in terms:
            raise ValueError(f"unknown term {{{name}}} in pattern {pattern!r}")
        if name in seen:
            raise ValueError(f"term {{{name}}} is defined by itself")
        return _expand(terms[name], terms, (*seen, name))

    return _TERM.sub(term, pattern)


def compile_patterns(rule_id: str, patterns: list[str],
                     terms: dict[str, str] | None = None) -> tuple[re.Pattern[str], ...]:
    """One rule's patterns, ``{term}``s expanded, compiled ignoring case; ValueError if bad."""
    try:
        return tuple(re.compile(_expand(p, terms or {}), re.IGNORECASE) for p in patterns)
    except re.error as error:
        raise ValueError(f"rule {rule_id}: {error}") from error


def people_checks(people: dict[str, list[str]]) -> dict[str, Validator]:
    """Checks for the groups ``name`` (a known first name) and ``proper`` (a capitalised word
    that may be a name: not a known system, month or sentence opener)."""
    first = frozenset(people.get("first_names", ()))
    not_names = frozenset(people.get("not_names", ()))

    def given(words: str) -> str:
        parts = words.replace(".", " ").split()
        return parts[1] if len(parts) > 1 and parts[0] in _TITLES else parts[0]

    def is_name(words: str) -> bool:
        parts = words.replace(".", " ").split()
        return parts[0] in _TITLES or given(words) in first

    def may_be_name(words: str) -> bool:
        word = given(words)
        if word in first or words.split()[0] in _TITLES:
            return True
        return word not in not_names and not _SYSTEM_ENDINGS.search(word)

    return {"name": is_name, "proper": may_be_name}


def _leads(rule_id: str, patterns: list[str], terms: dict[str, str],
           cache: dict[str, re.Pattern[str]]) -> tuple[re.Pattern[str] | None, ...]:
    leads: list[re.Pattern[str] | None] = []
    for pattern in patterns:
        first = _LEADING_TERM.match(pattern)
        if first is None or first.group(1) not in terms:
            leads.append(None)
            continue
        name = first.group(1)
        if name not in cache:
            cache[name] = compile_patterns(rule_id, [f"(?=(?:{{{name}}}))"], terms)[0]
        leads.append(cache[name])
    return tuple(leads)


def rules_from(entries: list[dict[str, Any]], terms: dict[str, str],
               checks: Mapping[str, Validator] | None = None) -> tuple[Rule, ...]:
    """Rules from the ``rules`` list of a rules file."""
    cache: dict[str, re.Pattern[str]] = {}
    return tuple(Rule(entry["id"], compile_patterns(entry["id"], entry["patterns"], terms),
                      entry["why"], entry["suggestion"], entry.get("why_general", ""),
                      dict(checks or {}), _leads(entry["id"], entry["patterns"], terms, cache))
                 for entry in entries)


@lru_cache(maxsize=8)
def load_rules(path: Path = RULES_FILE) -> tuple[Rule, ...]:
    """The rules of one rules file, patterns compiled; raises ValueError on a bad file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return rules_from(data["rules"], data.get("terms", {}), people_checks(data.get("people", {})))


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


def quoted(words: str) -> str:
    """Words as a hint quotes them: on one line, and cut short when long."""
    words = " ".join(words.split())
    return words if len(words) <= _QUOTED_MAX else words[:_QUOTED_MAX - 1].rstrip() + "…"


def fill(template: str, match: str, subject: str = "") -> str:
    """``{match}`` and ``{subject}`` in a message replaced by the words typed."""
    values = {"match": quoted(match), "subject": quoted(subject or match)}
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def _passes(match: re.Match[str], checks: Mapping[str, Validator]) -> bool:
    groups = match.groupdict()
    return all(groups.get(name) is None or check(groups[name]) for name, check in checks.items())


# Words that start a subject in the middle of a sentence in lower case: "makes “the team” ...".
_LOWER_FIRST = frozenset((
    "he", "she", "they", "you", "someone", "somebody", "everyone", "everybody", "nobody", "no",
    "none", "the", "a", "an", "our", "their", "your", "his", "her", "my", "one", "some", "both",
    "each", "every", "that", "this", "these", "those", "another", "two", "three", "several",
    "many",
))


def _subject(match: re.Match[str]) -> str:
    groups = match.groupdict()
    subject = next((groups[g].strip(" ,") for g in ("subject", "subject2") if groups.get(g)), "")
    first = subject.split(" ", 1)[0]
    return subject[0].lower() + subject[1:] if first.lower() in _LOWER_FIRST else subject


def _matches(pattern: re.Pattern[str], text: str, checks: Mapping[str, Validator],
             starts: list[int] | None = None) -> list[re.Match[str]]:
    """Every match of ``pattern`` whose checked groups pass. A match that fails (say "Then
    Dana", not a name) is tried again one character on, where "Dana" may be found.

    With ``starts``, the pattern is tried only at those positions, in order.
    """
    found: list[re.Match[str]] = []
    if starts is not None:
        end = 0
        for start in starts:
            if start < end:
                continue
            match = pattern.match(text, start)
            if match is not None and match.end() > start and _passes(match, checks):
                found.append(match)
                end = match.end()
        return found
    position = 0
    while position <= len(text):
        match = pattern.search(text, position)
        if match is None:
            break
        if match.end() > match.start() and _passes(match, checks):
            found.append(match)
            position = match.end()
        else:
            position = match.start() + 1
    return found


def match_rules(text: str, rules: tuple[Rule, ...], family: str = "blameless",
                skip: list[tuple[int, int]] | None = None) -> list[Hint]:
    """Every match of every rule in ``text``, except those starting inside a ``skip`` span."""
    found: list[Hint] = []
    starts: dict[re.Pattern[str], list[int]] = {}
    for rule in rules:
        for pattern, lead in zip(rule.patterns, rule.leads or (None,) * len(rule.patterns),
                                 strict=True):
            if lead is not None and lead not in starts:
                starts[lead] = [m.start() for m in lead.finditer(text)]
            for match in _matches(pattern, text, rule.checks,
                                  starts[lead] if lead is not None else None):
                start, end = match.span()
                if any(a <= start < b for a, b in skip or ()):
                    continue
                words, subject = match.group(0), _subject(match)
                why = rule.why if subject or not rule.why_general else rule.why_general
                found.append(Hint(rule.id, start, end, words, fill(why, words, subject),
                                  fill(rule.suggestion, words, subject), family))
    return without_overlap(found)


def in_language(path: Path, language: str) -> Path:
    """The file of a language beside ``path`` ("blameless.fr.json"), or ``path`` itself when
    there is none: a report in a language without rules gets the English ones."""
    translated = path.with_name(f"{path.stem}.{language}{path.suffix}")
    return translated if language != "en" and translated.is_file() else path


def blameless_hints(text: str, rules: tuple[Rule, ...] | None = None,
                    language: str = "en") -> list[Hint]:
    """Every blaming phrase in ``text``, in reading order, never two on the same words; with
    the rules of ``language`` unless ``rules`` are given."""
    if not text or not text.strip():
        return []
    code = [m.span() for m in _CODE_SPAN.finditer(text)]  # `git blame` in code is not wording
    if rules is None:
        rules = load_rules(in_language(RULES_FILE, language))
    return match_rules(text, rules, skip=code)


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
    hints = {path: blameless_hints(text, language=report.language)
             for path, text in report_texts(report)}
    return {path: found for path, found in hints.items() if found}
