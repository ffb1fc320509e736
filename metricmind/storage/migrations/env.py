"""Alembic environment: runs against the engine passed in ``config.attributes['engine']``."""

from __future__ import annotations

from alembic import context

from metricmind.storage.engine import metadata

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    context.run_migrations()
