"""Stores and projects for the integrity tests: a copy of the shop sample, a fresh PostgreSQL database."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest

from metricmind.testing.shop import SHOP


def copy_shop(target: Path) -> Path:
    """A copy of the shop sample project at ``target`` (no built target, seeds or SQL files)."""
    shutil.copytree(SHOP, target, ignore=shutil.ignore_patterns("target", "seeds", "__pycache__", "*.sql"))
    return target


def fresh_pg(request: pytest.FixtureRequest) -> str:
    """A new empty database on the session's PostgreSQL server (dropped with the server)."""
    server = request.getfixturevalue("postgres_server")
    name = f"t_{uuid.uuid4().hex[:12]}"
    server.psql("postgres", f"CREATE DATABASE {name}")
    return f"postgresql://postgres@127.0.0.1:{server.port}/{name}"
