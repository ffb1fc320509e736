"""Reading dbt 1.12's latest spec: what each key becomes, both specs side by side, and every problem with
``file:line`` and a fix."""

from __future__ import annotations

from pathlib import Path

from metricmind.errors import Level
from metricmind.project import Project
from metricmind.spec.loader import LoadResult, load
from metricmind.spec.model import Agg, EntityType, Grain, MetricType

ORDERS = """\
models:
  - name: fct_orders
    description: One row per order.
    semantic_model:
      enabled: true
      name: orders
    agg_time_dimension: ordered_at
    columns:
      - name: order_id
        entity: {type: primary, name: order}
      - name: customer_id
        entity: foreign
      - name: ordered_at
        granularity: day
        dimension: time
      - name: status_code
        description: Order status.
        dimension: {type: categorical, name: status, label: Status}
      - name: shipped_at
        granularity: week
        dimension: {type: time}
    derived_semantics:
      dimensions:
        - {name: is_big, type: categorical, expr: amount > 100}
      entities:
        - {name: store, type: foreign, expr: "cast(store_code as varchar)"}
    metrics:
      - name: order_count
        agg: count
        expr: 1
      - name: revenue
        type: simple
        agg: sum
        expr: amount
        fill_nulls_with: 0
        join_to_timespine: true
      - name: shipped_revenue
        type: simple
        agg: sum
        expr: amount
        agg_time_dimension: shipped_at
        filter: "{{ Dimension('order__status') }} = 'shipped'"
      - name: p90_amount
        agg: percentile
        expr: amount
        percentile: 0.9
        percentile_type: discrete
      - name: aov
        type: ratio
        numerator: revenue
        denominator: order_count
"""


def project(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "proj"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "metricmind.yml").write_text(
        "name: t\nwarehouse: {type: duckdb, path: target/x.duckdb, schema: core}\n"
    )
    return root


def messages(result: LoadResult, level: Level = Level.ERROR) -> list[str]:
    return [str(i) for i in result.issues if i.level is level]


def test_a_model_entry_becomes_a_semantic_model_with_measures_and_metrics(tmp_path: Path) -> None:
    result = load(project(tmp_path, {"models/orders.yml": ORDERS}))
    assert messages(result) == [] and messages(result, Level.WARNING) == []
    sm = result.model.semantic_models["orders"]
    assert (sm.relation, sm.ref, sm.default_agg_time_dimension, sm.description) == (
        "core.fct_orders",
        "fct_orders",
        "ordered_at",
        "One row per order.",
    )
    assert [(e.name, e.type, e.expr) for e in sm.entities] == [
        ("order", EntityType.PRIMARY, "order_id"),
        ("customer_id", EntityType.FOREIGN, "customer_id"),
        ("store", EntityType.FOREIGN, "cast(store_code as varchar)"),
    ]
    dims = {d.name: (d.type, d.expr, d.grain, d.label, d.description) for d in sm.dimensions}
    assert dims == {
        "ordered_at": ("time", "ordered_at", Grain.DAY, "", ""),
        "status": ("categorical", "status_code", None, "Status", "Order status."),
        "shipped_at": ("time", "shipped_at", Grain.WEEK, "", ""),
        "is_big": ("categorical", "amount > 100", None, "", ""),
    }
    measures = result.model.measures
    assert (measures["order_count"].agg, measures["order_count"].expr) == (Agg.COUNT, "1")
    assert measures["shipped_revenue"].agg_time_dimension == "shipped_at"
    assert (
        measures["revenue"].agg_time_dimension == "ordered_at"
        and measures["revenue"].semantic_model == "orders"
    )
    p90 = measures["p90_amount"]
    assert (p90.agg, p90.percentile, p90.discrete_percentile, p90.approximate_percentile) == (
        Agg.PERCENTILE,
        0.9,
        True,
        False,
    )
    metrics = result.model.metrics
    revenue = metrics["revenue"].measure
    assert revenue is not None and (revenue.fill_nulls_with, revenue.join_to_timespine) == (0, True)
    assert metrics["shipped_revenue"].filter[0].sql == "{{ Dimension('order__status') }} = 'shipped'"
    line = ORDERS.splitlines().index("        filter: \"{{ Dimension('order__status') }} = 'shipped'\"") + 1
    assert metrics["shipped_revenue"].filter[0].line == line
    assert metrics["aov"].type is MetricType.RATIO and metrics["aov"].numerator.name == "revenue"  # type: ignore[union-attr]


LEGACY = """\
semantic_models:
  - name: customers
    model: ref('dim_customers')
    defaults: {agg_time_dimension: signed_up_at}
    entities: [{name: customer, type: primary, expr: customer_id}]
    dimensions:
      - {name: signed_up_at, type: time, type_params: {time_granularity: day}}
      - {name: plan, type: categorical}
    measures:
      - {name: signups, agg: count, expr: customer_id}
metrics:
  - name: paid_signups
    label: Paid signups
    type: simple
    type_params: {measure: {name: signups, filter: "{{ Dimension('customer__plan') }} != 'free'"}}
    filter: "{{ Dimension('customer__plan') }} is not null"
"""

CROSS = """\
metrics:
  - name: revenue_per_signup
    type: ratio
    numerator: revenue
    denominator: {name: paid_signups, alias: paid}
  - name: signups_to_date
    type: cumulative
    input_metric: {name: paid_signups, filter: "{{ Dimension('customer__plan') }} = 'pro'"}
    grain_to_date: month
    period_agg: last
  - name: signup_to_order
    type: conversion
    entity: customer
    calculation: conversions
    base_metric: paid_signups
    conversion_metric: order_count
    window: 7 days
    constant_properties:
      - {base_property: plan, conversion_property: plan}
  - name: revenue_growth
    type: derived
    expr: revenue - revenue_before
    input_metrics:
      - revenue
      - {name: revenue, offset_window: 1 month, alias: revenue_before}
"""


def test_both_specs_side_by_side_and_metric_inputs_become_the_simple_metrics_measures(tmp_path: Path) -> None:
    files = {"models/orders.yml": ORDERS, "models/legacy.yml": LEGACY, "models/metrics.yml": CROSS}
    result = load(project(tmp_path, files))
    assert messages(result) == []
    metrics = result.model.metrics
    assert {"customers", "orders"} == set(result.model.semantic_models)
    assert metrics["revenue_per_signup"].denominator.alias == "paid"  # type: ignore[union-attr]
    cum = metrics["signups_to_date"]
    assert cum.measure is not None and cum.measure.name == "signups"  # the legacy simple metric's measure
    assert [w.sql for w in cum.measure.filter] == [
        "{{ Dimension('customer__plan') }} is not null",
        "{{ Dimension('customer__plan') }} != 'free'",
        "{{ Dimension('customer__plan') }} = 'pro'",
    ]
    assert cum.cumulative is not None and (cum.cumulative.grain_to_date, cum.cumulative.period_agg) == (
        Grain.MONTH,
        "last",
    )
    conv = metrics["signup_to_order"].conversion
    assert conv is not None
    assert (conv.base_measure.name, conv.conversion_measure.name, conv.entity, conv.window) == (
        "signups",
        "order_count",
        "customer",
        "7 days",
    )
    assert conv.calculation == "conversions" and conv.constant_properties[0].base_property == "plan"
    growth = metrics["revenue_growth"]
    assert [(i.name, i.alias, i.offset_window) for i in growth.inputs] == [
        ("revenue", None, None),
        ("revenue", "revenue_before", "1 month"),
    ]


def test_one_column_can_be_an_entity_and_a_dimension_and_anchors_are_no_unknown_key(tmp_path: Path) -> None:
    text = """\
anchors:
  - &count {agg: count, expr: 1}
models:
  - name: fct_visits
    semantic_model: {name: visits}
    agg_time_dimension: visited_at
    columns:
      - name: visit_id
        description: The visit.
        config: {meta: {pii: false}}
        entity: {type: primary, name: visit, config: {meta: {owner: web}}}
        dimension: {type: categorical, name: visit_code}
      - name: visited_at
        granularity: day
        dimension: {type: time}
    metrics:
      - {name: visits, <<: *count}
"""
    result = load(project(tmp_path, {"models/visits.yml": text}))
    assert result.issues == []
    sm = result.model.semantic_models["visits"]
    visit, code = sm.entity("visit"), sm.dimension("visit_code")
    assert visit is not None and (visit.expr, visit.description, visit.meta) == (
        "visit_id",
        "The visit.",
        {"pii": False, "owner": "web"},
    )
    assert code is not None and (code.expr, code.description) == ("visit_id", "The visit.")
    assert result.model.measures["visits"].expr == "1"


def test_an_aliased_model_is_read_over_its_alias_and_a_versioned_one_warns(tmp_path: Path) -> None:
    text = """\
models:
  - name: fct_orders
    config: {alias: orders_v}
    semantic_model: true
    columns: [{name: order_id, entity: primary}]
  - name: dim_users
    semantic_model: true
    latest_version: 2
    versions: [{v: 1}, {v: 2}]
    columns: [{name: user_id, entity: primary}]
"""
    result = load(project(tmp_path, {"models/m.yml": text}))
    sms = result.model.semantic_models
    assert (sms["fct_orders"].relation, sms["fct_orders"].ref) == ("core.orders_v", "fct_orders")
    (warning,) = messages(result, Level.WARNING)
    assert "models/m.yml:9" in warning and "model 'dim_users' is versioned" in warning


def test_disabled_or_missing_semantic_models_are_not_read(tmp_path: Path) -> None:
    text = """\
models:
  - name: a
    semantic_model: false
    columns: [{name: id, entity: primary}]
    metrics: [{name: a_count, agg: count, expr: 1}]
  - name: b
    semantic_model: {enabled: false}
    columns: [{name: id, entity: primary}]
  - name: c
    columns: [{name: id, entity: primary}]
    metrics: [{name: c_count, agg: count, expr: 1}]
"""
    files = {"models/orders.yml": ORDERS, "models/other.yml": text}
    result = load(project(tmp_path, files))
    assert set(result.model.semantic_models) == {"orders"}
    assert not {"a_count", "c_count"} & set(result.model.metrics)
    (warning,) = messages(result, Level.WARNING)
    assert (
        "models/other.yml:9" in warning
        and "model 'c'" in warning
        and "semantic_model: {enabled: true}" in warning
    )


def test_every_problem_names_file_line_and_fix(tmp_path: Path) -> None:
    text = """\
models:
  - name: fct_events
    semantic_model: {enabled: true, nmae: events}
    agg_time_dimension: happened_at
    agg_time_dimensions: happened_at
    columns:
      - name: event_id
        entity: {type: primry}
      - name: happened_at
        dimension: time
      - name: Kind
        dimension: categorical
    metrics:
      - {name: events, agg: count}
      - {name: amount_total, agg: summ, expr: amount}
      - {name: p95, agg: percentile, expr: amount, percentile: 95}
      - {name: no_agg, type: simple}
      - {name: per_event, type: derived, expr: a / b, input_metrics: [a], fill_nulls_with: 0}
      - {name: odd_ratio, type: ratio, numerator: events, denominator: events, window: 7 days}
      - {name: typo, type: ratio, numerator: events, denominator: events, numerater: x}
metrics:
  - {name: loose, type: simple, agg: sum, expr: amount}
  - {name: cum_unknown, type: cumulative, input_metric: evnts}
  - {name: cum_ratio, type: cumulative, input_metric: odd_ratio}
  - {name: conv, type: conversion, base_metric: events, conversion_metric: events}
"""
    result = load(project(tmp_path, {"models/events.yml": text}))
    found = messages(result)
    expect = [
        ("events.yml:3", "unknown key 'nmae'", "did you mean 'name'?"),
        ("events.yml:8", "type 'primry'", "use primary, unique, foreign or natural"),
        ("events.yml:9", "time dimension without a granularity", "add granularity: day on the column"),
        ("events.yml:12", "'Kind' must be lower snake_case", "give the dimension a name"),
        ("events.yml:14", "count without expr", "add expr: 1"),
        ("events.yml:15", "agg 'summ'", "did you mean 'sum'?"),
        ("events.yml:16", "percentile between 0 and 1, got 95", "percentile: 0.95"),
        ("events.yml:17", "is simple but has no agg", "add agg"),
        ("events.yml:18", "sets fill_nulls_with, which metricmind applies to simple metrics only", ""),
        ("events.yml:20", "unknown key 'numerater'", "did you mean 'numerator'?"),
        ("events.yml:22", "simple metric outside a model", "move it to the `metrics:` of the model"),
        ("events.yml:23", "uses unknown metric 'evnts' (input_metric)", "did you mean 'events'?"),
        (
            "events.yml:24",
            "input_metric 'odd_ratio' is a ratio metric",
            "point input_metric at a simple metric",
        ),
        ("events.yml:25", "has no conversion entity", "add entity"),
    ]
    for where, what, hint in expect:
        assert any(where in f and what in f and hint in f for f in found), (where, what, found)
    assert len(found) == len(expect), found
    warnings = messages(result, Level.WARNING)
    assert any("events.yml:5" in w and "unknown key 'agg_time_dimensions'" in w for w in warnings), warnings
    assert any("events.yml:19" in w and "'window' belongs to cumulative metrics" in w for w in warnings), (
        warnings
    )


def test_a_broken_latest_metric_leaves_out_only_what_depends_on_it(tmp_path: Path) -> None:
    text = ORDERS.replace(
        "agg: sum\n        expr: amount\n        fill", "agg: summ\n        expr: amount\n        fill"
    )
    cross = (
        "metrics:\n  - {name: revenue_to_date, type: cumulative, input_metric: revenue}\n"
        "models:\n  - name: metricflow_time_spine\n    time_spine: {standard_granularity_column: date_day}\n"
        "    columns: [{name: date_day, granularity: day}]\n"
    )
    root = project(tmp_path, {"models/orders.yml": text, "models/metrics.yml": cross})
    loaded = Project.load(root, strict=False)
    errors = [str(i) for i in loaded.issues if i.level is Level.ERROR]
    assert len(errors) == 1 and "agg 'summ'" in errors[0] and "orders.yml:33" in errors[0], errors
    gone = {u.name for u in loaded.unavailable if u.kind == "metric"}
    assert {"revenue", "aov", "revenue_to_date"} <= gone
    assert {"order_count", "shipped_revenue"} <= set(loaded.model.metrics)
