"""A page's changes, applied to the version it shows: only what changed travels.

The guided page's script sends, instead of every input of the report, the inputs of what changed
since the server last acknowledged a save:

- ``sent``: the names of the page's own inputs that changed (``title``, ``went_well``,
  ``impact_internal`` …), comma-separated, with their values (a tick box left unticked is named
  in ``sent`` and has no value, as a browser posts it);
- every input of each row that changed or was added (``timeline-7-description`` …, its hidden
  ``timeline-7-id`` included), as the page names them;
- ``timeline_order``, ``factors_order``, ``actions_order``: the rows' ids in the page's order,
  when rows were added, removed or moved.

Everything not sent is as it was in the version the page is based on. The values are checked by
the same form classes as a whole page, so the same rules and messages apply.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from flask_babel import gettext
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms.fields.core import UnboundField

from reports import limits
from reports.exchange import zone
from reports.language import N_
from reports.model import ActionItem, Factor, Report, new_row_id

from .report import (
    ActionItemForm,
    FactorForm,
    ReportForm,
    TimelineEventForm,
    action_item,
    factor,
    timeline_event,
    usable_row_id,
)
from .rows import ROW_LISTS

# The page's inputs outside the rows: every field of the page's form but the row lists (and
# the time zone, whose change is sent as the whole page). ``ReportForm.to_report`` says where
# each goes in the report.
TOP_LEVEL = frozenset(
    name for name, value in vars(ReportForm).items()
    if isinstance(value, UnboundField) and name not in (*ROW_LISTS, "timezone"))
_ROW_NAMES = {"timeline": N_("Timeline event"), "factors": N_("Factor"),
              "actions": N_("Action item")}
_ROW_INPUT = re.compile(r"^(timeline|factors|actions)-(\d{1,5})-(.+)$")

Errors = list[tuple[str, str, str]]  # (input id, label, message), as forms.errors gives them


class ChangesInvalid(ValueError):
    def __init__(self, errors: Errors):
        self.errors = errors
        super().__init__("; ".join(str(message) for _, _, message in errors))


def is_changes(formdata: MultiDict[str, str]) -> bool:
    """Whether a post carries a page's changes rather than the whole page."""
    return formdata.get("changes") == "1"


def _row_groups(formdata: MultiDict[str, str]) -> dict[str, dict[int, MultiDict[str, str]]]:
    groups: dict[str, dict[int, MultiDict[str, str]]] = {name: {} for name in ROW_LISTS}
    for key, value in formdata.items(multi=True):
        match = _ROW_INPUT.match(key)
        if match:
            groups[match.group(1)].setdefault(int(match.group(2)), MultiDict()).add(key, value)
    return groups


def _row_errors(row: Form, name: str, index: int) -> Errors:
    label = f"{gettext(_ROW_NAMES[name])} {index + 1}: "
    return [(field.id, label + field.label.text, message)
            for field in row for message in field.errors]


def _order(formdata: MultiDict[str, str], name: str, base_ids: list[str],
           changed: Iterable[str]) -> list[str]:
    """The list's row ids in the page's order: as sent, or the base's with new rows after."""
    sent = formdata.get(f"{name}_order")
    if sent is None:
        return base_ids + [row_id for row_id in changed if row_id not in base_ids]
    ids: list[str] = []
    for value in sent.split(","):
        row_id = usable_row_id(value)
        if row_id and row_id not in ids:
            ids.append(row_id)
    return ids + [row_id for row_id in changed if row_id not in ids]


@dataclass
class _Rows:
    """The rows a page sent, validated, by id."""

    timeline: dict[str, TimelineEventForm] = field(default_factory=dict)
    factors: dict[str, FactorForm] = field(default_factory=dict)
    actions: dict[str, ActionItemForm] = field(default_factory=dict)


def _read_rows(formdata: MultiDict[str, str]) -> tuple[_Rows, Errors]:
    rows, errors = _Rows(), []
    for name, groups in _row_groups(formdata).items():
        for index, entries in sorted(groups.items()):
            prefix = f"{name}-{index}-"
            row_id = usable_row_id(entries.get(f"{prefix}id")) or new_row_id()
            if name == "timeline":
                event = TimelineEventForm(formdata=entries, prefix=prefix)
                form: Form = event
                rows.timeline[row_id] = event
            elif name == "factors":
                cause = FactorForm(formdata=entries, prefix=prefix)
                form = cause
                rows.factors[row_id] = cause
            else:
                item = ActionItemForm(formdata=entries, prefix=prefix)
                form = item
                rows.actions[row_id] = item
            if not form.validate():
                errors += _row_errors(form, name, index)
    return rows, errors


def _relinked(item: ActionItem, factors_before: list[Factor], places: dict[str, int],
              ) -> ActionItem:
    """``item`` linked to the same factors at their ``places`` (by factor id) now; the same
    object when nothing moved, so that what was made of it is not made again."""
    addresses = tuple(sorted(places[factors_before[p].id] for p in item.addresses
                             if p < len(factors_before) and factors_before[p].id in places))
    return item if addresses == item.addresses else replace(item, addresses=addresses)


def apply_page_changes(base: Report, formdata: MultiDict[str, str]) -> Report:
    """``base`` with the page's changes applied, or ``ChangesInvalid`` with every error."""
    sent = [name for name in formdata.get("sent", "").split(",") if name in TOP_LEVEL]
    top: MultiDict[str, str] = MultiDict(
        (key, value) for key, value in formdata.items(multi=True) if key in sent)
    form = ReportForm.of_only(frozenset(sent))(formdata=top, meta={"csrf": False})
    errors: Errors = []
    if not form.validate():
        errors += [(form[name].id, form[name].label.text, message)
                   for name in sent for message in form[name].errors]
    rows, row_errors = _read_rows(formdata)
    errors += row_errors
    orders = {
        "timeline": _order(formdata, "timeline", [r.id for r in base.timeline], rows.timeline),
        "factors": _order(formdata, "factors", [r.id for r in base.factors], rows.factors),
        "actions": _order(formdata, "actions", [r.id for r in base.actions], rows.actions),
    }
    for name, order in orders.items():
        if len(order) > limits.MAX_ROWS:
            errors.append((name, gettext(_ROW_NAMES[name]), gettext(
                "A report can hold at most %(most)s rows here; this one has %(count)s.",
                most=limits.MAX_ROWS, count=len(order))))
    if errors:
        raise ChangesInvalid(errors)

    mine = form.to_report(base)
    report_zone = zone(base)
    events = {row.id: row for row in base.timeline}
    mine.timeline = [timeline_event(rows.timeline[i], report_zone, i) if i in rows.timeline
                     else events[i]
                     for i in orders["timeline"] if i in rows.timeline or i in events]
    causes = {row.id: row for row in base.factors}
    mine.factors = [factor(rows.factors[i], i) if i in rows.factors else causes[i]
                    for i in orders["factors"] if i in rows.factors or i in causes]
    # An action item not sent keeps its links to the same factors, wherever they are now.
    places = {row.id: place for place, row in enumerate(mine.factors)}
    items = {row.id: row for row in base.actions}
    mine.actions = [
        action_item(rows.actions[i], i, len(mine.factors)) if i in rows.actions
        else _relinked(items[i], base.factors, places)
        for i in orders["actions"] if i in rows.actions or i in items
    ]
    mine.timeline = mine.sorted_timeline()
    return mine
