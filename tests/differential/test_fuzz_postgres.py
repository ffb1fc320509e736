"""The PostgreSQL leg of the fuzzer (``bench/differential_fuzz.py --postgres``): fuzzed queries over the shop
and helpdesk samples, compiled for PostgreSQL and run on a real server holding a copy of the DuckDB data,
give DuckDB's rows. Also what it found or checks by name: an entity named like a reserved word
(``order``) is quoted (``SELECT order`` failed on PostgreSQL), a derived metric dividing two integers keeps
its fraction (PostgreSQL's integer division gave 1 for 1.63), and date parts give DuckDB's integers.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from metricmind.testing.engines import same_rows
from metricmind.testing.mffuzz import Generator, Sample, build_sample, describe
from metricmind.testing.pgleg import load_sample, run_leg
from metricmind.testing.postgres import PostgresServer
from metricmind.warehouse.postgres import PostgresWarehouse

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

SEED = 7
QUERIES = 40
INTEGER_DIVISION = """
metrics:
  - name: orders_per_orderer
    label: Orders per ordering customer
    type: derived
    type_params:
      expr: orders / ordering_customers
      metrics: [{name: orders}, {name: ordering_customers}]
"""


@pytest.fixture(scope="module")
def loaded(
    postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, tuple[Sample, str]]]:
    out = {}
    for name in ("shop", "helpdesk"):
        sample = build_sample(name, tmp_path_factory.mktemp("pgleg"))
        if name == "shop":
            (sample.root / "models" / "pg_extra.yml").write_text(INTEGER_DIVISION)
        out[name] = (sample, load_sample(sample, postgres_server))
    yield out
    for name in out:
        postgres_server.psql("postgres", f"DROP DATABASE IF EXISTS fuzz_{name} WITH (FORCE)")


@pytest.mark.parametrize("name", ["shop", "helpdesk"])
def test_fuzzed_queries_give_duckdb_rows_on_postgres(
    loaded: dict[str, tuple[Sample, str]], name: str
) -> None:
    sample, dsn = loaded[name]
    with Project.load(sample.root) as project:
        queries = Generator(project, SEED).queries(QUERIES)
    found = run_leg(sample, queries, dsn)
    assert sum(o.category == "equal" for o in found) >= QUERIES // 2, [o.category for o in found]
    bad = [o for o in found if o.category in ("different", "postgres_failed")]
    assert not bad, "\n".join(f"{o.category}: {describe(o.query)}\n  {o.detail[:300]}" for o in bad)


SHOP_QUERIES = [
    MetricQuery.build(["revenue_at_month_start_delta"], ["metric_time__quarter", "order"]),
    MetricQuery.build(["revenue", "orders"], ["order", "customer__segment"]),
    MetricQuery.build(["revenue_per_customer"], ["metric_time__extract_dow", "metric_time__extract_year"]),
    MetricQuery.build(
        ["net_revenue"],
        ["customer__signup_date__extract_quarter"],
        where=["{{ TimeDimension('metric_time', date_part_name='doy') }} <= 100"],
    ),
    MetricQuery.build(["visit_to_order_rate"], ["metric_time__extract_month"]),
    # a derived metric dividing two integers (orders / ordering customers): PostgreSQL's `/` dropped the fraction
    MetricQuery.build(["orders_per_orderer"], ["metric_time__month"]),
]


@pytest.mark.parametrize("query", SHOP_QUERIES, ids=describe)
def test_reserved_names_and_date_parts_on_postgres(
    loaded: dict[str, tuple[Sample, str]], query: MetricQuery
) -> None:
    sample, dsn = loaded["shop"]
    with Project.load(Path(sample.root)) as project, PostgresWarehouse(dsn) as pg:
        pg.execute("SET TIME ZONE 'UTC'")
        duck = project.run(query)
        got = pg.run(project.compile(query, dialect="postgres"))
    assert duck.rows, "a check over no rows proves nothing"
    assert got.columns == list(duck.columns)
    assert same_rows(duck.rows, got.rows) is None
    if any("extract_" in g for g in query.group_by):
        assert all(isinstance(r[0], int) for r in got.rows), got.rows[:3]
