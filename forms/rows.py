"""Repeating rows (timeline events, factors, action items) without JavaScript.

The page's "Add another", "Remove", "Move up" and "Move down" buttons post the whole form with
``row_action`` set to e.g. ``add:timeline`` or ``remove:factors:2``; "Edit" on an event of a long
timeline, shown as text, posts ``edit:timeline:40``, which changes nothing but the row shown
with its inputs (the one returned). The action is applied to the
posted data before the form is built, so every value typed in every row survives, and the rows
come back numbered 0..n-1 in the order the author sees them.
"""

from __future__ import annotations

import re

from flask_babel import gettext
from werkzeug.datastructures import MultiDict
from wtforms import FieldList
from wtforms.validators import ValidationError

from reports import limits

from .links import shift_factor_links

ROW_LISTS = ("timeline", "factors", "actions")
_ACTION = re.compile(r"^(add|remove|up|down|edit):(timeline|factors|actions)(?::(\d{1,5}))?$")


def _not_too_many_rows(form, field: FieldList) -> None:
    if len(field.entries) > limits.MAX_ROWS:
        raise ValidationError(gettext(
            "A report can hold at most %(most)s rows here; this one has %(count)s.",
            most=limits.MAX_ROWS, count=len(field.entries)))


class RowList(FieldList):
    """A FieldList that refuses too many rows with a message instead of dropping them."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs["validators"] = [*kwargs.get("validators", ()), _not_too_many_rows]
        super().__init__(*args, **kwargs)


def _row_groups(formdata: MultiDict, name: str) -> tuple[list[list[tuple[str, str]]], MultiDict]:
    """Split the posted data into one list of (subfield, value) pairs per row, in index order."""
    pattern = re.compile(rf"^{name}-(\d+)-(.+)$")
    groups: dict[int, list[tuple[str, str]]] = {}
    rest: MultiDict = MultiDict()
    for key, value in formdata.items(multi=True):
        match = pattern.match(key)
        if match:
            groups.setdefault(int(match.group(1)), []).append((match.group(2), value))
        else:
            rest.add(key, value)
    return [groups[index] for index in sorted(groups)], rest


def apply_row_action(formdata: MultiDict, action: str) -> tuple[MultiDict, str | None]:
    """Apply one row action to posted data; returns the new data and the id of a row to show."""
    match = _ACTION.match(action or "")
    if not match:
        return formdata, None
    verb, name, position_text = match.group(1), match.group(2), match.group(3)
    rows, rest = _row_groups(formdata, name)
    focus: int | None = None
    position = int(position_text) if position_text is not None else None
    moved: dict[int, int | None] = {}  # old row position -> new one (None: removed)
    if verb == "add":
        rows.append([])
        focus = len(rows) - 1
    elif position is not None and 0 <= position < len(rows):
        if verb == "remove":
            rows.pop(position)
            moved = {i: (None if i == position else i - 1) for i in range(position, len(rows) + 1)}
            focus = min(position, len(rows) - 1) if rows else None
        elif verb == "up" and position > 0:
            rows[position - 1], rows[position] = rows[position], rows[position - 1]
            moved = {position: position - 1, position - 1: position}
            focus = position - 1
        elif verb == "down" and position < len(rows) - 1:
            rows[position + 1], rows[position] = rows[position], rows[position + 1]
            moved = {position: position + 1, position + 1: position}
            focus = position + 1
        else:  # "edit" (a long timeline's event shown as text), or a move that cannot be
            focus = position
    if name == "factors" and moved:
        rest = shift_factor_links(rest, moved)  # action items keep pointing at the same factors
    for index, pairs in enumerate(rows):
        if not pairs:
            rest.add(f"{name}-{index}-description", "")
        for subfield, value in pairs:
            rest.add(f"{name}-{index}-{subfield}", value)
    return rest, (f"{name}-{focus}" if focus is not None else name)
