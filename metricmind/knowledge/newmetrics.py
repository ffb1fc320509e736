"""New metric proposals: a query pattern called often enough whose aggregate no metric computes.

The definition is inferred from the pattern's facts: the semantic model of the aggregated table, the
measure (an existing one with the same aggregation and expression, or a new one), the filters every
sample query applies (as ``Dimension`` filters), and the dimensions it is grouped by.
"""

from __future__ import annotations

from typing import Any

from metricmind.knowledge.minerbase import MinerBase
from metricmind.knowledge.modelindex import AGGS, FilterSig, normalize_expr, plain_column
from metricmind.knowledge.process import sigs_from_json
from metricmind.knowledge.proposal import Proposal, slug
from metricmind.querylog import Aggregate, ColumnRef, QueryFacts
from metricmind.spec.model import Agg, SemanticModel
from metricmind.spec.names import METRIC_TIME


class NewMetrics(MinerBase):
    """Proposes metrics (and their measures) for uncovered query patterns."""

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
                else "_".join([*(slug(str(v)) for _d, _o, v in wheres), measure_name])
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
        subject = column or (sm.name if expr in ("*", "1") else slug(expr))
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
        return slug(words.get(func, f"{func}_{subject}"))

    @staticmethod
    def _fresh(name: str, taken: set[str]) -> str:
        if name not in taken:
            return name
        for i in range(2, 1000):
            if f"{name}_{i}" not in taken:
                return f"{name}_{i}"
        return name
