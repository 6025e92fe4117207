"""The timeline import's readers on realistic samples of each source (tests/corpora/
timeline_import/), and the rules for times, zones, dates, kinds and duplicates."""

from __future__ import annotations

import codecs
import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.model import EVENT_KINDS
from reports.timeline_import import (
    ColumnError,
    Reading,
    ReportContext,
    Settings,
    decode_upload,
    read_timeline,
)
from reports.timeline_import.detect import detect
from reports.timeline_import.kinds import guess_kind
from reports.timeline_import.model import ExistingEvent
from reports.timeline_import.times import leading_stamp, whole_stamp

CORPUS = Path(__file__).parent / "corpora" / "timeline_import"
CEST = timezone(timedelta(hours=2))
# The sample report (tests/conftest.py): started 3 October 2026 at 09:12, Paris time.
STARTED = datetime(2026, 10, 3, 9, 12, tzinfo=CEST)
TODAY = date(2026, 12, 2)


def paris(existing: tuple[ExistingEvent, ...] = ()) -> ReportContext:
    return ReportContext("Europe/Paris", STARTED, TODAY, existing)


def sample(name: str) -> str:
    return (CORPUS / name).read_text(encoding="utf-8")


def read(name_or_text: str, context: ReportContext | None = None, **chosen: Any) -> Reading:
    named = len(name_or_text) < 100 and (CORPUS / name_or_text).is_file()
    text = sample(name_or_text) if named else name_or_text
    return read_timeline(text, Settings(**chosen), context or paris())


def utc(reading: Reading) -> list[str]:
    return [e.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M") for e in reading.events]


def local(reading: Reading) -> list[str]:
    return [e.at.strftime("%d %H:%M%z") for e in reading.events]


def check_basics(reading: Reading) -> None:
    """What every reading keeps: offset-aware times in time order, known kinds."""
    times = [e.at for e in reading.events]
    assert all(t.tzinfo is not None and t.utcoffset() is not None for t in times)
    assert times == sorted(times)
    assert all(e.kind in EVENT_KINDS for e in reading.events)
    assert all(e.description and e.description == e.description.strip()
               for e in reading.events)


# ---- each source on its sample ----


def test_slack_export_of_a_busy_day() -> None:
    reading = read("slack-incident-channel.json")
    check_basics(reading)
    assert reading.source == "slack" and not reading.needs_timezone
    texts = [e.description for e in reading.events]
    everything = "\n".join(texts)
    # Names, never user ids, for authors and mentions (users.json names Alex).
    assert "U0" not in everything and "<@" not in everything
    assert texts[1].startswith("Dana Lee: 🚨 Checkout is throwing 500s")
    assert "@Sam Ortiz can you look?" in texts[1]
    assert "checkout board (https://grafana.example.com/d/checkout)" in texts[1]
    assert any(t.startswith("Alex Moreno: @Dana Lee thanks") for t in texts)
    # Bots with something to say stay; joins, topics, Slackbot, pins and "+1" do not.
    assert texts[0].startswith("PagerDuty: Triggered #4211")
    for noise in ("has joined", "set the channel topic", "Reminder", "pinned", "has left"):
        assert noise not in everything
    assert not any(t.endswith(": +1") or t.endswith(": 👀") or t.endswith(": ✅")
                   for t in texts)
    assert reading.left_out >= 8
    # An edited message once, with its last words; a thread reply in its place in time.
    assert sum("Rollback finished" in t for t in texts) == 1
    assert "(edited: it is 4% now)" in everything
    assert any(t.startswith("Priya Nair: Error rate still 4%") for t in texts)
    # Slack's escapes undone: the words people typed, markup characters included.
    assert "<script>alert(1)</script>" in everything and "&lt;" not in everything
    assert "& gets 1/3" in everything
    # Exact times, shown in the report's zone; the second day file's message a day later.
    assert reading.events[0].at.isoformat() == "2026-10-03T09:14:05+02:00"
    assert reading.events[-1].at.isoformat() == "2026-10-04T10:30:00+02:00"
    kinds = {e.description.split(":")[0] + e.description[10:30]: e.kind for e in reading.events}
    assert list(kinds.values()).count("mitigation") >= 2
    assert reading.events[0].kind == "discovery"


def test_slack_other_shapes() -> None:
    message = {"type": "message", "user": "U9", "text": "Deployed <@U8|sam>'s fix",
               "ts": "1791011645.000200", "user_profile": {"real_name": "Kim Park"}}
    api_answer = json.dumps({"ok": True, "messages": [message]})
    one = read(api_answer)
    assert one.source == "slack"
    assert [e.description for e in one.events] == ["Kim Park: Deployed @sam's fix"]
    unknown = dict(message, user="U7", user_profile=None, text="<@U6> rolled back")
    two = read(json.dumps([unknown]))
    assert two.events[0].description == "@someone rolled back"  # no id, no made-up name
    broken = read('[{"ts": "1", "text": "x"', source="slack")
    assert broken.events == () and "not a Slack export" in broken.problems[0]


def test_teams_paste() -> None:
    reading = read("teams-paste.txt")
    check_basics(reading)
    assert reading.source == "teams" and reading.needs_timezone
    texts = [e.description for e in reading.events]
    assert len(texts) == 7
    assert texts[1] == "Sam Ortiz: Looking. Release 4.2 of the payment router went out at 9:05"
    assert texts[4] == ("Sam Ortiz: Turned off the legacy_gateway setting in the routing config\n"
                        "It takes a minute to reach every node.")
    everything = "\n".join(texts)
    for noise in ("like 2", "reacted", "joined the meeting", "Meeting", "Recording", "Edited",
                  "replies", "(External)"):
        assert noise not in everything
    assert local(reading)[0] == "03 09:21+0200"
    assert [e.kind for e in reading.events][2:5] == ["mitigation", "client_communication",
                                                     "config_change"]


def test_other_teams_and_chat_layouts() -> None:
    new_teams = read("Dana Lee\n9:14 AM\nWe see errors on checkout\nSam Ortiz\n9:16 AM\n"
                     "Rolling back release 4.2\n👍 2\nPriya Nair 9:20 AM\nStatus page updated")
    assert new_teams.source == "teams"
    assert [e.description for e in new_teams.events] == [
        "Dana Lee: We see errors on checkout", "Sam Ortiz: Rolling back release 4.2",
        "Priya Nair: Status page updated"]
    dated = read("[03/10/2026 10:14] Dana Lee\nAlert fired\n[03/10/2026 10:20] Sam Ortiz\n"
                 "Rolled back")
    assert dated.source == "teams" and local(dated) == ["03 10:14+0200", "03 10:20+0200"]
    # Bracketed times followed by sentences are lines, not chat headers.
    lines = read("[09:14] Deployed release 4.2\n[09:20] Alert fired")
    assert lines.source == "lines" and len(lines.events) == 2


def test_teams_times_follow_the_zone_chosen_for_them() -> None:
    reading = read("teams-paste.txt", timezone="America/New_York")
    assert not reading.needs_timezone
    assert utc(reading)[0] == "2026-10-03 13:21"  # 9:21 in New York
    assert local(reading)[0] == "03 15:21+0200"  # shown in the report's zone


def test_google_chat_paste() -> None:
    reading = read("google-chat-paste.txt")
    check_basics(reading)
    assert reading.source == "google_chat"
    assert [e.description for e in reading.events] == [
        "Dana Lee: Checkout alerts are firing for the EU region 🚨",
        "Sam Ortiz: Flipped the payments_v2 feature flag off to stop new traffic to the router",
        "Priya Nair: Customers are reporting failed payments on Twitter, drafting a status "
        "page post",
        "Sam Ortiz: Failover to the secondary gateway is done",
        "Dana Lee: Resolved: payments are back to normal. Thanks all!",
    ]
    assert [e.kind for e in reading.events] == [
        "discovery", "config_change", "client_communication", "mitigation", "resolution"]
    assert reading.left_out >= 3


def test_lines_in_many_formats() -> None:
    reading = read("lines-formats.txt")
    check_basics(reading)
    assert reading.source == "lines"
    assert utc(reading) == [
        "2026-10-03 07:05",  # 09:05, Paris (the report's zone)
        "2026-10-03 07:14",  # 9:14 AM
        "2026-10-03 07:14",  # 2026-10-03 09:14 CET (Paris's clock that day)
        "2026-10-03 07:16",  # 03/10/2026 09:16: 3 October in Paris
        "2026-10-03 07:21",  # Oct 3, 9:21 AM
        "2026-10-03 07:24",  # 2026-10-03T07:24:00Z
        "2026-10-03 07:40",  # 2026-10-03T09:40:00+02:00
        "2026-10-03 07:52",  # [09:52]
        "2026-10-03 08:40",  # 3 Oct 2026 10:40
        "2026-10-03 09:02",  # Fri, 3 Oct 2026 11:02:00 +0200
    ]
    changed = next(e for e in reading.events if e.kind == "config_change")
    assert changed.description == ("Changed the routing config: legacy gateway removed\n"
                                   "It takes a minute to reach every node.")


def test_a_zone_in_the_text_wins_over_the_one_given() -> None:
    as_paris = read("lines-formats.txt")
    as_utc = read("lines-formats.txt", timezone="UTC")
    paris_at = {e.description: e.at for e in as_paris.events}
    moved = {e.description: e.at - paris_at[e.description] for e in as_utc.events}
    # The lines with CET, Z, +02:00 or +0200 do not move; the others are now UTC times.
    assert sorted(d for d, step in moved.items() if not step) == [
        "Dana noticed the alert on her phone", "Failover to the secondary gateway",
        "Incident resolved, all clear", "Status page updated: investigating"]
    assert {step for step in moved.values() if step} == {timedelta(hours=2)}
    assert {e.description for e in as_paris.events if not e.needs_timezone} == {
        d for d, step in moved.items() if not step}
    assert not any(e.needs_timezone for e in as_utc.events)


@pytest.mark.parametrize(("line", "expected"), [
    ("09:14 x", "2026-10-03T09:14:00+02:00"),
    ("9:14 AM x", "2026-10-03T09:14:00+02:00"),
    ("9:14 pm x", "2026-10-03T21:14:00+02:00"),
    ("12:05 AM x", "2026-10-03T00:05:00+02:00"),
    ("2026-10-03 09:14 CET x", "2026-10-03T09:14:00+02:00"),
    ("2026-12-03 09:14 CET x", "2026-12-03T09:14:00+01:00"),
    ("2026-10-03 09:14 UTC x", "2026-10-03T11:14:00+02:00"),
    ("2026-10-03 09:14 UTC+3 x", "2026-10-03T08:14:00+02:00"),
    ("2026-10-03 09:14 EST x", "2026-10-03T15:14:00+02:00"),
    ("2026-10-03 09:14 Asia/Tokyo x", "2026-10-03T02:14:00+02:00"),
    ("Oct 3, 9:14 AM x", "2026-10-03T09:14:00+02:00"),
    ("October 4th 2026 at 9:14 pm x", "2026-10-04T21:14:00+02:00"),
    ("2026-10-03T09:14:00.123456789+02:00 x", "2026-10-03T09:14:00.123456+02:00"),
    ("2026-10-03T07:14:00Z x", "2026-10-03T09:14:00+02:00"),
    ("3.10.2026 09:14 x", "2026-10-03T09:14:00+02:00"),
    ("2026/10/03 09:14 x", "2026-10-03T09:14:00+02:00"),
    ("Sat 3 Oct 09:14 x", "2026-10-03T09:14:00+02:00"),
    ("(09:14) x", "2026-10-03T09:14:00+02:00"),
    ("- 09:14 - x", "2026-10-03T09:14:00+02:00"),
    ("9am x", "2026-10-03T09:00:00+02:00"),
])
def test_each_form_of_time(line: str, expected: str) -> None:
    reading = read(line)
    assert [e.at.isoformat() for e in reading.events] == [expected]
    assert reading.events[0].description == "x"


@pytest.mark.parametrize("line", [
    "3.5 million requests failed", "1:1 with Sam", "09:14abc", "25:00 x", "10.30 deploy",
    "31/02/2026 09:14 x", "13:00 PM x", "version 4:2", "Monitoring 09:14",
])
def test_what_is_not_a_time(line: str) -> None:
    assert leading_stamp(line) is None or read(line).events == ()


def test_day_and_month_order() -> None:
    line = "03/10/2026 09:16 Sam started looking"
    assert read(line).events[0].at.date() == date(2026, 10, 3)  # Paris: day first
    assert read(line).ambiguous_dates
    new_york = read(line, ReportContext("America/New_York", None, TODAY))
    assert new_york.events[0].at.date() == date(2026, 3, 10)
    assert not new_york.day_first
    assert read(line, timezone="America/Chicago").events[0].at.month == 3  # the zone chosen
    assert read(line, day_first=False).events[0].at.month == 3  # the person's choice wins
    assert read(line, ReportContext("America/New_York", None, TODAY),
                day_first=True).events[0].at.month == 10
    # Another date in the text that can be read one way only settles the order.
    settled = read(f"{line}\n13/10/2026 10:00 Rolled back",
                   ReportContext("America/New_York", None, TODAY))
    assert [e.at.strftime("%m-%d") for e in settled.events] == ["10-03", "10-13"]
    assert not settled.ambiguous_dates
    month_first = read(f"{line}\n10/13/2026 10:00 Rolled back")
    assert [e.at.strftime("%m-%d") for e in month_first.events] == ["03-10", "10-13"]


def test_times_without_a_date_take_the_reports_day() -> None:
    late = ReportContext("Europe/Paris", datetime(2026, 10, 3, 21, 30, tzinfo=UTC), TODAY)
    # 23:30 Paris, 21:30 UTC: the report's day is the 3rd in its zone, not UTC's.
    assert read("23:40 Alert fired\n00:10 Rolled back", late).events[0].at.isoformat() == \
        "2026-10-03T23:40:00+02:00"
    # The first line after midnight already: the report started before it.
    assert read("00:10 Rolled back", late).events[0].at.date() == date(2026, 10, 4)
    no_times = ReportContext("UTC", None, TODAY)
    assert read("09:14 Alert fired", no_times).events[0].at.date() == TODAY
    assert read("Oct 3, 9:14 AM x", no_times).events[0].at.year == TODAY.year
    # A line with only a date gives the date of the times below it.
    assert read("Sunday 4 October 2026\n09:14 x").events[0].at.date() == date(2026, 10, 4)


def test_times_across_midnight() -> None:
    london = ReportContext("Europe/London",
                           datetime(2026, 6, 12, 23, 30, tzinfo=timezone(timedelta(hours=1))),
                           TODAY)
    reading = read("lines-midnight.txt", london)
    check_basics(reading)
    assert local(reading) == ["12 23:40+0100", "12 23:52+0100", "12 23:58+0100",
                              "13 00:03+0100", "13 00:25+0100"]
    # A small step back is a line out of order, on the same day.
    out_of_order = read("09:20 Alert\n09:14 Deploy")
    assert [e.at.day for e in out_of_order.events] == [3, 3]
    years = read("Dec 31, 23:50 Alert\nJan 1, 00:20 Resolved")
    assert [e.at.date() for e in years.events] == [date(2026, 12, 31), date(2027, 1, 1)]


def test_times_across_the_autumn_clock_change() -> None:
    reading = read("lines-dst-autumn.txt", ReportContext("Europe/Paris", None, TODAY))
    check_basics(reading)
    assert local(reading) == ["25 01:50+0200", "25 02:10+0200", "25 02:40+0200",
                              "25 02:05+0100", "25 02:30+0100", "25 03:10+0100"]
    steps = [b.at - a.at for a, b in zip(reading.events, reading.events[1:], strict=False)]
    assert steps[2] == timedelta(minutes=25)  # 02:40 summer time, then 02:05 winter time


def test_times_across_the_spring_clock_change() -> None:
    reading = read("lines-dst-spring.txt", ReportContext("Europe/Paris", None, TODAY))
    check_basics(reading)
    assert local(reading) == ["29 01:50+0100", "29 03:05+0200", "29 03:20+0200"]
    assert reading.events[1].at - reading.events[0].at == timedelta(minutes=15)
    skipped = read("29/03/2026 02:30 x", ReportContext("Europe/Paris", None, TODAY))
    assert local(skipped) == ["29 03:30+0200"]  # 02:30 never happened that night


def test_csv_log_with_header_and_quoted_commas() -> None:
    reading = read("pagerduty-log.csv")
    check_basics(reading)
    assert reading.source == "csv" and not reading.needs_timezone
    assert reading.table is not None
    assert reading.table.columns == ("Incident", "Created At", "Type", "Agent", "Channel",
                                     "Summary")
    assert (reading.table.time_column, reading.table.text_column) == (1, 5)
    texts = [e.description for e in reading.events]
    assert texts[0] == "Triggered: High error rate on checkout-api (EU), 5xx above 12%"
    assert texts[3] == 'Posted to the status page: "Investigating", customers in the EU affected'
    assert [e.kind for e in reading.events] == ["discovery", "other", "discovery",
                                                "client_communication", "mitigation",
                                                "resolution"]
    assert [e.author for e in reading.events][2] == "Sam Ortiz"
    by_name = read("pagerduty-log.csv", time_column="created at", text_column="Agent")
    assert next(e.description for e in by_name.events) == "Datadog"
    by_index = read("pagerduty-log.csv", time_column=1, text_column="3")
    assert [e.description for e in by_index.events] == [e.description for e in by_name.events]
    with pytest.raises(ColumnError, match="no column 'When'"):
        read("pagerduty-log.csv", time_column="When")


def test_csv_with_date_and_time_columns_and_semicolons() -> None:
    text = ("Date;Time;Status;Message\n"
            "03/10/2026;09:24;investigating;We are looking into failed payments\n"
            "03/10/2026;11:02;resolved;\"Payments work again; sorry\"\n")
    reading = read(text)
    assert reading.source == "csv" and reading.needs_timezone
    assert [e.at.isoformat() for e in reading.events] == ["2026-10-03T09:24:00+02:00",
                                                         "2026-10-03T11:02:00+02:00"]
    assert reading.events[1].description == "Payments work again; sorry"
    assert reading.events[1].kind == "resolution"  # the Status column helps


def test_email_thread_with_replies_quoted() -> None:
    reading = read("email-thread.txt")
    check_basics(reading)
    assert reading.source == "email"
    assert [e.description for e in reading.events] == [
        "Dana Lee: Priya, can you tell Acme Retail? Payments fail since 09:12 and we are "
        "rolling back release 4.2 of the payment router.",
        "Priya Nair: Since 09:12 some card payments fail for EU customers. We have rolled back "
        "the change that caused it and are watching the error rate.",
        "Ops Team: Our customers still report failed card payments. Is there an update?",
        "Priya Nair: Payments have been working normally since 11:02. We will send the full "
        "incident report within five working days.",
    ]
    # The Date: header carries its zone (+0000); the others are read in the report's zone.
    assert local(reading) == ["03 09:31+0200", "03 09:35+0200", "03 10:12+0200",
                              "03 11:05+0200"]
    assert [e.needs_timezone for e in reading.events] == [True, True, False, True]
    assert reading.events[-1].kind == "client_communication"  # sent to the client's domain


def test_a_message_quoted_in_several_replies_appears_once() -> None:
    quoted = ("From: Dana Lee <dana@example.com>\nDate: Sat, 3 Oct 2026 09:31:00 +0200\n"
              "Subject: Rollback\n\nRolling back release 4.2 now.\n\n"
              "On Sat, 3 Oct 2026 at 09:31, Dana Lee <dana@example.com>\nwrote:\n"
              "> Rolling back release 4.2 now.\n")
    reading = read(quoted)
    assert [e.description for e in reading.events] == [
        "Dana Lee: Rolling back release 4.2 now."]
    assert reading.left_out == 1


def test_detection() -> None:
    expected = {
        "slack-incident-channel.json": "slack", "teams-paste.txt": "teams",
        "google-chat-paste.txt": "google_chat", "lines-formats.txt": "lines",
        "lines-midnight.txt": "lines", "pagerduty-log.csv": "csv", "email-thread.txt": "email",
    }
    assert {name: detect(sample(name)) for name in expected} == expected
    assert detect("") == "" and detect("no times here at all") == ""
    nothing = read("Just words.\nMore words.")
    assert nothing.events == () and "No events were found" in nothing.problems[0]


# ---- kinds and duplicates ----


@pytest.mark.parametrize(("text", "kind"), [
    ("Deploying release 4.2 to production", "deploy"),
    ("Rollout of v2.3 started", "deploy"),
    ("Flipped the payments_v2 feature flag off", "config_change"),
    ("Changed the timeout setting to 30 s", "config_change"),
    ("PagerDuty alert: high error rate", "discovery"),
    ("On-call was paged", "discovery"),
    ("Dana noticed failed payments", "discovery"),
    ("E-mailed Acme Retail about the outage", "client_communication"),
    ("Status page updated: investigating", "client_communication"),
    ("Rolled back release 4.2", "mitigation"),
    ("Failover to the secondary region done", "mitigation"),
    ("Mitigated by disabling the job", "mitigation"),
    ("Resolved: error rate back to normal", "resolution"),
    ("Recovered, all clear", "resolution"),
    ("Not resolved yet", "other"),
    ("Lunch", "other"),
])
def test_guessed_kind(text: str, kind: str) -> None:
    assert guess_kind(text) == kind


def test_duplicates_of_rows_already_in_the_report() -> None:
    existing = (
        ExistingEvent(datetime(2026, 10, 3, 9, 5, tzinfo=CEST),
                      "Release 4.2 of the payment router went live."),
        ExistingEvent(datetime(2026, 10, 3, 9, 21, tzinfo=CEST), "Rolling back release 4.2"),
        ExistingEvent(None, "An event without a time"),
    )
    reading = read("lines-formats.txt", paris(existing))
    marked = [e.description for e in reading.events if e.duplicate]
    assert marked == ["Release 4.2 of the payment router deployed", "Rolling back release 4.2"]
    # A name in front, and case and punctuation, do not hide a duplicate.
    slack_like = read("09:21 Sam Ortiz: rolling back release 4.2!", paris(existing))
    assert slack_like.events[0].duplicate
    # The same words at another time are another event.
    assert not read("10:21 Rolling back release 4.2", paris(existing)).events[0].duplicate


# ---- odd input never breaks the reading ----


def test_odd_input() -> None:
    for text in ("\ud800 09:14 lone \udfff surrogate", "\x00\x01 09:14 \u202e control",
                 "[" * 5_000, "{" * 10_000, '{"messages": 5}', "[1, 2, 3]",
                 "\ufeff09:14 with a byte order mark", "09:14 " + "x" * 50_000,
                 "a,b\n" * 10, "From: x\nDate: nonsense\n\nhello"):
        reading = read(text)
        check_basics(reading)
        for event in reading.events:
            event.description.encode("utf-8")  # storable text
            assert "\u202e" not in event.description and "\x00" not in event.description
    assert len(read("09:14 " + "x" * 50_000).events[0].description) <= 1_000


def test_huge_text_is_read() -> None:
    lines = "\n".join(f"{h % 24:02d}:{m:02d} step {h}-{m} deployed"
                      for h in range(48) for m in range(0, 60, 2))
    reading = read(lines * 20)  # 28,800 lines, about 700 kB
    check_basics(reading)
    assert len(reading.events) == 5_000 and reading.truncated


def test_uploads_in_any_encoding() -> None:
    text = "09:14 Zoë's café déployé"
    assert decode_upload(text.encode("utf-8")) == text
    assert decode_upload(codecs.BOM_UTF8 + text.encode("utf-8")) == text
    assert decode_upload(codecs.BOM_UTF16_LE + text.encode("utf-16-le")) == text
    assert decode_upload(text.encode("cp1252")) == text
    assert decode_upload(b"\xff\xfe\x00") is not None


def test_whole_stamp_needs_nothing_else() -> None:
    assert whole_stamp("2026-10-03 09:14") is not None
    assert whole_stamp("2026-10-03 09:14 and more") is None


ODD_TEXTS = st.text(st.characters(exclude_categories=()), max_size=400) | st.lists(
    st.sampled_from(["09:14", "9:14 AM", "2026-10-03T09:14:00+02:00", "03/10/2026 09:14",
                     "Oct 3, 9:14 AM", "[10:15 AM] Dana Lee", "Dana Lee, 9:14 AM", "From: a",
                     "Date: Sat, 3 Oct 2026 09:40:12 +0200", "> On Sat wrote:", "23:59",
                     "00:01", "a,b,c", "deploy", "\ud800", "\x00", "{", "[", '"ts": "1"',
                     "Edited", "👍", "\n", " "]),
    max_size=40).map(" ".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=ODD_TEXTS, zone=st.sampled_from([None, "UTC", "Europe/Paris", "America/New_York",
                                         "Pacific/Kiritimati"]),
       day_first=st.sampled_from([None, True, False]),
       source=st.sampled_from([None, "slack", "teams", "google_chat", "email", "csv", "lines"]))
def test_any_text_gives_offset_aware_events_in_order(text: str, zone: str | None,
                                                     day_first: bool | None,
                                                     source: str | None) -> None:
    reading = read_timeline(text, Settings(timezone=zone, day_first=day_first, source=source),
                            paris())
    check_basics(reading)
    for event in reading.events:
        assert event.at.utcoffset() == timedelta(hours=2) or event.at.utcoffset() == \
            timedelta(hours=1)  # the report's zone, Paris
        event.description.encode("utf-8")
