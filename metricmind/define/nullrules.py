"""Rules saying what a missing value means: "Null refunded_amount means 0", "Null refunded_at means no
refund", "paid_at null means not paid".

Such a rule keeps or drops nothing by itself; whether the metric already honours it depends on how the
compiled SQL uses the column, so it is read after the proposal is built, from that SQL:

- a number whose null means 0 (``0``, ``zero``, ``nothing``) is honoured when every use of the column is
  the direct argument of a SUM (a sum skips a null as it would add a 0); used any other way (an average,
  ``amount - refunded_amount`` inside the sum, a comparison) a null is not a 0, and the rule stays unread;
- a date whose null means the event did not happen ("no refund", "not paid") is honoured when the metric
  is dated by that column (a row without the date falls in no period).

Anything else stays unread.
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp

from metricmind.define.proposal import Proposal, RuleReading

#: "Null refunded_amount means 0", "A null refunded_at means no refund", "paid_at null means not paid",
#: "refunded_amount is null means 0": one column, one meaning, nothing else.
_NULL = re.compile(
    r"^\s*(?:(?:an?\s+)?null\s+(?P<a>[a-z][a-z0-9_]*)|(?P<b>[a-z][a-z0-9_]*)\s+(?:is\s+)?null)\s+"
    r"(?:means|=|counts as|is treated as|is read as)\s+(?P<what>[a-z0-9 ]+?)\s*\.?\s*$",
    re.IGNORECASE,
)
_ZERO = frozenset({"0", "zero", "nothing", "0 dollars", "no amount"})
_NONE = re.compile(r"^(?:no|not|never)\b")
COVERED = 0.8


def null_rule(text: str) -> tuple[str, str] | None:
    """(column, "zero" | "none") of a rule saying what a missing value means, else None.

    >>> null_rule("Null refunded_amount means 0")
    ('refunded_amount', 'zero')
    >>> null_rule("paid_at null means not paid")
    ('paid_at', 'none')
    >>> null_rule("paid_at null means not paid; paid_at after the month's last day also counts") is None
    True
    """
    m = _NULL.match(text)
    if m is None:
        return None
    column = (m.group("a") or m.group("b")).lower()
    what = m.group("what").lower().strip()
    if what in _ZERO:
        return column, "zero"
    if _NONE.match(what):
        return column, "none"
    return None


def _honoured(column: str, meaning: str, tree: exp.Expr) -> str | None:
    """Why the SQL honours the rule, else None."""
    uses = [c for c in tree.find_all(exp.Column) if c.name.lower() == column]
    if not uses:
        return None
    if meaning == "zero":
        if all(isinstance(c.parent, exp.Sum) for c in uses):
            return f"every use of {column} is summed, and a sum skips a null as it would add a 0"
        return None
    truncs = tree.find_all(exp.DateTrunc, exp.TimestampTrunc, exp.DatetimeTrunc)
    if any(c.name.lower() == column for node in truncs for c in node.find_all(exp.Column)):
        return f"the metric is dated by {column}: a row without it falls in no period"
    return None


def cover_null_rules(proposal: Proposal, dialect: str) -> None:
    """Each unread null rule (module docstring) the compiled SQL honours, read as covered."""
    if proposal.metric is None or proposal.refused or not proposal.preview_sql:
        return
    try:
        tree = sqlglot.parse_one(proposal.preview_sql, read=dialect)
    except sqlglot.errors.ParseError:
        return
    for i, r in enumerate(proposal.rules):
        said = null_rule(r.text) if r.status == "unread" else None
        why = _honoured(*said, tree) if said else None
        if why:
            proposal.rules[i] = RuleReading(r.text, "covered", COVERED, why)
