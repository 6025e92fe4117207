"""Writing hints the authors set aside on a report, each with a reason (review notes).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-10
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "set_aside_hints",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "report_id", sa.Integer(),
            sa.ForeignKey("reports.id", ondelete="CASCADE", name="fk_set_aside_hints_report_id"),
            nullable=False, index=True,
        ),
        sa.Column("family", sa.String(16), nullable=False),
        sa.Column("rule_id", sa.String(64), nullable=False),
        sa.Column("words", sa.String(500), nullable=False),
        sa.Column("field", sa.String(100), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("report_id", "rule_id", "words", name="uq_set_aside_hints_key"),
    )


def downgrade() -> None:
    op.drop_table("set_aside_hints")
