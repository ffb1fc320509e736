"""The project store: SQLAlchemy plumbing shared by the catalog, the knowledge graph and learning.

SQLite (WAL) by default at ``store.db`` in the state folder (``config.state_dir``: ``<project>/.metricmind``); PostgreSQL (or any SQLAlchemy URL)
when the ``store_url`` setting says so. Each area declares its tables on :data:`metadata` in its own
module and ships Alembic revisions in ``storage/migrations/versions`` on its own branch
(``catalog_*``, ``knowledge_*``, ``learn_*``); :func:`upgrade` applies every head.
"""

from __future__ import annotations

from metricmind.storage.engine import default_url, make_engine, metadata, session_scope
from metricmind.storage.migrate import current_heads, upgrade

__all__ = ["current_heads", "default_url", "make_engine", "metadata", "session_scope", "upgrade"]
