"""Engine parity: the same compiled ``MetricQuery`` returns the same rows on DuckDB, Spark and PostgreSQL.

A representative subset of ``bench/engines.py``'s suite (``EngineQuery.ci``), one query or more of
every class; the whole suite runs with ``.venv/bin/python bench/engines.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from metricmind.project import Project
from metricmind.testing.engines import QUERIES, EngineQuery, same_rows
from metricmind.testing.postgres import PostgresServer, copy_duckdb_to_postgres
from metricmind.warehouse.postgres import PostgresWarehouse
from metricmind.warehouse.spark import SparkWarehouse
from tests.warehouse.conftest import SparkDemo

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

SUBSET = [q for q in QUERIES if q.ci]


@pytest.fixture(scope="module")
def duck(spark_demo: SparkDemo) -> Iterator[Project]:
    with Project.load(spark_demo.project_dir) as project:
        yield project


@pytest.fixture(scope="module")
def spark(spark_demo: SparkDemo) -> Iterator[SparkWarehouse]:
    with SparkWarehouse(spark_demo.url, read_only=True) as wh:
        yield wh


@pytest.fixture(scope="module")
def postgres(spark_demo: SparkDemo, postgres_server: PostgresServer) -> Iterator[PostgresWarehouse]:
    postgres_server.psql("postgres", "CREATE DATABASE engines")
    dsn = postgres_server.dsn("engines")
    copy_duckdb_to_postgres(spark_demo.project_dir / "target" / "warehouse.duckdb", dsn)
    with PostgresWarehouse(dsn, read_only=True) as wh:
        yield wh
    postgres_server.psql("postgres", "DROP DATABASE IF EXISTS engines WITH (FORCE)")


def test_the_subset_covers_every_class() -> None:
    assert {q.kind for q in QUERIES} - {q.kind for q in SUBSET} <= {"join", "filter", "order and limit"}
    assert 12 <= len(SUBSET) <= 20


@pytest.mark.parametrize("case", SUBSET, ids=[f"{q.kind}: {q.name}" for q in SUBSET])
def test_same_rows_on_duckdb_spark_and_postgres(
    case: EngineQuery, duck: Project, spark: SparkWarehouse, postgres: PostgresWarehouse
) -> None:
    query = case.query()
    expected = duck.run(query)
    assert expected.rows, "a comparison over no rows proves nothing"
    ordered = bool(query.order_by)
    on_spark = spark.run(duck.compile(query, "spark"))
    assert on_spark.columns == expected.columns
    assert same_rows(on_spark.rows, expected.rows, ordered=ordered) is None, same_rows(
        on_spark.rows, expected.rows, ordered=ordered
    )
    on_postgres = postgres.run(duck.compile(query, "postgres"))
    assert same_rows(on_postgres.rows, expected.rows, ordered=ordered) is None, same_rows(
        on_postgres.rows, expected.rows, ordered=ordered
    )
