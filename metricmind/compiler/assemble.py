"""The last stage of a plan: the steps' rows combined into one row per group, the metric expressions on
top, then order and limit. A query answered by one scan is emitted as that scan's single flat ``SELECT``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp

from metricmind.compiler.dialects import Dialect, cte, natural_window_nulls, quote_reserved, with_cte
from metricmind.compiler.resolve import Request
from metricmind.errors import UnknownNameError


@dataclass(frozen=True)
class Step:
    """One named step of a plan (a CTE), with what it computes in words."""

    name: str
    kind: str
    description: str
    select: exp.Select


@dataclass
class Plan:
    """The steps of a compiled query and the final ``SELECT``."""

    request: Request
    steps: list[Step] = field(default_factory=list)
    final: exp.Select | None = None
    columns: list[str] = field(default_factory=list)
    _ast: exp.Select | None = field(default=None, repr=False)
    _rendered: bool = field(default=False, repr=False)

    def ast(self) -> exp.Select:
        """The whole query as one sqlglot expression (built once; treat it as read-only)."""
        if self._ast is None:
            assert self.final is not None
            final = self.final
            for step in self.steps:
                step.select.add_comments([step.description])
                final = with_cte(final, step.name, step.select)
            self._ast = final
        return self._ast

    def sql(self, dialect: Dialect | None = None, *, pretty: bool = True) -> str:
        """The SQL text for ``dialect`` (default: the one the plan was built for)."""
        d = dialect or self.request.dialect
        if not d.window_null_ordering:
            tree = natural_window_nulls(self.ast().copy(), d.sqlglot)
            return tree.sql(dialect=d.sqlglot, pretty=pretty, copy=False)
        if d.quote_reserved:
            return quote_reserved(d, self.ast().copy()).sql(dialect=d.sqlglot, pretty=pretty, copy=False)
        first = not self._rendered
        self._rendered = True
        # Rendering may transform the tree in place for some dialects: only the first render may skip the copy.
        return self.ast().sql(dialect=d.sqlglot, pretty=pretty, copy=not first)


class Assembler:
    """Builds the final ``SELECT`` of a plan from its steps and which step holds which metric column."""

    def __init__(self, req: Request, steps: list[Step], outputs: list[tuple[str, list[str]]]) -> None:
        self.req = req
        self.steps = steps
        self.outputs = outputs  # (step name, leaf aliases it provides)

    def finish(self) -> Plan:
        """The plan: its steps (none when one scan answers) and the final ``SELECT``."""
        req = self.req
        plan = Plan(req, columns=[i.column for i in req.items] + [name for name, _ in req.outputs])
        keys = [exp.column(i.column) for i in req.items]
        metrics = list(req.outputs)
        if len(self.outputs) == 1 and len(self.steps) == 1 and self.steps[0].kind == "scan":
            final = self._flatten(self.steps[0].select, metrics)
            plan.steps = []
        else:
            plan.steps = self.steps
            final = exp.select(*keys, *(exp.alias_(e, n, copy=False) for n, e in metrics)).from_(
                self._combined(), copy=False
            )
        final = self._order(final, plan.columns)
        if req.query.limit is not None:
            final = final.limit(req.query.limit, copy=False)
        plan.final = final
        return plan

    def _flatten(self, scan: exp.Select, metrics: list[tuple[str, exp.Expr]]) -> exp.Select:
        """One scan: put the metric expressions straight into its SELECT."""
        n_keys = len(self.req.items)
        aggregates = {
            e.alias_or_name: e.this if isinstance(e, exp.Alias) else e for e in scan.expressions[n_keys:]
        }
        out = scan  # the scan step is not kept in the plan: reuse its tree
        exprs = list(out.expressions[:n_keys])
        for name, e in metrics:
            exprs.append(exp.alias_(substitute(e, aggregates), name, copy=False))
        out.set("expressions", exprs)
        return out

    def _combined(self) -> exp.Expr:
        """One row per group: the union of every step's rows, grouped on the group-by columns."""
        all_aliases = [a for _, aliases in self.outputs for a in aliases]
        keys = [i.column for i in self.req.items]
        if len(self.outputs) == 1:
            return cte(self.outputs[0][0])
        owner = {a: step for step, aliases in self.outputs for a in aliases}
        parts = []
        for i, (step, aliases) in enumerate(self.outputs):
            # The first branch fixes each column's type (typed NULLs); later NULLs take that type.
            cols = [exp.column(k) for k in keys] + [
                exp.column(a)
                if a in aliases
                else exp.alias_(typed_null(a, owner[a]) if i == 0 else exp.Null(), a, copy=False)
                for a in all_aliases
            ]
            parts.append(exp.select(*cols).from_(cte(step), copy=False))
        union: exp.Query = parts[0]
        for part in parts[1:]:
            union = exp.union(union, part, distinct=False, copy=False)
        grouped = exp.select(
            *(exp.column(k) for k in keys),
            *(exp.alias_(exp.Max(this=exp.column(a)), a, copy=False) for a in all_aliases),
        ).from_(union.subquery("u", copy=False))
        if keys:
            grouped = grouped.group_by(*(exp.column(k) for k in keys), copy=False)
        self.steps.append(Step("combined", "combine", "Combine: one row per group across all steps", grouped))
        return cte("combined")

    def _order(self, final: exp.Select, columns: list[str]) -> exp.Select:
        order = self.req.query.order_by
        if not order:
            n = len(self.req.items)
            return final.order_by(*(exp.Literal.number(i + 1) for i in range(n)), copy=False) if n else final
        by_name = {c: c for c in columns}
        for item in self.req.items:
            by_name.setdefault(item.ref.name, item.column)
            by_name.setdefault(item.column.rsplit("__", 1)[0], item.column)
        terms = []
        for o in order:
            column = by_name.get(o.name)
            if column is None:
                raise UnknownNameError(
                    "order-by column",
                    o.name,
                    columns,
                    context=" (order by a requested metric or group-by item)",
                )
            terms.append(exp.Ordered(this=exp.column(column), desc=o.desc, nulls_first=False))
        return final.order_by(*terms, copy=False)


def typed_null(column: str, step: str) -> exp.Expr:
    """A NULL of the type of ``column`` of step ``step``: ``(SELECT column FROM step WHERE FALSE)``.

    The placeholders of the other steps' columns in the first ``UNION ALL`` branch. A bare ``NULL``
    has no type: PostgreSQL resolves ``a UNION b UNION c`` as ``(a UNION b) UNION c`` and types two
    bare NULLs meeting there as ``text``, which then cannot meet the ``bigint`` of a count (three or
    more steps). With every column typed in the first branch, each union step meets a typed column,
    and the later branches' NULLs take its type. A scalar subquery over no rows is NULL with the
    column's own type in every dialect, whatever the warehouse's column types are; typing only the
    first branch keeps the SQL (and the compile time) linear in the number of steps.
    """
    inner = exp.Select(expressions=[exp.column(column)]).from_(cte(step), copy=False)
    return exp.Subquery(this=inner.where(exp.false(), copy=False))


def substitute(node: exp.Expr, values: dict[str, exp.Expr]) -> exp.Expr:
    """``node`` with each unqualified column named in ``values`` replaced by (a copy of) its value."""

    def swap(n: exp.Expr) -> exp.Expr:
        if isinstance(n, exp.Column) and not n.table and n.name in values:
            return values[n.name].copy()
        return n

    return node.transform(swap, copy=True)


__all__ = ["Assembler", "Plan", "Step", "substitute", "typed_null"]
