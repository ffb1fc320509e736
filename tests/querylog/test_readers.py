"""Query log readers: Snowflake/BigQuery/native exports and pg_stat_statements on a real server."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from metricmind.errors import MetricmindError, WarehouseError
from metricmind.querylog import analyze
from metricmind.querylog.snapshots import deltas
from metricmind.testing.postgres import PostgresServer
from metricmind.warehouse.querylogs import LogFile, detect_format, parse_time, read_pg_stat_statements

DATA = Path(__file__).parent / "data"
UTC = dt.timezone.utc


def test_snowflake_csv_keeps_good_rows_and_names_bad_lines() -> None:
    log = LogFile(DATA / "snowflake_query_history.csv")
    records = list(log)
    assert log.fmt == "snowflake"
    assert [r.query_id for r in records] == ["01b2c3d4-0001", "01b2c3d4-0002", "01b2c3d4-0003"]
    first, second, failed = records
    assert first.started_at == dt.datetime(2026, 11, 1, 17, 0, 0, 123000, tzinfo=UTC)
    assert (first.duration_ms, first.rows, first.user, first.schema, first.dialect) == (
        1500.0,
        12,
        "ANN",
        "ANALYTICS",
        "snowflake",
    )
    assert first.error is None and second.error is None
    assert failed.error == "Object 'NOPE' does not exist"
    # line 5 has a bad START_TIME, line 6 is still running (skipped without a problem)
    assert log.skipped == 2
    assert len(log.problems) == 1
    assert log.problems[0].startswith("snowflake_query_history.csv:5: ValueError")
    facts = analyze(second.sql, second.dialect)
    assert facts.tables == ("analytics.customers", "analytics.orders")


def test_bigquery_jsonl_query_jobs_only() -> None:
    log = LogFile(DATA / "bigquery_jobs.jsonl")
    records = list(log)
    assert log.fmt == "bigquery"
    assert [r.query_id for r in records] == ["bquxjob_1", "bquxjob_2", "bquxjob_5"]
    ok, failed, epoch = records
    assert ok.duration_ms == pytest.approx(2500.0)
    assert ok.schema == "events" and ok.user == "ann@example.com" and ok.dialect == "bigquery"
    assert failed.error == "Not found: Table proj:events.missing"
    assert epoch.started_at == dt.datetime.fromtimestamp(1793700000, UTC)
    assert log.skipped == 4  # load job, not JSON, missing creation_time, array
    assert [p.split(":")[1] for p in log.problems] == ["4", "5", "6"]
    assert "not JSON" in log.problems[0] and "creation_time" in log.problems[1]
    assert analyze(ok.sql, ok.dialect).grain == "day"


def test_native_jsonl() -> None:
    log = LogFile(DATA / "native.jsonl")
    records = list(log)
    assert log.fmt == "native"
    assert [(r.query_id, r.calls, r.rows, r.duration_ms) for r in records] == [
        ("n1", 1, 1, 12.5),
        ("n2", 3, 7, 3.0),
        ("n3", 1, None, None),
    ]
    assert records[2].error and records[0].schema == "main"
    assert log.problems == ["native.jsonl:4: KeyError: 'query_id'"]
    assert analyze(records[2].sql, "duckdb").ok is False


def test_format_given_dialect_override_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    path.write_text(json.dumps({"query_id": "a", "sql": "select 1", "started_at": "2026-01-01"}) + "\n")
    (record,) = list(LogFile(path, fmt="native", dialect="postgres"))
    assert record.dialect == "postgres"
    with pytest.raises(MetricmindError, match="unknown query log format"):
        LogFile(path, fmt="redshift")
    with pytest.raises(MetricmindError, match="does not exist"):
        LogFile(tmp_path / "missing.csv")
    bad = tmp_path / "other.jsonl"
    bad.write_text('{"foo": 1}\n')
    with pytest.raises(MetricmindError, match="cannot tell the query log format"):
        list(LogFile(bad))
    assert detect_format(["QUERY_ID", "QUERY_TEXT"]) == "snowflake"
    assert detect_format(["job_id", "query"]) == "bigquery"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-01 10:00:00 UTC", dt.datetime(2026, 11, 1, 10, tzinfo=UTC)),
        ("2026-11-01T10:00:00Z", dt.datetime(2026, 11, 1, 10, tzinfo=UTC)),
        ("2026-11-01 10:00:00.123456789 -0700", dt.datetime(2026, 11, 1, 17, 0, 0, 123456, tzinfo=UTC)),
        ("1793700000", dt.datetime.fromtimestamp(1793700000, UTC)),
        (1793700000500, dt.datetime.fromtimestamp(1793700000.5, UTC)),
    ],
)
def test_parse_time(text: object, expected: dt.datetime) -> None:
    assert parse_time(text) == expected


def test_pg_stat_statements_incremental_and_idempotent(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    db = postgres_url.rsplit("/", 1)[1]
    postgres_server.psql(db, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    postgres_server.psql(db, "CREATE TABLE orders (id int, amount numeric, status text)")
    postgres_server.psql(db, "INSERT INTO orders VALUES (1, 10, 'paid'), (2, 5, 'open')")
    marker = "SELECT status, SUM(amount) FROM orders WHERE status = 'paid' GROUP BY status"
    for _ in range(3):
        postgres_server.psql(db, marker)

    def ours(stats: list) -> list:  # type: ignore[type-arg]
        return [s for s in stats if "sum(amount)" in s.sql.lower() and "orders" in s.sql.lower()]

    first = read_pg_stat_statements(postgres_server.dsn(db), database=db)
    assert all(s.database == db for s in first)
    (stat,) = ours(first)
    assert stat.calls == 3 and stat.user == "postgres" and "$1" in stat.sql
    records, cursor = deltas(first, {})
    (rec,) = ours(records)
    assert rec.calls == 3 and rec.dialect == "postgres"
    facts = analyze(rec.sql, "postgres", default_schema="public")
    assert facts.tables == ("public.orders",)

    # nothing new ran for that statement: reading again adds nothing for it
    again, cursor2 = deltas(read_pg_stat_statements(postgres_server.dsn(db), database=db), cursor)
    assert ours(again) == []
    # the same snapshot read twice yields the same ids (idempotent for the store)
    assert [r.query_id for r in deltas(first, {})[0]] == [r.query_id for r in records]

    for _ in range(2):
        postgres_server.psql(db, marker.replace("'paid'", "'open'"))
    (delta,) = ours(deltas(read_pg_stat_statements(postgres_server.dsn(db), database=db), cursor2)[0])
    assert delta.calls == 2 and delta.query_id != rec.query_id

    # a reset starts counting again from zero
    postgres_server.psql(db, "SELECT pg_stat_statements_reset()")
    postgres_server.psql(db, marker)
    after = read_pg_stat_statements(postgres_server.dsn(db), database=db)
    (fresh,) = ours(deltas(after, cursor2)[0])
    assert fresh.calls == 1


def test_pg_stat_statements_errors(postgres_server: PostgresServer) -> None:
    with pytest.raises(WarehouseError, match="cannot read pg_stat_statements"):
        read_pg_stat_statements(f"host=127.0.0.1 port={postgres_server.port} user=postgres dbname=nope_db")


def test_csv_multiline_sql_bom_and_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    path.write_text(
        "\ufeffQUERY_ID,QUERY_TEXT,START_TIME,EXECUTION_STATUS\n"
        'a,"SELECT region,\n       SUM(amount)\nFROM orders\nGROUP BY region",2026-11-01 10:00:00,SUCCESS\n'
        "b,SELECT 1,yesterday,SUCCESS\n"
        'c,"select\n2",2026-11-01 10:00:02,SUCCESS\n',
        encoding="utf-8",
    )
    log = LogFile(path)
    records = list(log)
    assert [r.query_id for r in records] == ["a", "c"]
    assert records[0].sql.startswith("SELECT region,\n")
    assert analyze(records[0].sql, "snowflake").dimensions[0].expr == "region"
    assert log.problems == ["history.csv:6: ValueError: Invalid isoformat string: 'yesterday'"]


def test_empty_files(tmp_path: Path) -> None:
    for name in ("empty.csv", "empty.jsonl"):
        (tmp_path / name).write_text("")
        log = LogFile(tmp_path / name)
        assert list(log) == [] and log.skipped == 0 and log.fmt is None
