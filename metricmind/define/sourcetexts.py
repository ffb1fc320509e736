"""What a metric says of its own rows, seen through the metrics it is computed from.

A derived or ratio metric counts its inputs' rows: `arpa` (MRR ÷ `active_customers`) divides by paying
customers because `active_customers` says "Number of paying customers", whatever `arpa`'s own words are.
The checks that compare a rule with what the source leaves out (``rulecover.source_excludes``,
``rulecover.source_denies``) read these texts, so "trial customers" is caught on the derived path as on the
simple one. Pure and deterministic.
"""

from __future__ import annotations

from metricmind.spec.model import Metric, Model


def own_texts(metric: Metric) -> list[str]:
    """``metric``'s business rules, description and written definition (the non-empty ones)."""
    texts = [str(r) for r in metric.meta.get("business_rules") or ()]
    texts += [metric.description, str(metric.meta.get("definition") or "")]
    return [t for t in texts if t.strip()]


def inputs_of(metric: Metric) -> list[str]:
    """The names of the metrics ``metric`` is computed from (derived inputs, a ratio's two parts)."""
    names = [i.name for i in metric.inputs]
    names += [r.name for r in (metric.numerator, metric.denominator) if r is not None]
    return names


def source_texts(model: Model, metric: Metric | None) -> list[str]:
    """The texts of ``metric`` and of every metric it is computed from, transitively (each once)."""
    if metric is None:
        return []
    out: list[str] = []
    seen: set[str] = set()
    todo = [metric]
    while todo:
        m = todo.pop(0)
        if m.name in seen:
            continue
        seen.add(m.name)
        out += [t for t in own_texts(m) if t not in out]
        todo += [model.metrics[n] for n in inputs_of(m) if n in model.metrics and n not in seen]
    return out
