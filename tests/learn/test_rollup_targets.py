"""A routed read is written in the dialect of the warehouse the rollup lives in: Spark reads name
columns and tables with backquotes (a double-quoted name is a string literal in Spark SQL)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlglot
from sqlglot import exp

from metricmind.learn.rollup import Rollup, RollupSpec, route
from metricmind.spec.query import MetricQuery

SPEC = RollupSpec("revenue", ("metric_time__day", "customer__segment"), reagg="SUM")
ROLLUP = Rollup(
    SPEC,
    "r_0123456789abcdef_1",
    {"metric_time__day": "date", "customer__segment": "string", "revenue": "decimal(38,2)"},
    "sha",
    "spark:v",
    10,
    "2026-12-06T00:00:00+00:00",
    extra={"backend": "spark", "schema": "metricmind_rollups", "kind": "table"},
)
SEG = "{{ Dimension('customer__segment') }} = 'Enterprise'"


@pytest.mark.parametrize(
    "query",
    [
        MetricQuery.build("revenue", ["metric_time__month", "customer__segment"]),
        MetricQuery.build("revenue", "metric_time__quarter", where=SEG),
        MetricQuery.build("revenue", "metric_time__day", order_by="-revenue"),
    ],
    ids=["coarser", "filtered", "ordered"],
)
def test_a_spark_read_names_everything_with_backquotes(query: MetricQuery) -> None:
    sql = route(ROLLUP, query, (dt.date(2025, 1, 1), None), "duckdb", "spark")
    assert sql is not None and '"' not in sql
    tree = sqlglot.parse_one(sql, dialect="spark")
    table = tree.find(exp.Table)
    assert table is not None and (table.db, table.name) == ("metricmind_rollups", ROLLUP.table)
    names = {c.name for c in tree.find_all(exp.Column)}
    assert names <= {*SPEC.group_by, "revenue", "metric_time__month", "metric_time__quarter"} and names
    assert not list(tree.find_all(exp.Literal)) or all(
        lit.this not in {*SPEC.group_by, "revenue"} for lit in tree.find_all(exp.Literal)
    )
    # the same read for PostgreSQL keeps double quotes
    pg = route(ROLLUP, query, (dt.date(2025, 1, 1), None), "duckdb", "postgres")
    assert pg is not None and '"metricmind_rollups"' in pg and "`" not in pg
