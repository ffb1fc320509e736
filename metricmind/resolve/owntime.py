"""A grain said with the metric's own time: "new learners by signup month", "bookings by arrival week".

A metric is dated by one time dimension (its measures' ``agg_time_dimension``: a learner's sign-up date, a
reservation's arrival date). "by signup month" names that date and a grain: a breakdown by ``metric_time``
at that grain, not a second metric called "signups" and no breakdown at all. ``time_words`` gives the words
of a metric's own time dimensions (their names and labels, "Sign-up date" also as "signup");
``_OwnTimeReading.grain_of_own_time`` reads "<group word> <its word> <unit>" as that grain, and drops a
metric read from that word alone when another metric was read.
"""

from __future__ import annotations

import re

from metricmind.resolve.describe import key
from metricmind.resolve.reading import _ReadingBase
from metricmind.resolve.resolution import Span
from metricmind.resolve.timespans import UNITS
from metricmind.resolve.words import GROUP_WORDS
from metricmind.spec.model import Model
from metricmind.spec.names import METRIC_TIME

_WORD = re.compile(r"[^\W_]+")
TIME_SUFFIXES = frozenset({"at", "on", "date", "day", "time", "ts", "timestamp", "dt"})
"""Words a time dimension's name or label adds to the event it dates ("signed_up_at", "Arrival date")."""


def time_words(model: Model, metric: str) -> set[str]:
    """Coarse keys of the words naming ``metric``'s own time dimensions, compounds joined ("sign up" → signup)."""
    out: set[str] = set()
    for name in model.measures_of(metric, grouped=True):
        measure = model.measures.get(name)
        sm = model.semantic_models.get(measure.semantic_model) if measure else None
        dim = (
            sm.dimension(measure.agg_time_dimension)
            if sm and measure and measure.agg_time_dimension
            else None
        )
        if dim is None:
            continue
        for text in (dim.name, dim.label or ""):
            words = [w.lower() for w in _WORD.findall(text) if w.lower() not in TIME_SUFFIXES]
            out |= {key(w) for w in words if len(w) > 2}
            out |= {key(a + b) for a, b in zip(words, words[1:], strict=False)}
    return out


class _OwnTimeReading(_ReadingBase):
    """The pass over a grain said with the metric's own time."""

    def grain_of_own_time(self) -> None:
        """Read "<group word> <word of the metrics' own time> <unit>" as ``metric_time`` at that unit."""
        res = self.res
        if not res.metrics or any(n == METRIC_TIME for n, _ in res.group_by):
            return
        for i in range(2, len(self.tokens)):
            t, k = self.tokens[i], i - 1
            if self.used[i] or t.stem not in UNITS or self.tokens[self.prev_word(k)].norm not in GROUP_WORDS:
                continue
            said = key(self.tokens[k].norm)
            own = [m for m in res.metrics if said in time_words(self.r.model, m)]
            if not own:
                continue
            spans = res.spans.get("metrics", [])
            only_here = {
                s.target for s in spans if s.start >= self.tokens[k].start and s.end <= self.tokens[k].end
            } - {s.target for s in spans if s.start < self.tokens[k].start or s.end > self.tokens[k].end}
            if set(res.metrics) - only_here:
                res.metrics = [m for m in res.metrics if m not in only_here]
                res.spans["metrics"] = [s for s in spans if s.target not in only_here]
            res.group_by.append((METRIC_TIME, t.stem))
            self.claim(k, i + 1)
            res.spans.setdefault("group_by", []).append(
                Span(
                    self.text(k, i + 1).text,
                    self.tokens[k].start,
                    t.end,
                    f"{METRIC_TIME}__{t.stem}",
                    "own time",
                )
            )
            return
