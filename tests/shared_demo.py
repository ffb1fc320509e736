"""Sample projects built once per test run, shared by every xdist worker, and copied for each fixture.

``build_demo`` is deterministic (same scale, end date, seed: same files and rows, checked by
``tests/demo/test_build.py``), the foreign sample projects are built from seeded raw data, and a built
project holds no absolute path, so a copy of a build is the same project as a fresh build in the copy's
place. A test run builds each distinct project once, under a file lock in the run's shared temporary
folder (xdist workers' base folders are siblings in it), and each fixture gets its own copy, so tests can
still write to theirs and no two processes open the same DuckDB file.
"""

from __future__ import annotations

import fcntl
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from metricmind.demo.build import build_demo
from metricmind.project import Project


def _shared_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder every worker of this run shares: the parent of the workers' base folders under xdist."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if base.name.startswith("popen-gw") else base
    folder = root / "shared-builds"
    folder.mkdir(exist_ok=True)
    return folder


def built_once(
    tmp_path_factory: pytest.TempPathFactory, key: str, name: str, make: Callable[[Path], object]
) -> Path:
    """``make(folder)``'s project, built once per run at a shared ``.../key/name`` (read it, never write it)."""
    root = _shared_root(tmp_path_factory)
    done = root / key / name
    with (root / f"{key}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not done.exists():
                building = root / f"{key}.building"
                shutil.rmtree(building, ignore_errors=True)
                building.mkdir()
                make(building / name)
                if (root / key).exists():  # the same build asked for under another folder name
                    (building / name).rename(done)
                    building.rmdir()
                else:
                    building.rename(root / key)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return done


def shared_copy(
    tmp_path_factory: pytest.TempPathFactory, key: str, make: Callable[[Path], object], target: Path
) -> Path:
    """A private copy at ``target`` of ``make``'s project, built once per run (as ``make(target)`` leaves it)."""
    shutil.copytree(built_once(tmp_path_factory, key, target.name, make), target)
    return target


@contextmanager
def loaded_copy(
    tmp_path_factory: pytest.TempPathFactory, key: str, make: Callable[[Path], object]
) -> Iterator[Project]:
    """A private copy of the sample project ``make`` builds (once per run, under ``key``), loaded."""
    target = tmp_path_factory.mktemp(key) / key
    with Project.load(shared_copy(tmp_path_factory, key, make, target)) as project:
        yield project


def demo_copy(
    tmp_path_factory: pytest.TempPathFactory,
    target: Path,
    *,
    scale: int,
    end_date: str,
    seed: int = 42,
    threads: int | None = None,
) -> Path:
    """A private copy at ``target`` of the demo built once per run with these settings."""

    def make(folder: Path) -> None:
        build_demo(folder, scale=scale, end_date=end_date, seed=seed, threads=threads)

    return shared_copy(tmp_path_factory, f"demo-s{scale}-e{end_date}-r{seed}-t{threads or 0}", make, target)
