"""Failed sign-ins kept in the database; a session generation per account, to end sessions.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every worker, restart and app instance on this database counts the same failures.
    op.create_table(
        "signin_failures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_signin_failures_key_failed_at", "signin_failures", ["key", "failed_at"])
    op.create_index("ix_signin_failures_failed_at", "signin_failures", ["failed_at"])
    # A session cookie carries the generation it was made in; signing out moves the account to
    # the next one, so a copy of the cookie taken before stops working.
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("session_generation", sa.Integer(), nullable=False,
                                   server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_generation")
    op.drop_index("ix_signin_failures_failed_at", "signin_failures")
    op.drop_index("ix_signin_failures_key_failed_at", "signin_failures")
    op.drop_table("signin_failures")
