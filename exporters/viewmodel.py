"""The report as every export shows it: cleaned text, local times, labels, what is missing.

One view-model feeds the HTML (and so the PDF) and the Markdown templates, so the formats carry
the same content. Free text is held twice: as sanitised HTML (``reports.markdown``) and as the
author's Markdown with HTML escaped (``exporters.text``).

Items marked internal are dropped here, and only here, for the client copy: the templates never
see them, factors are renumbered and actions' links to dropped factors go. A part whose whole
content is internal is listed in ``left_out`` so its heading goes too: the client copy says
nothing about what it does not contain. The internal copy keeps everything and tags it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

from reports import language as lang
from reports.attachments import current_figures
from reports.exchange import is_timezone, is_web_link, zone
from reports.fields import DOCUMENT_LABELS
from reports.language import N_
from reports.markdown import FigureSource, render_markdown
from reports.model import (
    ACTION_STATUSES,
    CLIENT_COPY,
    COPIES,
    EVENT_KINDS,
    INTERNAL_COPY,
    INTERNAL_PARTS,
    PRIORITIES,
    SEVERITIES,
    STATUSES,
    Report,
    TimelineEvent,
)

from .text import clean, markdown_block, markdown_cell, one_line

NOT_WRITTEN = N_("Not written yet.")


class Words:
    """The words of one language, for one document: ``words("Timeline")``."""

    def __init__(self, language: str) -> None:
        self.language = lang.known_language(language)
        self._catalogue = lang.translations_for(self.language)

    def __call__(self, message: str, **values: Any) -> str:
        text = self._catalogue.gettext(message) if message else message
        return text % values if values else text

    def plural(self, singular: str, plural: str, count: int, **values: Any) -> str:
        return self._catalogue.ngettext(singular, plural, count) % {"n": count, **values}


@dataclass(frozen=True)
class Prose:
    """A piece of the author's Markdown, ready for each format."""

    html: Markup
    markdown: str
    cell: str  # the Markdown on one line, for a table cell

    @property
    def written(self) -> bool:
        return bool(self.markdown)


def prose(text: str | None, figures: FigureSource | None = None) -> Prose:
    """``figures``: the report's images this copy may show (``![caption](attachment:N)``)."""
    cleaned = clean(text)
    return Prose(
        html=render_markdown(cleaned, figures),
        markdown=markdown_block(cleaned),
        cell=markdown_cell(cleaned),
    )


@dataclass(frozen=True)
class EventView:
    time: str  # local time, "" when the author gave none
    iso: str  # the moment as ISO 8601, for <time datetime>
    kind: str
    description: Prose
    contributing: bool
    internal: bool = False  # only ever True in the internal copy


@dataclass(frozen=True)
class FactorView:
    number: int
    description: Prose
    root_cause: bool
    internal: bool = False


@dataclass(frozen=True)
class ActionView:
    number: int
    description: Prose
    owner: str
    priority: str
    due: str
    status: str
    ticket: str  # a web link, or "" (anything else the author typed is dropped)
    ticket_label: str
    addresses: str  # "factor 2", "factors 1 and 3", or ""
    internal: bool = False
    priority_key: str = ""  # "high", "medium", "low" or "": for the style, in any language


@dataclass(frozen=True)
class LessonView:
    heading: str
    text: Prose
    internal: bool = False


@dataclass(frozen=True)
class Fact:
    label: str
    value: str  # "" when unknown; the template says so
    wide: bool = False


@dataclass(frozen=True)
class ReportView:
    title: str
    has_title: bool
    lang: str
    status: str
    status_label: str
    is_draft: bool
    service: str
    severity: str
    severity_meaning: str
    audience: str
    authors: list[str]
    timezone: str
    facts: list[Fact]
    apology: Prose
    summary: Prose
    impact: Prose
    timeline: list[EventView]
    timeline_day: str  # the one day all events fall on, or "" when times carry their date
    # The zone's names over the timeline: "CEST", or "CEST, then CET" when the clocks changed
    # (each time then names its own).
    timeline_zones: str
    contributing_count: int
    factors: list[FactorView]
    root_cause_count: int
    no_single_root_cause: bool  # the authors looked and agree there is no single root cause
    went_well: Prose
    went_wrong: Prose
    lucky: Prose
    actions: list[ActionView]
    follow_up: str
    exported_on: str
    description: str  # one line for the document's metadata
    copy: str = CLIENT_COPY
    # Parts of this copy left out whole, heading and all: "impact", "lessons.lucky", "lessons",
    # "timeline", "factors", "actions". Only ever set in the client copy.
    left_out: frozenset[str] = frozenset()
    # Free-text parts tagged internal; only ever set in the internal copy.
    internal_parts: frozenset[str] = frozenset()
    # Whether a root cause is marked anywhere in the report, shown or not.
    has_root_cause: bool = False
    lessons: tuple[LessonView, ...] = ()  # the lessons this copy shows, in order
    # The follow-up review once held: its day ("" before), and what it found.
    follow_up_held_on: str = ""
    follow_up_outcome: Prose = Prose(Markup(""), "", "")
    not_written: str = NOT_WRITTEN

    def t(self, message: str, **values: Any) -> str:
        """A message in the report's language (the document templates' ``_``)."""
        return Words(self.lang)(message, **values)

    @property
    def is_internal_copy(self) -> bool:
        return self.copy == INTERNAL_COPY

    @property
    def lessons_written(self) -> bool:
        return self.went_well.written or self.went_wrong.written or self.lucky.written


def _day(moment: date, language: str = "en") -> str:
    return lang.day(moment, language)


def zone_name(local: datetime) -> str:
    """The zone a local time is in, as a reader knows it: "CEST", "JST", or "UTC+5:30" where
    the zone has no letters of its own (the database writes those as "+0530")."""
    name = local.tzname() or ""
    if name.isalpha():
        return name
    offset = local.utcoffset()
    minutes = round(offset.total_seconds() / 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "") if minutes else "UTC"


def _moment(moment: datetime | None, tz: ZoneInfo, language: str = "en") -> str:
    """A moment in the report's zone, the zone named: "3 October 2026, 08:00 CEST" /
    "3 octobre 2026, 08 h 00 CEST" (the time and its zone joined by a no-break space, so a
    narrow column never parts them)."""
    if moment is None:
        return ""
    local = moment.astimezone(tz)
    return f"{_day(local, language)}, {lang.clock(local, language)}\u00a0{zone_name(local)}"


def _local(moment: datetime, timezone: str) -> datetime:
    tz = ZoneInfo(timezone if is_timezone(timezone) else "UTC")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(tz)


def local_time(moment: datetime, timezone: str, language: str = "en") -> str:
    """A moment (an export's, a save's) in a report's zone, the zone named, for the pages that
    list them: "3 Oct 2026 at 10:15 CEST" / "3 oct. 2026 à 10 h 15 CEST". A naive moment is
    taken as UTC (as stored)."""
    local = _local(moment, timezone)
    return Words(language)(N_("%(day)s at %(time)s"), day=lang.day(local, language, "short"),
                           time=local_clock(moment, timezone, language))


def local_clock(moment: datetime, timezone: str, language: str = "en") -> str:
    """Only the time of day of ``local_time``, the zone named: "10:15 CEST"."""
    local = _local(moment, timezone)
    return f"{lang.clock(local, language)} {zone_name(local)}"


def _exported_on(moment: date | datetime | None, tz: ZoneInfo, language: str = "en") -> str:
    if moment is None:
        moment = datetime.now(UTC)
    if isinstance(moment, datetime):
        return _moment(moment if moment.tzinfo else moment.replace(tzinfo=UTC), tz, language)
    return _day(moment, language)


def _duration(start: datetime | None, end: datetime | None, language: str = "en") -> str:
    """How long, in the words used everywhere (``reports.metrics.format_duration``)."""
    if start is None or end is None:
        return ""
    # On UTC instants: two times in one zone subtract as wall-clock times across a DST change.
    return lang.duration_words(end.astimezone(UTC) - start.astimezone(UTC), language)


def _ticket_label(url: str) -> str:
    """A short name for a ticket link: its last path segment, else its host."""
    tail = url.split("?")[0].split("#")[0].rstrip("/").rsplit("/", 1)
    label = tail[-1] if len(tail) == 2 and tail[0].count("/") >= 2 else ""
    return one_line(label)[:24] or one_line(url.split("/")[2])[:40]


def _addresses(positions: Sequence[int], numbers_by_position: dict[int, int],
               words: Words | None = None) -> str:
    """Which factors an action deals with, by their number in this copy: "factors 1 and 3"."""
    words = words or Words("en")
    numbers = sorted({numbers_by_position[p] for p in positions if p in numbers_by_position})
    if not numbers:
        return ""
    if len(numbers) == 1:
        return words(N_("factor %(number)s"), number=numbers[0])
    return words(N_("factors %(first)s and %(last)s"),
                 first=", ".join(map(str, numbers[:-1])), last=numbers[-1])


def _ticket(url: str) -> str:
    """The ticket's address if it is a clean web link, else "" (it is then not shown)."""
    cleaned = one_line(url)
    return cleaned if cleaned == url.strip() and " " not in cleaned and is_web_link(cleaned) else ""


def _timeline(
    events: list[TimelineEvent], tz: ZoneInfo, figures: FigureSource | None = None,
    words: Words | None = None,
) -> tuple[list[EventView], str, str]:
    """The rows, the one day they all fall on (or ""), and the one zone name they all share
    (or "" when the clocks changed during the timeline: then each time names its own)."""
    moments = [e.at.astimezone(tz) for e in events if e.at is not None]
    days = {local.date() for local in moments}
    one_day = len(days) == 1
    names = list(dict.fromkeys(zone_name(local) for local in sorted(moments)))
    one_zone = len(names) <= 1
    words = words or Words("en")
    language = words.language
    views = []
    for event in events:
        time = iso = ""
        if event.at is not None:
            local = event.at.astimezone(tz)
            time = lang.clock(local, language)
            if not one_day:
                time = f"{lang.day_and_month(local, language)} {time}"
            if not one_zone:
                time += f" {zone_name(local)}"
            iso = local.isoformat()
        views.append(
            EventView(
                time=time, iso=iso, kind=words(EVENT_KINDS.get(event.kind, "Other")),
                description=prose(event.description, figures), contributing=event.contributing,
                internal=event.internal,
            )
        )
    return (views, (_day(next(iter(days)), language) if one_day else ""),
            words(N_(", then ")).join(names))


def _left_out(report: Report, kept: dict[str, Sequence[object]]) -> set[str]:
    """What the client copy leaves out whole: internal parts, and lists or lessons that are
    written but hold nothing for the client."""
    left_out = set(report.internal_parts)
    lists = {"timeline": report.timeline, "factors": report.factors, "actions": report.actions}
    left_out |= {name for name, rows in lists.items() if rows and not kept[name]}
    lessons = {"went_well": report.lessons.went_well, "went_wrong": report.lessons.went_wrong,
               "lucky": report.lessons.lucky}
    shown = [text for name, text in lessons.items() if f"lessons.{name}" not in left_out]
    if len(shown) < len(lessons) and not any(clean(text).strip() for text in shown):
        left_out.add("lessons")
    return left_out


def build(
    report: Report, *, exported_on: date | datetime | None = None, copy: str = CLIENT_COPY
) -> ReportView:
    """The view-model of one report in one copy; never fails on a half-written one.

    Every time is in the report's zone with the zone named. ``exported_on`` is the moment of
    the export (now by default), or only a day.
    """
    if copy not in COPIES:
        raise ValueError(f"unknown copy {copy!r}")
    internal_copy = copy == INTERNAL_COPY
    figures = current_figures()  # the report's images, while a page or an export is drawn
    shown = figures.shown_in(copy) if figures is not None else None
    events = [e for e in report.sorted_timeline() if internal_copy or not e.internal]
    kept_factors = [(p, f) for p, f in enumerate(report.factors) if internal_copy or not f.internal]
    kept_actions = [a for a in report.actions if internal_copy or not a.internal]
    left_out = set() if internal_copy else _left_out(
        report, {"timeline": events, "factors": kept_factors, "actions": kept_actions}
    )

    def part(name: str, text: str) -> Prose:
        return prose("" if name in left_out else text, shown)

    tz = zone(report)
    words = Words(report.language)
    language = words.language
    title = one_line(report.title)
    severity_label, severity_meaning = (
        words(text) for text in SEVERITIES.get(report.severity or "", ("", "")))
    status_label = words(STATUSES.get(report.status, "Draft"))
    timeline, timeline_day, timeline_zones = _timeline(events, tz, shown, words)
    authors = [name for name in (one_line(a) for a in report.authors) if name]
    facts = [
        Fact(words(N_("Service")), one_line(report.service)),
        Fact(words(N_("Severity")), severity_label),
        Fact(words(N_("Status")), status_label),
        Fact(words(DOCUMENT_LABELS["audience"]), one_line(report.audience)),
        Fact(words(N_("Started")), _moment(report.started_at, tz, language)),
        Fact(words(N_("Detected")), _moment(report.detected_at, tz, language)),
        Fact(words(N_("Resolved")), _moment(report.resolved_at, tz, language)),
        Fact(words(N_("Duration")), _duration(report.started_at, report.resolved_at, language)),
        Fact(words(N_("Written by")), ", ".join(authors), wide=True),
        Fact(words(N_("Noticed after")),
             _duration(report.started_at, report.detected_at, language)),
        Fact(words(N_("Time zone")), tz.key),
    ]
    numbers_by_position = {p: n for n, (p, _) in enumerate(kept_factors, start=1)}
    actions = [
        ActionView(
            number=number,
            description=prose(action.description, shown),
            owner=one_line(action.owner),
            priority=words(PRIORITIES.get(action.priority or "", "")),
            priority_key=action.priority if action.priority in PRIORITIES else "",
            due=lang.day(action.due, language, "short") if action.due else "",
            status=words(ACTION_STATUSES.get(action.status, "")),
            ticket=_ticket(action.ticket),
            ticket_label=_ticket_label(_ticket(action.ticket)) if _ticket(action.ticket) else "",
            addresses=_addresses(action.addresses, numbers_by_position, words),
            internal=action.internal,
        )
        for number, action in enumerate(kept_actions, start=1)
    ]
    factors = [
        FactorView(number, prose(f.description, shown), f.root_cause, internal=f.internal)
        for number, (_, f) in enumerate(kept_factors, start=1)
    ]
    display_title = title or words(N_("Untitled report"))
    service = one_line(report.service)
    return ReportView(
        title=display_title,
        has_title=bool(title),
        lang=language,
        status=report.status,
        status_label=status_label,
        is_draft=report.status != "published",
        service=service,
        severity=severity_label,
        severity_meaning=severity_meaning,
        audience=one_line(report.audience),
        authors=authors,
        timezone=tz.key,
        facts=facts,
        apology=prose(report.apology, shown),
        summary=prose(report.summary, shown),
        impact=part("impact", report.impact),
        timeline=timeline,
        timeline_day=timeline_day,
        timeline_zones=timeline_zones,
        contributing_count=sum(1 for e in timeline if e.contributing),
        factors=factors,
        root_cause_count=sum(1 for f in factors if f.root_cause),
        no_single_root_cause=report.no_single_root_cause,
        went_well=part("lessons.went_well", report.lessons.went_well),
        went_wrong=part("lessons.went_wrong", report.lessons.went_wrong),
        lucky=part("lessons.lucky", report.lessons.lucky),
        actions=actions,
        follow_up=(_day(report.follow_up_review_on, language)
                   if report.follow_up_review_on else ""),
        follow_up_held_on=(_day(report.follow_up_held_on, language)
                           if report.follow_up_held_on else ""),
        follow_up_outcome=prose(report.follow_up_outcome, shown),
        exported_on=_exported_on(exported_on, tz, language),
        description=(words(N_("Incident report on %(service)s: %(title)s"), service=service,
                           title=display_title) if service
                     else words(N_("Incident report: %(title)s"), title=display_title)),
        copy=copy,
        left_out=frozenset(left_out),
        internal_parts=frozenset(report.internal_parts if internal_copy else ()),
        has_root_cause=any(f.root_cause for f in report.factors),
        lessons=tuple(
            LessonView(words(INTERNAL_PARTS[name]), part(name, text),
                       internal=internal_copy and report.is_internal(name))
            for name, text in (("lessons.went_well", report.lessons.went_well),
                               ("lessons.went_wrong", report.lessons.went_wrong),
                               ("lessons.lucky", report.lessons.lucky))
            if name not in left_out
        ),
        not_written=words(NOT_WRITTEN),
    )
