"""Is the report ready for review? The review criteria as checks, each tied to a field.

A check says what is expected (``label``), whether the report meets it, and, when it does not,
what to do (``advice``) and where (``field_id``, the id of the input or group on the page).

The checklist follows the writing advice: the apology is not done while the apology coach
flags it, a sentence that blames a person anywhere is a check of its own, and so are words a
client may not know in the client-facing parts. A hint the authors set aside with a reason
(``reports/set_aside.py``) stops counting: ``readiness`` takes the keys of those hints
(``hint_key``: the hint's rule and the words it found).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from reports.fields import LABELS
from reports.language import N_, duration_words, shown_language
from reports.language import say as _
from reports.metrics import incident_metrics
from reports.model import Report, TimelineEvent

from .blameless import Hint
from .client import report_text_hints

# A hint as the authors set it aside: (its rule, the words it found, spaces tidied).
HintKey = tuple[str, str]
MAX_WORDS = 500
_SPACES = re.compile(r"\s+")

# Who was affected: people, or the organisations they belong to.
_WHO = re.compile(
    r"\b(?:customers?|clients?|users?|people|persons?|visitors?|shoppers?|buyers?|members?|"
    r"subscribers?|merchants?|partners?|patients?|students?|staff|employees?|colleagues|teams?|"
    r"everyone|everybody|accounts?|tenants?|organi[sz]ations?|businesses|sellers?|drivers?|"
    r"passengers?|callers?|residents?|citizens?|applicants?|readers?|players?|agents?)\b",
    re.IGNORECASE,
)
_UNIT = r"(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?)"
# How long: "for 2 hours", "1 h 50 min", "45 minutes", "between 09:12 and 11:02", "all day".
_HOW_LONG = re.compile(
    rf"\b\d+(?:[.,]\d+)?\s*(?:{_UNIT}|h|min|s|d)\b"
    rf"|\b(?:an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
    rf"thirty|forty|forty-five|fifty|ninety|a few|several|half an?|many)\s+{_UNIT}\b"
    r"|\b\d{1,2}[:.h]\d{2}\b[^.\n]{0,40}?\b(?:to|until|till|and)\s+\d{1,2}[:.h]\d{2}\b"
    r"|\b\d{1,2}[:.h]\d{2}\s*[-–]\s*\d{1,2}[:.h]\d{2}\b"
    r"|\ball (?:day|night|morning|afternoon|evening|weekend)\b|\bovernight\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Check:
    """One review criterion and how this report stands against it."""

    id: str
    label: str
    met: bool
    field_id: str
    advice: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _written(text: str) -> bool:
    return bool(text and text.strip())


def _events(report: Report) -> list[TimelineEvent]:
    return [e for e in report.sorted_timeline() if _written(e.description) or e.at is not None]


def clean_words(words: str) -> str:
    """The words of a hint as they are kept to recognise it again: spaces tidied, not too long."""
    return _SPACES.sub(" ", words or "").strip()[:MAX_WORDS]


def hint_key(hint: Hint) -> HintKey:
    """What recognises a hint across saves: its rule and the words it found (for a whole-text
    hint, such as an apology that names no one, the words are empty)."""
    return (hint.rule_id, clean_words(hint.excerpt))


def counting(hints: list[Hint], set_aside: frozenset[HintKey]) -> list[Hint]:
    """The hints that still count: those the authors have not set aside."""
    return [hint for hint in hints if hint_key(hint) not in set_aside]


def input_id(path: str) -> str:
    """The page's input for a document path: "timeline.2.description" -> "timeline-2-description",
    "lessons.went_well" -> "went_well"."""
    return path.removeprefix("lessons.").replace(".", "-")


_ROW_NAMES = {"timeline": N_("timeline event %(number)s"), "factors": N_("factor %(number)s"),
              "actions": N_("action item %(number)s")}


def place(path: str) -> str:
    """Where a text is, in the page's words: "Our apology", "timeline event 3" (in the
    reader's language)."""
    parts = path.split(".")
    if len(parts) == 3 and parts[0] in _ROW_NAMES and parts[1].isdigit():
        return _(_ROW_NAMES[parts[0]], number=int(parts[1]) + 1)
    return _(LABELS.get(parts[-1], parts[-1]))


def _said(hint: Hint) -> str:
    return f"“{hint.excerpt[:60]}{'…' if len(hint.excerpt) > 60 else ''}”" if hint.excerpt \
        else hint.found.rstrip(".")


def _more(count: int) -> str:
    return "" if count <= 1 else _(" (%(count)s more after it)", count=count - 1)


@dataclass(frozen=True)
class Advice:
    """The writing hints that still count, as (document path, hint), in the order of the page."""

    hints: tuple[tuple[str, Hint], ...]

    def of(self, family: str, paths: tuple[str, ...] | None = None) -> list[tuple[str, Hint]]:
        return [(path, hint) for path, hint in self.hints
                if hint.family == family and (paths is None or path in paths)]


def _apology(report: Report, advice: Advice) -> Check:
    if not _written(report.apology):
        return Check("apology", _("An apology"), False, "apology",
                     _("Say sorry in part 1, plainly, and name who was affected."))
    flagged = advice.of("apology", ("apology",))
    if not flagged:
        return Check("apology", _("An apology"), True, "apology")
    first = flagged[0][1]
    return Check("apology", _("An apology"), False, "apology",
                 _("The apology coach still flags it: %(said)s%(more)s. Follow its advice, or "
                   "set a hint aside with a reason.", said=_said(first),
                   more=_more(len(flagged))))


def _plain_words(report: Report, advice: Advice) -> Check:
    label = _("The client-facing parts use plain words")
    flagged = advice.of("plain")
    if not flagged:
        return Check("plain_words", label, True, "summary")
    path, first = flagged[0]
    return Check("plain_words", label, False, input_id(path),
                 _("A client may not know %(said)s in %(place)s%(more)s. Explain it or say it "
                   "plainly, or set the hint aside with a reason.", said=_said(first),
                   place=place(path), more=_more(len(flagged))))


def _blameless(report: Report, advice: Advice) -> Check:
    label = _("No sentence blames a person")
    flagged = advice.of("blameless")
    if not flagged:
        return Check("blameless", label, True, "summary")
    path, first = flagged[0]
    return Check("blameless", label, False, input_id(path),
                 _("%(said)s in %(place)s points at a person%(more)s. Say what in our systems "
                   "let it happen, or set the hint aside with a reason (say, a quote from the "
                   "client).", said=_said(first), place=place(path), more=_more(len(flagged))))


def _summary_impact(report: Report) -> Check:
    missing = [name for name in ("summary", "impact") if not _written(getattr(report, name))]
    advice = {
        ("summary",): _("Write a summary: what went wrong, for how long, and how it was "
                        "fixed."),
        ("impact",): _("Describe the impact: who was affected, how, and for how long."),
        ("summary", "impact"): _("Write the summary and describe the impact."),
    }.get(tuple(missing), "")
    return Check("summary_impact", _("A summary and the impact"), not missing,
                 missing[0] if missing else "summary", advice)


def _impact_detail(report: Report) -> Check:
    who = bool(_WHO.search(report.impact))
    how_long = bool(_HOW_LONG.search(report.impact))
    total = duration_words(incident_metrics(report).total_duration, shown_language())
    example = _(" (the times above give %(total)s)", total=total) if total else ""
    if who and how_long:
        advice = ""
    elif who:
        advice = _("Say for how long people were affected%(example)s.", example=example)
    elif how_long:
        advice = _("Say who was affected, e.g. “customers paying by card”.")
    else:
        advice = _("Say who was affected and for how long%(example)s.", example=example)
    return Check("impact_detail", _("The impact says who was affected and for how long"),
                 who and how_long, "impact", advice)


def _timeline_start(report: Report) -> Check:
    events = [e for e in _events(report) if not e.outside_window]
    anchor = report.detected_at or report.started_at
    met = any(e.kind == "discovery" for e in events) or any(
        e.at is not None and anchor is not None and e.at <= anchor for e in events
    )
    advice = _("Add the first events: when it started or when it was noticed (choose "
               "“Discovery”).") if not events else _(
        "Add the moment the incident was noticed, as an event of the kind “Discovery”.")
    return Check("timeline_start",
                 _("The timeline starts when the incident began or was noticed"),
                 met, "timeline", "" if met else advice)


def _timeline_end(report: Report) -> Check:
    events = [e for e in _events(report) if not e.outside_window]
    resolved = report.resolved_at
    met = any(e.kind == "resolution" for e in events) or any(
        e.at is not None and resolved is not None and e.at >= resolved for e in events
    )
    return Check("timeline_end", _("The timeline ends when the incident was resolved"), met,
                 "timeline", "" if met else
                 _("Add the moment service was back to normal, as an event of the kind "
                   "“Resolution”."))


def _factors(report: Report) -> Check:
    met = any(_written(f.description) for f in report.factors)
    return Check("factors", _("At least one contributing factor"), met, "factors",
                 "" if met else _("Describe at least one condition that made the incident "
                                  "possible, worse or longer."))


def _root_cause(report: Report) -> Check:
    met = report.no_single_root_cause or any(
        f.root_cause and _written(f.description) for f in report.factors
    )
    return Check("root_cause", _("A root cause, or “no single root cause” ticked"), met,
                 "factors" if report.factors else "no_single_root_cause",
                 "" if met else _("Tick “This is a root cause” on a factor, or tick “There is "
                                  "no single root cause” if several things together led to "
                                  "the incident."))


def _actions_complete(report: Report) -> Check:
    label = _("Every action item has an owner, a priority and a due date")
    actions = report.actions
    if not actions:
        return Check("actions_complete", label, False, "actions",
                     _("Add at least one action item that makes a repeat less likely."))
    for number, action in enumerate(actions, start=1):
        gaps = [name for name, value in (("description", _written(action.description)),
                                         ("owner", _written(action.owner)),
                                         ("priority", action.priority),
                                         ("due", action.due)) if not value]
        if gaps:
            words = {"description": _("what will be done"), "owner": _("an owner"),
                     "priority": _("a priority"), "due": _("a due date")}
            listed = [words[g] for g in gaps]
            text = (_("%(items)s and %(last)s", items=", ".join(listed[:-1]), last=listed[-1])
                    if len(listed) > 1 else listed[0])
            return Check("actions_complete", label, False, f"actions-{number - 1}-{gaps[0]}",
                         _("Action item %(number)s needs %(what)s.", number=number, what=text))
    return Check("actions_complete", label, True, "actions")


def _root_causes_addressed(report: Report) -> Check:
    label = _("Every root cause is dealt with by an action item")
    addressed = {i for a in report.actions for i in a.addresses if 0 <= i < len(report.factors)}
    roots = [i for i, f in enumerate(report.factors) if f.root_cause]
    target = "actions-0-addresses" if report.actions else "actions"
    if roots:
        open_roots = [i for i in roots if i not in addressed]
        if not open_roots:
            return Check("root_causes_addressed", label, True, target)
        names = ", ".join(str(i + 1) for i in open_roots)
        return Check("root_causes_addressed", label, False, target,
                     _("Factor %(names)s (root cause) has no action item yet. In an action "
                       "item, tick it under “Deals with”.", names=names)
                     if len(open_roots) == 1 else
                     _("Factors %(names)s (root causes) have no action item yet. In an action "
                       "item, tick them under “Deals with”.", names=names))
    met = bool(addressed)
    return Check("root_causes_addressed", label, met, target, "" if met else
                 _("Link each action item to the factor it deals with, under “Deals with”."))


def _follow_up(report: Report) -> Check:
    met = report.follow_up_review_on is not None
    return Check("follow_up", _("A date for the follow-up review"), met, "follow_up_review_on",
                 "" if met else _("Choose when the team meets again to check the action "
                                  "items."))


CHECKS = (_summary_impact, _impact_detail, _timeline_start, _timeline_end, _factors,
          _root_cause, _actions_complete, _root_causes_addressed, _follow_up)
# Checks that follow the writing advice.
ADVICE_CHECKS = (_plain_words, _blameless)


def report_advice(report: Report, set_aside: frozenset[HintKey] = frozenset()) -> Advice:
    """The report's writing hints that still count, once those set aside are left out."""
    return Advice(tuple((path, hint) for path, hints in report_text_hints(report)
                        for hint in counting(hints, set_aside)))


def readiness(report: Report, set_aside: frozenset[HintKey] = frozenset()) -> list[Check]:
    """Every review criterion, in the order of the page, then the wording ones; ``set_aside``
    holds the keys (``hint_key``) of the hints the authors set aside with a reason."""
    advice = report_advice(report, set_aside)
    return [_apology(report, advice), *(check(report) for check in CHECKS),
            *(check(report, advice) for check in ADVICE_CHECKS)]
