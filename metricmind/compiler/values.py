"""SQL that lists the distinct values of categorical dimensions (pure: the caller runs it).

Used to teach the question resolver the values a catalog does not declare in ``meta.values``
(campaign names, for instance): ``SELECT DISTINCT CAST(expr AS VARCHAR) … LIMIT n`` per dimension.
"""

from __future__ import annotations

from sqlglot import exp

from metricmind.compiler.dialects import Dialect, table
from metricmind.compiler.source import parse_expr
from metricmind.errors import QueryError, UnknownNameError
from metricmind.spec.model import Dimension, EntityType, Model, SemanticModel
from metricmind.spec.names import SEP

FLAG_PREFIXES = ("is_", "was_", "has_", "had_")


def distinct_values_sql(model: Model, dialect: Dialect, limit: int) -> dict[str, str]:
    """``{dimension name: SQL}`` for categorical dimensions without declared values (flags skipped), and
    ``{entity: SQL}`` for the key of a semantic model of dimensions only and no ``name`` dimension (a lookup
    table such as hubs, whose codes people say).

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
            out[f"{primary}{SEP}{d.name}"] = _distinct(sm, d, dialect, limit)
        key = next((e for e in sm.entities if e.name == primary), None)
        named = any(d.name == "name" for d in sm.dimensions)
        if key is not None and sm.dimensions and not sm.measures and not named:
            # a lookup table's key is a code people say ("hubs RTM and AMSW"), unless a name column says it:
            # listed under the entity's name
            out[primary] = _distinct(
                sm, Dimension(name=primary, type="categorical", expr=key.expr), dialect, limit
            )
    return out


def _distinct(
    sm: SemanticModel,
    dim: Dimension,
    dialect: Dialect,
    limit: int,
    *,
    contains: str = "",
    ordered: bool = False,
) -> str:
    """``SELECT DISTINCT CAST(expr AS VARCHAR) AS v`` of one dimension, NULLs left out, at most ``limit + 1``
    rows; only values containing ``contains`` (any case, as a string literal) when given; sorted when asked.
    """
    value = parse_expr(dim.expr, dialect, f"dimension '{dim.name}'")
    text = exp.cast(value.copy(), exp.DataType.build("varchar"), copy=False)
    where: exp.Condition = exp.Not(this=exp.Is(this=value, expression=exp.Null()))
    if contains.strip():
        found = exp.StrPosition(
            this=exp.Lower(this=text.copy()), substr=exp.Lower(this=exp.Literal.string(contains.strip()))
        )
        where = exp.and_(where, exp.GT(this=found, expression=exp.Literal.number(0)))
    select = exp.select(text.as_("v")).distinct().from_(table(sm.relation, dialect.sqlglot)).where(where)
    if ordered:
        select = select.order_by(exp.column("v"))
    return select.limit(limit + 1).sql(dialect=dialect.sqlglot)


def dimension_values_sql(
    model: Model, dialect: Dialect, name: str, *, contains: str = "", limit: int = 100
) -> str:
    """SQL listing the distinct values of one categorical dimension (``customer__segment``, or a path such as
    ``subscription__customer__segment``), sorted, optionally only those containing ``contains`` (any case),
    at most ``limit + 1`` rows (so a caller can say there are more).

    The typed text becomes a string literal in the sqlglot tree, never SQL text.
    """
    parts = name.strip().lower().split(SEP)
    entity, dim_name = (parts[-2], parts[-1]) if len(parts) >= 2 else ("", parts[-1])
    known: dict[str, SemanticModel] = {}
    for sm in model.semantic_models.values():
        for e in sm.entities:
            if e.type is EntityType.FOREIGN and e.name != sm.primary:
                continue
            for d in sm.dimensions:
                known.setdefault(f"{e.name}{SEP}{d.name}", sm)
        if sm.primary:
            for d in sm.dimensions:
                known.setdefault(f"{sm.primary}{SEP}{d.name}", sm)
    key = f"{entity}{SEP}{dim_name}"
    if key not in known:
        raise UnknownNameError("dimension", name, known)
    sm = known[key]
    dim = sm.dimension(dim_name)
    assert dim is not None  # known holds only models that have it
    if dim.is_time:
        raise QueryError(
            f"'{name}' is a time dimension: it has no list of values",
            hint="Filter time with the date range (start, end) instead.",
        )
    return _distinct(sm, dim, dialect, limit, contains=contains, ordered=True)
