"""The rows of an opened report for the guided page, without a WTForms form for each row.

A 200-row report would otherwise bind some 2,000 WTForms fields only to draw them (binding is
most of a form's cost). Here each input is a copy of the list's blank row's field
(``views.page.blank_rows``, bound once): the same class, label, choices, limits and
validators, with its own name, id and value processed by the field's class as the form would
(times in the report's zone, ticks as booleans), so templates and guidance see a real field.
Errors exist only after a post, and then the page draws the posted form's own rows instead.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask_babel import gettext
from markupsafe import Markup, escape
from wtforms import Field, Form

from reports import language as lang
from reports.exchange import is_timezone
from reports.model import Report
from views.language import interface_language


def row_field(like: Field, row: RowView, prefix: str, value: object) -> Field:
    """One input of one row: a copy of ``like`` (the blank row's field, bound once) with its own
    name, id and value, processed by its field class as the form would process it."""
    field: Field = object.__new__(type(like))
    field.__dict__.update(like.__dict__)
    field.name = field.id = f"{prefix}{like.short_name}"
    field._form = row  # guidance reads the row through it (a factor's root_cause tick)
    field.errors = []
    field.process_errors = []
    field.object_data = value
    _give(field, value, like)
    return field


def _give(field: Field, value: object, like: Field) -> None:
    """Give ``field`` (of ``like``'s class) ``value`` as the form would: nothing posted, the
    value processed by its class, then cleaned by ``like``'s filters."""
    field.raw_data = None
    field.process_data(value)
    for clean in like.filters:
        field.data = clean(field.data)


def _probe(like: Field, value: object) -> Field:
    """An input of ``like``'s class that holds only its value: its own class works out what it
    holds (``process_data``; a select's reads ``coerce``) and how its HTML carries it
    (``_value``, which reads ``data`` and ``raw_data``), so a closed event shows exactly what
    its input would (tests/test_closed_rows.py), without a copy of the whole blank field."""
    probe: Field = object.__new__(type(like))
    if hasattr(like, "coerce"):
        probe.coerce = like.coerce
    _give(probe, value, like)
    return probe


class RowView:
    """A row's inputs by name (``row.at``, ``row.description``), as a row form has them.

    Each input is made the first time it is asked for: a 200-event timeline is drawn mostly as
    text (``ClosedEvents``), which reads the inputs' values (``held``, ``shown``) and makes one
    input a row (its description, for the writing advice) instead of seven.
    """

    def __init__(self, blank: Form, prefix: str, values: dict[str, object]) -> None:
        self._blank, self._prefix, self._values = blank, prefix, values

    def __getattr__(self, name: str) -> Field:
        # Called only for a name not set yet: the input is made and kept as an attribute.
        values = self.__dict__.get("_values", {})
        if name not in values:
            raise AttributeError(name)
        field = row_field(self._blank[name], self, self._prefix, values[name])
        setattr(self, name, field)
        return field

    def _input(self, name: str) -> Field:
        made: Field | None = self.__dict__.get(name)
        return made if made is not None else _probe(self._blank[name], self._values[name])

    def held(self, name: str) -> object:
        """What input ``name`` holds (its field's ``data``), without making it."""
        return self._input(name).data

    def shown(self, name: str) -> str:
        """Input ``name``'s value as its HTML carries it (its field's ``_value()``)."""
        return str(self._input(name)._value())


def _local(report: Report) -> Callable[[datetime | None], datetime | None]:
    """A moment as the page shows it: in the report's own zone, as ReportForm.for_report does."""
    zone = ZoneInfo(report.timezone if is_timezone(report.timezone) else "UTC")

    def local(moment: datetime | None) -> datetime | None:
        return None if moment is None else moment.astimezone(zone).replace(tzinfo=None)

    return local


def row_views(report: Report, blanks: dict[str, Form]) -> dict[str, list[RowView]]:
    """The report's timeline (in time order), factors and action items, ready to draw.

    The values are those ``ReportForm.for_report`` gives each row; tests/test_editor_size.py
    checks that the page posts back exactly what that form would.
    """
    local = _local(report)
    return {
        "timeline": [
            RowView(blanks["timeline"], f"timeline-{i}-", {
                "at": local(e.at), "kind": e.kind, "description": e.description,
                "contributing": e.contributing, "outside_window": e.outside_window,
                "internal": e.internal, "id": e.id})
            for i, e in enumerate(report.sorted_timeline())
        ],
        "factors": [
            RowView(blanks["factors"], f"factors-{i}-", {
                "description": f.description, "root_cause": f.root_cause,
                "internal": f.internal, "id": f.id})
            for i, f in enumerate(report.factors)
        ],
        "actions": [
            RowView(blanks["actions"], f"actions-{i}-", {
                "description": a.description, "owner": a.owner, "priority": a.priority or "",
                "due": a.due, "ticket": a.ticket, "status": a.status,
                "addresses": list(a.addresses), "internal": a.internal, "id": a.id})
            for i, a in enumerate(report.actions)
        ],
    }


def form_rows(form: Form) -> dict[str, list[Form]]:
    """The rows of a posted (or conflicting) page's form: its own row forms, errors and all."""
    return {name: [entry.form for entry in form[name]]
            for name in ("timeline", "factors", "actions")}


# Drawn in Python, not in a template loop: a 200-row report has some 1,600 options and, with
# 30 factors and 30 action items, 900 factor ticks; the loops were a third of the page's time.

@lru_cache(maxsize=256)
def _options(choices: tuple[tuple[str, str], ...], selected: object) -> Markup:
    return Markup("".join(
        f'<option{" selected" if value == selected else ""} value="{escape(value)}">'
        f"{escape(label)}</option>" for value, label in choices))


def select_options(field: Field) -> Markup:
    """A select's options, the field's value selected (as templates/rows.html drew them)."""
    choices = tuple((str(c.value), str(c.label)) for c in getattr(field, "choices", ()))
    selected = field.data if isinstance(field.data, str | None) else str(field.data)
    return _options(choices, selected)


def factor_ticks(field: Field, labels: Sequence[str]) -> Markup:
    """An action item's "Deals with" ticks, one per factor, each named ``<name>-<position>``
    (forms/links.py) and labelled with the factor's short name (templates/rows.html)."""
    base, name = escape(field.id), escape(field.name)
    ticked = set(field.data or [])
    return Markup("".join(
        f'<input type="checkbox" id="{base}-{i}" name="{name}-{i}" value="y"'
        f'{" checked" if i in ticked else ""}><label for="{base}-{i}">{escape(label)}</label>'
        for i, label in enumerate(labels)))


# A long timeline is mostly read, not edited: above this many events, each event is drawn as
# text with an "Edit" button (``ClosedEvents``), which keeps the page of a 200-event report
# small and quick to draw. At or under it, every event shows its inputs, as ever.
CLOSED_ABOVE = 25
# At most this many events named in the address (``?open=<id>``) are shown open.
MAX_OPENED = 50

# An event's ticks, in the order its open row draws (and so posts) them.
_EVENT_TICKS = ("contributing", "outside_window", "internal")


def open_events(rows: Sequence[object], warnings: dict[str, str], focus: str | None = None,
                opened: Collection[str] = (), conflicts: Collection[str] = ()
                ) -> frozenset[int] | None:
    """The timeline rows the page draws with their inputs; None when it draws every one.

    A row stays open when it has an error or a warning, when it is the row just added, moved
    or asked for (``focus``, ``timeline-3``; ``opened``, row ids), or when its list is in a
    conflict. A row with writing advice stays open too, but that the template decides, where
    the advice is looked up (templates/editor.html).
    """
    if len(rows) <= CLOSED_ABOVE or "timeline" in conflicts:
        return None
    warned = {int(key.split("-")[1]) for key in warnings
              if key.startswith("timeline-") and key.split("-")[1].isdigit()}
    return frozenset(warned | {
        index for index, row in enumerate(rows)
        if getattr(row, "errors", None) or f"timeline-{index}" == focus
        or (opened and _field(row, "id").data in opened)})


def _field(row: object, name: str) -> Field:
    """A row's input by name, a RowView's or a row form's alike."""
    field: Field = getattr(row, name)
    return field


def _readers(row: object) -> tuple[Callable[[str], object], Callable[[str], str]]:
    """What a row's inputs hold (``data``) and carry in the page (``_value()``), by name: a
    RowView's without making its inputs, a row form's from its fields."""
    if isinstance(row, RowView):
        return row.held, row.shown
    return (lambda name: _field(row, name).data), (lambda name: _field(row, name)._value())


class ClosedEvents:
    """Draws an event as text: its legend, time, kind, tags, description and an "Edit" button,
    with its values in hidden inputs named as its open row's inputs (templates/rows.html), so
    the page posts, and its script reads and changes, exactly the same entries. The page's
    words are looked up once for all rows (a gettext call per row would cost more than the row).
    """

    def __init__(self, blank: Form) -> None:
        self.language = interface_language()
        self._days: dict[str, str] = {}
        self.kinds = {str(c.value): str(c.label) for c in blank["kind"].choices}
        self.first_kind = next(iter(self.kinds), "")
        self.words = {
            "event": escape(gettext("Event")), "internal": escape(gettext("Internal")),
            "edit": escape(gettext("Edit")), "event_lower": escape(gettext("event")),
            "contributing": escape(gettext("Contributed")),
            "outside_window": escape(gettext("Outside the window")),
            "no_time": escape(gettext("No time given")),
        }

    def when(self, at: str) -> str:
        """"3 Oct 2026 09:15" / "3 oct. 2026 09 h 15" for the row's input value
        (``2026-10-03T09:15``); a timeline's days are few, so each is written once."""
        try:
            moment = datetime.fromisoformat(at)
        except ValueError:
            return at.replace("T", " ")
        day = self._days.get(at[:10])
        if day is None:
            day = self._days[at[:10]] = lang.day(moment.date(), self.language, "short")
        return f"{day} {lang.clock(moment, self.language)}"

    def tags(self, ticked: Sequence[str]) -> str:
        return "".join(f' <span class="tag">{self.words[tick]}</span>' for tick in ticked
                       if tick != "internal")

    def __call__(self, row: object, index: int) -> Markup:
        words, prefix = self.words, f"timeline-{index}-"
        held, shown = _readers(row)
        at = shown("at") or ""
        kind = held("kind")
        kind = kind if isinstance(kind, str) and kind in self.kinds else self.first_kind
        text = shown("description") or ""
        ticked = [tick for tick in _EVENT_TICKS if held(tick)]
        hidden = "".join(
            f'<input name="{prefix}{name}" type="hidden" value="{escape(value)}"'
            f'{" data-internal" if name == "internal" else ""}>'
            for name, value in (("id", shown("id") or ""), ("at", at), ("kind", kind),
                                ("description", text),
                                *((tick, shown(tick)) for tick in ticked)))
        number = index + 1
        return Markup(
            f'<fieldset class="row row-closed" data-row="timeline" data-closed '
            f'id="timeline-{index}"><legend class="row-legend">{words["event"]} '
            f'<span class="row-number">{number}</span> <span class="tag tag-internal">'
            f'{words["internal"]}</span></legend>{hidden}<p class="row-said">'
            f'<span class="row-when">{escape(self.when(at)) if at else words["no_time"]}'
            f'</span> · <span class="row-kind">{escape(self.kinds.get(kind, kind))}</span>'
            f'<span class="row-tags">{self.tags(ticked)}</span></p>'
            f'<p class="row-text" id="{prefix}description">{escape(text)}</p>'
            f'<button class="row-edit" name="row_action" value="edit:timeline:{index}" '
            f'data-row-action="edit">{words["edit"]}<span class="visually-hidden"> '
            f'{words["event_lower"]} <span class="row-number">{number}</span></span></button>'
            f'</fieldset>')
