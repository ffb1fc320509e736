"""A demo copy with two weeks of real use and the real nightly learner run on it (twice).

Episodes go through the learned query path (``Project.run`` with ``learn.enabled``, as the CLI, web and
MCP servers run queries); those of the week before are recorded with the memory's clock set ten days
back. Then ``metricmind nightly`` runs for real, as a subprocess, on two days in a row.

This week / the week before: ``invoice_revenue`` 4 / 1 (trending, 4×), ``signups`` 3 / 0 (new),
``mrr`` 3 / 3 (not 1.5× as many), ``arr`` 2 / 0 (fewer than 3 uses).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from metricmind import MetricQuery, Project
from metricmind.learn import memory as memory_module

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
}
NIGHTS = ("2026-06-29", "2026-06-30")
THIS_WEEK = {"invoice_revenue": 4, "signups": 3, "mrr": 3, "arr": 2}
WEEK_BEFORE = {"invoice_revenue": 1, "mrr": 3}
GRAINS = ("metric_time__month", "metric_time__quarter", "metric_time__year")


def metricmind(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real CLI."""
    return subprocess.run(
        [sys.executable, "-m", "metricmind", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_ENV, **(env or {})},
        check=False,
    )


def copy_demo(demo_built: Path, target: Path) -> Path:
    """A copy of the built demo without its state folder (other tests' runs leave episodes there)."""
    shutil.copytree(demo_built, target, ignore=shutil.ignore_patterns(".metricmind"))
    return target


def use(project: Project, uses: dict[str, int]) -> None:
    """Run each metric ``uses[metric]`` times (different grains, so not only cache hits)."""
    for metric, n in uses.items():
        for i in range(n):
            project.run(MetricQuery.build(metric, GRAINS[i % len(GRAINS)]), user="ann")
    project.learner.flush()  # the learned path writes its episodes after the answer


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests of the trended project in one xdist group: one worker builds it (two nightly runs) once."""
    for item in items:
        # without xdist (-p no:xdist) the marker is unknown and there is one process anyway
        if item.config.pluginmanager.hasplugin("xdist") and "trended" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("trending"))


@pytest.fixture(scope="session")
def trend_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Learning on (as the demo's metricmind.yml says), the default store, a private git config."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("METRICMIND_LEARN_ENABLED", "on")
        mp.delenv("METRICMIND_STORE_URL", raising=False)
        mp.setenv("GIT_CONFIG_GLOBAL", str(tmp_path_factory.mktemp("git") / "gitconfig"))
        yield


@pytest.fixture(scope="session")
def trended(demo_built: Path, tmp_path_factory: pytest.TempPathFactory, trend_env: None) -> Path:
    """The demo copy after two weeks of use and two nightly runs (see the module docstring)."""
    root = copy_demo(demo_built, tmp_path_factory.mktemp("trend") / "project")
    (root / ".gitignore").write_text(".metricmind/\ntarget/\n")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "demo"]):
        subprocess.run(["git", *args], cwd=root, env={**os.environ, **GIT_ENV}, check=True)
    real_now = memory_module.now
    with Project.load(root) as project:
        with pytest.MonkeyPatch.context() as mp:  # the week before: the memory's clock ten days back
            mp.setattr(memory_module, "now", lambda: real_now() - dt.timedelta(days=10))
            use(project, WEEK_BEFORE)
        use(project, THIS_WEEK)
    for night in NIGHTS:
        done = metricmind("nightly", "--as-of", night, "--no-announce", "--json", "-p", str(root))
        assert done.returncode == 0, done.stderr
        assert "invoice_revenue" in json.loads(done.stdout)["learn"]["trending"]
    return root
