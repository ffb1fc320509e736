"""Fixtures: a copy of the demo project whose stores live on the real PostgreSQL server."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


@pytest.fixture
def demo_copy(demo_built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the built demo (its own state folder), stores unset."""
    target = tmp_path / "demo"
    shutil.copytree(demo_built, target, ignore=shutil.ignore_patterns(".metricmind"))
    monkeypatch.delenv("METRICMIND_STORE_URL", raising=False)
    monkeypatch.delenv("METRICMIND_STATE_DIR", raising=False)
    return target


@pytest.fixture
def pg_store(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """``store.url`` on a fresh database of the real PostgreSQL server (set in the environment)."""
    monkeypatch.setenv("METRICMIND_STORE_URL", postgres_url)
    return postgres_url
