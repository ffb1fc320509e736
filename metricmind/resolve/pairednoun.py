"""Two values compared with one entity's noun after them ("german vs dutch sellers"): the noun says whose values
both are. Alone, the first demonym would read as the party's country (the buyer's) and only the second as the
seller's; both are the sellers' countries, side by side. Read from the catalog's values and entity nouns.
"""

from __future__ import annotations

from metricmind.resolve.reading import _ReadingBase
from metricmind.resolve.resolution import Filter, Span
from metricmind.spec.names import SEP

_SIDES = frozenset({"vs", "versus", "against"})
_LIST = frozenset({"and", "or"})


class _PairedNounReading(_ReadingBase):
    """Realigns the first of two values said before one entity's noun onto the second's dimension."""

    def paired_noun(self) -> None:
        res, toks = self.res, self.tokens
        spans = sorted(res.spans.get("filters", []), key=lambda s: s.start)
        for a, b in zip(spans, spans[1:], strict=False):
            first, second = a.target.split("=", 1), b.target.split("=", 1)
            if len(first) != 2 or len(second) != 2 or first[0] == second[0] or first[0].endswith("!"):
                continue
            ia, ib = self.token_at.get(a.start), self.token_at.get(b.start)
            if ia is None or ib is None:
                continue
            between = [t.norm for t in toks if a.end <= t.start < b.start]
            if len(between) != 1 or between[0] not in _SIDES | _LIST:
                continue
            end = max((t.index for t in toks if b.start <= t.start < b.end), default=ib) + 1
            entity = second[0].split(SEP, 1)[0]
            if end >= len(toks) or self.stems[end] != entity:
                continue  # ("german vs dutch sellers": the sellers' noun right after the second value)
            words = tuple(self.stems[k] for k in range(ia, len(toks)) if a.start <= toks[k].start < a.end)
            same = [
                e
                for e in self.lex.lookup(words)
                if e.kind == "value" and e.target.startswith(second[0] + "=")
            ]
            if not same or not res.metrics or not all(self.r.reachable(m, second[0]) for m in res.metrics):
                continue
            value = same[0].target.split("=", 1)[1]
            kept = [f for f in res.filters if not (f.field in (first[0], second[0]) and f.metric is None)]
            res.filters = [*kept, Filter(second[0], "in", (value, second[1]))]
            res.spans["filters"] = [
                *(s for s in res.spans["filters"] if s is not a),
                Span(a.text, a.start, a.end, f"{second[0]}={value}", "paired noun"),
            ]
            if between[0] in _SIDES and second[0] not in [n for n, _ in res.group_by]:
                res.group_by.append((second[0], None))  # "german vs dutch": side by side
            return
