"""Rules dbt and MetricFlow enforce that ``validate`` used to miss (DSI's own transformations hid them):
each small invalid project gets an issue naming the file, the line and a fix.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from metricmind.errors import Issue, Level, MetricmindError
from metricmind.project import Project
from metricmind.spec.query import MetricQuery

MODELS = """semantic_models:
  - name: visits
    model: ref('visits')
    defaults: {agg_time_dimension: visited_at}
    entities:
      - {name: visit, type: primary, expr: visit_id}
      - {name: user, type: foreign, expr: user_id}
    dimensions:
      - {name: visited_at, type: time, type_params: {time_granularity: day}}
      - {name: channel, type: categorical}
    measures:
      - {name: visit_count, agg: count, expr: visit_id}
      - {name: visit_rows, agg: sum, expr: 1}
      - {name: visitors, agg: count_distinct, expr: user_id}
      - {name: basket_value, agg: sum, expr: amount}
      - {name: avg_basket, agg: average, expr: amount}
  - name: buys
    model: ref('buys')
    defaults: {agg_time_dimension: bought_at}
    entities:
      - {name: buy, type: primary, expr: buy_id}
      - {name: user, type: foreign, expr: user_id}
    dimensions:
      - {name: bought_at, type: time, type_params: {time_granularity: day}}
    measures:
      - {name: buy_count, agg: count, expr: buy_id}
      - {name: buy_amount, agg: sum, expr: amount}
"""

SPINE = """models:
  - name: date_spine
    time_spine: {standard_granularity_column: date_day}
    columns: [{name: date_day, granularity: day}]
"""

SIMPLE = """metrics:
  - name: visits
    type: simple
    type_params: {measure: visit_count}
"""


def conversion(base: str, conv: str, extra: str = "") -> str:
    return (
        SIMPLE
        + f"""  - name: visit_to_buy
    type: conversion
    type_params:
      conversion_type_params:
        base_measure: {base}
        conversion_measure: {conv}
        entity: user
        window: 7 days
{extra}"""
    )


def project(tmp_path: Path, metrics: str, models: str = MODELS) -> Project:
    root = tmp_path / "proj"
    (root / "models").mkdir(parents=True)
    (root / "models" / "semantic.yml").write_text(models)
    (root / "models" / "metrics.yml").write_text(metrics)
    (root / "metricmind.yml").write_text("name: t\nwarehouse: {type: duckdb, path: target/x.duckdb}\n")
    return Project.load(root, strict=False)


def found(p: Project, level: Level, code: str | None = None) -> list[Issue]:
    return [i for i in p.issues if i.level is level and (code is None or i.code == code)]


def test_a_conversion_over_a_sum_is_refused_with_file_line_and_fix(tmp_path: Path) -> None:
    p = project(tmp_path, conversion("visit_count", "buy_amount"))
    (issue,) = found(p, Level.ERROR)
    assert "conversion measure 'buy_amount'" in issue.message and "sum of 'amount'" in issue.message
    assert "COUNT/SUM(1)/COUNT_DISTINCT" in issue.message
    assert (issue.file, issue.line) == ("models/metrics.yml", 5)
    assert issue.hint and "agg: count" in issue.hint
    assert "models/metrics.yml:5:" in str(issue)
    with pytest.raises(MetricmindError):  # left out with its cause; the rest answers
        p.compile(MetricQuery.build("visit_to_buy"))
    assert "SELECT" in p.compile(MetricQuery.build("visits")).upper()


def test_a_conversion_from_an_average_is_refused_too(tmp_path: Path) -> None:
    p = project(tmp_path, conversion("avg_basket", "buy_count"))
    (issue,) = found(p, Level.ERROR)
    assert "base measure 'avg_basket'" in issue.message and "average" in issue.message
    assert (issue.file, issue.line) == ("models/metrics.yml", 5)


@pytest.mark.parametrize("base", ["visit_count", "visit_rows", "visitors"])
def test_counts_distinct_counts_and_sums_of_one_are_conversions(tmp_path: Path, base: str) -> None:
    p = project(tmp_path, conversion(base, "buy_count"))
    assert not found(p, Level.ERROR) and not found(p, Level.WARNING)
    assert "visit_to_buy" in p.model.metrics


def test_a_filter_on_the_conversion_measure_warns_that_metricflow_ignores_it(tmp_path: Path) -> None:
    conv = (
        "\n          name: buy_count\n          filter: \"{{ Dimension('buy__bought_at') }} > '2024-01-01'\""
    )
    p = project(tmp_path, conversion("visit_count", conv))
    assert not found(p, Level.ERROR)
    (issue,) = found(p, Level.WARNING, "conversion_filter")
    assert "metricmind applies it, MetricFlow does not" in issue.message
    assert (issue.file, issue.line) == ("models/metrics.yml", 12)  # the filter's own line
    assert issue.hint and "own measure" in issue.hint
    base = "\n          name: visit_count\n          filter: \"{{ Dimension('visit__channel') }} = 'web'\""
    assert not found(project(tmp_path / "b", conversion(base, "buy_count")), Level.WARNING)


def test_a_ratio_of_one_metric_over_itself_without_alias_warns(tmp_path: Path) -> None:
    ratio = """  - name: web_share
    type: ratio
    type_params:
      numerator:
        name: visits
        filter: "{{ Dimension('visit__channel') }} = 'web'"
      denominator: visits
"""
    p = project(tmp_path, SIMPLE + ratio)
    (issue,) = found(p, Level.WARNING, "ratio_alias")
    assert "MetricFlow gives both one column name and answers 1.0" in issue.message
    assert (issue.file, issue.line) == ("models/metrics.yml", 5) and issue.hint and "alias:" in issue.hint
    aliased = ratio.replace(
        "      denominator: visits", "        alias: web_visits\n      denominator: visits"
    )
    assert not found(project(tmp_path / "b", SIMPLE + aliased), Level.WARNING)


def test_a_count_without_expr_is_refused_at_the_measures_line(tmp_path: Path) -> None:
    models = MODELS.replace("{name: buy_count, agg: count, expr: buy_id}", "{name: buy_count, agg: count}")
    line = models.splitlines().index("      - {name: buy_count, agg: count}") + 1
    p = project(tmp_path, SIMPLE, models)
    (issue,) = found(p, Level.ERROR)
    assert "count without expr" in issue.message and (issue.file, issue.line) == ("models/semantic.yml", line)
    assert issue.hint and "expr: 1" in issue.hint


def test_deep_names_the_measure_line_of_metricflows_measure_findings(tmp_path: Path) -> None:
    median = "      - {name: avg_basket, agg: median, expr: amount, agg_params: {percentile: 0.9}}"
    models = MODELS.replace("      - {name: avg_basket, agg: average, expr: amount}", median) + SPINE
    p = project(tmp_path, SIMPLE, models)
    mf = [i for i in p.validate(deep=True) if i.code == "metricflow" and "MEDIAN" in i.message]
    line = models.splitlines().index(median) + 1
    assert mf and all((i.file, i.line) == ("models/semantic.yml", line) for i in mf), mf


def test_a_cumulative_of_a_snapshot_measure_warns(tmp_path: Path) -> None:
    models = MODELS.replace(
        "      - {name: avg_basket, agg: average, expr: amount}",
        "      - {name: avg_basket, agg: average, expr: amount}\n"
        "      - name: open_carts\n        agg: sum\n        expr: carts\n"
        "        non_additive_dimension: {name: visited_at, window_choice: max}",
    )
    cumulative = """  - name: open_carts_mtd
    type: cumulative
    type_params:
      measure: open_carts
      cumulative_type_params: {grain_to_date: month}
"""
    p = project(tmp_path, SIMPLE + cumulative, models + SPINE)
    (issue,) = found(p, Level.WARNING, "cumulative_snapshot")
    assert "adds snapshots up" in issue.message and (issue.file, issue.line) == ("models/metrics.yml", 5)
    flow = cumulative.replace("measure: open_carts", "measure: basket_value")
    assert not found(project(tmp_path / "b", SIMPLE + flow, models + SPINE), Level.WARNING)


def test_a_cumulative_window_written_directly_under_type_params_warns_that_dbt_deprecates_it(
    tmp_path: Path,
) -> None:
    legacy = """  - name: visits_mtd
    type: cumulative
    type_params:
      measure: visit_count
      grain_to_date: month
"""
    p = project(tmp_path, SIMPLE + legacy, MODELS + SPINE)
    (issue,) = found(p, Level.WARNING, "cumulative_legacy_param")
    assert "grain_to_date directly under type_params" in issue.message
    assert (issue.file, issue.line) == ("models/metrics.yml", 9)
    assert issue.hint == "move it to type_params.cumulative_type_params.grain_to_date"
    assert p.metric("visits_mtd").cumulative.grain_to_date is not None  # still read, as dbt reads it
    current = legacy.replace("grain_to_date: month", "cumulative_type_params: {grain_to_date: month}")
    assert not found(project(tmp_path / "b", SIMPLE + current, MODELS + SPINE), Level.WARNING)


def test_a_conversion_between_a_daily_and_a_monthly_measure_is_refused(tmp_path: Path) -> None:
    # MetricFlow's simple_manifest (visit_buy_conversion_rate_with_monthly_conversion): metricmind matched
    # a visit's day with a buy's month start, MetricFlow answered other rates
    monthly = MODELS.replace(
        "{name: bought_at, type: time, type_params: {time_granularity: day}}",
        "{name: bought_at, type: time, type_params: {time_granularity: month}}",
    )
    p = project(tmp_path, conversion("visit_count", "buy_count"), monthly)
    errors = [i for i in found(p, Level.ERROR) if "different time grains" in i.message]
    assert errors and errors[0].file == "models/metrics.yml" and errors[0].line == 5
    assert "visit_to_buy" not in p.model.metrics and "visits" in p.model.metrics
