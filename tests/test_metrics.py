"""Timeline arithmetic: right across daylight-saving changes and mixed UTC offsets."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from reports.exchange import from_document
from reports.metrics import format_duration, incident_metrics
from reports.model import Report, TimelineEvent

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("duration", "text"),
    [
        (timedelta(minutes=1), "1 minute"),
        (timedelta(minutes=8), "8 minutes"),
        (timedelta(hours=1), "1 hour"),
        (timedelta(hours=2), "2 hours"),
        (timedelta(hours=1, minutes=1), "1 hour 1 minute"),
        (timedelta(hours=1, minutes=50), "1 hour 50 minutes"),
        (timedelta(hours=23, minutes=59), "23 hours 59 minutes"),
        (timedelta(days=1), "1 day"),
        # The misreading of issue 21: "1 day 54 minutes" for 24 h 54 min.
        (timedelta(hours=24, minutes=54), "1 day, 0 hours 54 minutes"),
        (timedelta(days=1, minutes=5), "1 day, 0 hours 5 minutes"),
        (timedelta(days=1, hours=5), "1 day, 5 hours"),
        (timedelta(days=1, hours=1, minutes=1), "1 day, 1 hour 1 minute"),
        (timedelta(days=3, hours=4), "3 days, 4 hours"),
        (timedelta(days=3, hours=4, minutes=30), "3 days, 4 hours 30 minutes"),
        (timedelta(days=14), "14 days"),
        (timedelta(seconds=20), "under 1 minute"),
        (timedelta(0), "under 1 minute"),
        (timedelta(minutes=59, seconds=40), "1 hour"),  # to the nearest minute
        (timedelta(days=1, minutes=-1, seconds=50), "1 day"),
        (timedelta(minutes=-5), ""),
        (None, ""),
    ],
)
def test_durations_cannot_be_misread(duration: timedelta | None, text: str) -> None:
    assert format_duration(duration) == text


def test_every_duration_up_to_three_days_reads_back_to_its_minutes() -> None:
    """Whatever the length, the words add up to it, and no unit is skipped between two given."""
    units = {"day": 24 * 60, "hour": 60, "minute": 1}
    for minutes in range(1, 3 * 24 * 60 + 1):
        text = format_duration(timedelta(minutes=minutes))
        found = re.findall(r"(\d+) (day|hour|minute)(s?)", text)
        assert sum(int(n) * units[u] for n, u, _ in found) == minutes, text
        assert all((n == "1") == (not s) for n, _, s in found), text  # 1 hour, 2 hours
        order = [list(units).index(u) for _, u, _ in found]
        assert order == list(range(order[0], order[0] + len(order))), text  # no gap: d, h, m
        assert ("," in text) == (minutes >= 24 * 60 and len(found) > 1), text


def test_sample_report(sample_document: dict[str, Any]) -> None:
    metrics = incident_metrics(from_document(sample_document))
    assert metrics.time_to_detect_text == "8 minutes"
    assert metrics.time_to_resolve_text == "1 hour 42 minutes"
    assert metrics.total_duration_text == "1 hour 50 minutes"
    assert metrics.resolve_measured_from == "detected_at" and not metrics.estimated
    assert metrics.as_dict()["total_duration"] == {"seconds": 6600, "text": "1 hour 50 minutes"}


def test_across_the_end_of_summer_time_in_paris() -> None:
    # 25 October 2026, last Sunday of October: at 03:00 CEST the clocks go back to 02:00 CET.
    report = Report(
        timezone="Europe/Paris",
        started_at=datetime(2026, 10, 25, 1, 30, tzinfo=PARIS),            # 01:30 CEST
        detected_at=datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=PARIS),   # 02:30 CET, 2nd time
        resolved_at=datetime(2026, 10, 25, 3, 30, tzinfo=PARIS),           # 03:30 CET
    )
    metrics = incident_metrics(report)
    assert metrics.time_to_detect_text == "2 hours"    # wall clocks show one hour
    assert metrics.time_to_resolve_text == "1 hour"
    assert metrics.total_duration_text == "3 hours"  # wall clocks show two hours


def test_across_the_start_of_summer_time_in_paris() -> None:
    # 29 March 2026: at 02:00 CET the clocks jump to 03:00 CEST.
    report = Report(started_at=datetime(2026, 3, 29, 1, 45, tzinfo=PARIS),
                    resolved_at=datetime(2026, 3, 29, 3, 15, tzinfo=PARIS))
    assert incident_metrics(report).total_duration_text == "30 minutes"


def test_the_same_wall_clock_times_as_typed_in_the_form(
    client: Any, csrf_token: str
) -> None:
    url = client.post("/reports", data={"csrf_token": csrf_token}).headers["Location"]
    data = {"csrf_token": csrf_token, "timezone": "Europe/Paris",
            "started_at": "2026-10-25T01:30", "resolved_at": "2026-10-25T03:30"}
    answer = client.post(f"{url}/guidance", data=data).get_json()
    assert answer["metrics"]["total_duration"]["text"] == "3 hours"


def test_mixed_offsets() -> None:
    report = from_document({
        "started_at": "2026-10-03T09:12:00+02:00",
        "detected_at": "2026-10-03T03:20:00-04:00",   # 09:20 in Paris
        "resolved_at": "2026-10-03T09:02:00Z",         # 11:02 in Paris
    })
    metrics = incident_metrics(report)
    assert (metrics.time_to_detect_text, metrics.time_to_resolve_text,
            metrics.total_duration_text) == ("8 minutes", "1 hour 42 minutes", "1 hour 50 minutes")
    assert metrics.started_at is not None and metrics.started_at.tzinfo == UTC


def test_missing_times_come_from_the_timeline(sample_document: dict[str, Any]) -> None:
    for name in ("started_at", "detected_at", "resolved_at"):
        sample_document[name] = None
    metrics = incident_metrics(from_document(sample_document))
    # First event 09:05 (the deploy), discovery 09:20, resolution 11:02.
    assert metrics.sources == {"started_at": "timeline", "detected_at": "timeline",
                               "resolved_at": "timeline"}
    assert metrics.estimated
    assert metrics.time_to_detect_text == "15 minutes"
    assert metrics.total_duration_text == "1 hour 57 minutes"


def test_resolve_time_is_measured_from_the_start_when_detection_is_unknown() -> None:
    report = from_document({"started_at": "2026-10-03T09:00:00+02:00",
                            "resolved_at": "2026-10-03T10:30:00+02:00"})
    metrics = incident_metrics(report)
    assert metrics.time_to_resolve_text == "1 hour 30 minutes"
    assert metrics.resolve_measured_from == "started_at"
    assert metrics.time_to_detect is None and metrics.time_to_detect_text == ""


def test_nothing_known_gives_nothing() -> None:
    metrics = incident_metrics(Report(timeline=[TimelineEvent(description="undated")]))
    assert metrics.total_duration is None and metrics.sources == {}
    assert metrics.as_dict()["total_duration"] == {"seconds": None, "text": ""}


def test_times_in_the_wrong_order_give_no_duration() -> None:
    report = from_document({"started_at": "2026-10-03T10:00:00+02:00",
                            "resolved_at": "2026-10-03T09:00:00+02:00"})
    assert incident_metrics(report).total_duration is None


def test_a_day_long_incident_across_the_end_of_summer_time() -> None:
    # 24 October 2026 02:30 CEST to 25 October 03:24 CET: the wall clocks show 1 day 54 minutes,
    # but the clocks went back an hour in between, so it lasted 25 hours 54 minutes.
    report = Report(
        timezone="Europe/Paris",
        started_at=datetime(2026, 10, 24, 2, 30, tzinfo=PARIS),
        resolved_at=datetime(2026, 10, 25, 3, 24, tzinfo=PARIS),
    )
    assert incident_metrics(report).total_duration_text == "1 day, 1 hour 54 minutes"


def test_library_page_and_exports_say_a_duration_in_the_same_words(
    app: Any, client: Any, csrf_token: str
) -> None:
    from exporters.render import render_html, render_markdown_document

    text = "1 day, 0 hours 54 minutes"
    document = {"title": "Long one", "timezone": "Europe/Paris",
                "started_at": "2026-10-03T09:00:00+02:00",
                "resolved_at": "2026-10-04T09:54:00+02:00"}
    report = from_document(document)
    assert incident_metrics(report).total_duration_text == text
    # The exports (the title block's "Duration"):
    assert f"<dd>{text}</dd>" in render_html(report)
    assert f"**Duration:** {text}" in render_markdown_document(report)
    # The library's filter, used by its list and its figures:
    assert app.jinja_env.filters["duration"](timedelta(hours=24, minutes=54)) == text
    # The page's live durations:
    url = client.post("/reports", data={"csrf_token": csrf_token}).headers["Location"]
    data = {"csrf_token": csrf_token, "timezone": "Europe/Paris",
            "started_at": "2026-10-03T09:00", "resolved_at": "2026-10-04T09:54"}
    answer = client.post(f"{url}/guidance", data=data).get_json()
    assert answer["metrics"]["total_duration"]["text"] == text
