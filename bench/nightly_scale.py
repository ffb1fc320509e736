"""How the nightly job's time grows with the query log: 0.1M, 1M, 10M records (PostgreSQL or SQLite).

Per size: a fresh database; the records generated straight into the store (``COPY`` on PostgreSQL,
``executemany`` on SQLite with ``--store sqlite``), spread over the
90 days before the run, from ``N / 200`` distinct statement texts (at most 20,000) built from the
knowledge tests' five query patterns with varying literals; then

- **first run**: the nightly job with every record pending (a backfill: everything is folded);
- **next day**: ``--daily`` more records dated the next day, and the next day's run (steady state).

Each prints the time of every step (process = folding records into the graph, mine, record, branch).

    .venv/bin/python bench/nightly_scale.py [--sizes 100000,1000000,10000000] [--daily 10000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from metricmind.demo.build import build_demo
from metricmind.knowledge.ingest import Entry, connect, text_ids
from metricmind.knowledge.nightly import Context, run
from metricmind.project import Project
from metricmind.testing.postgres import PostgresServer
from tests.knowledge.workload import PATTERNS

AS_OF = dt.date(2026, 6, 30)
USERS = [f"user{i}" for i in range(20)]


def texts(n: int) -> list[str]:
    """``n`` distinct statements: the five patterns with varying dates and thresholds."""
    out = []
    sqls = [sql for sql, _, _ in PATTERNS.values()]
    for i in range(n):
        day = AS_OF - dt.timedelta(days=i % 90)
        sql = sqls[i % len(sqls)].format(day=day.isoformat())
        out.append(f"{sql} LIMIT {1000 + i // 90}")
    return out


def generate(url: str, dsn: str, records: int, first_day: dt.date, days: int, seed: int) -> float:
    """Put ``records`` log records in the store; seconds taken."""
    t0 = time.perf_counter()
    engine = connect(url)
    distinct = max(5, min(records // 200, 20_000))
    sample = AS_OF - dt.timedelta(days=1)
    start = dt.datetime.combine(sample, dt.time(), dt.timezone.utc)
    entries = [Entry("bench", f"t{i}", sql, "duckdb", "main", start) for i, sql in enumerate(texts(distinct))]
    with engine.begin() as conn:
        ids = text_ids(conn, entries, {})
    engine.dispose()
    rng = random.Random(seed)
    cols = "source, external_id, text_id, started_at, user_name, duration_ms, row_count, calls"

    def rows() -> Any:
        for i in range(records):
            day = first_day + dt.timedelta(days=rng.randrange(days))
            at = dt.datetime.combine(day, dt.time(rng.randrange(24), rng.randrange(60)))
            yield ("bench", f"{seed}-{i}", ids[rng.randrange(distinct)], at, rng.choice(USERS),
                   rng.uniform(5, 80), rng.randrange(1, 50), 1)  # fmt: skip

    if url.startswith("sqlite"):
        with sqlite3.connect(url.split("///", 1)[1]) as db:
            sql = f"INSERT INTO kg_query_log ({cols}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            db.executemany(sql, ((*r[:3], r[3].isoformat(sep=" "), *r[4:]) for r in rows()))
        return time.perf_counter() - t0
    with psycopg.connect(dsn) as pg, pg.cursor() as cur:
        with cur.copy(f"COPY kg_query_log ({cols}) FROM STDIN") as copy:
            for row in rows():
                copy.write_row(row)
    return time.perf_counter() - t0


def nightly(url: str, project: Path, as_of: dt.date) -> dict[str, float]:
    """Run the nightly job for ``as_of``; seconds per step and in all."""
    engine = connect(url)
    with Project.load(project) as proj:
        ctx = Context(proj.root, proj.model, proj.settings, proj.dialect, "main")
        times: dict[str, float] = {}
        last = t0 = time.perf_counter()

        def step(name: str) -> None:
            nonlocal last
            now = time.perf_counter()
            times[name] = now - last
            last = now

        summary: Any = run(engine, ctx, as_of=as_of, announce=False, on_step=step)
        times["total"] = time.perf_counter() - t0
        times["folded"] = float(summary["processed"])
    engine.dispose()
    return times


def git_project(demo: Path, target: Path) -> Path:
    """A copy of the demo in a git repository of its own (the nightly job writes a branch)."""
    shutil.copytree(demo, target, ignore=shutil.ignore_patterns(".metricmind"))
    (target / ".gitignore").write_text(".metricmind/\ntarget/\n")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "demo"]):
        subprocess.run(["git", "-c", "user.name=b", "-c", "user.email=b@b", *args], cwd=target, check=True)
    return target


def show(label: str, t: dict[str, float]) -> str:
    steps = " ".join(f"{k}={t[k]:.1f}s" for k in ("process", "mine", "record", "branch") if k in t)
    return f"{label}: {t['total']:7.1f}s ({steps}; {int(t['folded'])} records folded)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000,10000000")
    parser.add_argument("--daily", type=int, default=10_000)
    parser.add_argument("--dir", type=Path, default=None, help="reuse a built demo")
    parser.add_argument("--store", choices=["postgres", "sqlite"], default="postgres")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="nightly-scale-"))
    demo = args.dir or work / "demo"
    if not (demo / "metricmind.yml").exists():
        build_demo(demo, scale=300, end_date=AS_OF.isoformat())
    with PostgresServer() as pg:
        for size in (int(s) for s in args.sizes.split(",")):
            db = f"scale_{uuid.uuid4().hex[:8]}"
            pg.psql("postgres", f"CREATE DATABASE {db}")
            url = f"postgresql://postgres@127.0.0.1:{pg.port}/{db}"
            if args.store == "sqlite":
                url = f"sqlite:///{work / db}.db"
            project = git_project(demo, work / db)
            took = generate(url, pg.dsn(db), size, AS_OF - dt.timedelta(days=90), 90, seed=1)
            print(f"nightly: {size:>10,} records generated in {took:.0f}s ({args.store})", flush=True)
            print(
                f"nightly: {size:>10,} records  " + show("first run", nightly(url, project, AS_OF)),
                flush=True,
            )
            generate(url, pg.dsn(db), args.daily, AS_OF, 1, seed=2)
            later = nightly(url, project, AS_OF + dt.timedelta(days=1))
            print(f"nightly: {size:>10,} records  " + show(f"next day +{args.daily:,}", later), flush=True)
            pg.psql("postgres", f"DROP DATABASE {db} WITH (FORCE)")
            shutil.rmtree(project, ignore_errors=True)


if __name__ == "__main__":
    main()
