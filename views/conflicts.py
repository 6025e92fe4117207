"""When two people edit one report: what differs between their saved version and yours.

A stale save is refused (HTTP 409) and the page shows, part by part, both versions, so the author
decides what to keep and neither is lost. A part is one top-level input of the page's form (a
text, a date, a tick) or one whole list of rows (the timeline, the factors, the action items).

Two versions differ in a part when the page would post something different for it, so every
input the form has is compared, whatever its kind, including ticks that no text shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from wtforms import Field, Form
from wtforms.fields.choices import SelectFieldBase

from forms.report import INTERNAL_PART_FIELDS, ReportForm
from forms.walk import leaf_fields
from reports.exchange import zone
from reports.fields import LABELS as FIELD_LABELS
from reports.language import LANGUAGES, N_, say
from reports.model import ACTION_STATUSES, EVENT_KINDS, PRIORITIES, SEVERITIES, Report

Entry = tuple[str, str]


@dataclass(frozen=True)
class FieldDifference:
    id: str  # the input's id, or the row list's id (timeline, factors, actions)
    label: str
    mine: str
    theirs: str


# Every part of the page, in the page's order, with the name the author knows it by.
_TOP_LEVEL = ("title", "service", "severity", "audience", "language", "authors", "timezone",
              "started_at",
              "detected_at", "resolved_at", "apology", "summary", "impact", "timeline",
              "factors", "no_single_root_cause", "went_well", "went_wrong", "lucky", "actions",
              "follow_up_review_on", "follow_up_outcome", "follow_up_held_on")
_INTERNAL_TICKS = {"impact", "went_well", "went_wrong", "lucky"}
LABELS = {}
for _key in _TOP_LEVEL:
    LABELS[_key] = FIELD_LABELS[_key]
    if _key in _INTERNAL_TICKS:
        LABELS[f"{_key}_internal"] = f"{FIELD_LABELS[_key]}: internal only"


def label_words(key: str) -> str:
    """A part's name in the reader's language: "Impact", "Impact: internal only"."""
    if key.endswith("_internal") and key.removesuffix("_internal") in _INTERNAL_TICKS:
        return say(N_("%(part)s: internal only"),
                   part=say(FIELD_LABELS[key.removesuffix("_internal")]))
    return say(LABELS[key]) if key in LABELS else key

TICKED, NOT_TICKED = "Yes", "No"
INTERNAL_TAG = " (internal only)"


def _moment(report: Report, moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(zone(report)).strftime("%Y-%m-%d %H:%M")


def _tick(value: bool) -> str:
    return TICKED if value else NOT_TICKED


def _tags(*tags: tuple[bool, str]) -> str:
    return "".join(f" ({text})" for ticked, text in tags if ticked)


def report_texts(report: Report) -> dict[str, str]:
    """Every part of the report as plain text, keyed by the id of its input on the page."""
    timeline = [
        f"{_moment(report, e.at) or '(no time)'} · {EVENT_KINDS.get(e.kind, e.kind)} · "
        f"{e.description}"
        + _tags((e.contributing, "contributed"), (e.outside_window, "outside the incident window"),
                (e.internal, "internal only"))
        for e in report.sorted_timeline()
    ]
    factors = [
        f"{number}. {f.description}"
        + _tags((f.root_cause, "root cause"), (f.internal, "internal only"))
        for number, f in enumerate(report.factors, start=1)
    ]
    actions = [
        " · ".join(filter(None, [
            a.description, a.owner, PRIORITIES.get(a.priority or "", a.priority or ""),
            str(a.due or ""), a.ticket, ACTION_STATUSES.get(a.status, a.status),
            ("deals with factor " + ", ".join(str(i + 1) for i in a.addresses))
            if a.addresses else "",
        ])) + _tags((a.internal, "internal only"))
        for a in report.actions
    ]
    severity = SEVERITIES[report.severity][0] if report.severity in SEVERITIES else (
        report.severity or "")
    return {
        "title": report.title, "service": report.service, "severity": severity,
        "audience": report.audience, "language": LANGUAGES.get(report.language, ""),
        "authors": ", ".join(report.authors),
        "timezone": report.timezone, "started_at": _moment(report, report.started_at),
        "detected_at": _moment(report, report.detected_at),
        "resolved_at": _moment(report, report.resolved_at),
        "apology": report.apology, "summary": report.summary, "impact": report.impact,
        "timeline": "\n".join(timeline), "factors": "\n".join(factors),
        "no_single_root_cause": _tick(report.no_single_root_cause),
        "went_well": report.lessons.went_well, "went_wrong": report.lessons.went_wrong,
        "lucky": report.lessons.lucky, "actions": "\n".join(actions),
        "follow_up_review_on": str(report.follow_up_review_on or ""),
        "follow_up_outcome": report.follow_up_outcome,
        "follow_up_held_on": str(report.follow_up_held_on or ""),
        **{name: _tick(report.is_internal(part)) for part, name in INTERNAL_PART_FIELDS.items()},
    }


def posted_entries(field: Field) -> list[Entry]:
    """What a browser posts for one input as the page draws it, from the kind of its widget.

    A field may say it itself with a ``posted_entries()`` method (the action items' links to
    factors are one checkbox per factor, each with its own name).
    """
    own = getattr(field, "posted_entries", None)
    if callable(own):
        return list(own())
    widget = getattr(field, "widget", None)
    input_type = getattr(widget, "input_type", None)
    if field.type == "CSRFTokenField" or input_type in ("submit", "file"):
        return []
    if input_type in ("checkbox", "radio") and not isinstance(field, SelectFieldBase):
        ticked = getattr(field, "checked", field.data)
        return [(field.name, field._value())] if ticked else []
    if isinstance(field, SelectFieldBase):  # a select, radio buttons, a multiple select
        chosen = [(field.name, str(choice[0])) for choice in field.iter_choices() if choice[2]]
        option_type = getattr(getattr(field, "option_widget", None), "input_type", None)
        if chosen or getattr(widget, "multiple", False) or option_type in ("radio", "checkbox"):
            return chosen
        # A single select with none of its options chosen shows, and posts, the first one.
        first = next(iter(field.iter_choices()), None)
        return [(field.name, "" if first is None else str(first[0]))]
    if hasattr(field, "_value"):
        return [(field.name, field._value())]
    return [(field.name, "" if field.data is None else str(field.data))]


def _form(report: Report) -> Form:
    return ReportForm.for_report(report, formdata=None, meta={"csrf": False})


def form_entries(report: Report) -> list[Entry]:
    """The report as the (name, value) pairs its form would post, for the page to put back."""
    return [entry for field in leaf_fields(_form(report)) for entry in posted_entries(field)]


def _parts(report: Report) -> Iterator[tuple[str, str, list[Entry]]]:
    """Each top-level part of the form as (id, label, what the page would post for it)."""
    for part in _form(report):
        if part.type == "CSRFTokenField":
            continue
        entries = [entry for field in leaf_fields_of(part) for entry in posted_entries(field)]
        yield part.id, part.label.text, entries


def leaf_fields_of(part: Field) -> Iterator[Field]:
    """The inputs of one part: itself, or every input of every row of a row list."""
    if hasattr(part, "entries"):
        for row in part.entries:
            yield from leaf_fields(row.form)
    else:
        yield part


def _same(mine: list[Entry], theirs: list[Entry]) -> bool:
    """Equal but for spaces around a value, which the author cannot see."""
    return [(n, v.strip()) for n, v in mine] == [(n, v.strip()) for n, v in theirs]


def differences(mine: Report, theirs: Report) -> list[FieldDifference]:
    """Every part of the page where the two versions differ, in the page's order."""
    mine_parts = {key: (label, entries) for key, label, entries in _parts(mine)}
    theirs_parts = {key: entries for key, _label, entries in _parts(theirs)}
    mine_texts, theirs_texts = report_texts(mine), report_texts(theirs)
    found = []
    for key in [*LABELS, *(key for key in mine_parts if key not in LABELS)]:
        label, mine_entries = mine_parts[key]
        theirs_entries = theirs_parts[key]
        if _same(mine_entries, theirs_entries):
            continue
        mine_text, theirs_text = mine_texts.get(key), theirs_texts.get(key)
        if mine_text is None or theirs_text is None or mine_text.strip() == theirs_text.strip():
            # A part no text describes, or a difference the text leaves out: show the inputs.
            mine_text, theirs_text = _plain(mine_entries), _plain(theirs_entries)
        found.append(FieldDifference(key, label_words(key) if key in LABELS else label,
                                     mine_text, theirs_text))
    return found


def _plain(entries: list[Entry]) -> str:
    return "\n".join(f"{name}: {value}" for name, value in entries)
