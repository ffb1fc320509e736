"""What "how many" counts when it names a value: "how many exports did people run", "how many times did users
touch the alerts feature".

"How many" before a plural noun that is a value of a dimension ("exports" for the feature ``reports_export``),
or "how many times" with such a value in the question, asks for the rows of the value's table that have it:
the table's row count (a simple metric counting its primary key, or counting distinct primary keys, unfiltered),
filtered on the value. The other words read loosely as metrics are then who did it ("people", "users") and the
verb ("run", "touch"): they are no metrics of their own. After "how many times" the value may stand anywhere, so
a loose metric that can take the value's filter ("how many times did prospects interact": touchpoints) is kept. Nothing is read so when a metric is said by its own
name, label or synonym (rank below 2), nor when the table has no single row count.
"""

from __future__ import annotations

from metricmind.resolve.reading import _Pick, _ReadingBase
from metricmind.spec.model import Agg

LOOSE = 2
"""The least rank of a metric phrase read loosely (a shortened phrase, a head noun, an entity's noun)."""


class _CountedValueReading(_ReadingBase):
    """The pass reading "how many <value>" as the value's table's row count."""

    def counted_value(self, cands: list[_Pick], picks: list[_Pick], metrics: list[str]) -> list[str]:
        """The row count of the table of the value "how many" counts, or ``[]`` (see the module)."""
        norms = [t.norm for t in self.tokens]
        at = next((i for i in range(len(norms) - 2) if norms[i] == "how" and norms[i + 1] == "many"), None)
        if at is None:
            return []
        loose = [p for p in picks if p.kind == "metric"]
        if any(min(e.rank for e in p.entries) < LOOSE for p in loose):
            return []  # a metric said by its own words is what is counted
        times = norms[at + 2] == "times"
        value = self.counted_pick(picks if times else cands, at + 3 if times else at + 2, anywhere=times)
        if value is None:
            return []
        dim = value.entries[0].target.split("=", 1)[0]
        verbs = [
            p for p in loose if self.stems[p.first] not in self.r.entities.nouns
        ]  # (not "users", "people")
        if times and any(self.r.reachable(min(p.entries, key=lambda e: e.rank).target, dim) for p in verbs):
            return []  # "how many times did prospects interact": the metric the verb names takes the filter
        info = self.lex.dims.get(dim)
        count = self.row_count(info.model) if info is not None else None
        if count is None:
            return []
        for p in loose:
            picks.remove(p)  # ("people", "run": who did it and the verb, no metrics of their own)
            self.claim(p.first, p.last)
        if value not in picks:
            self.claim(value.first, value.last)
            picks.append(value)
            picks.sort(key=lambda p: p.first)
        self.claim(at, at + 3 if times else at + 2)
        self.span("metrics", at, at + 2, count, "counted value")
        self.res.confidence -= 0.1  # the count read from the value's table: sure, not certain
        return [count]

    def counted_pick(self, cands: list[_Pick], first: int, *, anywhere: bool) -> _Pick | None:
        """The value phrase "how many" counts: the plural one of ``cands`` starting at ``first`` or, after "how
        many times", the one value phrase read (values of one dimension only).
        """
        found = []
        for c in cands:
            if anywhere and c.kind != "value":
                continue
            values = [e for e in c.entries if e.kind == "value"]
            if not values or len({e.target.split("=", 1)[0] for e in values}) != 1:
                continue
            if anywhere or (c.first == first and self.tokens[c.last - 1].norm != self.stems[c.last - 1]):
                found.append(_Pick(c.first, c.last, values, "value", c.fuzzy))
        return found[0] if len(found) == 1 else None

    def row_count(self, table: str) -> str | None:
        """The one unfiltered simple metric counting the rows of ``table`` (its primary key), or None."""
        model = self.r.model
        sm = model.semantic_models.get(table)
        primary = sm.primary if sm is not None else None
        if sm is None or primary is None:
            return None
        key = next((e.expr or e.name for e in sm.entities if e.name == primary), None)
        out = []
        for m in model.metrics.values():
            if m.measure is None or m.filter or m.measure.filter or m.cumulative is not None:
                continue
            measure = next((x for x in sm.measures if x.name == m.measure.name), None)
            if measure is not None and measure.agg == Agg.COUNT and (measure.expr or "") in (key, "1", "*"):
                out.append(m.name)
        return out[0] if len(out) == 1 else None
