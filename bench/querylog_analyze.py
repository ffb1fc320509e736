"""SQL analyzer throughput and query log reader rate.

1. **Analyzer**: ``querylog.analyze`` over a generated corpus of varied statements (joins, CTEs,
   subqueries, unions, windows, filters, time buckets) in seven dialects, every text distinct (no
   memo): statements per second and median/p95 microseconds per statement; unparsed count.
2. **Readers**: ``LogFile`` over Snowflake QUERY_HISTORY CSV, BigQuery JOBS JSONL and native JSONL
   exports of ``--records`` rows each: records per second (B2's end-to-end ingest target is 5,000/s;
   reading must be far above it).

    .venv/bin/python bench/querylog_analyze.py [--queries 5000] [--records 50000] [--seed 7]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from metricmind.querylog import analyze
from metricmind.warehouse.querylogs import LogFile

DIALECTS = ["duckdb", "postgres", "snowflake", "bigquery", "databricks", "spark", "trino"]
TABLES = {
    "orders": ["id", "customer_id", "product_id", "amount", "status", "ordered_at"],
    "customers": ["id", "region", "segment", "signup_at", "country"],
    "products": ["id", "category", "price", "brand"],
    "events": ["id", "customer_id", "kind", "platform", "event_ts"],
}
JOINS = [("orders", "customer_id", "customers", "id"), ("orders", "product_id", "products", "id")]
JOINS += [("events", "customer_id", "customers", "id")]
AGGS = ["SUM({c})", "COUNT({c})", "COUNT(DISTINCT {c})", "AVG({c})", "MAX({c})", "MIN({c})"]
GRAINS = ["day", "week", "month", "quarter", "year"]
TIME_COLS = {"orders": "ordered_at", "customers": "signup_at", "events": "event_ts"}
TEXT_COLS = {"orders": "status", "customers": "region", "products": "category", "events": "platform"}


def bucket(dialect: str, col: str, grain: str) -> str:
    if dialect == "bigquery":
        return f"TIMESTAMP_TRUNC({col}, {grain.upper()})"
    if dialect == "spark" and grain in ("month", "year"):
        return f"trunc({col}, '{'MM' if grain == 'month' else 'YYYY'}')"
    return f"DATE_TRUNC('{grain}', {col})"


def generate(n: int, rng: random.Random) -> list[tuple[str, str]]:
    """``n`` distinct (sql, dialect) pairs of assorted shapes."""
    out: list[tuple[str, str]] = []
    for i in range(n):
        dialect = DIALECTS[i % len(DIALECTS)]
        base = rng.choice(list(TABLES))
        cols = TABLES[base]
        agg = rng.choice(AGGS).format(c=f"t.{rng.choice(cols)}")
        select = [f"{agg} AS m{i}"]
        group: list[str] = []
        joins = ""
        if rng.random() < 0.6:
            cand = [j for j in JOINS if j[0] == base]
            if cand:
                left, lcol, right, rcol = rng.choice(cand)
                kind = rng.choice(["JOIN", "LEFT JOIN", "INNER JOIN"])
                joins = f" {kind} {right} AS j ON t.{lcol} = j.{rcol}"
                dim = rng.choice(TABLES[right][1:])
                select.insert(0, f"j.{dim}")
                group.append(f"j.{dim}")
        if base in TIME_COLS and rng.random() < 0.7:
            expr = bucket(dialect, f"t.{TIME_COLS[base]}", rng.choice(GRAINS))
            select.insert(0, f"{expr} AS period")
            group.append(expr)
        where = []
        if base in TEXT_COLS and rng.random() < 0.7:
            where.append(f"t.{TEXT_COLS[base]} IN ('a{rng.randint(0, 9)}', 'b{i}')")
        if rng.random() < 0.5:
            where.append(f"t.id > {rng.randint(0, 10**6)}")
        sql = f"SELECT {', '.join(select)} FROM {base} AS t{joins}"
        if where:
            sql += " WHERE " + " AND ".join(where)
        if group:
            sql += " GROUP BY " + ", ".join(group)
        shape = rng.random()
        if shape < 0.2:
            sql = f"WITH base AS ({sql}) SELECT * FROM base ORDER BY 1 LIMIT {rng.randint(1, 500)}"
        elif shape < 0.3:
            sql = f"SELECT * FROM ({sql}) AS sub WHERE m{i} > {rng.randint(0, 100)}"
        elif shape < 0.4:
            sql = f"{sql} UNION ALL {sql.replace(f'AS m{i}', f'AS m{i}', 1)}"
        elif shape < 0.5:
            part = rng.choice(cols)
            sql = (
                f"SELECT t.{part}, ROW_NUMBER() OVER (PARTITION BY t.{part} ORDER BY t.id) AS rn{i} "
                f"FROM {base} AS t WHERE t.id < {rng.randint(0, 10**6)}"
            )
        elif shape < 0.52:
            sql = sql[: rng.randint(5, len(sql) - 1)]  # truncated text, as logs sometimes are
        out.append((sql, dialect))
    return out


def bench_analyzer(n: int, seed: int) -> None:
    corpus = generate(n, random.Random(seed))
    for sql, dialect in corpus[:50]:  # warm sqlglot's dialect tables
        analyze(sql, dialect)
    times: list[float] = []
    unparsed = 0
    start = time.perf_counter()
    for sql, dialect in corpus:
        t0 = time.perf_counter()
        facts = analyze(sql, dialect)
        times.append(time.perf_counter() - t0)
        unparsed += not facts.ok
    total = time.perf_counter() - start
    times.sort()
    print(
        f"analyzer: {n} statements in {total:.2f}s = {n / total:,.0f} statements/s; "
        f"median {statistics.median(times) * 1e6:,.0f} µs, p95 {times[int(0.95 * n)] * 1e6:,.0f} µs; "
        f"unparsed {unparsed}"
    )


def write_exports(directory: Path, n: int) -> dict[str, Path]:
    t0 = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)
    sf = directory / "snowflake.csv"
    with sf.open("w", newline="", encoding="utf-8") as handle:
        w = csv.writer(handle)
        w.writerow(
            ["QUERY_ID", "QUERY_TEXT", "DATABASE_NAME", "SCHEMA_NAME", "USER_NAME", "START_TIME", "END_TIME"]
            + ["TOTAL_ELAPSED_TIME", "ROWS_PRODUCED", "EXECUTION_STATUS", "ERROR_MESSAGE"]
        )
        for i in range(n):
            ts = t0 + dt.timedelta(seconds=i)
            w.writerow(
                [f"q{i}", f"SELECT SUM(amount) FROM orders WHERE id = {i}", "DB", "PUBLIC", "ANN"]
                + [ts.strftime("%Y-%m-%d %H:%M:%S.%f -0700"), ts.isoformat(), i % 900, i % 50, "SUCCESS", ""]
            )
    bq = directory / "bigquery.jsonl"
    native = directory / "native.jsonl"
    with bq.open("w", encoding="utf-8") as b, native.open("w", encoding="utf-8") as nat:
        for i in range(n):
            stamp = (t0 + dt.timedelta(seconds=i)).isoformat()
            b.write(
                json.dumps(
                    {
                        "job_id": f"job_{i}",
                        "query": f"SELECT COUNT(*) FROM `p.d.events` WHERE kind = 'k{i % 7}'",
                        "user_email": "ann@example.com",
                        "creation_time": stamp,
                        "start_time": stamp,
                        "end_time": stamp,
                        "total_bytes_processed": i,
                        "state": "DONE",
                        "error_result": None,
                        "statement_type": "SELECT",
                        "job_type": "QUERY",
                    }
                )
                + "\n"
            )
            nat.write(
                json.dumps(
                    {
                        "query_id": f"n{i}",
                        "sql": "select 1",
                        "user": "ann",
                        "started_at": stamp,
                        "duration_ms": 3,
                    }
                )
                + "\n"
            )
    return {"snowflake": sf, "bigquery": bq, "native": native}


def bench_readers(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for fmt, path in write_exports(Path(tmp), n).items():
            log = LogFile(path)
            start = time.perf_counter()
            count = sum(1 for _ in log)
            total = time.perf_counter() - start
            assert count == n and log.fmt == fmt and log.skipped == 0, (fmt, count, log.problems)
            print(f"reader {fmt:9s}: {count} records in {total:.2f}s = {count / total:,.0f} records/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=5000)
    parser.add_argument("--records", type=int, default=50000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    bench_analyzer(args.queries, args.seed)
    bench_readers(args.records)


if __name__ == "__main__":
    main()
