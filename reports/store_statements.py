"""The statements every autosave and every open page run, built once.

Building a statement (``sa.select(...).where(...)``) and working out its cache key took most of
the time SQLAlchemy spent on an autosave: the database's own work was a tenth of it. Built once
with named parameters, a statement's cache key is computed once and its SQL is taken from the
engine's compiled cache, so each run only binds values.
"""

from __future__ import annotations

import sqlalchemy as sa

from .tables import ActionItemRow, ReportRow, RevisionRow, table_of

_reports = table_of(ReportRow)
_revisions = table_of(RevisionRow)
_actions = table_of(ActionItemRow)

# What a save (and a page that is about to save) reads of a report: ``report_id``. With it,
# the revision of its current version (``last_*``, all None if it has none), which the next
# autosave may fold.
_last = _revisions.alias("last_revision")
CURRENT_ROW = (
    sa.select(_reports.c.id, _reports.c.version, _reports.c.created_at, _reports.c.updated_at,
              _reports.c.status, _reports.c.deleted_at, _reports.c.document,
              _last.c.kind.label("last_kind"),
              _last.c.folded.label("last_folded"), _last.c.author.label("last_author"),
              _last.c.saved_at.label("last_saved_at"),
              _last.c.group_started_at.label("last_group_started_at"),
              _last.c.group_saves.label("last_group_saves"), _last.c.parts.label("last_parts"))
    .select_from(_reports.outerjoin(_last, sa.and_(_last.c.report_id == _reports.c.id,
                                                   _last.c.version == _reports.c.version)))
    .where(_reports.c.id == sa.bindparam("report_id"))
)

# Asked before every request on a report (views/permissions.py): ``report_id``.
TEAM_OF = sa.select(_reports.c.team).where(_reports.c.id == sa.bindparam("report_id"))

# Asked by every open page every few seconds: ``report_id``.
VERSION_OF = sa.select(_reports.c.version).where(
    _reports.c.id == sa.bindparam("report_id"), _reports.c.deleted_at.is_(None))

# A no-op update that takes the row's (PostgreSQL) or the database's (SQLite) write lock.
TAKE_THE_WRITE_LOCK = (
    sa.update(_reports).where(_reports.c.id == sa.bindparam("report_id"))
    .values(version=_reports.c.version)
)

# The columns a save writes (reports/store.py ``_row_values``, the version and the time).
SAVED_COLUMNS = ("title", "service", "severity", "status", "started_at", "document",
                 "follow_up_held_on", "resolved_at", "authors", "follow_up_review_on",
                 "version", "updated_at")

# A save's write of the row, only over the version it was worked out from: ``row_id``,
# ``read_version`` and one ``new_<column>`` for each of ``SAVED_COLUMNS``. Changes no row when
# someone saved (or binned the report) in between.
SAVE_ROW = (
    sa.update(_reports)
    .where(_reports.c.id == sa.bindparam("row_id"),
           _reports.c.version == sa.bindparam("read_version"),
           _reports.c.deleted_at.is_(None))
    .values({**{column: sa.bindparam(f"new_{column}", type_=_reports.c[column].type)
                for column in SAVED_COLUMNS},
             "words_stale": True})
)

# ``SAVE_ROW`` over a row this process wrote (reports/written_rows.py), not read back: also
# only if it is still the row written at ``read_updated_at`` (not one a restored backup put back
# with the same version). The same parameters, and ``read_updated_at``.
SAVE_ROW_OVER_WRITTEN = SAVE_ROW.where(
    _reports.c.updated_at == sa.bindparam("read_updated_at", type_=_reports.c.updated_at.type))

# Marks a revision folded into the autosave after it: ``of_report``, ``of_version``.
FOLD_REVISION = (
    sa.update(_revisions).where(_revisions.c.report_id == sa.bindparam("of_report"),
                                _revisions.c.version == sa.bindparam("of_version"))
    .values(folded=True)
)

# Keeps a revision: one value for each of its columns but ``id``.
ADD_REVISION = sa.insert(_revisions)

# Folded revisions older than ``before`` of report ``report_id``, which no page still needs.
PRUNE_FOLDED = sa.delete(_revisions).where(
    _revisions.c.report_id == sa.bindparam("report_id"), _revisions.c.folded.is_(True),
    _revisions.c.saved_at < sa.bindparam("before"))

# The action items' table (lists across reports): ``report_id``'s rows, then its items.
REMOVE_ACTIONS = sa.delete(_actions).where(_actions.c.report_id == sa.bindparam("report_id"))
ADD_ACTIONS = sa.insert(_actions)
