"""A rule a ratio's denominator's filter seems to cover: read as a filter on the whole ratio.

``avg_claim_severity`` is incurred losses over the claims *not denied* (its denominator's filter); "leave
denied claims out" said of an average of it leaves them out of the average — of both sides — where the
source leaves them out of the count alone. The rule reads as a filter on the metric (its two sides alike),
not as covered, with a doubt that says so. A rule that names the side itself ("out of the count", "the
denominator") stays covered, and so does one a numerator's filter covers: that filter is the event the
ratio counts ("refunded orders" of a refund rate), never the population.
"""

from __future__ import annotations

import re

from metricmind.define.proposal import RuleReading
from metricmind.define.rulevalues import Read, predicate_for
from metricmind.spec.model import Metric, MetricInput, Model
from metricmind.spec.names import SEP

#: The rule names a side of the ratio itself: what the source already does.
_SIDE_SAID = re.compile(r"\b(count|counted|denominator|numerator|divided|divide|per|over|top|bottom)\b", re.I)

#: Below a clear reading: the source said otherwise, a person checks.
WHOLE_CONFIDENCE = 0.7


def whole_of_ratio(reads: list[Read], base: Metric, model: Model) -> None:
    """Turn each covered rule of ``reads`` whose dimension ``base`` (a ratio) filters on its denominator
    only into a filter on the whole metric.
    """
    if base.type.value != "ratio" or base.numerator is None or base.denominator is None:
        return
    for r in reads:
        if r.reading.status != "covered" or not r.dimension or not r.values or r.reading.predicate:
            continue
        if _SIDE_SAID.search(r.reading.text):
            continue
        ref = SEP.join(r.dimension.split(SEP)[-2:])
        top = _filters(model, base.numerator, ref)
        bottom = _filters(model, base.denominator, ref)
        if top or not bottom or any(ref in w.sql for w in base.filter):
            continue  # a numerator's own filter is the event the ratio counts ("refunded" of a refund rate)
        side = "denominator"
        r.reading = RuleReading(
            r.reading.text,
            "filter",
            WHOLE_CONFIDENCE,
            f"`{base.name}` filters {r.dimension} on its {side} only ({r.reading.reason}); the rule leaves "
            "those rows out of the whole: a filter on both sides",
            predicate_for(r.dimension, r.values, r.negative),
        )


def _filters(model: Model, side: MetricInput, ref: str) -> bool:
    """The side's own filter, or its metric's, reads the dimension ``ref`` (``claim__claim_status``)."""
    metric = model.metrics.get(side.name)
    wheres = [*side.filter, *(metric.filter if metric is not None else ())]
    return any(f"'{ref}'" in w.sql for w in wheres)
