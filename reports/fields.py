"""The names people know a report's parts and fields by: one table for the page, the merge
panel, the history, the advice and the exports, so they never drift apart.

``PAGE_PARTS`` are the four parts of the guided page (their ids are the page's section ids and
the review comments' parts), in order. ``LABELS`` name each input of the page, rows' inputs as
``row_list.field``. ``DOCUMENT_LABELS`` are the few words an exported document says differently,
because it speaks to the client rather than to the author.
"""

from __future__ import annotations

PAGE_PARTS: dict[str, str] = {
    "about": "About the incident",
    "apologise": "1. Apologise",
    "understand": "2. Show we understand what happened",
    "prevent": "3. Prevent it happening again",
}

ROW_LISTS: dict[str, tuple[str, str]] = {  # list -> (its heading, one row's name)
    "timeline": ("Timeline", "Timeline event"),
    "factors": ("Contributing factors", "Factor"),
    "actions": ("Action items", "Action item"),
}

LABELS: dict[str, str] = {
    "title": "Title",
    "service": "Service or system affected",
    "severity": "Severity",
    "audience": "Who this report is for",
    "authors": "Written by",
    "timezone": "Time zone",
    "started_at": "When it started",
    "detected_at": "When we noticed",
    "resolved_at": "When it was resolved",
    "apology": "Our apology",
    "summary": "Summary",
    "impact": "Impact",
    "no_single_root_cause": "There is no single root cause",
    "went_well": "What went well",
    "went_wrong": "What went wrong",
    "lucky": "Where we got lucky",
    "follow_up_review_on": "Follow-up review date",
    "follow_up_outcome": "Follow-up outcome",
    "follow_up_held_on": "Follow-up review held on",
    **{name: heading for name, (heading, _) in ROW_LISTS.items()},
    "timeline.at": "Time",
    "timeline.kind": "What kind of event",
    "timeline.description": "What happened",
    "timeline.contributing": "This contributed to the incident",
    "timeline.outside_window": "Happened outside the incident window",
    "factors.description": "Contributing factor",
    "factors.root_cause": "This is a root cause",
    "actions.description": "What we will do",
    "actions.owner": "Owner",
    "actions.priority": "Priority",
    "actions.due": "Due date",
    "actions.ticket": "Ticket link",
    "actions.status": "Status",
    "actions.addresses": "Deals with",
    "internal": "Internal only — left out of the client copy",
}

DOCUMENT_LABELS: dict[str, str] = {
    "audience": "Prepared for",
    "service": "Service",
}
