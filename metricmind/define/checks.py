"""Data-quality checks a proposal carries, as data the generator turns into dbt tests.

For the measure's column: ``not_null`` and, for a sum, ``non_negative``; the grain of the table it reads
(``unique`` on its primary key, the new model's included); ``accepted_values`` of each dimension a rule
filters on (the catalog's own values); ``reconcile`` — the metric's total by month equals the sum of its
values across a dimension that applies (additive metrics only); ``range`` — a reasonable range learned
from the metric's own history (the generator computes the bounds from the preview's rows).
"""

from __future__ import annotations

import re

from metricmind.define.extend import proposal_model
from metricmind.define.proposal import Check, Proposal
from metricmind.spec.model import Measure, Model

_DIM = re.compile(r"Dimension\('([a-z0-9_]+)'\)")


def _target(model: Model, measure: Measure) -> str:
    sm = model.semantic_models[measure.semantic_model]
    return sm.ref or sm.relation


def checks_for(model: Model, proposal: Proposal) -> list[Check]:
    """The checks of ``proposal`` over ``model`` (extended with the proposal's parts when it has any)."""
    metric = proposal.metric
    if metric is None:
        return []
    if metric["name"] not in model.metrics:
        model = proposal_model(model, proposal)
    out: list[Check] = []
    names = [metric["name"], *(m["name"] for m in proposal.new_metrics)]
    measures: dict[str, Measure] = {}
    for name in names:
        if name not in model.metrics:
            continue
        for m in model.measures_of(name):
            if m in model.measures:
                measures[m] = model.measures[m]
    for ms in measures.values():
        target = _target(model, ms)
        column = ms.expr if re.fullmatch(r"[a-z_][a-z0-9_]*", ms.expr) else None
        if column and ms.agg.value in ("sum", "average", "median", "min", "max"):
            out.append(Check("not_null", target, (column,), {}, f"{column} is what `{ms.name}` aggregates"))
            if ms.agg.value == "sum":
                out.append(
                    Check("non_negative", target, (column,), {}, f"a negative {column} would lower the total")
                )
    grains: dict[str, str] = {}
    for ms in measures.values():
        sm = model.semantic_models[ms.semantic_model]
        key = next((e.expr for e in sm.entities if e.name == sm.primary), None)
        if key:
            grains[sm.ref or sm.relation] = key
    for target, key in grains.items():
        out.append(
            Check("unique", target, (key,), {}, f"the grain: one row per {key}; a duplicate double-counts")
        )
    filtered = {d for r in proposal.rules if r.predicate for d in _DIM.findall(r.predicate)}
    for dim in sorted(filtered):
        tail = dim.rsplit("__", 1)[-1]
        for sm in model.semantic_models.values():
            d = sm.dimension(tail)
            values = (d.meta.get("values") if d is not None else None) or []
            if d is not None and values and d.type == "categorical":
                out.append(
                    Check(
                        "accepted_values",
                        sm.ref or sm.relation,
                        (d.expr or d.name,),
                        {"values": [str(v) for v in values]},
                        f"a rule filters on {dim}; a new value would silently fall out of the filter",
                    )
                )
                break
    additive = metric.get("type") in ("simple", "derived") and not any(
        ms.non_additive is not None or ms.agg.value in ("average", "median", "count_distinct")
        for ms in measures.values()
    )
    if additive and proposal.dimensions:
        dim = proposal.dimensions[0].name
        out.append(
            Check(
                "reconcile",
                metric["name"],
                (),
                {"dimension": dim, "grain": "metric_time__month"},
                f"the monthly total equals the sum across {dim} (nothing lost or double-counted by the join)",
            )
        )
    out.append(
        Check(
            "range",
            metric["name"],
            (),
            {"grain": "metric_time__month", "history_months": 24, "sigmas": 4},
            "each month within 4 standard deviations of the mean of the last 24 months (learned from history)",
        )
    )
    return out
