"""Sub-day time: time dimensions recorded by the hour (or minute, second) group ``metric_time__hour`` and
``<dimension>__hour``, and filter by timestamps, for simple, ratio and derived metrics; metrics computed over
the daily time spine (cumulative, offset, filled, conversion, snapshot) refuse a sub-day ``metric_time``
with why. Rows are checked against hand SQL on DuckDB and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import duckdb
import psycopg
import pytest
import sqlglot

from metricmind.errors import Level, QueryError
from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from metricmind.testing.postgres import PostgresServer

MODELS = """semantic_models:
  - name: events
    model: ref('events')
    defaults: {agg_time_dimension: ts}
    entities:
      - {name: event, type: primary, expr: event_id}
    dimensions:
      - {name: ts, type: time, type_params: {time_granularity: hour}}
      - {name: seen_at, type: time, expr: ts, type_params: {time_granularity: millisecond}}
      - {name: kind, type: categorical}
    measures:
      - {name: events, agg: sum, expr: "1"}
      - {name: amount, agg: sum}
      - {name: users, agg: count_distinct, expr: user_id}
  - name: signups
    model: ref('signups')
    defaults: {agg_time_dimension: ds}
    entities:
      - {name: signup, type: primary, expr: signup_id}
    dimensions:
      - {name: ds, type: time, type_params: {time_granularity: day}}
    measures:
      - {name: signups, agg: sum, expr: "1"}
metrics:
  - {name: events, label: events, type: simple, type_params: {measure: events}}
  - {name: amount, label: amount, type: simple, type_params: {measure: amount}}
  - {name: users, label: users, type: simple, type_params: {measure: users}}
  - {name: signups, label: signups, type: simple, type_params: {measure: signups}}
  - name: amount_per_event
    label: amount per event
    type: ratio
    type_params: {numerator: amount, denominator: events}
  - name: amount_less_events
    label: amount less events
    type: derived
    type_params: {expr: amount - events, metrics: [{name: amount}, {name: events}]}
  - name: events_hourly
    label: events by the hour
    type: simple
    type_params: {measure: events}
    time_granularity: hour
  - name: events_hour_ago
    label: events an hour ago
    type: derived
    type_params: {expr: e, metrics: [{name: events, offset_window: 1 hour, alias: e}]}
  - name: users_hour_ago
    label: users an hour ago
    type: derived
    type_params: {expr: u, metrics: [{name: users, offset_window: 1 hour, alias: u}]}
  - name: events_at_hour_start
    label: events at the start of the hour
    type: derived
    type_params: {expr: e, metrics: [{name: events, offset_to_grain: hour, alias: e}]}
  - name: events_3h
    label: events in 3 hours
    type: cumulative
    type_params: {measure: events, cumulative_type_params: {window: 3 hours}}
  - name: users_3h
    label: users in 3 hours
    type: cumulative
    type_params: {measure: users, cumulative_type_params: {window: 3 hours}}
  - name: events_htd
    label: events hour to date
    type: cumulative
    type_params: {measure: events, cumulative_type_params: {grain_to_date: hour}}
  - name: events_to_date_hour_ago
    label: events to date an hour ago
    type: derived
    type_params: {expr: e, metrics: [{name: events_to_date, offset_window: 1 hour, alias: e}]}
  - name: events_to_date
    label: events to date
    type: cumulative
    type_params: {measure: events}
  - name: events_filled
    label: events filled
    type: simple
    type_params: {measure: {name: events, join_to_timespine: true, fill_nulls_with: 0}}
models:
  - name: spine
    time_spine: {standard_granularity_column: ds}
    columns: [{name: ds, granularity: day}]
  - name: spine_hour
    time_spine: {standard_granularity_column: ts}
    columns: [{name: ts, granularity: hour}]
"""

# event_id, user_id, ts, kind, amount
EVENTS = [
    (1, 1, "2024-01-01 09:15:00", "a", 10),
    (2, 2, "2024-01-01 09:45:30", "b", 20),
    (3, 1, "2024-01-01 10:05:00", "a", 30),
    (4, 3, "2024-01-02 23:59:59", "b", 40),
    (5, 3, "2024-01-02 23:10:00", "a", 50),
]

HAND_BY_HOUR = """
SELECT DATE_TRUNC('hour', ts) AS h, SUM(1) AS events, CAST(SUM(amount) AS DOUBLE) / COUNT(*) AS per,
       COUNT(DISTINCT user_id) AS users
FROM events GROUP BY 1 ORDER BY 1
"""


def _write(root: Path) -> Path:
    (root / "models").mkdir(parents=True)
    (root / "models" / "semantic.yml").write_text(MODELS)
    return root


@pytest.fixture(scope="module")
def duck(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    root = _write(tmp_path_factory.mktemp("subday") / "p")
    (root / "metricmind.yml").write_text("name: t\nwarehouse: {type: duckdb, path: w.duckdb, schema: main}\n")
    con = duckdb.connect(str(root / "w.duckdb"))
    con.execute("create table events (event_id int, user_id int, ts timestamp, kind varchar, amount int)")
    con.executemany("insert into events values (?, ?, ?, ?, ?)", EVENTS)
    con.execute("create table signups as select 1 as signup_id, date '2024-01-01' as ds")
    con.execute(
        "create table spine as select range::date as ds from range(date '2024-01-01', date '2024-01-05', interval 1 day)"
    )
    con.execute(
        "create table spine_hour as select range as ts from range(timestamp '2024-01-01', timestamp '2024-01-05', interval 1 hour)"
    )
    con.close()
    with Project.load(root) as p:
        yield p


def _rows(p: Project, metrics: list[str], group_by: list[str], where: list[str] | None = None) -> list[tuple]:
    return [tuple(r) for r in p.run(MetricQuery.build(metrics, group_by, where=where or [])).rows]


def _hour(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2024, 1, day, hour)


def test_an_hour_time_dimension_loads_without_a_warning_and_a_millisecond_one_reads_as_a_second(
    duck: Project,
) -> None:
    warned = [i.message for i in duck.issues if i.level is Level.WARNING and "granularity" in i.message]
    assert len(warned) == 1 and "'millisecond' is finer than a second" in warned[0]
    assert duck.model.min_grain("events") is not None and duck.model.min_grain("events").value == "hour"


def test_metric_time_by_the_hour_equals_the_hand_sql(duck: Project) -> None:
    got = _rows(duck, ["events", "amount_per_event", "users"], ["metric_time__hour"])
    assert got == [tuple(r) for r in duck.warehouse.run(HAND_BY_HOUR).rows]
    assert got == [(_hour(1, 9), 2, 15.0, 2), (_hour(1, 10), 1, 30.0, 1), (_hour(2, 23), 2, 45.0, 1)]
    assert _rows(duck, ["amount_less_events"], ["metric_time__hour"]) == [
        (_hour(1, 9), 28),
        (_hour(1, 10), 29),
        (_hour(2, 23), 88),
    ]


def test_the_metrics_own_hour_grain_is_the_default_and_the_dimension_groups_by_the_hour(
    duck: Project,
) -> None:
    assert _rows(duck, ["events_hourly"], ["metric_time"]) == [
        (_hour(1, 9), 2),
        (_hour(1, 10), 1),
        (_hour(2, 23), 2),
    ]
    assert _rows(duck, ["events"], ["metric_time"])[0] == (dt.datetime(2024, 1, 1), 3)  # day, as MetricFlow
    assert _rows(duck, ["events"], ["event__ts__hour", "kind"]) == [
        (_hour(1, 9), "a", 1),
        (_hour(1, 9), "b", 1),
        (_hour(1, 10), "a", 1),
        (_hour(2, 23), "a", 1),
        (_hour(2, 23), "b", 1),
    ]
    assert _rows(duck, ["events"], ["metric_time__day"]) == [
        (dt.datetime(2024, 1, 1), 3),
        (dt.datetime(2024, 1, 2), 2),
    ]


def test_timestamp_filters_compare_the_truncated_hour(duck: Project) -> None:
    at = "{{ TimeDimension('metric_time', 'hour') }}"
    assert _rows(duck, ["events"], ["metric_time__hour"], [f"{at} >= '2024-01-01 10:00'"]) == [
        (_hour(1, 10), 1),
        (_hour(2, 23), 2),
    ]
    # 23:10 and 23:59 are both in the hour 23:00, which is before 23:30; the day bound keeps the whole day
    assert _rows(duck, ["events"], ["metric_time__day"], [f"{at} < '2024-01-02 23:30'"]) == [
        (dt.datetime(2024, 1, 1), 3),
        (dt.datetime(2024, 1, 2), 2),
    ]
    assert _rows(duck, ["events"], [], [f"{at} = '2024-01-01 09:00'"]) == [(2,)]


def test_finer_than_the_data_or_over_the_daily_spine_is_refused_with_why(duck: Project) -> None:
    with pytest.raises(QueryError, match="finer than its data"):
        duck.run(MetricQuery.build("events", ["metric_time__minute"]))
    with pytest.raises(QueryError, match="finer than its data"):
        duck.run(MetricQuery.build("signups", ["metric_time__hour"]))
    with pytest.raises(QueryError, match="sub-day conversion, snapshot and offset cumulative metrics"):
        duck.run(MetricQuery.build("events_to_date_hour_ago", ["metric_time__hour"]))
    with pytest.raises(QueryError, match="needs a sum, count, min or max"):
        duck.run(MetricQuery.build("users_hour_ago", ["metric_time__day"]))
    # by the day they answer
    assert _rows(duck, ["events_to_date"], ["metric_time__day"])[:2] == [
        (dt.datetime(2024, 1, 1), 3),
        (dt.datetime(2024, 1, 2), 5),
    ]


@pytest.mark.parametrize(
    ("dialect", "text"),
    [
        ("duckdb", "DATE_TRUNC('HOUR', "),
        ("postgres", "DATE_TRUNC('HOUR', "),
        ("snowflake", "DATE_TRUNC('HOUR', "),
        ("trino", "DATE_TRUNC('HOUR', "),
        ("spark", "DATE_TRUNC('HOUR', "),
        ("databricks", "DATE_TRUNC('HOUR', "),
        ("bigquery", "TIMESTAMP_TRUNC("),
    ],
)
def test_the_hour_is_truncated_in_each_dialects_spelling(duck: Project, dialect: str, text: str) -> None:
    sql = duck.compile(MetricQuery.build("events", ["metric_time__hour"]), dialect=dialect)
    assert text in sql
    sqlglot.parse_one(sql, read=dialect)  # re-parses in its dialect


@pytest.fixture(scope="module")
def pg(
    duck: Project, postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Project]:
    name = "subday"
    postgres_server.psql("postgres", f"CREATE DATABASE {name}")
    url = f"postgresql://postgres@127.0.0.1:{postgres_server.port}/{name}"
    with psycopg.connect(url, autocommit=True) as con:
        con.execute("create table events (event_id int, user_id int, ts timestamp, kind text, amount int)")
        with con.cursor() as cur:
            cur.executemany("insert into events values (%s, %s, %s, %s, %s)", EVENTS)
        con.execute("create table signups as select 1 as signup_id, date '2024-01-01' as ds")
        con.execute(
            "create table spine as select d::date as ds from generate_series(date '2024-01-01', date '2024-01-04', interval '1 day') d"
        )
        con.execute(
            "create table spine_hour as select d as ts from generate_series(timestamp '2024-01-01', timestamp '2024-01-04 23:00', interval '1 hour') d"
        )
    root = _write(tmp_path_factory.mktemp("subday_pg") / "p")
    (root / "metricmind.yml").write_text(f"name: t\nwarehouse:\n  type: postgres\n  dsn: {url}\n")
    with Project.load(root) as project:
        yield project
    postgres_server.psql("postgres", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_by_the_hour_on_postgres_equals_duckdb(duck: Project, pg: Project) -> None:
    query = MetricQuery.build(["events", "amount_per_event", "users"], ["metric_time__hour"])
    ours = [tuple(r) for r in pg.run(query).rows]
    assert [(h, int(e), float(a), int(u)) for h, e, a, u in ours] == _rows(
        duck, ["events", "amount_per_event", "users"], ["metric_time__hour"]
    )


HAND_FILLED = """
SELECT h.ts, COALESCE(SUM(e.n), 0)
FROM spine_hour h LEFT JOIN (SELECT DATE_TRUNC('hour', ts) AS ts, 1 AS n FROM events) e ON e.ts = h.ts
WHERE h.ts BETWEEN TIMESTAMP '2024-01-01 08:00' AND TIMESTAMP '2024-01-01 11:00'
GROUP BY 1 ORDER BY 1
"""


def test_join_to_timespine_by_the_hour_reads_the_hourly_spine(duck: Project) -> None:
    at = "{{ TimeDimension('metric_time', 'hour') }}"
    where = [f"{at} between '2024-01-01 08:00' and '2024-01-01 11:00'"]
    got = _rows(duck, ["events_filled"], ["metric_time__hour"], where)
    assert got == [tuple(r) for r in duck.warehouse.run(HAND_FILLED).rows]
    assert got == [(_hour(1, 8), 0), (_hour(1, 9), 2), (_hour(1, 10), 1), (_hour(1, 11), 0)]
    assert len(_rows(duck, ["events_filled"], ["metric_time__hour"])) == 4 * 24  # every spine hour
    assert _rows(duck, ["events_filled"], ["metric_time__day"])[:3] == [
        (dt.datetime(2024, 1, 1), 3),
        (dt.datetime(2024, 1, 2), 2),
        (dt.datetime(2024, 1, 3), 0),
    ]


def test_offsets_in_hours_shift_by_the_hourly_spine(duck: Project) -> None:
    got = _rows(duck, ["events_hour_ago", "events"], ["metric_time__hour"])
    assert got == [
        (_hour(1, 9), None, 2),
        (_hour(1, 10), 2, 1),
        (_hour(1, 11), 1, None),
        (_hour(2, 23), None, 2),
        (_hour(3, 0), 2, None),
    ]
    assert _rows(duck, ["events_at_hour_start"], ["metric_time__hour"]) == [
        (_hour(1, 9), 2),
        (_hour(1, 10), 1),
        (_hour(2, 23), 2),
    ]


DAILY_SPINE = """  - name: spine
    time_spine: {standard_granularity_column: ds}
    columns: [{name: ds, granularity: day}]
"""


def test_a_sub_day_spine_is_no_daily_spine(tmp_path: Path) -> None:
    root = _write(tmp_path / "p")
    semantic = root / "models" / "semantic.yml"
    semantic.write_text(semantic.read_text().replace(DAILY_SPINE, ""))
    (root / "metricmind.yml").write_text("name: t\nwarehouse: {type: duckdb, path: w.duckdb, schema: main}\n")
    with Project.load(root, strict=False) as p:
        assert p.model.time_spine is None
        assert [s.grain.value for s in p.model.fine_spines] == ["hour"]
        assert any("are not daily" in i.message for i in p.issues)


HAND_HOUR_AGO_BY_DAY = """
SELECT DATE_TRUNC('day', h.ts), SUM(e.n)
FROM spine_hour h JOIN (SELECT DATE_TRUNC('hour', ts) AS ts, COUNT(*) AS n FROM events GROUP BY 1) e
  ON e.ts = h.ts - INTERVAL 1 HOUR
GROUP BY 1 ORDER BY 1
"""


def test_an_offset_in_hours_by_the_day_shifts_each_spine_hour_then_adds_them_up(duck: Project) -> None:
    # MetricFlow's reading of an offset shown by a coarser period: each spine hour takes its shifted
    # hour's value, then the hours are added up (the 23:00 events of January 2 count on January 3)
    got = _rows(duck, ["events_hour_ago"], ["metric_time__day"])
    assert got == [tuple(r) for r in duck.warehouse.run(HAND_HOUR_AGO_BY_DAY).rows]
    assert got == [(dt.datetime(2024, 1, 1), 3), (dt.datetime(2024, 1, 3), 2)]
    # the start of the hour by the day: the hour that starts each day (none of the events is at 00:xx)
    assert _rows(duck, ["events_at_hour_start"], ["metric_time__day"]) == []


HAND_3H = """
SELECT h.ts, COUNT(*), COUNT(DISTINCT e.user_id)
FROM spine_hour h JOIN events e
  ON DATE_TRUNC('hour', e.ts) <= h.ts AND DATE_TRUNC('hour', e.ts) > h.ts - INTERVAL 3 HOUR
GROUP BY 1 ORDER BY 1
"""


def test_a_window_of_hours_runs_over_the_hourly_spine(duck: Project) -> None:
    got = _rows(duck, ["events_3h", "users_3h"], ["metric_time__hour"])
    assert got == [tuple(r) for r in duck.warehouse.run(HAND_3H).rows]
    assert got[:4] == [(_hour(1, 9), 2, 2), (_hour(1, 10), 3, 2), (_hour(1, 11), 3, 2), (_hour(1, 12), 1, 1)]
    # hour to date: the hour's own rows
    assert _rows(duck, ["events_htd"], ["metric_time__hour"]) == [
        (_hour(1, 9), 2),
        (_hour(1, 10), 1),
        (_hour(2, 23), 2),
    ]
    # by the day, the first hour of the day with rows in its window (MetricFlow's period_agg first)
    assert _rows(duck, ["events_3h"], ["metric_time__day"]) == [
        (dt.datetime(2024, 1, 1), 2),
        (dt.datetime(2024, 1, 2), 2),
        (dt.datetime(2024, 1, 3), 2),  # 00:00 and 01:00 still see the 23:00 events
    ]
    # all-time by the hour counts every earlier hour
    assert _rows(duck, ["events_to_date"], ["metric_time__hour"])[:2] == [(_hour(1, 9), 2), (_hour(1, 10), 3)]
