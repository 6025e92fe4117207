"""Walking a form down to its inputs, through lists of rows and the rows' own fields."""

from __future__ import annotations

from collections.abc import Iterator

from wtforms import Field, Form


def leaf_fields(form: Form) -> Iterator[Field]:
    """Every input of ``form`` in page order, rows included; the row containers themselves not."""

    def walk(field: Field) -> Iterator[Field]:
        if hasattr(field, "entries"):  # a list of rows
            for entry in field.entries:
                yield from walk(entry)
        elif hasattr(field, "form"):  # one row
            for sub in field.form:
                yield from walk(sub)
        else:
            yield field

    for field in form:
        yield from walk(field)
