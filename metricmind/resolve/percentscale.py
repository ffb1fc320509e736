"""A percentage said of a metric kept as a fraction: "a DNA rate over 8.5%" is ``dna_rate > 0.085``.

Rates and shares are stored either as fractions (0.085) or as percentages (8.5); the catalog says which. A
metric declared ``unit: percent``, or whose formula multiplies by 100 (NPS: ``... * 100.0 / responses``), holds
percentages; one declared ``unit: ratio``, a ratio or conversion metric, or one whose description calls it a
fraction, holds fractions. A percentage compared with a fraction is divided by 100; anything else is left as said.
"""

from __future__ import annotations

import re

from metricmind.spec.model import MetricType, Model

_HUNDRED = re.compile(r"\*\s*100(?:\.0*)?\b|\b100(?:\.0*)?\s*\*")


def as_metric_value(model: Model, metric: str, value: float, percent: bool) -> float:
    """``value`` in ``metric``'s own scale: a percentage of a fraction metric divided by 100."""
    if not percent or metric not in model.metrics or not holds_fraction(model, metric):
        return value
    return round(value / 100, 10)


def holds_fraction(model: Model, metric: str) -> bool:
    """Whether ``metric``'s values are fractions (0.085 for 8.5%), as far as the catalog says."""
    m = model.metrics[metric]
    unit = str(m.meta.get("unit") or "")
    if unit == "percent" or _HUNDRED.search(str(m.expr or "")):
        return False
    if unit == "ratio":
        return True
    described = (m.description or "").lower()
    if "percentage point" in described or re.search(r"\b(as a|in) percent", described):
        return False
    return m.type in (MetricType.RATIO, MetricType.CONVERSION) or "fraction" in described
