"""Ranking by the knowledge graph's usage: sources, and the join path to each dimension (by usage, then
speed); dimensions that do not apply say why (fan-out or unreachable). The graph is a real SQLite store
fed from logged queries.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from metricmind.define import Definition, analyze
from metricmind.define.usage import Usage, from_graph
from metricmind.knowledge.ingest import Entry, connect, persist
from metricmind.knowledge.process import Processor
from metricmind.knowledge.sync import sync
from metricmind.project import Project

SUB_CUS = (
    "SELECT c.region, COUNT(s.subscription_id) FROM fct_subscriptions_canonical s "
    "JOIN dim_customers_canonical c ON s.customer_id = c.customer_id GROUP BY 1"
)


@pytest.fixture
def usage(demo: Project, tmp_path: Path) -> Usage:
    engine: sa.Engine = connect(f"sqlite:///{tmp_path / 'knowledge.db'}")
    start = dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc)
    batch = [
        Entry("log", f"q-{i}", SUB_CUS, "duckdb", start + dt.timedelta(hours=i), user="ann", duration_ms=4.0)
        for i in range(7)
    ]
    persist(engine, batch)
    proc = Processor(demo.model, "main")
    assert proc.index is not None
    with engine.begin() as conn:
        sync(conn, proc.index, proc.ids)
    proc.run(engine)
    found = from_graph(engine)
    engine.dispose()
    return found


def test_usage_read_from_the_graph(usage: Usage) -> None:
    assert usage.join("main.fct_subscriptions_canonical", "dim_customers_canonical")[0] == 7
    assert usage.table("fct_subscriptions_canonical") >= 7


def test_dimension_paths_ranked_by_usage_and_excluded_dimensions_say_why(demo: Project, usage: Usage) -> None:
    d = Definition(
        "contracts_started", "Number of subscription contracts started each month", ("Date by start date",)
    )
    p = analyze(d, demo.model, usage=usage)
    assert p.refused is None, p.message
    region = next(s for s in p.dimensions if s.name.endswith("region"))
    assert region.detail["path"] == ["fct_subscriptions_canonical", "dim_customers_canonical"]
    assert region.detail["uses"] == 7
    assert "joined 7 times" in region.reason and "ms mean" in region.reason
    plain = analyze(d, demo.model)
    assert next(s for s in plain.dimensions if s.name.endswith("region")).confidence < region.confidence
    why = {s.name: s.reason for s in p.excluded_dimensions}
    # invoices: many per subscription; the shortest fan-out path is named
    assert why["invoice__payment_method"].startswith("fan-out: one subscriptions row has many invoices rows")
    assert all(r.startswith(("fan-out", "unreachable")) for r in why.values())
    top = p.sources[0]
    assert "canonical dataset" in top.reason or "logged queries" in top.reason
