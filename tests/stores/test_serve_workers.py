"""``metricmind serve --workers N`` over one PostgreSQL store: real processes, real concurrency."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import sqlalchemy as sa

from metricmind.storage import make_engine
from metricmind.testing.server import Served

QUERIES = [
    {"metrics": ["mrr"], "group_by": ["metric_time__month"]},
    {"metrics": ["mrr"], "group_by": ["customer__segment"]},
    {"metrics": ["new_customers"], "group_by": ["metric_time__quarter"]},
]


def post_all(url: str, n: int, threads: int = 20) -> list[int]:
    """Send ``n`` queries at once; their status codes (0: the connection failed)."""

    def one(i: int) -> int:
        try:
            return httpx.post(f"{url}/api/query/run", json=QUERIES[i % len(QUERIES)], timeout=120).status_code
        except httpx.HTTPError:
            return 0

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(one, range(n)))


def counts(url: str) -> tuple[int, int, int]:
    """Web executions in the catalog, their metric rows, and the query log's records of them."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            runs = conn.execute(sa.text("SELECT count(*) FROM cat_executions WHERE source = 'web'")).scalar()
            rows = conn.execute(sa.text("SELECT count(*) FROM cat_execution_metrics")).scalar()
            logged = conn.execute(sa.text("SELECT count(*) FROM kg_query_log")).scalar()
    finally:
        engine.dispose()
    return int(runs or 0), int(rows or 0), int(logged or 0)


def test_two_workers_answer_concurrent_queries_and_record_each_once(demo_copy: Path, pg_store: str) -> None:
    with Served(demo_copy, workers=2) as served:
        pids = served.worker_pids()
        assert len(pids) == 2 and served.proc is not None and served.proc.pid not in pids, pids
        codes = post_all(served.url, 60)
        assert codes == [200] * 60, sorted(codes)
    assert counts(pg_store) == (60, 60, 60), (served.log.read_text()[-3000:], counts(pg_store))
    assert "could not record" not in served.log.read_text()  # no recording failed (they are only logged)
    assert not (demo_copy / ".metricmind" / "store.db").exists()  # nothing went to SQLite


def test_a_worker_killed_mid_writes_loses_nothing(demo_copy: Path, pg_store: str) -> None:
    with Served(demo_copy, workers=2) as served:
        victim = served.worker_pids()[0]
        with ThreadPoolExecutor(1) as bg:
            burst = bg.submit(post_all, served.url, 120, 16)
            time.sleep(1.0)
            os.kill(victim, signal.SIGKILL)
            codes = burst.result()
        assert codes.count(200) >= 1 and set(codes) <= {200, 0}, codes
        served.wait_ready()  # uvicorn restarts the dead worker
        assert victim not in served.worker_pids()
        failed = codes.count(0)
        again = post_all(served.url, failed) if failed else []
        assert again == [200] * failed
    runs, rows, logged = counts(pg_store)
    # every answered query is recorded, whole (its metric rows in the same transaction); a query killed
    # after a write and before its answer may be recorded as well as its retry (in one store or both)
    found = (runs, rows, logged, failed)
    assert "could not record" not in served.log.read_text()
    assert 120 <= runs <= 120 + failed and rows == runs and 120 <= logged <= 120 + failed, found


def test_several_workers_over_sqlite_are_refused(demo_copy: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "metricmind", "serve", "-p", str(demo_copy), "--workers", "2", "--port", "1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "serve --workers 2 needs a PostgreSQL store" in done.stderr and "sqlite" in done.stderr
