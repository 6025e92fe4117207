"""Plain language for the client-facing parts: jargon, abbreviations, pasted system output, and
how easy each part is to read.

The glossary and detectors live in ``glossary.json`` beside this module (see
``docs/client-language.md``). Reading ease is Flesch's formula, computed by ``textstat``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .apology import word_count
from .blameless import Hint, compile_patterns, in_language, without_overlap

GLOSSARY_FILE = Path(__file__).with_name("glossary.json")

# Web addresses and Markdown link targets are for following, not reading: not checked.
# (Each alternative starts only where a word starts, so a long run of letters costs no more
# than its length.)
_LINKS = re.compile(r"\bhttps?://[^\s<>()]+|\bwww\.[^\s<>()]+|\]\([^)\s]*\)"
                    r"|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# After a term: an explanation in brackets, or "meaning ...", "which means ...", " – ...".
_EXPLAINED_AFTER = re.compile(
    r"\s*\((?=[^)\n]{0,80}?[^\W\d_]{2})"
    r"|[,:]?\s+(?:meaning|which\s+means|that\s+is,|i\.e\.|stands\s+for|is\s+short\s+for|means)\b"
    r"|\s+[–—]\s+\w|\s+-\s+[^\W\d_]",
    re.IGNORECASE,
)
_EXCERPT_MAX = 60
# Two or more words in capitals together are a heading or emphasis ("WHAT HAPPENED"), not
# abbreviations.
_SHOUTING = re.compile(r"\b[A-Z]{2,}(?:[ \t]+[A-Z]{2,})+\b")


@dataclass(frozen=True)
class Term:
    """A word a client may not know, and the plain words to offer instead."""

    id: str
    kind: str
    patterns: tuple[re.Pattern[str], ...]
    explanation: str


@dataclass(frozen=True)
class Detector:
    """Something pasted from our systems: host names, addresses, stack traces, commands."""

    id: str
    patterns: tuple[re.Pattern[str], ...]
    why: str
    suggestion: str
    explanation: str
    once: bool


@dataclass(frozen=True)
class Glossary:
    """The contents of one glossary file."""

    terms: tuple[Term, ...]
    detectors: tuple[Detector, ...]
    acronym: re.Pattern[str]
    known: frozenset[str]
    messages: dict[str, tuple[str, str]]
    language: str
    target: int
    min_words: int
    warn_below: int = 30
    long_sentence: int = 35
    # What the reading-ease line says, and the levels' names, in the glossary's language.
    reading: Mapping[str, str] = field(default_factory=dict)
    levels: Mapping[str, str] = field(default_factory=dict)

    def says(self, name: str) -> str:
        return self.reading.get(name) or READING_WORDS[name]


# The reading-ease line in English; a glossary in another language gives its own
# ("readability.messages"), with the same {names}.
READING_WORDS = {
    "too_short": "Reading ease is shown from {least} words; this part has {words}.",
    "on_target": ("Reading ease {score} ({level}) — on target: aim for {target} or more for a "
                  "general audience."),
    "readable": ("Reading ease {score} ({level}) — readable; the aim for a general audience is "
                 "{target} or more."),
    "long_sentence": ("Reading ease {score} ({level}), but one sentence is {length} words long: "
                      "“{sentence}” Split it into two or three."),
    "hard": ("Reading ease {score} ({level}) — hard going for a general audience. Start with "
             "the hardest sentence, “{sentence}” ({length} words): {fix}."),
    "split_fix": "split it, and say it with everyday words",
    "plain_fix": "say it with everyday words",
}


def _words_pattern(words: list[str], case_sensitive: bool) -> re.Pattern[str]:
    """One pattern for all the words of a term, as whole words, the longest tried first."""
    bodies = [r"\s+".join(re.escape(part) for part in word.split())
              for word in sorted(words, key=len, reverse=True)]
    return re.compile(rf"(?<!\w)(?:{'|'.join(bodies)})(?!\w)",
                      0 if case_sensitive else re.IGNORECASE)


@lru_cache(maxsize=8)
def load_glossary(path: Path = GLOSSARY_FILE) -> Glossary:
    """The glossary of one file, patterns compiled; raises ValueError on a bad file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    messages = {kind: (entry["why"], entry["suggestion"])
                for kind, entry in data["messages"].items()}
    terms = []
    for entry in data["terms"]:
        if entry["kind"] not in messages:
            raise ValueError(f"term {entry['id']}: no message for the kind {entry['kind']!r}")
        words = entry.get("words", [])
        patterns: tuple[re.Pattern[str], ...] = (
            (_words_pattern(words, bool(entry.get("case_sensitive"))),) if words else ())
        patterns += compile_patterns(entry["id"], entry.get("patterns", []))
        terms.append(Term(entry["id"], entry["kind"], patterns, entry["explanation"]))
    detectors = tuple(
        Detector(entry["id"], compile_patterns(entry["id"], entry["patterns"]), entry["why"],
                 entry["suggestion"], entry.get("explanation", ""), bool(entry.get("once")))
        for entry in data["detectors"]
    )
    acronyms = data["acronyms"]
    readability = data["readability"]
    return Glossary(
        tuple(terms), detectors, compile_patterns("acronyms", [acronyms["pattern"]])[0],
        frozenset(acronyms["known"]), messages, readability["language"],
        int(readability["target"]), int(readability["min_words"]),
        int(readability.get("warn_below", 30)), int(readability.get("long_sentence_words", 35)),
        readability.get("messages", {}),
        {english: readability.get("levels", {}).get(english, english) for _, english in _LEVELS},
    )


def _fill(template: str, term: str, explanation: str) -> str:
    return template.replace("{term}", term).replace("{explanation}", explanation)


def _short(excerpt: str) -> str:
    line = excerpt.strip().splitlines()[0] if excerpt.strip() else excerpt
    return line if len(line) <= _EXCERPT_MAX else line[:_EXCERPT_MAX - 1].rstrip() + "…"


def is_explained(text: str, start: int, end: int) -> bool:
    """Whether the words at ``text[start:end]`` come with their explanation.

    Either followed by one ("OOM (out of memory)", "OOM, meaning ...") or written in brackets
    after one ("the server ran out of memory (OOM)").
    """
    if _EXPLAINED_AFTER.match(text, end):
        return True
    before = text[:start].rstrip(" ")
    return before.endswith("(") and text[end:end + 1] == ")" and bool(
        re.search(r"[^\W\d_]{2}", before[-40:-1]))


def _candidates(text: str, glossary: Glossary, known: frozenset[str]) -> list[Hint]:
    """Every match, terms first, then detectors, then other abbreviations: on the same
    words, the first found wins."""
    found: list[Hint] = []
    for term in glossary.terms:
        why, suggestion = glossary.messages[term.kind]
        for pattern in term.patterns:
            for match in pattern.finditer(text):
                word = match.group(0)
                found.append(Hint(term.id, match.start(), match.end(), word,
                                  _fill(why, word, term.explanation),
                                  _fill(suggestion, word, term.explanation), "plain",
                                  explanation=term.explanation))
    for detector in glossary.detectors:
        for pattern in detector.patterns:
            for match in pattern.finditer(text):
                shown = _short(match.group(0))
                found.append(Hint(detector.id, match.start(), match.end(), match.group(0),
                                  _fill(detector.why, shown, detector.explanation),
                                  _fill(detector.suggestion, shown, detector.explanation),
                                  "plain", explanation=detector.explanation))
    why, suggestion = glossary.messages["unknown-acronym"]
    shouting = [m.span() for m in _SHOUTING.finditer(text)]
    for match in glossary.acronym.finditer(text):
        word = match.group(0)
        if word in known or word.rstrip("s") in known or any(
                a <= match.start() < b for a, b in shouting):
            continue
        found.append(Hint("acronym", match.start(), match.end(), word, _fill(why, word, ""),
                          _fill(suggestion, word, ""), "plain"))
    return [h for h in found if h.end > h.start]


def glossary_for(language: str) -> Glossary:
    """The glossary of a language (``glossary.fr.json``), else the English one."""
    return load_glossary(in_language(GLOSSARY_FILE, language))


def plain_hints(text: str, glossary: Glossary | None = None,
                known: frozenset[str] | set[str] = frozenset(),
                language: str = "en") -> list[Hint]:
    """Words a client may not know in ``text``, each once, in reading order.

    A term explained where it appears is not flagged, there or later in the text. ``known``
    adds abbreviations that are fine here, such as the client's own name in capitals.
    """
    if not text or not text.strip():
        return []
    glossary = glossary or glossary_for(language)
    links = [m.span() for m in _LINKS.finditer(text)]
    candidates = [h for h in _candidates(text, glossary, glossary.known | frozenset(known))
                  if not any(a <= h.start < b for a, b in links)]
    once = {d.id for d in glossary.detectors if d.once}
    explained: set[str] = set()
    seen: set[str] = set()
    kept: list[Hint] = []
    for hint in without_overlap(candidates):
        if hint.rule_id in once:
            key = hint.rule_id
        elif hint.rule_id in {"acronym", "hostname", "ip-address", "command"}:
            key = f"{hint.rule_id}:{hint.excerpt.casefold()}"
        else:
            key = hint.rule_id
        if key in explained:
            continue
        if hint.rule_id not in once and is_explained(text, hint.start, hint.end):
            explained.add(key)
            continue
        if key not in seen:
            seen.add(key)
            kept.append(hint)
    return kept


# ---- reading ease ----

_LEVELS = ((90, "very easy"), (80, "easy"), (70, "fairly easy"), (60, "plain English"),
           (50, "fairly difficult"), (30, "difficult"), (0, "very difficult"))
_MARKUP = re.compile(r"[*_#>`|~]+")
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")


@dataclass(frozen=True)
class Readability:
    """How easy one part is to read: Flesch Reading Ease from 0 (hard) to 100 (easy).

    ``score`` is None when the text is too short for the formula to mean much. ``hard`` says the
    part is clearly hard to read: its score is below ``warn_below``, or one sentence is longer
    than ``long_sentence`` words. Only then is the line a note to act on (``meets`` is False, and
    the page highlights it), naming the sentence to fix first (``hardest_sentence``, of
    ``hardest_words`` words). ``target`` is the score to aim for.
    """

    score: int | None
    level: str
    target: int
    words: int
    min_words: int
    meets: bool | None
    message: str
    hard: bool | None = None
    hardest_sentence: str = ""
    hardest_words: int = 0
    warn_below: int = 30
    long_sentence: int = 35

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def prose(text: str) -> str:
    """The text as sentences for the formula: no links or markup, each line or list item a
    sentence of its own."""
    text = _LINKS.sub(" ", text)
    sentences = []
    for line in text.splitlines():
        line = _MARKUP.sub("", _BULLET.sub("", line)).strip()
        if line:
            sentences.append(line if line[-1] in ".!?:;" else line + ".")
    return " ".join(sentences)


# A sentence ends at . ! or ? followed by a space and a capital, a digit or an opening quote:
# "e.g. for shoes" and "9 a.m. and" stay in one sentence.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])[)\"'”’]?\s+(?=[A-Z0-9“\"'(])")
# Scoring every sentence of a very long text would take too long; the longest ones are enough.
_MOST_SENTENCES_SCORED = 60
_QUOTE_MAX = 90
_SPLIT_FROM = 20  # words: a sentence this long is worth splitting


def sentences(cleaned: str) -> list[str]:
    """The sentences of a text already made into prose by ``prose``."""
    return [part.strip() for part in _SENTENCE_BREAK.split(cleaned) if part.strip()]


def _quote(sentence: str) -> str:
    return sentence if len(sentence) <= _QUOTE_MAX else sentence[:_QUOTE_MAX - 1].rstrip() + "…"


@lru_cache(maxsize=4)
def _textstat(language: str) -> Any:
    from textstat.textstat import textstatistics  # imported on first use: it loads a dictionary

    calculator = textstatistics()
    calculator.set_lang(language)
    return calculator


@lru_cache(maxsize=4)
def _warm(language: str) -> None:
    _textstat(language).flesch_reading_ease("Ready.")


def warm_up(glossary: Glossary | None = None) -> None:
    """Load the formula's pronouncing dictionary now: a second or two, once per process.

    The editor page calls this as it renders, so that no live update waits for it. It is not
    done in a background thread: a busy thread would slow every request while it runs.
    """
    _warm((glossary or load_glossary()).language)


def hardest_sentence(cleaned: str, language: str) -> tuple[str, int]:
    """The sentence to fix first, and its length in words: the one that costs a reader most,
    its own shortfall from an easy score (100 less its reading ease) times its length. A long
    sentence of long words comes first; a short one of long words comes before a long easy one
    only when its words are much harder."""
    found = sorted(sentences(cleaned), key=word_count, reverse=True)[:_MOST_SENTENCES_SCORED]
    if not found:
        return "", 0
    calculator = _textstat(language)
    hardest = max(found, key=lambda s: (100 - calculator.flesch_reading_ease(s)) * word_count(s))
    return hardest, word_count(hardest)


def readability(text: str, glossary: Glossary | None = None,
                language: str = "en") -> Readability | None:
    """Reading ease of ``text``; None for an empty text.

    A part gets a note to act on only when it is clearly hard (see ``Readability``): a score a
    little under the target is not worth an author's time.
    """
    glossary = glossary or glossary_for(language)
    says = glossary.says
    cleaned = prose(text or "")
    words = word_count(cleaned)
    target, least = glossary.target, glossary.min_words
    warn_below, long_sentence = glossary.warn_below, glossary.long_sentence
    if words == 0:
        return None
    if words < least:
        return Readability(None, "", target, words, least, None,
                           says("too_short").format(least=least, words=words),
                           warn_below=warn_below, long_sentence=long_sentence)
    raw = _textstat(glossary.language).flesch_reading_ease(cleaned)
    score = max(0, min(100, round(raw)))
    level = glossary.levels.get(
        next(name for floor, name in _LEVELS if score >= floor), "")
    longest = max((word_count(s) for s in sentences(cleaned)), default=0)
    hard = score < glossary.warn_below or longest > glossary.long_sentence
    if not hard:
        message = says("on_target" if score >= target else "readable").format(
            score=score, level=level, target=target)
        return Readability(score, level, target, words, least, True, message, False,
                           warn_below=warn_below, long_sentence=long_sentence)
    sentence, length = hardest_sentence(cleaned, glossary.language)
    if longest > glossary.long_sentence and score >= glossary.warn_below:
        sentence = max(sentences(cleaned), key=word_count)
        length = word_count(sentence)
        message = says("long_sentence").format(score=score, level=level, length=length,
                                               sentence=_quote(sentence))
    else:
        fix = says("split_fix" if length > _SPLIT_FROM else "plain_fix")
        message = says("hard").format(score=score, level=level, sentence=_quote(sentence),
                                      length=length, fix=fix)
    return Readability(score, level, target, words, least, False, message, True, sentence,
                       length, warn_below=warn_below, long_sentence=long_sentence)
