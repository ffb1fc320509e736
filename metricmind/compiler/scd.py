"""Refuse metrics that move rows in time when grouped or filtered by a slowly changing dimension.

A type II slowly changing dimension (``validity_params``) holds versions: joined to a fact row, the version
valid on the row's own day is picked (revenue by the plan each customer had when ordering). A cumulative
metric adds rows of many days into one output day, and an offset metric shows on one day the rows of
another: which version then counts, the one valid on each row's own day (metricmind's rule for every other
metric) or the one valid on the output day? MetricFlow picks the output day for cumulative metrics, and for
an ``offset_window`` shown by a period coarser than the offset (or by a date part of ``metric_time``), where
it shifts the rows day by day before joining the dimension. By the offset's own unit or finer it joins the
dimension first, on each row's own day, and both engines agree. Where they would differ the query is
refused with why (see :func:`check`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from metricmind.errors import QueryError
from metricmind.spec.filters import parse_where
from metricmind.spec.model import Grain
from metricmind.spec.names import Ref

if TYPE_CHECKING:  # annotations only: checks imports this module
    from metricmind.compiler.request import Leaf, Request
    from metricmind.spec.model import Measure


def check(req: Request, leaf: Leaf, measure: Measure) -> None:
    """Refuse ``leaf`` when it is cumulated, or offset day by day, and a group-by or filter reaches a slowly
    changing dimension from ``measure``'s semantic model.

    Cumulative: the month-to-date revenue of plan 'plus' on 2023-04-26 in the shop sample is 357.44 by the
    version on each order's day and 865.44 by the version on the output day (MetricFlow). Offset:
    ``revenue_growth_mom`` by ``metric_time__quarter`` and ``customer__valid_to__quarter`` in 2023-Q2, for the
    versions ending in 2023-Q3, is 4,366.65 by the version on each order's day and 3,065.52 by the version on
    the output day (MetricFlow), which moves the month-old orders of a customer to a version that began
    after they were placed; by ``metric_time__day`` MetricFlow itself uses each order's day, so its quarter
    is not the sum of its days (fuzzer, seed 2, q81).
    """
    if leaf.kind != "cumulative" and not _shifted_by_day(req, leaf):
        return
    for ref, column in _named(req, leaf):
        try:
            target = req.graph.resolve(measure.semantic_model, ref)
        except QueryError:
            continue  # the scan reports it
        scd = next((h.target for h in target.path.hops if req.model.semantic_models[h.target].validity), None)
        if scd is None:
            continue
        if leaf.kind == "cumulative":
            how = (
                f"'{measure.name}' is cumulated here: a running total adds up rows of many days, so it is "
                "unclear whether each row counts under its version on its own day (metricmind's rule for "
                "other metrics) or on the output day (MetricFlow's choice for cumulative metrics)"
            )
            hint = f"Drop {column}, or query a simple metric of '{measure.name}' by it and metric_time."
        else:
            assert leaf.offset_window is not None
            unit = leaf.offset_window.unit
            how = (
                f"'{measure.name}' is offset by {leaf.offset_window.count} {unit} and shown by a coarser "
                "period or a date part: each day of the period takes the rows of its shifted day, and "
                "MetricFlow counts them under the version valid on the output day (a customer's earlier "
                "rows move to a version that may have begun after them), while by "
                f"metric_time__{unit} or finer both count each row under the version valid on its own day, "
                "so the two readings give different numbers and neither is plainly meant"
            )
            hint = f"Group by metric_time__{unit} (or finer) with {column}, or drop {column}."
        raise QueryError(
            f"'{column}' {'comes from' if target.model == scd else 'is reached through'} '{scd}', a slowly "
            f"changing dimension (validity_params), and {how}",
            hint=hint,
        )


def _shifted_by_day(req: Request, leaf: Leaf) -> bool:
    """True when ``leaf``'s offset window is shown by a period coarser than its unit or by a date part of
    ``metric_time``: each spine day takes its shifted day's rows (``Planner.by_day``; MetricFlow joins
    the dimensions after that shift). ``offset_to_grain`` joins them before, like every other metric.
    """
    if leaf.offset_window is None:
        return False
    if req.time_parts:
        return True
    grain = req.finest_grain
    return grain is not None and grain.rank > Grain(leaf.offset_window.unit).rank


def _named(req: Request, leaf: Leaf) -> list[tuple[Ref, str]]:
    """The dimensions and entities the query groups or filters by (query filters and the leaf's own), each
    with how to name it in a message; ``metric_time`` and its date parts are left out.
    """
    named = [(i.ref, i.column) for i in req.other_items if i.ref.kind != "metric" and not i.is_time_part]
    # a filter on such a dimension picks rows by a version too (fuzzer, seed 2: `customer__plan is not null`)
    wheres = [(w.text, w) for w in req.wheres]
    wheres += [(text, parse_where(text, req.dialect.sqlglot)) for text in leaf.filters]
    named += [
        (ref, f"filter {text!r}")
        for text, w in wheres
        for ref in w.refs.values()
        if ref.kind != "metric" and not ref.is_metric_time
    ]
    return named
