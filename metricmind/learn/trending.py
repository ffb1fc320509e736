"""Reading the nightly learner's trending metrics back: one checkpoint row, nothing created or migrated.

The nightly learner (``metricmind.project.nightlearn``) keeps the trending metrics in the memory store
as the ``trending`` checkpoint (``learn_checkpoints``). The catalog surfaces (web, CLI, MCP) read it
through :func:`read_checkpoint`, which — unlike ``Memory.open`` — never creates a store, applies no
migration, never moves a corrupt file aside and imports neither Alembic nor the embedding model: a
missing, empty, corrupt or unreachable store, or one without the memory's tables, reads as ``None``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)

#: The checkpoint the nightly learner writes.
CHECKPOINT = "trending"
#: Seconds a server store may take to answer the connection (a store that is down must not hold a page).
CONNECT_TIMEOUT_S = 2

_checkpoints = sa.table(
    "learn_checkpoints",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("state", sa.JSON),
    sa.column("created_at", sa.DateTime),
)


def _sqlite_file(url: str) -> Path | None:
    name = url.removeprefix("sqlite:///")
    return Path(name) if name and name != ":memory:" else None


def _readable_sqlite(path: Path) -> bool:
    """A file that exists and starts like a SQLite database (an empty one is being created)."""
    try:
        with path.open("rb") as file:
            return file.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


def _engine(url: str) -> sa.Engine | None:
    if url.startswith("sqlite"):
        path = _sqlite_file(url) if url.startswith("sqlite:///") else None
        if path is None or not _readable_sqlite(path):
            return None
        return sa.create_engine(url, connect_args={"timeout": 1}, poolclass=sa.pool.NullPool)
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    connect = {"connect_timeout": CONNECT_TIMEOUT_S} if url.startswith("postgresql") else {}
    return sa.create_engine(url, connect_args=connect, poolclass=sa.pool.NullPool)


def read_checkpoint(url: str, name: str = CHECKPOINT) -> tuple[dict[str, Any], dt.datetime] | None:
    """The newest state saved as checkpoint ``name`` in the store at ``url`` and when it was saved (UTC,
    naive), or ``None`` when there is none or the store cannot be read (logged at debug level).
    """
    try:
        engine = _engine(url)
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        log.debug("no %s checkpoint: %s", name, exc)
        return None
    if engine is None:
        return None
    query = (
        sa.select(_checkpoints.c.state, _checkpoints.c.created_at)
        .where(_checkpoints.c.name == name)
        .order_by(_checkpoints.c.id.desc())
        .limit(1)
    )
    try:
        with engine.connect() as conn:
            row = conn.execute(query).first()
    except (SQLAlchemyError, OSError, ValueError, json.JSONDecodeError) as exc:
        log.debug("no %s checkpoint in %s: %s", name, engine.url.render_as_string(), exc)
        return None
    finally:
        engine.dispose()
    if row is None or not isinstance(row[0], dict) or not isinstance(row[1], dt.datetime):
        return None
    return dict(row[0]), row[1]
