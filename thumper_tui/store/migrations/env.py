"""Alembic environment: Thumper always passes an open connection in ``config.attributes``."""

from alembic import context

from thumper_tui.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through thumper_tui.store.migrate (thumper db upgrade)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
