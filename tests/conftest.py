"""Shared fixtures: a fresh app on a real SQLite file in a temporary instance folder."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from reports.migrate import upgrade
from reports.store import ReportStore, make_engine
from tests.pages import store_of

pytest_plugins = ["tests.databases", "tests.browser_fixtures"]

SAMPLE_DOCUMENT: dict[str, Any] = {
    "format": "hindsight-report/1",
    "title": "Checkout unavailable for EU customers",
    "service": "checkout",
    "severity": "SEV2",
    "status": "draft",
    "audience": "Acme Retail",
    "authors": ["Dana Lee", "Sam Ortiz"],
    "timezone": "Europe/Paris",
    "started_at": "2026-10-03T09:12:00+02:00",
    "detected_at": "2026-10-03T09:20:00+02:00",
    "resolved_at": "2026-10-03T11:02:00+02:00",
    "apology": "We are sorry. For almost two hours your customers could not pay.",
    "summary": "A configuration change sent **all** payment traffic to a retired gateway.",
    "impact": "About 1,200 orders from EU customers failed between 09:12 and 11:02.",
    "timeline": [
        {"id": "ev-release", "at": "2026-10-03T09:05:00+02:00", "kind": "deploy",
         "description": "Release 4.2 of the payment router went live.", "contributing": True},
        {"id": "ev-alert", "at": "2026-10-03T09:20:00+02:00", "kind": "discovery",
         "description": "The error-rate alert for checkout fired.", "contributing": False},
        {"id": "ev-moved", "at": "2026-10-03T10:40:00+02:00", "kind": "mitigation",
         "description": "Traffic moved back to the current gateway.", "contributing": False},
        {"id": "ev-over", "at": "2026-10-03T11:02:00+02:00", "kind": "resolution",
         "description": "Error rate back to normal; incident declared over.",
         "contributing": False},
    ],
    "factors": [
        {"id": "f-gateway",
         "description": "The retired gateway was still listed in the routing table.",
         "root_cause": True},
        {"id": "f-checklist",
         "description": "The release checklist had no step for payment routing.",
         "root_cause": False},
    ],
    "lessons": {
        "went_well": "The alert fired within eight minutes.",
        "went_wrong": "Rolling back took forty minutes.",
        "lucky": "It happened outside the sales peak.",
    },
    "actions": [
        {"id": "a-remove", "description": "Remove retired gateways from the routing table.",
         "owner": "Platform team",
         "priority": "high", "due": "2026-11-15", "ticket": "https://tracker.example.com/PLAT-12",
         "status": "agreed"},
        {"id": "a-checklist", "description": "Add payment routing to the release checklist.",
         "owner": "Release managers", "priority": "medium", "due": "2026-11-30", "ticket": "",
         "status": "proposed"},
    ],
    "follow_up_review_on": "2026-12-03",
}


@pytest.fixture
def sample_document() -> dict[str, Any]:
    return copy.deepcopy(SAMPLE_DOCUMENT)


@pytest.fixture
def store(new_database: Callable[[], str]) -> Iterator[ReportStore]:
    """A report store on a new database (a SQLite file, or PostgreSQL in its pass), migrated."""
    engine = make_engine(new_database())
    upgrade(engine)
    yield ReportStore(engine)
    engine.dispose()


@pytest.fixture
def instance_path(tmp_path: Path) -> Path:
    return tmp_path / "instance"


@pytest.fixture
def app(instance_path: Path) -> Iterator[Flask]:
    application = create_app({"INSTANCE_PATH": str(instance_path), "TESTING": True})
    yield application
    store_of(application).engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


@pytest.fixture
def csrf_token(client: FlaskClient) -> str:
    """A valid token for this client's session, taken from the list page as a browser would."""
    return csrf_token_from(client.get("/").get_data(as_text=True))
