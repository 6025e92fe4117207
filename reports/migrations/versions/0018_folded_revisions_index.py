"""An index for the folded revisions an autosave prunes.

Every autosave deletes its report's folded revisions older than a day (reports/store.py
``PRUNE_FOLDED``). Without this index the delete read every revision of the report, and a day
of autosaves is thousands of them, so each autosave was slower than the one before.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_revisions_folded", "revisions", ["report_id", "folded", "saved_at"])


def downgrade() -> None:
    op.drop_index("ix_revisions_folded", table_name="revisions")
