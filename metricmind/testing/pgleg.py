"""The PostgreSQL leg of the differential fuzzer: the same queries' SQL compiled for PostgreSQL and run on a
real server holding a copy of the sample's DuckDB data must give DuckDB's rows.

:func:`load_sample` copies a sample's warehouse (tables, and views as tables of their rows) into a fresh
database; :func:`run_leg` compiles every query for ``postgres``, runs it there and compares its rows with
the DuckDB run's (numbers as floats, midnight timestamps as dates). ``bench/differential_fuzz.py
--postgres`` prints the figures; ``tests/differential/test_fuzz_postgres.py`` runs a fixed-seed slice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from metricmind.testing.engines import same_rows
from metricmind.testing.mffuzz import Sample
from metricmind.testing.postgres import PostgresServer, copy_duckdb_to_postgres
from metricmind.warehouse.postgres import PostgresWarehouse

LEG_CATEGORIES = ("equal", "refused", "postgres_failed", "different")


@dataclass
class LegOutcome:
    """One query on PostgreSQL against DuckDB: ``equal``, ``refused`` (metricmind refuses it on both),
    ``postgres_failed`` (the SQL failed on PostgreSQL only) or ``different``.
    """

    query: MetricQuery
    category: str
    detail: str = ""


def load_sample(sample: Sample, server: PostgresServer) -> str:
    """Copy ``sample``'s warehouse into a fresh database ``fuzz_<name>`` of ``server``; its DSN."""
    database = f"fuzz_{sample.name}"
    server.psql("postgres", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    server.psql("postgres", f"CREATE DATABASE {database}")
    dsn = server.dsn(database)
    copy_duckdb_to_postgres(sample.duckdb, dsn, schemas=None, views=True)
    return dsn


def run_leg(sample: Sample, queries: Sequence[MetricQuery], dsn: str) -> list[LegOutcome]:
    """Run ``queries`` on DuckDB (the sample's project) and, compiled for PostgreSQL, on ``dsn``."""
    out: list[LegOutcome] = []
    with Project.load(sample.root) as project, PostgresWarehouse(dsn) as pg:
        pg.execute("SET TIME ZONE 'UTC'")
        for query in queries:
            try:
                duck = project.run(query)
                sql = project.compile(query, dialect="postgres", pretty=False)
            except Exception as exc:
                out.append(LegOutcome(query, "refused", f"{type(exc).__name__}: {exc}"))
                continue
            try:
                rows = pg.run(sql).rows
            except Exception as exc:
                out.append(LegOutcome(query, "postgres_failed", f"{type(exc).__name__}: {exc}"))
                continue
            ordered = bool(query.order_by) and query.limit is None
            diff = same_rows(duck.rows, rows, ordered=ordered)
            out.append(LegOutcome(query, "different" if diff else "equal", diff or ""))
    return out


def leg_counts(outcomes: Sequence[LegOutcome]) -> dict[str, int]:
    """How many outcomes fall in each category (every category present)."""
    found = Counter(o.category for o in outcomes)
    return {c: found.get(c, 0) for c in LEG_CATEGORIES}
