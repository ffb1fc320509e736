"""Every compiler feature, executed on DuckDB and checked row by row against hand-written SQL.

The reference SQL is written the plain way (often slower: correlated subqueries, range joins) so it is
an independent statement of what each metric means.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from typing import Any

import pytest

from metricmind.project import Project
from metricmind.spec.query import MetricQuery


def norm(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value
    if isinstance(value, float):
        return round(value, 6)
    if hasattr(value, "is_finite"):  # Decimal
        return round(float(value), 6)
    return value


def same_rows(actual: list[tuple[Any, ...]], expected: list[tuple[Any, ...]]) -> None:
    a = Counter(tuple(norm(v) for v in row) for row in actual)
    e = Counter(tuple(norm(v) for v in row) for row in expected)
    missing, extra = e - a, a - e
    assert not missing and not extra, (
        f"missing {sorted(missing.items())[:5]}, extra {sorted(extra.items())[:5]}"
    )


def check(shop: Project, expected_sql: str, **query: Any) -> list[tuple[Any, ...]]:
    result = shop.run(MetricQuery.build(**query))
    expected = shop.warehouse.run(expected_sql).rows
    same_rows(result.rows, expected)
    assert result.rows, "a check over no rows proves nothing"
    return result.rows


CASES: list[tuple[str, dict[str, Any], str]] = [
    (
        "sum by month",
        {"metrics": "revenue", "group_by": "metric_time__month"},
        "select date_trunc('month', ordered_at), sum(amount) from main.orders group by 1",
    ),
    (
        "count",
        {"metrics": "orders", "group_by": "metric_time__quarter"},
        "select date_trunc('quarter', ordered_at), count(order_id) from main.orders group by 1",
    ),
    (
        "count distinct",
        {"metrics": "ordering_customers", "group_by": "metric_time__year"},
        "select date_trunc('year', ordered_at), count(distinct customer_id) from main.orders group by 1",
    ),
    (
        "average, min, max",
        {"metrics": "avg_order_value,min_order_value,max_order_value", "group_by": "order__status"},
        "select status, avg(amount), min(amount), max(amount) from main.orders group by 1",
    ),
    (
        "median and percentile",
        {"metrics": "median_order_value,p90_order_value", "group_by": "metric_time__year"},
        "select date_trunc('year', ordered_at), quantile_cont(amount, 0.5), quantile_cont(amount, 0.9) "
        "from main.orders group by 1",
    ),
    (
        "sum_boolean",
        {"metrics": "gift_orders", "group_by": "metric_time__quarter"},
        "select date_trunc('quarter', ordered_at), sum(cast(is_gift as int)) from main.orders group by 1",
    ),
    ("no group by", {"metrics": "revenue,orders"}, "select sum(amount), count(*) from main.orders"),
    (
        "week grain starts monday",
        {"metrics": "orders", "group_by": "metric_time__week"},
        "select date_trunc('week', ordered_at), count(*) from main.orders group by 1",
    ),
    (
        "own agg_time_dimension",
        {"metrics": "shipped_orders", "group_by": "metric_time__month"},
        "select date_trunc('month', shipped_at), count(order_id) from main.orders group by 1",
    ),
    (
        "metric filter",
        {"metrics": "completed_revenue", "group_by": "metric_time__quarter"},
        "select date_trunc('quarter', ordered_at), sum(amount) from main.orders where status = 'completed' group by 1",
    ),
    (
        "several metric filters across a join",
        {"metrics": "smb_revenue", "group_by": "order__status"},
        "select o.status, sum(o.amount) from main.orders o left join main.customers c using (customer_id) "
        "where c.segment = 'SMB' and o.status <> 'cancelled' group by 1",
    ),
    (
        "filtered and unfiltered from one scan",
        {"metrics": "revenue,completed_revenue", "group_by": "customer__segment"},
        "select c.segment, sum(o.amount), sum(case when o.status = 'completed' then o.amount end) "
        "from main.orders o left join main.customers c using (customer_id) group by 1",
    ),
    (
        "query where, jinja",
        {
            "metrics": "revenue",
            "group_by": "metric_time__month",
            "where": "{{ Dimension('customer__segment') }} = 'Enterprise'",
        },
        "select date_trunc('month', o.ordered_at), sum(o.amount) from main.orders o "
        "left join main.customers c using (customer_id) where c.segment = 'Enterprise' group by 1",
    ),
    (
        "query where, plain names and IN",
        {
            "metrics": "orders",
            "group_by": "customer__segment",
            "where": "order__status in ('completed', 'returned') and customer__segment <> 'SMB'",
        },
        "select c.segment, count(*) from main.orders o left join main.customers c using (customer_id) "
        "where o.status in ('completed', 'returned') and c.segment <> 'SMB' group by 1",
    ),
    (
        "where on metric_time",
        {
            "metrics": "revenue",
            "group_by": "customer__segment",
            "where": "{{ TimeDimension('metric_time', 'month') }} >= '2024-06-01'",
        },
        "select c.segment, sum(o.amount) from main.orders o left join main.customers c using (customer_id) "
        "where date_trunc('month', o.ordered_at) >= date '2024-06-01' group by 1",
    ),
    (
        "time range is half-open and widened to the grain",
        {"metrics": "revenue", "group_by": "metric_time__month", "start": "2023-03-15", "end": "2023-06-10"},
        "select date_trunc('month', ordered_at), sum(amount) from main.orders "
        "where ordered_at >= date '2023-03-01' and ordered_at < date '2023-07-01' group by 1",
    ),
    (
        "time range without grain",
        {"metrics": "revenue", "start": "2023-03-15", "end": "2023-06-10"},
        "select sum(amount) from main.orders where ordered_at >= date '2023-03-15' and ordered_at < date '2023-06-10'",
    ),
    (
        "two hops",
        {"metrics": "revenue", "group_by": "customer__region__continent"},
        "select r.continent, sum(o.amount) from main.orders o left join main.customers c using (customer_id) "
        "left join main.regions r on r.region_id = c.region_id group by 1",
    ),
    (
        "three hops from order items",
        {"metrics": "items_sold", "group_by": "order__customer__region__region_name"},
        "select r.region_name, sum(i.quantity) from main.order_items i left join main.orders o using (order_id) "
        "left join main.customers c on c.customer_id = o.customer_id "
        "left join main.regions r on r.region_id = c.region_id group by 1",
    ),
    (
        "short name over a longer path",
        {"metrics": "items_sold", "group_by": "customer__segment"},
        "select c.segment, sum(i.quantity) from main.order_items i left join main.orders o using (order_id) "
        "left join main.customers c on c.customer_id = o.customer_id group by 1",
    ),
    (
        "entity and time dimension as group-by",
        {"metrics": "orders", "group_by": "customer,order__shipped_at__year"},
        "select customer_id, date_trunc('year', shipped_at), count(*) from main.orders group by 1, 2",
    ),
    (
        "ratio in one model",
        {"metrics": "revenue_per_customer", "group_by": "metric_time__quarter"},
        "select date_trunc('quarter', ordered_at), sum(amount) / count(distinct customer_id) from main.orders group by 1",
    ),
    (
        "ratio with numerator filter",
        {"metrics": "completed_share", "group_by": "customer__segment"},
        "select c.segment, sum(case when o.status = 'completed' then o.amount end) / sum(o.amount) "
        "from main.orders o left join main.customers c using (customer_id) group by 1",
    ),
    (
        "ratio across models",
        {"metrics": "orders_per_visit", "group_by": "metric_time__month,customer__segment"},
        """select coalesce(a.m, b.m), coalesce(a.s, b.s), cast(a.n as double) / nullif(b.v, 0) from
        (select date_trunc('month', o.ordered_at) m, c.segment s, count(*) n from main.orders o
         left join main.customers c using (customer_id) group by 1, 2) a
        full join (select date_trunc('month', v.visited_at) m, c.segment s, count(*) v from main.visits v
         left join main.customers c using (customer_id) group by 1, 2) b
        on a.m = b.m and a.s is not distinct from b.s""",
    ),
    (
        "derived of derived",
        {"metrics": "net_revenue_per_order", "group_by": "metric_time__year"},
        "select date_trunc('year', ordered_at), (sum(amount) - sum(discount)) / count(*) from main.orders group by 1",
    ),
    (
        "derived with input filters",
        {"metrics": "completed_revenue_share_pct", "group_by": "metric_time__year"},
        "select date_trunc('year', ordered_at), 100.0 * sum(case when status = 'completed' then amount end) / sum(amount) "
        "from main.orders group by 1",
    ),
    (
        "derived across models",
        {"metrics": "items_per_order", "group_by": "metric_time__quarter"},
        """select a.q, i.n * 1.0 / a.n from
        (select date_trunc('quarter', ordered_at) q, count(*) n from main.orders group by 1) a
        join (select date_trunc('quarter', ordered_at) q, sum(quantity) n from main.order_items group by 1) i using (q)""",
    ),
    (
        "offset window at month grain",
        {"metrics": "revenue_growth_mom", "group_by": "metric_time__month"},
        """with m as (select date_trunc('month', ordered_at) m, sum(amount) r from main.orders group by 1),
        s as (select distinct date_trunc('month', date_day) p from main.time_spine_daily),
        prev as (select s.p m, m.r from s join m on s.p - interval 1 month = m.m)
        select coalesce(m.m, prev.m), m.r - prev.r from m full join prev on m.m = prev.m""",
    ),
    (
        "offset window at day grain",
        {"metrics": "revenue_prev_week", "group_by": "metric_time__day"},
        """with d as (select date_trunc('day', ordered_at) d, sum(amount) r from main.orders group by 1)
        select s.date_day, d.r from main.time_spine_daily s join d on s.date_day - interval 7 day = d.d""",
    ),
    (
        "offset to grain",
        {"metrics": "revenue_at_month_start_delta", "group_by": "metric_time__day"},
        """with d as (select date_trunc('day', ordered_at) d, sum(amount) r from main.orders group by 1),
        ms as (select s.date_day d, d.r from main.time_spine_daily s join d on date_trunc('month', s.date_day) = d.d)
        select coalesce(d.d, ms.d), d.r - ms.r from d full join ms on d.d = ms.d""",
    ),
    (
        "join to time spine with fill",
        {"metrics": "orders_filled", "group_by": "metric_time__month"},
        """select s.p, coalesce(o.n, 0) from (select distinct date_trunc('month', date_day) p from main.time_spine_daily) s
        left join (select date_trunc('month', ordered_at) m, count(*) n from main.orders group by 1) o on o.m = s.p""",
    ),
    (
        "snapshot: last day of each month",
        {"metrics": "total_balance", "group_by": "metric_time__month"},
        """select date_trunc('month', balance_date), sum(balance) from main.balances b
        where balance_date = (select max(balance_date) from main.balances b2
                              where date_trunc('month', b2.balance_date) = date_trunc('month', b.balance_date))
        group by 1""",
    ),
    (
        "snapshot without time: the last day overall",
        {"metrics": "total_balance", "group_by": "customer__segment"},
        """select c.segment, sum(b.balance) from main.balances b left join main.customers c using (customer_id)
        where b.balance_date = (select max(balance_date) from main.balances) group by 1""",
    ),
    (
        "snapshot with window groupings",
        {"metrics": "opening_balance", "group_by": "metric_time__quarter"},
        """select date_trunc('quarter', balance_date), sum(balance) from main.balances b
        where balance_date = (select min(balance_date) from main.balances b2 where b2.customer_id = b.customer_id
              and date_trunc('quarter', b2.balance_date) = date_trunc('quarter', b.balance_date))
        group by 1""",
    ),
    (
        "cumulative all time by day",
        {"metrics": "cumulative_revenue", "group_by": "metric_time__day"},
        """select s.date_day, sum(o.amount) from main.time_spine_daily s join main.orders o on o.ordered_at <= s.date_day
        group by 1""",
    ),
    (
        "cumulative 7-day window by day",
        {"metrics": "revenue_7d", "group_by": "metric_time__day"},
        """select s.date_day, sum(o.amount) from main.time_spine_daily s join main.orders o
        on o.ordered_at <= s.date_day and o.ordered_at > s.date_day - interval 7 day group by 1""",
    ),
    (
        "cumulative 3-month window, first day of each month",
        {"metrics": "revenue_3m", "group_by": "metric_time__month"},
        """with d as (select s.date_day d, sum(o.amount) v from main.time_spine_daily s join main.orders o
          on o.ordered_at <= s.date_day and o.ordered_at > s.date_day - interval 3 month group by 1)
        select date_trunc('month', d), arg_min(v, d) from d group by 1""",
    ),
    (
        "grain to date by week",
        {"metrics": "revenue_mtd", "group_by": "metric_time__week"},
        """with d as (select s.date_day d, sum(o.amount) v from main.time_spine_daily s join main.orders o
          on o.ordered_at <= s.date_day and o.ordered_at >= date_trunc('month', s.date_day) group by 1)
        select date_trunc('week', d), arg_min(v, d) from d group by 1""",
    ),
    (
        "grain to date, period_agg last",
        {"metrics": "revenue_mtd_last", "group_by": "metric_time__month"},
        """with d as (select s.date_day d, sum(o.amount) v from main.time_spine_daily s join main.orders o
          on o.ordered_at <= s.date_day and o.ordered_at >= date_trunc('month', s.date_day) group by 1)
        select date_trunc('month', d), arg_max(v, d) from d group by 1""",
    ),
    (
        "cumulative with a dimension",
        {"metrics": "revenue_7d", "group_by": "metric_time__day,customer__segment"},
        """select s.date_day, c.segment, sum(o.amount) from main.time_spine_daily s join main.orders o
        on o.ordered_at <= s.date_day and o.ordered_at > s.date_day - interval 7 day
        left join main.customers c on c.customer_id = o.customer_id group by 1, 2""",
    ),
    (
        "cumulative distinct count window",
        {"metrics": "visitors_7d", "group_by": "metric_time__day"},
        """select s.date_day, count(distinct v.customer_id) from main.time_spine_daily s join main.visits v
        on v.visited_at <= s.date_day and v.visited_at > s.date_day - interval 7 day group by 1""",
    ),
    (
        "cumulative with time range",
        {"metrics": "revenue_7d", "group_by": "metric_time__day", "start": "2024-02-01", "end": "2024-03-01"},
        """select s.date_day, sum(o.amount) from main.time_spine_daily s join main.orders o
        on o.ordered_at <= s.date_day and o.ordered_at > s.date_day - interval 7 day
        where s.date_day >= date '2024-02-01' and s.date_day < date '2024-03-01' group by 1""",
    ),
    (
        "time filter chooses the filled periods",
        {
            "metrics": "orders_filled",
            "group_by": "metric_time__month",
            "where": "{{ TimeDimension('metric_time', 'day') }} >= '2024-06-10'",
        },
        """select s.p, coalesce(o.n, 0) from
        (select distinct date_trunc('month', date_day) p from main.time_spine_daily where date_day >= date '2024-06-10') s
        left join (select date_trunc('month', ordered_at) m, count(*) n from main.orders
                   where ordered_at >= date '2024-06-10' group by 1) o on o.m = s.p""",
    ),
    (
        "time filter keeps the offset value from before it",
        {
            "metrics": "revenue_growth_mom",
            "group_by": "metric_time__month",
            "where": "{{ TimeDimension('metric_time', 'month') }} >= '2024-06-01'",
        },
        """with m as (select date_trunc('month', ordered_at) m, sum(amount) r from main.orders group by 1),
        s as (select distinct date_trunc('month', date_day) p from main.time_spine_daily where date_day >= date '2024-06-01'),
        prev as (select s.p m, m.r from s join m on s.p - interval 1 month = m.m)
        select coalesce(m.m, prev.m), m.r - prev.r from (select * from m where m >= date '2024-06-01') m
        full join prev on m.m = prev.m""",
    ),
    (
        "time filter on cumulative output days",
        {
            "metrics": "revenue_3m",
            "group_by": "metric_time__day",
            "where": "{{ TimeDimension('metric_time', 'day') }} BETWEEN '2024-03-05' AND '2024-04-20'",
        },
        """select s.date_day, sum(o.amount) from main.time_spine_daily s join main.orders o
        on o.ordered_at <= s.date_day and o.ordered_at > s.date_day - interval 3 month
        where s.date_day between date '2024-03-05' and date '2024-04-20' group by 1""",
    ),
    (
        "conversion rate",
        {"metrics": "visit_to_order_rate", "group_by": "metric_time__month"},
        """with conv as (
          select o.order_id, max(v.visited_at) base_day from main.orders o join main.visits v
            on v.customer_id = o.customer_id and v.visited_at <= o.ordered_at and v.visited_at > o.ordered_at - interval 7 day
          group by 1),
        c as (select date_trunc('month', base_day) m, count(*) n from conv group by 1),
        b as (select date_trunc('month', visited_at) m, count(*) n from main.visits group by 1)
        select coalesce(b.m, c.m), cast(c.n as double) / nullif(b.n, 0) from b full join c on b.m = c.m""",
    ),
    (
        "conversions by base dimension",
        {"metrics": "visit_conversions", "group_by": "customer__segment"},
        """with conv as (
          select o.order_id, o.customer_id, max(v.visited_at) base_day from main.orders o join main.visits v
            on v.customer_id = o.customer_id and v.visited_at <= o.ordered_at and v.visited_at > o.ordered_at - interval 7 day
          group by 1, 2)
        select c.segment, count(*) from conv join main.customers c using (customer_id) group by 1""",
    ),
    (
        "conversion without window",
        {"metrics": "visit_to_order_rate_all_time"},
        """select cast((select count(*) from main.orders o where exists (select 1 from main.visits v
          where v.customer_id = o.customer_id and v.visited_at <= o.ordered_at)) as double)
          / (select count(*) from main.visits)""",
    ),
    (
        "one-to-many, overlapping groups asked for",
        {"metrics": "new_customers", "group_by": "order__status", "allow_overlap": True},
        """select x.status, count(c.customer_id) from main.customers c
        left join (select distinct customer_id, status from main.orders) x using (customer_id) group by 1""",
    ),
    (
        "one-to-many filter only, asked for",
        {
            "metrics": "new_customers",
            "where": "{{ Dimension('order__status') }} in ('completed', 'returned')",
            "allow_overlap": True,
        },
        """select count(*) from main.customers c where customer_id in
        (select customer_id from main.orders where status in ('completed', 'returned'))""",
    ),
    (
        "metric filter: revenue of customers with more than 3 orders",
        {
            "metrics": "revenue",
            "group_by": "customer__segment",
            "where": "{{ Metric('orders', group_by=['customer']) }} > 3",
        },
        """select c.segment, sum(o.amount) from main.orders o left join main.customers c using (customer_id)
        where o.customer_id in (select customer_id from main.orders group by 1 having count(*) > 3)
        group by 1""",
    ),
    (
        "metric filter combined with a dimension filter, by month",
        {
            "metrics": "orders",
            "group_by": "metric_time__month",
            "where": [
                "{{ Metric('revenue', group_by=['customer']) }} >= 500",
                "{{ Dimension('customer__segment') }} <> 'SMB'",
            ],
        },
        """select date_trunc('month', o.ordered_at), count(o.order_id) from main.orders o
        left join main.customers c using (customer_id)
        where c.segment <> 'SMB'
          and (select sum(amount) from main.orders x where x.customer_id = o.customer_id) >= 500
        group by 1""",
    ),
    (
        "metric filter per region, grouped through a multi-hop join (the lookup is not rewritten into it)",
        {
            "metrics": "revenue,orders",
            "group_by": "customer__region__continent",
            "where": "{{ Metric('revenue', group_by=['region']) }} > 60000",
        },
        """select r.continent, sum(o.amount), count(o.order_id) from main.orders o
        left join main.customers c using (customer_id) left join main.regions r using (region_id)
        where c.region_id in (select c2.region_id from main.orders o2
                              join main.customers c2 using (customer_id)
                              group by 1 having sum(o2.amount) > 60000)
        group by 1""",
    ),
    (
        "two metric filters, one of them twice, with a dimension of a two-hop join in an OR",
        {
            "metrics": "revenue",
            "group_by": "order__status",
            "where": "({{ Metric('revenue', group_by=['customer']) }} > 500 and "
            "{{ Metric('orders', group_by=['customer']) }} >= 3) or "
            "({{ Metric('revenue', group_by=['customer']) }} < 50 and "
            "{{ Dimension('customer__region__continent') }} = 'Asia')",
        },
        """with per as (select customer_id, sum(amount) as rev, count(*) as n from main.orders group by 1)
        select o.status, sum(o.amount) from main.orders o
        left join per using (customer_id)
        left join main.customers c using (customer_id) left join main.regions r using (region_id)
        where (per.rev > 500 and per.n >= 3) or (per.rev < 50 and r.continent = 'Asia')
        group by 1""",
    ),
    (
        "slowly changing dimension: the plan valid on the order day",
        {"metrics": "revenue,orders", "group_by": "customer__plan"},
        """select cp.plan, sum(o.amount), count(o.order_id) from main.orders o
        left join main.customer_plans cp on cp.customer_id = o.customer_id
          and cast(o.ordered_at as date) >= cp.valid_from
          and (cast(o.ordered_at as date) < cp.valid_to or cp.valid_to is null)
        group by 1""",
    ),
    (
        "slowly changing dimension filtered, with a dimension of the customer, by year",
        {
            "metrics": "revenue",
            "group_by": "metric_time__year,customer__segment",
            "where": "{{ Dimension('customer__plan') }} = 'premium'",
        },
        """select date_trunc('year', o.ordered_at), c.segment, sum(o.amount) from main.orders o
        left join main.customers c using (customer_id)
        join main.customer_plans cp on cp.customer_id = o.customer_id
          and cast(o.ordered_at as date) >= cp.valid_from
          and (cast(o.ordered_at as date) < cp.valid_to or cp.valid_to is null)
        where cp.plan = 'premium'
        group by 1, 2""",
    ),
    (
        # by a coarser period MetricFlow reads the version on the output day: refused (test_scd_offsets.py)
        "slowly changing dimension with an offset by its own unit: each order's version, shifted",
        {"metrics": "revenue_growth_mom", "group_by": "metric_time__month,customer__plan"},
        """with m as (select date_trunc('month', o.ordered_at) m, cp.plan, sum(o.amount) r from main.orders o
          left join main.customer_plans cp on cp.customer_id = o.customer_id
            and cast(o.ordered_at as date) >= cp.valid_from
            and (cast(o.ordered_at as date) < cp.valid_to or cp.valid_to is null)
          group by 1, 2),
        s as (select distinct date_trunc('month', date_day) p from main.time_spine_daily),
        prev as (select s.p m, m.plan, m.r from s join m on s.p - interval 1 month = m.m)
        select coalesce(m.m, prev.m), coalesce(m.plan, prev.plan), m.r - prev.r
        from m full join prev on m.m = prev.m and m.plan is not distinct from prev.plan""",
    ),
    (
        "slowly changing dimension with an offset by day: each order's version, shifted",
        {"metrics": "revenue_prev_week", "group_by": "metric_time__day,customer__plan"},
        """with d as (select o.ordered_at d, cp.plan, sum(o.amount) r from main.orders o
          left join main.customer_plans cp on cp.customer_id = o.customer_id
            and cast(o.ordered_at as date) >= cp.valid_from
            and (cast(o.ordered_at as date) < cp.valid_to or cp.valid_to is null)
          group by 1, 2)
        select s.date_day, d.plan, d.r from main.time_spine_daily s join d on s.date_day - interval 7 day = d.d""",
    ),
    (
        "order and limit",
        {"metrics": "revenue", "group_by": "customer__name", "order_by": "-revenue", "limit": 5},
        """select c.name, sum(o.amount) r from main.orders o left join main.customers c using (customer_id)
        group by 1 order by r desc limit 5""",
    ),
]


@pytest.mark.parametrize(("name", "query", "expected"), CASES, ids=[c[0] for c in CASES])
def test_rows_match_hand_written_sql(shop: Project, name: str, query: dict[str, Any], expected: str) -> None:
    check(shop, expected, **query)


def test_order_is_respected(shop: Project) -> None:
    rows = shop.run(MetricQuery.build("revenue", "customer__name", order_by="-revenue", limit=5)).rows
    values = [r[1] for r in rows]
    assert values == sorted(values, reverse=True)


def test_default_order_is_by_group_columns(shop: Project) -> None:
    rows = shop.run(MetricQuery.build("revenue", "metric_time__month")).rows
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)


def test_ratio_is_double_and_null_on_zero(shop: Project) -> None:
    rows = shop.run(MetricQuery.build("completed_share", "order__status")).rows
    by_status = dict(rows)
    assert math.isclose(by_status["completed"], 1.0)
    assert by_status["cancelled"] is None or by_status["cancelled"] == 0
