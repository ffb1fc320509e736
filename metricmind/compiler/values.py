"""SQL that lists the distinct values of categorical dimensions (pure: the caller runs it).

Used to teach the question resolver the values a catalog does not declare in ``meta.values``
(campaign names, for instance): ``SELECT DISTINCT CAST(expr AS VARCHAR) … LIMIT n`` per dimension.
"""

from __future__ import annotations

from sqlglot import exp

from metricmind.compiler.dialects import Dialect, table
from metricmind.compiler.source import parse_expr
from metricmind.spec.model import Model
from metricmind.spec.names import SEP

FLAG_PREFIXES = ("is_", "was_", "has_", "had_")


def distinct_values_sql(model: Model, dialect: Dialect, limit: int) -> dict[str, str]:
    """``{dimension name: SQL}`` for categorical dimensions without declared values (flags skipped).

    Each statement returns at most ``limit + 1`` rows, so a caller can tell a short list from a long one.
    """
    out: dict[str, str] = {}
    for sm in model.semantic_models.values():
        primary = sm.primary
        if not primary:
            continue
        for d in sm.dimensions:
            if d.type != "categorical" or d.name.startswith(FLAG_PREFIXES) or d.meta.get("values"):
                continue
            value = parse_expr(d.expr, dialect, f"dimension '{d.name}'")
            select = (
                exp.select(exp.cast(value.copy(), exp.DataType.build("varchar"), copy=False).as_("v"))
                .distinct()
                .from_(table(sm.relation, dialect.sqlglot))
                .where(exp.Not(this=exp.Is(this=value, expression=exp.Null())))
                .limit(limit + 1)
            )
            out[f"{primary}{SEP}{d.name}"] = select.sql(dialect=dialect.sqlglot)
    return out
