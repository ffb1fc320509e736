"""Folding stored log records into the graph, incrementally and crash-safely.

Records are read in id order after a high-water mark kept in ``kg_cursors``. Each batch is analyzed
(every distinct text once), summed in Python and written with the new high-water mark in one
transaction: a crash loses at most the batch in progress, and re-running counts nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from metricmind.knowledge.modelindex import FilterSig, ModelIndex
from metricmind.knowledge.schema import EdgeKind, NodeKind, cursors, fingerprints, query_log, texts
from metricmind.knowledge.store import Delta, NodeIds, apply, insert
from metricmind.querylog import Analyzer, QueryFacts
from metricmind.spec.model import Model
from metricmind.spec.names import METRIC_TIME

log = logging.getLogger(__name__)

CURSOR = ("process", "query_log")
MAX_SAMPLES = 5
MAX_USERS = 20


@dataclass(frozen=True)
class Reading:
    """What one statement text means: its facts and, through the model, its metrics and dimensions."""

    fingerprint: str
    facts: QueryFacts
    metrics: tuple[str, ...]
    dimensions: tuple[str, ...]
    filters: frozenset[FilterSig] = frozenset()


def filter_sigs(facts: QueryFacts) -> frozenset[FilterSig]:
    """Column-versus-literal filters of a statement, of its ``WHERE`` and of its aggregates."""
    found = [*facts.filters, *(f for a in facts.aggregates for f in a.filters)]
    return frozenset(s for s in (FilterSig.of(f) for f in found) if s is not None)


def sigs_to_json(sigs: frozenset[FilterSig]) -> list[list[Any]]:
    """Filter signatures as JSON (sorted)."""
    return [[s.column, s.op, list(s.values)] for s in sorted(sigs)]


def sigs_from_json(data: list[list[Any]] | None) -> frozenset[FilterSig] | None:
    """``sigs_to_json`` read back (``None`` stays ``None``: not known)."""
    if data is None:
        return None
    return frozenset(FilterSig(c, op, tuple(v)) for c, op, v in data)


@dataclass
class _Group:
    calls: int = 0
    errors: int = 0
    total_ms: float = 0.0
    timed: int = 0
    first: dt.datetime | None = None
    last: dt.datetime | None = None
    users: set[str] = field(default_factory=set)


class Processor:
    """Reads stored records into the graph.

    Args:
        model: The project's model (metrics and dimensions are inferred through it), or ``None``.
        default_schema: Schema of unqualified table names.
        dialect: Dialect of the model's YAML expressions.
    """

    def __init__(self, model: Model | None, default_schema: str | None, dialect: str = "duckdb") -> None:
        self.index = ModelIndex(model, default_schema, dialect) if model is not None else None
        self.analyzer = Analyzer(default_schema)
        self.ids = NodeIds()
        self._readings: dict[int, Reading] = {}

    # -- reading texts ---------------------------------------------------------------------------
    def read(self, sql: str, dialect: str) -> Reading:
        """Analyze one text and interpret it through the model; one odd text never fails a batch (its
        facts are kept, without metrics or dimensions, and the problem is logged).
        """
        facts = self.analyzer.analyze(sql, dialect)
        try:
            return self._interpret(facts, dialect)
        except Exception as exc:  # a pathological statement must not stop the graph
            log.warning(
                "query log text %s not interpreted: %s: %s", facts.fingerprint, type(exc).__name__, exc
            )
            return Reading(facts.fingerprint, facts, (), ())

    def _interpret(self, facts: QueryFacts, dialect: str) -> Reading:
        metrics: list[str] = []
        dims: list[str] = []
        if self.index is not None and facts.ok:
            for agg in facts.aggregates:
                metrics += self.index.metrics_for(agg, facts.filters, dialect)
            metrics = list(dict.fromkeys(metrics))
            models = [
                self.index.model.semantic_models[s] for m in metrics for s in self.index.metric_models(m)
            ]
            for d in facts.dimensions:
                found = self.index.dimension_for(d.column)
                if found is None:
                    continue
                sm, dim = found
                if any(self.index.is_time_of(d.column, s) for s in models):
                    dims.append(METRIC_TIME)
                else:
                    dims.append(self.index.dimension_name(sm, dim))
        return Reading(
            facts.fingerprint, facts, tuple(metrics), tuple(dict.fromkeys(dims)), filter_sigs(facts)
        )

    def _readings_for(self, conn: sa.Connection, text_ids: set[int]) -> None:
        missing = [t for t in text_ids if t not in self._readings]
        for start in range(0, len(missing), 400):
            chunk = missing[start : start + 400]
            rows = conn.execute(
                sa.select(texts.c.id, texts.c.sql, texts.c.dialect, texts.c.fingerprint).where(
                    texts.c.id.in_(chunk)
                )
            ).all()
            updates = []
            for tid, sql, dialect, fp in rows:
                reading = self.read(sql, dialect)
                self._readings[tid] = reading
                if fp != reading.fingerprint:
                    updates.append({"b_id": tid, "b_fp": reading.fingerprint})
            if updates:
                conn.execute(
                    sa.update(texts)
                    .where(texts.c.id == sa.bindparam("b_id"))
                    .values(fingerprint=sa.bindparam("b_fp")),
                    updates,
                )

    # -- the loop --------------------------------------------------------------------------------
    def run(self, engine: sa.Engine, *, batch: int = 20_000, max_batches: int | None = None) -> int:
        """Fold every record stored after the high-water mark into the graph; how many were folded."""
        done = 0
        batches = 0
        safe = committed_upto(engine)
        while max_batches is None or batches < max_batches:
            try:
                with engine.begin() as conn:
                    n = self._batch(conn, batch, safe)
            except BaseException:
                self.ids.clear()
                raise
            if n == 0:
                break
            done += n
            batches += 1
        return done

    def _batch(self, conn: sa.Connection, size: int, safe: int) -> int:
        mark_row = conn.execute(
            sa.select(cursors.c.value).where(cursors.c.source == CURSOR[0], cursors.c.key == CURSOR[1])
        ).first()
        mark = int(mark_row[0]["id"]) if mark_row else 0
        rows = conn.execute(
            sa.select(
                query_log.c.id,
                query_log.c.text_id,
                query_log.c.started_at,
                query_log.c.user_name,
                query_log.c.duration_ms,
                query_log.c.calls,
                query_log.c.error,
                query_log.c.metrics,
                query_log.c.group_by,
            )
            .where(query_log.c.id > mark, query_log.c.id <= safe)
            .order_by(query_log.c.id)
            .limit(size)
        ).all()
        if not rows:
            return 0
        self._readings_for(conn, {r.text_id for r in rows})
        groups: dict[tuple[Any, ...], _Group] = defaultdict(_Group)
        for r in rows:
            at: dt.datetime = r.started_at
            key = (
                r.text_id,
                at.date(),
                tuple(r.metrics) if r.metrics is not None else None,
                tuple(r.group_by) if r.group_by is not None else None,
            )
            g = groups[key]
            calls = int(r.calls or 1)
            g.calls += calls
            if r.error:
                g.errors += calls
            if r.duration_ms is not None:
                g.total_ms += float(r.duration_ms) * calls
                g.timed += calls
            if g.last is None or at > g.last:
                g.last = at
            if g.first is None or at < g.first:
                g.first = at
            if r.user_name and len(g.users) < MAX_USERS:
                g.users.add(r.user_name)
        delta = Delta()
        fps: dict[str, dict[str, Any]] = {}
        for (text_id, day, metrics, group_by), g in groups.items():
            reading = self._readings[text_id]
            self._count(delta, reading, metrics, group_by, g, day)
            self._fingerprint(fps, reading, g, text_id)
        apply(conn, delta, self.ids)
        self._write_fingerprints(conn, fps)
        stmt = insert(conn, cursors)
        conn.execute(
            stmt.on_conflict_do_update(index_elements=["source", "key"], set_={"value": stmt.excluded.value}),
            {"source": CURSOR[0], "key": CURSOR[1], "value": {"id": int(rows[-1].id)}},
        )
        return len(rows)

    def _count(
        self,
        delta: Delta,
        reading: Reading,
        metrics: tuple[str, ...] | None,
        group_by: tuple[str, ...] | None,
        g: _Group,
        day: dt.date,
    ) -> None:
        facts = reading.facts
        at = g.last or dt.datetime.combine(day, dt.time())
        ms = g.total_ms / g.timed if g.timed else None
        calls = g.calls
        delta.day(reading.fingerprint, day, calls, g.errors, ms)
        q = delta.node(NodeKind.QUERY.value, reading.fingerprint, calls, ms, at, daily=False)
        delta.labels[q] = facts.normalized[:500]
        for table in facts.tables:
            t = delta.node(NodeKind.TABLE.value, table, calls, ms, at, daily=True)
            delta.edge(EdgeKind.ACCESSES.value, q, t, "", calls, ms, at)
        for col in facts.columns:
            if col.table is None:
                continue
            c = delta.node(NodeKind.COLUMN.value, col.key, calls, ms, at, daily=False)
            delta.edge(EdgeKind.ACCESSES.value, q, c, "", calls, ms, at)
        for join in facts.joins:
            left, right = (NodeKind.TABLE.value, join.left), (NodeKind.TABLE.value, join.right)
            delta.edge(EdgeKind.JOIN_PATH.value, left, right, join.condition[:1000], calls, ms, at)
        names = metrics if metrics is not None else reading.metrics
        if group_by is not None and self.index is not None:
            dims = tuple(dict.fromkeys(self.index.canonical_group_by(name, names) for name in group_by))
        elif group_by is not None:
            dims = group_by
        else:
            dims = reading.dimensions
        dim_keys = [delta.node(NodeKind.DIMENSION.value, d, calls, ms, at, daily=True) for d in dims]
        for name in names:
            m = delta.node(NodeKind.METRIC.value, name, calls, ms, at, daily=True)
            delta.edge(EdgeKind.CALCULATES.value, q, m, "", calls, ms, at)
            for d in dim_keys:
                delta.edge(EdgeKind.HAS_DIMENSION.value, m, d, "", calls, ms, at)

    def _fingerprint(self, fps: dict[str, dict[str, Any]], reading: Reading, g: _Group, text_id: int) -> None:
        row = fps.get(reading.fingerprint)
        if row is None:
            facts = reading.facts
            row = fps[reading.fingerprint] = {
                "fingerprint": reading.fingerprint,
                "dialect": facts.dialect,
                "ok": facts.ok,
                "normalized": facts.normalized,
                "facts": facts.to_dict(),
                "samples": [],
                "users": set(),
                "metrics": set(),
                "calls": 0,
                "total_ms": 0.0,
                "timed": 0,
                "first_seen": g.first,
                "last_seen": g.last,
                "filters": reading.filters,
            }
        row["calls"] += g.calls
        row["total_ms"] += g.total_ms
        row["timed"] += g.timed
        row["users"] |= g.users
        row["metrics"] |= set(reading.metrics)
        row["filters"] = row["filters"] & reading.filters
        sql = reading.facts.sql
        if sql not in row["samples"] and len(row["samples"]) < MAX_SAMPLES:
            row["samples"].append(sql)
        if g.first is not None and g.last is not None:
            row["first_seen"] = min(row["first_seen"], g.first) if row["first_seen"] else g.first
            row["last_seen"] = max(row["last_seen"], g.last) if row["last_seen"] else g.last

    def _write_fingerprints(self, conn: sa.Connection, fps: dict[str, dict[str, Any]]) -> None:
        if not fps:
            return
        keys = list(fps)
        old: dict[str, Any] = {}
        for start in range(0, len(keys), 400):
            chunk = keys[start : start + 400]
            for r in conn.execute(sa.select(fingerprints).where(fingerprints.c.fingerprint.in_(chunk))):
                old[r.fingerprint] = r
        out = []
        for fp, row in fps.items():
            prev = old.get(fp)
            samples: list[str] = list(prev.samples) if prev is not None else []
            for s in row["samples"]:
                if s not in samples and len(samples) < MAX_SAMPLES:
                    samples.append(s)
            users = sorted(set(prev.users if prev is not None else []) | row["users"])[:MAX_USERS]
            metrics = sorted(set(prev.metrics if prev is not None else []) | row["metrics"])
            known = sigs_from_json(prev.filters) if prev is not None else None
            common = row["filters"] if known is None else row["filters"] & known
            first = row["first_seen"] if prev is None else min(prev.first_seen, row["first_seen"])
            last = row["last_seen"] if prev is None else max(prev.last_seen, row["last_seen"])
            out.append(
                {
                    **row,
                    "facts": prev.facts if prev is not None else row["facts"],
                    "samples": samples,
                    "users": users,
                    "metrics": metrics,
                    "calls": row["calls"] + (prev.calls if prev is not None else 0),
                    "total_ms": row["total_ms"] + (prev.total_ms if prev is not None else 0.0),
                    "timed": row["timed"] + (prev.timed if prev is not None else 0),
                    "first_seen": first,
                    "last_seen": last,
                    "filters": sigs_to_json(common),
                }
            )
        stmt = insert(conn, fingerprints)
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["fingerprint"],
                set_={
                    c: stmt.excluded[c]
                    for c in (
                        "samples",
                        "users",
                        "metrics",
                        "filters",
                        "calls",
                        "total_ms",
                        "timed",
                        "first_seen",
                        "last_seen",
                    )
                },
            ),
            out,
        )


def committed_upto(engine: sa.Engine) -> int:
    """The highest record id below which every record is committed.

    On PostgreSQL ids are handed out before commit, so a slow writer could commit id 10 after id 11
    was folded and the mark moved past it. Taking a ``SHARE`` lock for an instant waits for writers
    in flight; every id up to the maximum seen then is committed. SQLite has one writer at a time.
    """
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("LOCK TABLE kg_query_log IN SHARE MODE"))
        return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(query_log.c.id), 0))).scalar_one())


def pending(engine: sa.Engine) -> int:
    """How many stored records the graph does not count yet."""
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(cursors.c.value).where(cursors.c.source == CURSOR[0], cursors.c.key == CURSOR[1])
        ).first()
        mark = int(row[0]["id"]) if row else 0
        return int(conn.execute(sa.select(sa.func.count()).where(query_log.c.id > mark)).scalar_one())
