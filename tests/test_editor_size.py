"""The guided page of a big report: how many bytes it is, and that drawing its rows from plain
values (templates/rows.html), and most of its events as text (views/row_views.py
ClosedEvents), posts back exactly what the WTForms widgets did.

The report is the benchmark's (bench/bench_editor.py): 200 timeline events, 30 factors and 30
action items, every field filled in. Its size is deterministic, so it is tested here; its time
is measured in the benchmark only.
"""

from __future__ import annotations

from dataclasses import replace
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from bench.bench_editor import big_report, ordinary_report, stored_report
from forms.report import ReportForm
from reports.checks import check_report
from reports.model import Report
from tests.pages import store_of
from views.conflicts import form_entries
from views.page import render_page

KIB = 1024
# Issue 15 asks for at most 300 KiB. With a long timeline's events shown as text with an "Edit"
# button (views/row_views.py ClosedEvents), the issue's own case (200 short events, 2 factors,
# 2 action items) is 260 KiB (592 KiB before, 707 KiB before that): the target is met.
ORDINARY_TODAY = 265 * KIB
TARGET = 300 * KIB
# The heavy report (200 long events, 30 factors, 30 action items each with 30 factor ticks) is
# 577 KiB (887 KiB before; 1,136 KiB before empty message slots, long factor names beside every
# tick and per-tick wrappers went; 1,467 KiB before the rows were drawn from plain values). What
# is left is mostly the action items' 900 factor ticks: a bound that stops it growing back.
TODAY = 580 * KIB
# Posted with the report's inputs but not among them: the page's token and version, and the
# comment box of each part (templates/comments.html).
NOT_INPUTS = {"csrf_token", "base_version", "body"}


class _BrowserPost(HTMLParser):
    """What a browser posts for the report form: its inputs only (not those of other forms, nor
    of the blank rows in ``<template>``), ticked boxes only, a select's chosen option or else
    its first, and a text area's text without the line break that follows ``<textarea>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.entries: list[tuple[str, str]] = []
        self._in_form = self._in_template = False
        self._textarea: list[str] | None = None
        self._select: tuple[str, list[str]] | None = None  # name, [first, selected?]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "form":
            self._in_form = named.get("id") == "report-form"
        elif tag == "template":
            self._in_template = True
        if not self._in_form or self._in_template:
            return
        name = named.get("name") or ""
        if tag == "input" and name:
            kind = (named.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in named:
                return
            if kind not in ("submit", "button", "file"):
                self.entries.append((name, named.get("value") or ""))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._select = (name, [])
        elif tag == "option" and self._select is not None:
            value = named.get("value") or ""
            options = self._select[1]
            if not options:
                options.append(value)
            if "selected" in named:
                options[1:] = [value]

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "template":
            self._in_template = False
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            self.entries.append((name, text.removeprefix("\r").removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            name, options = self._select
            self.entries.append((name, options[-1] if options else ""))
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1] += data


def browser_post(html: str) -> list[tuple[str, str]]:
    parser = _BrowserPost()
    parser.feed(html)
    return parser.entries


@pytest.fixture
def big(app: Flask) -> tuple[str, Report]:
    report = big_report()
    return f"/reports/{stored_report(app, report)}", report


def _page(client: FlaskClient, url: str) -> str:
    answer = client.get(url)
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def test_the_editor_does_not_grow_back(client: FlaskClient, big: tuple[str, Report]) -> None:
    assert len(client.get(big[0]).get_data()) <= TODAY


def test_the_editor_of_the_issues_own_case_does_not_grow_back(app: Flask,
                                                              client: FlaskClient) -> None:
    url = f"/reports/{stored_report(app, ordinary_report())}"
    assert len(client.get(url).get_data()) <= min(ORDINARY_TODAY, TARGET)


def test_the_page_posts_what_the_form_would(app: Flask, client: FlaskClient,
                                            big: tuple[str, Report]) -> None:
    """Every input, with the name and the value the WTForms form posts for the same report."""
    posted = [(n, v) for n, v in browser_post(_page(client, big[0])) if n not in NOT_INPUTS]
    with app.test_request_context():
        expected = form_entries(big[1])
    assert len(posted) == len({name for name, _ in posted})  # no name twice
    assert dict(posted) == dict(expected)


def test_rows_drawn_from_the_reports_values_are_those_its_row_forms_draw(
        app: Flask, big: tuple[str, Report]) -> None:
    """An opened report's rows come from its values (views/row_views.py), not from a WTForms
    row form each: the page is the same, byte for byte."""
    url = big[0]
    with app.test_request_context(url):
        stored = store_of(app).get(int(url.rsplit("/", 1)[1]))
        assert stored is not None
        shown = replace(stored.report, timeline=stored.report.sorted_timeline())
        problems = check_report(shown)
        from_forms, _ = render_page(stored, ReportForm.for_report(shown), problems)
        without_rows = ReportForm.for_report(replace(shown, timeline=[], factors=[], actions=[]))
        from_values, _ = render_page(stored, without_rows, problems, rows_of=shown)
    assert 'id="timeline-199-description"' in from_values
    assert from_values == from_forms


def test_the_page_posted_back_saves_the_same_report(app: Flask, client: FlaskClient,
                                                    big: tuple[str, Report]) -> None:
    url, report = big
    entries = browser_post(_page(client, url))
    answer = client.post(url, data=MultiDict([*entries, ("save", "1")]))
    assert answer.status_code == 303, answer.get_data(as_text=True)[:500]
    saved = store_of(app).get(int(url.rsplit("/", 1)[1]))
    assert saved is not None and saved.version == 2
    assert saved.report == report


def test_every_row_input_is_labelled_and_described_by_ids_on_the_page(
        client: FlaskClient, big: tuple[str, Report]) -> None:
    """The hints said once per list are where each row's aria-describedby points (in a long
    timeline, events 8 and 200 asked for with ``?open=``: the others are shown as text)."""
    url = big[0]
    stored = store_of(client.application).get(int(url.rsplit("/", 1)[1]))
    assert stored is not None
    events = stored.report.sorted_timeline()
    ids, labels, described = _references(
        _page(client, f"{url}?open={events[199].id}&open={events[7].id}"))
    for name in ("timeline-at-hint", "timeline-kind-hint", "timeline-description-hint",
                 "factors-description-hint", "factors-root_cause-hint",
                 "actions-description-hint", "actions-owner-hint", "actions-addresses-hint",
                 "actions-ticket-hint"):
        assert name in ids
    assert described["timeline-199-at"] == ["timeline-at-hint"]
    assert described["actions-29-addresses"] == ["actions-addresses-hint"]
    assert described["factors-0-root_cause"] == ["factors-root_cause-hint"]
    assert not {token for tokens in described.values() for token in tokens} - ids
    for field in ("timeline-7-description", "timeline-7-kind", "timeline-7-internal",
                  "factors-3-root_cause", "actions-2-addresses-29", "actions-2-ticket"):
        assert field in labels
    # A row input's message slots are made by the page's script when a save brings a message
    # (static/editor.js, static/guidance.js): no empty slot is sent for each of them.
    for slot in ("timeline-150-at-error", "timeline-150-at-warning",
                 "actions-29-ticket-error", "factors-29-description-hints"):
        assert slot not in ids
    assert "factors-29-description-readability" in ids  # reading ease, drawn by the server


def test_factor_ticks_have_short_names_and_each_factor_is_said_once(
        client: FlaskClient, big: tuple[str, Report]) -> None:
    """30 ticks in each of 30 action items: each named "Factor 2"; without the page's script,
    what each factor says is listed once above the action items."""
    html = _page(client, big[0])
    assert '<label for="actions-3-addresses-0">Factor 1 (root cause)</label>' in html
    assert '<label for="actions-3-addresses-1">Factor 2</label>' in html
    said = "Factor 2: Factor 2: the retired gateway was still listed"
    assert html.count(said) == 1
    assert html.index("<noscript>") < html.index(said) < html.index("</noscript>")


def test_a_row_error_shows_beside_its_input_as_before(client: FlaskClient,
                                                      big: tuple[str, Report]) -> None:
    url = big[0]
    entries = MultiDict(browser_post(_page(client, url)))
    entries["actions-4-ticket"] = "not a link <b>"
    entries["timeline-9-at"] = "next tuesday"
    answer = client.post(url, data=entries)
    assert answer.status_code == 400
    html = answer.get_data(as_text=True)
    assert ('<input class="input input-error" id="actions-4-ticket" name="actions-4-ticket" '
            'aria-describedby="actions-ticket-hint actions-4-ticket-error" aria-invalid="true" '
            'maxlength="2000" type="url" inputmode="url" value="not a link &lt;b&gt;">') in html
    assert ('<p class="field-error" id="timeline-9-at-error"><span class="visually-hidden">'
            'Error:</span> Enter a date and time like 2026-10-03 09:12 </p>') in html
    assert '<div class="form-group form-group-error"><label class="label" for="timeline-9-at">' \
        in html
    assert dict(browser_post(html))["timeline-9-at"] == "next tuesday"


def _references(html: str) -> tuple[set[str], set[str], dict[str, list[str]]]:
    """The page's ids, the ids its labels are for, and each element's aria-describedby."""
    ids: set[str] = set()
    labels: set[str] = set()
    described: dict[str, list[str]] = {}

    class Walk(HTMLParser):
        in_template = False

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            named = dict(attrs)
            if tag == "template":
                self.in_template = True
            if self.in_template:
                return
            if named.get("id"):
                ids.add(str(named["id"]))
            if tag == "label" and named.get("for"):
                labels.add(str(named["for"]))
            if named.get("aria-describedby") and named.get("id"):
                described[str(named["id"])] = str(named["aria-describedby"]).split()

        def handle_endtag(self, tag: str) -> None:
            if tag == "template":
                self.in_template = False

    Walk().feed(html)
    return ids, labels, described
