"""Usage → proposals: new metrics, new dimensions and deprecations, plus popularity and trends.

Pure reads of the store and the model; ``nightly`` records the result and writes the review branch.

- A **new metric** is a query pattern (fingerprint) called ``min_calls`` times or more in the last
  ``window_days`` days whose aggregate no metric computes. Its definition is inferred from the facts:
  the semantic model of the aggregated table, the measure (an existing one with the same aggregation
  and expression, or a new one), the filters every sample query applies (as ``Dimension`` filters),
  and the dimensions it is grouped by.
- A **new dimension** is a column of a semantic model's table that queries computing a metric group
  by, ``min_calls`` times or more, and that the semantic model does not declare.
- A **deprecation** is a metric nothing used (directly or through a metric built on it) for
  ``deprecate_after_days`` days, when the log reaches back that far.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from metricmind.knowledge.modelindex import AGGS, FilterSig, ModelIndex, normalize_expr, plain_column
from metricmind.knowledge.process import sigs_from_json
from metricmind.knowledge.schema import NodeKind, fingerprints, node_daily, nodes, usage_daily
from metricmind.querylog import Aggregate, Analyzer, ColumnRef, QueryFacts
from metricmind.spec.model import Agg, MetricType, SemanticModel
from metricmind.spec.names import METRIC_TIME

PREFIX = {
    "metric": "M",
    "dimension": "D",
    "deprecation": "X",
    "template": "T",
    "dashboard": "B",
    "rollup": "R",
}
_WORD = re.compile(r"[^a-z0-9]+")


def proposal_id(kind: str, key: str) -> str:
    """A short, stable id: kind letter and 7 hex digits of the key's hash (``M-1a2b3c4``)."""
    return f"{PREFIX[kind]}-{hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:7]}"


@dataclass
class Proposal:
    """One proposed change to the semantic layer.

    Attributes:
        kind: ``metric``, ``dimension`` or ``deprecation``.
        key: What it proposes, independent of names and runs (two patterns computing the same thing share it).
        name: The metric or dimension name.
        confidence: 0–1.
        summary: One line for lists.
        changes: The YAML edits that implement it (see ``yamledit.apply``).
        evidence: Calls, users, fingerprints, sample queries, notes.
    """

    kind: str
    key: str
    name: str
    confidence: float
    summary: str
    changes: list[dict[str, Any]]
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        """The stable id."""
        return proposal_id(self.kind, self.key)

    def payload(self) -> dict[str, Any]:
        """JSON-ready body kept in the store."""
        return {"summary": self.summary, "changes": self.changes, "evidence": self.evidence}


@dataclass
class Mined:
    """Everything one mining pass found."""

    proposals: list[Proposal]
    popular: dict[str, list[dict[str, Any]]]
    trending: list[dict[str, Any]]
    window: tuple[str, str]
    history_days: int


def _slug(text: str) -> str:
    return _WORD.sub("_", text.lower()).strip("_") or "value"


def _fps_in_window(conn: sa.Connection, start: dt.date, end: dt.date) -> dict[str, int]:
    total = sa.func.sum(usage_daily.c.calls)
    rows = conn.execute(
        sa.select(usage_daily.c.fingerprint, total)
        .where(usage_daily.c.day > start, usage_daily.c.day <= end)
        .group_by(usage_daily.c.fingerprint)
    )
    return {fp: int(n) for fp, n in rows}


class Miner:
    """Finds proposals for one model.

    Args:
        index: The model seen from the log.
        min_calls: Calls in the window before a pattern counts.
        window_days: Days of usage looked at.
        deprecate_after_days: Days unused before a metric is a deprecation candidate.
        trend_days: Length of each period compared for trends.
    """

    def __init__(
        self,
        index: ModelIndex,
        *,
        min_calls: int = 10,
        window_days: int = 30,
        deprecate_after_days: int = 90,
        trend_days: int = 7,
    ) -> None:
        self.index = index
        self.min_calls = min_calls
        self.window_days = window_days
        self.deprecate_after_days = deprecate_after_days
        self.trend_days = trend_days
        self.analyzer = Analyzer(index.default_schema)

    def mine(self, engine: sa.Engine, as_of: dt.date) -> Mined:
        """Proposals, popularity and trends as of the end of day ``as_of``."""
        start = as_of - dt.timedelta(days=self.window_days)
        with engine.connect() as conn:
            calls = _fps_in_window(conn, start, as_of)
            rows: list[Any] = []
            keys = [fp for fp in sorted(calls)]
            for i in range(0, len(keys), 400):
                rows += conn.execute(
                    sa.select(fingerprints).where(fingerprints.c.fingerprint.in_(keys[i : i + 400]))
                ).all()
            first_day = conn.execute(sa.select(sa.func.min(usage_daily.c.day))).scalar()
            popular = {k: self._popular(conn, k, start, as_of) for k in ("metrics", "dimensions", "tables")}
            trending = self._trending(conn, as_of)
            used = self._used_metrics(conn, as_of - dt.timedelta(days=self.deprecate_after_days), as_of)
        history = (as_of - first_day).days + 1 if first_day is not None else 0
        metric_props: dict[str, Proposal] = {}
        dim_props: dict[str, Proposal] = {}
        for row in sorted(rows, key=lambda r: r.fingerprint):
            n = calls.get(row.fingerprint, 0)
            facts = QueryFacts.from_dict(row.facts)
            if not facts.ok or facts.kind != "select":
                continue
            samples = [QueryFacts.from_dict(row.facts)] + [
                self.analyzer.analyze(s, row.dialect) for s in row.samples[1:]
            ]
            if n >= self.min_calls:
                for prop in self._metric_proposals(row, facts, samples, n):
                    self._merge(metric_props, prop)
            for prop in self._dimension_proposals(row, facts, n):
                self._merge(dim_props, prop)
        out = [p for p in metric_props.values()]
        out += [p for p in dim_props.values() if int(p.evidence["calls"]) >= self.min_calls]
        if history >= self.deprecate_after_days:
            out += self._deprecations(used, as_of)
        for p in out:
            p.confidence = round(p.confidence, 2)
        out.sort(key=lambda p: (p.kind, -p.confidence, p.name))
        return Mined(out, popular, trending, (start.isoformat(), as_of.isoformat()), history)

    # -- merging ---------------------------------------------------------------------------------
    @staticmethod
    def _merge(found: dict[str, Proposal], prop: Proposal) -> None:
        old = found.get(prop.key)
        if old is None:
            found[prop.key] = prop
            return
        ev, new = old.evidence, prop.evidence
        ev["calls"] += new["calls"]
        ev["users"] = sorted(set(ev["users"]) | set(new["users"]))
        ev["fingerprints"] = sorted(set(ev["fingerprints"]) | set(new["fingerprints"]))
        ev["sample_queries"] = (
            ev["sample_queries"] + [s for s in new["sample_queries"] if s not in ev["sample_queries"]]
        )[:3]
        if "metrics" in ev:
            ev["metrics"] = sorted(set(ev["metrics"]) | set(new["metrics"]))
        old.confidence = max(old.confidence, prop.confidence)

    def _confidence(self, calls: int, users: int, base: float) -> float:
        boost = min(0.25, 0.08 * math.log2(max(calls, 1) / self.min_calls + 1))
        return min(0.95, base + boost + (0.1 if users >= 2 else 0.0))

    # -- new metrics -----------------------------------------------------------------------------
    def _metric_proposals(
        self, row: Any, facts: QueryFacts, samples: list[QueryFacts], calls: int
    ) -> list[Proposal]:
        index = self.index
        out: list[Proposal] = []
        for agg in facts.aggregates:
            if agg.table is None or agg.func not in AGGS or agg.table not in index.by_table:
                continue
            sm = index.by_table[agg.table]
            common = self._common(samples, facts.aggregates.index(agg), sigs_from_json(row.filters))
            if self._covered(agg, common, row.dialect):
                continue
            wheres, ok = self._filters(common)
            if not ok:
                continue
            existing = [m for m in index.measures_for(agg, row.dialect) if m.semantic_model == sm.name]
            expr = normalize_expr(agg.expr, row.dialect)
            changes: list[dict[str, Any]] = []
            time_dim = self._time_dimension(sm, facts)
            if existing:
                measure_name = existing[0].name
            else:
                measure_name = self._fresh(self._measure_name(agg.func, expr, sm), set(index.model.measures))
                measure: dict[str, Any] = {
                    "name": measure_name,
                    "agg": agg.func,
                    "expr": "1" if expr == "*" else agg.expr,
                }
                if time_dim and time_dim != (sm.default_agg_time_dimension or ""):
                    measure["agg_time_dimension"] = time_dim
                measure["description"] = f"Proposed by metricmind from {calls} logged queries."
                changes.append({"op": "add_measure", "semantic_model": sm.name, "measure": measure})
            base_name = (
                measure_name
                if not wheres
                else "_".join([*(_slug(str(v)) for _d, _o, v in wheres), measure_name])
            )
            name = self._fresh(base_name, set(index.model.metrics))
            metric: dict[str, Any] = {
                "name": name,
                "label": name.replace("_", " ").capitalize(),
                "description": f"Proposed by metricmind: {agg.func}({agg.expr}) on {sm.name}"
                + (f" where {' and '.join(f'{d} {o} {v!r}' for d, o, v in wheres)}" if wheres else "")
                + ".",
                "type": "simple",
                "type_params": {"measure": measure_name},
            }
            if wheres:
                metric["filter"] = " and ".join(self._where_text(d, o, v) for d, o, v in wheres)
            metric["config"] = {"meta": {"status": "draft", "owner": "", "proposed_by": "metricmind nightly"}}
            changes.append({"op": "add_metric", "metric": metric})
            dims = self._group_dims(sm, facts)
            key = "metric|{}|{}|{}|{}".format(
                sm.name, agg.func, expr, ";".join(f"{d}{o}{v!r}" for d, o, v in wheres)
            )
            users = list(row.users)
            out.append(
                Proposal(
                    kind="metric",
                    key=key,
                    name=name,
                    confidence=self._confidence(calls, len(users), 0.55 if existing else 0.45),
                    summary=f"new metric {name}: {agg.func}({agg.expr}) of {sm.name}"
                    + (f" where {' and '.join(f'{d} {o} {v!r}' for d, o, v in wheres)}" if wheres else ""),
                    changes=changes,
                    evidence={
                        "semantic_model": sm.name,
                        "measure": measure_name,
                        "new_measure": not existing,
                        "agg": agg.func,
                        "expr": agg.expr,
                        "filters": [{"dimension": d, "op": o, "value": v} for d, o, v in wheres],
                        "dimensions": dims,
                        "calls": calls,
                        "users": users,
                        "fingerprints": [row.fingerprint],
                        "sample_queries": list(row.samples[:3]),
                    },
                )
            )
        return out

    @staticmethod
    def _common(
        samples: list[QueryFacts], agg_index: int, everywhere: frozenset[FilterSig] | None
    ) -> frozenset[FilterSig]:
        """Column-versus-literal filters of the query or the aggregate that every text of the pattern
        applies (``everywhere``: kept by ``process`` over all texts; else the samples decide).
        """
        common: set[FilterSig] | None = set(everywhere) if everywhere is not None else None
        for facts in samples:
            own = list(facts.filters)
            if agg_index < len(facts.aggregates):
                own += list(facts.aggregates[agg_index].filters)
            sigs = {s for s in (FilterSig.of(f) for f in own) if s is not None}
            common = sigs if common is None else common & sigs
        return frozenset(common or ())

    def _covered(self, agg: Aggregate, common: frozenset[FilterSig], dialect: str) -> bool:
        """Whether a simple metric computes this aggregate with exactly these filters."""
        for measure in self.index.measures_for(agg, dialect):
            for _metric, sigs in self.index.simple_metrics.get(measure.name, []):
                if sigs is not None and sigs == common:
                    return True
        return False

    def _filters(self, common: frozenset[FilterSig]) -> tuple[list[tuple[str, str, Any]], bool]:
        """The filters as ``(dimension, op, value)``; ``ok`` False when one is not on a declared dimension."""
        out: list[tuple[str, str, Any]] = []
        for sig in sorted(common):
            table_name, _, col = sig.column.rpartition(".")
            found = self.index.dimension_for(ColumnRef(table_name, col))
            if found is None or sig.op not in ("=", "!=", "in", "not in"):
                return [], False
            fsm, dim = found
            name = self.index.dimension_name(fsm, dim)
            value: Any = sig.values[0] if sig.op in ("=", "!=") else list(sig.values)
            out.append((name, sig.op, value))
        return out, True

    @staticmethod
    def _where_text(dim: str, op: str, value: Any) -> str:
        def lit(v: Any) -> str:
            if isinstance(v, bool):
                return "true" if v else "false"
            if isinstance(v, int | float):
                return repr(v)
            return "'" + str(v).replace("'", "''") + "'"

        ref = "{{ Dimension('" + dim + "') }}"
        if op in ("in", "not in"):
            return f"{ref} {op} ({', '.join(lit(v) for v in value)})"
        return f"{ref} {op} {lit(value)}"

    def _time_dimension(self, sm: SemanticModel, facts: QueryFacts) -> str | None:
        for d in facts.dimensions:
            if d.grain and d.column is not None:
                found = self.index.dimension_for(d.column)
                if found is not None and found[0].name == sm.name and found[1].type == "time":
                    return found[1].name
        for f in facts.filters:
            if f.is_time and f.column is not None:
                found = self.index.dimension_for(f.column)
                if found is not None and found[0].name == sm.name and found[1].type == "time":
                    return found[1].name
        return None

    def _group_dims(self, sm: SemanticModel, facts: QueryFacts) -> list[str]:
        out = []
        for d in facts.dimensions:
            found = self.index.dimension_for(d.column)
            if found is None:
                continue
            if d.grain:
                out.append(f"{METRIC_TIME}__{d.grain}")
            else:
                out.append(self.index.dimension_name(*found))
        return list(dict.fromkeys(out))

    @staticmethod
    def _measure_name(func: str, expr: str, sm: SemanticModel) -> str:
        column = plain_column(expr) if expr != "*" else None
        subject = column or (sm.name if expr in ("*", "1") else _slug(expr))
        words = {
            "sum": f"total_{subject}",
            "count": f"{subject}_count" if column else f"{sm.name}_count",
            "count_distinct": f"distinct_{subject}",
            "average": f"average_{subject}",
            "min": f"min_{subject}",
            "max": f"max_{subject}",
            "median": f"median_{subject}",
            "percentile": f"percentile_{subject}",
            Agg.SUM_BOOLEAN.value: f"{subject}_true_count",
        }
        return _slug(words.get(func, f"{func}_{subject}"))

    @staticmethod
    def _fresh(name: str, taken: set[str]) -> str:
        if name not in taken:
            return name
        for i in range(2, 1000):
            if f"{name}_{i}" not in taken:
                return f"{name}_{i}"
        return name

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
