"""Timeline events from what the team already wrote: a Slack export, a Teams or Google Chat
copy-paste, lines that start with a time, a CSV log, an e-mail thread (issue 16, part 1).

Pure functions, no Flask: ``read_timeline`` finds the events of a text for a report
(``context_of``), and ``with_events`` adds the ones the author kept. docs/timeline-import.md
explains the rules to authors.
"""

from __future__ import annotations

from .adding import Chosen, TooManyRows, context_of, with_events
from .csv_log import ColumnError
from .model import (
    SOURCES,
    SOURCES_IN_A_SENTENCE,
    FoundEvent,
    Reading,
    ReportContext,
    Settings,
    Table,
)
from .reading import MAX_EVENTS, read_timeline
from .text import clean
from .upload import decode_upload

__all__ = [
    "MAX_EVENTS", "SOURCES", "SOURCES_IN_A_SENTENCE", "Chosen", "ColumnError", "FoundEvent",
    "Reading", "ReportContext", "Settings", "Table", "TooManyRows", "clean", "context_of",
    "decode_upload", "read_timeline", "with_events",
]
