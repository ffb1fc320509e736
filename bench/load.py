"""Load: concurrent API queries and catalog-page readers against `metricmind serve --workers N`.

The demo project, its stores on a real PostgreSQL server (a fresh database per worker count), the
server started as it is deployed (`python -m metricmind serve --workers N`). Per worker count:

- **query**: `--queries` POST /api/query/run sent at once (a mix of metrics, groupings and filters);
- **catalog**: the catalog page (`GET /`) read by `--readers` concurrent readers, `--pages` in all;
- **cached**: the same query repeated (`--queries` at once): the result-cache path, if the server
  has one, else the plain path with warm compiler caches.

Each run prints errors, throughput and p95 latency; per worker count the median of `--runs` runs, then
the throughput ratios against one worker. The machine's load average is printed with every figure:
on a shared machine the ratios are only as good as the quiet they were measured in.

    .venv/bin/python bench/load.py [--scale 300] [--workers 1,2,4] [--runs 3] [--queries 200]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from metricmind.demo.build import build_demo
from metricmind.storage import make_engine
from metricmind.testing.postgres import PostgresServer
from metricmind.testing.server import Served, children

METRICS = ["mrr", "new_customers", "invoice_revenue", "billed_amount", "events", "active_users", "arpa"]
GROUPS = [["metric_time__month"], ["customer__segment"], ["metric_time__quarter", "customer__segment"], []]


def query_body(i: int) -> dict[str, Any]:
    """The i-th query of the mix."""
    body: dict[str, Any] = {"metrics": [METRICS[i % len(METRICS)]], "group_by": GROUPS[i % len(GROUPS)]}
    if i % 3 == 0:
        body["start"] = f"{2023 + i % 3}-01-01"
    return body


@dataclass
class Run:
    """One burst: failures, requests per second, 95th percentile latency (s), the machine's load average,
    CPU milliseconds per request of the server's workers and of PostgreSQL, and the most sessions seen
    waiting on a lock in PostgreSQL at once.
    """

    errors: int
    throughput: float
    p95: float
    load: float
    cpu_ms: float = 0.0
    pg_cpu_ms: float = 0.0
    lock_waits: int = 0
    client_ms: float = 0.0


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of the processes (Linux ``/proc``)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


class Probe:
    """CPU of the server and of PostgreSQL around a burst, and lock waits sampled during it."""

    def __init__(self, served: Served, pg: PostgresServer, url: str) -> None:
        self.served = served
        self.postmaster = int((pg.datadir / "postmaster.pid").read_text().split()[0])
        self.engine = make_engine(url)
        self.waits = 0
        self.connections = 0
        self.sampling = False

    def pg_pids(self) -> list[int]:
        return [self.postmaster, *children(self.postmaster)]

    def start(self) -> tuple[float, float]:
        self.waits, self.sampling = 0, True
        return cpu_seconds(self.served.worker_pids()), cpu_seconds(self.pg_pids())

    def sample(self) -> None:
        sql = sa.text(
            "SELECT count(*) FILTER (WHERE wait_event_type = 'Lock'), count(*) FROM pg_stat_activity "
            "WHERE backend_type = 'client backend'"
        )
        while self.sampling:
            with self.engine.connect() as conn:
                waits, connections = conn.execute(sql).one()
            self.waits = max(self.waits, int(waits))
            self.connections = max(self.connections, int(connections))
            time.sleep(0.05)

    def recorded(self) -> tuple[int, int]:
        """Web runs in the catalog and records in the query log."""
        with self.engine.connect() as conn:
            runs = conn.execute(sa.text("SELECT count(*) FROM cat_executions WHERE source = 'web'")).scalar()
            logged = conn.execute(sa.text("SELECT count(*) FROM kg_query_log")).scalar()
        return int(runs or 0), int(logged or 0)


async def _send(url: str, indices: list[int], concurrency: int, kind: str) -> tuple[list[float], int]:
    make = KINDS[kind]
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    errors = 0
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=300) as client:

        async def one(i: int) -> None:
            nonlocal errors
            async with gate:
                t0 = time.perf_counter()
                try:
                    response = await make(client, i)
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append(time.perf_counter() - t0)
                errors += not ok

        await asyncio.gather(*(one(i) for i in indices))
    return latencies, errors


def send(url: str, indices: list[int], concurrency: int, kind: str) -> tuple[list[float], int, float]:
    """One client process's share of a burst: latencies, errors, the CPU seconds it used."""
    cpu = time.process_time()
    latencies, errors = asyncio.run(_send(url, indices, concurrency, kind))
    return latencies, errors, time.process_time() - cpu


def burst(
    pool: ProcessPoolExecutor,
    clients: int,
    url: str,
    n: int,
    concurrency: int,
    kind: str,
    probe: Probe | None = None,
) -> Run:
    """Send ``n`` requests, ``concurrency`` at a time, from ``clients`` processes; measure."""
    load = os.getloadavg()[0]
    before = probe.start() if probe else (0.0, 0.0)
    sampler = threading.Thread(target=probe.sample) if probe else None
    if sampler:
        sampler.start()
    t0 = time.perf_counter()
    share = max(1, concurrency // clients)
    parts = [pool.submit(send, url, list(range(k, n, clients)), share, kind) for k in range(clients)]
    results = [f.result() for f in parts]
    wall = time.perf_counter() - t0
    latencies = sorted(x for r in results for x in r[0])
    run = Run(sum(r[1] for r in results), n / wall, latencies[int(0.95 * (len(latencies) - 1))], load)
    run.client_ms = sum(r[2] for r in results) * 1000 / n
    if probe and sampler:
        after = (cpu_seconds(probe.served.worker_pids()), cpu_seconds(probe.pg_pids()))
        probe.sampling = False
        sampler.join()
        run.cpu_ms = (after[0] - before[0]) * 1000 / n
        run.pg_cpu_ms = (after[1] - before[1]) * 1000 / n
        run.lock_waits = probe.waits
    return run


def query(client: httpx.AsyncClient, i: int) -> Any:
    return client.post("/api/query/run", json=query_body(i))


def cached(client: httpx.AsyncClient, i: int) -> Any:
    return client.post("/api/query/run", json=query_body(0))


def catalog(client: httpx.AsyncClient, i: int) -> Any:
    return client.get("/")


KINDS = {"query": query, "cached": cached, "catalog": catalog}


def median(runs: list[Run]) -> Run:
    return Run(
        sum(r.errors for r in runs),
        statistics.median(r.throughput for r in runs),
        statistics.median(r.p95 for r in runs),
        statistics.median(r.load for r in runs),
        statistics.median(r.cpu_ms for r in runs),
        statistics.median(r.pg_cpu_ms for r in runs),
        max(r.lock_waits for r in runs),
        statistics.median(r.client_ms for r in runs),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=300)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--dir", type=Path, default=None, help="reuse a built demo")
    parser.add_argument("--clients", type=int, default=4, help="client processes sending the requests")
    args = parser.parse_args()
    pool = ProcessPoolExecutor(args.clients, mp_context=multiprocessing.get_context("fork"))
    list(pool.map(abs, range(args.clients)))  # start the client processes before any timing
    try:
        measure(args, pool)
    finally:
        pool.shutdown()


def measure(args: argparse.Namespace, pool: ProcessPoolExecutor) -> None:
    """Every worker count's bursts, then the medians."""
    counts = [int(w) for w in args.workers.split(",")]

    project = args.dir or Path(tempfile.mkdtemp(prefix="load-")) / "demo"
    if not (project / "metricmind.yml").exists():
        build_demo(project, scale=args.scale, end_date="2026-06-30")
    print(f"demo at scale {args.scale} in {project}; {os.cpu_count()} CPUs", flush=True)
    results: dict[tuple[str, int], Run] = {}
    with PostgresServer() as pg:
        for workers in counts:
            db = f"load_{uuid.uuid4().hex[:8]}"
            pg.psql("postgres", f"CREATE DATABASE {db}")
            env = {"METRICMIND_STORE_URL": f"postgresql://postgres@127.0.0.1:{pg.port}/{db}"}
            with Served(project, workers=workers, env=env, log=project.parent / "serve.log") as served:
                warm = burst(pool, args.clients, served.url, 32 * workers, 4 * workers, "query")
                assert warm.errors == 0, "warm-up failed; see serve.log"
                probe = Probe(served, pg, env["METRICMIND_STORE_URL"])
                sent = 32 * workers
                for name, n, conc in (
                    ("query", args.queries, args.queries),
                    ("catalog", args.pages, args.readers),
                    ("cached", args.queries, args.queries),
                ):
                    runs = [
                        burst(pool, args.clients, served.url, n, conc, name, probe) for _ in range(args.runs)
                    ]
                    for r in runs:
                        print(f"  {name:<8} workers={workers} {fmt(r)}", flush=True)
                    results[(name, workers)] = median(runs)
                    sent += n * args.runs if name != "catalog" else 0
                recorded = probe.recorded()
                print(
                    f"  recorded: {recorded[0]} runs in the catalog, {recorded[1]} in the query log, of "
                    f"{sent} queries answered; at most {probe.connections} store connections",
                    flush=True,
                )
                assert recorded == (sent, sent), "runs were lost"
                probe.engine.dispose()
    cores = os.cpu_count() or 1
    print(
        f"\nmedian of {args.runs} runs (capacity: {cores} free cores / CPU per request of server + PostgreSQL):"
    )
    for name in ("query", "catalog", "cached"):
        base = results[(name, counts[0])]
        for workers in counts:
            r = results[(name, workers)]
            capacity = cores * 1000 / max(r.cpu_ms + r.pg_cpu_ms, 1e-9)
            print(
                f"load: {name:<8} workers={workers} {fmt(r)} x{r.throughput / base.throughput:.2f} vs "
                f"{counts[0]} worker(s); capacity {capacity:.0f}/s"
            )


def fmt(r: Run) -> str:
    """One run's figures on a line."""
    return (
        f"errors={r.errors} throughput={r.throughput:7.1f}/s p95={r.p95:6.3f}s cpu/req={r.cpu_ms:5.1f}ms "
        f"+pg {r.pg_cpu_ms:4.1f}ms client {r.client_ms:4.1f}ms server used {r.throughput * r.cpu_ms / 1000:.2f} cores "
        f"lock-waits={r.lock_waits} (load avg {r.load:.1f})"
    )


if __name__ == "__main__":
    main()
