"""Proposals and figures from what is used and what is not: new dimensions, deprecations, popularity, trends.

- A **new dimension** is a column of a semantic model's table that queries computing a metric group
  by and that the semantic model does not declare.
- A **deprecation** is a metric nothing used (directly or through a metric built on it) for
  ``deprecate_after_days`` days.
- **Popular** metrics, dimensions and tables are the most used in the window; **trending** metrics are
  used much more in the last ``trend_days`` than in the days before.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import sqlalchemy as sa

from metricmind.knowledge.minerbase import MinerBase
from metricmind.knowledge.proposal import Proposal
from metricmind.knowledge.schema import NodeKind, node_daily, nodes
from metricmind.querylog import QueryFacts
from metricmind.spec.model import MetricType


class Signals(MinerBase):
    """New dimensions, deprecations, popularity and trends."""

    # -- new dimensions --------------------------------------------------------------------------
    def _dimension_proposals(self, row: Any, facts: QueryFacts, calls: int) -> list[Proposal]:
        index = self.index
        if not facts.aggregates:
            return []
        metrics = list(row.metrics)
        out = []
        for d in facts.dimensions:
            col = d.column
            if col is None or col.table is None or col.table not in index.by_table:
                continue
            if index.dimension_for(col) is not None or (col.table, col.name) in index.entity_columns:
                continue
            sm = index.by_table[col.table]
            if any(dim.name == col.name for dim in sm.dimensions):
                continue
            dim: dict[str, Any] = {"name": col.name, "type": "time" if d.grain else "categorical"}
            if d.grain:
                dim["type_params"] = {"time_granularity": "day"}
            dim["label"] = col.name.replace("_", " ").capitalize()
            dim["description"] = "Proposed by metricmind: grouped by in logged queries."
            name = f"{sm.primary}__{col.name}" if sm.primary else col.name
            for_metrics = metrics or [f"{a.func}({a.expr})" for a in facts.aggregates]
            out.append(
                Proposal(
                    kind="dimension",
                    key=f"dimension|{sm.name}|{col.name}",
                    name=name,
                    confidence=self._confidence(calls, len(row.users), 0.5 if metrics else 0.4),
                    summary=f"new dimension {name} on {sm.name} (grouped by with {', '.join(for_metrics[:3])})",
                    changes=[{"op": "add_dimension", "semantic_model": sm.name, "dimension": dim}],
                    evidence={
                        "semantic_model": sm.name,
                        "column": col.key,
                        "metrics": sorted(for_metrics),
                        "calls": calls,
                        "users": list(row.users),
                        "fingerprints": [row.fingerprint],
                        "sample_queries": list(row.samples[:3]),
                    },
                )
            )
        return out

    # -- deprecations, popularity, trends --------------------------------------------------------
    def _used_metrics(self, conn: sa.Connection, since: dt.date, as_of: dt.date) -> set[str]:
        rows = conn.execute(
            sa.select(nodes.c.key)
            .select_from(node_daily.join(nodes, nodes.c.id == node_daily.c.node_id))
            .where(nodes.c.kind == NodeKind.METRIC.value, node_daily.c.day > since, node_daily.c.day <= as_of)
            .distinct()
        )
        used = {r[0] for r in rows}
        model = self.index.model
        frontier = set(used)
        while frontier:
            nxt: set[str] = set()
            for name in frontier:
                m = model.metrics.get(name)
                if m is None:
                    continue
                for mi in (m.numerator, m.denominator, *m.inputs):
                    if mi is not None and mi.name not in used:
                        used.add(mi.name)
                        nxt.add(mi.name)
            frontier = nxt
        return used

    def _deprecations(self, used: set[str], as_of: dt.date) -> list[Proposal]:
        out = []
        for metric in sorted(self.index.model.metrics.values(), key=lambda m: m.name):
            status = str(metric.meta.get("status", "")).lower()
            if metric.name in used or status == "deprecated":
                continue
            out.append(
                Proposal(
                    kind="deprecation",
                    key=f"deprecation|{metric.name}",
                    name=metric.name,
                    confidence=0.6 if metric.type is not MetricType.SIMPLE else 0.7,
                    summary=f"deprecate {metric.name}: unused for {self.deprecate_after_days} days",
                    changes=[{"op": "set_status", "metric": metric.name, "status": "deprecated"}],
                    evidence={
                        "calls": 0,
                        "users": [],
                        "fingerprints": [],
                        "sample_queries": [],
                        "unused_since": (as_of - dt.timedelta(days=self.deprecate_after_days)).isoformat(),
                        "status": status or None,
                    },
                )
            )
        return out

    @staticmethod
    def _popular(
        conn: sa.Connection, what: str, start: dt.date, end: dt.date, limit: int = 10
    ) -> list[dict[str, Any]]:
        kind = {"metrics": NodeKind.METRIC, "dimensions": NodeKind.DIMENSION, "tables": NodeKind.TABLE}[what]
        total = sa.func.sum(node_daily.c.uses).label("n")
        rows = conn.execute(
            sa.select(nodes.c.key, total)
            .select_from(node_daily.join(nodes, nodes.c.id == node_daily.c.node_id))
            .where(nodes.c.kind == kind.value, node_daily.c.day > start, node_daily.c.day <= end)
            .group_by(nodes.c.key)
            .order_by(total.desc(), nodes.c.key)
            .limit(limit)
        )
        return [{"name": k, "uses": int(n), "rank": i + 1} for i, (k, n) in enumerate(rows)]

    def _trending(self, conn: sa.Connection, as_of: dt.date) -> list[dict[str, Any]]:
        recent_start = as_of - dt.timedelta(days=self.trend_days)
        prior_start = recent_start - dt.timedelta(days=self.trend_days)
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        rows = conn.execute(
            sa.select(nodes.c.key, node_daily.c.day, node_daily.c.uses)
            .select_from(node_daily.join(nodes, nodes.c.id == node_daily.c.node_id))
            .where(
                nodes.c.kind == NodeKind.METRIC.value,
                node_daily.c.day > prior_start,
                node_daily.c.day <= as_of,
            )
        )
        for key, day, uses in rows:
            counts[key][0 if day > recent_start else 1] += int(uses)
        out: list[dict[str, Any]] = []
        for key, (recent, prior) in counts.items():
            if recent >= 5 and recent >= 1.5 * prior:
                growth = None if prior == 0 else round(recent / prior - 1, 3)
                out.append({"name": key, "recent": recent, "prior": prior, "growth": growth})
        out.sort(
            key=lambda x: (
                -(float(x["growth"]) if x["growth"] is not None else 1e9),
                -int(x["recent"]),
                str(x["name"]),
            )
        )
        return out
