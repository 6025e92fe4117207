"""Fields that keep what the author typed, even when it cannot be understood yet."""

from __future__ import annotations

import re
from datetime import date, datetime

from flask_babel import gettext, lazy_gettext
from wtforms import Field, FieldList, Form, FormField, StringField, TextAreaField
from wtforms.validators import ValidationError
from wtforms.widgets import DateInput, DateTimeLocalInput, TextInput

from reports.exchange import EARLIEST_YEAR, LATEST_YEAR, in_year_range, without_bidi_controls

DATETIME_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M")
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def without_control_characters(value: object) -> object:
    """Text as a person could type it: no NUL or other invisible control characters.

    An unpaired surrogate (which no browser sends: the request's decoder already makes broken
    UTF-8 into U+FFFD) becomes U+FFFD the same way, so no text can reach the database unstorable.
    """
    if not isinstance(value, str):
        return value
    return _SURROGATE.sub("\ufffd", _CONTROL.sub("", value))


def unix_line_breaks(value: object) -> object:
    """A text area's line breaks as one character: browsers post CR LF, the API sends LF, and
    the same words must compare equal whichever way they came (merges, history)."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


def one_line_text(value: object) -> object:
    """A one-line input's text without bidirectional controls (they make it read reversed)."""
    return without_bidi_controls(value) if isinstance(value, str) else value


def bind_clean_field(meta, form, unbound_field, options):
    """A form ``Meta.bind_field`` that gives every field the control-character filter first.

    One-line inputs (titles, names, owners) also lose bidirectional controls, as in the exchange.
    """
    field_class = unbound_field.field_class
    if issubclass(field_class, (FieldList, FormField)):  # rows filter their own
        return unbound_field.bind(form=form, **options)
    cleaners = [without_control_characters]
    if issubclass(field_class, TextAreaField):
        cleaners.append(unix_line_breaks)
    elif issubclass(field_class, StringField):
        cleaners.append(one_line_text)
    filters = [*cleaners, *unbound_field.kwargs.get("filters", ())]
    return unbound_field.bind(form=form, filters=filters, **options)


class CleanForm(Form):
    """A form whose every input drops control characters before anything else sees them."""

    class Meta:
        bind_field = bind_clean_field


class _TolerantField(StringField):
    """Parses in ``post_validate`` style: the raw text always survives for re-display."""

    formats: tuple[str, ...] = ()
    message = ""

    def _parse(self, text: str) -> datetime | None:
        for fmt in self.formats:
            try:
                return datetime.strptime(text, fmt)
            except ValueError:
                continue
        return None

    def pre_validate(self, form) -> None:
        text = (self.data or "").strip()
        if not text:
            return
        parsed = self._parse(text)
        if parsed is None:
            raise ValidationError(str(self.message))
        if not in_year_range(parsed):  # the exchange's rule: the year as typed
            raise ValidationError(gettext("Enter a year between %(first)s and %(last)s.",
                                          first=EARLIEST_YEAR, last=LATEST_YEAR))


class LocalDateTimeField(_TolerantField):
    """A wall-clock time in the report's time zone, as a browser's datetime-local sends it."""

    widget = DateTimeLocalInput()
    formats = DATETIME_FORMATS
    message = lazy_gettext("Enter a date and time like 2026-10-03 09:12")

    def _value(self) -> str:
        if isinstance(self.data, datetime):
            return self.data.strftime("%Y-%m-%dT%H:%M")
        return super()._value()

    def process_data(self, value):
        self.data = value.strftime("%Y-%m-%dT%H:%M") if isinstance(value, datetime) else value

    def as_naive(self) -> datetime | None:
        text = (self.data or "").strip()
        return self._parse(text) if text else None


class LocalDateField(_TolerantField):
    widget = DateInput()
    formats = DATE_FORMATS
    message = lazy_gettext("Enter a date like 2026-12-03")

    def process_data(self, value):
        self.data = value.isoformat() if isinstance(value, date) else value

    def as_date(self) -> date | None:
        text = (self.data or "").strip()
        parsed = self._parse(text) if text else None
        return parsed.date() if parsed else None


class NamesField(Field):
    """A list of names typed on one line, separated by commas."""

    widget = TextInput()

    def _value(self) -> str:
        return ", ".join(self.data or [])

    def process_formdata(self, valuelist: list[str]) -> None:
        if valuelist:
            text = str(one_line_text(without_control_characters(valuelist[0])))
            text = text.replace(",", "\n")
            self.data = [line.strip() for line in text.splitlines() if line.strip()]
        else:
            self.data = []
