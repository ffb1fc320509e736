"""Date parts of ``metric_time`` with metrics computed over the time spine, checked against hand-written SQL
on DuckDB (the shop sample), as MetricFlow answers them:

* an offset window: each spine day takes the rows of its shifted day, and the day's own part is the key
  (sums, counts, minima and maxima; other aggregations are refused);
* a filled metric (``join_to_timespine``) by one part alone: every part of the spine's days, 0 where there
  is no row (beside a period or another part MetricFlow joins the spine on one key only: refused);
* a snapshot by one part alone: read on the last snapshot day of each part (beside a period MetricFlow's
  answer depends on the order of the group-by: refused).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from metricmind.compiler.dialects import DIALECTS
from metricmind.errors import QueryError
from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from metricmind.testing.shop import copy_shop
from tests.compiler.test_date_parts import _rows, hand


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return Project.load(copy_shop(tmp_path_factory.mktemp("dateparts_time") / "shop"))


def test_offset_window_by_a_part(shop: Project) -> None:
    expected = hand(
        shop,
        """
        select extract(isodow from s.date_day), sum(o.amount)
        from main.time_spine_daily s join main.orders o on cast(o.ordered_at as date) = s.date_day - 7
        group by 1
        """,
    )
    got = _rows(shop.run(MetricQuery.build("revenue_prev_week", ["metric_time__extract_dow"])).rows)
    assert got == expected
    assert len(expected) == 7


def test_derived_offset_by_a_part_and_a_coarser_period(shop: Project) -> None:
    """revenue - revenue 1 month earlier, by quarter and day of the week: the offset side is keyed by each
    spine day's quarter and part, the day holding its shifted day's rows (a quarter is coarser than the
    month offset, so MetricFlow goes day by day too)."""
    expected = hand(
        shop,
        """
        with cur as (
          select date_trunc('quarter', ordered_at) q, extract(isodow from ordered_at) dw, sum(amount) v
          from main.orders group by 1, 2),
        prev as (
          select date_trunc('quarter', s.date_day) q, extract(isodow from s.date_day) dw, sum(o.amount) v
          from main.time_spine_daily s
          join main.orders o on cast(o.ordered_at as date) = s.date_day - interval 1 month
          group by 1, 2)
        select cur.q, cur.dw, cur.v - prev.v from cur join prev on prev.q = cur.q and prev.dw = cur.dw
        """,
    )
    query = MetricQuery.build("revenue_growth_mom", ["metric_time__quarter", "metric_time__extract_dow"])
    got = _rows(r for r in shop.run(query).rows if r[2] is not None)
    assert got == expected
    assert len(expected) > 30


def test_filled_by_a_part(shop: Project) -> None:
    """Two weeks with orders on one day only: every day of the week is a row, 0 where nothing was ordered."""
    query = MetricQuery.build(
        "orders_filled", ["metric_time__extract_dow"], start="2023-02-01", end="2023-02-15"
    )
    got = dict(shop.run(query).rows)
    expected = dict(
        hand(
            shop,
            """
            select extract(isodow from s.date_day), coalesce(max(n), 0)
            from main.time_spine_daily s
            left join (select extract(isodow from ordered_at) dw, count(*) n from main.orders
                       where ordered_at >= '2023-02-01' and ordered_at < '2023-02-15' group by 1) o
              on o.dw = extract(isodow from s.date_day)
            where s.date_day >= '2023-02-01' and s.date_day < '2023-02-15'
            group by 1
            """,
        )
    )
    assert got == expected
    assert sorted(got) == list(range(1, 8))
    assert sum(1 for v in got.values() if v == 0) >= 5 and sum(got.values()) > 0


def test_snapshot_by_a_part(shop: Project) -> None:
    """Each month of the year reads the balances of the last snapshot day in that month (of any year)."""
    expected = hand(
        shop,
        """
        with last as (select extract(month from balance_date) m, max(balance_date) d
                      from main.balances group by 1)
        select last.m, sum(b.balance) from main.balances b join last on b.balance_date = last.d group by 1
        """,
    )
    got = _rows(shop.run(MetricQuery.build("total_balance", ["metric_time__extract_month"])).rows)
    assert got == expected
    assert len(expected) == 12


@pytest.mark.parametrize(
    ("metric", "group_by", "match"),
    [
        ("total_balance", ["metric_time__extract_month", "metric_time__year"], "depends on the order"),
        ("total_balance", ["metric_time__extract_month", "metric_time__extract_dow"], "one date part"),
        ("orders_filled", ["metric_time__extract_dow", "metric_time__month"], "only one of the keys"),
        # 1 month by week: MetricFlow shifts whole weeks and joins them on the week alone
        (
            "revenue_growth_mom",
            ["metric_time__extract_day", "metric_time__week"],
            "no coarser than the offset",
        ),
        ("revenue_prev_week", ["metric_time__extract_dow", "metric_time__day"], "no coarser than the offset"),
    ],
)
def test_refused(shop: Project, metric: str, group_by: list[str], match: str) -> None:
    with pytest.raises(QueryError, match=match):
        shop.compile(MetricQuery.build(metric, group_by))


AVERAGE_OFFSET = """
metrics:
  - name: avg_order_value_prev_week
    label: Average order value a week earlier
    type: derived
    type_params:
      expr: aov
      metrics:
        - name: avg_order_value
          offset_window: 7 days
          alias: aov
"""


def test_an_offset_average_by_a_part_is_refused(tmp_path: Path) -> None:
    """An average of the shifted days is not the average of their averages: refused (not summed)."""
    root = copy_shop(tmp_path / "shop")
    (root / "models" / "average_offset.yml").write_text(AVERAGE_OFFSET)
    with Project.load(root) as project:
        with pytest.raises(QueryError, match="sums, counts, minima and maxima"):
            project.compile(MetricQuery.build("avg_order_value_prev_week", ["metric_time__extract_dow"]))
        assert project.run(MetricQuery.build("avg_order_value_prev_week", ["metric_time__week"])).rows


def test_a_part_filter_with_an_offset_is_refused(shop: Project) -> None:
    query = MetricQuery.build(
        "revenue_prev_week",
        ["metric_time__month"],
        where=["{{ TimeDimension('metric_time', date_part_name='dow') }} >= 6"],
    )
    with pytest.raises(QueryError, match="filters on a date part"):
        shop.compile(query)


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
@pytest.mark.parametrize(
    ("metric", "part"),
    [("revenue_prev_week", "dow"), ("orders_filled", "month"), ("total_balance", "quarter")],
)
def test_every_dialect_renders(shop: Project, dialect: str, metric: str, part: str) -> None:
    sql = shop.compile(MetricQuery.build(metric, [f"metric_time__extract_{part}"]), dialect=dialect)
    assert "EXTRACT" in sql.upper() or "DATE_PART" in sql.upper() or "DAYOFWEEK" in sql.upper()
