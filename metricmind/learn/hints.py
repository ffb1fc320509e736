"""Optimizer hints: the optimization arm for dialects that have them (Spark and Databricks).

A compiled query reads a fact table and looks its dimensions up with many-to-one ``LEFT JOIN``s (the
compiler never joins along a fan-out). When the looked-up relation is small — a dimension table: the
relation of a semantic model whose primary entity another model references, or known to hold at most
``max_rows`` rows — Spark can ship it whole to every task (a broadcast hash join) instead of shuffling
both sides. :func:`broadcast` parses the compiled SQL with sqlglot, adds ``/*+ BROADCAST(alias) */``
to each ``SELECT`` whose ``FROM`` joins such a relation (a table, or a subquery over such tables: the
multi-hop lookups), and renders it again. Nothing else changes: a hint is a request to the planner,
never a change of meaning — and the learned path still verifies hinted answers against the plain plan
(:class:`metricmind.learn.safety.ArmGuard`) and bans the arm the first time they differ.

Which dialects: sqlglot renders query hints for Spark, Databricks, Hive, Oracle and MySQL only; it drops
them for Snowflake, BigQuery, Trino, DuckDB and PostgreSQL, which have no optimizer hints in their SQL
(Trino and BigQuery choose join distribution by session settings and statistics). metricmind offers
the arm where it runs the SQL with that syntax: :data:`DIALECTS`. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from metricmind.errors import MetricmindError
from metricmind.spec.model import EntityType, Model

#: Dialects whose SQL takes Spark's join hints (``/*+ BROADCAST(t) */``).
DIALECTS = ("spark", "databricks")
#: A relation known to hold at most this many rows is small enough to broadcast.
MAX_ROWS = 1_000_000
#: The join kinds whose joined (right) side Spark can broadcast: inner and left outer (semi, anti).
_BROADCASTABLE = ("", "INNER", "LEFT")


def supported(dialect: str | None) -> bool:
    """Whether the hint arm is offered for ``dialect``."""
    return (dialect or "").lower() in DIALECTS


def _name(table: exp.Table) -> str:
    """A table's qualified name, lower-cased (``catalog.schema.table``, as far as given)."""
    return ".".join(p.lower() for p in (table.catalog, table.db, table.name) if p)


def relation_name(relation: str, dialect: str) -> str:
    """A semantic model's relation as :func:`broadcast` compares it (parsed, lower-cased)."""
    return _name(exp.to_table(relation, dialect=dialect))


def small_relations(
    model: Model, dialect: str, rows: Mapping[str, int] | None = None, max_rows: int = MAX_ROWS
) -> frozenset[str]:
    """The relations small enough to broadcast.

    A relation whose row count is known (``rows``, by relation name) is small when it holds at most
    ``max_rows`` rows; otherwise when it is a dimension table: the relation of a semantic model with a
    primary entity that another semantic model joins to as a foreign entity (a many-to-one lookup).
    """
    referenced = {
        e.name for sm in model.semantic_models.values() for e in sm.entities if e.type is EntityType.FOREIGN
    }
    known = {relation_name(k, dialect): v for k, v in (rows or {}).items()}
    out: set[str] = set()
    for sm in model.semantic_models.values():
        name = relation_name(sm.relation, dialect)
        if name in known:
            if known[name] <= max_rows:
                out.add(name)
        elif sm.primary is not None and sm.primary in referenced:
            out.add(name)
    return frozenset(out)


@dataclass(frozen=True)
class Hinted:
    """A hinted query: its SQL and the aliases it asks Spark to broadcast."""

    sql: str
    broadcast: tuple[str, ...]


def _small(relation: exp.Expr, small: Collection[str]) -> bool:
    """Whether a joined relation reads only small tables (a table, or a subquery over them)."""
    if isinstance(relation, exp.Table):
        return _name(relation) in small
    if isinstance(relation, exp.Subquery):
        tables = list(relation.find_all(exp.Table))
        return bool(tables) and all(_name(t) in small for t in tables)
    return False


def _add_hint(select: exp.Select, aliases: list[str]) -> None:
    hints = [
        exp.JoinHint(this="BROADCAST", expressions=[exp.Table(this=exp.to_identifier(a))]) for a in aliases
    ]
    existing = select.args.get("hint")
    if isinstance(existing, exp.Hint):
        existing.set("expressions", [*existing.expressions, *hints])
    else:
        select.set("hint", exp.Hint(expressions=hints))


def broadcast(sql: str, dialect: str, small: Collection[str], *, pretty: bool = True) -> Hinted | None:
    """``sql`` with a ``BROADCAST`` hint for every joined relation that reads only ``small`` tables.

    Args:
        sql: A compiled query of ``dialect``.
        dialect: One of :data:`DIALECTS`.
        small: Relation names (:func:`relation_name`) small enough to broadcast.
        pretty: Render the result over several lines.

    Returns:
        The hinted SQL, or None when no join qualifies (the arm is not offered for this query).

    Raises:
        MetricmindError: A dialect without optimizer hints, or SQL that does not parse.
    """
    if not supported(dialect):
        raise MetricmindError(
            f"the {dialect!r} dialect has no optimizer hints",
            hint=f"The hint arm is offered only for: {', '.join(DIALECTS)}.",
        )
    try:
        tree = sqlglot.parse_one(sql, read=dialect)
    except ParseError as exc:
        raise MetricmindError(
            f"cannot read the query to hint: {exc}", hint="Hints apply to compiled SQL."
        ) from exc
    wanted: list[str] = []
    for select in list(tree.find_all(exp.Select)):
        aliases = []
        for join in select.args.get("joins") or []:
            side = (join.side or "").upper()
            kind = (join.kind or "").upper()
            if side not in _BROADCASTABLE or kind not in ("", "INNER", "OUTER", "SEMI", "ANTI"):
                continue
            relation = join.this
            alias = relation.alias_or_name
            if alias and _small(relation, small) and alias not in aliases:
                aliases.append(alias)
        if aliases:
            _add_hint(select, aliases)
            wanted.extend(aliases)
    if not wanted:
        return None
    return Hinted(tree.sql(dialect=dialect, pretty=pretty), tuple(wanted))


def strip(sql: str, dialect: str) -> exp.Expr:
    """``sql`` parsed, without its query hints (to compare a hinted query with its plain one)."""
    tree = sqlglot.parse_one(sql, read=dialect)
    for hint in list(tree.find_all(exp.Hint)):
        hint.pop()
    return tree
