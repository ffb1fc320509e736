"""Questions to the graph, as pure functions returning JSON-ready dictionaries (CLI, web and MCP render them).

- ``best_path``: the join path between two tables, the most used, the fastest, or the one through
  canonical datasets (Dijkstra over ``JOIN_PATH`` edges, weighted by the chosen criterion);
- ``top``: the most used tables, metrics, dimensions or queries, overall or in the last N days, with the
  mean time of the queries behind each;
- ``depends``: what a metric is computed from (metrics, tables, columns, canonical datasets) and its
  dimensions;
- ``impact``: what depends on a table (metrics, dimensions, canonical datasets, queries, join partners).
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from metricmind.errors import MetricmindError, UnknownNameError
from metricmind.knowledge.schema import EdgeKind, NodeKind, edges, fingerprints, node_daily, nodes

CRITERIA = ("usage", "speed", "canonical")
KINDS = {
    "tables": NodeKind.TABLE,
    "metrics": NodeKind.METRIC,
    "dimensions": NodeKind.DIMENSION,
    "queries": NodeKind.QUERY,
}


@dataclass(frozen=True)
class JoinEdge:
    """One join between two tables, with its usage."""

    left: str
    right: str
    condition: str
    uses: int
    avg_ms: float | None
    last_used: dt.datetime | None
    in_model: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "left": self.left,
            "right": self.right,
            "condition": self.condition,
            "uses": self.uses,
            "avg_ms": round(self.avg_ms, 3) if self.avg_ms is not None else None,
            "last_used": self.last_used.isoformat() if self.last_used else None,
            "in_model": self.in_model,
        }


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _resolve_table(conn: sa.Connection, name: str) -> str:
    """A table key from ``schema.table`` or a bare table name (unique suffix match)."""
    key = name.strip().lower()
    rows = [
        r[0]
        for r in conn.execute(sa.select(nodes.c.key).where(nodes.c.kind == NodeKind.TABLE.value))
        if r[0] == key or r[0].endswith("." + key)
    ]
    if key in rows:
        return key
    if len(rows) == 1:
        return str(rows[0])
    every = [r[0] for r in conn.execute(sa.select(nodes.c.key).where(nodes.c.kind == NodeKind.TABLE.value))]
    if len(rows) > 1:
        raise MetricmindError(
            f"table name {name!r} is ambiguous: {', '.join(sorted(rows))}", hint="Qualify it with its schema."
        )
    raise UnknownNameError("table", name, every)


def join_edges(conn: sa.Connection) -> list[JoinEdge]:
    """Every ``JOIN_PATH`` edge."""
    a = nodes.alias("a")
    b = nodes.alias("b")
    rows = conn.execute(
        sa.select(
            a.c.key,
            b.c.key,
            edges.c.key,
            edges.c.uses,
            edges.c.total_ms,
            edges.c.timed,
            edges.c.last_used,
            edges.c.in_model,
        )
        .select_from(edges.join(a, a.c.id == edges.c.src).join(b, b.c.id == edges.c.dst))
        .where(edges.c.kind == EdgeKind.JOIN_PATH.value)
    )
    return [
        JoinEdge(left, right, cond, int(uses), (total / timed) if timed else None, last, bool(in_model))
        for left, right, cond, uses, total, timed, last, in_model in rows
    ]


def _canonical_tables(conn: sa.Connection) -> set[str]:
    out = set()
    for key, props in conn.execute(
        sa.select(nodes.c.key, nodes.c.props).where(nodes.c.kind == NodeKind.TABLE.value)
    ):
        if isinstance(props, dict) and props.get("canonical"):
            out.add(key)
    return out


def best_path(engine: sa.Engine, source: str, target: str, by: str = "usage") -> dict[str, Any]:
    """The best join path from table ``source`` to table ``target``.

    ``by``: ``usage`` prefers joins queries use most (cost ``1 / (1 + uses)`` per hop), ``speed`` the
    lowest mean execution time of queries using each join (untimed joins cost the slowest seen),
    ``canonical`` paths through canonical datasets (a hop into a non-canonical table costs 10).
    """
    if by not in CRITERIA:
        raise MetricmindError(f"unknown path criterion {by!r}", hint=f"Use one of {', '.join(CRITERIA)}.")
    with engine.connect() as conn:
        start = _resolve_table(conn, source)
        goal = _resolve_table(conn, target)
        joins = join_edges(conn)
        canonical = _canonical_tables(conn)
    slowest = max((j.avg_ms for j in joins if j.avg_ms is not None), default=1.0)

    def cost(j: JoinEdge, into: str) -> float:
        if by == "usage":
            return 1.0 / (1.0 + j.uses)
        if by == "speed":
            return j.avg_ms if j.avg_ms is not None else slowest * 2
        return 1.0 + (0.0 if into in canonical else 10.0) - min(j.uses, 1000) / 100_000

    best: dict[tuple[str, str], tuple[float, JoinEdge]] = {}
    for j in joins:
        for a, b in ((j.left, j.right), (j.right, j.left)):
            c = cost(j, b)
            if (a, b) not in best or c < best[(a, b)][0]:
                best[(a, b)] = (c, j)
    adj: dict[str, list[tuple[str, float, JoinEdge]]] = defaultdict(list)
    for (a, b), (c, j) in best.items():
        adj[a].append((b, c, j))
    counter = itertools.count()
    queue: list[tuple[float, int, str]] = [(0.0, next(counter), start)]
    dist = {start: 0.0}
    prev: dict[str, tuple[str, JoinEdge]] = {}
    while queue:
        d, _, here = heapq.heappop(queue)
        if here == goal:
            break
        if d > dist.get(here, float("inf")):
            continue
        for there, c, j in sorted(adj[here], key=lambda x: x[0]):
            nd = d + c
            if nd < dist.get(there, float("inf")):
                dist[there] = nd
                prev[there] = (here, j)
                heapq.heappush(queue, (nd, next(counter), there))
    result: dict[str, Any] = {"from": start, "to": goal, "by": by, "found": goal in dist}
    if goal not in dist:
        result.update(path=[], joins=[], cost=None)
        return result
    hops: list[JoinEdge] = []
    here = goal
    tables = [goal]
    while here != start:
        here, j = prev[here]
        hops.append(j)
        tables.append(here)
    hops.reverse()
    tables.reverse()
    timed = [j.avg_ms for j in hops if j.avg_ms is not None]
    result.update(
        path=tables,
        joins=[j.to_dict() for j in hops],
        cost=round(dist[goal], 6),
        uses=min((j.uses for j in hops), default=0),
        avg_ms=round(sum(timed) / len(timed), 3) if timed else None,
        through_canonical=all(t in canonical for t in tables),
    )
    return result


def top(
    engine: sa.Engine, what: str, *, limit: int = 10, days: int | None = None, as_of: dt.date | None = None
) -> dict[str, Any]:
    """The most used ``tables``, ``metrics``, ``dimensions`` or ``queries`` (in the ``days`` before ``as_of``),
    each with its uses, last use and ``avg_ms``: the mean time of the timed queries behind it (all time).
    """
    kind = KINDS.get(what)
    if kind is None:
        raise MetricmindError(f"cannot rank {what!r}", hint=f"Use one of {', '.join(KINDS)}.")
    with engine.connect() as conn:
        if days is None or kind is NodeKind.QUERY:
            rows = conn.execute(
                sa.select(nodes.c.key, nodes.c.label, nodes.c.uses, nodes.c.last_used, nodes.c.in_model)
                .where(nodes.c.kind == kind.value, nodes.c.uses > 0)
                .order_by(nodes.c.uses.desc(), nodes.c.key)
                .limit(limit)
            ).all()
            items = [
                {"name": key, "uses": int(uses), "last_used": _iso(last), "in_model": bool(in_model)}
                | ({"sql": label} if kind is NodeKind.QUERY else {})
                for key, label, uses, last, in_model in rows
            ]
        else:
            end = as_of or dt.date.today()
            start = end - dt.timedelta(days=days)
            total = sa.func.sum(node_daily.c.uses).label("n")
            ranked = conn.execute(
                sa.select(nodes.c.key, total, nodes.c.last_used, nodes.c.in_model)
                .select_from(node_daily.join(nodes, nodes.c.id == node_daily.c.node_id))
                .where(nodes.c.kind == kind.value, node_daily.c.day > start, node_daily.c.day <= end)
                .group_by(nodes.c.key, nodes.c.last_used, nodes.c.in_model)
                .order_by(total.desc(), nodes.c.key)
                .limit(limit)
            ).all()
            items = [
                {"name": key, "uses": int(n), "last_used": _iso(last), "in_model": bool(in_model)}
                for key, n, last, in_model in ranked
            ]
        timing = _avg_ms(conn, kind, [str(i["name"]) for i in items])
    for item in items:
        item["avg_ms"] = timing.get(str(item["name"]))
    return {"what": what, "days": days, "items": items}


# The edges whose timings describe a node of each kind: the queries reading a table, calculating a metric,
# and the metrics grouped by a dimension (all time). A query's own timing is its fingerprint's.
_TIMED_BY = {
    NodeKind.TABLE: EdgeKind.ACCESSES,
    NodeKind.METRIC: EdgeKind.CALCULATES,
    NodeKind.DIMENSION: EdgeKind.HAS_DIMENSION,
}


def _avg_ms(conn: sa.Connection, kind: NodeKind, keys: list[str]) -> dict[str, float]:
    """Mean execution time (ms) of the queries behind each node, for nodes with timed executions."""
    if not keys:
        return {}
    if kind is NodeKind.QUERY:
        stmt = sa.select(fingerprints.c.fingerprint, fingerprints.c.total_ms, fingerprints.c.timed).where(
            fingerprints.c.fingerprint.in_(keys)
        )
    else:
        stmt = (
            sa.select(nodes.c.key, sa.func.sum(edges.c.total_ms), sa.func.sum(edges.c.timed))
            .select_from(edges.join(nodes, nodes.c.id == edges.c.dst))
            .where(nodes.c.kind == kind.value, nodes.c.key.in_(keys), edges.c.kind == _TIMED_BY[kind].value)
            .group_by(nodes.c.key)
        )
    return {str(k): round(float(total) / int(n), 3) for k, total, n in conn.execute(stmt) if n}


def _node(conn: sa.Connection, kind: NodeKind, key: str) -> tuple[int, dict[str, Any]] | None:
    row = conn.execute(
        sa.select(nodes.c.id, nodes.c.uses, nodes.c.last_used, nodes.c.in_model, nodes.c.props).where(
            nodes.c.kind == kind.value, nodes.c.key == key
        )
    ).first()
    if row is None:
        return None
    return row.id, {
        "uses": int(row.uses),
        "last_used": _iso(row.last_used),
        "in_model": bool(row.in_model),
        "props": row.props or {},
    }


def _out(conn: sa.Connection, node_id: int, kind: EdgeKind) -> list[tuple[str, str, int, int, bool]]:
    """(dst kind, dst key, dst id, edge uses, edge in_model) of ``node_id``'s outgoing edges."""
    rows = conn.execute(
        sa.select(nodes.c.kind, nodes.c.key, nodes.c.id, edges.c.uses, edges.c.in_model)
        .select_from(edges.join(nodes, nodes.c.id == edges.c.dst))
        .where(edges.c.src == node_id, edges.c.kind == kind.value)
    )
    return [(k, key, int(i), int(u), bool(m)) for k, key, i, u, m in rows]


def _in(conn: sa.Connection, node_id: int, kind: EdgeKind) -> list[tuple[str, str, int, int, bool]]:
    """(src kind, src key, src id, edge uses, edge in_model) of ``node_id``'s incoming edges."""
    rows = conn.execute(
        sa.select(nodes.c.kind, nodes.c.key, nodes.c.id, edges.c.uses, edges.c.in_model)
        .select_from(edges.join(nodes, nodes.c.id == edges.c.src))
        .where(edges.c.dst == node_id, edges.c.kind == kind.value)
    )
    return [(k, key, int(i), int(u), bool(m)) for k, key, i, u, m in rows]


def dimension_uses(engine: sa.Engine, metrics: Sequence[str]) -> dict[str, int]:
    """How often the query log grouped any of ``metrics`` by each dimension (``HAS_DIMENSION`` uses,
    summed over the metrics; dimensions never used are left out).
    """
    src, dst = nodes.alias("m"), nodes.alias("d")
    query = (
        sa.select(dst.c.key, sa.func.sum(edges.c.uses))
        .select_from(edges.join(src, src.c.id == edges.c.src).join(dst, dst.c.id == edges.c.dst))
        .where(
            edges.c.kind == EdgeKind.HAS_DIMENSION.value,
            src.c.kind == NodeKind.METRIC.value,
            src.c.key.in_(list(metrics)),
            edges.c.uses > 0,
        )
        .group_by(dst.c.key)
    )
    with engine.connect() as conn:
        return {str(key): int(uses) for key, uses in conn.execute(query)}


def depends(engine: sa.Engine, metric: str) -> dict[str, Any]:
    """What ``metric`` is computed from, through its input metrics, and the dimensions it is used with."""
    with engine.connect() as conn:
        found = _node(conn, NodeKind.METRIC, metric)
        if found is None:
            every = [
                r[0]
                for r in conn.execute(sa.select(nodes.c.key).where(nodes.c.kind == NodeKind.METRIC.value))
            ]
            raise UnknownNameError("metric", metric, every)
        root_id, info = found
        metrics: list[str] = []
        tables: set[str] = set()
        columns: set[str] = set()
        seen = {root_id}
        stack = [root_id]
        while stack:
            here = stack.pop()
            for kind, key, nid, _uses, _m in _out(conn, here, EdgeKind.COMPUTED_FROM):
                if kind == NodeKind.METRIC.value and nid not in seen:
                    seen.add(nid)
                    metrics.append(key)
                    stack.append(nid)
                elif kind == NodeKind.TABLE.value:
                    tables.add(key)
                elif kind == NodeKind.COLUMN.value:
                    columns.add(key)
        canonical = []
        for table in sorted(tables):
            t = _node(conn, NodeKind.TABLE, table)
            if t is not None and t[1]["props"].get("canonical"):
                canonical.append(t[1]["props"]["canonical"])
        dims: list[dict[str, Any]] = sorted(
            (
                {"name": key, "uses": uses, "in_model": in_model}
                for _k, key, _i, uses, in_model in _out(conn, root_id, EdgeKind.HAS_DIMENSION)
            ),
            key=lambda d: (-int(d["uses"]), str(d["name"])),
        )
        queries = len(_in(conn, root_id, EdgeKind.CALCULATES))
    return {
        "metric": metric,
        "uses": info["uses"],
        "last_used": info["last_used"],
        "in_model": info["in_model"],
        "metrics": metrics,
        "tables": sorted(tables),
        "columns": sorted(columns),
        "canonical_datasets": canonical,
        "dimensions": dims,
        "queries": queries,
    }


def impact(engine: sa.Engine, table: str, *, limit: int = 10) -> dict[str, Any]:
    """What depends on ``table``: metrics (directly and through other metrics), dimensions, canonical
    datasets, the queries that read it (most used first) and the tables it is joined with.
    """
    with engine.connect() as conn:
        key = _resolve_table(conn, table)
        found = _node(conn, NodeKind.TABLE, key)
        assert found is not None
        tid, info = found
        direct = {
            k
            for kind, k, _i, _u, _m in _in(conn, tid, EdgeKind.COMPUTED_FROM)
            if kind == NodeKind.METRIC.value
        }
        canonical = sorted(
            k
            for kind, k, _i, _u, _m in _in(conn, tid, EdgeKind.COMPUTED_FROM)
            if kind == NodeKind.CANONICAL.value
        )
        prefix = key + "."
        col_rows = conn.execute(
            sa.select(nodes.c.id, nodes.c.key).where(
                nodes.c.kind == NodeKind.COLUMN.value, nodes.c.key.startswith(prefix, autoescape=True)
            )
        ).all()
        dims: set[str] = set()
        for cid, _ck in col_rows:
            for kind, k, _i, _u, _m in _in(conn, cid, EdgeKind.COMPUTED_FROM):
                if kind == NodeKind.METRIC.value:
                    direct.add(k)
                elif kind == NodeKind.DIMENSION.value:
                    dims.add(k)
        indirect: set[str] = set()
        frontier = set(direct)
        while frontier:
            nxt: set[str] = set()
            for name in frontier:
                m = _node(conn, NodeKind.METRIC, name)
                if m is None:
                    continue
                for kind, k, _i, _u, _m in _in(conn, m[0], EdgeKind.COMPUTED_FROM):
                    if kind == NodeKind.METRIC.value and k not in direct and k not in indirect:
                        indirect.add(k)
                        nxt.add(k)
            frontier = nxt
        queries = sorted(
            (
                (k, u)
                for kind, k, _i, u, _m in _in(conn, tid, EdgeKind.ACCESSES)
                if kind == NodeKind.QUERY.value
            ),
            key=lambda x: (-x[1], x[0]),
        )
        partners: dict[str, int] = defaultdict(int)
        for j in join_edges(conn):
            if key in (j.left, j.right):
                partners[j.right if j.left == key else j.left] += j.uses
    return {
        "table": key,
        "uses": info["uses"],
        "last_used": info["last_used"],
        "metrics": sorted(direct),
        "indirect_metrics": sorted(indirect),
        "dimensions": sorted(dims),
        "canonical_datasets": canonical,
        "queries": [{"fingerprint": k, "uses": u} for k, u in queries[:limit]],
        "query_count": len(queries),
        "joined_with": [
            {"table": t, "uses": n} for t, n in sorted(partners.items(), key=lambda x: (-x[1], x[0]))
        ],
    }


def summary(engine: sa.Engine) -> dict[str, Any]:
    """Node and edge counts by kind (for a graph page's header)."""
    with engine.connect() as conn:
        n = {
            k: int(c)
            for k, c in conn.execute(sa.select(nodes.c.kind, sa.func.count()).group_by(nodes.c.kind))
        }
        e = {
            k: int(c)
            for k, c in conn.execute(sa.select(edges.c.kind, sa.func.count()).group_by(edges.c.kind))
        }
    return {"nodes": n, "edges": e}
