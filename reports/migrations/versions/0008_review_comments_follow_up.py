"""Review comments on each part of a report; the day a report's follow-up review was held.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

import json
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_comments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "report_id", sa.Integer(),
            sa.ForeignKey("reports.id", ondelete="CASCADE", name="fk_review_comments_report_id"),
            nullable=False, index=True,
        ),
        sa.Column("part", sa.String(16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(200), nullable=True),
    )
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("follow_up_held_on", sa.Date(), nullable=True))
    # The follow-ups list asks for live reports whose review is not held yet and whose date came.
    op.drop_index("ix_reports_live_follow_up", "reports")
    op.create_index("ix_reports_live_follow_up", "reports",
                    ["deleted_at", "follow_up_held_on", "follow_up_review_on"])
    # Documents written by a newer version may already say when the review was held.
    connection = op.get_bind()
    for row in connection.execute(sa.text("SELECT id, document FROM reports")).all():
        held_on = json.loads(row.document).get("follow_up_held_on")
        try:
            day = date.fromisoformat(held_on) if isinstance(held_on, str) else None
        except ValueError:
            day = None
        if day is not None:
            connection.execute(
                sa.text("UPDATE reports SET follow_up_held_on = :day WHERE id = :id")
                .bindparams(sa.bindparam("day", type_=sa.Date())),
                {"day": day, "id": row.id},
            )


def downgrade() -> None:
    op.drop_index("ix_reports_live_follow_up", "reports")
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("follow_up_held_on")
    op.create_index("ix_reports_live_follow_up", "reports", ["deleted_at", "follow_up_review_on"])
    op.drop_table("review_comments")
