"""Timeline arithmetic: right across daylight-saving changes and mixed UTC offsets."""

from __future__ import annotations

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
        (timedelta(hours=1, minutes=50), "1 h 50 min"),
        (timedelta(minutes=8), "8 min"),
        (timedelta(hours=2), "2 h"),
        (timedelta(days=1, minutes=5), "1 day 5 min"),
        (timedelta(days=3, hours=4), "3 days 4 h"),
        (timedelta(seconds=20), "under 1 min"),
        (timedelta(minutes=59, seconds=40), "1 h"),
        (timedelta(minutes=-5), ""),
        (None, ""),
    ],
)
def test_durations_read_like_people_say_them(duration: timedelta | None, text: str) -> None:
    assert format_duration(duration) == text


def test_sample_report(sample_document: dict[str, Any]) -> None:
    metrics = incident_metrics(from_document(sample_document))
    assert metrics.time_to_detect_text == "8 min"
    assert metrics.time_to_resolve_text == "1 h 42 min"
    assert metrics.total_duration_text == "1 h 50 min"
    assert metrics.resolve_measured_from == "detected_at" and not metrics.estimated
    assert metrics.as_dict()["total_duration"] == {"seconds": 6600, "text": "1 h 50 min"}


def test_across_the_end_of_summer_time_in_paris() -> None:
    # 25 October 2026, last Sunday of October: at 03:00 CEST the clocks go back to 02:00 CET.
    report = Report(
        timezone="Europe/Paris",
        started_at=datetime(2026, 10, 25, 1, 30, tzinfo=PARIS),            # 01:30 CEST
        detected_at=datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=PARIS),   # 02:30 CET, 2nd time
        resolved_at=datetime(2026, 10, 25, 3, 30, tzinfo=PARIS),           # 03:30 CET
    )
    metrics = incident_metrics(report)
    assert metrics.time_to_detect_text == "2 h"     # wall clocks show one hour
    assert metrics.time_to_resolve_text == "1 h"
    assert metrics.total_duration_text == "3 h"     # wall clocks show two hours


def test_across_the_start_of_summer_time_in_paris() -> None:
    # 29 March 2026: at 02:00 CET the clocks jump to 03:00 CEST.
    report = Report(started_at=datetime(2026, 3, 29, 1, 45, tzinfo=PARIS),
                    resolved_at=datetime(2026, 3, 29, 3, 15, tzinfo=PARIS))
    assert incident_metrics(report).total_duration_text == "30 min"


def test_the_same_wall_clock_times_as_typed_in_the_form(
    client: Any, csrf_token: str
) -> None:
    url = client.post("/reports", data={"csrf_token": csrf_token}).headers["Location"]
    data = {"csrf_token": csrf_token, "timezone": "Europe/Paris",
            "started_at": "2026-10-25T01:30", "resolved_at": "2026-10-25T03:30"}
    answer = client.post(f"{url}/guidance", data=data).get_json()
    assert answer["metrics"]["total_duration"]["text"] == "3 h"


def test_mixed_offsets() -> None:
    report = from_document({
        "started_at": "2026-10-03T09:12:00+02:00",
        "detected_at": "2026-10-03T03:20:00-04:00",   # 09:20 in Paris
        "resolved_at": "2026-10-03T09:02:00Z",         # 11:02 in Paris
    })
    metrics = incident_metrics(report)
    assert (metrics.time_to_detect_text, metrics.time_to_resolve_text,
            metrics.total_duration_text) == ("8 min", "1 h 42 min", "1 h 50 min")
    assert metrics.started_at is not None and metrics.started_at.tzinfo == UTC


def test_missing_times_come_from_the_timeline(sample_document: dict[str, Any]) -> None:
    for name in ("started_at", "detected_at", "resolved_at"):
        sample_document[name] = None
    metrics = incident_metrics(from_document(sample_document))
    # First event 09:05 (the deploy), discovery 09:20, resolution 11:02.
    assert metrics.sources == {"started_at": "timeline", "detected_at": "timeline",
                               "resolved_at": "timeline"}
    assert metrics.estimated
    assert metrics.time_to_detect_text == "15 min"
    assert metrics.total_duration_text == "1 h 57 min"


def test_resolve_time_is_measured_from_the_start_when_detection_is_unknown() -> None:
    report = from_document({"started_at": "2026-10-03T09:00:00+02:00",
                            "resolved_at": "2026-10-03T10:30:00+02:00"})
    metrics = incident_metrics(report)
    assert metrics.time_to_resolve_text == "1 h 30 min"
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
