"""Writing hints set aside: the authors' word that a hint does not apply here, and why.

A hint set aside (a quote from the client, a name that is the product's) stops counting in the
readiness checklist. It is kept per report under the hint's rule and the words it found
(``reports.guidance.readiness.hint_key``), so the same hint on the same words stays set aside
across saves. Set-aside notes are review notes, like comments: they are not in the exchange
document and never reach an export. Reviewers see every one with its reason and may restore it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from .guidance.readiness import HintKey, clean_words
from .store import _utc
from .tables import SetAsideRow, table_of

MAX_REASON = 200
FAMILIES = ("blameless", "apology", "plain")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_RULE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class SetAsideError(ValueError):
    """The hint cannot be set aside; the message says why, in words for the page."""


@dataclass(frozen=True)
class SetAside:
    id: int
    report_id: int
    family: str
    rule_id: str
    words: str
    field: str
    reason: str
    author: str
    created_at: datetime

    @property
    def key(self) -> HintKey:
        return (self.rule_id, self.words)


def clean_reason(text: str | None) -> str:
    """The reason as kept: on one line, trimmed, required, at most ``MAX_REASON`` characters."""
    reason = _CONTROL.sub(" ", text or "").strip()
    if not reason:
        raise SetAsideError("Say why this hint does not apply, e.g. “a quote from the client”.")
    if len(reason) > MAX_REASON:
        raise SetAsideError(f"Keep the reason under {MAX_REASON} characters "
                            f"(it has {len(reason)}).")
    return reason


def _row(row: sa.Row) -> SetAside:
    return SetAside(id=row.id, report_id=row.report_id, family=row.family, rule_id=row.rule_id,
                    words=row.words, field=row.field, reason=row.reason, author=row.author,
                    created_at=_utc(row.created_at))


class SetAsideStore:
    def __init__(self, engine: Engine):
        self.engine = engine
        self.table = table_of(SetAsideRow)

    def add(self, report_id: int, family: str, rule_id: str, words: str, field: str,
            reason: str, author: str, now: datetime | None = None) -> SetAside:
        """Set a hint aside (again: the newest reason wins); ``SetAsideError`` for bad input."""
        if family not in FAMILIES or not _RULE.match(rule_id or ""):
            raise SetAsideError("That hint is not known: reload the page and try again.")
        values: dict[str, Any] = {"report_id": report_id, "family": family, "rule_id": rule_id,
                  "words": clean_words(words), "field": (field or "").strip()[:100],
                  "reason": clean_reason(reason), "author": author.strip()[:200] or "Author",
                  "created_at": now or datetime.now(UTC)}
        table = self.table
        with self.engine.begin() as connection:
            connection.execute(sa.delete(table).where(
                table.c.report_id == report_id, table.c.rule_id == values["rule_id"],
                table.c.words == values["words"]))
            new_id = connection.execute(
                sa.insert(table).values(**values).returning(table.c.id)).scalar_one()
        return SetAside(id=new_id, report_id=report_id, family=family, rule_id=rule_id,
                        words=values["words"], field=values["field"], reason=values["reason"],
                        author=values["author"], created_at=values["created_at"])

    def get(self, set_aside_id: int) -> SetAside | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                sa.select(self.table).where(self.table.c.id == set_aside_id)).first()
        return None if row is None else _row(row)

    def restore(self, set_aside_id: int) -> bool:
        """Make the hint count again; False when it was not set aside."""
        with self.engine.begin() as connection:
            done = connection.execute(sa.delete(self.table)
                                      .where(self.table.c.id == set_aside_id))
        return done.rowcount == 1

    def for_report(self, report_id: int) -> list[SetAside]:
        """Every hint set aside on the report, oldest first."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(self.table).where(self.table.c.report_id == report_id)
                .order_by(self.table.c.created_at, self.table.c.id)).all()
        return [_row(row) for row in rows]

    def keys(self, report_id: int) -> frozenset[HintKey]:
        """What readiness needs: the keys of the hints set aside on the report."""
        return frozenset(entry.key for entry in self.for_report(report_id))
