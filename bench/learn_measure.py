"""Measure the arms of the simulator on a built demo: plain, result-cache and rollup latencies, rows.

For each query shape of the demo's mix (metrics × group-bys × grains) it runs the compiled SQL on a
copy of the DuckDB warehouse ``--runs`` times (the first, cold run included), times the result cache's
lookup and store (:class:`metricmind.learn.cache.ResultCache`) the same number of times, and for each
rollup grain (day, month) at or below the shape's grain builds the rollup (the metric by
``metric_time__<grain>`` and the shape's other group-bys), times the re-aggregating query on it
(``SUM`` by the coarser grain) and records whether its rows EQUAL the plain rows — the rollup answers
the shape exactly or not (ratios, distinct counts, windows do not). Every sample is kept: the
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
from metricmind.learn.safety import same_answer
from metricmind.project import Project
from metricmind.spec.query import MetricQuery

OUT = Path(__file__).resolve().parents[1] / "metricmind" / "learn" / "data" / "arms.json"
GRAINS = ("day", "week", "month", "quarter", "year")
ROLLUP_GRAINS = ("day", "month")
ORDER = {g: i for i, g in enumerate(GRAINS)}


def shapes(project: Project, limit: int) -> list[tuple[str, list[str]]]:
    """Metric × group-by shapes: no group-by, each time grain, and the metric's first categorical."""
    found: list[tuple[str, list[str]]] = []
    for metric in project.metrics()[:limit]:
        found.append((metric.name, []))
        found.extend((metric.name, [f"metric_time__{g}"]) for g in GRAINS)
        cats = [d.name for d in project.dimensions(metric.name) if d.type == "categorical"]
        if cats:
            found.append((metric.name, [cats[0]]))
            found.append((metric.name, ["metric_time__month", cats[0]]))
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
    return {"grain": grain, "exact": same_answer(plain, rows), "build_ms": round(build_ms, 3), "ms": samples}


def measure(
    project: Project, con: duckdb.DuckDBPyConnection, metric: str, group_by: list[str], runs: int
) -> dict[str, Any] | None:
    """Samples of one shape, or None when the demo cannot answer it."""
    query = MetricQuery.build([metric], group_by or None)
    try:
        sql = project.compile(query)
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
    return {
        "metric": metric,
        "group_by": group_by,
        "rows": len(rows),
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
    table = []
    for metric, group_by in shapes(project, args.metrics):
        row = measure(project, con, metric, group_by, args.runs)
        if row is not None:
            table.append(row)
            exact = [r["grain"] for r in row["rollups"] if r["exact"]]
            print(metric, group_by, row["rows"], min(row["plain_ms"]), exact, flush=True)
    con.close()
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
