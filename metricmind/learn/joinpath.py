"""Join-path arms: the same query along another entity path that reaches the same dimension.

A categorical group-by such as ``subscription__customer__segment`` on an invoice metric follows
invoices → subscriptions → customers; ``customer__segment`` reaches the same column of the same
semantic model directly (invoices → customers). Both are many-to-one paths, so each invoice meets one
customer either way — and the rows are the same exactly when the data agrees (every invoice's
customer is its subscription's customer). :func:`variants` lists, for a query, the queries that read
the same dimensions along other many-to-one paths:

* ``canonical``: the query as asked (the compiler's reading of its names);
* ``shortest``: every renamable group-by along the path with the fewest joins;
* ``longest`` is never offered, and nothing with a fan-out (one-to-many) hop: those change the rows.

Only the names change; the answer's columns are renamed back (:meth:`Variant.columns`), so a variant's
answer is compared row for row with the plain plan's by :class:`metricmind.learn.safety.ArmGuard`,
which bans the arm the first time they differ (data that does not agree). Pure: no I/O.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field

from metricmind.errors import MetricmindError
from metricmind.spec.joingraph import JoinGraph
from metricmind.spec.model import Model
from metricmind.spec.names import SEP, NameError_, split
from metricmind.spec.query import MetricQuery

CANONICAL = "canonical"
SHORTEST = "shortest"


@dataclass(frozen=True)
class Variant:
    """One way to read a query's dimensions: the query to compile and the names it renamed."""

    label: str
    query: MetricQuery
    renames: dict[str, str] = field(default_factory=dict)  # asked name → name read
    hops: int = 0  # joins the renamed names need in all

    def columns(self, columns: Sequence[str]) -> list[str]:
        """The answer's column names as the asked query names them."""
        back = {new: old for old, new in self.renames.items()}
        return [back.get(c, c) for c in columns]


def _hops(graph: JoinGraph, starts: Sequence[str], name: str) -> tuple[tuple[str, str], int] | None:
    """Where ``name`` lives (semantic model, dimension) and the joins to it, the same from every start."""
    try:
        ref = split(name)
    except NameError_:
        return None
    found: set[tuple[str, str]] = set()
    hops = 0
    for start in starts:
        try:
            target = graph.resolve(start, ref)
        except MetricmindError:
            return None
        if target.dimension is None or target.path.fanout:
            return None
        found.add((target.model, target.dimension.name))
        hops = max(hops, len(target.path.hops))
    return (found.pop(), hops) if len(found) == 1 else None


def _alternatives(graph: JoinGraph, starts: Sequence[str], name: str) -> list[tuple[str, int]]:
    """Other names of the same categorical dimension from every start, with their joins, fewest first."""
    here = _hops(graph, starts, name)
    if here is None:
        return []
    (model, dim), _ = here
    names: set[str] = set()
    for start in starts:
        for path in graph.paths_from(start):
            if path.end == model and path.hops and not path.fanout:
                names.add(SEP.join([*path.prefix, dim]))
    out = []
    for other in names:
        there = _hops(graph, starts, other)
        if there is not None and there[0] == (model, dim) and other != name:
            out.append((other, there[1]))
    return sorted(out, key=lambda item: (item[1], item[0]))


def variants(model: Model, graph: JoinGraph, query: MetricQuery) -> list[Variant]:
    """The query as asked, then its ``shortest`` reading when that needs fewer joins (else just the first)."""
    canonical = Variant(CANONICAL, query)
    if query.allow_overlap or not query.metrics:
        return [canonical]
    try:
        starts = sorted(set().union(*(model.source_models(m, grouped=True) for m in query.metrics)))
    except (KeyError, MetricmindError):
        return [canonical]
    ordered = {o.name for o in query.order_by}
    renames: dict[str, str] = {}
    saved = 0
    for name in query.group_by:
        try:
            ref = split(name)
        except NameError_:
            continue  # the plain plan reports the bad name
        if ref.kind != "auto" or ref.is_metric_time or ref.grain or ref.date_part or ref.custom:
            continue
        if len(ref.parts) < 2 or any(name in o for o in ordered):
            continue
        dim = _dimension(model, graph, starts, name)
        if dim is None:
            continue
        here = _hops(graph, starts, name)
        alternatives = _alternatives(graph, starts, name)
        if here is not None and alternatives and alternatives[0][1] < here[1]:
            renames[name] = alternatives[0][0]
            saved += here[1] - alternatives[0][1]
    if not renames:
        return [canonical]
    group_by = tuple(renames.get(g, g) for g in query.group_by)
    shortest = Variant(SHORTEST, dataclasses.replace(query, group_by=group_by), renames, saved)
    return [canonical, shortest]


def _dimension(model: Model, graph: JoinGraph, starts: Sequence[str], name: str) -> str | None:
    """The dimension's type when ``name`` is a categorical dimension (only those are renamed)."""
    here = _hops(graph, starts, name)
    if here is None:
        return None
    (sm, dim), _ = here
    found = model.semantic_models[sm].dimension(dim)
    if found is None or str(getattr(found.type, "value", found.type)) != "categorical":
        return None
    return dim
