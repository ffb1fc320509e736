"""Two columns of the source's table compared in the definition itself ("Invoices paid after their due
date, by payment month", "count(invoice_id) where paid_at > due_at") that the proposed metric does not
compare.

Rules comparing two columns are read by ``pairs.py``; the same words in the definition were read only for
their values ("paid": is_paid), so the metric counted every paid invoice, late or not: a confident wrong
number. After the proposal is built, each table its SQL reads is checked: when the definition compares two
of its columns (the words of ``pairs.py``, or a SQL operator between two column names) and the compiled
SQL compares no such pair, the definition is marked unread and the person is asked to say it as a rule.
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp

from metricmind.define.pairs import pair_reading
from metricmind.define.proposal import Proposal, RuleReading
from metricmind.spec.model import Model

#: ``paid_at > due_at``, ``ended_at <= trial_ends_at``: two names around a comparison operator.
_SQL_PAIR = re.compile(r"\b([a-z][a-z0-9_]*)\s*(<=|>=|<|>)\s*([a-z][a-z0-9_]*)\b", re.IGNORECASE)
_COMPARISONS = (exp.GT, exp.GTE, exp.LT, exp.LTE)


def said_pair(text: str, relation: str, columns: dict[str, str], model: Model) -> tuple[str, str] | None:
    """The two columns of ``relation`` the definition compares, else None."""
    for left, _, right in _SQL_PAIR.findall(text):
        if left.lower() in columns and right.lower() in columns and left.lower() != right.lower():
            return left.lower(), right.lower()
    low = text.lower()
    read = pair_reading(text, low, relation, columns, model, False)
    if read is None:
        return None
    found = sorted({c.name for c in exp.condition(read[1]).find_all(exp.Column)})
    return (found[0], found[1]) if len(found) == 2 else None


def _compared(tree: exp.Expr) -> set[frozenset[str]]:
    out: set[frozenset[str]] = set()
    for node in tree.find_all(*_COMPARISONS):
        names = frozenset(c.name.lower() for c in node.find_all(exp.Column))
        if len(names) == 2:
            out.add(names)
    return out


def flag_unapplied_pair(
    proposal: Proposal,
    model: Model,
    text: str,
    dialect: str,
    columns: dict[str, dict[str, str]] | None,
) -> None:
    """An unread item when the definition compares two columns the proposed metric never compares."""
    if proposal.metric is None or proposal.refused or not proposal.preview_sql or not columns:
        return
    sqls = [proposal.preview_sql] + ([proposal.new_model.sql] if proposal.new_model is not None else [])
    compared: set[frozenset[str]] = set()
    relations: set[str] = set()
    for sql in sqls:
        try:
            tree = sqlglot.parse_one(sql, read=dialect)
        except sqlglot.errors.ParseError:
            return
        compared |= _compared(tree)
        relations |= {f"{t.db}.{t.name}" if t.db else t.name for t in tree.find_all(exp.Table)}
    compared |= {  # a new measure's own expression ("case when paid_at > due_at then 1 end")
        frozenset(c.name.lower() for c in node.find_all(exp.Column))
        for nm in proposal.new_measures
        for node in _parsed(str(nm.measure.get("expr") or ""), dialect).find_all(*_COMPARISONS)
    }
    for relation in sorted(relations):
        cols = columns.get(relation) or {}
        pair = said_pair(text, relation, cols, model) if cols else None
        if pair is None or frozenset(pair) in compared:
            continue
        proposal.rules.append(
            RuleReading(
                f"(in the definition) {text}",
                "unread",
                0.1,
                f"compares {pair[0]} with {pair[1]}, which the proposed metric never compares: it would count "
                "every row, not those the comparison keeps; say the comparison as a rule",
            )
        )
        return


def _parsed(expr: str, dialect: str) -> exp.Expr:
    try:
        return sqlglot.parse_one(expr, read=dialect) if expr.strip() else exp.Null()
    except sqlglot.errors.ParseError:
        return exp.Null()
