"""Plain vs hinted (``/*+ BROADCAST(…) */``) latency of demo queries on a local Spark.

Starts a Spark Connect server (``local[2]``, the test suite's settings), copies the demo's tables into
it as Parquet, and for each query runs the plain plan and the hinted plan alternately (``--runs`` each,
after one warm-up of each), checking the rows are equal. Two sessions: Spark's defaults (it broadcasts
a relation it knows is under 10 MB on its own, and adaptive execution may switch at run time), and one
where Spark does not broadcast on its own (``autoBroadcastJoinThreshold=-1``: as with tables whose
size it does not know). Prints JSON with the medians and the load average.

    .venv/bin/python bench/hints.py --project /root/.metricmind/demo --runs 7
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from metricmind.learn import hints
from metricmind.learn.safety import same_answer
from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from metricmind.testing.spark import SparkConnectServer, load_duckdb
from metricmind.warehouse.spark import SparkWarehouse

QUERIES = [
    MetricQuery.build("invoice_revenue", ["metric_time__month", "customer__segment"]),
    MetricQuery.build("invoice_revenue", ["metric_time__month", "subscription__customer__segment"]),
    MetricQuery.build("events", "user__customer__region"),
    MetricQuery.build("events", ["metric_time__month", "user__role"]),
    MetricQuery.build("arpa", ["metric_time__month", "customer__segment"]),
]


def _time(spark: SparkWarehouse, sql: str) -> tuple[float, list[tuple[object, ...]]]:
    t0 = time.perf_counter()
    result = spark.run(sql)
    return (time.perf_counter() - t0) * 1000, [tuple(r) for r in result.rows]


def measure(spark: SparkWarehouse, project: Project, runs: int) -> list[dict[str, object]]:
    small = hints.small_relations(project.model, "spark")
    out: list[dict[str, object]] = []
    for query in QUERIES:
        plain_sql = project.compile(query, "spark")
        hinted = hints.broadcast(plain_sql, "spark", small)
        if hinted is None:
            continue
        _, want = _time(spark, plain_sql)
        _, got = _time(spark, hinted.sql)
        plain_ms: list[float] = []
        hinted_ms: list[float] = []
        for i in range(runs):
            for sql, into in ((plain_sql, plain_ms), (hinted.sql, hinted_ms))[:: 1 if i % 2 == 0 else -1]:
                ms, rows = _time(spark, sql)
                into.append(ms)
                if not same_answer(want, rows):
                    raise SystemExit(f"different rows for {query.to_dict()}")
        out.append(
            {
                "query": ", ".join(query.metrics) + " by " + ", ".join(query.group_by),
                "broadcast": list(hinted.broadcast),
                "rows": len(want),
                "equal_rows": same_answer(want, got),
                "plain_median_ms": round(statistics.median(plain_ms), 1),
                "hinted_median_ms": round(statistics.median(hinted_ms), 1),
            }
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", default="/root/.metricmind/demo", help="a built demo project")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    project = Project.load(Path(args.project))
    with tempfile.TemporaryDirectory(prefix="hints-") as folder, SparkConnectServer() as server:
        load_duckdb(project.root / "target" / "warehouse.duckdb", server.url, Path(folder))
        report: dict[str, object] = {"project": str(args.project), "runs": args.runs}
        for label, conf in (
            ("spark_defaults", {}),
            ("no_auto_broadcast", {"spark.sql.autoBroadcastJoinThreshold": "-1"}),
        ):
            with SparkWarehouse(server.url, read_only=True, conf=conf) as spark:
                report[label] = measure(spark, project, args.runs)
        report["load_average"] = [round(x, 2) for x in os.getloadavg()]
    json.dump(report, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
