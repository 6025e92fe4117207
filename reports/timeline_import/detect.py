"""Which kind of source a pasted text is, from its shape alone."""

from __future__ import annotations

from .csv_log import looks_like_csv
from .email_thread import looks_like_email
from .google_chat import google_chat_headers, other_chat_headers
from .lines import looks_like_lines
from .slack import looks_like_slack
from .teams import teams_headers


def detect(text: str) -> str:
    """A key of ``model.SOURCES``, or "" when the text has no times this import can read.

    The order matters: a Slack export is JSON, an e-mail has header blocks, a table has a
    header row and a time column; chat pastes have a header (who, when) above each message,
    and what is left must have lines that start with a time.
    """
    if looks_like_slack(text):
        return "slack"
    if looks_like_email(text):
        return "email"
    if looks_like_csv(text):
        return "csv"
    timed_lines = looks_like_lines(text)
    teams = teams_headers(text)
    if teams and teams * 2 >= timed_lines:
        return "teams"
    if google_chat_headers(text):
        return "google_chat"
    if other_chat_headers(text) > timed_lines:
        return "teams"
    return "lines" if timed_lines else ""
