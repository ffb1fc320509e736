"""The catalog tools: list and describe metrics, and a dimension's values."""

from __future__ import annotations

import json
from typing import Any

from metricmind.errors import QueryError, UnknownNameError
from metricmind.interfaces.mcpserver import formatting as fmt
from metricmind.interfaces.mcpserver.toolbase import ToolBase
from metricmind.project import DimensionInfo
from metricmind.spec.model import Metric, MetricType
from metricmind.spec.names import METRIC_TIME
from metricmind.spec.query import MetricQuery

MAX_VALUES = 100
"""Distinct values returned by ``get_dimension_values`` by default."""
MAX_VALUES_CEILING = 1000


class CatalogTools(ToolBase):
    """``list_metrics``, ``describe_metrics`` and ``get_dimension_values``."""

    # -- catalog -------------------------------------------------------------------------------
    def list_metrics(
        self, category: str | None = None, search: str | None = None, trending: bool = False
    ) -> str:
        """List the project's metrics as CSV: name, type, category, status, unit, label, trending and
        definition. `trending` is empty, or how much more the metric was used this week than the week
        before (the nightly learner's figures, e.g. "used 14 times this week, 4 the week before").

        Args:
            category: Only metrics of this category (one of the categories this tool lists).
            search: Only metrics whose name, label, definition or synonyms contain this text.
            trending: Only the metrics trending this week, most used first.
        """
        metrics = self.project.metrics()
        trends = {t["name"]: t for t in self.project.trending_metrics()}
        if category:
            known = {m.category for m in metrics}
            match = {c for c in known if c.lower() == category.strip().lower()}
            if not match:
                raise UnknownNameError("category", category, known)
            metrics = [m for m in metrics if m.category in match]
        if search:
            needle = search.strip().lower()
            metrics = [m for m in metrics if needle in _haystack(m)]
        if trending:
            metrics = sorted((m for m in metrics if m.name in trends), key=lambda m: -trends[m.name]["uses"])
        rows = [
            (
                m.name,
                m.type.value,
                m.category,
                str(m.meta.get("status") or ""),
                str(m.meta.get("unit") or ""),
                m.label,
                trends[m.name]["summary"] if m.name in trends else "",
                _definition(m),
            )
            for m in metrics
        ]
        columns = ["name", "type", "category", "status", "unit", "label", "trending", "definition"]
        out = fmt.to_csv(columns, rows, max_rows=fmt.MAX_ROWS_CEILING, max_chars=fmt.MAX_CHARS_CEILING)
        if trending and not rows:
            out += "\n# no metric is trending this week (the nightly learner marks them)"
        return out

    def describe_metrics(self, metrics: list[str] | str) -> str:
        """Describe metrics: definition, formula, business rules, owner, synonyms and usable dimensions.

        Args:
            metrics: Metric names from list_metrics (a JSON list, or "name_a,name_b" also works).
        """
        wanted = fmt.names(metrics, "metrics")
        if not wanted:
            raise QueryError(
                "no metrics given", hint="Pass metric names from list_metrics, e.g. metrics=['<name>']."
            )
        out = [self._describe(self.project.metric(name)) for name in wanted]
        return json.dumps(out, ensure_ascii=False, indent=1, default=str)

    def _describe(self, m: Metric) -> dict[str, Any]:
        dims = self.project.dimensions(m.name)
        meta = m.meta
        info: dict[str, Any] = {
            "name": m.name,
            "label": m.label,
            "type": m.type.value,
            "description": m.description,
            "definition": meta.get("definition"),
            "business_rules": meta.get("business_rules"),
            "unit": meta.get("unit"),
            "category": m.category,
            "owner": m.owner or None,
            "status": meta.get("status"),
            "synonyms": list(m.synonyms) or None,
            "formula": _formula(m),
            "filters": [w.sql for w in m.filter] or None,
            "time_grains": [g for d in dims if d.name == METRIC_TIME for g in d.grains],
            "dimensions": [d.name for d in dims if d.name != METRIC_TIME and d.type != "entity"],
            "entities": [d.name for d in dims if d.type == "entity"],
        }
        return {k: v for k, v in info.items() if v not in (None, "", [])}

    def get_dimension_values(
        self,
        dimension: str,
        metric: str | None = None,
        search: str | None = None,
        max_values: int | None = None,
    ) -> str:
        """Distinct values of a dimension (from its declared meta.values, else queried from the warehouse).

        Args:
            dimension: A dimension, e.g. <entity>__<dimension> (describe_metrics lists them).
            metric: Query through this metric (default: a simple metric that reaches the dimension).
            search: Only values containing this text (case-insensitive).
            max_values: At most this many values (default 100, up to 1000).
        """
        cap = fmt.clamp(max_values, MAX_VALUES, MAX_VALUES_CEILING, "max_values")
        info = self._dimension(dimension, metric)
        if info.type == "time":
            raise QueryError(
                f"'{dimension}' is a time dimension: its values are dates",
                hint="Group by it with a grain in query_metrics instead, e.g. metric_time__month.",
            )
        declared = info.meta.get("values") if info.meta else None
        aliases = info.meta.get("value_aliases") if info.meta else None
        source: str
        more = False
        if isinstance(declared, list) and declared and metric is None:
            values: list[Any] = list(declared)
            source = "declared in meta.values"
        else:
            via = metric or self._metric_for(dimension, info.model)
            # A filter by search goes to the warehouse, so the cap applies to matching values.
            where = []
            if search:
                literal = search.strip().lower().replace("'", "''")
                where.append(f"LOWER(CAST({{{{ Dimension('{dimension}') }}}} AS VARCHAR)) LIKE '%{literal}%'")
            query = MetricQuery.build(via, dimension, where, order_by=dimension, limit=cap + 1)
            result = self._run(query)
            index = result.columns.index(dimension) if dimension in result.columns else 0
            values = [row[index] for row in result.rows]
            more = len(values) > cap
            source = f"queried from the warehouse through metric {via}"
        if search:
            needle = search.strip().lower()
            values = [v for v in values if needle in str(v).lower()]
        rows: list[tuple[Any, ...]] = [
            (v, ", ".join(aliases.get(v, [])) if isinstance(aliases, dict) else "") for v in values
        ]
        columns = [dimension, "aliases"] if isinstance(aliases, dict) else [dimension]
        rows = [r[: len(columns)] for r in rows]
        text = fmt.to_csv(columns, rows, max_rows=cap, more=more, rows_arg="max_values")
        return f"{text}\n# source: {source}"

    def _all_dimensions(self) -> list[DimensionInfo]:
        """Every group-by name some metric can use (``Project.dimensions()`` keeps only shared ones)."""
        if self._dims is None:
            seen: dict[str, DimensionInfo] = {}
            for m in self.project.metrics():
                for info in self.project.dimensions(m.name):
                    seen.setdefault(info.name, info)
            self._dims = sorted(seen.values(), key=lambda d: d.name)
        return self._dims

    def _dimension(self, dimension: str, metric: str | None) -> DimensionInfo:
        infos = self.project.dimensions(metric) if metric else self._all_dimensions()
        for info in infos:
            if info.name == dimension:
                return info
        context = f" for metric '{metric}'" if metric else ""
        raise UnknownNameError("dimension", dimension, [i.name for i in infos], context=context)

    def _metric_for(self, dimension: str, home: str) -> str:
        """A cheap metric that reaches ``dimension``: one on the dimension's own table (so every value
        shows), then simple and additive ones.
        """
        if dimension in self._value_metric:
            return self._value_metric[dimension]

        def rank(m: Metric) -> tuple[bool, int, str]:
            return (home not in self.project.source_models(m.name), *self._cost(m))

        for m in sorted(self.project.metrics(), key=rank):
            if any(d.name == dimension for d in self.project.dimensions(m.name)):
                self._value_metric[dimension] = m.name
                return m.name
        raise QueryError(
            f"no metric reaches dimension '{dimension}', so its values cannot be queried",
            hint="Declare them in the dimension's config.meta.values.",
        )

    def _cost(self, m: Metric) -> tuple[int, str]:
        if m.type is not MetricType.SIMPLE or m.measure is None:
            return (3, m.name)
        measure = self.project.model.measures.get(m.measure.name)
        if m.filter or (measure is not None and measure.non_additive is not None):
            return (2, m.name)
        return (0 if measure is not None and measure.agg.value == "count" else 1, m.name)


def _haystack(m: Metric) -> str:
    return " ".join([m.name, m.label, m.description, _definition(m), *m.synonyms]).lower()


def _definition(m: Metric) -> str:
    return str(m.meta.get("definition") or m.description or "").strip()


def _formula(m: Metric) -> str | None:
    if m.measure is not None:
        return f"measure {m.measure.name}"
    if m.numerator is not None and m.denominator is not None:
        return f"{m.numerator.name} / {m.denominator.name}"
    if m.expr:
        return f"{m.expr} with " + ", ".join(f"{i.alias}={i.name}" if i.alias else i.name for i in m.inputs)
    if m.conversion is not None:
        return f"conversion {m.conversion.base_measure.name} → {m.conversion.conversion_measure.name}"
    return None
