"""What is counted when the question names a value as the thing counted: "how many exports did people run",
"how many times did users touch the alerts feature", "how many chats in q2", "emails received in q2".

One reading, three ways to say it, one rule for what is counted and one for how sure it is:

- "how many" before a plural noun that is a value of a dimension ("exports" for the feature
  ``reports_export``); the other words read loosely as metrics are then who did it ("people", "users") and
  the verb ("run", "touch"): they are no metrics of their own;
- "how many times" with a value anywhere in the question, unless a loose metric the verb names can take the
  value's filter ("how many times did prospects interact": touchpoints);
- no metric read at all, and a value said as a plural noun ("emails received in q2"), not excluded.

What is counted is the value's table's one row count (a simple, unfiltered metric counting its primary key,
its distinct keys or its rows), filtered on the value. Nothing is read so when a metric is said by its own
name, label or synonym (rank below 2), nor when the table has no single row count. The catalog never said
that the count counts the value's things: the reading is a guess and costs ``COUNTED_VALUE_PENALTY`` (read
below 0.8).
"""

from __future__ import annotations

from metricmind.resolve.exclusion import exclusion_cue
from metricmind.resolve.reading import _Pick, _ReadingBase
from metricmind.resolve.resolution import Filter, Span
from metricmind.spec.model import Agg

LOOSE = 2
"""The least rank of a metric phrase read loosely (a shortened phrase, a head noun, an entity's noun)."""
COUNTED_VALUE_PENALTY = 0.25
"""A count read from a value's table ("exports", "chats"): the catalog never said it counts them, a guess."""


class _CountedValueReading(_ReadingBase):
    """The pass reading a value named as the thing counted as the value's table's row count."""

    def counted_value(self, cands: list[_Pick], picks: list[_Pick], metrics: list[str]) -> list[str]:
        """The row count of the table of the value counted, or ``[]`` (see the module)."""
        norms = [t.norm for t in self.tokens]
        at = next((i for i in range(len(norms) - 2) if norms[i] == "how" and norms[i + 1] == "many"), None)
        loose = [p for p in picks if p.kind == "metric"]
        if any(min(e.rank for e in p.entries) < LOOSE for p in loose):
            return []  # a metric said by its own words is what is counted
        times = at is not None and norms[at + 2] == "times"
        if at is not None:
            value = self.counted_pick(picks if times else cands, at + 3 if times else at + 2, anywhere=times)
        elif not metrics:
            value = self.plural_value(picks)
        else:
            return []
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
        for p in picks:
            if p.kind == "value" and (p.first, p.last) == (value.first, value.last):
                p.kind = "merged"  # (read here, with the count: the filter pass would take it for a metric's)
        self.claim(value.first, value.last)
        field, said_value = value.entries[0].target.split("=", 1)
        self.res.filters.append(Filter(field, "=", (said_value,)))
        self.span("filters", value.first, value.last, value.entries[0].target, "counted value")
        said = (at, at + 3 if times else at + 2) if at is not None else (value.first, value.last)
        self.claim(*said)
        self.span("metrics", said[0], said[1], count, "counted value")
        self.res.confidence -= COUNTED_VALUE_PENALTY
        words = " ".join(t.text for t in self.tokens[value.first : value.last])
        self.res.notes.append(f"read '{words}' as the things {count} counts, of that value")
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

    def plural_value(self, picks: list[_Pick]) -> _Pick | None:
        """A one-word value said as a plural noun, no metric read ("emails received in q2"): the first one that
        is one value of one table and not left out. An everyday word the value pass left alone counts here.
        """
        picked = {p.first for p in picks if p.kind == "value"}
        # "late cancellations": a value of several words whose last is the plural noun
        ending = {p.last - 1: p.first for p in picks if p.kind == "value" and p.last - p.first > 1}
        for i, t in enumerate(self.tokens):
            if t.norm == self.stems[i] or not t.norm.endswith("s"):
                continue
            if self.used[i] and i not in picked and i not in ending:
                continue
            values = [
                e
                for c in self.by_first.get(i, [])
                if c.last == i + 1
                for e in c.entries
                if e.kind == "value" and "=" in e.target
            ]
            first = i
            if not values and i in ending:
                first = ending[i]
                values = [
                    e
                    for c in self.by_first.get(first, [])
                    if c.last == i + 1
                    for e in c.entries
                    if e.kind == "value" and "=" in e.target
                ]
            dims = {e.target.split("=", 1)[0] for e in values}
            models = {self.lex.dims[d].model for d in dims if d in self.lex.dims}
            if len({e.target for e in values}) != 1 or len(models) != 1:
                continue
            if exclusion_cue(self.tokens, i, self.used, self.r.entities.nouns) is not None:
                continue
            return _Pick(first, i + 1, values[:1], "value")
        return None

    def row_count(self, table: str) -> str | None:
        """The one unfiltered simple metric counting the rows of ``table`` (its primary key, distinct or not,
        or its rows), or None.
        """
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
            if measure is None or measure.agg not in (Agg.COUNT, Agg.COUNT_DISTINCT):
                continue
            if (measure.expr or measure.name) in (key, primary, "1", "*"):
                out.append(m.name)
        return out[0] if len(out) == 1 else None

    def counted_noun(self) -> None:
        """A breakdown read from the noun right after "how many" whose words are the metric's own ("how many
        levels did ppl beat": Levels Completed): the thing counted, said again, not a breakdown by level.
        """
        res = self.res
        norms = [t.norm for t in self.tokens]
        at = next((i for i in range(len(norms) - 2) if norms[i] == "how" and norms[i + 1] == "many"), None)
        if at is None or not res.metrics:
            return
        for g in list(res.spans.get("group_by", [])):
            if g.start != self.tokens[at + 2].start or g.how == "grain":
                continue
            words = {
                self.stems[k] for k in range(len(self.tokens)) if g.start <= self.tokens[k].start < g.end
            }
            owner = next((m for m in res.metrics if words <= self.lex.metric_words.get(m, set())), None)
            if owner is None:
                continue
            res.group_by = [x for x in res.group_by if x[0] != g.target]
            res.spans["group_by"] = [x for x in res.spans["group_by"] if x is not g]
            res.span("metrics", Span(g.text, g.start, g.end, owner, "same metric"))
