"""Reports for the export tests: a rich one, an empty one, and one full of hostile text."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.conftest import SAMPLE_DOCUMENT

TEAMS = ["Atlas", "Borealis", "Cobalt", "Delta", "Ember", "Fjord", "Granite", "Harbour",
         "Iris", "Juniper"]
KINDS = ["discovery", "deploy", "config_change", "client_communication", "mitigation", "other"]
PRIORITIES = ["high", "medium", "low"]
STATUSES = ["proposed", "agreed", "in_progress", "done", "dropped"]
TIMELINE_ROWS = 60
ACTION_ROWS = 20


def timeline_text(index: int) -> str:
    return f"Timeline entry {index:02d}: checked gateway pool {TEAMS[index % 10].lower()}"


def owner(index: int) -> str:
    return f"Team {TEAMS[index % 10]} {index:02d}"


def rich_document() -> dict[str, Any]:
    """The sample report with 60 timeline events and 20 action items."""
    document = copy.deepcopy(SAMPLE_DOCUMENT)
    paris = ZoneInfo("Europe/Paris")
    start = datetime(2026, 10, 3, 8, 0, tzinfo=paris)
    document["started_at"] = start.isoformat()
    document["detected_at"] = (start + timedelta(minutes=20)).isoformat()
    document["resolved_at"] = (start + timedelta(minutes=5 * TIMELINE_ROWS)).isoformat()
    document["timeline"] = [
        {
            "at": (start + timedelta(minutes=5 * i)).isoformat(),
            "kind": KINDS[i % len(KINDS)],
            "description": timeline_text(i),
            "contributing": i % 7 == 0,
        }
        for i in range(TIMELINE_ROWS)
    ]
    document["actions"] = [
        {
            "description": f"Action {i:02d}: make the {TEAMS[i % 10]} failover automatic",
            "owner": owner(i),
            "priority": PRIORITIES[i % 3],
            "due": f"2026-{11 + i % 2:02d}-{1 + i:02d}",
            "ticket": f"https://tracker.example.com/OPS-{100 + i}" if i % 2 == 0 else "",
            "status": STATUSES[i % len(STATUSES)],
            "addresses": [0, 1] if i == 0 else [i % 2],
        }
        for i in range(ACTION_ROWS)
    ]
    document["summary"] = (
        "A configuration change sent **all** payment traffic to a retired gateway.\n\n"
        "- Card payments failed\n- Bank transfers were delayed\n\n"
        "Details are in the [status page](https://status.example.com/incidents/42)."
    )
    document["impact"] = "Ça a touché les clients à Zürich, Αθήνα and Москва alike."
    return document


def empty_document() -> dict[str, Any]:
    return {"format": "hindsight-report/1"}


PORT_PLACEHOLDER = "PORT"


def hostile_document(port: int | str = PORT_PLACEHOLDER) -> dict[str, Any]:
    """Every free-text field tries something; ``port`` is a listening canary server's."""
    canary = f"http://127.0.0.1:{port}"
    controls = "bell\x07 escape\x1b[31m delete\x7f c1\x85 vtab\x0b formfeed\x0c"
    return {
        "format": "hindsight-report/1",
        "title": '<script>alert(1)</script> "><img src=x onerror=alert(2)> ../../etc/passwd',
        "service": "../../etc/passwd\\..\\CON",
        "severity": "SEV1",
        "status": "in_review",
        "audience": "<b>Acme</b> \u202eevil",
        "authors": ["<script>alert(3)</script>", "Mallory \x01"],
        "timezone": "Asia/Tokyo",
        "started_at": "2026-01-31T23:30:00+00:00",
        "resolved_at": "2026-02-01T02:00:00+00:00",
        "apology": (
            f'Sorry "><img src=x onerror=alert(4)> and <img src="{canary}/img-apology">\n\n'
            f"![tracking]({canary}/markdown-image.png)\n\n"
            "[click me](javascript:alert(5)) and <javascript:alert(6)>\n\n"
            f'<style>@import "{canary}/import.css"; body {{ background: url({canary}/bg.png) }}'
            "</style>\n\n"
            f"{controls}"
        ),
        "summary": (
            f'<link rel="stylesheet" href="{canary}/link.css">'
            f'<iframe src="{canary}/frame"></iframe><object data="file:///etc/passwd"></object>'
            "\n\n```\n<script>alert(7)</script>\n```\n\n"
            "    <img src=/etc/passwd>\n\n# not a heading\n\n"
            "```\nan unclosed fence"
        ),
        "impact": '<svg onload="alert(8)"><image href="file:///etc/passwd"/></svg>',
        "timeline": [
            {"at": "2026-02-01T00:05:00+00:00", "kind": "deploy",
             "description": "| broke | the table |\n<b>bold</b>", "contributing": True},
            {"at": None, "kind": "other", "description": "../../../../etc/shadow"},
        ],
        "factors": [{"description": "<script>document.cookie</script>", "root_cause": True}],
        "lessons": {"went_well": "", "went_wrong": f"[x]({canary}/lesson)", "lucky": ""},
        "actions": [
            {"description": "<img src=x onerror=alert(9)>", "owner": "<i>Eve</i> | pipe",
             "priority": "high", "due": "2026-03-01",
             "ticket": f"{canary}/ticket?q=<script>", "status": "agreed"},
        ],
    }
