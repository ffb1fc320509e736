"""A date column the definition dates by, written as the column ("sum(refunded_amount) by refunded_at
month", "count(invoice_id) by issued_at"), that the proposed metric is not dated by.

A definition that names the month's column outright leaves no doubt which date buckets its rows. When the
proposal's SQL truncates another date to the month (a new measure on the model's default date, issued_at,
where the definition said refunded_at), its numbers are another metric's: the definition is marked unread
rather than answered with a confident wrong number. Only a column that is a time dimension of the catalog
(its name or expression) counts, and the check reads the compiled SQL itself (the dates it truncates).
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp

from metricmind.define.proposal import Proposal, RuleReading
from metricmind.spec.model import Model

#: "by refunded_at month", "by paid_at", "by the issued_at date": a column name (with an underscore).
_BY_COLUMN = re.compile(
    r"\bby\s+(?:the\s+|its\s+|their\s+)?(?P<column>[a-z][a-z0-9]*_[a-z0-9_]+)(?:\s+(?:month|date|day|week))?\b",
    re.IGNORECASE,
)


def said_columns(text: str, model: Model) -> set[str]:
    """The time dimensions' columns ``text`` dates by, named as columns ("by refunded_at month")."""
    times = {
        (d.expr or d.name).lower()
        for sm in model.semantic_models.values()
        for d in sm.dimensions
        if d.type == "time"
    }
    times |= {
        d.name.lower() for sm in model.semantic_models.values() for d in sm.dimensions if d.type == "time"
    }
    head = re.split(r",?\s+\bnot\b", text)[0]  # "by paid_at, not issued_at": the date not meant
    return {m.group("column").lower() for m in _BY_COLUMN.finditer(head)} & times


def truncated(sql: str, dialect: str) -> set[str] | None:
    """The columns the SQL truncates to a period (None when it does not parse)."""
    try:
        tree = sqlglot.parse_one(sql, read=dialect)
    except sqlglot.errors.ParseError:
        return None
    found = tree.find_all(exp.DateTrunc, exp.TimestampTrunc, exp.DatetimeTrunc)
    return {c.name.lower() for node in found for c in node.find_all(exp.Column)}


def flag_undated_column(proposal: Proposal, model: Model, text: str, dialect: str) -> None:
    """An unread item when the definition dates by a column the proposed metric is not dated by."""
    if proposal.metric is None or proposal.refused or not proposal.preview_sql:
        return
    said = said_columns(text, model)
    if len(said) != 1:
        return
    used = truncated(proposal.preview_sql, dialect)
    if used is None or not used or said <= used:
        return
    column = next(iter(said))
    proposal.rules.append(
        RuleReading(
            f"(in the definition) {text}",
            "unread",
            0.1,
            f"dates the metric by {column}, but the proposed metric is dated by {', '.join(sorted(used))}; "
            f"say it as a rule ('Month by {column}') or choose a measure dated by it",
        )
    )
