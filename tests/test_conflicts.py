"""Two people on one report: a stale save is refused with both versions of every part that
differs, whatever kind of input the part is, and the other version can be taken back whole.

The report used has every kind of input filled in: texts, names, a select, times and dates,
timeline rows with their ticks, factors with a root cause, action items with links to factors,
internal-only ticks on rows and parts, "no single root cause" and the follow-up review.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    Form,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice

from forms.fields import LocalDateField, LocalDateTimeField, NamesField
from forms.links import FactorLinksField
from forms.report import ReportForm
from forms.walk import leaf_fields
from reports.exchange import from_document
from reports.model import Report
from tests.conftest import csrf_token_from
from tests.pages import form_values
from tests.row_edits import edit_lessons, edit_row
from views.conflicts import LABELS, differences, form_entries, posted_entries, report_texts

AUTOSAVE = {"X-Hindsight-Autosave": "1", "Accept": "application/json"}

# Dates in the past, so that the page asks for the follow-up review's outcome.
FULL_DOCUMENT: dict[str, Any] = {
    "format": "hindsight-report/1",
    "title": "Checkout unavailable for EU customers",
    "service": "checkout",
    "severity": "SEV2",
    "status": "draft",
    "audience": "Acme Retail",
    "authors": ["Dana Lee", "Sam Ortiz"],
    "timezone": "Europe/Paris",
    "started_at": "2025-10-03T09:12:00+02:00",
    "detected_at": "2025-10-03T09:20:00+02:00",
    "resolved_at": "2025-10-03T11:02:00+02:00",
    "apology": "We are sorry. For almost two hours your customers could not pay.",
    "summary": "A configuration change sent **all** payment traffic to a retired gateway.",
    "impact": "About 1,200 orders from EU customers failed between 09:12 and 11:02.",
    "timeline": [
        {"at": "2025-10-02T17:30:00+02:00", "kind": "config_change",
         "description": "The retired gateway was left in the routing table.",
         "contributing": True, "outside_window": True, "internal": True},
        {"at": "2025-10-03T09:05:00+02:00", "kind": "deploy",
         "description": "Release 4.2 of the payment router went live.", "contributing": True},
        {"at": "2025-10-03T09:20:00+02:00", "kind": "discovery",
         "description": "The error-rate alert for checkout fired.", "internal": True},
        {"at": "2025-10-03T11:02:00+02:00", "kind": "resolution",
         "description": "Error rate back to normal; incident declared over."},
    ],
    "factors": [
        {"description": "The retired gateway was still listed in the routing table.",
         "root_cause": True},
        {"description": "The release checklist had no step for payment routing.",
         "internal": True},
        {"description": "Nobody reviews the routing table.", "root_cause": True},
    ],
    "no_single_root_cause": True,
    "lessons": {
        "went_well": "The alert fired within eight minutes.",
        "went_wrong": "Rolling back took forty minutes.",
        "lucky": "It happened outside the sales peak.",
    },
    "internal_parts": ["impact", "lessons.went_well", "lessons.went_wrong", "lessons.lucky"],
    "actions": [
        {"description": "Remove retired gateways from the routing table.", "owner": "Platform team",
         "priority": "high", "due": "2025-11-15", "ticket": "https://tracker.example.com/PLAT-12",
         "status": "done", "addresses": [0, 2]},
        {"description": "Add payment routing to the release checklist.",
         "owner": "Release managers", "priority": "medium", "due": "2025-11-30", "ticket": "",
         "status": "agreed", "addresses": [1], "internal": True},
    ],
    "follow_up_review_on": "2025-12-03",
    "follow_up_outcome": "Action 1 is done; action 2 moves to January.",
    "follow_up_held_on": "2025-12-05",
}


@pytest.fixture
def in_app(app: Flask) -> Iterator[None]:
    """The form needs an application (for its translations), not a request."""
    with app.app_context():
        yield


def full_report() -> Report:
    return from_document(copy.deepcopy(FULL_DOCUMENT))


def _browser_values(html: str) -> dict[str, str]:
    """``form_values``, but a text area's first line break dropped, as browsers do."""
    return {name: value.removeprefix("\r\n").removeprefix("\n")
            for name, value in form_values(html).items()}


def _posted(report: Report, previous: Report) -> Report:
    """The report the save makes of ``form_entries(report)`` posted as the page's form."""
    form = ReportForm(formdata=MultiDict(form_entries(report)), meta={"csrf": False})
    assert form.validate(), form.errors
    return form.to_report(previous)


def test_the_full_report_has_every_kind_of_input_filled_in(in_app: None) -> None:
    """The report the other tests use really is "every kind filled in"."""
    entries = dict(form_entries(full_report()))
    form = ReportForm.for_report(full_report(), meta={"csrf": False})
    kinds = {type(field.widget).__name__ for field in _inputs(form)}
    assert kinds >= {"TextInput", "TextArea", "Select", "CheckboxInput", "DateTimeLocalInput",
                     "DateInput"}
    for name in ("timeline-0-contributing", "timeline-0-outside_window", "timeline-0-internal",
                 "factors-0-root_cause", "factors-1-internal", "actions-0-addresses-0",
                 "actions-0-addresses-2", "actions-1-addresses-1", "actions-1-internal",
                 "no_single_root_cause", "impact_internal", "went_well_internal",
                 "went_wrong_internal", "lucky_internal"):
        assert entries[name] == "y", name
    assert entries["follow_up_outcome"] and entries["follow_up_held_on"] == "2025-12-05"
    assert entries["started_at"] == "2025-10-03T09:12" and entries["severity"] == "SEV2"


def _inputs(form: ReportForm) -> list[Any]:
    return [f for f in leaf_fields(form) if f.type != "CSRFTokenField"]


def test_form_entries_post_back_as_the_same_report(in_app: None) -> None:
    report = full_report()
    assert _posted(report, Report()) == report
    assert _posted(Report(), Report()) == Report()


def test_form_entries_are_what_the_page_posts(client: FlaskClient) -> None:
    """The entries the conflict answer carries are exactly the inputs the page draws."""
    created = client.post("/api/reports", json=FULL_DOCUMENT).get_json()
    page = _browser_values(client.get(f"/reports/{created['id']}").get_data(as_text=True))
    with client.application.app_context():
        entries = dict(form_entries(full_report()))
    assert {name: page.get(name) for name in entries} == entries


# One change to one part of the full report, for every part of the page.
CHANGES: dict[str, Callable[[Report], None]] = {
    "title": lambda r: setattr(r, "title", "Another title"),
    "service": lambda r: setattr(r, "service", "payments"),
    "severity": lambda r: setattr(r, "severity", "SEV1"),
    "audience": lambda r: setattr(r, "audience", "Globex"),
    "language": lambda r: setattr(r, "language", "fr"),
    "authors": lambda r: r.authors.append("Kim Nguyen"),
    "timezone": lambda r: setattr(r, "timezone", "Europe/London"),
    "started_at": lambda r: setattr(r, "started_at", datetime.fromisoformat(
        "2025-10-03T09:10:00+02:00")),
    "detected_at": lambda r: setattr(r, "detected_at", None),
    "resolved_at": lambda r: setattr(r, "resolved_at", datetime.fromisoformat(
        "2025-10-03T11:05:00+02:00")),
    "apology": lambda r: setattr(r, "apology", "We apologise."),
    "summary": lambda r: setattr(r, "summary", r.summary + " More."),
    "impact": lambda r: setattr(r, "impact", ""),
    "impact_internal": lambda r: r.internal_parts.remove("impact"),
    "timeline": lambda r: edit_row(r, "timeline", 2, internal=False),
    "factors": lambda r: edit_row(r, "factors", 1, internal=False),
    "no_single_root_cause": lambda r: setattr(r, "no_single_root_cause", False),
    "went_well": lambda r: edit_lessons(r, went_well="Nothing."),
    "went_well_internal": lambda r: r.internal_parts.remove("lessons.went_well"),
    "went_wrong": lambda r: edit_lessons(r, went_wrong="Everything."),
    "went_wrong_internal": lambda r: r.internal_parts.remove("lessons.went_wrong"),
    "lucky": lambda r: edit_lessons(r, lucky=""),
    "lucky_internal": lambda r: r.internal_parts.remove("lessons.lucky"),
    "actions": lambda r: edit_row(r, "actions", 0, addresses=(0,)),
    "follow_up_review_on": lambda r: setattr(r, "follow_up_review_on", date(2025, 12, 4)),
    "follow_up_outcome": lambda r: setattr(r, "follow_up_outcome", "All done."),
    "follow_up_held_on": lambda r: setattr(r, "follow_up_held_on", None),
}

# Changes no text shows on its own: ticks inside rows, and the links between rows.
ROW_CHANGES: dict[str, tuple[str, Callable[[Report], None]]] = {
    "event contributed": ("timeline", lambda r: edit_row(r, "timeline", 1, contributing=False)),
    "event outside window": ("timeline",
                             lambda r: edit_row(r, "timeline", 0, outside_window=False)),
    "event internal": ("timeline", lambda r: edit_row(r, "timeline", 3, internal=True)),
    "event kind": ("timeline", lambda r: edit_row(r, "timeline", 3, kind="mitigation")),
    "root cause": ("factors", lambda r: edit_row(r, "factors", 2, root_cause=False)),
    "factor internal": ("factors", lambda r: edit_row(r, "factors", 0, internal=True)),
    "factor added": ("factors", lambda r: r.factors.append(copy.deepcopy(r.factors[0]))),
    "action link added": ("actions", lambda r: edit_row(
        r, "actions", 1, addresses=(*r.actions[1].addresses, 2))),
    "action internal": ("actions", lambda r: edit_row(r, "actions", 1, internal=False)),
    "action priority": ("actions", lambda r: edit_row(r, "actions", 1, priority=None)),
    "action due": ("actions", lambda r: edit_row(r, "actions", 0, due=date(2025, 11, 16))),
    "action status": ("actions", lambda r: edit_row(r, "actions", 0, status="in_progress")),
    "action removed": ("actions", lambda r: r.actions.pop()),
}


def test_every_part_of_the_page_is_compared(in_app: None) -> None:
    form = ReportForm.for_report(Report(), meta={"csrf": False})
    parts = [field.id for field in form if field.type != "CSRFTokenField"]
    assert set(LABELS) == set(parts) == set(CHANGES)
    assert set(report_texts(Report())) == set(LABELS)


@pytest.mark.parametrize("part", sorted(CHANGES))
def test_a_change_to_one_part_is_one_difference(part: str, in_app: None) -> None:
    theirs = full_report()
    mine = full_report()
    CHANGES[part](mine)
    found = differences(mine, theirs)
    # Times are shown in the report's zone: in another zone, every time shown moves too.
    moved = {"started_at", "detected_at", "resolved_at", "timeline"}
    expected = {part, *moved} if part == "timezone" else {part}
    assert {d.id for d in found} == expected
    for difference in found:
        assert difference.label == LABELS[difference.id]
        assert difference.mine.strip() != difference.theirs.strip()
    assert differences(theirs, full_report()) == []


@pytest.mark.parametrize("change", sorted(ROW_CHANGES))
def test_a_change_inside_a_row_is_shown_in_words(change: str, in_app: None) -> None:
    part, apply = ROW_CHANGES[change]
    mine, theirs = full_report(), full_report()
    apply(mine)
    (difference,) = differences(mine, theirs)
    assert difference.id == part
    assert difference.mine != difference.theirs
    for text in (difference.mine, difference.theirs):  # in words, not the inputs' names
        assert not re.search(r"\b(timeline|factors|actions)-\d", text), text


def test_ticks_and_links_are_spelled_out(in_app: None) -> None:
    texts = report_texts(full_report())
    assert "(contributed) (outside the incident window) (internal only)" in texts["timeline"]
    assert "1. The retired gateway was still listed in the routing table. (root cause)" in (
        texts["factors"])
    assert "deals with factor 1, 3" in texts["actions"]
    assert texts["actions"].splitlines()[1].endswith("(internal only)")
    assert texts["impact_internal"] == "Yes" and texts["no_single_root_cause"] == "Yes"


# ---- through the app: two people, two sessions ----


def _open(client: FlaskClient, url: str) -> dict[str, str]:
    """Load the guided page as a browser does: the values it would post, token included."""
    page = client.get(url)
    assert page.status_code == 200
    values = _browser_values(page.get_data(as_text=True))
    assert values["csrf_token"] == csrf_token_from(page.get_data(as_text=True))
    return values


def _document(client: FlaskClient, url: str) -> dict[str, Any]:
    document = client.get(f"/api{url}").get_json()
    return {k: v for k, v in document.items() if k not in ("id", "version")}


@pytest.fixture
def two_authors(app: Flask) -> tuple[FlaskClient, FlaskClient, str]:
    first, second = app.test_client(), app.test_client()
    created = first.post("/api/reports", json=FULL_DOCUMENT)
    assert created.status_code == 201
    return first, second, f"/reports/{created.get_json()['id']}"


def _their_save(client: FlaskClient, url: str, page: dict[str, str]) -> None:
    """The first author changes a bit of every kind and saves."""
    changed = {**page, "summary": "Their summary.", "severity": "SEV1",
               "actions-0-addresses-1": "y", "timeline-1-internal": "y",
               "follow_up_held_on": "2025-12-06", "resolved_at": "2025-10-03T11:05"}
    for name in ("actions-1-internal", "lucky_internal", "factors-0-root_cause"):
        changed.pop(name)
    answer = client.post(url, data=changed, headers=AUTOSAVE)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json()["version"] == int(page["base_version"]) + 1


def _my_changes(page: dict[str, str]) -> dict[str, str]:
    """The second author, still on the old version, changes other things of every kind."""
    mine = {**page, "summary": "My summary.", "impact": "My impact.",
            "actions-1-addresses-0": "y", "factors-2-internal": "y",
            "timeline-0-description": "My first event.", "follow_up_outcome": "My outcome."}
    mine.pop("no_single_root_cause")
    mine.pop("impact_internal")
    return mine


def _assert_both_kept(document: dict[str, Any], page: dict[str, str]) -> None:
    """Their changes and mine, of every kind, are all in ``document`` (rows found by id)."""
    rows = {name: {row["id"]: row for row in document[name]}
            for name in ("timeline", "factors", "actions")}
    row = lambda name, index: rows[name][page[f"{name}-{index}-id"]]  # noqa: E731
    # Theirs.
    assert document["severity"] == "SEV1" and document["follow_up_held_on"] == "2025-12-06"
    assert document["resolved_at"] == "2025-10-03T11:05:00+02:00"
    assert row("timeline", 1).get("internal") is True
    assert 1 in row("actions", 0)["addresses"] and not row("actions", 1).get("internal")
    assert row("factors", 0)["root_cause"] is False
    assert "lessons.lucky" not in document.get("internal_parts", [])
    # Mine.
    assert document["impact"] == "My impact." and document["follow_up_outcome"] == "My outcome."
    assert 0 in row("actions", 1)["addresses"] and row("factors", 2).get("internal") is True
    assert row("timeline", 0)["description"] == "My first event."
    assert "no_single_root_cause" not in document
    assert "impact" not in document.get("internal_parts", [])


def test_a_stale_autosave_merges_every_kind_and_shows_only_what_both_changed(
    two_authors: tuple[FlaskClient, FlaskClient, str],
) -> None:
    first, second, url = two_authors
    first_page, second_page = _open(first, url), _open(second, url)
    _their_save(first, url, first_page)

    stale = second.post(url, data=_my_changes(second_page), headers=AUTOSAVE)
    assert stale.status_code == 409, stale.get_data(as_text=True)[:500]
    answer = stale.get_json()
    # Everything but the summary was merged and saved; the summary both wrote is shown.
    assert answer["conflict"] is True and answer["version"] == int(second_page["base_version"]) + 2
    assert [f["id"] for f in answer["fields"]] == ["summary"]
    assert (answer["fields"][0]["mine"], answer["fields"][0]["theirs"]) == (
        "My summary.", "Their summary.")
    merged = _document(first, url)
    _assert_both_kept(merged, second_page)
    assert merged["summary"] == "Their summary."  # the saved words stay until the author picks
    assert ["summary", "My summary."] in answer["yours"]

    # "Use theirs": the page posts back what the answer carried, based on the version it named,
    # and the report is exactly the merged one.
    taken = MultiDict(answer["yours"])
    taken.setlist("summary", ["Their summary."])
    taken.update({"csrf_token": second_page["csrf_token"], "base_version": str(answer["version"])})
    saved = second.post(url, data=taken, headers=AUTOSAVE)
    assert saved.status_code == 200, saved.get_data(as_text=True)
    assert _document(second, url) == merged

    # "Keep mine" instead: my summary, and still everything else of both.
    kept = MultiDict(answer["yours"])
    kept.update({"csrf_token": second_page["csrf_token"],
                 "base_version": str(saved.get_json()["version"])})
    assert second.post(url, data=kept, headers=AUTOSAVE).status_code == 200
    document = _document(second, url)
    assert document["summary"] == "My summary."
    _assert_both_kept(document, second_page)


def test_a_stale_page_post_merges_and_shows_the_panel_for_what_both_changed(
    two_authors: tuple[FlaskClient, FlaskClient, str],
) -> None:
    first, second, url = two_authors
    first_page, second_page = _open(first, url), _open(second, url)
    _their_save(first, url, first_page)

    mine = _my_changes(second_page)
    stale = second.post(url, data={**mine, "save": "1"})
    html = stale.get_data(as_text=True)
    assert stale.status_code == 409, html[:500]
    panel = re.search(r'<section class="conflict-panel"[^>]*>(.*?)</section>', html, re.S)
    assert panel and "hidden" not in panel.group(0).split(">")[0]
    assert re.findall(r'data-conflict="([^"]+)"', panel.group(1)) == ["summary"]
    assert 'id="summary"' in html  # the difference links to its part of the page
    assert "Their summary." in panel.group(1) and "My summary." in panel.group(1)
    merged = _document(first, url)
    _assert_both_kept(merged, second_page)
    # The form holds the merged report with my words where both wrote, based on that version.
    values = _browser_values(html)
    assert values["summary"] == "My summary." and values["severity"] == "SEV1"
    assert values["base_version"] == str(int(second_page["base_version"]) + 2)

    # Saving that form keeps my summary, and everything else of both.
    saved = second.post(url, data=values)
    assert saved.status_code == 303
    document = _document(second, url)
    assert document["summary"] == "My summary."
    _assert_both_kept(document, second_page)


# ---- every kind of field, not only the ones the page has today ----


class _Posted(HTMLParser):
    """The (name, value) pairs a browser posts for some inputs' HTML, every selected option."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.entries: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        name = named.get("name")
        kind = (named.get("type") or "text").lower()
        if tag == "input" and name and kind not in ("submit", "button", "file"):
            if kind not in ("checkbox", "radio") or "checked" in named:
                self.entries.append((name, named.get("value") or ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.entries.append((name, ""))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in named:
            self.entries.append((self._select, named.get("value") or ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("textarea", "select"):
            self._textarea = self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            name, text = self.entries[-1]
            self.entries[-1] = (name, (text + data).removeprefix("\r\n"))


def _choices(*values: str) -> list[SelectChoice]:
    return [SelectChoice(value, value.upper() or "None") for value in values]


class EveryKind(Form):
    text = StringField(default="words")
    area = TextAreaField(default="line one\nline two")
    tick = BooleanField(default=True)
    untick = BooleanField(default=False)
    radio = RadioField(choices=_choices("a", "b"), default="b")
    no_radio = RadioField(choices=_choices("a", "b"))
    select = SelectField(choices=_choices("", "x"), default="x")
    unknown = SelectField(choices=_choices("", "x"), default="kept")  # a value from elsewhere
    many = SelectMultipleField(choices=_choices("1", "2", "3"), default=["1", "3"])
    number = IntegerField(default=7)
    decimal = DecimalField(default=Decimal("2.50"))
    day = DateField(default=date(2025, 12, 5))
    moment = DateTimeLocalField(default=datetime(2025, 10, 3, 9, 12))
    hidden = HiddenField(default="a row's id")
    names = NamesField(default=["Dana Lee", "Sam Ortiz"])
    when = LocalDateTimeField(default=datetime(2025, 10, 3, 9, 12))
    on = LocalDateField(default=date(2025, 12, 3))


def test_posted_entries_are_what_a_browser_posts_for_every_kind_of_field() -> None:
    form = EveryKind()
    for field in form:
        parser = _Posted()
        parser.feed(str(field()))
        if field.name == "unknown":  # no option is selected: a browser posts the first one
            parser.entries = [("unknown", "")]
        assert posted_entries(field) == parser.entries, field.name


def test_factor_links_post_one_checkbox_each() -> None:
    class Row(Form):
        addresses = FactorLinksField()

    row = Row(prefix="actions-2-", data={"addresses": [0, 3]})
    assert posted_entries(row.addresses) == [("actions-2-addresses-0", "y"),
                                             ("actions-2-addresses-3", "y")]
    assert row.addresses._value() == "0,3"
    posted = Row(formdata=MultiDict(posted_entries(row.addresses)), prefix="actions-2-")
    assert posted.addresses.data == [0, 3]
