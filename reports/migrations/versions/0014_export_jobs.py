"""Export jobs: exports run outside the request threads, claimed by any app instance.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

ACTIVE = sa.text("status IN ('queued', 'running')")


def upgrade() -> None:
    op.create_table(
        "export_jobs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "report_id", sa.Integer(),
            sa.ForeignKey("reports.id", ondelete="CASCADE", name="fk_export_jobs_report_id"),
            nullable=False, index=True,
        ),
        sa.Column("report_version", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("copy", sa.String(16), nullable=False),
        sa.Column("requested_by", sa.String(200), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        # queued, running, done or failed
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        # The app process running it (host:pid), and when that process last said it still is.
        sa.Column("claimed_by", sa.String(200), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),  # what the page and the CLI show (JSON)
        sa.Column("error", sa.Text(), nullable=True),
    )
    op.create_index("ix_export_jobs_status_id", "export_jobs", ["status", "id"])
    # One queued or running job per report, format, copy and version: a second identical
    # request gets that job.
    op.create_index("uq_export_jobs_active", "export_jobs",
                    ["report_id", "format", "copy", "report_version"], unique=True,
                    sqlite_where=ACTIVE, postgresql_where=ACTIVE)


def downgrade() -> None:
    op.drop_index("uq_export_jobs_active", table_name="export_jobs")
    op.drop_index("ix_export_jobs_status_id", table_name="export_jobs")
    op.drop_table("export_jobs")
