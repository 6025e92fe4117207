"""The names people know a report's parts and fields by: one table for the page, the merge
panel, the history, the advice and the exports, so they never drift apart.

``PAGE_PARTS`` are the four parts of the guided page (their ids are the page's section ids and
the review comments' parts), in order. ``LABELS`` name each input of the page, rows' inputs as
``row_list.field``. ``DOCUMENT_LABELS`` are the few words an exported document says differently,
because it speaks to the client rather than to the author.

Every word here is English, marked ``N_`` for the catalogues and translated where it is shown
(``reports/language.py`` says why).
"""

from __future__ import annotations

from reports.language import N_

PAGE_PARTS: dict[str, str] = {
    "about": N_("About the incident"),
    "apologise": N_("1. Apologise"),
    "understand": N_("2. Show we understand what happened"),
    "prevent": N_("3. Prevent it happening again"),
}

ROW_LISTS: dict[str, tuple[str, str]] = {  # list -> (its heading, one row's name)
    "timeline": (N_("Timeline"), N_("Timeline event")),
    "factors": (N_("Contributing factors"), N_("Factor")),
    "actions": (N_("Action items"), N_("Action item")),
}

LABELS: dict[str, str] = {
    "title": N_("Title"),
    "service": N_("Service or system affected"),
    "severity": N_("Severity"),
    "audience": N_("Who this report is for"),
    "language": N_("Report language (the client's)"),
    "authors": N_("Written by"),
    "timezone": N_("Time zone"),
    "started_at": N_("When it started"),
    "detected_at": N_("When we noticed"),
    "resolved_at": N_("When it was resolved"),
    "apology": N_("Our apology"),
    "summary": N_("Summary"),
    "impact": N_("Impact"),
    "no_single_root_cause": N_("There is no single root cause"),
    "went_well": N_("What went well"),
    "went_wrong": N_("What went wrong"),
    "lucky": N_("Where we got lucky"),
    "follow_up_review_on": N_("Follow-up review date"),
    "follow_up_outcome": N_("Follow-up outcome"),
    "follow_up_held_on": N_("Follow-up review held on"),
    **{name: heading for name, (heading, _) in ROW_LISTS.items()},
    "timeline.at": N_("Time"),
    "timeline.kind": N_("What kind of event"),
    "timeline.description": N_("What happened"),
    "timeline.contributing": N_("This contributed to the incident"),
    "timeline.outside_window": N_("Happened outside the incident window"),
    "factors.description": N_("Contributing factor"),
    "factors.root_cause": N_("This is a root cause"),
    "actions.description": N_("What we will do"),
    "actions.owner": N_("Owner"),
    "actions.priority": N_("Priority"),
    "actions.due": N_("Due date"),
    "actions.ticket": N_("Ticket link"),
    "actions.status": N_("Status"),
    "actions.addresses": N_("Deals with"),
    "internal": N_("Internal only — left out of the client copy"),
}

DOCUMENT_LABELS: dict[str, str] = {
    "audience": N_("Prepared for"),
    "service": N_("Service"),
}
