"""MetricFlow's own one-object-per-document format (``semantic_model:``, ``metric:``,
``project_configuration:``): ``validate --deep`` checks it (it crashed: DSI saw no project configuration),
and the time spines of ``project_configuration.time_spines`` are read with their grain and custom
granularities (only the legacy ``time_spine_table_configurations`` were, always as daily).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from metricmind.errors import Level, QueryError
from metricmind.project import Project
from metricmind.spec.query import MetricQuery

SEMANTIC = """semantic_model:
  name: orders
  node_relation: {schema_name: main, alias: orders}
  defaults: {agg_time_dimension: ds}
  entities:
    - {name: order, type: primary, expr: order_id}
  dimensions:
    - {name: ds, type: time, type_params: {time_granularity: day}}
  measures:
    - {name: order_count, agg: sum, expr: "1"}
---
metric:
  name: orders
  type: simple
  type_params: {measure: order_count}
---
metric:
  name: orders_to_date
  type: cumulative
  type_params: {measure: order_count}
"""

DAILY = """project_configuration:
  time_spine_table_configurations:
    - {location: main.spine, column_name: ds, grain: day}
  time_spines:
    - node_relation: {schema_name: main, alias: spine_hour}
      primary_column: {name: ts, time_granularity: hour}
    - node_relation: {schema_name: main, alias: spine}
      primary_column: {name: ds, time_granularity: day}
      custom_granularities:
        - {name: sprint, column_name: sprint_start}
"""

QUARTERLY = """project_configuration:
  time_spine_table_configurations:
    - {location: main.spine, column_name: ds_quarter, grain: quarter}
  time_spines:
    - node_relation: {schema_name: main, alias: spine}
      primary_column: {name: ds_quarter, time_granularity: quarter}
"""


def _project(tmp_path: Path, config: str) -> Path:
    root = tmp_path / "proj"
    (root / "semantic").mkdir(parents=True)
    (root / "semantic" / "orders.yaml").write_text(SEMANTIC)
    (root / "semantic" / "project_configuration.yaml").write_text(config)
    (root / "metricmind.yml").write_text(
        "name: t\nwarehouse: {type: duckdb, path: target/w.duckdb, schema: main}\n"
    )
    (root / "target").mkdir()
    con = duckdb.connect(str(root / "target" / "w.duckdb"))
    con.execute(
        "create table orders as select * from (values (1, date '2024-01-01'), "
        "(2, date '2024-01-02'), (3, date '2024-01-09')) t(order_id, ds)"
    )
    # two-week sprints starting on Mondays 2024-01-01 and 2024-01-15
    con.execute(
        "create table spine as select d::date as ds, "
        "(date '2024-01-01' + (14 * ((d::date - date '2024-01-01') // 14))::integer)::date as sprint_start "
        "from range(date '2024-01-01', date '2024-02-01', interval 1 day) t(d)"
    )
    con.close()
    return root


def test_deep_validation_of_metricflows_own_format_does_not_crash(tmp_path: Path) -> None:
    with Project.load(_project(tmp_path, DAILY)) as p:
        issues = p.validate(deep=True)
    assert not [i for i in issues if i.level is Level.ERROR], issues


def test_project_configuration_time_spines_give_the_daily_spine_and_its_custom_granularity(
    tmp_path: Path,
) -> None:
    with Project.load(_project(tmp_path, DAILY)) as p:
        spine = p.model.time_spine
        assert spine is not None
        assert (spine.relation, spine.column, spine.custom_granularities) == (
            "main.spine",
            "ds",
            (("sprint", "sprint_start"),),
        )
        rows = p.run(MetricQuery.build("orders", ["metric_time__sprint"])).rows
        assert [tuple(r) for r in rows] == [(dt.date(2024, 1, 1), 3)]
        cumulative = p.run(
            MetricQuery.build("orders_to_date", ["metric_time__day"], start="2024-01-01", end="2024-01-04")
        ).rows
        assert [r[1] for r in cumulative] == [1, 2, 2]


def test_a_spine_coarser_than_a_day_is_not_read_as_daily(tmp_path: Path) -> None:
    p = Project.load(_project(tmp_path, QUARTERLY), strict=False)
    with p:
        assert p.model.time_spine is None
        warned = [i for i in p.issues if "no daily time spine" in i.message]
        assert warned and warned[0].file == "semantic/project_configuration.yaml" and warned[0].line == 1
        # the cumulative metric needs a daily spine: refused, with the reason, instead of misread
        assert any("need a time spine" in i.message for i in p.issues if i.level is Level.ERROR)
        rows = p.run(MetricQuery.build("orders", ["metric_time__month"])).rows
        assert [(str(r[0])[:10], r[1]) for r in rows] == [("2024-01-01", 3)]


UNSUPPORTED = """---
metric:
  name: orders_3h
  type: cumulative
  type_params: {measure: order_count, cumulative_type_params: {window: 3 hours}}
---
metric:
  name: orders_htd
  type: cumulative
  type_params: {measure: order_count, cumulative_type_params: {grain_to_date: hour}}
---
metric:
  name: orders_last_sprint
  type: derived
  type_params:
    expr: o
    metrics: [{name: orders, offset_window: 1 sprint, alias: o}]
---
metric:
  name: orders_sprint_window
  type: cumulative
  type_params: {measure: order_count, cumulative_type_params: {window: 1 sprint}}
"""


def test_custom_granularity_windows_load_and_are_refused_at_query_time_and_sub_day_ones_load(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path, DAILY)
    (root / "semantic" / "more.yaml").write_text(UNSUPPORTED)
    p = Project.load(root, strict=False)
    with p:
        errors = {i.message.split("'")[1]: i for i in p.issues if i.level is Level.ERROR}
        # sub-day windows and periods are supported (tests/compiler/test_sub_day.py)
        assert "orders_3h" not in errors and "orders_htd" not in errors
        # an offset in a custom granularity loads with a located warning (it was an error that left the
        # metric out); its queries are refused, naming the custom granularity
        assert not errors
        warned = [i for i in p.issues if i.code == "custom_granularity_window"]
        assert len(warned) == 2 and all("custom granularity 'sprint'" in i.message for i in warned)
        assert all(i.file == "semantic/more.yaml" and i.line for i in warned)
        for metric in ("orders_last_sprint", "orders_sprint_window"):
            assert metric in p.model.metrics
            for group_by in (["metric_time__sprint"], ["metric_time__day"], []):
                with pytest.raises(QueryError, match="custom granularity"):
                    p.run(MetricQuery.build(metric, group_by))
        # the rest answers
        assert p.run(MetricQuery.build("orders", [])).rows == [(3,)]


FILLED = """---
metric:
  name: orders_1d_filled
  type: cumulative
  type_params:
    measure: {name: order_count, join_to_timespine: true, fill_nulls_with: 0}
    cumulative_type_params: {window: 1 day}
"""


def test_a_filled_cumulative_fills_every_day_and_shows_each_month_s_first_day(tmp_path: Path) -> None:
    # was refused at load (answered unfilled); now every spine day is present, 0 where its window is
    # empty, as MetricFlow. By the month MetricFlow shows each month's first day filled (0 when empty).
    root = _project(tmp_path, DAILY)
    (root / "semantic" / "filled.yaml").write_text(FILLED)
    p = Project.load(root, strict=False)
    with p:
        assert not [i for i in p.issues if i.level is Level.ERROR]
        rows = p.run(
            MetricQuery.build("orders_1d_filled", ["metric_time__day"], start="2024-01-01", end="2024-01-05")
        )
        assert [(str(r[0])[:10], r[1]) for r in rows.rows] == [
            ("2024-01-01", 1),
            ("2024-01-02", 1),
            ("2024-01-03", 0),
            ("2024-01-04", 0),
        ]
        # by the month each month shows its first day filled (MetricFlow's semantics, computed since
        # December 8: tests/compiler/test_filled_cumulative_periods.py); by a date part still refused
        monthly = p.run(MetricQuery.build("orders_1d_filled", ["metric_time__month"]))
        assert [(str(r[0])[:10], r[1]) for r in monthly.rows] == [("2024-01-01", 1)]
        with pytest.raises(QueryError, match="cannot be read by a date part"):
            p.run(MetricQuery.build("orders_1d_filled", ["metric_time__extract_month"]))


def test_two_objects_under_one_key_in_a_document_are_an_error_not_the_last_one(tmp_path: Path) -> None:
    # MetricFlow's config_linter_manifest: two `semantic_model:` in one document without '---'; YAML kept
    # the second and dropped the first without a word
    root = _project(tmp_path, DAILY)
    doubled = SEMANTIC.split("---")[0]
    (root / "semantic" / "doubled.yaml").write_text(
        doubled + doubled.replace("name: orders", "name: orders2")
    )
    p = Project.load(root, strict=False)
    with p:
        problem = next(i for i in p.issues if i.file == "semantic/doubled.yaml")
        assert problem.level is Level.ERROR and problem.line == 11  # the second key
        assert "duplicate key 'semantic_model' (first on line 1)" in problem.message
        assert "'---'" in (problem.hint or "")
