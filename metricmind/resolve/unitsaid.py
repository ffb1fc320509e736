"""The unit a metric is reported in, said after "in" ("total revenue in EUR" where the metric is labelled "Total
Revenue (EUR)" and sums ``revenue_eur``): how the amount is counted, not a filter on a column that happens to hold
the same word (the local currency of each line). Read from the catalog's own label and measure names.
"""

from __future__ import annotations

import re

from metricmind.resolve.resolution import Resolution
from metricmind.spec.model import Model

_CUES = ("in", "as", "into")


def units_of(model: Model, metric: str) -> set[str]:
    """The units ``metric`` is reported in: words in its label's parentheses, the last word of its measures'
    names ("revenue_eur": eur).
    """
    m = model.metrics[metric]
    said = {
        w
        for inner in re.findall(r"\(([^)]*)\)", m.label or "")
        for w in re.findall(r"[a-z0-9]+", inner.lower())
    }
    said |= {name.rsplit("_", 1)[-1] for name in model.measures_of(metric) if "_" in name}
    return said


def unit_said(res: Resolution, model: Model) -> None:
    """Drop a one-value filter said right after "in" whose value is a unit every metric read is reported in."""
    if not res.metrics or any(m not in model.metrics for m in res.metrics):
        return
    units = set.intersection(*(units_of(model, m) for m in res.metrics))
    measured = {f.metric for f in res.filters if f.metric in model.metrics} | set(res.metrics)
    inside = set.union(*(units_of(model, m) for m in measured if m is not None))  # (a threshold's metric too)
    q = res.question
    for s in list(res.spans.get("filters", [])):
        field, _, value = s.target.partition("=")
        before = q[: s.start].rstrip().lower()
        joined = s.start > 0 and q[s.start - 1] == "_"  # ("sum(gross_usd)": the unit in a column's name)
        after_cue = value.lower() in units and before.endswith(tuple(f" {c}" for c in _CUES))
        if not ((joined and value.lower() in inside) or after_cue):
            continue
        kept = [
            f for f in res.filters if not (f.field == field and f.values == (value,) and f.metric is None)
        ]
        if len(kept) == len(res.filters):
            continue
        res.filters = kept
        res.spans["filters"] = [x for x in res.spans["filters"] if x is not s]
        res.notes.append(f"read '{s.text}' as the unit the amounts are reported in, not a filter")
