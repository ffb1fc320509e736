"""Persisting query records: idempotent, incremental, crash-safe; the execution listener; pg_stat_statements."""

from __future__ import annotations

import datetime as dt
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from metricmind.knowledge.ingest import PROJECT_SOURCE, Entry, Recorder, attach, ingest_pg_stats, persist
from metricmind.knowledge.process import Processor, pending
from metricmind.knowledge.schema import edges, fingerprints, nodes, query_log, texts, usage_daily
from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from metricmind.testing.postgres import PostgresServer
from metricmind.warehouse.querylogs import read_pg_stat_statements

SQL = (
    "SELECT c.segment, SUM(i.amount) FROM fct_invoices_canonical AS i "
    "JOIN dim_customers_canonical AS c ON i.customer_id = c.customer_id WHERE i.is_paid = TRUE GROUP BY 1"
)


def entries(n: int, source: str = "file") -> list[Entry]:
    base = dt.datetime(2026, 6, 1, 8, tzinfo=dt.timezone.utc)
    return [
        Entry(
            source,
            f"q{i}",
            SQL,
            "duckdb",
            base + dt.timedelta(hours=i),
            user=f"u{i % 3}",
            duration_ms=10.0 + i,
        )
        for i in range(n)
    ]


def node_uses(engine: sa.Engine, kind: str, key: str) -> int:
    with engine.connect() as conn:
        value = conn.execute(sa.select(nodes.c.uses).where(nodes.c.kind == kind, nodes.c.key == key)).scalar()
    return int(value or 0)


def counts(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())
            for t in (query_log, texts, fingerprints, usage_daily)
        } | {
            "edge_uses": int(
                conn.execute(sa.select(sa.func.coalesce(sa.func.sum(edges.c.uses), 0))).scalar_one()
            )
        }


def test_same_log_twice_counts_once(engine: sa.Engine, demo_built: Path) -> None:
    model = Project.load(demo_built).model
    first = persist(engine, entries(40))
    assert (first.inserted, first.duplicates) == (40, 0)
    assert Processor(model, "main").run(engine) == 40
    before = counts(engine)
    again = persist(engine, entries(40) + entries(5, source="other"))
    assert (again.inserted, again.duplicates) == (5, 40)
    assert Processor(model, "main").run(engine) == 5
    after = counts(engine)
    assert after["kg_query_log"] == 45
    assert after["kg_texts"] == before["kg_texts"] == 1
    assert node_uses(engine, "metric", "invoice_revenue") == 45
    assert node_uses(engine, "table", "main.dim_customers_canonical") == 45
    assert node_uses(engine, "dimension", "customer__segment") == 45
    assert pending(engine) == 0


def test_processing_in_small_batches_equals_one_pass(
    engine: sa.Engine, demo_built: Path, tmp_path: Path
) -> None:
    from metricmind.knowledge.ingest import connect

    model = Project.load(demo_built).model
    persist(engine, entries(30))
    proc = Processor(model, "main")
    assert proc.run(engine, batch=7, max_batches=2) == 14  # stop midway, as a crash would
    assert pending(engine) == 16
    assert Processor(model, "main").run(engine, batch=7) == 16  # a new process resumes from the mark
    other = connect(f"sqlite:///{tmp_path / 'one.db'}")
    persist(other, entries(30))
    Processor(model, "main").run(other)
    assert counts(engine) == counts(other)
    with engine.connect() as conn:
        fp = conn.execute(sa.select(fingerprints.c.calls, fingerprints.c.users)).one()
    assert fp.calls == 30 and fp.users == ["u0", "u1", "u2"]


def test_a_failed_batch_leaves_nothing_half_counted(engine: sa.Engine, demo_built: Path) -> None:
    model = Project.load(demo_built).model
    persist(engine, entries(10))
    proc = Processor(model, "main")
    original = proc._write_fingerprints

    def boom(*args: object) -> None:
        original(*args)  # type: ignore[arg-type]
        raise RuntimeError("crash after the graph writes, before the commit")

    proc._write_fingerprints = boom  # type: ignore[method-assign]
    try:
        proc.run(engine)
    except RuntimeError:
        pass
    assert counts(engine)["edge_uses"] == 0 and pending(engine) == 10
    assert Processor(model, "main").run(engine) == 10
    assert node_uses(engine, "metric", "invoice_revenue") == 10


@dataclass(frozen=True)
class FakeExecution:
    query: MetricQuery
    sql: str
    started_at: dt.datetime
    elapsed_ms: float
    rows: int
    error: str | None
    user: str | None
    source: str


def test_recorder_stores_project_executions(project_dir: Path, tmp_path: Path) -> None:
    from metricmind.knowledge.ingest import connect

    engine = connect(f"sqlite:///{tmp_path / 'rec.db'}")
    with Project.load(project_dir) as project:
        recorder = Recorder(engine, project.dialect, "main")
        attach(project.listeners, recorder)
        attach(project.listeners, recorder)
        assert len(project.listeners) == 1
        for _ in range(3):
            project.query("mrr", "customer__segment")
        project.query("invoice_revenue", ["metric_time__month"])
        model = project.model
    with engine.connect() as conn:
        rows = conn.execute(sa.select(query_log.c.source, query_log.c.metrics, query_log.c.group_by)).all()
    assert len(rows) == 4 and {r.source for r in rows} == {PROJECT_SOURCE}
    assert rows[0].metrics == ["mrr"] and rows[0].group_by == ["customer__segment"]
    Processor(model, "main").run(engine)
    assert node_uses(engine, "metric", "mrr") == 3
    assert node_uses(engine, "dimension", "customer__segment") == 3
    assert node_uses(engine, "dimension", "metric_time") == 1


def test_recording_overhead_is_small(tmp_path: Path) -> None:
    from metricmind.knowledge.ingest import connect

    engine = connect(f"sqlite:///{tmp_path / 'overhead.db'}")
    recorder = Recorder(engine, "duckdb", "main")
    query = MetricQuery.build("mrr", "customer__segment")
    now = dt.datetime.now(dt.timezone.utc)
    timings = []
    for i in range(200):
        execution = FakeExecution(query, f"SELECT {i % 20} AS x", now, 3.0, 1, None, "ann", "cli")
        t0 = time.perf_counter()
        recorder.record_execution(execution)
        timings.append((time.perf_counter() - t0) * 1000)
    assert statistics.median(timings) < 2.0, statistics.median(timings)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(query_log)).scalar_one() == 200
        assert conn.execute(sa.select(sa.func.count()).select_from(texts)).scalar_one() == 20


def test_pg_stat_statements_is_read_incrementally(
    engine: sa.Engine, postgres_server: PostgresServer, postgres_url: str
) -> None:
    db = postgres_url.rsplit("/", 1)[1]
    postgres_server.psql(db, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    postgres_server.psql(db, "CREATE TABLE orders (id int, amount numeric, status text)")
    marker = "SELECT status, SUM(amount) AS kg_marker FROM orders GROUP BY status"
    for _ in range(3):
        postgres_server.psql(db, marker)
    dsn = postgres_server.dsn(db)
    source = "pg:test"

    def marker_calls() -> tuple[int, int]:
        with engine.connect() as conn:
            row = conn.execute(
                sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(query_log.c.calls), 0))
                .select_from(query_log.join(texts, texts.c.id == query_log.c.text_id))
                .where(texts.c.sql.like("%kg_marker%"))
            ).one()
        return int(row[0]), int(row[1])

    first = ingest_pg_stats(engine, read_pg_stat_statements(dsn, database=db), source)
    assert first.inserted >= 1
    assert marker_calls() == (1, 3)
    ingest_pg_stats(engine, read_pg_stat_statements(dsn, database=db), source)
    assert marker_calls() == (1, 3)  # nothing new ran: the same counters are not stored again
    for _ in range(2):
        postgres_server.psql(db, marker)
    ingest_pg_stats(engine, read_pg_stat_statements(dsn, database=db), source)
    assert marker_calls() == (2, 5)  # only the two new calls, as one interval record


def test_cli_ingests_snowflake_exports_and_postgres(
    project_dir: Path, tmp_path: Path, postgres_server: PostgresServer, postgres_url: str
) -> None:
    import json

    from typer.testing import CliRunner

    from metricmind.interfaces.cli.app import app

    runner = CliRunner()
    export = tmp_path / "history.csv"
    export.write_text(
        "QUERY_ID,QUERY_TEXT,USER_NAME,START_TIME,TOTAL_ELAPSED_TIME,ROWS_PRODUCED,EXECUTION_STATUS,SCHEMA_NAME\n"
        + "".join(
            f'01b{i:03d},"SELECT segment, COUNT(*) FROM main.dim_customers_canonical GROUP BY segment",ANN,'
            f"2026-06-{1 + i % 28:02d} 10:00:00.000 -0700,{40 + i},4,SUCCESS,MAIN\n"
            for i in range(12)
        )
        + '01bfff,"SELEC broken",BOB,2026-06-02 10:00:00.000 -0700,3,0,FAILED_WITH_ERROR,MAIN\n'
    )

    def ingest(*args: str) -> dict[str, object]:
        result = runner.invoke(app, ["querylog", "ingest", *args, "--json", "-p", str(project_dir)])
        assert result.exit_code == 0, result.output
        data: dict[str, object] = json.loads(result.stdout)
        return data

    first = ingest("--file", str(export), "--format", "snowflake", "--source", "snowflake:prod")
    assert (first["read"], first["inserted"], first["processed"]) == (13, 13, 13)
    again = ingest("--file", str(export))
    assert again["inserted"] == 13  # another source name: another log
    third = ingest("--file", str(export), "--source", "snowflake:prod")
    assert (third["inserted"], third["duplicates"]) == (0, 13)

    db = postgres_url.rsplit("/", 1)[1]
    postgres_server.psql(db, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    postgres_server.psql(db, "SELECT 42 AS kg_cli_marker")
    pg = ingest("--postgres", postgres_server.dsn(db), "--database", db)
    assert str(pg["source"]).startswith("pg:") and int(str(pg["inserted"])) >= 1
    bad = runner.invoke(app, ["querylog", "ingest", "-p", str(project_dir)])
    assert bad.exit_code == 2 and "exactly one of --file or --postgres" in bad.output


def test_a_slow_writer_is_not_skipped_on_postgresql(postgres_url: str, demo_built: Path) -> None:
    import threading

    from metricmind.knowledge.ingest import connect, store_entries

    engine = connect(postgres_url)
    model = Project.load(demo_built).model
    persist(
        engine, entries(1, source="warm")
    )  # the SQL text exists, so the writers do not wait on each other
    assert Processor(model, "main").run(engine) == 1
    slow = engine.connect()
    tx = slow.begin()
    store_entries(slow, entries(1, source="slow"))  # takes the lower id, commits late
    persist(engine, entries(3, source="fast"))
    folded: list[int] = []
    worker = threading.Thread(target=lambda: folded.append(Processor(model, "main").run(engine)))
    worker.start()
    time.sleep(0.5)
    assert worker.is_alive()  # waits for the writer in flight instead of moving past its id
    tx.commit()
    slow.close()
    worker.join(timeout=30)
    assert folded == [4] and pending(engine) == 0
    assert node_uses(engine, "metric", "invoice_revenue") == 5
    engine.dispose()
