"""The incident report as plain typed objects, with the vocabularies the product uses.

Every label and explanation shown to authors for these vocabularies lives here, so the page, the
exports and the API speak of severities, kinds and priorities in the same words. They are English,
marked ``N_`` for the catalogues and translated where shown (``reports/language.py``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import attrgetter
from typing import Any

from .language import N_

FORMAT = "hindsight-report/1"

SEVERITIES: dict[str, tuple[str, str]] = {
    "SEV1": (N_("SEV1 — critical"),
             N_("The service was down or data was lost for many clients.")),
    "SEV2": (N_("SEV2 — major"),
             N_("An important feature was broken or very slow for many clients.")),
    "SEV3": (N_("SEV3 — minor"),
             N_("Some clients saw errors or delays, and a workaround existed.")),
    "SEV4": (N_("SEV4 — low"),
             N_("Little or no effect on clients; a near miss worth learning from.")),
}

STATUSES: dict[str, str] = {
    "draft": N_("Draft"),
    "in_review": N_("In review"),
    "published": N_("Published"),
}

EVENT_KINDS: dict[str, str] = {
    "discovery": N_("Discovery"),
    "deploy": N_("Deploy"),
    "config_change": N_("Configuration change"),
    "client_communication": N_("Client communication"),
    "mitigation": N_("Mitigation"),
    "resolution": N_("Resolution"),
    "other": N_("Other"),
}

PRIORITIES: dict[str, str] = {"high": N_("High"), "medium": N_("Medium"), "low": N_("Low")}

ACTION_STATUSES: dict[str, str] = {
    "proposed": N_("Proposed"),
    "agreed": N_("Agreed"),
    "in_progress": N_("In progress"),
    "done": N_("Done"),
    "dropped": N_("Dropped"),
}

# Free-text parts an author may mark "internal only". The title, the apology and the summary
# always go to the client, so they are not here. Values are the headings the exports use.
INTERNAL_PARTS: dict[str, str] = {
    "impact": N_("Who was affected, and how"),
    "lessons.went_well": N_("What went well"),
    "lessons.went_wrong": N_("What went wrong"),
    "lessons.lucky": N_("Where we were lucky"),
}

# The two copies an export can be: for the client (internal items left out) or for the team.
CLIENT_COPY = "client"
INTERNAL_COPY = "internal"
COPIES = (CLIENT_COPY, INTERNAL_COPY)


def new_row_id() -> str:
    """A row's stable name: kept through every save and round trip, so that an edit to a row
    (from another author, or a patch through the API) reaches that row wherever it has moved."""
    return secrets.token_hex(5)


# Rows are frozen: a changed row is a new object (``dataclasses.replace``), so what was made of
# a row (its document, reports/row_memo.py) stays true, and reports may share rows.
@dataclass(frozen=True)
class TimelineEvent:
    at: datetime | None = None
    kind: str = "other"
    description: str = ""
    contributing: bool = False
    # The author confirms an event before the start or after the resolution belongs here.
    outside_window: bool = False
    # Internal only: left out of the client copy of every export.
    internal: bool = False
    id: str = field(default_factory=new_row_id)


_time_of = attrgetter("at")  # an event's time, for sorting (stable: equal times keep their order)


@dataclass(frozen=True)
class Factor:
    description: str = ""
    root_cause: bool = False
    internal: bool = False
    id: str = field(default_factory=new_row_id)


@dataclass(frozen=True)
class Lessons:
    went_well: str = ""
    went_wrong: str = ""
    lucky: str = ""


@dataclass(frozen=True)
class ActionItem:
    description: str = ""
    owner: str = ""
    priority: str | None = None
    due: date | None = None
    ticket: str = ""
    status: str = "proposed"
    # Positions (0-based) in ``Report.factors`` of the factors this action deals with.
    addresses: tuple[int, ...] = ()
    internal: bool = False
    id: str = field(default_factory=new_row_id)


@dataclass
class Report:
    title: str = ""
    service: str = ""
    severity: str | None = None
    status: str = "draft"
    audience: str = ""
    authors: list[str] = field(default_factory=list)
    timezone: str = "UTC"
    started_at: datetime | None = None
    detected_at: datetime | None = None
    resolved_at: datetime | None = None
    apology: str = ""
    summary: str = ""
    impact: str = ""
    timeline: list[TimelineEvent] = field(default_factory=list)
    factors: list[Factor] = field(default_factory=list)
    lessons: Lessons = field(default_factory=Lessons)
    actions: list[ActionItem] = field(default_factory=list)
    follow_up_review_on: date | None = None
    # What the follow-up review found (Markdown: what was done, what is still open), and the day
    # it was held. A report whose review was held is no longer "follow-up due".
    follow_up_outcome: str = ""
    follow_up_held_on: date | None = None
    # The authors looked for a root cause and agree there is no single one.
    no_single_root_cause: bool = False
    # Names from ``INTERNAL_PARTS`` of the free-text parts left out of the client copy.
    internal_parts: list[str] = field(default_factory=list)
    # The language the client reads ("en" or "fr", reports/language.py): every export's
    # headings, labels and marks, and the writing advice, follow it.
    language: str = "en"
    # Top-level fields of an imported document that this version does not know, kept verbatim
    # so that a document written by a newer or extended tool survives a round trip.
    extra: dict[str, Any] = field(default_factory=dict)

    def sorted_timeline(self) -> list[TimelineEvent]:
        """Events in time order; events without a time keep their place at the end."""
        timed = sorted((e for e in self.timeline if e.at is not None), key=_time_of)
        return timed + [e for e in self.timeline if e.at is None]

    def is_internal(self, part: str) -> bool:
        """Whether a free-text part (a name from ``INTERNAL_PARTS``) is internal only."""
        return part in self.internal_parts

    @property
    def display_title(self) -> str:
        return self.title.strip() or N_("Untitled report")


@dataclass
class StoredReport:
    """A report as kept in storage, with the bookkeeping the store adds."""

    id: int
    version: int
    created_at: datetime
    updated_at: datetime
    report: Report
    # The storage's row it was read from (reports/store.py): a save of what was read can be
    # worked out from it without reading the row again.
    read_from: Any = field(default=None, repr=False, compare=False)
