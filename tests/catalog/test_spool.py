"""Runs made while the catalog store is closed are spooled and counted once when it opens."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

from typer.testing import CliRunner

from metricmind.catalog.spool import RELATIVE_PATH, Spool
from metricmind.interfaces.cli.app import app
from metricmind.project import Execution, Project
from metricmind.spec.query import MetricQuery


def _execution(metric: str = "mrr") -> Execution:
    query = MetricQuery.build([metric], ["customer__segment"])
    now = dt.datetime.now(dt.timezone.utc)
    return Execution(query, "SELECT 1", now, 12.5, 4, None, "ana", "cli")


def test_append_drain_and_torn_lines(tmp_path: Path) -> None:
    spool = Spool.of(tmp_path)
    assert not spool.pending() and spool.drain(lambda runs: None) == 0
    spool.append(_execution())
    with open(spool.path, "ab") as fh:
        fh.write(b'{"id": "torn", "at": ')  # a writer that died mid-line
    spool.append(_execution("arr"))
    seen: list[str] = []
    assert spool.drain(lambda runs: seen.extend(r.metrics[0] for r in runs)) == 2
    assert seen == ["mrr", "arr"] and not spool.pending()


def test_a_failed_recorder_keeps_the_spool(tmp_path: Path) -> None:
    spool = Spool.of(tmp_path)
    spool.append(_execution())
    before = spool.path.read_bytes()

    def boom(runs: object) -> None:
        raise OSError("store down")

    try:
        spool.drain(boom)
    except OSError:
        pass
    assert spool.path.read_bytes() == before


def test_cli_runs_are_counted_once_when_the_catalog_opens(shop_dir: Path, tmp_path: Path) -> None:
    root = tmp_path / "shop"
    shutil.copytree(shop_dir, root, ignore=shutil.ignore_patterns(".metricmind"))
    runner = CliRunner()
    for _ in range(3):
        result = runner.invoke(app, ["query", "-p", str(root), "--metrics", "revenue", "--format", "json"])
        assert result.exit_code == 0, result.stderr
    assert len((root / RELATIVE_PATH).read_text().splitlines()) == 3
    with Project.load(root) as project:
        assert project.catalog.usage_counts().get("revenue") == 3
        assert not Spool.of(root).pending()
        project.query("revenue")  # with the store open, recorded directly
        assert project.catalog.usage_counts()["revenue"] == 4
        assert not Spool.of(root).pending()
    # a crash after the store's commit but before the spool was emptied: the same lines again
    Spool.of(root).append(_execution("revenue"))
    saved = (root / RELATIVE_PATH).read_bytes()
    with Project.load(root) as project:
        assert project.catalog.usage_counts()["revenue"] == 5
    (root / RELATIVE_PATH).write_bytes(saved)
    with Project.load(root) as project:
        assert project.catalog.ingest_spool() == 0
        assert project.catalog.usage_counts()["revenue"] == 5


def test_a_read_only_project_still_answers(shop_dir: Path, tmp_path: Path) -> None:
    root = tmp_path / "shop"
    shutil.copytree(shop_dir, root, ignore=shutil.ignore_patterns(".metricmind"))
    (root / ".metricmind").mkdir()
    os.chmod(root / ".metricmind", 0o500)
    try:
        with Project.load(root) as project:
            if os.access(root / ".metricmind", os.W_OK):  # root ignores permissions
                return
            assert project.query("revenue").rows
    finally:
        os.chmod(root / ".metricmind", 0o700)
