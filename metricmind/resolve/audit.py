"""The last look at a reading: no word that names a value may vanish without a trace.

Every pass claims the words it explains, and most record the words behind what they read (``spans``). A
word some pass claimed that no part of the answer shows, and that the catalog knows as a value, is a
condition the answer silently left out ("new customers from events" answered for every channel): the
worst kind of error, since the answer looks complete. Such a word costs the confidence a word left
unexplained costs, and the notes name it.
"""

from __future__ import annotations

import re

from metricmind.resolve.describe import key
from metricmind.resolve.reading import _ReadingBase
from metricmind.resolve.text import FILLERS
from metricmind.resolve.words import GRAMMAR

DROPPED_VALUE_PENALTY = 0.25
"""Confidence lost for a value the answer does not apply (the same as a word left unexplained)."""


class _AuditReading(_ReadingBase):
    """The pass that checks the answer shows every value the question named."""

    def audit_values(self) -> None:
        """Lower the confidence for each value word a pass claimed that no part of the answer applies."""
        res = self.res
        if not res.answerable or not res.metrics:
            return
        shown = [(s.start, s.end) for spans in res.spans.values() for s in spans]
        said = set().union(*(self.lex.metric_words.get(m, set()) for m in res.metrics))
        described = set().union(*(self.r.texts.weights.get(m, {}).keys() for m in res.metrics))
        for m in res.metrics:  # the business rules too ("trials excluded": "MRR excluding trials")
            rules = self.r.model.metrics[m].meta.get("business_rules") or ""
            described |= {key(w) for w in re.findall(r"[a-z]+", str(rules).lower())}
        applied = {(f.field, v) for f in res.filters for v in f.values} | {(n, "*") for n, _ in res.group_by}
        dropped: list[str] = []
        for i, t in enumerate(self.tokens):
            if not self.used[i] or t.norm in GRAMMAR or t.stem in GRAMMAR or t.norm in FILLERS:
                continue
            if self.stems[i] in said or key(t.norm) in described:
                continue  # a word of the metric's own name or description ("MRR excluding trials")
            if any(a <= t.start and t.end <= b for a, b in shown):
                continue
            dims = {e.target for e in self.lex.lookup((self.stems[i],)) if e.kind == "dimension"}
            dims |= {f.field for f in res.filters if self.stems[i] in re.split(r"_+", f.field)}
            if any((d, "*") in applied or any(f.field == d for f in res.filters) for d in dims):
                continue  # "the alerts feature", "business_closed cancellations": the filtered dimension's noun
            values = [
                e.target.split("=", 1)
                for c in self.by_first.get(i, [])
                if c.last == i + 1
                for e in c.entries
                if e.kind == "value"
            ]
            if not values or any((d, v) in applied or (d, "*") in applied for d, v in values):
                continue
            dropped.append(t.text)
        for word in dropped:
            res.confidence -= DROPPED_VALUE_PENALTY
            res.notes.append(f"'{word}' names a value the answer does not apply")
