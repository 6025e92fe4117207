"""A form's errors as the page shows them: each with its input's id and a label that says
which row it is in, in the order of the page."""

from __future__ import annotations

from flask_babel import gettext
from wtforms import Field, Form

from reports.language import N_


def field_id(path: str) -> str:
    """A document path (``timeline.2.at``) as the id of its input (``timeline-2-at``)."""
    return path.replace(".", "-")


def form_errors(form: Form) -> list[tuple[str, str, str]]:
    """Every error as (input id, label, message), in the order of the page."""
    found: list[tuple[str, str, str]] = []

    def walk(field: Field, label_prefix: str) -> None:
        if hasattr(field, "entries"):  # a list of rows
            for message in field.errors if isinstance(field.errors, list) else []:
                if isinstance(message, str):
                    found.append((field.id, field.label.text, message))
            for number, entry in enumerate(field.entries, start=1):
                walk(entry, f"{label_prefix}{_row_name(field.name)} {number}: ")
        elif hasattr(field, "form"):  # one row
            for sub in field.form:
                walk(sub, label_prefix)
        else:
            for message in field.errors:
                found.append((field.id, f"{label_prefix}{field.label.text}", str(message)))

    for field in form:
        if field.name != "csrf_token":
            walk(field, "")
    return found


def _row_name(list_name: str) -> str:
    names = {"timeline": N_("Timeline event"), "factors": N_("Factor"),
             "actions": N_("Action item")}
    return gettext(names[list_name]) if list_name in names else list_name
