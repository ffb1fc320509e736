"""Demo builds shared by every xdist worker of one test run: built once per settings, then copied.

``build_demo`` is deterministic (same scale, end date, seed: same files and rows, checked by
``tests/demo/test_build.py``), and a built demo holds no absolute path, so a copy of a build is the same
project as a fresh build in the copy's place. A test run builds each distinct demo once, under a file
lock in the run's shared temporary folder (xdist workers' base folders are siblings in it), and each
fixture gets its own copy, so tests can still write to theirs.
"""

from __future__ import annotations

import fcntl
import shutil
from pathlib import Path

import pytest

from metricmind.demo.build import build_demo


def _shared_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder every worker of this run shares: the parent of the workers' base folders under xdist."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if base.name.startswith("popen-gw") else base
    folder = root / "shared-demos"
    folder.mkdir(exist_ok=True)
    return folder


def built_demo(
    tmp_path_factory: pytest.TempPathFactory,
    *,
    scale: int,
    end_date: str,
    seed: int = 42,
    threads: int | None = None,
) -> Path:
    """The demo with these settings, built once for the whole run (read it, never write it: copy it)."""
    root = _shared_root(tmp_path_factory)
    key = f"s{scale}-e{end_date}-r{seed}-t{threads or 0}"
    done = root / key / "demo"
    with (root / f"{key}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not done.exists():
                building = root / f"{key}.building"
                shutil.rmtree(building, ignore_errors=True)
                build_demo(building / "demo", scale=scale, end_date=end_date, seed=seed, threads=threads)
                building.rename(root / key)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return done


def demo_copy(
    tmp_path_factory: pytest.TempPathFactory,
    target: Path,
    *,
    scale: int,
    end_date: str,
    seed: int = 42,
    threads: int | None = None,
) -> Path:
    """A private copy at ``target`` of the shared build with these settings (as ``build_demo`` leaves it)."""
    source = built_demo(tmp_path_factory, scale=scale, end_date=end_date, seed=seed, threads=threads)
    shutil.copytree(source, target)
    return target
