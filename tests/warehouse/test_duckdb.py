from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
import threading
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from metricmind.errors import WarehouseError
from metricmind.warehouse import Result, Warehouse
from metricmind.warehouse.duckdb import DuckDBWarehouse


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "wh.duckdb"
    with DuckDBWarehouse(path, read_only=False) as wh:
        wh.execute("create schema raw")
        wh.execute("create table raw.orders (id integer, amount decimal(10, 2), day date)")
        wh.execute(
            "insert into raw.orders values (1, 10.50, date '2024-01-01'), (2, 4.25, date '2024-01-02')"
        )
        wh.execute("create view main.big_orders as select * from raw.orders where amount > 5")
    return path


def test_implements_the_protocol() -> None:
    with DuckDBWarehouse() as wh:
        assert isinstance(wh, Warehouse)
        assert wh.dialect == "duckdb"


def test_run_returns_rows_columns_types_and_timing(db: Path) -> None:
    with DuckDBWarehouse(db) as wh:
        result = wh.run("select id, amount, day from raw.orders order by id")
    assert isinstance(result, Result)
    assert result.columns == ["id", "amount", "day"]
    assert result.types == ["INTEGER", "DECIMAL(10,2)", "DATE"]
    assert result.rows == [
        (1, Decimal("10.50"), dt.date(2024, 1, 1)),
        (2, Decimal("4.25"), dt.date(2024, 1, 2)),
    ]
    assert result.elapsed_ms > 0
    assert len(result) == 2
    assert result.records()[0] == {"id": 1, "amount": Decimal("10.50"), "day": dt.date(2024, 1, 1)}
    assert DuckDBWarehouse(db).run("select count(*) from raw.orders").scalar() == 2


def test_statements_report_what_duckdb_returns() -> None:
    with DuckDBWarehouse() as wh:
        wh.run("create table t (x integer)")
        inserted = wh.run("insert into t values (1), (2)")
    assert inserted.scalar() == 2


def test_arrow(db: Path) -> None:
    with DuckDBWarehouse(db) as wh:
        table = wh.arrow("select id, amount from raw.orders order by id")
    assert isinstance(table, pa.Table)
    assert table.column("id").to_pylist() == [1, 2]
    assert table.schema.field("amount").type == pa.decimal128(10, 2)


def test_tables_lists_tables_and_views_with_columns(db: Path) -> None:
    with DuckDBWarehouse(db) as wh:
        every = wh.tables()
        raw = wh.tables("raw")
    assert [t.qualified for t in every] == ["main.big_orders", "raw.orders"]
    assert [t.qualified for t in raw] == ["raw.orders"]
    orders = raw[0]
    assert [(c.name, c.type) for c in orders.columns] == [
        ("id", "INTEGER"),
        ("amount", "DECIMAL(10,2)"),
        ("day", "DATE"),
    ]
    assert orders.row_count == 2
    assert orders.column("AMOUNT") is not None and orders.column("nope") is None
    assert every[0].row_count is None  # a view


def test_read_only_refuses_writes(db: Path) -> None:
    with DuckDBWarehouse(db) as wh:
        with pytest.raises(WarehouseError, match="read-only") as info:
            wh.execute("drop table raw.orders")
        assert "build steps" in (info.value.hint or "")
        with pytest.raises(WarehouseError, match="read-only"):
            wh.load_arrow("raw", "x", pa.table({"a": [1]}))
        with pytest.raises(WarehouseError):
            wh.run("insert into raw.orders values (3, 1, date '2024-01-03')")


def test_load_arrow_replaces_and_appends(tmp_path: Path) -> None:
    with DuckDBWarehouse(tmp_path / "load.duckdb", read_only=False) as wh:
        wh.load_arrow("raw", "items", pa.table({"a": [1, 2], "b": ["x", "y"]}))
        wh.load_arrow("raw", "items", pa.table({"b": ["z"], "a": [3]}), append=True)
        assert wh.run("select a, b from raw.items order by a").rows == [(1, "x"), (2, "y"), (3, "z")]
        elapsed = wh.load_arrow("raw", "items", pa.table({"a": [9], "b": ["w"]}))
        assert elapsed >= 0
        assert wh.run("select a, b from raw.items").rows == [(9, "w")]
        codes = pa.DictionaryArray.from_arrays(pa.array([0, 1, 0], type=pa.int32()), pa.array(["web", "ios"]))
        wh.load_arrow("raw", "events", pa.table({"platform": codes}))
        assert wh.run("select typeof(platform), count(*) from raw.events group by 1").rows == [("VARCHAR", 3)]


def test_errors_name_the_statement(db: Path) -> None:
    with DuckDBWarehouse(db) as wh:
        with pytest.raises(WarehouseError) as info:
            wh.run("select nope from raw.orders\nwhere 1 = 1")
    message = str(info.value)
    assert "nope" in message and "select nope from raw.orders" in message
    assert "where 1 = 1" not in message


def test_missing_file_read_only(tmp_path: Path) -> None:
    with pytest.raises(WarehouseError, match="does not exist") as info:
        DuckDBWarehouse(tmp_path / "missing.duckdb")
    assert "metricmind demo" in (info.value.hint or "")


def test_not_a_duckdb_file(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.duckdb"
    bogus.write_text("hello, not a database" * 100)
    with pytest.raises(WarehouseError, match="cannot open"):
        DuckDBWarehouse(bogus)


def test_closed_warehouse(db: Path) -> None:
    wh = DuckDBWarehouse(db)
    wh.close()
    wh.close()
    with pytest.raises(WarehouseError, match="closed"):
        wh.run("select 1")


def test_concurrent_reads_from_threads(db: Path) -> None:
    results: list[int] = []
    with DuckDBWarehouse(db) as wh:

        def work() -> None:
            for _ in range(20):
                results.append(int(wh.run("select sum(id) from raw.orders").scalar()))

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert results == [3] * 80


def test_a_writer_in_another_process_locks_readers_out(db: Path) -> None:
    script = textwrap.dedent(f"""
        import sys, time
        from metricmind.warehouse.duckdb import DuckDBWarehouse
        wh = DuckDBWarehouse({str(db)!r}, read_only=False)
        print("ready", flush=True)
        sys.stdin.readline()
    """)
    writer = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        with pytest.raises(WarehouseError) as info:
            DuckDBWarehouse(db)
        assert "Another process is writing" in (info.value.hint or "")
    finally:
        assert writer.stdin is not None
        writer.stdin.write("\n")
        writer.stdin.close()
        writer.wait(timeout=30)
    with DuckDBWarehouse(db) as wh:
        assert wh.run("select count(*) from raw.orders").scalar() == 2
