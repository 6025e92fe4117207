"""The guided page's form: one class per part, rows as FieldList(FormField(...))."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.fields.core import UnboundField
from wtforms.validators import URL, Length, Optional, ValidationError

from reports import limits
from reports.exchange import ROW_ID, is_timezone
from reports.fields import LABELS
from reports.fields import ROW_LISTS as FIELD_ROW_LISTS
from reports.language import LANGUAGES
from reports.model import (
    ACTION_STATUSES,
    EVENT_KINDS,
    PRIORITIES,
    SEVERITIES,
    ActionItem,
    Factor,
    Lessons,
    Report,
    TimelineEvent,
    new_row_id,
)

from .fields import CleanForm, LocalDateField, LocalDateTimeField, NamesField
from .links import FactorLinksField
from .rows import RowList

SHORT = Length(max=limits.MAX_SHORT_TEXT,
               message=lazy_gettext("Keep this under %(max)d characters."))
LONG = Length(max=limits.MAX_LONG_TEXT,
              message=lazy_gettext("This is too long: at most %(max)d characters."))


def _label(name: str) -> Any:
    """An input's name from ``reports.fields.LABELS``, in the page's language when shown."""
    return lazy_gettext(LABELS[name])


def _list_label(name: str) -> Any:
    """A list of rows' heading (``reports.fields.ROW_LISTS``). Without one, WTForms makes one
    from the name through its own translations, which it loads from disk for every request."""
    return lazy_gettext(FIELD_ROW_LISTS[name][0])


INTERNAL_LABEL = _label("internal")
# The checkbox of each free-text part that can be internal, by the part's name in the report.
INTERNAL_PART_FIELDS = {
    "impact": "impact_internal",
    "lessons.went_well": "went_well_internal",
    "lessons.went_wrong": "went_wrong_internal",
    "lessons.lucky": "lucky_internal",
}


def _internal_checkbox() -> BooleanField:
    """An "internal only" checkbox; ``data-internal`` lets the page's style mark what it holds."""
    return BooleanField(INTERNAL_LABEL, render_kw={"data-internal": ""})


def _text(field: Field, strip: bool = False) -> str:
    """A text field's value; a field left out of the post counts as empty."""
    value = field.data or ""
    return value.strip() if strip else value


def _row_id() -> HiddenField:
    """The row's stable id (empty on a row the page has just added: the server names it)."""
    return HiddenField()


def _ids(rows: list[Field]) -> list[str]:
    """The posted rows' ids; a row without a usable id, or repeating one, gets a new one."""
    seen: set[str] = set()
    ids = []
    for row in rows:
        value = (row.form.id.data or "").strip()
        if not ROW_ID.match(value) or value in seen:
            value = new_row_id()
        seen.add(value)
        ids.append(value)
    return ids


def _choices(vocabulary: dict[str, str], blank: Any = None) -> list[SelectChoice]:
    """A select's options; the words, marked in reports/model.py, shown in the page's language."""
    options = [SelectChoice("", blank)] if blank is not None else []
    return options + [SelectChoice(value, lazy_gettext(label))
                      for value, label in vocabulary.items()]


class TimelineEventForm(CleanForm):
    at = LocalDateTimeField(_label("timeline.at"))
    kind = SelectField(_label("timeline.kind"), choices=_choices(EVENT_KINDS), default="other")
    description = TextAreaField(_label("timeline.description"), validators=[LONG])
    contributing = BooleanField(_label("timeline.contributing"))
    outside_window = BooleanField(_label("timeline.outside_window"))
    internal = _internal_checkbox()
    id = _row_id()


class FactorForm(CleanForm):
    description = TextAreaField(_label("factors.description"), validators=[LONG])
    root_cause = BooleanField(_label("factors.root_cause"))
    internal = _internal_checkbox()
    id = _row_id()


class ActionItemForm(CleanForm):
    description = TextAreaField(_label("actions.description"), validators=[LONG])
    owner = StringField(_label("actions.owner"), validators=[SHORT])
    priority = SelectField(_label("actions.priority"),
                           choices=_choices(PRIORITIES, lazy_gettext("Not set yet")), default="")
    due = LocalDateField(_label("actions.due"))
    ticket = StringField(
        _label("actions.ticket"),
        validators=[
            Optional(),
            Length(max=limits.MAX_URL),
            URL(require_tld=False,
                message=lazy_gettext("Enter a full web address, starting with https://")),
        ],
    )
    status = SelectField(_label("actions.status"), choices=_choices(ACTION_STATUSES),
                         default="proposed")
    addresses = FactorLinksField(_label("actions.addresses"))
    internal = _internal_checkbox()
    id = _row_id()


def aware_in(field: LocalDateTimeField, zone: ZoneInfo) -> datetime | None:
    """A local date and time typed on the page, in the report's zone."""
    naive = field.as_naive()
    return None if naive is None else naive.replace(tzinfo=zone)


# One validated row form as a row of the report (the whole page and a page's changes alike).
def timeline_event(row: TimelineEventForm, zone: ZoneInfo, row_id: str) -> TimelineEvent:
    return TimelineEvent(
        at=aware_in(row.at, zone), kind=row.kind.data or "other",
        description=_text(row.description), contributing=bool(row.contributing.data),
        outside_window=bool(row.outside_window.data), internal=bool(row.internal.data),
        id=row_id,
    )


def factor(row: FactorForm, row_id: str) -> Factor:
    return Factor(description=_text(row.description), root_cause=bool(row.root_cause.data),
                  internal=bool(row.internal.data), id=row_id)


def action_item(row: ActionItemForm, row_id: str, factor_count: int) -> ActionItem:
    return ActionItem(
        description=_text(row.description), owner=_text(row.owner, strip=True),
        priority=row.priority.data or None, due=row.due.as_date(),
        ticket=_text(row.ticket, strip=True), status=row.status.data or "proposed",
        addresses=tuple(i for i in row.addresses.data or [] if i < factor_count),
        internal=bool(row.internal.data), id=row_id,
    )


def usable_row_id(value: str | None) -> str | None:
    """A posted row id, if it can name a row."""
    value = (value or "").strip()
    return value if ROW_ID.match(value) else None


class ReportForm(CleanForm, FlaskForm):
    # About the incident
    title = StringField(_label("title"), validators=[SHORT])
    service = StringField(_label("service"), validators=[SHORT])
    severity = SelectField(_label("severity"), choices=_choices(
        {key: label for key, (label, _) in SEVERITIES.items()}, lazy_gettext("Not decided yet")),
        default="")
    audience = StringField(_label("audience"), validators=[SHORT])
    # The client's language, which the exports and the writing advice follow; each language
    # named in its own words.
    language = SelectField(_label("language"),
                           choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()],
                           default="en")
    authors = NamesField(_label("authors"))
    timezone = StringField(_label("timezone"), default="UTC")
    started_at = LocalDateTimeField(_label("started_at"))
    detected_at = LocalDateTimeField(_label("detected_at"))
    resolved_at = LocalDateTimeField(_label("resolved_at"))
    # 1. Apologise
    apology = TextAreaField(_label("apology"), validators=[LONG])
    # 2. Show we understand what happened
    summary = TextAreaField(_label("summary"), validators=[LONG])
    impact = TextAreaField(_label("impact"), validators=[LONG])
    impact_internal = _internal_checkbox()
    timeline = RowList(FormField(TimelineEventForm), label=_list_label("timeline"))
    factors = RowList(FormField(FactorForm), label=_list_label("factors"))
    no_single_root_cause = BooleanField(_label("no_single_root_cause"))
    went_well = TextAreaField(_label("went_well"), validators=[LONG])
    went_wrong = TextAreaField(_label("went_wrong"), validators=[LONG])
    lucky = TextAreaField(_label("lucky"), validators=[LONG])
    went_well_internal = _internal_checkbox()
    went_wrong_internal = _internal_checkbox()
    lucky_internal = _internal_checkbox()
    # 3. Prevent it happening again
    actions = RowList(FormField(ActionItemForm), label=_list_label("actions"))
    follow_up_review_on = LocalDateField(_label("follow_up_review_on"))
    follow_up_outcome = TextAreaField(_label("follow_up_outcome"), validators=[LONG])
    follow_up_held_on = LocalDateField(_label("follow_up_held_on"))

    def validate_timezone(self, field: StringField) -> None:
        if field.data and not is_timezone(field.data.strip()):
            raise ValidationError(
                gettext("Choose a time zone from the list, for example Europe/London or UTC.")
            )

    def validate_authors(self, field: NamesField) -> None:
        if len(field.data or []) > limits.MAX_AUTHORS:
            raise ValidationError(gettext("List at most %(most)s names.",
                                          most=limits.MAX_AUTHORS))
        if any(len(name) > limits.MAX_SHORT_TEXT for name in field.data or []):
            raise ValidationError(gettext("One of the names is too long."))

    @classmethod
    def for_report(cls, report: Report, **kwargs) -> ReportForm:
        """A form filled from a stored report, times shown in the report's own time zone."""
        zone = ZoneInfo(report.timezone if is_timezone(report.timezone) else "UTC")

        def local(moment: datetime | None) -> datetime | None:
            return None if moment is None else moment.astimezone(zone).replace(tzinfo=None)

        data = {
            "title": report.title, "service": report.service,
            "severity": report.severity or "", "audience": report.audience,
            "authors": report.authors, "timezone": report.timezone,
            "language": report.language,
            "started_at": local(report.started_at), "detected_at": local(report.detected_at),
            "resolved_at": local(report.resolved_at),
            "apology": report.apology, "summary": report.summary, "impact": report.impact,
            "timeline": [
                {"at": local(e.at), "kind": e.kind, "description": e.description,
                 "contributing": e.contributing, "outside_window": e.outside_window,
                 "internal": e.internal, "id": e.id}
                for e in report.sorted_timeline()
            ],
            "factors": [
                {"description": f.description, "root_cause": f.root_cause,
                 "internal": f.internal, "id": f.id}
                for f in report.factors
            ],
            "no_single_root_cause": report.no_single_root_cause,
            "went_well": report.lessons.went_well, "went_wrong": report.lessons.went_wrong,
            "lucky": report.lessons.lucky,
            "actions": [
                {"description": a.description, "owner": a.owner, "priority": a.priority or "",
                 "due": a.due, "ticket": a.ticket, "status": a.status,
                 "addresses": a.addresses, "internal": a.internal, "id": a.id}
                for a in report.actions
            ],
            "follow_up_review_on": report.follow_up_review_on,
            "follow_up_outcome": report.follow_up_outcome,
            "follow_up_held_on": report.follow_up_held_on,
            **{name: report.is_internal(part) for part, name in INTERNAL_PART_FIELDS.items()},
        }
        return cls(data=data, **kwargs)

    @classmethod
    @lru_cache(maxsize=256)
    def of_only(cls, names: frozenset[str]) -> type[ReportForm]:
        """A form of only the inputs ``names`` (a page's changes): building the page's every
        input, and its lists of rows, for one changed input was most of an autosave's form
        work. Its ``to_report`` keeps everything else as it was. One class per set of names (a
        page sends one or a few at a time), the last 256 kept: a post cannot make them pile up."""
        left_out = {name: None for name in dir(cls)
                    if isinstance(getattr(cls, name), UnboundField) and name not in names}
        return type(f"{cls.__name__}Of", (cls,), left_out)

    def to_report(self, previous: Report) -> Report:
        """The report as typed; call only after ``validate()`` succeeded. An input this form
        does not have (``of_only``) keeps its value in ``previous``."""
        def given(name: str) -> bool:
            return name in self

        timezone = ((self.timezone.data or "").strip() or "UTC" if given("timezone")
                    else previous.timezone)
        zone = ZoneInfo(timezone)

        def text(name: str, kept: str, strip: bool = False) -> str:
            return _text(self[name], strip=strip) if given(name) else kept

        def moment(name: str, kept: datetime | None) -> datetime | None:
            return aware_in(self[name], zone) if given(name) else kept

        def day(name: str, kept: date | None, only_if_posted: bool = False) -> date | None:
            if not given(name) or (only_if_posted and not self[name].raw_data):
                return kept
            return self[name].as_date()

        report = Report(
            title=text("title", previous.title, strip=True),
            service=text("service", previous.service, strip=True),
            severity=(self.severity.data or None) if given("severity") else previous.severity,
            status=previous.status,
            audience=text("audience", previous.audience, strip=True),
            authors=list(self.authors.data or []) if given("authors") else list(previous.authors),
            timezone=timezone,
            started_at=moment("started_at", previous.started_at),
            detected_at=moment("detected_at", previous.detected_at),
            resolved_at=moment("resolved_at", previous.resolved_at),
            apology=text("apology", previous.apology),
            summary=text("summary", previous.summary),
            impact=text("impact", previous.impact),
            timeline=([timeline_event(row, zone, row_id)
                       for row, row_id in zip((entry.form for entry in self.timeline),
                                              _ids(self.timeline.entries), strict=True)]
                      if given("timeline") else list(previous.timeline)),
            factors=([factor(row, row_id)
                      for row, row_id in zip((entry.form for entry in self.factors),
                                             _ids(self.factors.entries), strict=True)]
                     if given("factors") else list(previous.factors)),
            lessons=Lessons(
                went_well=text("went_well", previous.lessons.went_well),
                went_wrong=text("went_wrong", previous.lessons.went_wrong),
                lucky=text("lucky", previous.lessons.lucky),
            ),
            actions=([action_item(row, row_id,
                                  len(self.factors) if given("factors") else len(previous.factors))
                      for row, row_id in zip((entry.form for entry in self.actions),
                                             _ids(self.actions.entries), strict=True)]
                     if given("actions") else list(previous.actions)),
            follow_up_review_on=day("follow_up_review_on", previous.follow_up_review_on),
            # The outcome's inputs show only once the review is due: absent means unchanged.
            follow_up_outcome=(_text(self.follow_up_outcome)
                               if given("follow_up_outcome") and self.follow_up_outcome.raw_data
                               else previous.follow_up_outcome),
            follow_up_held_on=day("follow_up_held_on", previous.follow_up_held_on,
                                  only_if_posted=True),
            no_single_root_cause=(bool(self.no_single_root_cause.data)
                                  if given("no_single_root_cause")
                                  else previous.no_single_root_cause),
            internal_parts=[part for part, name in INTERNAL_PART_FIELDS.items()
                            if (self[name].data if given(name) else previous.is_internal(part))],
            # A page that does not show the language's input leaves it as it was.
            language=(self.language.data if given("language") and self.language.raw_data
                      else previous.language),
            extra=previous.extra,
        )
        if given("timeline"):  # a form of only some inputs leaves the rows to its caller
            report.timeline = report.sorted_timeline()
        return report
