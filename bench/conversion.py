"""What keeping NULL-valued conversion events costs: conversion metrics on the demo with and without
the pre-filter that once dropped them.

Conversion events whose measure value is NULL used to be dropped before matching (``val IS NOT NULL`` in
the events step): fewer rows to sort, but a period whose base events converted only into NULL values then
had no conversion count at all (a NULL rate instead of MetricFlow's 0.0). This script compiles each
conversion metric of the demo (by month, and by month and a base dimension), derives the old statement by
adding that condition back, runs both several times in turns on one DuckDB file and prints the medians, the
ratio (now / with the pre-filter) and whether the rows are the same.

    .venv/bin/python bench/conversion.py [--scale 60000] [--runs 5] [--dir DIR]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import sqlglot
from sqlglot import exp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from metricmind.demo.build import build_demo
from metricmind.project import Project
from metricmind.spec.model import MetricType
from metricmind.spec.query import MetricQuery


def with_prefilter(sql: str) -> str:
    """``sql`` with ``<value> IS NOT NULL`` added to every conversion events step (the old pre-filter)."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    for cte in tree.find_all(exp.CTE):
        if not cte.alias.endswith("_events"):
            continue
        select = cte.this
        value = next(e for e in select.expressions if e.alias == "val").this
        select.where(exp.Not(this=exp.Is(this=value.copy(), expression=exp.Null())), copy=False)
    return tree.sql(dialect="duckdb")


def timed(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[float, list[tuple[object, ...]]]:
    started = time.perf_counter()
    rows = con.execute(sql).fetchall()
    return (time.perf_counter() - started) * 1000, rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=int, default=60000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dir", type=Path, default=None, help="reuse a demo built here")
    args = parser.parse_args(argv)
    root = args.dir or Path(tempfile.mkdtemp(prefix="mm_conv_")) / "demo"
    warehouse = root / "target" / "warehouse.duckdb"
    if not warehouse.exists():
        build_demo(root, scale=args.scale, end_date="2026-06-30", seed=7, threads=2)
    with Project.load(root) as project:
        names = sorted(n for n, m in project.model.metrics.items() if m.type is MetricType.CONVERSION)
        queries = []
        for name in names:
            dims = [d.name for d in project.dimensions(name) if d.type == "categorical"][:1]
            queries.append(MetricQuery.build(name, ["metric_time__month"]))
            queries += [MetricQuery.build(name, ["metric_time__month", *dims])] if dims else []
        statements = [(q, project.compile(q, pretty=False)) for q in queries]
    con = duckdb.connect(str(warehouse), read_only=True)
    print(f"{'query':60} {'now ms':>9} {'prefilter ms':>13} {'ratio':>6}  same rows")
    for query, sql in statements:
        old = with_prefilter(sql)
        timed(con, sql), timed(con, old)  # warm-up
        now_ms, old_ms = [], []
        for _ in range(args.runs):
            ms, now_rows = timed(con, sql)
            now_ms.append(ms)
            ms, old_rows = timed(con, old)
            old_ms.append(ms)
        a, b = statistics.median(now_ms), statistics.median(old_ms)
        label = f"{query.metrics[0]} by {', '.join(query.group_by)}"
        same = sorted(map(repr, now_rows)) == sorted(map(repr, old_rows))
        print(f"{label[:60]:60} {a:9.0f} {b:13.0f} {a / b:6.2f}  {same}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
