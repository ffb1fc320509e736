"""Engine parity: every query class of the demo on DuckDB, PostgreSQL and Spark, rows compared.

Each query of ``metricmind.testing.engines.QUERIES`` is compiled once per dialect from the same
``MetricQuery`` and run on each engine (one warm-up, then ``--runs`` timed runs). Rows are compared with
DuckDB's (numbers to 1e-9 relative, timestamps at midnight as dates). The script starts its own
PostgreSQL server (Debian's binaries) and Spark Connect server (pyspark's jars, ``local[2]``), loads the
demo's tables into both, and prints per query the rows and each engine's time, then each engine's median
query time and last ``engines: N/M queries equal on duckdb, postgres, spark``.

    .venv/bin/python bench/engines.py [--scale 300] [--runs 3] [--engines duckdb,postgres,spark] [--dir DIR]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from metricmind.demo.build import build_demo
from metricmind.project import Project
from metricmind.testing.engines import QUERIES, add_extra_metrics, same_rows
from metricmind.testing.postgres import PostgresServer, copy_duckdb_to_postgres
from metricmind.testing.spark import SparkConnectServer, load_duckdb
from metricmind.warehouse.base import Warehouse
from metricmind.warehouse.duckdb import DuckDBWarehouse
from metricmind.warehouse.postgres import PostgresWarehouse
from metricmind.warehouse.spark import SparkWarehouse

END = "2026-06-30"


def _timed(wh: Warehouse, sql: str, runs: int) -> tuple[float, list[tuple[Any, ...]]]:
    rows = wh.run(sql).rows  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        wh.run(sql)
        times.append(time.perf_counter() - start)
    return statistics.median(times), rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--engines", default="duckdb,postgres,spark")
    parser.add_argument("--dir", type=Path, default=None, help="Reuse (or build into) this demo folder.")
    args = parser.parse_args()
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    work = Path(tempfile.mkdtemp(prefix="bench_engines_"))
    target = args.dir or work / "saas_demo"
    if not (target / "target" / "warehouse.duckdb").exists():
        build_demo(target, scale=args.scale, end_date=END, seed=7)
    add_extra_metrics(target)
    duckdb_file = target / "target" / "warehouse.duckdb"
    project = Project.load(target)
    with ExitStack() as stack:
        warehouses: dict[str, Warehouse] = {}
        t0 = time.perf_counter()
        if "postgres" in engines:
            pg = stack.enter_context(PostgresServer())
            copy_duckdb_to_postgres(duckdb_file, pg.dsn())
            warehouses["postgres"] = stack.enter_context(PostgresWarehouse(pg.dsn(), read_only=True))
            print(f"postgres: started and loaded in {time.perf_counter() - t0:.1f} s")
        if "spark" in engines:
            t1 = time.perf_counter()
            spark = stack.enter_context(SparkConnectServer())
            started = time.perf_counter() - t1
            load_duckdb(duckdb_file, spark.url, work / "parquet")
            warehouses["spark"] = stack.enter_context(SparkWarehouse(spark.url, read_only=True))
            print(f"spark: started in {started:.1f} s, loaded in {time.perf_counter() - t1 - started:.1f} s")
        warehouses["duckdb"] = stack.enter_context(DuckDBWarehouse(str(duckdb_file), read_only=True))
        names = [e for e in ("duckdb", "postgres", "spark") if e in warehouses]
        times: dict[str, list[float]] = {n: [] for n in names}
        equal = 0
        print(f"\n{'class':<18} {'query':<52} {'rows':>5} " + " ".join(f"{n:>9}" for n in names) + "  same")
        for case in QUERIES:
            query = case.query()
            ordered = bool(query.order_by)
            results: dict[str, tuple[float, list[tuple[Any, ...]]] | str] = {}
            for name in names:
                try:
                    results[name] = _timed(warehouses[name], project.compile(query, name), args.runs)
                except Exception as exc:  # report and go on: one engine's failure is a finding
                    results[name] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
            base = results["duckdb"]
            problems = []
            for name in names:
                got = results[name]
                if isinstance(got, str):
                    problems.append(f"{name} failed: {got}")
                    continue
                times[name].append(got[0])
                if name != "duckdb" and not isinstance(base, str):
                    diff = same_rows(got[1], base[1], ordered=ordered)
                    if diff:
                        problems.append(f"{name} differs: {diff}")
            ok = not problems
            equal += ok
            rows = len(base[1]) if not isinstance(base, str) else 0
            cells = " ".join(
                f"{results[n][0] * 1000:>7.0f}ms" if not isinstance(results[n], str) else f"{'error':>9}"
                for n in names
            )
            print(f"{case.kind:<18} {case.name[:52]:<52} {rows:>5} {cells}  {'yes' if ok else 'NO'}")
            for problem in problems:
                print(f"    {problem}")
        print(
            "\nmedian query time: "
            + ", ".join(f"{n} {statistics.median(times[n]) * 1000:.0f} ms" for n in names if times[n])
        )
        print(f"engines: {equal}/{len(QUERIES)} queries equal on {', '.join(names)}")
    if args.dir is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
