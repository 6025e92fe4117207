"""The Google Drive connection: a person's account (refresh token encrypted) and the folder
Hindsight made for an account.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-09
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "drive_connections",
        sa.Column("id", sa.Integer(), primary_key=True),
        # "person", or "delegated:<address>" for a service account acting for that person.
        sa.Column("identity", sa.String(400), nullable=False, unique=True),
        sa.Column("account", sa.String(320), nullable=False, server_default=""),
        sa.Column("account_name", sa.String(200), nullable=False, server_default=""),
        # The OAuth refresh token, encrypted with a key derived from the app's secret key.
        sa.Column("secret", sa.Text(), nullable=True),
        sa.Column("folder_id", sa.String(200), nullable=True),
        sa.Column("folder_name", sa.String(300), nullable=True),
        sa.Column("folder_link", sa.String(1000), nullable=True),
        sa.Column("changed_by", sa.String(200), nullable=False, server_default=""),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
    )


def downgrade() -> None:
    op.drop_table("drive_connections")
