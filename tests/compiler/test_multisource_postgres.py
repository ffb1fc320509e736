"""Queries combining metrics of two, three and four semantic models run on a real PostgreSQL server and
give DuckDB's rows for the same data (the placeholders of combined steps carry their column's type).
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import shutil
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from metricmind.testing.postgres import PostgresServer
from tests.compiler.marketplace import statements, write_project

SHAPES: list[tuple[str, dict[str, Any]]] = [
    ("two sources, count and sum", {"metrics": "order_count,revenue", "group_by": "metric_time__month"}),
    ("three sources, counts and sums", {"metrics": "order_count,revenue,inventory_rows"}),
    (
        "three sources by month",
        {"metrics": "order_count,revenue,inventory_rows", "group_by": "metric_time__month"},
    ),
    (
        "four sources by week",
        {"metrics": "order_count,revenue,inventory_rows,product_count", "group_by": "metric_time__week"},
    ),
    (
        "four sources with an average, ungrouped",
        {"metrics": "order_count,units,inventory_rows,average_list_price"},
    ),
    (
        "cross-model ratio with two more sources",
        {"metrics": "revenue_per_order,inventory_rows,product_count", "group_by": "metric_time__month"},
    ),
    (
        "derived over two models with two more",
        {"metrics": "revenue_and_shipping,inventory_rows,product_count", "group_by": "metric_time__month"},
    ),
    (
        "ratio whose parts are two models, and a snapshot",
        {"metrics": "units_per_stock,order_count,revenue", "group_by": "metric_time__month"},
    ),
    (
        "three sources by a shared dimension",
        {"metrics": "line_count,inventory_rows,product_count", "group_by": "product__category"},
    ),
    (
        "filtered, three sources",
        {
            "metrics": "units,inventory_rows,product_count",
            "group_by": "product__category",
            "where": "{{ Dimension('product__category') }} <> 'toys'",
        },
    ),
]


@pytest.fixture(scope="module")
def duck(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    with Project.load(write_project(tmp_path_factory.mktemp("ms") / "market")) as project:
        yield project


@pytest.fixture(scope="module")
def pg(
    duck: Project, postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Project]:
    name = "multisource"
    postgres_server.psql("postgres", f"CREATE DATABASE {name}")
    url = f"postgresql://postgres@127.0.0.1:{postgres_server.port}/{name}"
    with psycopg.connect(url, autocommit=True) as con:
        for table, ddl, rows in statements():
            con.execute(ddl)
            with con.cursor() as cur:
                cur.executemany(f"insert into {table} values ({', '.join(['%s'] * len(rows[0]))})", rows)
    root = tmp_path_factory.mktemp("ms_pg") / "market"
    shutil.copytree(duck.root, root, ignore=shutil.ignore_patterns("target", ".metricmind"))
    (root / "metricmind.yml").write_text(f"name: marketplace\nwarehouse:\n  type: postgres\n  dsn: {url}\n")
    with Project.load(root) as project:
        assert project.dialect == "postgres"
        yield project
    postgres_server.psql("postgres", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def norm(value: Any) -> Any:
    """Compare values across engines: timestamps at midnight as dates, numbers as floats."""
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date()
    if isinstance(value, decimal.Decimal | int | float) and not isinstance(value, bool):
        return float(value)
    return value


def same(a: list[tuple[Any, ...]], b: list[tuple[Any, ...]]) -> bool:
    if len(a) != len(b):
        return False
    for ra, rb in zip(a, b, strict=True):
        for x, y in zip(map(norm, ra), map(norm, rb), strict=True):
            if isinstance(x, float) and isinstance(y, float):
                if not math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9):
                    return False
            elif x != y:
                return False
    return True


@pytest.mark.parametrize(("name", "query"), SHAPES, ids=[s[0] for s in SHAPES])
def test_multi_source_rows_on_postgres_equal_duckdb(
    name: str, query: dict[str, Any], duck: Project, pg: Project
) -> None:
    q = MetricQuery.build(**query)
    ours = pg.run(q)
    expected = duck.run(q)
    assert expected.rows, "a check over no rows proves nothing"
    assert ours.columns == expected.columns
    assert same(ours.rows, expected.rows), f"{ours.rows}\n!=\n{expected.rows}\n{ours.sql}"


def test_a_bare_null_placeholder_fails_on_postgres(pg: Project) -> None:
    """Why the placeholders are typed: PostgreSQL types NULL meeting NULL in a UNION as text."""
    with (
        pytest.raises(psycopg.errors.DatatypeMismatch, match="UNION types text and bigint"),
        psycopg.connect(str(pg.setting("warehouse.dsn"))) as con,
    ):
        con.execute(
            "select 1 as k, count(*) as a, null as b, null as c from orders union all "
            "select 1, null, sum(quantity), null from order_lines union all "
            "select 1, null, null, count(*) from inventory_daily"
        )


def test_the_first_branch_types_every_column_in_every_dialect(duck: Project) -> None:
    """Its placeholders are typed NULLs of the other steps' columns; later branches' NULLs take them."""
    from metricmind.compiler import DIALECTS

    q = MetricQuery.build("order_count,revenue,inventory_rows,product_count", "metric_time__month")
    for dialect in sorted(DIALECTS):
        sql = duck.compile(q, dialect, pretty=False).upper()
        first = sql[sql.index("FROM (SELECT") : sql.index("UNION ALL")]
        assert " NULL AS " not in first, dialect
        assert first.count("WHERE FALSE") == 3, dialect  # the three columns of the other steps
