"""Rules over a warehouse column of the source's table that is no catalog dimension.

A canonical dataset often holds columns the semantic model does not declare as dimensions (a cancellation
type, a currency, a touch's campaign). A rule naming one of their values ("Only voluntary cancellations")
is read through the table's actual columns and values, read once from the warehouse (``table_values``):
only text columns with few distinct values are considered, every identifier and value goes through
sqlglot, and values are quoted as literals. The predicate (``cancellation_type = 'voluntary'``) cannot be a
``{{ Dimension() }}`` filter, so it goes into the measure: ``wrap`` makes a new measure on the same
semantic model whose expression is ``case when <predicate> then <expr> end`` (null rows count nothing in
``sum``, ``count``, ``count_distinct`` and ``average``). The reading's reason says that the column is not a
catalog dimension, and its confidence stays below ``CONFIDENT``: a person checks it.
"""

from __future__ import annotations

import re
from typing import Any

import sqlglot
from sqlglot import exp

from metricmind.define.everyvalue import group, spans, splits, unknown_names
from metricmind.define.extend import extend
from metricmind.define.proposal import NewMeasure, NewModel, Proposal, RuleReading
from metricmind.define.rulevalues import Read
from metricmind.define.words import stems
from metricmind.errors import MetricmindError
from metricmind.spec.model import Measure, Model

#: The most distinct values a column may hold to be read as a list of values.
MAX_VALUES = 40
#: The confidence of a filter on a column that is no catalog dimension.
COLUMN_CONFIDENCE = 0.75
_TEXT = re.compile(r"^(VARCHAR|TEXT|STRING|CHAR|CHARACTER VARYING|CHARACTER)\b", re.IGNORECASE)
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

TableValues = dict[str, dict[str, tuple[str, ...]]]


def _declared(model: Model, relation: str) -> set[str]:
    """The columns of ``relation`` the catalog already names with their values (dimensions, entities); a
    categorical dimension that declares no values (``touchpoint__campaign``) is read like a column.
    """
    out: set[str] = set()
    for sm in model.semantic_models.values():
        if sm.relation != relation:
            continue
        for d in sm.dimensions:
            if d.type != "categorical" or d.meta.get("values"):
                out |= {d.expr or d.name, d.name}
        out |= {e.expr or e.name for e in sm.entities}
    return out


def table_values(warehouse: Any, model: Model, columns: dict[str, dict[str, str]] | None) -> TableValues:
    """The distinct values of each text column of a semantic model's table that is no dimension, with at
    most ``MAX_VALUES`` values: ``{relation: {column: values}}``. Built with sqlglot (identifiers quoted).
    """
    out: TableValues = {}
    if not columns:
        return out
    for relation in sorted({sm.relation for sm in model.semantic_models.values()}):
        cols = columns.get(relation)
        if not cols:
            continue
        declared = _declared(model, relation)
        for column, typ in sorted(cols.items()):
            if column in declared or not _TEXT.match(typ) or not _IDENT.match(column):
                continue
            table = exp.to_table(relation)
            query = (
                exp.select(exp.column(column, quoted=True))
                .distinct()
                .from_(table)
                .where(exp.column(column, quoted=True).is_(exp.null()).not_())
                .limit(MAX_VALUES + 1)
            )
            try:
                rows = warehouse.run(query.sql(dialect="duckdb")).rows
            except (MetricmindError, RuntimeError):  # a column that cannot be read is not offered
                continue
            values = tuple(sorted(str(r[0]) for r in rows if r[0] is not None))
            if 0 < len(values) <= MAX_VALUES:
                out.setdefault(relation, {})[column] = values
    return out


def _phrase(value: str) -> tuple[str, ...]:
    return stems(value.lower().replace("_", " ").replace("-", " "))


def _contains(words: tuple[str, ...], key: tuple[str, ...]) -> bool:
    n = len(key)
    return n > 0 and any(words[i : i + n] == key for i in range(len(words) - n + 1))


def column_words(values: TableValues) -> set[str]:
    """Every word of the values (known words of the definition: "voluntary" is a value of a column)."""
    return {w for cols in values.values() for vals in cols.values() for v in vals for w in _phrase(v)}


def find_column_values(
    words: tuple[str, ...], values: dict[str, tuple[str, ...]], raw: str = ""
) -> tuple[str, tuple[str, ...]] | None:
    """(column, values named) when ``words`` name values of exactly one column (longest phrases first; a
    value whose phrase lies inside a longer one found is not counted twice). A name ``raw`` writes as one
    identifier that is no value and no column (``personal_loan_plus``) is never read by a part of it.
    """
    said = {_phrase(v) for vals in values.values() for v in vals} | {_phrase(c) for c in values}
    unknown = unknown_names(raw, words, lambda p: p in said)
    hits: dict[str, list[str]] = {}
    for column, vals in values.items():
        keys = sorted(((_phrase(v), v) for v in vals), key=lambda kv: -len(kv[0]))
        taken: list[tuple[str, ...]] = []
        for key, value in keys:
            if len(key) == 1 and len(key[0]) < 3:
                continue
            spots = [i for i in range(len(words) - len(key) + 1) if words[i : i + len(key)] == key]
            if all(splits(i, len(key), unknown) for i in spots):
                continue
            if _contains(words, key) and not any(_contains(t, key) for t in taken):
                hits.setdefault(column, []).append(value)
                taken.append(key)
        for value in _group(words, column, vals):  # "all the roadshow campaigns": roadshow_2022, …
            if value not in hits.get(column, []):
                hits.setdefault(column, []).append(value)
    if len(hits) != 1:
        return None
    column, found = next(iter(hits.items()))
    return column, tuple(sorted(found))


def _group(words: tuple[str, ...], column: str, values: tuple[str, ...]) -> list[str]:
    """The values of ``column`` said by the words they share and the column's name ("all the roadshow
    campaigns": ``everyvalue.group``).
    """
    return [v for _, _, shared in spans(words, _phrase(column)) for v in group(shared, values)]


def column_predicate(column: str, values: tuple[str, ...], negative: bool) -> str:
    """The SQL predicate keeping (or dropping, nulls kept) ``values`` of ``column``, built by sqlglot."""
    col = exp.column(column)
    literals = [exp.Literal.string(v) for v in values]
    keep: exp.Condition = col.eq(literals[0]) if len(literals) == 1 else col.isin(*literals)
    if negative:
        keep = exp.or_(col.is_(exp.null()), exp.not_(keep))
    sql = keep.sql(dialect="duckdb")
    sqlglot.parse_one(sql, read="duckdb")  # round-trips: nothing but a column, literals and operators
    return sql


def column_reading(
    text: str, words: tuple[str, ...], negative: bool, relation: str, values: dict[str, tuple[str, ...]]
) -> tuple[RuleReading, str] | None:
    """A rule read as a filter on a column of ``relation`` that is no catalog dimension: (reading, SQL)."""
    found = find_column_values(words, values, text)
    if found is None:
        return None
    column, named = found
    sql = column_predicate(column, named, negative)
    verb = "drops" if negative else "keeps only"
    shown = ", ".join(repr(v) for v in named)
    reason = (
        f"{verb} {column} {'=' if len(named) == 1 else 'in'} {shown}: {column} is a column of {relation}, "
        "not a catalog dimension, so the filter goes into the measure's expression"
    )
    return RuleReading(text, "filter", COLUMN_CONFIDENCE, reason), sql


NUMERIC = re.compile(
    r"^(TINYINT|SMALLINT|INTEGER|INT|BIGINT|HUGEINT|DOUBLE|FLOAT|REAL|DECIMAL|NUMERIC)", re.I
)
#: A comparison of a number ("above zero", "at least 10", "positive"): (pattern, operator, default number).
COMPARISONS = (
    (
        re.compile(
            r"\b(?:above|over|more than|greater than|exceeds?|exceeding|higher than)\s+(zero|-?\d+(?:\.\d+)?)\b"
        ),
        ">",
    ),
    (re.compile(r"\bat least\s+(zero|-?\d+(?:\.\d+)?)\b"), ">="),
    (re.compile(r"\b(?:below|under|less than|lower than)\s+(zero|-?\d+(?:\.\d+)?)\b"), "<"),
    (re.compile(r"\bat most\s+(zero|-?\d+(?:\.\d+)?)\b"), "<="),
    (re.compile(r"\b(?:is )?(positive|non-?zero|not zero)\b"), ">"),
)


def numeric_columns(columns: dict[str, dict[str, str]] | None, relation: str) -> tuple[str, ...]:
    """The numeric columns of ``relation`` (from ``information_schema`` types)."""
    cols = (columns or {}).get(relation) or {}
    return tuple(sorted(c for c, t in cols.items() if NUMERIC.match(t) and _IDENT.match(c)))


def comparison_reading(
    text: str, low: str, relation: str, numeric: tuple[str, ...], negative: bool
) -> tuple[RuleReading, str] | None:
    """A rule comparing a numeric column of ``relation`` with a number ("a discount percentage above
    zero" → ``discount_pct > 0``): (reading, SQL built by sqlglot), or None.
    """
    from metricmind.define.termcolumns import (
        mentions,  # terms reads words only; imported here to keep it light
    )

    words = stems(low.replace("_", " ").replace("-", " "))
    named = sorted(((mentions(c, words), c) for c in numeric), reverse=True)
    if not named or named[0][0] == 0 or (len(named) > 1 and named[1][0] == named[0][0]):
        return None
    column = named[0][1]
    for pattern, op in COMPARISONS:
        m = pattern.search(low)
        if m is None:
            continue
        said = m.group(1)
        number = "0" if said in ("zero", "positive", "nonzero", "non-zero", "not zero") else said
        col, lit = exp.column(column), exp.Literal.number(number)
        ops = {">": exp.GT, ">=": exp.GTE, "<": exp.LT, "<=": exp.LTE}
        cmp = ops[op](this=col, expression=lit)
        sql = (exp.not_(cmp) if negative else cmp).sql(dialect="duckdb")
        reason = (
            f"keeps only {sql}: {column} is a column of {relation}, not a catalog dimension, so the filter "
            "goes into the measure's expression"
        )
        return RuleReading(text, "filter", COLUMN_CONFIDENCE, reason), sql
    return None


def wrapped_snapshot(snapshot: NewModel, measure: str, predicates: list[str]) -> NewModel:
    """``snapshot`` (a new month-end model, ``source.*`` per row and month) whose measure ``measure``
    aggregates only rows where ``predicates`` hold (columns of the source that are no dimension).
    """
    cond = " and ".join(f"({p})" for p in predicates) if len(predicates) > 1 else predicates[0]
    sem = dict(snapshot.semantic_model)
    sem["measures"] = [
        dict(m, expr=f"case when {cond} then {m.get('expr') or m['name']} end") if m["name"] == measure else m
        for m in sem["measures"]
    ]
    return NewModel(
        snapshot.name,
        snapshot.sql,
        sem,
        snapshot.materialization,
        snapshot.reason,
        snapshot.refs,
        snapshot.compiled_sql,
    )


def wrap(model: Model, measure: Measure, predicates: list[str], name: str, taken: set[str]) -> NewMeasure:
    """A new measure of ``measure``'s semantic model that aggregates only rows where ``predicates`` hold."""
    names = set(model.measures) | taken
    new = (
        name
        if name not in names
        else next(f"{name}_{i}" for i in range(2, 100) if f"{name}_{i}" not in names)
    )
    cond = " and ".join(f"({p})" for p in predicates) if len(predicates) > 1 else predicates[0]
    expr = measure.expr or measure.name
    item: dict[str, Any] = {
        "name": new,
        "description": f"{measure.name} where {cond}",
        "agg": measure.agg.value,
        "expr": f"case when {cond} then {expr} end",
        "agg_time_dimension": measure.agg_time_dimension,
    }
    if measure.non_additive is not None:
        item["non_additive_dimension"] = {
            "name": measure.non_additive.name,
            "window_choice": measure.non_additive.window_choice,
        }
    return NewMeasure(
        measure.semantic_model,
        item,
        f"`{measure.name}` only where {cond} (columns that are not catalog dimensions)",
        COLUMN_CONFIDENCE,
    )


def on_columns(model: Model, proposal: Proposal, reads: list[Read], main: Measure | None, name: str) -> Model:
    """The model the metric compiles on: with a new measure (``columns.wrap``) when rules filter columns
    of the source's table that are no dimension; such rules are unread when the metric is not simple.
    """
    filtered = [r for r in reads if r.column_sql]
    metric = proposal.metric
    if not filtered or metric is None:
        return model
    if main is None or metric.get("type") != "simple":
        unread = {r.reading.text for r in filtered}
        proposal.rules = [
            RuleReading(r.text, "unread", 0.1, f"{r.reason}; but the metric has no one measure to put it in")
            if r.text in unread
            else r
            for r in proposal.rules
        ]
        return model
    new = wrap(model, main, [str(r.column_sql) for r in filtered], name, set())
    proposal.new_measures = [*proposal.new_measures, new]
    metric["type_params"] = {"measure": new.measure["name"]}
    return extend(model, new_measures=[(new.semantic_model, new.measure)])
