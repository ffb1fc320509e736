"""Executions: every ``Project.run`` recorded by ``Project.catalog``; usage counts, trend and the top list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from metricmind.catalog.service import Catalog
from metricmind.errors import MetricmindError, StoreError
from metricmind.project import Execution, Project
from metricmind.spec.query import MetricQuery
from metricmind.testing.shop import copy_shop


@pytest.fixture
def shop_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Project]:
    """A copy of the shop with its warehouse; the catalog in its ``.metricmind`` folder."""
    monkeypatch.delenv("METRICMIND_STORE_URL", raising=False)
    project = Project.load(copy_shop(tmp_path / "shop"))
    yield project
    project.close()


def test_every_run_is_recorded(shop_project: Project) -> None:
    catalog = shop_project.catalog
    assert shop_project.catalog is catalog
    assert (shop_project.root / ".metricmind" / "store.db").exists()
    shop_project.run(
        MetricQuery.build(["revenue", "orders"], ["metric_time__month"]), user="ana", source="cli"
    )
    shop_project.run(MetricQuery.build("revenue"), source="web")
    with pytest.raises(MetricmindError):
        shop_project.run(MetricQuery.build("revenue", where=["{{ Dimension('order__status') }} = 1/0"]))
    counts = catalog.usage_counts()
    assert counts["revenue"] >= 2 and counts["orders"] == 1
    with catalog.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT user_name, source, metrics, row_count, error, duration_ms, sql FROM cat_executions ORDER BY id"
        ).all()
    assert [(r[0], r[1]) for r in rows[:2]] == [("ana", "cli"), (None, "web")]
    assert '"orders"' in str(rows[0][2]) and rows[0][3] > 0 and rows[0][5] >= 0 and "SELECT" in rows[0][6]
    if len(rows) == 3:  # the failed query reached the warehouse
        assert rows[2][4]
    usage = catalog.usage("revenue")
    assert usage["month"] == counts["revenue"] and usage["daily"][-1] == counts["revenue"]
    assert catalog.status()["executions"] == len(rows)


def test_a_closed_project_disposes_the_catalog(shop_project: Project) -> None:
    catalog = shop_project.catalog
    shop_project.close()
    assert "catalog" not in shop_project.__dict__
    assert shop_project.catalog is not catalog  # reopened on demand
    assert len([f for f in shop_project.listeners if getattr(f, "__self__", None) is catalog]) == 1


def test_a_store_that_cannot_be_opened_is_a_clear_error(
    shop_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("METRICMIND_STORE_URL", "postgresql://nobody@127.0.0.1:1/none")
    with pytest.raises(StoreError, match="cannot open the catalog store") as err:
        shop_project.catalog  # noqa: B018
    assert err.value.hint and "store.url" in err.value.hint
    assert "catalog" not in shop_project.__dict__
    assert shop_project.run(MetricQuery.build("revenue")).rows  # runs do not need the catalog


def _run(cat: Catalog, metrics: list[str], at: dt.datetime) -> None:
    cat.record(Execution(MetricQuery.build(metrics), "SELECT 1", at, 1.5, 1, None, "ana", "test"))


def test_usage_this_month_previous_month_and_trend(catalog: Catalog) -> None:
    today = dt.date(2026, 3, 15)
    for day in (1, 10, 15):
        _run(catalog, ["revenue", "orders"], dt.datetime(2026, 3, day, 12))
    _run(catalog, ["revenue"], dt.datetime(2026, 3, 14, 23, 59, tzinfo=dt.timezone.utc))
    _run(catalog, ["revenue"], dt.datetime(2026, 2, 10, 9))
    _run(catalog, ["revenue"], dt.datetime(2026, 2, 27, 9))
    _run(catalog, ["orders"], dt.datetime(2026, 1, 5))
    _run(catalog, ["discounts"], dt.datetime(2026, 4, 1))  # after "today": not this month
    u = catalog.usage("revenue", today=today)
    assert (u["month"], u["previous_month"], u["trend"], u["total"]) == (4, 2, 100.0, 6)
    assert len(u["daily"]) == 30 and u["daily"][-1] == 1 and u["daily"][-2] == 1 and u["daily"][-6] == 1
    assert sum(u["daily"]) == 5  # Feb 10 is more than 30 days back; Feb 27 is not
    orders = catalog.usage("orders", today=today)
    assert (orders["month"], orders["previous_month"], orders["trend"]) == (3, 0, 100.0)
    assert catalog.usage("discounts", today=today)["trend"] is None
    assert catalog.usage_counts(today=today) == {"revenue": 4, "orders": 3}
    top = catalog.top_metrics(5, today=today)
    assert [(t["metric"], t["month"], t["previous_month"]) for t in top] == [
        ("revenue", 4, 2),
        ("orders", 3, 0),
    ]
    assert catalog.top_metrics(1, today=today)[0]["metric"] == "revenue"
