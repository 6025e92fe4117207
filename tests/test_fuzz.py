"""Random and hostile input thrown at every form field and API field (hypothesis).

Whatever arrives: never a 500; a refused change leaves the stored report exactly as it was;
what is accepted still renders to an export with no active content, and every page shows it.
Among the input: times at both ends of the calendar in the farthest time zones, lone
surrogates, JSON nested far too deep.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import unicodedata
from datetime import date, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from exporters import FORMATS
from exporters.render import render_html
from reports.exchange import KNOWN_FIELDS, DocumentError, from_document, to_document
from reports.json_body import load_json_body
from tests.conftest import SAMPLE_DOCUMENT, csrf_token_from
from tests.pages import store_of

HOSTILE = [
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "javascript:alert(1)",
    "[x](javascript:alert(1))", "'; DROP TABLE reports; --", "../../etc/passwd", "\x00",
    "\u202e", "\ud800", "%00", "{{ 7*7 }}", "<style>*{}</style>", "<iframe src=//x>",
    "data:text/html,<script>1</script>", "\r\n\r\nHTTP/1.1 200 OK", "𝕳𝖎𝖓𝖉𝖘𝖎𝖌𝖍𝖙",
    "before\x00after", "bell\x07 and escape\x1b[31m", "Dana,\x00Sam",
]
SETTINGS = settings(max_examples=150, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow, HealthCheck.data_too_large])
CASES = {"api": 0, "form": 0, "ids": 0, "calendar": 0, "json": 0}

lone_surrogates = st.tuples(
    st.text(max_size=8), st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
    st.text(max_size=8),
).map("".join)
texts = st.one_of(
    st.sampled_from(HOSTILE),
    lone_surrogates,
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=200, max_size=400).map(
        lambda s: s * 60),  # around 20,000 characters and more
    st.from_regex(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z)?", fullmatch=True),
)
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), texts),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.text(max_size=10), children, max_size=4)),
    max_leaves=12,
)
FIELDS = sorted(KNOWN_FIELDS - {"format"})
documents = st.fixed_dictionaries(
    {}, optional={field: json_values for field in FIELDS} | {"format": json_values}
)
FORM_FIELDS = [
    "title", "service", "severity", "audience", "authors", "timezone", "started_at",
    "detected_at", "resolved_at", "apology", "summary", "impact", "went_well", "went_wrong",
    "lucky", "follow_up_review_on", "base_version", "row_action", "timeline-0-at",
    "timeline-0-kind", "timeline-0-description", "timeline-0-contributing", "factors-0-root_cause",
    "factors-3-description", "actions-0-due", "actions-0-ticket", "actions-0-priority",
    "actions-0-status", "actions-99999-owner", "timeline--1-at", "actions-x-owner",
]
forms = st.dictionaries(st.sampled_from(FORM_FIELDS), texts, max_size=4)

# The zones farthest from UTC either way (UTC+14, UTC-12), half and three-quarter hours, and
# Pago Pago, whose local mean time before 1892 was UTC+12:37 though it is now UTC-11.
FAR_ZONES = ["Pacific/Kiritimati", "Etc/GMT+12", "Etc/GMT-14", "America/St_Johns",
             "Pacific/Pago_Pago", "Pacific/Chatham", "UTC"]
CALENDAR_ENDS = [datetime(1, 1, 1), datetime(1, 1, 1, 13, 30), datetime(1899, 12, 31, 23, 59),
                 datetime(1900, 1, 1), datetime(2200, 12, 31, 23, 59), datetime(2201, 1, 1),
                 datetime(9999, 12, 31, 10), datetime(9999, 12, 31, 23, 59)]
near_the_ends = st.datetimes(min_value=datetime(1899, 12, 25), max_value=datetime(1900, 1, 5))
wall_clocks = st.one_of(  # mostly what may be accepted, so both answers are seen often
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 12, 31)),
    near_the_ends, near_the_ends.map(lambda moment: moment.replace(year=2200)),
    st.sampled_from(CALENDAR_ENDS), st.datetimes(),
).map(lambda moment: moment.replace(second=0, microsecond=0))
window = st.tuples(wall_clocks, wall_clocks).map(sorted)  # started, resolved
offsets = st.sampled_from(["+14:00", "-12:00", "+00:00", "-03:30", "+12:45", "-09:30", "Z"])
iso_times = st.builds(lambda moment, offset: moment.isoformat() + offset, wall_clocks, offsets)
iso_window = st.tuples(window, offsets, offsets).map(
    lambda w: (w[0][0].isoformat() + w[1], w[0][1].isoformat() + w[2]))
days = st.one_of(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
                st.sampled_from([moment.date() for moment in CALENDAR_ENDS]), st.dates())
UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:", "file:")


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.attributes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attributes += [name for name, _ in attrs]


def _assert_export_is_inert(client: FlaskClient, report_id: int, app: Flask) -> None:
    stored = store_of(app).get(report_id)
    html = render_html(stored.report)
    body = html.split("<body", 1)[1]
    assert "<script" not in body.lower() and "<iframe" not in body.lower()
    # Read as a browser would: no element carries an event handler (escaped text may).
    elements = _Elements()
    elements.feed(html)
    assert not [name for name in elements.attributes if name.lower().startswith("on")]
    assert "javascript:" not in re.sub(r">[^<]*<", "><", body).lower()  # never in markup
    _assert_markdown_links_are_safe(FORMATS["md"].render(stored.report).decode())


def _assert_markdown_links_are_safe(markdown: str) -> None:
    """Rendered by a renderer that links anything, the Markdown export links nothing unsafe."""
    lax = MarkdownIt("commonmark").enable("table")
    lax.validateLink = lambda url: True  # type: ignore[method-assign]
    for target in re.findall(r'(?:href|src)="([^"]*)"', lax.render(markdown)):
        seen = html.unescape(unquote(html.unescape(target)))
        seen = "".join(c for c in seen if unicodedata.category(c)[0] not in "CZ").lower()
        assert not seen.startswith(UNSAFE_SCHEMES), target


def _assert_every_page_shows(client: FlaskClient, report_id: int) -> None:
    for url in (f"/reports/{report_id}", f"/reports/{report_id}/view", "/", "/actions",
                "/follow-ups", f"/api/reports/{report_id}"):
        assert client.get(url).status_code == 200, url
    spreadsheet = client.get("/actions.csv").get_data(as_text=True)
    for row in list(csv.reader(io.StringIO(spreadsheet)))[1:]:
        for cell in row[1:4]:
            visible = [c for c in cell if unicodedata.category(c)[0] not in "CZ"]
            first = unicodedata.normalize("NFKC", visible[0])[:1] if visible else ""
            assert cell.startswith("'") or (first not in {"=", "+", "-", "@", "\u2212"}
                                            and not cell.startswith(("\t", "\r", "\n"))), cell


@given(document=documents)
@SETTINGS
def test_api_documents(app: Flask, client: FlaskClient, document: dict[str, Any]) -> None:
    CASES["api"] += 1
    report_id = client.post("/api/reports", json=SAMPLE_DOCUMENT).get_json()["id"]
    before = client.get(f"/api/reports/{report_id}").get_json()
    try:
        body = json.dumps(document)
    except (UnicodeEncodeError, ValueError):
        return
    response = client.put(f"/api/reports/{report_id}", data=body,
                          content_type="application/json",
                          headers={"If-Match": f'"{before["version"]}"'})
    # 409 and 422: a status change the workflow refuses (one step at a time, checks met).
    assert response.status_code in (200, 400, 409, 413, 422), (
        response.get_data(as_text=True)[:500])
    after = client.get(f"/api/reports/{report_id}").get_json()
    if response.status_code != 200:
        assert after == before
    else:
        assert after["version"] == before["version"] + 1
        _assert_export_is_inert(client, report_id, app)


@given(form=forms)
@SETTINGS
def test_form_posts(app: Flask, client: FlaskClient, form: dict[str, str]) -> None:
    CASES["form"] += 1
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    url = client.post("/reports", data={"csrf_token": token}).headers["Location"]
    report_id = int(url.rsplit("/", 1)[1])
    before = client.get(f"/api/reports/{report_id}").get_json()
    try:
        response = client.post(
            url, data={"base_version": str(before["version"]), **form, "csrf_token": token},
            headers={"X-Hindsight-Autosave": "1"})
    except UnicodeEncodeError:
        return  # the test client cannot send a lone surrogate; no browser can either
    # 428: a generated base_version that is not a number names no version at all.
    allowed = (200, 400, 409, 413, *((428,) if "base_version" in form else ()))
    assert response.status_code in allowed, response.get_data(as_text=True)[:500]
    after = client.get(f"/api/reports/{report_id}").get_json()
    if response.status_code != 200:
        assert after == before
    else:
        _assert_export_is_inert(client, report_id, app)


@given(raw=st.binary(max_size=300))
@SETTINGS
def test_raw_bytes_as_form_and_json(client: FlaskClient, raw: bytes) -> None:
    CASES["form"] += 1
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    url = client.post("/reports", data={"csrf_token": token}).headers["Location"]
    body = b"csrf_token=" + token.encode() + b"&base_version=1&summary=" + raw
    response = client.post(url, data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code in (303, 400, 413)
    response = client.post("/api/reports", data=raw, content_type="application/json")
    assert response.status_code in (201, 400, 413)


@given(path=st.one_of(st.sampled_from(["..%2F..%2Fetc%2Fpasswd", "%00", "-1", "1e9",
                                       "99999999999999999999999", "1;DROP TABLE reports",
                                       "..", "%2e%2e", "1/../../2"]),
                      st.text(max_size=30).map(lambda s: s.replace("/", "%2F"))))
@SETTINGS
def test_hostile_ids_in_urls(client: FlaskClient, path: str) -> None:
    CASES["ids"] += 1
    for url in (f"/reports/{path}", f"/api/reports/{path}", f"/reports/{path}/history"):
        response = client.get(url)
        assert response.status_code in (404, 405, 308, 400), (url, response.status_code)


@given(timezone=st.sampled_from(FAR_ZONES), times=iso_window, event=iso_times, due=days,
       follow_up=days)
@SETTINGS
def test_api_times_at_the_ends_of_the_calendar(
    app: Flask, client: FlaskClient, timezone: str, times: tuple[str, str], event: str,
    due: date, follow_up: date,
) -> None:
    """A time the report's zone cannot show is refused by name; whatever is taken shows."""
    CASES["calendar"] += 1
    started, resolved = times
    report_id = client.post("/api/reports", json=SAMPLE_DOCUMENT).get_json()["id"]
    before = client.get(f"/api/reports/{report_id}").get_json()
    document = json.loads(json.dumps(SAMPLE_DOCUMENT))
    document.update(timezone=timezone, started_at=started, detected_at=None,
                    resolved_at=resolved, follow_up_review_on=follow_up.isoformat())
    document["timeline"] = [{"at": event, "kind": "other", "description": "It happened."}]
    document["actions"][0]["due"] = due.isoformat()
    response = client.put(f"/api/reports/{report_id}", json=document,
                          headers={"If-Match": f'"{before["version"]}"'})
    assert response.status_code in (200, 400), response.get_data(as_text=True)[:500]
    if response.status_code == 400:
        named = set(response.get_json()["problems"])
        assert named and named <= {"started_at", "resolved_at", "timeline.0.at",
                                   "actions.0.due", "follow_up_review_on"}, named
        assert client.get(f"/api/reports/{report_id}").get_json() == before
    else:
        _assert_every_page_shows(client, report_id)
        _assert_export_is_inert(client, report_id, app)


@given(timezone=st.sampled_from(FAR_ZONES), times=window, event=wall_clocks, due=days,
       follow_up=days)
@SETTINGS
def test_page_times_at_the_ends_of_the_calendar(
    app: Flask, client: FlaskClient, timezone: str, times: list[datetime], event: datetime,
    due: date, follow_up: date,
) -> None:
    CASES["calendar"] += 1
    started, resolved = times
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    url = client.post("/reports", data={"csrf_token": token}).headers["Location"]
    report_id = int(url.rsplit("/", 1)[1])
    before = client.get(f"/api/reports/{report_id}").get_json()
    typed = {"timezone": timezone, "started_at": started.isoformat(timespec="minutes"),
             "resolved_at": resolved.isoformat(timespec="minutes"),
             "timeline-0-at": event.isoformat(timespec="minutes"),
             "actions-0-description": "Fix it", "actions-0-due": due.isoformat(),
             "follow_up_review_on": follow_up.isoformat()}  # as a browser's inputs send them
    response = client.post(url, data={"base_version": str(before["version"]), **typed,
                                      "csrf_token": token},
                           headers={"X-Hindsight-Autosave": "1"})
    assert response.status_code in (200, 400), response.get_data(as_text=True)[:500]
    if response.status_code == 400:
        assert {error["id"] for error in response.get_json()["errors"]} <= set(typed)
        assert client.get(f"/api/reports/{report_id}").get_json() == before
    else:
        _assert_every_page_shows(client, report_id)
        _assert_export_is_inert(client, report_id, app)


json_bodies = st.one_of(
    st.builds(lambda depth, key, leaf: f'{{"{key}": ' + "[" * depth + leaf + "]" * depth + "}",
              st.integers(min_value=0, max_value=3000),
              st.sampled_from(["title", "x_extra", "timeline", "\\udc00"]),
              st.sampled_from(['"x"', "1", '"\\ud800"', '"a\\udfffb"', "NaN", "{}"])),
    st.builds(lambda depth: '{"a": ' * depth + "1" + "}" * depth,
              st.integers(min_value=1, max_value=3000)),
    st.builds(json.dumps, json_values),
)


@given(body=json_bodies)
@SETTINGS
def test_json_bodies_nested_deep_or_with_lone_surrogates(body: str) -> None:
    """What load_json_body (the API's and the import's reader) lets through can be stored."""
    CASES["json"] += 1
    try:
        report = from_document(load_json_body(body.encode()))
    except DocumentError as error:
        assert error.problems and all(isinstance(message, str) and message
                                      for message in error.problems.values())
        json.dumps(error.problems, ensure_ascii=False).encode("utf-8")  # the answer is text
        return
    stored = json.dumps(to_document(report), ensure_ascii=False).encode("utf-8")
    assert to_document(from_document(json.loads(stored))) == to_document(report)


def test_zz_report_case_counts() -> None:
    """Prints how many generated cases ran (pytest -s shows it)."""
    print(f"fuzz cases run: {CASES}")
    assert sum(CASES.values()) > 0
