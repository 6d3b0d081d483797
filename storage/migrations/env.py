"""Alembic environment: migrations run on a connection handed over by copbot.

``copbot db upgrade`` (and the bot at start-up) open the connection and pass it in
``config.attributes["connection"]``. SQLite needs batch mode to alter tables.
"""

from __future__ import annotations

from alembic import context

from storage.models import Base, made_by_models

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `copbot db upgrade`, which provides the connection")


context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_object=made_by_models,
)
with context.begin_transaction():
    context.run_migrations()
