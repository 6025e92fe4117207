"""The library: every report in one place, searched, filtered, sorted and counted.

Read-only queries over what the store keeps. Full-text search uses SQLite's FTS5 or
PostgreSQL's text search; any other database falls back to matching every word with LIKE.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import InstrumentedAttribute

from .language import N_
from .model import SEVERITIES
from .store import _utc, refresh_search_words
from .tables import ActionItemRow, ReportRow

PAGE_SIZE = 25
OPEN_STATUSES = ("proposed", "agreed", "in_progress")
SORTS = {"incident": N_("Incident date, newest first"), "edited": N_("Last edited, newest first")}
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Scope:
    """What one person may see across reports.

    ``teams``: only these teams' reports (a viewer limited to some teams), or None for all.
    ``internal``: whether internal-only items count (action items, words found by search).
    """

    teams: frozenset[str] | None = None
    internal: bool = True

    def reports(self) -> list[sa.ColumnElement[bool]]:
        """Conditions on ``reports``: live reports this person may read."""
        conditions: list[sa.ColumnElement[bool]] = [ReportRow.deleted_at.is_(None)]
        if self.teams is not None:
            conditions.append(ReportRow.team.in_(sorted(self.teams)))
        return conditions

    def actions(self) -> list[sa.ColumnElement[bool]]:
        """Conditions on ``action_items`` (joined to ``reports``)."""
        conditions = self.reports()
        if not self.internal:
            conditions.append(ActionItemRow.internal.is_(False))
        return conditions


EVERYTHING = Scope()


@dataclass(frozen=True)
class LibraryQuery:
    text: str = ""
    service: str = ""
    severity: str = ""
    status: str = ""
    year: int | None = None
    sort: str = "incident"
    page: int = 1


@dataclass(frozen=True)
class LibraryEntry:
    id: int
    title: str
    service: str
    severity: str | None
    status: str
    started_at: datetime | None
    resolved_at: datetime | None
    updated_at: datetime
    authors: str
    open_actions: int
    follow_up_review_on: date | None
    follow_up_held_on: date | None = None

    def follow_up_due(self, today: date) -> bool:
        """The follow-up review's date has come and the review is not recorded as held."""
        return (self.follow_up_held_on is None and self.follow_up_review_on is not None
                and self.follow_up_review_on <= today)

    @property
    def duration(self) -> timedelta | None:
        if self.started_at and self.resolved_at and self.resolved_at >= self.started_at:
            return self.resolved_at - self.started_at
        return None


@dataclass(frozen=True)
class LibraryPage:
    entries: list[LibraryEntry]
    total: int
    page: int
    pages: int
    services: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())[:12]


def _search_condition(engine: Engine, text: str, internal: bool = True
                      ) -> sa.ColumnElement[bool] | None:
    """Reports with every word; without ``internal``, only words of the client copy count."""
    terms = words(text)
    if not terms:
        return None
    table, column = (("reports_fts", ReportRow.search_text) if internal else
                     ("reports_client_fts", ReportRow.client_search_text))
    if engine.dialect.name == "sqlite":
        match = " AND ".join('"' + term.replace('"', '""') + '"*' for term in terms)
        return ReportRow.id.in_(
            sa.select(sa.literal_column("rowid")).select_from(sa.table(table))
            .where(sa.text(f"{table} MATCH :match").bindparams(match=match))
        )
    if engine.dialect.name == "postgresql":
        query = " & ".join(f"{term}:*" for term in terms)
        return sa.func.to_tsvector("simple", column).op("@@")(
            sa.func.to_tsquery("simple", query)
        )
    return sa.and_(*(column.ilike(f"%{term}%") for term in terms))


def _open_actions(scope: Scope) -> sa.ScalarSelect[int]:
    visible = [] if scope.internal else [ActionItemRow.internal.is_(False)]
    return (
        sa.select(sa.func.count(ActionItemRow.id))
        .where(ActionItemRow.report_id == ReportRow.id,
               ActionItemRow.status.in_(OPEN_STATUSES), *visible)
        .scalar_subquery()
    )


def _entry(row: sa.Row) -> LibraryEntry:
    return LibraryEntry(
        id=row.id, title=row.title, service=row.service, severity=row.severity,
        status=row.status, started_at=_utc(row.started_at), resolved_at=_utc(row.resolved_at),
        updated_at=_utc(row.updated_at), authors=row.authors,
        open_actions=row.open_actions, follow_up_review_on=row.follow_up_review_on,
        follow_up_held_on=row.follow_up_held_on,
    )


def _columns(scope: Scope) -> tuple[Any, ...]:  # columns and one labelled count
    return (
        ReportRow.id, ReportRow.title, ReportRow.service, ReportRow.severity, ReportRow.status,
        ReportRow.started_at, ReportRow.resolved_at, ReportRow.updated_at, ReportRow.authors,
        ReportRow.follow_up_review_on, ReportRow.follow_up_held_on,
        _open_actions(scope).label("open_actions"),
    )


def find(engine: Engine, query: LibraryQuery, scope: Scope = EVERYTHING) -> LibraryPage:
    if words(query.text):
        refresh_search_words(engine)  # saves leave their words to be indexed by a search
    conditions = scope.reports()
    if (search := _search_condition(engine, query.text, scope.internal)) is not None:
        conditions.append(search)
    if query.service:
        conditions.append(ReportRow.service == query.service)
    if query.severity:
        conditions.append(ReportRow.severity == query.severity)
    if query.status:
        conditions.append(ReportRow.status == query.status)
    if query.year:
        start = datetime(query.year, 1, 1, tzinfo=UTC)
        conditions.append(ReportRow.started_at >= start)
        conditions.append(ReportRow.started_at < start.replace(year=query.year + 1))
    order: tuple[sa.UnaryExpression[Any], ...]
    if query.sort == "edited":
        order = (ReportRow.updated_at.desc(), ReportRow.id.desc())
    else:
        newest = ReportRow.started_at.desc()
        # SQLite already puts NULLs last when descending; saying so would stop it using the index.
        if engine.dialect.name != "sqlite":
            newest = newest.nulls_last()
        order = (newest, ReportRow.id.desc())
    with engine.connect() as connection:
        total = connection.scalar(
            sa.select(sa.func.count()).select_from(ReportRow).where(*conditions)
        ) or 0
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(1, query.page), pages)
        # First the page's ids, using the indexes; then the details of those rows alone.
        ids = list(connection.scalars(
            sa.select(ReportRow.id).where(*conditions).order_by(*order)
            .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
        ))
        details = {row.id: row for row in connection.execute(
            sa.select(*_columns(scope)).where(ReportRow.id.in_(ids))
        )}
        rows = [details[report_id] for report_id in ids]
        services = list(connection.scalars(
            sa.select(ReportRow.service).where(*scope.reports(), ReportRow.service != "")
            .distinct().order_by(ReportRow.service)
        ))
        year = sa.extract("year", ReportRow.started_at)
        years = sorted(
            {int(y) for y in connection.scalars(
                sa.select(year).where(*scope.reports(),
                                      ReportRow.started_at.is_not(None)).distinct()
            ) if y is not None},
            reverse=True,
        )
    return LibraryPage([_entry(r) for r in rows], total, page, pages, services, years)


@dataclass(frozen=True)
class OpenAction:
    report_id: int
    report_title: str
    position: int
    description: str
    owner: str
    priority: str | None
    due: date | None
    status: str

    def overdue(self, today: date) -> bool:
        return self.due is not None and self.due < today


def open_actions(engine: Engine, today: date, owner: str = "", scope: Scope = EVERYTHING
                 ) -> list[OpenAction]:
    """Every open action item, overdue first (oldest due date first), then by due date."""
    overdue_first = sa.case((ActionItemRow.due < today, 0), else_=1)
    statement = (
        sa.select(ActionItemRow, ReportRow.title)
        .join(ReportRow, ReportRow.id == ActionItemRow.report_id)
        .where(*scope.actions(), ActionItemRow.status.in_(OPEN_STATUSES))
        .order_by(overdue_first, ActionItemRow.due.asc().nulls_last(), ReportRow.id,
                  ActionItemRow.position)
    )
    if owner:
        statement = statement.where(sa.func.lower(ActionItemRow.owner) == owner.lower())
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
    return [
        OpenAction(report_id=r.report_id, report_title=r.title or "Untitled report",
                   position=r.position, description=r.description, owner=r.owner,
                   priority=r.priority, due=r.due, status=r.status)
        for r in rows
    ]


def action_owners(engine: Engine, scope: Scope = EVERYTHING) -> list[str]:
    with engine.connect() as connection:
        return list(connection.scalars(
            sa.select(ActionItemRow.owner)
            .join(ReportRow, ReportRow.id == ActionItemRow.report_id)
            .where(*scope.actions(), ActionItemRow.owner != "",
                   ActionItemRow.status.in_(OPEN_STATUSES))
            .distinct().order_by(ActionItemRow.owner)
        ))


@dataclass(frozen=True)
class FollowUp:
    entry: LibraryEntry
    due_on: date
    total_actions: int
    overdue_actions: int = 0


def _follow_up_due(today: date, scope: Scope) -> tuple[sa.ColumnElement[bool], ...]:
    """Live reports whose follow-up date has come and whose review is not recorded as held."""
    return (*scope.reports(), ReportRow.follow_up_held_on.is_(None),
            ReportRow.follow_up_review_on <= today)


def follow_ups_due_count(engine: Engine, today: date, scope: Scope = EVERYTHING) -> int:
    with engine.connect() as connection:
        return connection.scalar(
            sa.select(sa.func.count()).select_from(ReportRow).where(*_follow_up_due(today, scope))
        ) or 0


def follow_ups_due(engine: Engine, today: date, scope: Scope = EVERYTHING) -> list[FollowUp]:
    """Reports whose follow-up review date has come, the longest waiting first."""
    visible = [] if scope.internal else [ActionItemRow.internal.is_(False)]
    total = (
        sa.select(sa.func.count(ActionItemRow.id))
        .where(ActionItemRow.report_id == ReportRow.id, *visible).scalar_subquery()
    )
    overdue = (
        sa.select(sa.func.count(ActionItemRow.id))
        .where(ActionItemRow.report_id == ReportRow.id, ActionItemRow.due < today,
               ActionItemRow.status.in_(OPEN_STATUSES), *visible).scalar_subquery()
    )
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(*_columns(scope), total.label("total_actions"), overdue.label("overdue"))
            .where(*_follow_up_due(today, scope))
            .order_by(ReportRow.follow_up_review_on, ReportRow.id)
        ).all()
    return [FollowUp(_entry(r), r.follow_up_review_on, r.total_actions, r.overdue)
            for r in rows]


@dataclass(frozen=True)
class Figures:
    this_quarter: int
    median_time_to_resolve: timedelta | None
    open_actions: int
    overdue_actions: int


def quarter_start(today: date) -> date:
    return date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)


def _seconds_between(engine: Engine, start: InstrumentedAttribute[Any],
                     end: InstrumentedAttribute[Any]
                     ) -> sa.ColumnElement[Any]:
    """``end - start`` in seconds, computed by the database."""
    if engine.dialect.name == "sqlite":
        return (sa.func.julianday(end) - sa.func.julianday(start)) * 86400.0
    return sa.extract("epoch", end - start)


def median_time_to_resolve(engine: Engine, scope: Scope = EVERYTHING) -> timedelta | None:
    """The median of resolved minus started, over reports that have both (in the database)."""
    seconds = _seconds_between(engine, ReportRow.started_at, ReportRow.resolved_at)
    where = (*scope.reports(), ReportRow.started_at.is_not(None),
             ReportRow.resolved_at.is_not(None), ReportRow.resolved_at >= ReportRow.started_at)
    # The count and the middle rows in one statement, so they see the same reports whatever
    # is saved meanwhile (in two, a report whose times were cleared in between left nothing).
    count = (sa.select(sa.func.count()).select_from(ReportRow).where(*where)
             .scalar_subquery())
    with engine.connect() as connection:
        middle = list(connection.scalars(
            sa.select(seconds).where(*where).order_by(seconds)
            .limit(2 - count % 2).offset((count - 1) // 2)
        ))
    if not middle:
        return None
    return timedelta(seconds=round(statistics.fmean(float(s) for s in middle), 3))


def figures(engine: Engine, today: date, scope: Scope = EVERYTHING) -> Figures:
    start = datetime.combine(quarter_start(today), datetime.min.time(), UTC)
    with engine.connect() as connection:
        this_quarter = connection.scalar(
            sa.select(sa.func.count()).select_from(ReportRow)
            .where(*scope.reports(), ReportRow.started_at >= start)
        ) or 0
        actions = (
            sa.select(sa.func.count()).select_from(ActionItemRow)
            .join(ReportRow, ReportRow.id == ActionItemRow.report_id)
            .where(*scope.actions(), ActionItemRow.status.in_(OPEN_STATUSES))
        )
        open_count = connection.scalar(actions) or 0
        overdue = connection.scalar(actions.where(ActionItemRow.due < today)) or 0
    return Figures(this_quarter, median_time_to_resolve(engine, scope), open_count, overdue)


@dataclass(frozen=True)
class MonthCount:
    month: date
    by_severity: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_severity.values())


def incidents_per_month(engine: Engine, today: date, months: int = 12,
                        scope: Scope = EVERYTHING) -> list[MonthCount]:
    """Incidents that started in each of the last ``months`` months, by severity."""
    first = date(today.year, today.month, 1)
    for _ in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    start = datetime.combine(first, datetime.min.time(), UTC)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(ReportRow.started_at, ReportRow.severity)
            .where(*scope.reports(), ReportRow.started_at >= start)
        ).all()
    counts: list[MonthCount] = []
    month = first
    for _ in range(months):
        counts.append(MonthCount(month, {key: 0 for key in [*SEVERITIES, "unrated"]}))
        month = (month + timedelta(days=32)).replace(day=1)
    index = {(c.month.year, c.month.month): c for c in counts}
    for started, severity in rows:
        moment = _utc(started)
        if moment is None:
            continue
        bucket = index.get((moment.year, moment.month))
        if bucket is not None:
            bucket.by_severity[severity or "unrated"] += 1
    return counts
