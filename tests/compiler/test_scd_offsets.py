"""Offset metrics by a slowly changing dimension (type II, ``validity_params``): where MetricFlow counts the
shifted rows under another version than metricmind, the query is refused; elsewhere both agree.

The fuzzer (seed 2, shop, q81: ``revenue_growth_mom`` by ``metric_time__quarter`` and
``customer__valid_to__quarter``) found the two engines apart. Hand SQL on the shop sample shows why: by a
period coarser than the offset, MetricFlow shifts the orders day by day and then joins the plan version
valid on the *output* day, which moves a customer's month-old orders to a version that began after they
were placed; by the offset's unit or finer it joins the version valid on each order's own day, as
metricmind always does, so its coarse answer is not the sum of its own daily ones. Those coarse queries are
refused (as a cumulative metric by such a dimension already is, ``test_date_parts.py``); the finer ones are
answered and checked here against hand SQL.
"""

from __future__ import annotations

import pytest

from metricmind.errors import QueryError
from metricmind.project import Project
from metricmind.spec.query import MetricQuery

# The plan version valid on a given day ``{day}`` for each order ``o``.
_VERSION = """
    join main.customer_plans v on v.customer_id = o.customer_id
      and {day} >= v.valid_from and ({day} < v.valid_to or v.valid_to is null)
"""
# The orders a month before each spine day of 2023-Q2, of the versions ending in 2023-Q3.
_SHIFTED = """
    select sum(o.amount) from main.time_spine_daily s
    join main.orders o on s.date_day - interval 1 month = o.ordered_at
    {version}
    where date_trunc('quarter', s.date_day) = date '2023-04-01'
      and date_trunc('quarter', v.valid_to) = date '2023-07-01' {extra}
"""


def _one(shop: Project, sql: str) -> float:
    return round(float(shop.warehouse.run(sql).rows[0][0]), 2)


def _norm(rows: object) -> list[tuple[str, object, float | None]]:
    out = []
    for r in rows:  # type: ignore[attr-defined]
        out.append((str(r[0])[:10], r[1], None if r[2] is None else round(float(r[2]), 2)))
    return sorted(out, key=repr)


def test_the_two_readings_of_q81_differ(shop: Project) -> None:
    """q81's cell (2023-Q2, versions ending in 2023-Q3): 4,366.65 by each order's day (metricmind before the
    refusal), 3,065.52 by the output day (MetricFlow); the 1,301.13 between them are orders placed before
    the version they are counted under began.
    """
    current = _one(
        shop,
        f"""select sum(o.amount) from main.orders o {_VERSION.format(day="o.ordered_at")}
        where date_trunc('quarter', o.ordered_at) = date '2023-04-01'
          and date_trunc('quarter', v.valid_to) = date '2023-07-01'""",
    )
    own_day = _one(shop, _SHIFTED.format(version=_VERSION.format(day="o.ordered_at"), extra=""))
    output_day = _one(shop, _SHIFTED.format(version=_VERSION.format(day="s.date_day"), extra=""))
    before_version = _one(
        shop,
        _SHIFTED.format(version=_VERSION.format(day="s.date_day"), extra="and o.ordered_at < v.valid_from"),
    )
    assert round(current - own_day, 2) == 4366.65
    assert round(current - output_day, 2) == 3065.52
    assert round(output_day - own_day, 2) == before_version == 1301.13
    # the unshifted part is the same under both readings, and metricmind answers it
    rows = shop.run(
        MetricQuery.build("revenue", ["metric_time__quarter", "customer__valid_to__quarter"])
    ).rows
    cell = [r[2] for r in rows if str(r[0])[:10] == "2023-04-01" and str(r[1])[:10] == "2023-07-01"]
    assert [round(float(v), 2) for v in cell] == [current]


def test_by_day_the_versions_are_each_rows_own_and_add_up_to_the_month(shop: Project) -> None:
    """``revenue_prev_week`` by day and plan (MetricFlow answers the same rows) adds up, for July 2023 and
    plan 'basic', to 315.66: the version on each order's day. MetricFlow's answer by month is 360.51, the
    version on each output day, so its month is not the sum of its days; metricmind refuses that query.
    """
    daily = shop.run(MetricQuery.build("revenue_prev_week", ["metric_time__day", "customer__plan"])).rows
    july = sum(
        float(r[2]) for r in daily if str(r[0])[:7] == "2023-07" and r[1] == "basic" and r[2] is not None
    )
    by = """select sum(o.amount) from main.time_spine_daily s
        join main.orders o on s.date_day - interval 7 day = o.ordered_at {version}
        where date_trunc('month', s.date_day) = date '2023-07-01' and v.plan = 'basic'"""
    assert round(july, 2) == _one(shop, by.format(version=_VERSION.format(day="o.ordered_at"))) == 315.66
    assert _one(shop, by.format(version=_VERSION.format(day="s.date_day"))) == 360.51
    with pytest.raises(QueryError, match="slowly changing dimension"):
        shop.compile(MetricQuery.build("revenue_prev_week", ["metric_time__month", "customer__plan"]))


@pytest.mark.parametrize(
    ("metric", "group_by", "where"),
    [
        ("revenue_growth_mom", ["metric_time__quarter", "customer__valid_to__quarter"], []),  # q81
        ("revenue_growth_mom", ["metric_time__quarter", "customer__plan"], []),
        ("revenue_growth_mom", ["metric_time__year", "customer__plan"], []),
        ("revenue_growth_mom", ["metric_time__extract_month", "customer__plan"], []),
        ("revenue_prev_week", ["metric_time__week", "customer__plan"], []),  # 7 days by week
        ("revenue_growth_mom", ["metric_time__quarter"], ["{{ Dimension('customer__plan') }} = 'plus'"]),
        ("revenue_prev_week", ["metric_time__month"], ["{{ Dimension('customer__plan') }} = 'plus'"]),
    ],
)
def test_an_offset_by_a_version_shown_by_a_coarser_period_is_refused(
    shop: Project, metric: str, group_by: list[str], where: list[str]
) -> None:
    with pytest.raises(QueryError, match="slowly changing dimension .* is offset by") as err:
        shop.compile(MetricQuery.build(metric, group_by, where=where))
    assert "output day" in str(err.value) and "own day" in str(err.value)
    assert "metric_time__" in (err.value.hint or "")


def test_an_offset_by_a_version_by_its_own_unit_is_answered(shop: Project) -> None:
    """``revenue_growth_mom`` by month and plan (as MetricFlow answers it): each month's revenue less the
    previous month's, each order under the version valid on its own day.
    """
    per_month = f"""select date_trunc('month', o.ordered_at) m, v.plan, sum(o.amount) r
        from main.orders o left {_VERSION.format(day="o.ordered_at")} group by 1, 2"""
    expected = shop.warehouse.run(
        f"""
        with cur as ({per_month}), prev as (select m + interval 1 month m, plan, r from ({per_month}))
        select coalesce(cur.m, prev.m), coalesce(cur.plan, prev.plan), cur.r - prev.r
        from cur full join prev on cur.m = prev.m and cur.plan is not distinct from prev.plan
        where coalesce(cur.m, prev.m) <= (select max(date_day) from main.time_spine_daily)
        """
    ).rows
    got = shop.run(MetricQuery.build("revenue_growth_mom", ["metric_time__month", "customer__plan"])).rows
    assert _norm(got) == _norm(expected)
    assert sum(1 for r in _norm(got) if r[2] is not None) > 10


@pytest.mark.parametrize(
    ("metric", "group_by"),
    [
        ("revenue_growth_mom", ["metric_time__day", "customer__plan"]),
        ("revenue_growth_mom", ["metric_time__week", "customer__valid_to__quarter"]),
        ("revenue_at_month_start_delta", ["metric_time__quarter", "customer__plan"]),  # offset_to_grain
    ],
)
def test_offsets_both_engines_agree_on_are_answered(shop: Project, metric: str, group_by: list[str]) -> None:
    assert shop.run(MetricQuery.build(metric, group_by)).rows
