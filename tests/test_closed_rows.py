"""A long timeline's events shown as text with an "Edit" button (views/row_views.py
``ClosedEvents``), on the page without its script.

The page must post, and so save, exactly what it posted when every event showed its inputs;
"Edit" must open that event; an event with an error, a warning or writing advice, and the
timeline of a conflict, must show their inputs.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from forms.report import ReportForm
from forms.rows import apply_row_action
from reports.exchange import from_document, to_document, zone
from reports.model import EVENT_KINDS, Report, TimelineEvent
from tests.pages import form_values, post_page, store_of
from tests.people import password_app, sign_in
from tests.test_editor_size import browser_post
from tests.test_fuzz import SETTINGS, texts
from tests.test_internal_copy import HOST, MARKERS, internal_document
from views.conflicts import form_entries
from views.page import blank_rows
from views.row_views import CLOSED_ABOVE, ClosedEvents, form_rows, row_views

NOT_INPUTS = {"csrf_token", "base_version", "body"}
# CLDR's short month names in French (Babel's "MMM").
FRENCH_MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
                 "nov.", "déc.")


def _create(app: Flask, report: Report, team: str | None = None) -> str:
    with app.app_context():
        return f"/reports/{store_of(app).create(report, author='Dana', team=team).id}"


def _stored(app: Flask, url: str) -> Report:
    stored = store_of(app).get(int(url.rsplit("/", 1)[1]))
    assert stored is not None
    return stored.report


@pytest.fixture
def full() -> Report:
    """Every kind of field and row filled in, 61 events (one internal, ticks of every kind,
    several lines and markup in a description), factors and action items linked to them."""
    report = from_document(internal_document())
    events = report.sorted_timeline()
    events[10] = replace(events[10], outside_window=True, contributing=True,
                         description="Two lines:\nthe <b>first</b> & “the second”.")
    return replace(report, timeline=events)


def _page(client: FlaskClient, url: str) -> str:
    answer = client.get(url)
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def _row(html: str, index: int) -> str:
    start = html.index(f'id="timeline-{index}"')
    return html[html.rindex("<fieldset", 0, start):html.index("</fieldset>", start)]


def _closed(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'class="row row-closed"[^>]* id="timeline-(\d+)"', html)]


def test_a_long_timeline_shows_its_events_as_text(app: Flask, client: FlaskClient,
                                                  full: Report) -> None:
    url = _create(app, full)
    html = _page(client, url)
    assert len(full.timeline) > CLOSED_ABOVE
    assert _closed(html) == list(range(len(full.timeline)))
    row = _row(html, 10)
    assert '<legend class="row-legend">Event <span class="row-number">11</span>' in row
    event = _stored(app, url).sorted_timeline()[10]
    local = event.at.astimezone(zone(full)) if event.at else None
    when = f"{local.day} {local:%b %Y %H:%M}" if local else ""
    assert f'<span class="row-when">{when}</span>' in row
    kind = {"deploy": "Deploy", "config_change": "Configuration change",
            "discovery": "Discovery", "mitigation": "Mitigation",
            "client_communication": "Client communication", "resolution": "Resolution",
            "other": "Other"}[event.kind]
    assert f'<span class="row-kind">{kind}</span>' in row
    assert '<span class="tag">Contributed</span>' in row
    assert '<span class="tag">Outside the window</span>' in row
    # Escaped, its line break kept (hindsight.css shows it), in the text and the hidden input.
    said = "Two lines:\nthe &lt;b&gt;first&lt;/b&gt; &amp; “the second”."
    assert f'<p class="row-text" id="timeline-10-description">{said}</p>' in row
    assert f'name="timeline-10-description" type="hidden" value="{said}"' in row
    assert ('<button class="row-edit" name="row_action" value="edit:timeline:10" '
            'data-row-action="edit">Edit<span class="visually-hidden"> event '
            '<span class="row-number">11</span></span></button>') in row
    for name in ("id", "at", "kind", "description", "contributing", "outside_window"):
        assert f'name="timeline-10-{name}" type="hidden"' in row
    assert 'name="timeline-10-internal"' not in row  # a tick left empty posts nothing
    internal = _row(html, [e.id for e in _stored(app, url).sorted_timeline()].index(
        "ev-internal"))
    assert 'type="hidden" value="y" data-internal>' in internal
    assert "<textarea" not in row and "<select" not in row


def test_a_closed_row_writes_its_time_as_the_page_s_language_does(
        app: Flask, client: FlaskClient, csrf_token: str, full: Report) -> None:
    url = _create(app, full)
    event = _stored(app, url).sorted_timeline()[10]
    assert event.at is not None
    local = event.at.astimezone(zone(full))
    english = f"{local.day} {local:%b %Y %H:%M}"
    assert f'<span class="row-when">{english}</span>' in _row(_page(client, url), 10)
    client.post("/language", data={"language": "fr", "next": url, "csrf_token": csrf_token})
    french = f"{local.day} {FRENCH_MONTHS[local.month - 1]} {local.year} {local:%H} h {local:%M}"
    assert f'<span class="row-when">{french}</span>' in _row(_page(client, url), 10)


def test_at_or_under_the_threshold_every_event_shows_its_inputs(
        app: Flask, client: FlaskClient, full: Report) -> None:
    short = _create(app, replace(full, timeline=full.sorted_timeline()[:CLOSED_ABOVE]))
    html = _page(client, short)
    assert _closed(html) == [] and 'id="timeline-24-description"' in html
    assert "<textarea" in _row(html, 24)
    longer = _create(app, replace(full, timeline=full.sorted_timeline()[:CLOSED_ABOVE + 1]))
    assert len(_closed(_page(client, longer))) == CLOSED_ABOVE + 1


def test_the_page_posted_without_script_saves_exactly_the_same_report(
        app: Flask, client: FlaskClient, full: Report) -> None:
    url = _create(app, full)
    html = _page(client, url)
    posted = [(n, v) for n, v in browser_post(html)
              if n not in NOT_INPUTS and not n.startswith("reason|")]  # set-aside reasons
    with app.test_request_context():
        expected = form_entries(_stored(app, url))
    assert len(posted) == len({name for name, _ in posted})
    # The same entries as with every event open (the follow-up's outcome is not on the page
    # before its review date).
    assert dict(posted) == {n: v for n, v in expected if not n.startswith("follow_up_")
                            or n in dict(posted)}
    before = to_document(_stored(app, url))
    answer = post_page(client, url, data={**form_values(html), "save": "1"})
    assert answer.status_code == 303, answer.get_data(as_text=True)[:300]
    assert to_document(_stored(app, url)) == before


def test_edit_without_script_opens_that_event_and_loses_nothing(
        app: Flask, client: FlaskClient, full: Report) -> None:
    url = _create(app, full)
    values = form_values(_page(client, url))
    values["summary"] = "Typed before pressing Edit."
    answer = post_page(client, url, data={**values, "row_action": "edit:timeline:40"})
    assert answer.status_code == 303
    event_id = values["timeline-40-id"]
    assert answer.headers["Location"].endswith(f"?open={event_id}#timeline-40")
    assert _stored(app, url).summary == "Typed before pressing Edit."
    html = _page(client, answer.headers["Location"])
    row = _row(html, 40)
    assert 'data-focus="timeline-40"' in html
    assert '<textarea class="input" id="timeline-40-description"' in row
    assert f'value="{event_id}"' in row
    assert _closed(html) == [i for i in range(len(full.timeline)) if i != 40]
    # Its Move up, Move down and Remove buttons are there, as on every open row.
    for verb in ("up", "down", "remove"):
        assert f'value="{verb}:timeline:40"' in row


def test_an_edited_event_that_moves_in_time_opens_where_it_lands(
        app: Flask, client: FlaskClient, full: Report) -> None:
    url = _create(app, full)
    values = form_values(_page(client, url))
    values["timeline-40-at"] = "2026-10-03T07:59"  # before every other event
    answer = post_page(client, url, data={**values, "row_action": "edit:timeline:40"})
    assert answer.headers["Location"].endswith(f"?open={values['timeline-40-id']}#timeline-0")
    assert _closed(_page(client, answer.headers["Location"]))[0] == 1


def test_an_event_with_an_error_shows_its_inputs_and_its_message(
        app: Flask, client: FlaskClient, full: Report) -> None:
    url = _create(app, full)
    values = form_values(_page(client, url))
    values["timeline-30-at"] = "next tuesday"
    answer = post_page(client, url, data={**values, "save": "1"})
    assert answer.status_code == 400
    html = answer.get_data(as_text=True)
    row = _row(html, 30)
    assert 'id="timeline-30-at-error"' in row and 'aria-invalid="true"' in row
    assert 'value="next tuesday"' in row
    assert 30 not in _closed(html) and 29 in _closed(html)
    assert 'href="#timeline-30-at"' in html  # the summary's link reaches an open row
    # Nothing typed is lost: the whole page posted again, fixed, saves every event.
    fixed = {**form_values(html), "timeline-30-at": "2026-10-03T10:30", "save": "1"}
    assert post_page(client, url, data=fixed).status_code == 303
    assert len(_stored(app, url).timeline) == len(full.timeline)


def test_an_event_with_a_warning_or_writing_advice_shows_its_inputs(
        app: Flask, client: FlaskClient, full: Report) -> None:
    events = full.sorted_timeline()
    resolved = full.resolved_at
    assert resolved is not None
    events[5] = replace(events[5], description="Dana forgot to restart the server.")
    events.append(TimelineEvent(at=resolved + timedelta(hours=3), kind="deploy",
                                description="Deployed the fix to every region."))
    url = _create(app, replace(full, timeline=events))
    html = _page(client, url)
    assert 'id="timeline-5-description-hints"' in _row(html, 5)  # the advice, in view
    last = len(events) - 1
    assert f'id="timeline-{last}-at-warning"' in _row(html, last)
    assert 5 not in _closed(html) and last not in _closed(html) and 6 in _closed(html)


def test_a_timeline_in_conflict_shows_every_event_with_its_inputs(
        app: Flask, client: FlaskClient, full: Report) -> None:
    url = _create(app, full)
    values = form_values(_page(client, url))
    mine = {**values, "timeline-12-description": "Mine: the gateway was restarted."}
    theirs = {**values, "timeline-12-description": "Theirs: the pool was drained."}
    assert post_page(client, url, data={**theirs, "save": "1"}).status_code == 303
    answer = client.post(url, data={**mine, "save": "1"})  # still on the first version
    assert answer.status_code == 409
    html = answer.get_data(as_text=True)
    assert 'data-conflict="timeline"' in html
    assert _closed(html) == []
    assert form_values(html)["timeline-12-description"] == "Mine: the gateway was restarted."


def test_the_edit_action_changes_nothing_but_the_row_in_view() -> None:
    from werkzeug.datastructures import MultiDict

    data = MultiDict([("title", "T"), ("timeline-0-description", "a"),
                      ("timeline-1-description", "b")])
    after, focus = apply_row_action(data, "edit:timeline:1")
    assert focus == "timeline-1"
    assert sorted(after.items(multi=True)) == sorted(data.items(multi=True))
    assert apply_row_action(data, "edit:timeline:x")[1] is None  # not an action


def test_viewers_never_get_the_editor_nor_an_internal_event(tmp_path: Path,
                                                            full: Report) -> None:
    app = password_app(tmp_path)
    url = _create(app, full, team="acme")
    for name in ("viewer", "team_viewer", "reviewer"):
        person = sign_in(app, name)
        answer = person.get(f"{url}?open=ev-internal")
        assert answer.status_code == 302 and answer.headers["Location"].endswith("/view")
        body = person.get(answer.headers["Location"]).get_data(as_text=True)
        if name != "reviewer":
            assert HOST not in body and not [m for m in MARKERS if m in body]
        assert 'name="timeline-' not in body
    author = sign_in(app, "team_author")
    page = author.get(url).get_data(as_text=True)
    assert HOST in page  # the author's page holds it, in a closed row's text and input
    assert 'row-closed' in page


def test_an_event_added_without_script_shows_its_inputs(app: Flask, client: FlaskClient,
                                                        full: Report) -> None:
    url = _create(app, full)
    values = form_values(_page(client, url))
    answer = post_page(client, url, data={**values, "row_action": "add:timeline"})
    assert answer.status_code == 303
    added = len(full.timeline)  # no time yet: last in time order
    new_id = _stored(app, url).sorted_timeline()[added].id
    assert answer.headers["Location"].endswith(f"?open={new_id}#timeline-{added}")
    html = _page(client, answer.headers["Location"])
    assert f'<textarea class="input" id="timeline-{added}-description"' in html
    assert added not in _closed(html) and len(_closed(html)) == added


# A closed event drawn from a RowView reads its inputs' values without making them (views/
# row_views.py ``_probe``); drawn from a row form, it reads the fields WTForms bound. Both must
# give the same HTML, for any event a report may hold.
odd_events = st.builds(
    TimelineEvent,
    at=st.one_of(st.none(), st.datetimes(min_value=datetime(1900, 1, 2),
                                         max_value=datetime(2200, 12, 30),
                                         timezones=st.sampled_from(
                                             [UTC, ZoneInfo("Pacific/Kiritimati"),
                                              ZoneInfo("Pacific/Pago_Pago"),
                                              ZoneInfo("Asia/Kathmandu")]))),
    kind=st.one_of(st.sampled_from(list(EVENT_KINDS)), st.text(max_size=8)),
    description=texts,
    contributing=st.booleans(), outside_window=st.booleans(), internal=st.booleans(),
    id=st.one_of(st.uuids().map(str), texts),
)


@given(events=st.lists(odd_events, min_size=1, max_size=4),
       timezone=st.sampled_from(["UTC", "Europe/Paris", "America/St_Johns", "Not/AZone"]),
       language=st.sampled_from(["en", "fr"]))
@SETTINGS
def test_a_closed_event_is_the_same_drawn_from_values_or_from_its_row_form(
        app: Flask, events: list[TimelineEvent], timezone: str, language: str) -> None:
    report = Report(timezone=timezone, timeline=events)
    with app.test_request_context(headers={"Accept-Language": language}):
        blanks = blank_rows()
        closed = ClosedEvents(blanks["timeline"])
        views = row_views(report, blanks)["timeline"]
        forms = form_rows(ReportForm.for_report(
            replace(report, timeline=report.sorted_timeline())))["timeline"]
        assert len(views) == len(forms) == len(events)
        for index, (view, form) in enumerate(zip(views, forms, strict=True)):
            from_values = closed(view, index)
            assert set(vars(view)) == {"_blank", "_prefix", "_values"}  # no input was made
            assert from_values == closed(form, index)
            assert view.description.data == form.description.data  # made when asked for
