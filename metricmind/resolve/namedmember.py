"""One member named by a value and its own noun: "the Lisbon hotel", "the danish hotel", "the uk hotel".

A value said right before a dimension noun of the same entity names one member of it, the way "the EMEA
region" names one region: the value filters and the noun only says what kind of thing the value is, so no
breakdown by the noun is added ("revpar for the danish hotel" is one figure, not one row per hotel).

The noun also decides whose value it is. A country ("uk") that several dimensions hold (the guest's home
country and the hotel's country) read on the wrong entity moves to the dimension of the noun's entity
that holds it: "the uk hotel" is the hotel in the UK, "uk guests" are guests from the UK.
"""

from __future__ import annotations

from metricmind.resolve.reading import _ReadingBase
from metricmind.resolve.resolution import Filter, Span
from metricmind.spec.names import SEP

_KEPT_OR_LEFT = ("=", "in", "!=", "not in")
"""The filters a member's noun may follow: kept ("the danish hotel") or left out ("excluding design courses")."""


def entity_of(field: str) -> str:
    """The entity a ``entity__dimension`` field belongs to (the field itself when it has no prefix)."""
    return field.split(SEP, 1)[0]


def names_field(target: str, field: str) -> bool:
    """Whether a filter span's target (``field=value``, ``field in a, b``) is on ``field``."""
    return target.startswith(field) and target[len(field) : len(field) + 1] in ("=", " ", "!")


class _MemberReading(_ReadingBase):
    """The pass for a member named by a value and its noun."""

    def member_named(self) -> None:
        res = self.res
        if not res.answerable or not res.metrics:
            return
        filter_spans = res.spans.get("filters", [])
        for g in list(res.spans.get("group_by", [])):
            k = self.token_at.get(g.start)
            if k is None or self.in_group_context(k) or SEP not in g.target or g.how == "yes/no sides":
                continue  # ("delivered first time vs not": both sides of a flag, no member's noun)
            before = next((f for f in filter_spans if 0 < g.start - f.end <= 1), None)
            if before is None or not res.question[before.end : g.start].isspace():
                continue
            at = next((i for i, f in enumerate(res.filters) if names_field(before.target, f.field)), None)
            if at is None or res.filters[at].metric is not None or res.filters[at].op not in _KEPT_OR_LEFT:
                continue
            entity = entity_of(g.target)
            f = res.filters[at]
            if entity_of(f.field) != entity:
                field = self.holder(entity, f.values)
                if field is None:
                    continue
                res.filters[at] = Filter(field, f.op, f.values)
                res.spans["filters"] = [
                    Span(x.text, x.start, x.end, x.target.replace(f.field, field, 1), x.how)
                    if x is before
                    else x
                    for x in filter_spans
                ]
            res.group_by = [x for x in res.group_by if x[0] != g.target]
            res.spans["group_by"] = [x for x in res.spans["group_by"] if x is not g]
            res.span("filters", Span(g.text, g.start, g.end, g.target, "member noun"))

    def holder(self, entity: str, values: tuple[str, ...]) -> str | None:
        """The one dimension of ``entity`` that holds every value and every metric read reaches."""
        found = [
            name
            for name, info in self.lex.dims.items()
            if entity_of(name) == entity
            and all(v in info.values for v in values)
            and all(self.r.reachable(m, name) for m in self.res.metrics)
        ]
        return found[0] if len(found) == 1 else None

    def entity_beside_attribute(self) -> None:
        """An entity noun said right before a dimension of its own ("guest nationalities", "customer
        regions"): the noun says whose dimension it is, one breakdown by the dimension, not by each guest too.
        """
        res = self.res
        spans = res.spans.get("group_by", [])
        for e in list(spans):
            if SEP in e.target:
                continue
            after = next(
                (
                    d
                    for d in spans
                    if entity_of(d.target) == e.target
                    and d.target != e.target
                    and 0 < d.start - e.end <= 1
                    and res.question[e.end : d.start].isspace()
                ),
                None,
            )
            if after is None:
                continue
            res.group_by = [x for x in res.group_by if x[0] != e.target]
            res.spans["group_by"] = [x for x in res.spans["group_by"] if x is not e]
