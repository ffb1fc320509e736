"""``metricmind backup`` / ``restore``: every store round trip SQLite→SQLite, SQLite→PG, PG→SQLite."""

from __future__ import annotations

import gzip
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from metricmind.interfaces.cli.app import app
from metricmind.learn.memory import Episode, Memory
from metricmind.project import Project
from metricmind.storage import backup as archive
from metricmind.storage import make_engine
from tests.knowledge import workload

runner = CliRunner()


def cli(*args: str, code: int = 0) -> Any:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result


def fill(project_dir: Path, url: str, tmp_path: Path) -> None:
    """Put something in every store: users, runs and usage, the query log and graph, memory."""
    p = str(project_dir)
    with Project.load(project_dir) as project:
        project.catalog.add_user("rita", "approver")
        for group in ("metric_time__month", "customer__segment"):
            project.query("mrr", group)
    cli("querylog", "ingest", "--file", str(workload.write(tmp_path / "month.jsonl")), "-p", p)
    memory = Memory.open(url)
    try:
        episode = Episode(
            question="mrr by month",
            query={"metrics": ["mrr"]},
            pattern="mrr|metric_time__month",
            sql="select 1",
            success=True,
            elapsed_ms=3.5,
        )
        for _ in range(3):
            memory.record(episode)
        memory.consolidate(min_successes=3)
        memory.save_checkpoint("policy", 3, {"arms": {"none": [1.0, 2.0]}})
    finally:
        memory.close()


def contents(url: str) -> dict[str, list[list[Any]]]:
    """Every table's rows, as the archive writes them (a dump through a fresh backup)."""
    engine = make_engine(url)
    out = Path(tempfile.mkdtemp()) / "dump.jsonl"
    try:
        archive.backup(engine, out)
    finally:
        engine.dispose()
    rows: dict[str, list[list[Any]]] = {}
    for line in out.read_text().splitlines()[1:-1]:
        item = json.loads(line)
        rows.setdefault(item["t"], []).append(item["r"])
    out.unlink()
    return rows


def sqlite_url(folder: Path) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'store.db'}"


@pytest.mark.parametrize("route", ["sqlite-sqlite", "sqlite-postgres", "postgres-sqlite"])
def test_round_trip(
    route: str,
    demo_copy: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    source_kind, target_kind = route.split("-")
    source = (
        sqlite_url(tmp_path / "src") if source_kind == "sqlite" else request.getfixturevalue("postgres_url")
    )
    target = (
        sqlite_url(tmp_path / "dst") if target_kind == "sqlite" else request.getfixturevalue("postgres_url")
    )
    monkeypatch.setenv("METRICMIND_STORE_URL", source)
    fill(demo_copy, source, tmp_path)
    before = contents(source)
    filled = {t for t, rows in before.items() if rows}
    assert {
        "cat_users",
        "cat_executions",
        "cat_definitions",
        "kg_query_log",
        "kg_nodes",
        "kg_edges",
    } <= filled
    assert {"learn_episodes", "learn_skills", "learn_checkpoints"} <= filled

    file = tmp_path / "store.jsonl.gz"
    made = json.loads(cli("backup", str(file), "-p", str(demo_copy), "--json").stdout)
    assert made["rows"] == sum(len(r) for r in before.values())
    header = json.loads(gzip.open(file, "rt").readline())
    assert header["format"] == "metricmind-backup" and header["version"] == 1 and header["revisions"]

    done = json.loads(cli("restore", str(file), "-p", str(demo_copy), "--store", target, "--json").stdout)
    assert done["rows"] == made["rows"]
    assert contents(target) == before
    # the restored store serves: users sign in, new rows get fresh ids, the memory answers
    monkeypatch.setenv("METRICMIND_STORE_URL", target)
    with Project.load(demo_copy) as project:
        assert [u["name"] for u in project.catalog.users()] == ["rita"]
        project.query("mrr")  # a new execution after the restored ones (the sequence moved on)
        assert project.catalog.usage("mrr")["total"] >= 3
    memory = Memory.open(target)
    try:
        assert memory.load_checkpoint("policy") is not None and memory.skills()
    finally:
        memory.close()


def test_restore_refuses_a_non_empty_store_and_is_all_or_nothing(
    demo_copy: Path, tmp_path: Path, postgres_url: str
) -> None:
    source = sqlite_url(tmp_path / "src")
    engine = make_engine(source)
    memory = Memory.open(source)
    memory.save_checkpoint("policy", 1, {"a": 1})
    memory.close()
    file = tmp_path / "a.jsonl"
    cli("backup", str(file), "-p", str(demo_copy), "--store", source)
    # a target with rows of its own
    cli("restore", str(file), "-p", str(demo_copy), "--store", postgres_url)
    before = contents(postgres_url)
    refused = cli("restore", str(file), "-p", str(demo_copy), "--store", postgres_url, code=2)
    assert "not empty" in refused.output and "--force" in refused.output
    # a damaged archive: a row that breaks a constraint at the very end, after every other row loaded
    lines = file.read_text().splitlines()
    dup = next(line for line in lines[1:-1] if json.loads(line)["t"] == "learn_checkpoints")
    end = json.loads(lines[-1])
    end["rows"]["learn_checkpoints"] += 1
    broken = tmp_path / "broken.jsonl"
    broken.write_text("\n".join([*lines[:-1], dup, json.dumps(end)]) + "\n")
    failed = cli("restore", str(broken), "-p", str(demo_copy), "--store", postgres_url, "--force", code=2)
    assert "Nothing was changed" in failed.output, failed.output
    assert contents(postgres_url) == before
    # truncated: refused before anything is written
    (tmp_path / "cut.jsonl").write_text("\n".join(lines[:-1]) + "\n")
    cut = cli(
        "restore",
        str(tmp_path / "cut.jsonl"),
        "-p",
        str(demo_copy),
        "--store",
        postgres_url,
        "--force",
        code=2,
    )
    assert "truncated" in cut.output
    assert contents(postgres_url) == before
    # --force replaces
    cli("restore", str(file), "-p", str(demo_copy), "--store", postgres_url, "--force")
    assert contents(postgres_url) == before
    engine.dispose()


def test_a_newer_archive_is_refused(demo_copy: Path, tmp_path: Path) -> None:
    file = tmp_path / "new.jsonl"
    header = {"format": "metricmind-backup", "version": 1, "revisions": ["zz_future"], "tables": {}}
    file.write_text(json.dumps(header) + "\n" + json.dumps({"end": True, "rows": {}}) + "\n")
    out = cli("restore", str(file), "-p", str(demo_copy), "--store", sqlite_url(tmp_path / "t"), code=2)
    assert "newer metricmind" in out.output
    with pytest.raises(sa.exc.OperationalError):  # nothing was created
        with make_engine(sqlite_url(tmp_path / "t")).connect() as conn:
            conn.execute(sa.text("SELECT * FROM cat_users"))
