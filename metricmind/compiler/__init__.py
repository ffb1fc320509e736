"""MetricQuery + model → Plan → sqlglot AST → SQL. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass

from metricmind.compiler.dialects import DIALECTS, Dialect, get
from metricmind.compiler.plan import Plan, Step, plan_query
from metricmind.spec.joingraph import JoinGraph
from metricmind.spec.model import Model
from metricmind.spec.query import MetricQuery


@dataclass(frozen=True)
class Compiled:
    """The SQL of one query in one dialect, with its plan and output columns."""

    sql: str
    dialect: str
    columns: tuple[str, ...]
    plan: Plan


class Compiler:
    """Compiles queries against one model; holds the join graph so paths are computed once."""

    def __init__(self, model: Model, max_hops: int = 4) -> None:
        self.model = model
        self.graph = JoinGraph(model, max_hops=max_hops)

    def plan(self, query: MetricQuery, dialect: str = "duckdb") -> Plan:
        """The plan of ``query`` (steps and final select) for ``dialect``."""
        return plan_query(self.model, self.graph, query, get(dialect))

    def compile(self, query: MetricQuery, dialect: str = "duckdb", *, pretty: bool = True) -> Compiled:
        """SQL for ``query`` in ``dialect``."""
        plan = self.plan(query, dialect)
        return Compiled(plan.sql(pretty=pretty), get(dialect).name, tuple(plan.columns), plan)


__all__ = ["DIALECTS", "Compiled", "Compiler", "Dialect", "Plan", "Step"]
