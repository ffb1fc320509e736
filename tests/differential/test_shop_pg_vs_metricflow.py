"""The shop on PostgreSQL: built by dbt-postgres, queried by metricmind and by MetricFlow, rows compared.

The same compiler cases as the DuckDB differential (``test_shop_vs_metricflow.py``), plus queries that
combine metrics of two, three and four semantic models (counts, sums, ratios, derived) — the shapes whose
untyped NULL placeholders PostgreSQL once refused (``UNION types text and bigint cannot be matched``).
Both engines read the database dbt built, so column types are what a dbt-postgres user has.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from metricmind.testing.metricflow import MFQuery, MFResult, build_with_dbt, compare_results, run_metricflow
from metricmind.testing.postgres import PostgresServer
from tests.differential.conftest import SHOP_DIR
from tests.differential.test_shop_vs_metricflow import SUPPORTED

SCHEMA = "mart"

MULTI_SOURCE: list[tuple[str, dict[str, Any]]] = [
    ("two sources by month", {"metrics": ["revenue", "visits"], "group_by": ["metric_time__month"]}),
    (
        "three sources by month",
        {"metrics": ["revenue", "visits", "items_sold"], "group_by": ["metric_time__month"]},
    ),
    (
        "four sources by month",
        {"metrics": ["revenue", "visits", "items_sold", "new_customers"], "group_by": ["metric_time__month"]},
    ),
    (
        "three counts by segment",
        {"metrics": ["orders", "visits", "new_customers"], "group_by": ["customer__segment"]},
    ),
    (
        "ratio, derived and a count from three sources",
        {
            "metrics": ["orders_per_visit", "items_per_order", "new_customers"],
            "group_by": ["metric_time__month"],
        },
    ),
    ("four sources, no group-by", {"metrics": ["revenue", "visits", "items_sold", "new_customers"]}),
]

CASES = SUPPORTED + MULTI_SOURCE


@pytest.fixture(scope="module")
def shop_pg(
    postgres_server: PostgresServer, mf_env: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Project, dict[str, Any]]:
    db = "shop_pg_diff"
    postgres_server.psql("postgres", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
    postgres_server.psql("postgres", f"CREATE DATABASE {db}")
    conn = {
        "host": "127.0.0.1",
        "port": postgres_server.port,
        "user": "postgres",
        "password": "",
        "dbname": db,
    }
    scratch = tmp_path_factory.mktemp("shop_pg")
    build_with_dbt(SHOP_DIR, scratch / "unused.duckdb", schema=SCHEMA, postgres=conn)
    copy = scratch / "shop"
    shutil.copytree(SHOP_DIR, copy, ignore=shutil.ignore_patterns("target", ".metricmind"))
    settings = yaml.safe_load((copy / "metricmind.yml").read_text())
    settings["warehouse"] = {"type": "postgres", "dsn": postgres_server.dsn(db), "schema": SCHEMA}
    (copy / "metricmind.yml").write_text(yaml.safe_dump(settings))
    return Project.load(copy), conn


@pytest.fixture(scope="module")
def mf_pg(shop_pg: tuple[Project, dict[str, Any]]) -> dict[str, MFResult]:
    project, conn = shop_pg
    queries = [MFQuery.from_query(n, MetricQuery.build(**q)) for n, q in CASES]
    dummy = project.root / "target" / "unused.duckdb"
    return {r.id: r for r in run_metricflow(project.root, dummy, queries, schema=SCHEMA, postgres=conn)}


def test_the_project_runs_on_postgres(shop_pg: tuple[Project, dict[str, Any]]) -> None:
    project, _ = shop_pg
    assert project.dialect == "postgres"
    result = project.run(MetricQuery.build("revenue", ["customer__segment"]))
    assert len(result.rows) == 3 and all(r[1] > 0 for r in result.rows)


@pytest.mark.parametrize(("name", "query"), CASES, ids=[n for n, _ in CASES])
def test_same_rows_as_metricflow_on_postgres(
    name: str, query: dict[str, Any], shop_pg: tuple[Project, dict[str, Any]], mf_pg: dict[str, MFResult]
) -> None:
    project, _ = shop_pg
    mf = mf_pg[name]
    assert mf.error is None, mf.error
    ours = project.run(MetricQuery.build(**query))
    assert mf.rows or not ours.rows, "MetricFlow returned no rows"
    diffs = compare_results(ours.columns, ours.rows, mf.columns, mf.rows, ordered=bool(query.get("order_by")))
    assert not diffs, "\n".join([*diffs, "-- ours --", ours.sql, "-- MetricFlow --", mf.sql])


def test_dates_come_back_as_dates(shop_pg: tuple[Project, dict[str, Any]]) -> None:
    project, _ = shop_pg
    rows = project.run(MetricQuery.build("revenue", ["metric_time__month"])).rows
    assert rows and all(isinstance(r[0], dt.date) for r in rows)
