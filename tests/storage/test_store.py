"""The store plumbing on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from metricmind.storage import default_url, make_engine, session_scope, upgrade


def test_sqlite_store_uses_wal_and_migrates(tmp_path: Path) -> None:
    url = default_url(tmp_path)
    assert url.endswith(".metricmind/store.db")
    engine = make_engine(url)
    upgrade(engine)
    upgrade(engine)  # idempotent
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_session_scope_rolls_back_on_error(tmp_path: Path) -> None:
    engine = make_engine(default_url(tmp_path))
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        session.execute(text("INSERT INTO t VALUES (1)"))
        raise RuntimeError("boom")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM t")).scalar() == 0


def test_postgres_store(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar() == 1
        assert conn.execute(text("SHOW shared_preload_libraries")).scalar() == "pg_stat_statements"
    engine.dispose()
