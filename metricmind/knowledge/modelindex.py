"""The spec model seen from the query log: which table is which semantic model, which aggregate is
which measure, which column is which dimension, and which filters a metric applies.

Everything is keyed the way ``querylog`` writes facts: lower-case ``schema.table`` and
``schema.table.column``, aggregate functions named ``sum``/``count``/``count_distinct``…
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

from metricmind.errors import MetricmindError
from metricmind.querylog.facts import Aggregate, ColumnRef, Filter, Value
from metricmind.querylog.predicates import conjuncts, filter_of
from metricmind.spec.filters import parse_where
from metricmind.spec.joingraph import JoinGraph
from metricmind.spec.model import Agg, Dimension, Measure, Metric, MetricType, Model, SemanticModel
from metricmind.spec.names import METRIC_TIME, SEP, split

AGGS = {a.value for a in Agg}
"""MetricFlow aggregations; analyzer function names that are not in here cannot become measures."""
_INT_TYPES = {exp.DataType.Type.INT, exp.DataType.Type.BIGINT, exp.DataType.Type.SMALLINT}


@dataclass(frozen=True, order=True)
class FilterSig:
    """A comparable filter: ``schema.table.column``, operator and sorted values (``in`` of one is ``=``)."""

    column: str
    op: str
    values: tuple[Value, ...]

    @classmethod
    def of(cls, f: Filter) -> FilterSig | None:
        """The signature of a column-versus-literal filter (``None`` for time filters and bind values)."""
        if f.column is None or f.column.table is None or f.is_time or "?" in f.values:
            return None
        op, values = f.op, f.values
        if op in ("in", "not in") and len(values) == 1:
            op = "=" if op == "in" else "!="
        if op in ("in", "not in"):
            values = tuple(sorted(values, key=repr))
        return cls(f.column.key, op, values)


def table_key(relation: str, default_schema: str | None) -> str:
    """``main.orders`` for ``orders`` (with schema ``main``) or ``db.main.orders``."""
    parts = [p.strip('"`').lower() for p in relation.split(".") if p]
    if len(parts) >= 2:
        return ".".join(parts[-2:])
    name = parts[0] if parts else relation.lower()
    return f"{default_schema.lower()}.{name}" if default_schema else name


def normalize_expr(text: str, dialect: str) -> str:
    """A column expression in one canonical spelling (no qualifiers, lower case); ``*`` stays ``*``."""
    if text.strip() in ("*", ""):
        return "*"
    try:
        node = sqlglot.parse_one(text, read=dialect)
    except Exception:
        return " ".join(text.lower().split())
    for col in node.find_all(exp.Column):
        col.set("table", None)
        col.set("db", None)
        col.set("catalog", None)
    return node.sql(dialect="duckdb", normalize=True, unsupported_level=ErrorLevel.IGNORE).lower()


def plain_column(text: str) -> str | None:
    """The column name when an expression is just a column, else ``None``."""
    word = text.strip().strip('"`').lower()
    return word if word.replace("_", "a").isalnum() and not word[0].isdigit() else None


class ModelIndex:
    """Look-ups from log facts into one spec model.

    Args:
        model: The project's model.
        default_schema: Schema of relations written without one.
        dialect: Dialect the YAML expressions are written in.
    """

    def __init__(self, model: Model, default_schema: str | None, dialect: str = "duckdb") -> None:
        self.model = model
        self.default_schema = default_schema
        self.dialect = dialect
        self.graph = JoinGraph(model)
        self.by_table: dict[str, SemanticModel] = {}
        self.measures: dict[tuple[str, str, str], list[Measure]] = {}
        self.columns: dict[tuple[str, str], tuple[SemanticModel, Dimension]] = {}
        self.entity_columns: set[tuple[str, str]] = set()
        for sm in model.semantic_models.values():
            table = self.table_of(sm)
            self.by_table.setdefault(table, sm)
            for m in sm.measures:
                self.measures.setdefault((table, m.agg.value, self._expr(m, sm)), []).append(m)
            for d in sm.dimensions:
                col = plain_column(d.expr or d.name)
                if col:
                    self.columns.setdefault((table, col), (sm, d))
            for e in sm.entities:
                col = plain_column(e.expr or e.name)
                if col:
                    self.entity_columns.add((table, col))

    # -- names -----------------------------------------------------------------------------------
    def table_of(self, sm: SemanticModel) -> str:
        """The table key of a semantic model."""
        return table_key(sm.relation, self.default_schema)

    def dimension_name(self, sm: SemanticModel, dim: Dimension) -> str:
        """The MetricFlow name of a dimension: ``entity__dimension``."""
        return f"{sm.primary}{SEP}{dim.name}" if sm.primary else dim.name

    def canonical_group_by(self, name: str, metrics: Iterable[str]) -> str:
        """The dimension node key for a group-by name of a ``MetricQuery`` (grain and path dropped)."""
        try:
            ref = split(name)
        except ValueError:
            return name
        if ref.is_metric_time:
            return METRIC_TIME
        for metric in metrics:
            for sm_name in self.metric_models(metric):
                try:
                    target = self.graph.resolve(sm_name, ref)
                except MetricmindError:
                    continue
                sm = self.model.semantic_models[target.model]
                if target.dimension is not None:
                    return self.dimension_name(sm, target.dimension)
        return ref.name

    # -- metrics ---------------------------------------------------------------------------------
    def metric_models(self, metric: str, _stack: tuple[str, ...] = ()) -> list[str]:
        """Semantic models a metric reads, through ratio, derived and conversion inputs."""
        m = self.model.metrics.get(metric)
        if m is None or metric in _stack:
            return []
        out = [self.model.measures[name].semantic_model for name in self.metric_measures(m)]
        for mi in (m.numerator, m.denominator, *m.inputs):
            if mi is not None:
                out += self.metric_models(mi.name, (*_stack, metric))
        return list(dict.fromkeys(out))

    def metric_measures(self, m: Metric) -> list[str]:
        """Measures a metric names directly."""
        names = [m.measure.name] if m.measure else []
        if m.conversion:
            names += [m.conversion.base_measure.name, m.conversion.conversion_measure.name]
        return [n for n in names if n in self.model.measures]

    @cached_property
    def simple_metrics(self) -> dict[str, list[tuple[Metric, frozenset[FilterSig] | None]]]:
        """Simple metrics by measure name, each with its filters (``None`` when not comparable)."""
        out: dict[str, list[tuple[Metric, frozenset[FilterSig] | None]]] = {}
        for m in self.model.metrics.values():
            if m.type is MetricType.SIMPLE and m.measure is not None:
                wheres = [w.sql for w in (*m.filter, *m.measure.filter)]
                out.setdefault(m.measure.name, []).append((m, self.filter_sigs(wheres, m.measure.name)))
        return out

    def filter_sigs(self, wheres: list[str], measure: str) -> frozenset[FilterSig] | None:
        """The signatures of YAML filters as seen from ``measure``'s semantic model."""
        sm_name = self.model.measures[measure].semantic_model
        sigs: set[FilterSig] = set()
        for text in wheres:
            try:
                parsed = parse_where(text, self.dialect)
            except MetricmindError:
                return None
            condition = parsed.condition.copy()
            for col in list(condition.find_all(exp.Column)):
                ref = parsed.refs.get(col.name)
                if ref is None:
                    return None
                try:
                    target = self.graph.resolve(sm_name, ref)
                except MetricmindError:
                    return None
                if target.dimension is None:
                    return None
                column = plain_column(target.dimension.expr or target.dimension.name)
                if column is None:
                    return None
                table = self.table_of(self.model.semantic_models[target.model])
                schema, _, name = table.rpartition(".")
                col.replace(exp.column(column, table=name, db=schema or None))
            for pred in conjuncts(condition):  # type: ignore[arg-type]
                found = filter_of(pred, self.dialect)
                sig = FilterSig.of(found) if found is not None else None
                if sig is None:
                    return None
                sigs.add(sig)
        return frozenset(sigs)

    # -- matching log facts ----------------------------------------------------------------------
    def measures_for(self, agg: Aggregate, dialect: str) -> list[Measure]:
        """Measures that compute the same aggregate on the same table."""
        if agg.table is None:
            return []
        expr = normalize_expr(agg.expr, dialect)
        found = list(self.measures.get((agg.table, agg.func, expr), ()))
        if agg.func == "count" and expr == "*":
            sm = self.by_table.get(agg.table)
            found += [m for m in self.measures.get((agg.table, "count", "1"), ())]
            if sm is not None and sm.primary:
                entity = sm.entity(sm.primary)
                if entity is not None:
                    key = (agg.table, "count", normalize_expr(entity.expr or entity.name, self.dialect))
                    found += self.measures.get(key, [])
        boolean = self._boolean_column(agg, dialect)
        if boolean is not None:
            found += self.measures.get((agg.table, "sum_boolean", boolean), [])
        return list(dict.fromkeys(found))

    def metrics_for(self, agg: Aggregate, filters: Iterable[Filter], dialect: str) -> list[str]:
        """Simple metrics an aggregate computes given the query's filters (the most specific ones)."""
        have = {s for s in (FilterSig.of(f) for f in (*filters, *agg.filters)) if s is not None}
        best: list[tuple[int, str]] = []
        for measure in self.measures_for(agg, dialect):
            for metric, sigs in self.simple_metrics.get(measure.name, []):
                if sigs is not None and sigs <= have:
                    best.append((len(sigs), metric.name))
        if not best:
            return []
        top = max(n for n, _ in best)
        return sorted(name for n, name in best if n == top)

    def dimension_for(self, ref: ColumnRef | None) -> tuple[SemanticModel, Dimension] | None:
        """The declared dimension a base column is, if any."""
        if ref is None or ref.table is None:
            return None
        return self.columns.get((ref.table, ref.name))

    def is_time_of(self, ref: ColumnRef | None, sm: SemanticModel) -> bool:
        """Whether ``ref`` is the agg time dimension of a measure of ``sm`` (so it is ``metric_time``)."""
        found = self.dimension_for(ref)
        if found is None or found[0].name != sm.name:
            return False
        times = {m.agg_time_dimension for m in sm.measures} | {sm.default_agg_time_dimension}
        return found[1].name in times

    # -- internals -------------------------------------------------------------------------------
    def _expr(self, m: Measure, sm: SemanticModel) -> str:
        if m.agg is Agg.COUNT and (m.expr or "").strip() == "1":
            return "1"
        return normalize_expr(m.expr or m.name, self.dialect)

    def _boolean_column(self, agg: Aggregate, dialect: str) -> str | None:
        """``SUM(CAST(flag AS INT))`` or ``SUM(CASE WHEN flag THEN 1 END)`` → ``flag``."""
        if agg.func != "sum":
            return None
        if agg.condition is not None and agg.expr.strip() == "1":
            return plain_column(agg.condition)
        try:
            node = sqlglot.parse_one(agg.expr, read=dialect)
        except Exception:
            return None
        if isinstance(node, exp.Cast) and node.to.this in _INT_TYPES and isinstance(node.this, exp.Column):
            return node.this.name.lower()
        return None
