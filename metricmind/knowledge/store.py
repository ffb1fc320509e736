"""Counter upserts on the graph tables, portable between SQLite and PostgreSQL.

Increments are summed in Python first (``Delta``) and written with one ``INSERT … ON CONFLICT DO
UPDATE`` per table, so a batch of thousands of log records costs a handful of statements, all in the
caller's transaction (a crash mid-batch leaves nothing half-counted).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from metricmind.knowledge.schema import edges, node_daily, nodes, usage_daily

NodeKey = tuple[str, str]
EdgeKey = tuple[str, NodeKey, NodeKey, str]


def utc(value: dt.datetime | None) -> dt.datetime | None:
    """A naive UTC datetime (how the store keeps every time)."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def insert(conn: sa.Connection, table: sa.Table) -> Any:
    """The dialect's ``INSERT`` that supports ``on_conflict_do_update``/``nothing``."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    if conn.dialect.name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"the knowledge store supports SQLite and PostgreSQL, not {conn.dialect.name}")


def later(current: sa.ColumnElement[Any], incoming: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """The later of two nullable times, in SQL."""
    return sa.case(
        (incoming.is_(None), current),
        (sa.or_(current.is_(None), incoming > current), incoming),
        else_=current,
    )


@dataclass
class Counter:
    """Usage to add to one node or edge."""

    uses: int = 0
    total_ms: float = 0.0
    timed: int = 0
    last_used: dt.datetime | None = None

    def add(self, calls: int, ms: float | None, at: dt.datetime | None) -> None:
        """Count ``calls`` executions at time ``at`` taking ``ms`` each (when known)."""
        self.uses += calls
        if ms is not None:
            self.total_ms += ms * calls
            self.timed += calls
        if at is not None and (self.last_used is None or at > self.last_used):
            self.last_used = at


@dataclass
class Delta:
    """Everything one batch adds to the graph, keyed by natural keys (not ids)."""

    nodes: dict[NodeKey, Counter] = field(default_factory=lambda: defaultdict(Counter))
    labels: dict[NodeKey, str] = field(default_factory=dict)
    edges: dict[EdgeKey, Counter] = field(default_factory=lambda: defaultdict(Counter))
    node_days: dict[tuple[NodeKey, dt.date], int] = field(default_factory=lambda: defaultdict(int))
    usage: dict[tuple[str, dt.date], list[float]] = field(default_factory=dict)

    def node(
        self, kind: str, key: str, calls: int, ms: float | None, at: dt.datetime, daily: bool
    ) -> NodeKey:
        """Count a node's use; ``daily`` also counts it in the per-day rollup."""
        nk = (kind, key)
        self.nodes[nk].add(calls, ms, at)
        if daily:
            self.node_days[(nk, at.date())] += calls
        return nk

    def edge(
        self, kind: str, src: NodeKey, dst: NodeKey, key: str, calls: int, ms: float | None, at: dt.datetime
    ) -> None:
        """Count an edge's use."""
        self.edges[(kind, src, dst, key)].add(calls, ms, at)

    def day(self, fingerprint: str, day: dt.date, calls: int, errors: int, ms: float | None) -> None:
        """Count a fingerprint's calls on a day."""
        row = self.usage.setdefault((fingerprint, day), [0, 0, 0.0])
        row[0] += calls
        row[1] += errors
        row[2] += (ms or 0.0) * calls


class NodeIds:
    """Node ids by ``(kind, key)``, created on first use and cached (ids never change)."""

    def __init__(self) -> None:
        self._ids: dict[NodeKey, int] = {}

    def clear(self) -> None:
        """Forget cached ids (after a rollback that may have discarded new nodes)."""
        self._ids.clear()

    def ensure(
        self, conn: sa.Connection, keys: Iterable[NodeKey], labels: dict[NodeKey, str]
    ) -> dict[NodeKey, int]:
        """Ids for ``keys``, inserting nodes that do not exist yet."""
        wanted = set(keys)
        missing = [k for k in wanted if k not in self._ids]
        if missing:
            stmt = insert(conn, nodes).on_conflict_do_nothing(index_elements=["kind", "key"])
            conn.execute(
                stmt, [{"kind": k, "key": key, "label": labels.get((k, key), key)} for k, key in missing]
            )
            by_kind: dict[str, list[str]] = defaultdict(list)
            for k, key in missing:
                by_kind[k].append(key)
            for kind, keys_of_kind in by_kind.items():
                for start in range(0, len(keys_of_kind), 500):
                    chunk = keys_of_kind[start : start + 500]
                    rows = conn.execute(
                        sa.select(nodes.c.id, nodes.c.key).where(nodes.c.kind == kind, nodes.c.key.in_(chunk))
                    )
                    for node_id, key in rows:
                        self._ids[(kind, key)] = node_id
        return {k: self._ids[k] for k in wanted}


def apply(conn: sa.Connection, delta: Delta, ids: NodeIds) -> None:
    """Write a batch's counters in the caller's transaction."""
    keys = set(delta.nodes) | {e[1] for e in delta.edges} | {e[2] for e in delta.edges}
    node_id = ids.ensure(conn, keys, delta.labels)
    if delta.nodes:
        stmt = sa.update(nodes).where(nodes.c.id == sa.bindparam("b_id"))
        stmt = stmt.values(
            uses=nodes.c.uses + sa.bindparam("b_uses"),
            last_used=later(nodes.c.last_used, sa.bindparam("b_last", type_=sa.DateTime())),
        )
        conn.execute(
            stmt,
            [{"b_id": node_id[k], "b_uses": c.uses, "b_last": c.last_used} for k, c in delta.nodes.items()],
        )
    if delta.edges:
        ins = insert(conn, edges)
        stmt = ins.on_conflict_do_update(
            index_elements=["kind", "src", "dst", "key"],
            set_={
                "uses": edges.c.uses + ins.excluded.uses,
                "total_ms": edges.c.total_ms + ins.excluded.total_ms,
                "timed": edges.c.timed + ins.excluded.timed,
                "last_used": later(edges.c.last_used, ins.excluded.last_used),
            },
        )
        conn.execute(
            stmt,
            [
                {
                    "kind": kind,
                    "src": node_id[src],
                    "dst": node_id[dst],
                    "key": key,
                    "uses": c.uses,
                    "total_ms": c.total_ms,
                    "timed": c.timed,
                    "last_used": c.last_used,
                }
                for (kind, src, dst, key), c in delta.edges.items()
            ],
        )
    if delta.node_days:
        ins = insert(conn, node_daily)
        stmt = ins.on_conflict_do_update(
            index_elements=["node_id", "day"], set_={"uses": node_daily.c.uses + ins.excluded.uses}
        )
        conn.execute(
            stmt, [{"node_id": node_id[k], "day": d, "uses": n} for (k, d), n in delta.node_days.items()]
        )
    if delta.usage:
        ins = insert(conn, usage_daily)
        stmt = ins.on_conflict_do_update(
            index_elements=["fingerprint", "day"],
            set_={
                "calls": usage_daily.c.calls + ins.excluded.calls,
                "errors": usage_daily.c.errors + ins.excluded.errors,
                "total_ms": usage_daily.c.total_ms + ins.excluded.total_ms,
            },
        )
        conn.execute(
            stmt,
            [
                {"fingerprint": fp, "day": d, "calls": int(v[0]), "errors": int(v[1]), "total_ms": v[2]}
                for (fp, d), v in delta.usage.items()
            ],
        )
