"""An entity counted beside what it did ("how many shippers sent parcels into germany"): the catalog's own
count of that entity on the model of the metric its verb's object names (``active_shippers``, a distinct count
of the parcels' shipper), when that metric is a plain, unfiltered count or sum there.

Read from the catalog only: the entity is any entity of the project (also one with no model of its own, whose
key only other models hold), its count a metric whose measure counts the entity's key (``entities.counts_of``).
A filtered metric that counts something else ("how many shippers had returns to sender": returned parcels) is
refused: the catalog has no count of the entity with it.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp

from metricmind.resolve.entities import counts_of
from metricmind.resolve.reading import _ReadingBase
from metricmind.resolve.resolution import Span
from metricmind.resolve.text import number

COUNT_CUES = (("how", "many"), ("number", "of"))
"""Words right before a plural noun that ask how many of it there are."""
SAID_BY_NAME = frozenset({"name", "label", "synonym", "learned", "reduced", "entity count"})
"""Ways a metric span names its metric outright (the counted noun is then that metric: "how many parcels")."""


class _CountedEntityReading(_ReadingBase):
    """The pass that reads "how many <entity> <verb> <metric's noun>" as the entity's count."""

    def read_counted_entity(self) -> None:
        res = self.res
        if len(res.metrics) != 1:
            return
        base = self.r.model.metrics.get(res.metrics[0])
        if base is None or base.measure is None:
            return
        filtered = bool(base.filter or base.measure.filter)
        entities = {e.name for sm in self.r.model.semantic_models.values() for e in sm.entities}
        for i in range(2, len(self.tokens)):
            t = self.tokens[i]
            cue = (self.tokens[i - 2].norm, self.tokens[i - 1].norm)
            who = self.stems[i] if self.stems[i] in entities else self.party_said(i, entities)
            if cue not in COUNT_CUES or t.norm == self.stems[i] or who is None:
                continue
            spans = res.spans.get("metrics", [])
            if any(s.start <= t.start < s.end and s.how in SAID_BY_NAME for s in spans):
                return  # "how many parcels": the noun names the metric itself
            counted = self.counted(base.name)
            if who == counted:
                return  # "how many parcels were returned": the metric counts them itself
            if filtered and counted is not None and not any(number(x.norm) is not None for x in self.tokens):
                # (with a number it may be a threshold per entity: "loans with 2 or more late payments")
                # "how many shippers had returns to sender": the catalog counts the returned parcels, not the
                # shippers that had any; answering the parcels would be a silently wrong number
                res.refuse(
                    f"'how many {t.text}' asks for a count of {who}s; {base.name} counts "
                    f"{counted}s, and the catalog has no count of "
                    f"{who}s with it",
                    self.nearest_metrics(),
                )
                return
            if filtered:
                return  # (a filtered metric says which of them: never every one of the entity)
            found = [m for m in counts_of(self.r.model, who, res.metrics[0])[:1] if m != base.name]
            near = self.r.sources(base.name)
            if not found or not self.r.sources(found[0]) <= near:
                return
            name = found[0]
            self.claim(i, i + 1)
            after = [k for k in range(i + 1, min(i + 3, len(self.tokens))) if self.used[k]]
            if after and any(s.start == self.tokens[after[0]].start for s in spans):
                self.claim(i + 1, after[0])  # "shippers sent parcels": what they did, the metric's rows say
            res.notes.append(f"read 'how many {t.text}' as {name}: the {who}s counted on {base.name}'s rows")
            res.spans["metrics"] = [Span(s.text, s.start, s.end, name, "entity count") for s in spans]
            self.span("metrics", i, i + 1, name, "entity count")
            res.metrics = [name]
            return

    def party_said(self, i: int, entities: set[str]) -> str | None:
        """The party entity when the word at ``i`` is a word for it ("clients" for a carrier's shippers)."""
        party = self.r.entities.party
        if any(number(t.norm) is not None for t in self.tokens):
            return (
                None  # ("how many clients paid us more than $200": a threshold per party, read by its pass)
            )
        return party if party in entities and self.stems[i] in self.r.entities.party_words else None

    def counted(self, metric: str) -> str | None:
        """The entity whose key ``metric``'s measure counts (``parcel`` for a count of tracking numbers)."""
        m = self.r.model.metrics.get(metric)
        if m is None or m.measure is None or m.measure.name not in self.r.model.measures:
            return None
        measure = self.r.model.measures[m.measure.name]
        if measure.agg.value not in ("count", "count_distinct"):
            return None
        sm = self.r.model.semantic_models[measure.semantic_model]
        said = measure.expr or measure.name
        named = next((e.name for e in sm.entities if said in (e.expr, e.name)), None)
        if named is not None:
            return named
        try:  # "case when status = 'canceled' then customer_id end": the one entity key it reads
            columns = {c.name for c in sqlglot.parse_one(said).find_all(exp.Column)}
        except sqlglot.errors.ParseError:
            return None
        keys = {e.name for e in sm.entities if (e.expr or e.name) in columns}
        return keys.pop() if len(keys) == 1 else None
