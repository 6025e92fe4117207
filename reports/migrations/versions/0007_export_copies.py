"""Exports record which copy they are: "client" (internal items left out) or "internal".

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Exports made before this had nothing internal to leave out: they are client copies, so
    # re-exporting the client copy replaces their files as before.
    with op.batch_alter_table("exports") as batch:
        batch.add_column(sa.Column("copy", sa.String(16), nullable=False,
                                   server_default="client"))


def downgrade() -> None:
    with op.batch_alter_table("exports") as batch:
        batch.drop_column("copy")
