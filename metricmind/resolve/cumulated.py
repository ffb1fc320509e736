"""A metric said cumulatively ("cumulative room revenue", "running total of signups", "revenue to date"): the
catalog's cumulative metric over the same measure, when the question asks it so and exactly one fits.

Read from the catalog only: a cumulative metric (``type: cumulative``) accumulates the measure of the simple
metric read. With no trailing window asked, the ones without a window are the candidates; of several, the one
to date of the question's period (a year's range: ``grain_to_date: year``) wins; otherwise none is guessed.
"""

from __future__ import annotations

from metricmind.resolve.reading import _ReadingBase
from metricmind.resolve.resolution import Span
from metricmind.spec.model import MetricType

CUMULATIVE_WORDS = frozenset({"cumulative", "cumulatively", "cumulated", "accumulated"})
"""Words that ask a total accumulated over time (English's, not any catalog's)."""
RUNNING = (("running", "total"), ("running", "sum"))
CUMULATED_PENALTY = 0.1
"""A cumulative metric read from a word about the metric: sure, not certain (which start it runs from)."""


class _CumulatedReading(_ReadingBase):
    """The pass that reads "cumulative <metric>" as the catalog's cumulative metric over its measure."""

    def read_cumulated(self) -> None:
        res = self.res
        if len(res.metrics) != 1:
            return
        at = self.cumulative_word()
        if at is None:
            return
        first, last = at
        base = self.r.model.metrics.get(res.metrics[0])
        if base is None or base.type == MetricType.CUMULATIVE or base.measure is None:
            return
        found = [
            m
            for m in self.r.model.metrics.values()
            if m.type == MetricType.CUMULATIVE
            and m.measure is not None
            and m.measure.name == base.measure.name
            and not m.filter
            and (m.cumulative is None or m.cumulative.window is None)
            and str(m.meta.get("status") or "") != "deprecated"
        ]
        if len(found) > 1:
            unit = self.range_unit()
            found = [
                m
                for m in found
                if m.cumulative is not None
                and m.cumulative.grain_to_date is not None
                and m.cumulative.grain_to_date.value == unit
            ]
        if len(found) != 1:
            return
        name = found[0].name
        self.claim(first, last)
        res.spans["metrics"] = [
            Span(s.text, s.start, s.end, name, s.how) for s in res.spans.get("metrics", [])
        ]
        self.span("metrics", first, last, name, "cumulative")
        res.metrics = [name]
        res.confidence -= CUMULATED_PENALTY
        res.notes.append(f"read '{self.text(first, last).text}' {base.name} as {name}")

    def cumulative_word(self) -> tuple[int, int] | None:
        """Where the question says cumulatively (unread), as the words' first and last positions."""
        for t in self.tokens:
            k = t.index
            if self.used[k]:
                continue
            if t.norm in CUMULATIVE_WORDS:
                return k, k + 1
            if k + 1 < len(self.tokens) and (t.norm, self.tokens[k + 1].norm) in RUNNING:
                return k, k + 2
        return None

    def range_unit(self) -> str | None:
        """The calendar unit the question's range spans exactly (a year, a quarter, a month), if any."""
        rng = self.res.time_range
        if rng is None:
            return None
        start, end = rng
        if start.day != 1:
            return None
        months = (end.year - start.year) * 12 + end.month - start.month
        if end.day != 1:
            return None
        return {12: "year", 3: "quarter", 1: "month"}.get(months)
