"""Realistic generated reports, for tests and benchmarks that need many of them."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from reports.model import ActionItem, Factor, Lessons, Report, TimelineEvent

SERVICES = ["checkout", "search", "login", "payments", "notifications", "reporting", "api",
            "mobile app", "billing", "file uploads"]
SYMPTOMS = ["was unavailable", "was very slow", "returned errors", "showed stale data",
            "dropped messages", "timed out for some users"]
CAUSES = ["an expired certificate", "a full disk on the database server", "a bad configuration "
          "change", "a dependency outage", "a memory leak in the new release", "a DNS change",
          "a runaway background job", "a rate limit set too low"]
AUDIENCES = ["Acme Retail", "Globex", "Initech", "Umbrella Health", "all customers"]
PEOPLE = ["Dana Lee", "Sam Ortiz", "Kim Nguyen", "Alex Morgan", "Priya Shah", "Jo Brown"]
TEAMS = ["Platform team", "Payments team", "Support", "Release managers", "Security team"]
ZONES = ["Europe/Paris", "Europe/London", "America/New_York", "UTC", "Asia/Singapore"]


def generated_report(rng: random.Random, today: date, index: int = 0) -> Report:
    service = rng.choice(SERVICES)
    symptom, cause = rng.choice(SYMPTOMS), rng.choice(CAUSES)
    zone = ZoneInfo(rng.choice(ZONES))
    start = datetime.combine(today, datetime.min.time(), UTC) - timedelta(
        days=rng.randint(0, 3 * 365), minutes=rng.randint(0, 24 * 60))
    start = start.astimezone(zone)
    detected = start + timedelta(minutes=rng.randint(1, 60))
    resolved = detected + timedelta(minutes=rng.randint(10, 600))
    timeline = [TimelineEvent(at=detected, kind="discovery",
                              description=f"Monitoring showed that {service} {symptom}.")]
    for step in range(rng.randint(1, 6)):
        timeline.append(TimelineEvent(
            at=detected + timedelta(minutes=5 * (step + 1)), kind=rng.choice(
                ["mitigation", "client_communication", "config_change", "other"]),
            description=f"Step {step + 1}: the team worked on {cause}."))
    timeline.append(TimelineEvent(at=resolved, kind="resolution",
                                  description="Service back to normal; incident declared over."))
    actions = [
        ActionItem(description=f"Prevent {cause} from happening again ({n + 1}).",
                   owner=rng.choice(TEAMS), priority=rng.choice(["high", "medium", "low"]),
                   due=resolved.date() + timedelta(days=rng.randint(7, 90)),
                   status=rng.choice(["proposed", "agreed", "in_progress", "done", "dropped"]))
        for n in range(rng.randint(0, 4))
    ]
    return Report(
        title=f"{service.capitalize()} {symptom} (#{index})", service=service,
        severity=rng.choice(["SEV1", "SEV2", "SEV3", "SEV4", None]),
        status=rng.choice(["draft", "in_review", "published"]),
        audience=rng.choice(AUDIENCES), authors=rng.sample(PEOPLE, rng.randint(1, 2)),
        timezone=str(zone), started_at=start, detected_at=detected, resolved_at=resolved,
        apology=f"We are sorry: {service} {symptom} for "
                f"{int((resolved - start).total_seconds() // 60)} minutes.",
        summary=f"{service.capitalize()} {symptom} because of {cause}.",
        impact=f"Customers of {rng.choice(AUDIENCES)} could not rely on {service}.",
        timeline=timeline,
        factors=[Factor(description=f"The root problem was {cause}.", root_cause=True)],
        lessons=Lessons(went_well="The alert fired quickly.", went_wrong="Rollback was slow.",
                        lucky="It happened at night."),
        actions=actions,
        follow_up_review_on=resolved.date() + timedelta(days=61),
    )
