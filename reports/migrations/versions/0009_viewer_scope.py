"""What viewers may find: action items' "internal only" flag, and the client copy's words.

Viewers (stakeholders) never receive internal-only items, so the lists that span reports need
to know which action items are internal, and search needs the words of the client copy alone.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from reports.exchange import from_document
    from reports.searchable import client_search_text

    with op.batch_alter_table("action_items") as batch:
        batch.add_column(sa.Column("internal", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("client_search_text", sa.Text(), nullable=False,
                                   server_default=""))
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("CREATE VIRTUAL TABLE reports_client_fts USING fts5(search_text)")
    elif dialect == "postgresql":
        op.execute(
            "CREATE INDEX ix_reports_client_search ON reports "
            "USING gin (to_tsvector('simple', client_search_text))"
        )
    connection = op.get_bind()
    reports = sa.table("reports", sa.column("id"), sa.column("client_search_text"))
    actions = sa.table("action_items", sa.column("report_id"), sa.column("position"),
                       sa.column("internal"))
    for row in connection.execute(sa.text("SELECT id, document FROM reports")).all():
        report = from_document(json.loads(row.document))
        text = client_search_text(report)
        connection.execute(sa.update(reports).where(reports.c.id == row.id)
                           .values(client_search_text=text))
        for position, action in enumerate(report.actions):
            if action.internal:
                connection.execute(sa.update(actions).where(
                    actions.c.report_id == row.id, actions.c.position == position
                ).values(internal=True))
        if dialect == "sqlite":
            connection.execute(
                sa.text("INSERT INTO reports_client_fts (rowid, search_text) VALUES (:id, :t)"),
                {"id": row.id, "t": text})


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TABLE reports_client_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX ix_reports_client_search")
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("client_search_text")
    with op.batch_alter_table("action_items") as batch:
        batch.drop_column("internal")
