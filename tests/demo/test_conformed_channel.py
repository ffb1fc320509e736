"""The demo's conformed channel: ad spend and customer acquisition share one channel, so CAC breaks down by it.

``channels`` (dim_channels) is a table of dimensions only; ad spend reaches it through its own channel,
new customers through their customer's acquisition channel (two hops). CAC by ``marketing_channel__name`` must equal
spend per channel over new customers per channel, computed straight from the marts.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from metricmind.warehouse.duckdb import DuckDBWarehouse

START, END = dt.date(2024, 1, 1), dt.date(2025, 1, 1)


def test_cac_by_the_conformed_channel_is_spend_over_new_customers(
    project_dir: Path, wh: DuckDBWarehouse
) -> None:
    with Project.load(project_dir) as project:
        rows = project.run(
            MetricQuery.build(
                ["cac", "marketing_spend", "new_customers"], ["marketing_channel__name"], start=START, end=END
            )
        ).rows
    got = {r[0]: (r[1], r[2], r[3]) for r in rows}
    spend = dict(
        wh.run(
            "select channel, sum(spend) from main.fct_ad_spend "
            "where spend_date >= date '2024-01-01' and spend_date < date '2025-01-01' group by 1"
        ).rows
    )
    new = dict(
        wh.run(
            "select c.acquisition_channel, count(distinct s.customer_id) "
            "from main.fct_subscriptions_canonical s join main.dim_customers_canonical c using (customer_id) "
            "where s.change_type = 'new' and s.started_at >= date '2024-01-01' and s.started_at < date '2025-01-01' "
            "group by 1"
        ).rows
    )
    assert {"paid_search", "paid_social", "organic_search", "referral"} <= set(got)
    for channel, (cac, spent, customers) in got.items():
        assert float(spent or 0) == pytest.approx(float(spend.get(channel, 0)), rel=1e-9), channel
        assert int(customers or 0) == new.get(channel, 0), channel
        if spent and customers:
            assert float(cac) == pytest.approx(float(spent) / int(customers), rel=1e-9), channel
    # a channel with spend and new customers has a CAC; one without ad spend (organic search) has none
    assert got["paid_search"][0] is not None and got["organic_search"][1] in (None, 0)


def test_the_channel_table_lists_each_channel_once(wh: DuckDBWarehouse) -> None:
    rows = wh.run("select channel, has_ad_spend from main.dim_channels order by channel").rows
    assert len(rows) == len({r[0] for r in rows}) == 8
    assert {r[0] for r in rows if r[1]} == {"paid_search", "paid_social", "email", "partner", "events"}
