"""A value and the metric read apart that, said together, are another metric's phrase: "how many parcels got
delivered" (parcel volume where the status is delivered → Delivered Parcels), "orders that were refunded".

The catalog's own metric for the pair is what was asked: its definition (the delivery date, its own measure)
may differ from the plain count filtered on the value, and a data team that named it meant it to be used. The
value's filter is dropped and the metric replaced, when exactly one metric has the phrase, in either order.
"""

from __future__ import annotations

from metricmind.resolve.reading import _ReadingBase

VALUE_METRIC_PENALTY = 0.05
"""The metric read from its words said apart: sure of the metric, the words not in their order."""


class _ValueMetricReading(_ReadingBase):
    """The pass reading a value and a metric said apart as the metric their words name together."""

    def value_metric(self) -> None:
        """Replace a metric and a one-word value filter by the one metric whose phrase is their words."""
        res = self.res
        if not res.answerable or len(res.metrics) != 1:
            return
        spans = [s for s in res.spans.get("metrics", []) if s.target == res.metrics[0]]
        if len(spans) != 1:
            return
        said = tuple(
            self.stems[k]
            for k in range(len(self.tokens))
            if spans[0].start <= self.tokens[k].start < spans[0].end
        )
        for f in list(res.spans.get("filters", [])):
            at = [t.index for t in self.tokens if f.start <= t.start < f.end]
            if len(at) != 1 or "=" not in f.target:
                continue
            word = self.stems[at[0]]
            after = self.stems[at[0] + 1] if at[0] + 1 < len(self.tokens) else ""
            if after in self.r.entities.nouns or any(
                e.kind == "dimension" for e in self.lex.lookup((after,))
            ):
                continue  # ("growth tier mrr", "mrr for growth customers": a value of the noun after it)
            found = {
                e.target
                for key in ((word, *said), (*said, word))
                for e in self.lex.phrases.get(key, [])
                if e.kind == "metric" and e.target != res.metrics[0]
            }
            if len(found) != 1:
                continue
            name = found.pop()
            field, value = f.target.split("=", 1)
            if not any(x.field == field and x.op == "=" and x.values == (value,) for x in res.filters):
                continue  # ("excluding api", "api and alerts": left out, or one of several, not the metric's)
            res.filters = [x for x in res.filters if not (x.field == field and x.values == (value,))]
            res.spans["filters"] = [x for x in res.spans["filters"] if x is not f]
            res.spans["metrics"] = [x for x in res.spans["metrics"] if x is not spans[0]]
            res.metrics = [name]
            self.span("metrics", at[0], at[0] + 1, name, "words apart")
            res.span(
                "metrics", type(spans[0])(spans[0].text, spans[0].start, spans[0].end, name, "words apart")
            )
            res.confidence -= VALUE_METRIC_PENALTY
            return
