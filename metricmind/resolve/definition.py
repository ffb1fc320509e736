"""A metric followed by its own definition in brackets: "avg invoice amount (total billed / number of invoices)",
"arpa (mrr over paying customers)". The metrics read inside the brackets that are the first metric's inputs (its
numerator, denominator or the metrics it is derived from) say how it is computed: they are not asked beside it.
"""

from __future__ import annotations

from dataclasses import replace

from metricmind.resolve.resolution import Resolution
from metricmind.spec.model import Model


def inputs_of(model: Model, metric: str) -> set[str]:
    """The metrics ``metric`` is computed from: its numerator and denominator, or its derived inputs."""
    m = model.metrics.get(metric)
    if m is None:
        return set()
    out = {i.name for i in m.inputs}
    out |= {x.name for x in (m.numerator, m.denominator) if x is not None}
    return out


def drop_definitions(res: Resolution, model: Model) -> None:
    """Drop from ``res`` the metrics read only inside brackets right after another metric they define."""
    q = res.question
    spans = res.spans.get("metrics", [])
    for s in list(spans):
        open_at = q.rfind("(", 0, s.start)
        close_at = q.find(")", s.end)
        if open_at < 0 or close_at < 0 or q.find(")", open_at, s.start) >= 0:
            continue  # not inside brackets
        outside = [x for x in spans if x.end <= open_at and x.target != s.target]
        if not outside or len(q[outside[-1].end : open_at].split()) > 2:
            continue  # the brackets do not follow the metric's words ("avg invoice amount (…)")
        owner = outside[-1].target
        inside = [x for x in spans if open_at < x.start and x.end <= close_at]
        if s.target not in inputs_of(model, owner) or owner not in res.metrics:
            continue
        if any(x.target == s.target for x in spans if not (open_at < x.start and x.end <= close_at)):
            continue  # the input is also asked for outside the brackets
        res.metrics = [m for m in res.metrics if m != s.target]
        defining = inputs_of(model, owner)
        res.spans["metrics"] = [
            replace(x, target=owner, how="definition") if x in inside and x.target in defining else x
            for x in spans
        ]
        spans = res.spans["metrics"]


def defined_in_brackets(res: Resolution) -> tuple[str, int, int] | None:
    """The metric said by its own name or label right before brackets ("total revenue (iap + ads)"), with the
    brackets' characters: the words inside spell it out, so they are no evidence for renaming it to another metric
    whose description holds them too (``described``). None when there is none.
    """
    q = res.question
    for s in res.spans.get("metrics", []):
        if s.how in ("name", "label") and q[s.end :].lstrip().startswith("("):
            open_at = q.index("(", s.end)
            close_at = q.find(")", open_at)
            return s.target, open_at, close_at if close_at >= 0 else len(q)
    return None
