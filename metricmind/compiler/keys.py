"""SQL that proves the join keys are keys (pure: the caller runs it).

Every many-to-one join trusts that a ``primary`` or ``unique`` entity appears at most once in its
semantic model (a ``natural`` one at most once per validity start): a repeated key would count a row
once per repetition, silently. ``metricmind validate --warehouse`` runs these statements; each returns
up to three repeated keys with their count, and no rows when the key is one.
"""

from __future__ import annotations

from sqlglot import exp

from metricmind.compiler.dialects import Dialect, table
from metricmind.compiler.source import parse_expr
from metricmind.spec.joingraph import join_key
from metricmind.spec.model import EntityType, Model


def repeated_keys_sql(model: Model, dialect: Dialect) -> dict[tuple[str, str], str]:
    """``{(semantic model, entity): SQL}`` for every entity the join graph joins to as a key."""
    out: dict[tuple[str, str], str] = {}
    for sm in model.semantic_models.values():
        for entity in sm.entities:
            if not join_key(sm, entity):
                continue
            key = parse_expr(entity.expr, dialect, f"entity '{entity.name}'")
            parts = [key]
            if entity.type is EntityType.NATURAL and sm.validity is not None:
                parts.append(parse_expr(sm.validity[0].expr, dialect, f"dimension '{sm.validity[0].name}'"))
            select = (
                exp.select(
                    exp.cast(key.copy(), exp.DataType.build("varchar"), copy=False).as_("k"),
                    exp.Count(this=exp.Star()).as_("n"),
                )
                .from_(table(sm.relation, dialect.sqlglot))
                .where(exp.Not(this=exp.Is(this=key.copy(), expression=exp.Null())))
                .group_by(*(p.copy() for p in parts))
                .having(exp.GT(this=exp.Count(this=exp.Star()), expression=exp.Literal.number(1)))
                .limit(3)
            )
            out[(sm.name, entity.name)] = select.sql(dialect=dialect.sqlglot)
    return out
