"""Review comments: a reviewer's notes on one part of a report, kept until someone resolves them.

Comments are review metadata, not part of the report: they are not in the exchange document,
never reach an export, and have no history of their own beyond who resolved them and when.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from .fields import PAGE_PARTS
from .store import _utc
from .tables import CommentRow, table_of

MAX_BODY = 2000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# The parts of the guided page a comment can be about: section id -> heading.
PARTS = PAGE_PARTS


@dataclass(frozen=True)
class Comment:
    id: int
    report_id: int
    part: str
    body: str
    author: str
    created_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


@dataclass(frozen=True)
class PartComments:
    """One part's comments: the open ones (oldest first) and the resolved ones."""

    open: list[Comment]
    resolved: list[Comment]


class CommentError(ValueError):
    """The comment cannot be kept; the message says why, in words for the page."""


def clean_body(text: str | None) -> str:
    """The comment as it will be kept: trimmed, within the limit, not empty."""
    body = _CONTROL.sub("", (text or "").replace("\r\n", "\n")).strip()
    if not body:
        raise CommentError("Write your comment before adding it.")
    if len(body) > MAX_BODY:
        raise CommentError(f"Keep the comment under {MAX_BODY:,} characters "
                           f"(it has {len(body):,}).")
    return body


def _comment(row: sa.Row) -> Comment:
    return Comment(
        id=row.id, report_id=row.report_id, part=row.part, body=row.body, author=row.author,
        created_at=_utc(row.created_at),
        resolved_at=_utc(row.resolved_at), resolved_by=row.resolved_by,
    )


class CommentStore:
    def __init__(self, engine: Engine):
        self.engine = engine
        self.table = table_of(CommentRow)

    def add(self, report_id: int, part: str, body: str, author: str,
            now: datetime | None = None) -> Comment:
        """Keep a new open comment; raises ``CommentError`` for an unknown part or a bad body."""
        if part not in PARTS:
            raise CommentError("Choose which part of the report the comment is about.")
        comment = Comment(id=0, report_id=report_id, part=part, body=clean_body(body),
                          author=author.strip()[:200] or "Reviewer",
                          created_at=now or datetime.now(UTC), resolved_at=None,
                          resolved_by=None)
        values = {name: getattr(comment, name)
                  for name in ("report_id", "part", "body", "author", "created_at")}
        with self.engine.begin() as connection:
            new_id = connection.execute(
                sa.insert(self.table).values(**values).returning(self.table.c.id)).scalar_one()
        return replace(comment, id=new_id)

    def get(self, comment_id: int) -> Comment | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                sa.select(self.table).where(self.table.c.id == comment_id)).first()
        return None if row is None else _comment(row)

    def resolve(self, comment_id: int, by: str, now: datetime | None = None) -> bool:
        """Mark an open comment resolved; False when it was already resolved or is unknown."""
        with self.engine.begin() as connection:
            done = connection.execute(
                sa.update(self.table)
                .where(self.table.c.id == comment_id, self.table.c.resolved_at.is_(None))
                .values(resolved_at=now or datetime.now(UTC), resolved_by=by.strip()[:200])
            )
        return done.rowcount == 1

    def for_report(self, report_id: int) -> dict[str, PartComments]:
        """Every part's comments, each part present even without any."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(self.table).where(self.table.c.report_id == report_id)
                .order_by(self.table.c.created_at, self.table.c.id)
            ).all()
        found = {part: PartComments([], []) for part in PARTS}
        for comment in map(_comment, rows):
            if comment.part in found:
                bucket = found[comment.part]
                (bucket.open if comment.is_open else bucket.resolved).append(comment)
        return found

    def open_count(self, report_id: int) -> int:
        with self.engine.connect() as connection:
            return connection.scalar(
                sa.select(sa.func.count()).select_from(self.table)
                .where(self.table.c.report_id == report_id, self.table.c.resolved_at.is_(None))
            ) or 0
