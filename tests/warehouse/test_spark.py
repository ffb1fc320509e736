"""The Spark adapter against a real local Spark Connect server holding the demo's tables."""

from __future__ import annotations

import datetime as dt
import decimal
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from metricmind.errors import WarehouseError
from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from metricmind.testing.engines import same_rows
from metricmind.warehouse import connect
from metricmind.warehouse.spark import SparkWarehouse
from tests.warehouse.conftest import SparkDemo

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def spark(spark_demo: SparkDemo) -> Iterator[SparkWarehouse]:
    with SparkWarehouse(spark_demo.url, read_only=True) as wh:
        yield wh


def test_rows_names_types_and_timing(spark: SparkWarehouse) -> None:
    result = spark.run(
        "select segment, count(*) as customers, min(signup_date) as first_day, sum(current_mrr) as mrr "
        "from main.dim_customers_canonical group by segment order by segment"
    )
    assert result.columns == ["segment", "customers", "first_day", "mrr"]
    assert result.types[:3] == ["STRING", "BIGINT", "DATE"]
    assert result.types[3].startswith("DECIMAL(")
    assert len(result.rows) == 3
    segment, customers, first_day, mrr = result.rows[0]
    assert isinstance(segment, str) and customers > 0
    assert isinstance(first_day, dt.date) and isinstance(mrr, decimal.Decimal)
    assert result.elapsed_ms > 0


def test_the_same_rows_as_duckdb_for_a_table(spark: SparkWarehouse, spark_demo: SparkDemo) -> None:
    sql = "select customer_id, segment, current_mrr from main.dim_customers_canonical"
    with connect(
        "duckdb", path=spark_demo.project_dir / "target" / "warehouse.duckdb", read_only=True
    ) as duck:
        expected = duck.run(sql).rows
    assert expected
    assert same_rows(spark.run(sql).rows, expected) is None


def test_arrow(spark: SparkWarehouse) -> None:
    table = spark.arrow("select user_id, role from main.dim_users where user_id < 5")
    assert table.column_names == ["user_id", "role"]
    assert 0 < table.num_rows <= 4


def test_tables_lists_the_loaded_tables_with_columns(spark: SparkWarehouse, spark_demo: SparkDemo) -> None:
    tables = spark.tables("main")
    assert [t.qualified for t in tables] == sorted(spark_demo.tables)
    events = next(t for t in tables if t.name == "fct_user_events_canonical")
    assert events.column("occurred_at") is not None
    assert events.column("user_id") is not None and events.column("user_id").type == "BIGINT"  # type: ignore[union-attr]
    assert {t.schema for t in spark.tables()} >= {"main"}


def test_errors_name_the_statement_and_give_a_hint(spark: SparkWarehouse) -> None:
    with pytest.raises(
        WarehouseError, match="TABLE_OR_VIEW_NOT_FOUND.*in: select x from main.nowhere"
    ) as info:
        spark.run("select x from main.nowhere")
    assert info.value.hint and "SHOW TABLES" in info.value.hint
    with pytest.raises(WarehouseError, match="PARSE_SYNTAX_ERROR") as info:
        spark.run("select 1 +")
    assert info.value.hint and "--dialect spark" in info.value.hint
    with pytest.raises(WarehouseError, match="cannot list Spark tables of schema 'nope'"):
        spark.tables("nope")


def test_read_only_refuses_writes_before_spark_sees_them(spark: SparkWarehouse) -> None:
    for sql in (
        "create table main.x (a int)",
        "/* select */ drop table main.dim_users",
        "insert into main.dim_users select * from main.dim_users",
    ):
        with pytest.raises(WarehouseError, match="not a read on a read-only Spark session"):
            spark.run(sql)
    assert spark.run("-- a comment\n with a as (select 1 as n) select n from a").scalar() == 1
    assert spark.run("(select 2)").scalar() == 2
    assert "dim_users" in {t.name for t in spark.tables("main")}


def test_connect_by_registry_name_and_close(spark_demo: SparkDemo) -> None:
    wh = connect("spark", url=spark_demo.url)
    assert isinstance(wh, SparkWarehouse) and wh.dialect == "spark"
    assert wh.run("select 41 + 1").scalar() == 42
    wh.close()
    with pytest.raises(WarehouseError, match="closed"):
        wh.run("select 1")


def test_no_url_and_an_unreachable_server_are_clear_errors() -> None:
    with pytest.raises(WarehouseError, match="no Spark URL") as info:
        SparkWarehouse()
    assert info.value.hint and "warehouse.url" in info.value.hint
    with pytest.raises(WarehouseError, match=r"Spark at sc://127.0.0.1:9/;token=\*\*\*") as info:
        SparkWarehouse("sc://127.0.0.1:9/;token=secret", conf={"spark.sql.ansi.enabled": "true"})
    assert "secret" not in str(info.value)
    with pytest.raises(WarehouseError, match="cannot connect to Spark at sc://: not an sc://host:port URL"):
        SparkWarehouse("sc://", connect_timeout=1)


def test_a_project_configured_for_spark_runs_metric_queries(spark_demo: SparkDemo, tmp_path: Path) -> None:
    root = tmp_path / "demo"
    shutil.copytree(spark_demo.project_dir, root, ignore=shutil.ignore_patterns("target", ".metricmind"))
    (root / "metricmind.yml").write_text(
        f"name: saas_demo\nwarehouse:\n  type: spark\n  url: {spark_demo.url}\n  schema: main\n"
    )
    query = MetricQuery.build("mrr,new_customers", "metric_time__quarter,customer__segment")
    with Project.load(root) as on_spark, Project.load(spark_demo.project_dir) as on_duckdb:
        assert on_spark.dialect == "spark"
        got = on_spark.run(query)
        expected = on_duckdb.run(query)
    assert expected.rows and got.columns == expected.columns
    assert same_rows(got.rows, expected.rows) is None
