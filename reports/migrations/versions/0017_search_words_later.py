"""A report's search words are brought up to date when someone searches, not at every save.

``words_stale`` marks a report saved since its words were last indexed; the library's search
indexes those first (reports/store.py ``refresh_search_words``).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: SQLite's batch mode would copy and drop ``reports``, and dropping it
    # deletes every row that refers to it (revisions, exports...) through ON DELETE CASCADE.
    op.add_column("reports", sa.Column("words_stale", sa.Boolean(), nullable=False,
                                       server_default=sa.false()))


def downgrade() -> None:
    op.drop_column("reports", "words_stale")
