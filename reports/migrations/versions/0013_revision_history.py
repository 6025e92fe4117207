"""Readable history: the kind of save behind each revision, the parts it changed, folded autosaves.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("revisions") as batch:
        batch.add_column(sa.Column("kind", sa.String(16), nullable=True))
        batch.add_column(sa.Column("parts", sa.Text(), nullable=True))
        batch.add_column(sa.Column("folded", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("group_started_at", sa.DateTime(timezone=True),
                                   nullable=True))
        batch.add_column(sa.Column("group_saves", sa.Integer(), nullable=False,
                                   server_default="1"))
    # Earlier revisions say what made them only in their note; the parts they changed stay
    # unknown (NULL), and the rest read as saves.
    revisions = sa.table("revisions", sa.column("kind", sa.String), sa.column("note", sa.String),
                         sa.column("version", sa.Integer))
    op.execute(revisions.update().where(revisions.c.note.like("Restored version %"))
               .values(kind="restore"))
    op.execute(revisions.update().where(revisions.c.note.like("Status: %"))
               .values(kind="status"))
    op.execute(revisions.update().where(revisions.c.note.like("Action item % marked %"))
               .values(kind="action"))
    op.execute(revisions.update().where(revisions.c.version == 1, revisions.c.kind.is_(None))
               .values(kind="create"))


def downgrade() -> None:
    with op.batch_alter_table("revisions") as batch:
        batch.drop_column("group_saves")
        batch.drop_column("group_started_at")
        batch.drop_column("folded")
        batch.drop_column("parts")
        batch.drop_column("kind")
