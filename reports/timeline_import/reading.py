"""From a pasted text to the events it holds: read the source, settle the times, guess the
kinds, mark the duplicates, and put them in time order in the report's zone."""

from __future__ import annotations

from datetime import UTC, timedelta, timezone, tzinfo

from reports.language import N_, say

from .csv_log import ColumnError, read_csv
from .detect import detect
from .duplicates import is_duplicate
from .email_thread import read_email
from .google_chat import read_google_chat
from .kinds import guess_kind
from .lines import read_lines
from .model import SOURCES, FoundEvent, Item, Reading, ReportContext, Settings, Table
from .resolve import Timed, resolve
from .slack import read_slack
from .teams import read_teams
from .text import valid_text
from .zones import zone_of

MAX_TEXT = 8_000_000  # characters read; the API and the page take less than this anyway
MAX_EVENTS = 5_000

# The problems are said in the reader's language (``say``: the page's, or the command line's).
NOTHING_FOUND = N_("No events were found: no line starts with a time, and the text is not a "
                   "Slack export, a chat, a table with a time column or an e-mail thread.")


def _read(source: str, text: str, settings: Settings
          ) -> tuple[list[Item], int, Table | None, list[str]]:
    """The source's items, how many it left out, a table's shape, and problems found."""
    if source == "slack":
        try:
            events, left_out = read_slack(text)
        except (ValueError, RecursionError) as error:
            return [], 0, None, [say(N_("This is not a Slack export that can be read: %(error)s"),
                                     error=str(error))[:300]]
        return list(events), left_out, None, []
    if source == "csv":
        csv_events, table = read_csv(text, settings.time_column, settings.text_column)
        problems = []
        if table is None:
            problems.append(say(N_("This is not a table: it needs a header row and at least "
                                   "two columns separated by commas, semicolons or tabs.")))
        elif table.time_column is None:
            problems.append(say(N_("No column of this table holds times. Choose the time "
                                   "column.")))
        return list(csv_events), 0, table, problems
    if source == "email":
        return list(read_email(text)), 0, None, []
    if source == "teams":
        items, left_out = read_teams(text)
        return items, left_out, None, []
    if source == "google_chat":
        items, left_out = read_google_chat(text)
        return items, left_out, None, []
    if source == "lines":
        return read_lines(text), 0, None, []
    return [], 0, None, []


def _found(entry: Timed, zone: tzinfo, context: ReportContext) -> FoundEvent:
    event = entry.event
    local = entry.at.astimezone(zone)
    return FoundEvent(
        # A fixed offset, not the zone: Python compares and subtracts two times of one
        # ZoneInfo as wall-clock times, which is wrong across a clock change.
        at=local.replace(tzinfo=timezone(local.utcoffset() or timedelta(0))),
        kind=guess_kind(event.text, event.hint),
        description=event.text,
        author=event.author,
        duplicate=is_duplicate(entry.at, event.text, context.existing),
        needs_timezone=entry.needed_zone,
    )


def read_timeline(text: str, settings: Settings, context: ReportContext) -> Reading:
    """Every event the text holds, in time order. ColumnError when the person named a column
    the table does not have; never any other error, whatever the text."""
    text = valid_text(text[:MAX_TEXT]).lstrip("\ufeff")
    source = settings.source if settings.source in SOURCES else detect(text)
    items, left_out, table, problems = _read(source, text, settings)
    timed, order = resolve(items, settings, context.timezone, context.reference, context.today)
    zone = zone_of(context.timezone) or UTC
    kept: list[Timed] = []
    seen: set[tuple[object, str]] = set()
    for entry in sorted(timed, key=lambda t: t.at):
        key = (entry.at, entry.event.text)
        if key in seen:
            left_out += 1  # the same message twice (quoted in replies, pasted twice)
            continue
        seen.add(key)
        kept.append(entry)
    # Kinds and duplicates only for the events handed back: a huge text stays quick.
    found = [_found(entry, zone, context) for entry in kept[:MAX_EVENTS]]
    if not found and not problems:
        problems.append(say(NOTHING_FOUND))
    return Reading(
        source=source,
        events=tuple(found),
        timezone=settings.timezone or context.timezone,
        needs_timezone=any(e.needs_timezone for e in found),
        ambiguous_dates=order.ambiguous,
        day_first=order.day_first,
        left_out=left_out,
        truncated=len(kept) > MAX_EVENTS,
        table=table,
        problems=tuple(problems),
    )


__all__ = ["ColumnError", "read_timeline"]
