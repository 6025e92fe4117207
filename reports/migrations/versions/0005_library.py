"""The library: columns the list filters and sorts on, action items, and full-text search.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

import json
from datetime import UTC

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("authors", sa.String(2000), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("follow_up_review_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
    op.create_index("ix_reports_started_at", "reports", ["started_at"])
    op.create_table(
        "action_items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "report_id", sa.Integer(),
            sa.ForeignKey("reports.id", ondelete="CASCADE", name="fk_action_items_report_id"),
            nullable=False, index=True,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("priority", sa.String(16), nullable=True),
        sa.Column("due", sa.Date(), nullable=True, index=True),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("ticket", sa.String(2000), nullable=False),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("CREATE VIRTUAL TABLE reports_fts USING fts5(search_text)")
    elif dialect == "postgresql":
        op.execute(
            "CREATE INDEX ix_reports_search ON reports "
            "USING gin (to_tsvector('simple', search_text))"
        )
    # Fill the new columns and tables for the reports already there, as they were at this
    # revision (later revisions add columns of their own and fill them themselves).
    from reports.exchange import from_document
    from reports.searchable import search_text

    connection = op.get_bind()
    reports = sa.table("reports", sa.column("id"), sa.column("resolved_at"),
                       sa.column("authors"), sa.column("follow_up_review_on"),
                       sa.column("search_text"))
    actions = sa.table("action_items", *(sa.column(name) for name in (
        "report_id", "position", "description", "owner", "priority", "due", "status", "ticket")))
    for row in connection.execute(sa.text("SELECT id, document FROM reports")).all():
        report = from_document(json.loads(row.document))
        resolved = report.resolved_at.astimezone(UTC) if report.resolved_at else None
        connection.execute(sa.update(reports).where(reports.c.id == row.id).values(
            resolved_at=resolved, authors=", ".join(report.authors)[:2000],
            follow_up_review_on=report.follow_up_review_on, search_text=search_text(report)))
        if report.actions:
            connection.execute(sa.insert(actions), [
                {"report_id": row.id, "position": position, "description": a.description,
                 "owner": a.owner, "priority": a.priority, "due": a.due, "status": a.status,
                 "ticket": a.ticket}
                for position, a in enumerate(report.actions)
            ])
        if dialect == "sqlite":
            connection.execute(
                sa.text("INSERT INTO reports_fts (rowid, search_text) VALUES (:id, :text)"),
                {"id": row.id, "text": search_text(report)})


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TABLE reports_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX ix_reports_search")
    op.drop_table("action_items")
    op.drop_index("ix_reports_started_at", "reports")
    with op.batch_alter_table("reports") as batch:
        for column in ("search_text", "follow_up_review_on", "authors", "resolved_at"):
            batch.drop_column(column)
