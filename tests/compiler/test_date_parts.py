"""Date parts (``metric_time__extract_month``, ``customer__signup_date__extract_year``, and
``{{ TimeDimension('metric_time', date_part_name='dow') }}`` in filters), checked against hand-written SQL
on DuckDB (the shop sample), and the combinations refused as MetricFlow refuses them (``week``; cumulative
metrics; ``offset_to_grain``; a part finer than the dimension's data). Offsets, filled metrics and snapshots by
a part of ``metric_time``: ``test_date_parts_time.py``.

Also: a cumulative metric grouped by a slowly changing dimension is refused (the fuzzer found MetricFlow
picking the version valid on the output day, metricmind the one on each row's day).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from metricmind.compiler.dialects import DIALECTS
from metricmind.errors import QueryError
from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from metricmind.testing.shop import copy_shop

PARTS = {"year": "year", "quarter": "quarter", "month": "month", "day": "day", "dow": "isodow", "doy": "doy"}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return Project.load(copy_shop(tmp_path_factory.mktemp("dateparts") / "shop"))


def _rows(rows: object) -> list[tuple[object, ...]]:
    out = []
    for r in rows:  # type: ignore[attr-defined]
        out.append(tuple(round(float(v), 6) if isinstance(v, float) else v for v in r))
    return sorted(out, key=repr)


def hand(shop: Project, sql: str) -> list[tuple[object, ...]]:
    return _rows(shop.warehouse.run(sql).rows)


@pytest.mark.parametrize("part", list(PARTS))
def test_simple_metric_by_a_part_of_metric_time(shop: Project, part: str) -> None:
    expected = hand(
        shop, f"select extract({PARTS[part]} from ordered_at), sum(amount) from main.orders group by 1"
    )
    got = _rows(shop.run(MetricQuery.build("revenue", [f"metric_time__extract_{part}"])).rows)
    assert got == expected
    assert len(expected) > 1


def test_dow_is_iso_monday_one(shop: Project) -> None:
    got = shop.run(MetricQuery.build("orders", ["metric_time__extract_dow"])).rows
    assert {r[0] for r in got} <= set(range(1, 8)) and 7 in {r[0] for r in got}


def test_ratio_and_derived_by_a_part_and_a_dimension(shop: Project) -> None:
    expected = hand(
        shop,
        """
        select extract(month from o.ordered_at), c.segment,
               cast(sum(o.amount) as double) / nullif(count(distinct o.customer_id), 0),
               sum(o.amount) - sum(o.discount)
        from main.orders o left join main.customers c on c.customer_id = o.customer_id
        group by 1, 2
        """,
    )
    query = MetricQuery.build(
        ["revenue_per_customer", "net_revenue"], ["metric_time__extract_month", "customer__segment"]
    )
    assert _rows(shop.run(query).rows) == expected


def test_part_of_another_time_dimension(shop: Project) -> None:
    expected = hand(
        shop,
        """
        select extract(year from c.signup_date), extract(quarter from o.ordered_at), count(o.order_id)
        from main.orders o left join main.customers c on c.customer_id = o.customer_id
        group by 1, 2
        """,
    )
    query = MetricQuery.build(
        "orders", ["customer__signup_date__extract_year", "order__ordered_at__extract_quarter"]
    )
    assert _rows(shop.run(query).rows) == expected


def test_part_beside_a_period(shop: Project) -> None:
    expected = hand(
        shop,
        "select date_trunc('year', ordered_at), extract(isodow from ordered_at), avg(amount) "
        "from main.orders group by 1, 2",
    )
    query = MetricQuery.build("avg_order_value", ["metric_time__year", "metric_time__extract_dow"])
    assert _rows(shop.run(query).rows) == expected


def test_filter_by_a_date_part(shop: Project) -> None:
    expected = hand(
        shop,
        "select date_trunc('month', ordered_at), sum(amount) from main.orders "
        "where extract(month from ordered_at) in (1, 2, 3) and extract(isodow from ordered_at) >= 6 group by 1",
    )
    where = [
        "{{ TimeDimension('metric_time', date_part_name='month') }} in (1, 2, 3)",
        "{{ TimeDimension('metric_time').date_part('dow') }} >= 6",
    ]
    got = _rows(shop.run(MetricQuery.build("revenue", ["metric_time__month"], where=where)).rows)
    assert got == expected
    assert len(expected) > 2


def test_conversion_by_a_part(shop: Project) -> None:
    """Conversions are credited to the base event (the visit): its day's part groups them."""
    by_day = {
        str(r[0])[:10]: r[1]
        for r in shop.run(MetricQuery.build("visit_conversions", ["metric_time__day"])).rows
        if r[1] is not None
    }
    got = dict(shop.run(MetricQuery.build("visit_conversions", ["metric_time__extract_month"])).rows)
    expected: dict[int, float] = {}
    for day, n in by_day.items():
        expected[int(day[5:7])] = expected.get(int(day[5:7]), 0) + n
    assert {k: v for k, v in got.items() if v} == expected


@pytest.mark.parametrize(
    ("metric", "name", "match"),
    [
        ("revenue", "metric_time__extract_week", "extract_week is not supported"),
        ("revenue_7d", "metric_time__extract_month", "cumulative metric"),
        ("cumulative_revenue", "order__ordered_at__extract_month", "cumulative metric"),
        ("revenue_at_month_start_delta", "metric_time__extract_quarter", "offset to the start"),
        ("total_balance", "customer__signup_date__extract_month", "snapshot measure"),
        ("revenue", "customer__segment__extract_month", "needs a time dimension"),
    ],
)
def test_refused(shop: Project, metric: str, name: str, match: str) -> None:
    with pytest.raises(QueryError, match=match):
        shop.compile(MetricQuery.build(metric, [name]))


def test_offset_window_by_a_part_of_another_dimension(shop: Project) -> None:
    """Only metric_time is shifted; another time dimension's part is a plain key of both months."""
    expected = hand(
        shop,
        """
        with m as (
          select date_trunc('month', o.ordered_at) mo, extract(year from c.signup_date) y, sum(o.amount) v
          from main.orders o left join main.customers c on c.customer_id = o.customer_id group by 1, 2)
        select cur.mo, cur.y, cur.v - prev.v
        from m cur join m prev on prev.mo = cur.mo - interval 1 month and prev.y is not distinct from cur.y
        """,
    )
    query = MetricQuery.build(
        "revenue_growth_mom", ["metric_time__month", "customer__signup_date__extract_year"]
    )
    got = _rows(r for r in shop.run(query).rows if r[2] is not None)
    assert got == expected
    assert len(expected) > 10


def test_part_finer_than_the_data_is_refused(tmp_path: Path) -> None:
    root = copy_shop(tmp_path / "shop")
    sm = root / "models" / "semantic_models.yml"
    sm.write_text(
        sm.read_text().replace(
            "      - name: shipped_at\n        type: time\n        type_params:\n          time_granularity: day",
            "      - name: shipped_at\n        type: time\n        type_params:\n          time_granularity: month",
        )
    )
    with Project.load(root) as project:
        with pytest.raises(QueryError, match="finer than its data"):
            project.compile(MetricQuery.build("revenue", ["order__shipped_at__extract_dow"]))
        assert project.run(MetricQuery.build("revenue", ["order__shipped_at__extract_quarter"])).rows


def test_cumulative_by_a_slowly_changing_dimension_is_refused(shop: Project) -> None:
    with pytest.raises(QueryError, match="slowly changing dimension"):
        shop.compile(MetricQuery.build("revenue_mtd_last", ["customer__plan", "metric_time__day"]))
    # a filter on it too (fuzzer, seed 2: MetricFlow read the version valid on the output day)
    where = ["{{ Dimension('customer__plan') }} is not null"]
    with pytest.raises(QueryError, match="slowly changing dimension"):
        shop.compile(MetricQuery.build("cumulative_revenue", ["metric_time__day"], where=where))
    # a plain dimension of the same customer is fine
    assert shop.run(MetricQuery.build("revenue_mtd_last", ["customer__segment", "metric_time__month"])).rows


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
def test_every_dialect_renders_and_reparses(shop: Project, dialect: str) -> None:
    query = MetricQuery.build(
        "revenue",
        ["metric_time__extract_dow", "metric_time__extract_doy"],
        where=["{{ TimeDimension('metric_time', date_part_name='quarter') }} = 4"],
    )
    sql = shop.compile(query, dialect=dialect)
    assert "EXTRACT" in sql.upper() or "DATE_PART" in sql.upper()


FILTERED_CUMULATIVE = """
metrics:
  - name: completed_revenue_to_date
    label: Completed revenue to date
    type: cumulative
    type_params:
      measure:
        name: order_total
        filter: "{{ Dimension('order__status') }} = 'completed'"
"""


def test_all_time_cumulative_with_a_measure_filter_and_no_metric_time(tmp_path: Path) -> None:
    """The measure's filter holds without metric_time too (MetricFlow drops it there: the fuzzer, seed 4,
    found its lifetime revenue of the demo adding unpaid invoices; docs/compiler.md lists it).
    """
    root = copy_shop(tmp_path / "shop")
    (root / "models" / "filtered_cumulative.yml").write_text(FILTERED_CUMULATIVE)
    with Project.load(root) as project:
        expected = hand(project, "select sum(amount) from main.orders where status = 'completed'")
        everything = hand(project, "select sum(amount) from main.orders")
        got = _rows(project.run(MetricQuery.build("completed_revenue_to_date", [])).rows)
        by_segment = _rows(
            project.run(MetricQuery.build("completed_revenue_to_date", ["customer__segment"])).rows
        )
        segments = hand(
            project,
            "select c.segment, sum(o.amount) from main.orders o left join main.customers c "
            "on c.customer_id = o.customer_id where o.status = 'completed' group by 1",
        )
    assert got == expected != everything
    assert by_segment == segments
