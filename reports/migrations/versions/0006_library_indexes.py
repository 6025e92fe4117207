"""Indexes that keep the library fast at tens of thousands of reports.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Counting, sorting and the median time to resolve read this index, never the big rows.
    op.create_index("ix_reports_live_times", "reports",
                    ["deleted_at", "started_at", "resolved_at"])
    op.create_index("ix_action_items_status_due", "action_items", ["status", "due", "report_id"])
    op.create_index("ix_reports_live_follow_up", "reports", ["deleted_at", "follow_up_review_on"])
    # Reports in the bin no longer count: their action items leave the index with them.
    op.execute("DELETE FROM action_items WHERE report_id IN "
               "(SELECT id FROM reports WHERE deleted_at IS NOT NULL)")


def downgrade() -> None:
    op.drop_index("ix_reports_live_follow_up", "reports")
    op.drop_index("ix_action_items_status_due", "action_items")
    op.drop_index("ix_reports_live_times", "reports")
