"""Alembic environment: the app hands over an open connection (see reports/migrate.py)."""

from alembic import context

from reports.tables import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
