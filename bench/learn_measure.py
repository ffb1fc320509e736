"""Measure the arms of the simulator on a built demo: plain, result-cache and rollup latencies, rows.

For each query shape of the demo's mix (metrics × group-bys × grains) it runs the compiled SQL on a
copy of the DuckDB warehouse ``--runs`` times (the first, cold run included), times the result cache's
lookup and store (:class:`metricmind.learn.cache.ResultCache`) the same number of times, and for each
rollup grain (day, month) at or below the shape's grain builds the rollup (the metric by
``metric_time__<grain>`` and the shape's other group-bys), times the re-aggregating query on it
(``SUM`` by the coarser grain) and records whether its rows EQUAL the plain rows — the rollup answers
the shape exactly or not (ratios, distinct counts, windows do not). For the other factors it also
times compiling each shape against fetching a skill's plan from a memory store (the skill arms), for
shapes grouped by a dimension reached along a longer join path (``subscription__customer__segment``)
the ``shortest`` equivalent reading and whether its rows equal (the join-path arms), and for each
exact day rollup its build and read times materialized as a table, a view, an incremental refresh of
the last 7 days and ephemeral (inlined), with whether each answers equal rows (the nightly
materialization decision). Every sample is kept: the
simulator draws from them (real noise, not made-up constants). Writes the table to
``metricmind/learn/data/arms.json`` (or ``--out``).

    .venv/bin/metricmind demo --dir /tmp/learn_demo --scale 20000 --end-date 2026-06-30
    .venv/bin/python bench/learn_measure.py --demo-dir /tmp/learn_demo [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import duckdb

from metricmind.errors import MetricmindError
from metricmind.learn.cache import ResultCache
from metricmind.learn.joinpath import variants
from metricmind.learn.memory import Episode, Memory
from metricmind.learn.safety import same_answer
from metricmind.learn.skills import plans
from metricmind.project import Project
from metricmind.project.learning import pattern_of
from metricmind.spec.query import MetricQuery

OUT = Path(__file__).resolve().parents[1] / "metricmind" / "learn" / "data" / "arms.json"
GRAINS = ("day", "week", "month", "quarter", "year")
ROLLUP_GRAINS = ("day", "month")
ORDER = {g: i for i, g in enumerate(GRAINS)}


def shapes(project: Project, limit: int) -> list[tuple[str, list[str]]]:
    """Metric × group-by shapes: no group-by, each time grain, the metric's first categorical, and
    its first categorical reached along a longer join path than needed (a join-path choice)."""
    found: list[tuple[str, list[str]]] = []
    for metric in project.metrics()[:limit]:
        found.append((metric.name, []))
        found.extend((metric.name, [f"metric_time__{g}"]) for g in GRAINS)
        cats = [d.name for d in project.dimensions(metric.name) if d.type == "categorical"]
        if cats:
            found.append((metric.name, [cats[0]]))
            found.append((metric.name, ["metric_time__month", cats[0]]))
        longer = next(
            (
                c
                for c in cats
                if len(variants(project.model, project.graph, MetricQuery.build(metric.name, c))) > 1
            ),
            None,
        )
        if longer:
            found.append((metric.name, [longer]))
            found.append((metric.name, ["metric_time__month", longer]))
    return found


def timed(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[float, list[tuple[Any, ...]]]:
    """Milliseconds and rows of one run."""
    t0 = time.perf_counter()
    rows = con.execute(sql).fetchall()
    return (time.perf_counter() - t0) * 1000, rows


def rollup(
    project: Project,
    con: duckdb.DuckDBPyConnection,
    metric: str,
    group_by: list[str],
    grain: str,
    plain: list[tuple[Any, ...]],
    runs: int,
) -> dict[str, Any]:
    """Build the ``grain`` rollup for the shape, time the query on it, and compare its rows."""
    time_dims = [g for g in group_by if g.startswith("metric_time__")]
    others = [g for g in group_by if g not in time_dims]
    source = project.compile(MetricQuery.build([metric], [f"metric_time__{grain}", *others]))
    t0 = time.perf_counter()
    con.execute(f"CREATE OR REPLACE TEMP TABLE roll AS {source}")
    build_ms = (time.perf_counter() - t0) * 1000
    keys = [f'"{d}"' for d in others]
    if time_dims:
        shape_grain = time_dims[0].rsplit("__", 1)[1]
        keys.insert(0, f"DATE_TRUNC('{shape_grain}', \"metric_time__{grain}\")")
    select = ", ".join([*keys, f'SUM("{metric}")'])
    sql = f"SELECT {select} FROM roll" + (" GROUP BY ALL" if keys else "")
    samples, rows = [], []
    for _ in range(runs):
        ms, rows = timed(con, sql)
        samples.append(round(ms, 3))
    out = {"grain": grain, "exact": same_answer(plain, rows), "build_ms": round(build_ms, 3), "ms": samples}
    if grain == "day" and out["exact"]:
        out["materializations"] = materializations(con, source, sql, plain, runs)
    return out


def materializations(
    con: duckdb.DuckDBPyConnection, source: str, read: str, plain: list[tuple[Any, ...]], runs: int
) -> dict[str, Any]:
    """Build and read times of the day rollup as a table, a view, an incremental refresh, ephemeral."""
    out: dict[str, Any] = {}
    day = '"metric_time__day"'
    for kind in ("table", "view", "incremental", "ephemeral"):
        builds, reads, rows = [], [], []
        for _ in range(runs):
            drop(con)
            if kind == "incremental":  # last night's table, then only the last 7 days recomputed
                con.execute(f"CREATE TABLE roll_m AS {source}")
                t0 = time.perf_counter()
                found = con.execute(f"SELECT MAX({day}) - INTERVAL 7 DAY FROM roll_m").fetchone()
                cut = found[0] if found else None
                con.execute(f"DELETE FROM roll_m WHERE {day} >= ?", [cut])
                con.execute(f"INSERT INTO roll_m SELECT * FROM ({source}) AS s WHERE {day} >= ?", [cut])
            else:
                t0 = time.perf_counter()
                if kind == "table":
                    con.execute(f"CREATE TABLE roll_m AS {source}")
                elif kind == "view":
                    con.execute(f"CREATE VIEW roll_m AS {source}")
            builds.append(round((time.perf_counter() - t0) * 1000, 3))
            query = read.replace("FROM roll", "FROM roll_m")
            if kind == "ephemeral":
                query = f"WITH roll_m AS ({source}) {query}"
            ms, rows = timed(con, query)
            reads.append(round(ms, 3))
        out[kind] = {"build_ms": builds, "read_ms": reads, "exact": same_answer(plain, rows)}
    drop(con)
    return out


def drop(con: duckdb.DuckDBPyConnection) -> None:
    """Remove the measured rollup, whichever kind it was kept as."""
    for kind in ("VIEW", "TABLE"):
        try:
            con.execute(f"DROP {kind} IF EXISTS roll_m")
        except duckdb.Error:
            continue


def skill_samples(project: Project, memory: Memory, query: MetricQuery, sql: str, runs: int) -> list[float]:
    """Milliseconds to fetch the shape's plan from a skill in the memory store (made first)."""
    pattern = pattern_of(query)
    memory.record_many(
        [
            Episode(
                True, query=query.to_dict(), pattern=pattern, sql=sql, action={"model": "m"}, elapsed_ms=1.0
            )
            for _ in range(3)
        ]
    )
    memory.consolidate()
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        found = plans(memory, [pattern], "m")
        out.append(round((time.perf_counter() - t0) * 1000, 4))
        assert found and found[0].sql == sql
    return out


def measure(
    project: Project,
    con: duckdb.DuckDBPyConnection,
    memory: Memory,
    metric: str,
    group_by: list[str],
    runs: int,
) -> dict[str, Any] | None:
    """Samples of one shape, or None when the demo cannot answer it."""
    query = MetricQuery.build([metric], group_by or None)
    compile_ms = []
    try:
        for _ in range(runs):
            t0 = time.perf_counter()
            sql = project.compile(query)
            compile_ms.append(round((time.perf_counter() - t0) * 1000, 4))
    except MetricmindError:
        return None
    plain: list[float] = []
    rows: list[tuple[Any, ...]] = []
    for i in range(runs):
        ms, rows = timed(con, sql)
        plain.append(round(ms, 3))
        if i == 0 and ms > 2000:
            runs = min(runs, 3)  # slow shapes: fewer samples
    columns = [d[0] for d in con.description or []]
    cache = ResultCache()
    put, hit = [], []
    for i in range(runs):
        t0 = time.perf_counter()
        cache.put(sql, f"v{i}", columns, rows, plain[0])
        put.append(round((time.perf_counter() - t0) * 1000, 4))
        t0 = time.perf_counter()
        found = cache.get(sql, f"v{i}")
        assert found is not None and same_answer(list(found.rows), rows)
        hit.append(round((time.perf_counter() - t0) * 1000, 4))
    grain = next((g.rsplit("__", 1)[1] for g in group_by if g.startswith("metric_time__")), None)
    rollups = []
    for r in ROLLUP_GRAINS:
        if grain is None or ORDER[grain] >= ORDER[r]:
            try:
                rollups.append(rollup(project, con, metric, group_by, r, rows, runs))
            except (MetricmindError, duckdb.Error):
                continue  # the metric has no data at that grain: no rollup of it there
    joins = {}
    for variant in variants(project.model, project.graph, query)[1:]:
        samples, got = [], []
        alt = project.compile(variant.query)
        for _ in range(runs):
            ms, got = timed(con, alt)
            samples.append(round(ms, 3))
        joins[variant.label] = {
            "group_by": list(variant.query.group_by),
            "ms": samples,
            "exact": same_answer(rows, got),
            "hops_saved": variant.hops,
        }
    return {
        "metric": metric,
        "group_by": group_by,
        "rows": len(rows),
        "compile_ms": compile_ms,
        "skill_ms": skill_samples(project, memory, query, sql, runs),
        "joins": joins,
        "plain_ms": plain,
        "cache_put_ms": put,
        "cache_hit_ms": hit,
        "rollups": rollups,
    }


def main() -> None:
    """Measure every shape and write the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo-dir", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--metrics", type=int, default=43)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    project = Project.load(args.demo_dir)
    scratch = Path(tempfile.mkdtemp()) / "warehouse.duckdb"
    shutil.copyfile(project._warehouse_path(), scratch)  # a copy: the rollups are temp tables in it
    con = duckdb.connect(str(scratch))
    memory = Memory.open(f"sqlite:///{scratch.parent / 'memory.db'}", semantic=False)
    table = []
    for metric, group_by in shapes(project, args.metrics):
        row = measure(project, con, memory, metric, group_by, args.runs)
        if row is not None:
            table.append(row)
            exact = [r["grain"] for r in row["rollups"] if r["exact"]]
            joins = {k: (min(v["ms"]), v["exact"]) for k, v in row["joins"].items()}
            print(metric, group_by, row["rows"], min(row["plain_ms"]), exact, joins, flush=True)
    con.close()
    memory.close()
    shutil.rmtree(scratch.parent)
    meta = {
        "demo": str(args.demo_dir),
        "runs": args.runs,
        "machine": platform.machine(),
        "python": platform.python_version(),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    args.out.write_text(json.dumps({"meta": meta, "shapes": table}, indent=1) + "\n")
    print(f"{len(table)} shapes → {args.out}")


if __name__ == "__main__":
    main()
