"""Revisions of every save, and a bin for deleted reports.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "revisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "report_id",
            sa.Integer(),
            sa.ForeignKey("reports.id", ondelete="CASCADE", name="fk_revisions_report_id"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author", sa.String(200), nullable=True),
        sa.Column("note", sa.String(200), nullable=True),
        sa.Column("document", sa.LargeBinary(), nullable=False),
        sa.UniqueConstraint("report_id", "version", name="uq_revisions_report_version"),
    )
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
    # Reports saved before this version get their current content as their first revision.
    connection = op.get_bind()
    rows = connection.execute(
        sa.text("SELECT id, version, updated_at, document FROM reports")
    ).all()
    import zlib

    for row in rows:
        connection.execute(
            sa.text(
                "INSERT INTO revisions (report_id, version, saved_at, document) "
                "VALUES (:report_id, :version, :saved_at, :document)"
            ),
            {"report_id": row.id, "version": row.version, "saved_at": row.updated_at,
             "document": zlib.compress(row.document.encode("utf-8"))},
        )


def downgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("deleted_at")
    op.drop_table("revisions")
