"""Query log and knowledge graph speed: tracking overhead, batch ingest rate, nightly job on 1M queries.

1. **Tracking overhead**: ``Recorder.record_execution`` for executions of compiled demo queries on the
   SQLite store (median and p95 per call; target: median under 2 ms).
2. **Batch ingest**: a native JSONL export read with ``LogFile`` and stored with ``ingest_records``
   (records per second; target 5,000/s), then folded into the graph (analysis included).
3. **Nightly on 1M logged queries**: a million records bulk-inserted into the store (a few hundred
   distinct texts with repeated patterns, spread over 30 days), then ``metricmind nightly`` end to end:
   fold, mine, write the branch (target: under 2 minutes).

    .venv/bin/python bench/querylog.py [--records 1000000] [--ingest 50000] [--dir DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from metricmind.demo.build import build_demo
from metricmind.knowledge.ingest import Recorder, connect, ingest_records, text_hash
from metricmind.knowledge.nightly import Context, run
from metricmind.knowledge.process import Processor
from metricmind.knowledge.schema import query_log, texts
from metricmind.project import Execution, Project
from metricmind.spec.query import MetricQuery
from metricmind.warehouse.querylogs import LogFile

END = dt.date(2026, 6, 30)
TEMPLATES = [
    "SELECT date_trunc('month', issued_at) AS m, SUM(amount) FROM fct_invoices_canonical "
    "WHERE payment_method = '{pm}' AND issued_at >= DATE '{day}' GROUP BY 1",
    "SELECT plan_tier, AVG(seats) FROM fct_subscriptions_canonical WHERE started_at < DATE '{day}' GROUP BY 1",
    "SELECT currency, COUNT(invoice_id) FROM fct_invoices_canonical WHERE issued_at >= DATE '{day}' GROUP BY 1",
    "SELECT c.segment, SUM(i.amount) FROM fct_invoices_canonical i JOIN dim_customers_canonical c "
    "ON i.customer_id = c.customer_id WHERE i.is_paid = TRUE AND i.paid_at >= DATE '{day}' GROUP BY 1",
    "SELECT feature, COUNT(event_id) FROM fct_user_events_canonical WHERE event_date >= DATE '{day}' GROUP BY 1",
    "SELECT s.plan_tier, SUM(i.amount) FROM fct_invoices_canonical i JOIN fct_subscriptions_canonical s "
    "ON i.subscription_id = s.subscription_id WHERE i.issued_at >= DATE '{day}' GROUP BY 1",
    "SELECT region, COUNT(DISTINCT customer_id) FROM dim_customers_canonical WHERE signup_date >= DATE '{day}' GROUP BY 1",
    "SELECT channel, SUM(allocated_spend) FROM fct_marketing_touchpoints_canonical WHERE touched_at >= DATE '{day}' GROUP BY 1",
]


def texts_of(n_days: int = 45) -> list[str]:
    """Distinct statement texts: each template for each of ``n_days`` start dates (and payment method)."""
    days = [(END - dt.timedelta(days=d)).isoformat() for d in range(n_days)]
    out: list[str] = []
    for t in TEMPLATES:
        for day in days:
            for pm in ("wire", "card", "bank_transfer") if "{pm}" in t else ("",):
                out.append(t.format(day=day, pm=pm))
    return list(dict.fromkeys(out))


def project_dir(base: Path | None) -> Path:
    target = (base or Path(tempfile.mkdtemp(prefix="mm-bench-"))) / "demo"
    if not (target / "metricmind.yml").exists():
        build_demo(target, scale=300, end_date=END.isoformat())
        (target / ".gitignore").write_text(".metricmind/\ntarget/\n")
        for args in (
            ["init", "-q", "-b", "main"],
            ["add", "-A"],
            ["-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "demo"],
        ):
            subprocess.run(["git", *args], cwd=target, check=True)
    return target


def bench_tracking(project: Project, store: Path, n: int = 1000) -> dict[str, float]:
    engine = connect(f"sqlite:///{store}")
    recorder = Recorder(engine, project.dialect, "main")
    queries = [
        MetricQuery.build("mrr", "customer__segment"),
        MetricQuery.build("invoice_revenue", "metric_time__month"),
        MetricQuery.build(["active_users", "events"], "event__platform"),
    ]
    sqls = [project.compile(q) for q in queries]
    now = dt.datetime.now(dt.timezone.utc)
    timings = []
    for i in range(n):
        q = queries[i % 3]
        execution = Execution(q, sqls[i % 3], now, 5.0, 10, None, "bench", "bench")
        t0 = time.perf_counter()
        recorder.record_execution(execution)
        timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    engine.dispose()
    return {"median_ms": round(statistics.median(timings), 3), "p95_ms": round(timings[int(n * 0.95)], 3)}


def bench_ingest(project: Project, tmp: Path, n: int) -> dict[str, float]:
    rng = random.Random(1)
    pool = texts_of()
    path = tmp / "log.jsonl"
    start = dt.datetime.combine(END - dt.timedelta(days=29), dt.time(), dt.timezone.utc)
    with path.open("w") as out:
        for i in range(n):
            at = start + dt.timedelta(seconds=rng.randrange(30 * 86400))
            row = {
                "query_id": f"q{i}",
                "sql": rng.choice(pool),
                "user": f"u{i % 17}",
                "started_at": at.isoformat(),
                "duration_ms": rng.uniform(2, 90),
                "rows": 10,
            }
            out.write(json.dumps(row) + "\n")
    engine = connect(f"sqlite:///{tmp / 'ingest.db'}")
    t0 = time.perf_counter()
    report = ingest_records(engine, LogFile(path), "bench")
    stored = time.perf_counter() - t0
    t1 = time.perf_counter()
    folded = Processor(project.model, "main", project.dialect).run(engine)
    fold = time.perf_counter() - t1
    again = ingest_records(engine, LogFile(path), "bench")
    engine.dispose()
    assert report.inserted == n and again.inserted == 0 and folded == n
    return {
        "records": n,
        "store_records_per_s": round(n / stored),
        "fold_records_per_s": round(n / fold),
        "end_to_end_records_per_s": round(n / (stored + fold)),
        "reingest_records_per_s": round(n / again.seconds),
    }


def bench_nightly(root: Path, project: Project, n: int) -> dict[str, float]:
    url = f"sqlite:///{root / '.metricmind' / 'bench-1m.db'}"
    (root / ".metricmind").mkdir(exist_ok=True)
    Path(url[len("sqlite:///") :]).unlink(missing_ok=True)
    engine = connect(url)
    pool = texts_of()
    rng = random.Random(2)
    weights = [rng.paretovariate(1.2) for _ in pool]
    t0 = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(
            sa.insert(texts),
            [
                {
                    "id": i + 1,
                    "hash": text_hash(s, "duckdb", None),
                    "dialect": "duckdb",
                    "schema_name": None,
                    "sql": s,
                }
                for i, s in enumerate(pool)
            ],
        )
    start = dt.datetime.combine(END - dt.timedelta(days=29), dt.time())
    chunk = 100_000
    for base in range(0, n, chunk):
        ids = rng.choices(range(1, len(pool) + 1), weights=weights, k=min(chunk, n - base))
        rows = [
            {
                "source": "bench",
                "external_id": str(base + i),
                "text_id": tid,
                "started_at": start + dt.timedelta(seconds=(base + i) * 30 * 86400 // n),
                "user_name": f"u{(base + i) % 23}",
                "duration_ms": 5.0 + (tid % 40),
                "calls": 1,
            }
            for i, tid in enumerate(ids)
        ]
        with engine.begin() as conn:
            conn.execute(sa.insert(query_log), rows)
    generated = time.perf_counter() - t0
    ctx = Context(root, project.model, project.settings, project.dialect, "main")
    t1 = time.perf_counter()
    summary = run(engine, ctx, as_of=END, announce=False)
    took = time.perf_counter() - t1
    t2 = time.perf_counter()
    rerun = run(engine, ctx, as_of=END, announce=False)
    again = time.perf_counter() - t2
    engine.dispose()
    assert summary["processed"] == n and rerun["processed"] == 0
    return {
        "records": n,
        "generate_s": round(generated, 1),
        "nightly_s": round(took, 1),
        "rerun_s": round(again, 1),
        "proposals": len(summary["proposals"]),
        "branch": summary["branch"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000, help="Logged queries for the nightly job.")
    parser.add_argument("--ingest", type=int, default=50_000, help="Records in the batch-ingest file.")
    parser.add_argument("--dir", type=Path, default=None, help="Reuse a demo build in this folder.")
    args = parser.parse_args()
    root = project_dir(args.dir)
    project = Project.load(root)
    with tempfile.TemporaryDirectory() as tmp:
        tracking = bench_tracking(project, Path(tmp) / "track.db")
        print(
            f"tracking overhead per query: median {tracking['median_ms']} ms, p95 {tracking['p95_ms']} ms (target median < 2 ms)"
        )
        ingest = bench_ingest(project, Path(tmp), args.ingest)
        print(
            f"batch ingest of {ingest['records']:,} records: store {ingest['store_records_per_s']:,}/s, "
            f"fold into the graph {ingest['fold_records_per_s']:,}/s, end to end {ingest['end_to_end_records_per_s']:,}/s, "
            f"re-ingest (all duplicates) {ingest['reingest_records_per_s']:,}/s (target 5,000/s)"
        )
    nightly = bench_nightly(root, project, args.records)
    print(
        f"nightly on {nightly['records']:,} logged queries: {nightly['nightly_s']} s "
        f"(bulk insert {nightly['generate_s']} s; re-run {nightly['rerun_s']} s; {nightly['proposals']} proposals "
        f"on {nightly['branch']}) (target < 120 s)"
    )


if __name__ == "__main__":
    main()
