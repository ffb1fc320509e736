"""Fixtures: the demo project (scale 300) in a git repository, and a store on SQLite or PostgreSQL."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from metricmind.knowledge.ingest import connect
from tests.knowledge import workload

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_AUTHOR_DATE": "2026-06-01T00:00:00+0000",
    "GIT_COMMITTER_DATE": "2026-06-01T00:00:00+0000",
}


def git(cwd: Path, *args: str) -> str:
    """Run git with a fixed identity and date; its output."""
    done = subprocess.run(
        ["git", *args], cwd=cwd, env={**os.environ, **GIT_ENV}, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@pytest.fixture(scope="session")
def demo_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project built once (scale 300, data through 2026-06-30)."""
    from tests.shared_demo import demo_copy

    return demo_copy(
        tmp_path_factory, tmp_path_factory.mktemp("demo") / "demo", scale=300, end_date="2026-06-30"
    )


@pytest.fixture
def project_dir(demo_built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the demo in its own git repository (branch main, one commit with a fixed date)."""
    target = tmp_path / "project"
    shutil.copytree(demo_built, target, ignore=shutil.ignore_patterns(".metricmind"))
    (target / ".gitignore").write_text(".metricmind/\ntarget/\n")
    git(target, "init", "-q", "-b", "main")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "demo project")
    for name in GIT_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.delenv("METRICMIND_STORE_URL", raising=False)
    return target


@pytest.fixture
def month_log(tmp_path: Path) -> Path:
    """A month of generated query log (native JSONL)."""
    return workload.write(tmp_path / "month.jsonl")


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store URL on SQLite, then on the real PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def engine(store_url: str) -> Iterator[sa.Engine]:
    """A migrated store."""
    eng = connect(store_url)
    yield eng
    eng.dispose()
