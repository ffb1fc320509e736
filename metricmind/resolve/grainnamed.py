"""A grain adjective that is a word of the metric's own name ("daily actives" for DAU, whose synonym "daily active
users" holds both words): how the metric is called, not a breakdown by day. The words are the catalog's own (the
metric's name, label and synonyms: one of them must hold the adjective and the words read as the metric, so
"monthly mrr" stays by month); the adjective must stand right before the metric.
"""

from __future__ import annotations

from metricmind.resolve.resolution import Resolution, Span
from metricmind.resolve.text import stems
from metricmind.resolve.words import GRAIN_ADJ
from metricmind.spec.model import Model
from metricmind.spec.names import METRIC_TIME


def grain_named_with_metric(res: Resolution, model: Model) -> None:
    """Drop the breakdown a grain adjective said right before the one metric read, when the metric's own words
    hold the adjective ("daily actives in dec vs nov": DAU, one value per month compared, no series by day).
    """
    grains = [g for g in res.spans.get("group_by", []) if g.how == "grain" and g.text.lower() in GRAIN_ADJ]
    spans = res.spans.get("metrics", [])
    if len(res.metrics) != 1 or len(grains) != 1 or not spans or res.metrics[0] not in model.metrics:
        return
    g = grains[0]
    after = [s for s in spans if s.start >= g.end and not res.question[g.end : s.start].strip()]
    if not after:
        return
    metric = model.metrics[res.metrics[0]]
    said = set(stems(g.text)) | set(stems(after[0].text))
    phrases = (metric.name.replace("_", " "), metric.label or "", *metric.synonyms)
    if not any(said <= set(stems(t)) for t in phrases):
        return  # ("monthly mrr in 2025": no one name of MRR says both, so by month)
    unit = GRAIN_ADJ[g.text.lower()]
    others = [x for x in res.spans.get("group_by", []) if x is not g and x.target.startswith(METRIC_TIME)]
    if not others:  # ("daily actives by day": the breakdown said again in its own words stays)
        res.group_by = [(n, grain) for n, grain in res.group_by if not (n == METRIC_TIME and grain == unit)]
    res.spans["group_by"] = [x for x in res.spans["group_by"] if x is not g]
    res.spans["metrics"] = [*spans, Span(g.text, g.start, g.end, res.metrics[0], "inside metric")]
