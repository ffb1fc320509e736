"""Validating a project: the YAML, then (deep) every metric compiled, then the warehouse itself."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from metricmind.compiler.keys import repeated_keys_sql
from metricmind.errors import (
    Issue,
    Level,
    MetricmindError,
)
from metricmind.spec.model import Grain
from metricmind.spec.names import METRIC_TIME, SEP
from metricmind.spec.query import MetricQuery

if TYPE_CHECKING:
    pass
from metricmind.project.running import RunMixin


class ValidationMixin(RunMixin):
    """``validate`` and its checks."""

    def validate(self, *, deep: bool = False, warehouse: bool = False) -> list[Issue]:
        """Every issue: the YAML checks; with ``deep``, compiling every metric and saved query and
        MetricFlow's own validator; with ``warehouse``, checking tables and columns and running each metric.
        """
        issues = list(self.issues)
        if any(i.level is Level.ERROR for i in issues):
            return issues
        if deep:
            issues += self._compile_checks()
            schema = str(self.setting("warehouse.schema") or "main")
            from metricmind.spec import compat  # dbt-semantic-interfaces only for --deep

            issues += compat.check(self.root, self.model, schema)
        if warehouse:
            issues += self._warehouse_checks()
        return issues

    def _compile_checks(self) -> list[Issue]:
        out: list[Issue] = []
        for m in self.model.metrics.values():
            grain = (self.model.min_grain(m.name) or Grain.DAY).value
            for group_by in ([], [f"{METRIC_TIME}{SEP}{grain}"]):
                try:
                    self.compile(MetricQuery.build(m.name, group_by), pretty=False)
                except MetricmindError as exc:
                    if not group_by and "need metric_time" in exc.message:
                        continue
                    out.append(
                        Issue(
                            Level.ERROR,
                            f"metric '{m.name}' does not compile: {exc.message}",
                            m.file,
                            m.line,
                            exc.hint,
                            "compile",
                        )
                    )
                    break
        for sq in self.model.saved_queries.values():
            try:
                self.compile(self.saved_query(sq.name), pretty=False)
            except MetricmindError as exc:
                out.append(
                    Issue(
                        Level.ERROR,
                        f"saved query '{sq.name}' does not compile: {exc.message}",
                        sq.file,
                        sq.line,
                        exc.hint,
                        "compile",
                    )
                )
        return out

    def _warehouse_checks(self) -> list[Issue]:
        out: list[Issue] = []
        try:
            tables = {t.qualified.lower(): t for t in self.warehouse.tables()}
        except MetricmindError as exc:
            return [
                Issue(
                    Level.ERROR, f"cannot read the warehouse: {exc.message}", hint=exc.hint, code="warehouse"
                )
            ]
        for sm in self.model.semantic_models.values():
            key = sm.relation.lower() if "." in sm.relation else f"main.{sm.relation.lower()}"
            table = tables.get(key)
            if table is None:
                out.append(
                    Issue(
                        Level.ERROR,
                        f"semantic model '{sm.name}': table {sm.relation} is not in the warehouse",
                        sm.file,
                        sm.line,
                        "build the dbt model first, or fix `model:`",
                        "warehouse",
                    )
                )
        out += self._key_checks(tables)
        for m in self.model.metrics.values():
            group_by = [f"{METRIC_TIME}{SEP}{(self.model.min_grain(m.name) or Grain.DAY).value}"]
            try:
                sql = self.compile(MetricQuery.build(m.name, group_by), pretty=False)
                self.warehouse.run(f"SELECT * FROM ({sql}) AS q LIMIT 1")
            except MetricmindError as exc:
                out.append(
                    Issue(
                        Level.ERROR,
                        f"metric '{m.name}' fails in the warehouse: {exc.message}",
                        m.file,
                        m.line,
                        exc.hint,
                        "warehouse",
                    )
                )
        return out

    def _key_checks(self, tables: dict[str, Any]) -> list[Issue]:
        """Every entity joined to as a key must be one in the warehouse, or joins count rows twice."""
        out: list[Issue] = []
        for (name, entity), sql in repeated_keys_sql(self.model, self.compiler_dialect()).items():
            sm = self.model.semantic_models[name]
            key = sm.relation.lower() if "." in sm.relation else f"main.{sm.relation.lower()}"
            if key not in tables:
                continue  # reported above
            try:
                rows = self.warehouse.run(sql).rows
            except MetricmindError as exc:
                rows, failed = [], exc.message
            else:
                failed = ""
            e = sm.entity(entity)
            kind = e.type.value if e is not None else "key"
            if failed:
                out.append(
                    Issue(
                        Level.ERROR,
                        f"semantic model '{name}': cannot check entity '{entity}': {failed}",
                        sm.file,
                        sm.line,
                        code="warehouse",
                    )
                )
            elif rows:
                examples = ", ".join(f"{k!r} ({n} rows)" for k, n in rows)
                out.append(
                    Issue(
                        Level.ERROR,
                        f"semantic model '{name}': {kind} entity '{entity}' repeats in {sm.relation}: "
                        f"{examples}; every join to it would count a row once per repetition",
                        sm.file,
                        sm.line,
                        "Make the table one row per key, or declare the entity foreign (or natural, with "
                        "validity_params on a slowly changing dimension).",
                        "warehouse",
                    )
                )
        return out
