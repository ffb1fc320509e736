"""Measure the hint arm for the simulator's table: plain vs hinted (``/*+ BROADCAST(…) */``) latency of
the recorded shapes on a local Spark, written into ``metricmind/learn/data/arms.json``.

For each shape of the recorded table (metric × group-by) whose Spark plan has a join the hint rewriter
hints (:func:`metricmind.learn.hints.broadcast`, the entity rule the learned path uses), in a seeded
order until ``--budget-s`` is spent: one warm-up of each plan, then ``--runs`` runs of each, plain and
hinted alternating, every run's rows compared with the plain rows (a shape whose rows differ is recorded
``exact: false`` and never offered the arm); also the hint rewrite's own time (``rewrite_ms``). Spark
Connect server as in the test suite (``local[2]``, 768 MB, two shuffle partitions, Parquet tables) with
Spark's defaults. Each measured shape gets ``"hints": {"plain_ms", "hinted_ms", "rewrite_ms",
"broadcast", "rows", "exact"}``; the table's ``meta.hints`` says where and when.

    .venv/bin/python bench/learn_measure_hints.py --project /root/.metricmind/demo --runs 3 --budget-s 900
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from metricmind.errors import MetricmindError
from metricmind.learn import hints
from metricmind.learn.safety import same_answer
from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from metricmind.testing.spark import SparkConnectServer, load_duckdb
from metricmind.warehouse.spark import SparkWarehouse

TABLE = Path(__file__).resolve().parent.parent / "metricmind" / "learn" / "data" / "arms.json"


def _time(spark: SparkWarehouse, sql: str) -> tuple[float, list[tuple[object, ...]]]:
    t0 = time.perf_counter()
    result = spark.run(sql)
    return round((time.perf_counter() - t0) * 1000, 3), [tuple(r) for r in result.rows]


def measure_shape(
    spark: SparkWarehouse, project: Project, row: dict[str, Any], small: frozenset[str], runs: int
) -> dict[str, Any] | None:
    """The hint samples of one recorded shape, or None when its plan has nothing to hint."""
    query = MetricQuery.build([row["metric"]], row["group_by"] or None)
    try:
        plain_sql = project.compile(query, "spark")
    except MetricmindError:
        return None
    rewrite_ms: list[float] = []
    hinted = None
    for _ in range(runs):
        t0 = time.perf_counter()
        hinted = hints.broadcast(plain_sql, "spark", small)
        rewrite_ms.append(round((time.perf_counter() - t0) * 1000, 4))
    if hinted is None:
        return None
    _, want = _time(spark, plain_sql)
    _, _ = _time(spark, hinted.sql)
    plain_ms: list[float] = []
    hinted_ms: list[float] = []
    exact = True
    for i in range(runs):
        for sql, into in ((plain_sql, plain_ms), (hinted.sql, hinted_ms))[:: 1 if i % 2 == 0 else -1]:
            ms, rows = _time(spark, sql)
            into.append(ms)
            exact = exact and same_answer(want, rows)
    return {
        "plain_ms": plain_ms,
        "hinted_ms": hinted_ms,
        "rewrite_ms": rewrite_ms,
        "broadcast": list(hinted.broadcast),
        "rows": len(want),
        "exact": exact,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", default="/root/.metricmind/demo", help="a built demo project")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--budget-s", type=float, default=900.0, help="stop measuring after this many seconds"
    )
    parser.add_argument("--seed", type=int, default=0, help="the order shapes are measured in")
    parser.add_argument("--table", type=Path, default=TABLE)
    args = parser.parse_args(argv)
    project = Project.load(Path(args.project))
    table = json.loads(args.table.read_text())
    order = list(range(len(table["shapes"])))
    random.Random(args.seed).shuffle(order)
    small = hints.small_relations(project.model, "spark")
    measured = skipped = 0
    load_before = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory(prefix="hints-") as folder, SparkConnectServer() as server:
        load_duckdb(project.root / "target" / "warehouse.duckdb", server.url, Path(folder))
        with SparkWarehouse(server.url, read_only=True) as spark:
            start = time.perf_counter()
            for i in order:
                if time.perf_counter() - start > args.budget_s:
                    break
                row = table["shapes"][i]
                row.pop("hints", None)
                try:
                    got = measure_shape(spark, project, row, small, args.runs)
                except MetricmindError as exc:
                    print(f"skipped {row['metric']} by {row['group_by']}: {exc}", flush=True)
                    got = None
                if got is None:
                    skipped += 1
                    continue
                row["hints"] = got
                measured += 1
                print(
                    f"{measured}: {row['metric']} by {row['group_by']}: {got['plain_ms']} → {got['hinted_ms']}",
                    flush=True,
                )
                args.table.write_text(json.dumps(table, indent=1) + "\n")
    table["meta"]["hints"] = {
        "demo": str(args.project),
        "warehouse": "spark local[2], 768 MB, 2 shuffle partitions, Spark defaults",
        "runs": args.runs,
        "shapes": measured,
        "measured_at": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "load_average_before_after": [load_before, [round(x, 2) for x in os.getloadavg()]],
    }
    args.table.write_text(json.dumps(table, indent=1) + "\n")
    print(json.dumps(table["meta"]["hints"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
