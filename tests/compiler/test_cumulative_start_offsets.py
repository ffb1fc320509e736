"""An all-time cumulative metric moved to the start of its month (``offset_to_grain: month``) shown by
month and a dimension: the value is the running total *on the month's first day*, so a group whose first
row comes later in the month has no value that month. metricmind read the month's own cumulative value
(its first day with data) instead: one extra row per group in its first month, and a ``since start of
month`` of 0 where MetricFlow (and the hand SQL) gives NULL (MetricFlow's simple manifest,
``bookings_all_time_at_start_of_month`` and ``bookings_since_start_of_month`` by
``listing__capacity_latest``; ``bench/mf_manifests.py``, December 7).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from metricmind.project import Project
from metricmind.spec.query import MetricQuery

MODELS = """semantic_models:
  - name: bookings
    model: ref('bookings')
    defaults: {agg_time_dimension: ds}
    entities:
      - {name: booking, type: primary, expr: booking_id}
      - {name: listing, type: foreign, expr: listing_id}
    dimensions:
      - {name: ds, type: time, type_params: {time_granularity: day}}
    measures:
      - {name: bookings, agg: sum, expr: "1"}
  - name: listings
    model: ref('listings')
    entities:
      - {name: listing, type: primary, expr: listing_id}
    dimensions:
      - {name: capacity, type: categorical}
metrics:
  - name: bookings_all_time
    label: bookings all time
    type: cumulative
    type_params: {measure: bookings}
  - name: bookings_at_start_of_month
    label: bookings at the start of the month
    type: derived
    type_params:
      expr: bookings_all_time
      metrics: [{name: bookings_all_time, offset_to_grain: month}]
  - name: bookings_since_start_of_month
    label: bookings since the start of the month
    type: derived
    type_params:
      expr: bookings_all_time - start
      metrics:
        - {name: bookings_all_time}
        - {name: bookings_all_time, offset_to_grain: month, alias: start}
models:
  - name: spine
    time_spine: {standard_granularity_column: ds}
    columns: [{name: ds, granularity: day}]
"""

# booking_id, ds, listing_id: listing 1 (capacity 1) books on the first of January, listing 2
# (capacity 2) first on the 15th
ROWS = [
    (1, "2024-01-01", 1),
    (2, "2024-01-20", 1),
    (3, "2024-02-10", 1),
    (4, "2024-01-15", 2),
    (5, "2024-03-05", 2),
]

#: the running total on each month's first spine day, per capacity (no row before a group's first booking)
HAND_START = """
SELECT DATE_TRUNC('month', s.ds) AS m, l.capacity, COUNT(*) AS v
FROM spine s
JOIN bookings b ON b.ds <= s.ds
LEFT JOIN listings l ON l.listing_id = b.listing_id
WHERE s.ds = DATE_TRUNC('month', s.ds)
GROUP BY 1, 2
ORDER BY 1, 2
"""


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cum_start")
    (root / "models").mkdir()
    (root / "models" / "semantic.yml").write_text(MODELS)
    (root / "metricmind.yml").write_text("name: t\nwarehouse: {type: duckdb, path: w.duckdb, schema: main}\n")
    con = duckdb.connect(str(root / "w.duckdb"))
    con.execute("create table bookings (booking_id int, ds date, listing_id int)")
    con.executemany("insert into bookings values (?, ?, ?)", ROWS)
    con.execute("create table listings as select * from (values (1, 1), (2, 2)) t(listing_id, capacity)")
    con.execute(
        "create table spine as select range::date as ds from range(date '2024-01-01', date '2024-05-01', interval 1 day)"
    )
    con.close()
    return root


@pytest.fixture(scope="module")
def project(root: Path) -> Iterator[Project]:
    with Project.load(root) as p:
        yield p


def _rows(p: Project, query: MetricQuery) -> list[tuple[object, ...]]:
    return [tuple(r) for r in p.run(query).rows]


def _month(m: int) -> dt.datetime:
    return dt.datetime(2024, m, 1)


def test_the_value_at_the_start_of_the_month_is_the_running_total_on_its_first_day(project: Project) -> None:
    got = _rows(
        project, MetricQuery.build("bookings_at_start_of_month", ["metric_time__month", "listing__capacity"])
    )
    hand = [tuple(r) for r in project.warehouse.run(HAND_START).rows]
    assert got == hand
    # capacity 2 first books on January 15: nothing on January 1
    assert got == [
        (_month(1), 1, 1),
        (_month(2), 1, 2),
        (_month(2), 2, 1),
        (_month(3), 1, 3),
        (_month(3), 2, 1),
        (_month(4), 1, 3),
        (_month(4), 2, 2),
    ]


def test_since_the_start_of_the_month_is_null_in_a_groups_first_month(project: Project) -> None:
    # all-time by month is the value on the month's first day with data (January 15 for capacity 2: 1);
    # at the start of January capacity 2 had none, so 1 - NULL is NULL, not 1 - 1 = 0
    got = _rows(
        project,
        MetricQuery.build("bookings_since_start_of_month", ["metric_time__month", "listing__capacity"]),
    )
    assert (_month(1), 2, None) in got
    assert (_month(1), 1, 0) in got
    assert all(v == 0 for m, _, v in got if m != _month(1))


def test_by_day_the_start_of_the_month_is_unchanged(project: Project) -> None:
    by_day = _rows(
        project, MetricQuery.build("bookings_at_start_of_month", ["metric_time__day", "listing__capacity"])
    )
    assert (dt.datetime(2024, 1, 20), 1, 1) in by_day
    assert not [r for r in by_day if r[0] < dt.datetime(2024, 2, 1) and r[1] == 2]
    assert (dt.datetime(2024, 2, 20), 2, 1) in by_day
