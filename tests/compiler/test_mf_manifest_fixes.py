"""Bugs MetricFlow's own test manifests found (``bench/mf_manifests.py``), each on a small DuckDB project
whose rows are checked against hand-computed numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from metricmind.errors import QueryError
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
      - {name: ds_partitioned, type: time, is_partition: true, expr: ds, type_params: {time_granularity: day}}
      - {name: is_instant, type: categorical}
    measures:
      - {name: bookings, agg: sum, expr: "1"}
      - {name: booking_value, agg: sum}
      - {name: instant_bookings, agg: sum_boolean, expr: is_instant}
      - {name: tips, agg: sum, expr: tip}
  - name: listings
    model: ref('listings')
    entities:
      - {name: listing, type: primary, expr: listing_id}
    dimensions:
      - {name: ds_partitioned, type: time, is_partition: true, expr: ds, type_params: {time_granularity: day}}
      - {name: country, type: categorical}
metrics:
  - name: bookings
    label: bookings
    type: simple
    type_params: {measure: bookings}
  - name: instant_booking_value
    label: instant booking value
    type: simple
    type_params:
      measure: {name: booking_value, filter: "{{ Dimension('booking__is_instant') }}"}
  - name: instant_bookings
    label: instant bookings
    type: simple
    type_params: {measure: instant_bookings}
  - name: tips_1d
    label: tips of the day
    type: cumulative
    type_params: {measure: tips, cumulative_type_params: {window: 1 day}}
  - name: bookings_7d
    label: trailing 7 days bookings
    type: cumulative
    type_params: {measure: bookings, cumulative_type_params: {window: 7 days}}
  - name: bookings_7d_week_ago
    label: trailing 7 days bookings a week ago
    type: derived
    type_params:
      expr: b
      metrics: [{name: bookings_7d, offset_window: 1 week, alias: b}]
models:
  - name: spine
    time_spine: {standard_granularity_column: ds}
    columns: [{name: ds, granularity: day}]
"""

# booking_id, ds, is_instant, booking_value
ROWS = [
    (1, "2024-01-01", True, 10),
    (2, "2024-01-01", False, 20),
    (3, "2024-01-02", True, 30),
    (4, "2024-01-03", None, 40),  # the only booking of its day, instant unknown
]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    root = tmp_path_factory.mktemp("mfm_fixes")
    (root / "models").mkdir()
    (root / "models" / "semantic.yml").write_text(MODELS)
    (root / "metricmind.yml").write_text("name: t\nwarehouse: {type: duckdb, path: w.duckdb, schema: main}\n")
    con = duckdb.connect(str(Path(root) / "w.duckdb"))
    con.execute("create table bookings (booking_id int, ds date, is_instant boolean, booking_value int)")
    con.executemany("insert into bookings values (?, ?, ?, ?)", ROWS)
    con.execute("alter table bookings add column listing_id int default 7")
    con.execute("alter table bookings add column tip int")
    con.execute("update bookings set tip = 5 where booking_id = 1")
    con.execute("create table listings as select 7 as listing_id, date '2024-01-01' as ds, 'NL' as country")
    con.execute(
        "create table spine as select range::date as ds from range(date '2024-01-01', date '2024-02-01', interval 1 day)"
    )
    con.close()
    with Project.load(root) as p:
        yield p


def _rows(p: Project, query: MetricQuery) -> list[tuple[object, ...]]:
    return [tuple(r) for r in p.run(query).rows]


def test_a_filter_that_is_one_boolean_dimension(project: Project) -> None:
    # measure filter "{{ Dimension('booking__is_instant') }}": the placeholder reached the SQL
    assert _rows(project, MetricQuery.build("instant_booking_value", ["metric_time__day"])) == [
        (dt.datetime(2024, 1, 1), 10),
        (dt.datetime(2024, 1, 2), 30),
    ]
    where = ["{{ Dimension('booking__is_instant') }}"]
    assert _rows(project, MetricQuery.build("bookings", [], where=where)) == [(2,)]


def test_sum_boolean_counts_no_true_rows_as_zero_not_null(project: Project) -> None:
    # MetricFlow (dbt-semantic-interfaces) sums CASE WHEN x THEN 1 ELSE 0 END: 2024-01-03 has one
    # booking whose is_instant is NULL, so 0 instant bookings that day
    assert _rows(project, MetricQuery.build("instant_bookings", ["metric_time__day"])) == [
        (dt.datetime(2024, 1, 1), 1),
        (dt.datetime(2024, 1, 2), 1),
        (dt.datetime(2024, 1, 3), 0),
    ]


def test_a_cumulative_offset_by_less_than_the_grain_is_refused_not_empty(project: Project) -> None:
    # shifting whole months by a week matched no month: the answer was empty
    with pytest.raises(QueryError, match="not a whole number of months"):
        project.run(MetricQuery.build("bookings_7d_week_ago", ["metric_time__month"]))
    by_day = dict(_rows(project, MetricQuery.build("bookings_7d_week_ago", ["metric_time__day"])))
    assert by_day[dt.datetime(2024, 1, 8)] == 2  # 7 days to 2024-01-01: bookings 1 and 2
    assert by_day[dt.datetime(2024, 1, 10)] == 4  # 7 days to 2024-01-03: all four


def test_a_join_on_a_shared_partition_dimension_is_refused_not_joined_without_it(project: Project) -> None:
    # MetricFlow joins bookings to listings on listing AND ds_partitioned (1 booking of 4 matches);
    # metricmind joined on listing alone (4): refused until partition joins are supported
    with pytest.raises(QueryError, match="partitioned by ds_partitioned"):
        project.run(MetricQuery.build("bookings", ["listing__country"]))


def test_a_cumulative_sum_of_only_null_values_is_null_not_zero(project: Project) -> None:
    # 2024-01-02 and 01-03 have bookings whose tip is NULL: SUM(tip) over the window is NULL (MetricFlow
    # too); the running sums gave 0
    assert _rows(project, MetricQuery.build("tips_1d", ["metric_time__day"], end="2024-01-04")) == [
        (dt.datetime(2024, 1, 1), 5),
        (dt.datetime(2024, 1, 2), None),
        (dt.datetime(2024, 1, 3), None),
    ]
