"""What the knowledge graph knows about use: tables, metrics and joins, counted from executed queries.

``analyze`` stays pure: the caller reads a ``Usage`` once (``from_graph(engine)``) and passes it in. It
ranks candidate sources (tables most used, canonical first), similar metrics, and the join path to each
dimension (by usage, then speed: the mean time of the queries that used each join).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import sqlalchemy as sa

from metricmind.knowledge import graph
from metricmind.spec.joingraph import JoinGraph, Path
from metricmind.spec.model import Model


def _table(name: str) -> str:
    """A relation without its schema, lower-case (``main.fct_x`` → ``fct_x``)."""
    return name.rsplit(".", 1)[-1].lower()


@dataclass(frozen=True)
class Usage:
    """Uses by table, by metric, and by join (a pair of tables: uses and mean query time in ms)."""

    tables: dict[str, int] = field(default_factory=dict)
    metrics: dict[str, int] = field(default_factory=dict)
    joins: dict[frozenset[str], tuple[int, float | None]] = field(default_factory=dict)

    def table(self, relation: str) -> int:
        """Uses of ``relation`` (schema optional)."""
        return self.tables.get(_table(relation), 0)

    def join(self, a: str, b: str) -> tuple[int, float | None]:
        """(uses, mean ms) of the join between relations ``a`` and ``b``."""
        return self.joins.get(frozenset({_table(a), _table(b)}), (0, None))


def from_graph(engine: sa.Engine, limit: int = 1000) -> Usage:
    """The usage the knowledge graph holds (all time)."""
    tables = {
        _table(str(i["name"])): int(i["uses"]) for i in graph.top(engine, "tables", limit=limit)["items"]
    }
    metrics = {str(i["name"]): int(i["uses"]) for i in graph.top(engine, "metrics", limit=limit)["items"]}
    joins: dict[frozenset[str], tuple[int, float | None]] = {}
    with engine.connect() as conn:
        for j in graph.join_edges(conn):
            key = frozenset({_table(j.left), _table(j.right)})
            uses, ms = joins.get(key, (0, None))
            joins[key] = (uses + j.uses, j.avg_ms if ms is None else ms)
    return Usage(tables, metrics, joins)


def boost(uses: int) -> float:
    """A ranking bonus that grows with the log of uses (0 for none)."""
    return round(math.log1p(max(uses, 0)) / 4.0, 3)


@dataclass(frozen=True)
class Route:
    """One join path to a dimension, scored."""

    path: Path
    uses: int  # the least used join on the path (a path is as used as its weakest hop)
    ms: float | None  # summed mean time of its joins, where timed
    tables: tuple[str, ...]

    def reason(self) -> str:
        """One line a person can check."""
        if not self.path.hops:
            return "on the measure's own table"
        via = " → ".join(self.tables)
        bits = [f"via {via} on {', '.join(self.path.entities)}"]
        if self.uses:
            bits.append(f"joined {self.uses} times in logged queries")
        if self.ms is not None:
            bits.append(f"{self.ms:.1f} ms mean")
        return "; ".join(bits)


def routes(model: Model, graph_: JoinGraph, start: str, usage: Usage | None) -> dict[str, list[Route]]:
    """Every many-to-one path from ``start`` to each categorical dimension (by its name at the path's end),
    best first: most used, then fastest, then fewest hops.
    """
    out: dict[str, list[Route]] = {}
    for path in graph_.paths_from(start):
        if path.fanout:
            continue
        tables = [model.semantic_models[start].relation]
        uses: list[int] = []
        total: float | None = None
        for hop in path.hops:
            target = model.semantic_models[hop.target].relation
            n, ms = usage.join(tables[-1], target) if usage else (0, None)
            uses.append(n)
            if ms is not None:
                total = (total or 0.0) + ms
            tables.append(target)
        route = Route(path, min(uses) if uses else 0, total, tuple(_table(t) for t in tables))
        for d in model.semantic_models[path.end].dimensions:
            if d.type == "categorical":
                out.setdefault(d.name, []).append(route)
    for found in out.values():
        found.sort(key=lambda r: (-r.uses, r.ms if r.ms is not None else math.inf, len(r.path.hops)))
    return out
