"""The checks of ``define/audit.py`` that read only the proposal and its words (no model): a share's part
keeps the whole's filters, a closing clause qualifies every part, a rule for one side of a ratio, a
percentage with no scale; and the helpers the model checks share (the words said, a filter's predicates).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from metricmind.define.fit import structure
from metricmind.define.proposal import Proposal
from metricmind.define.rulevalues import contains
from metricmind.define.shape import join_filters
from metricmind.define.words import stems


@dataclass
class Finding:
    """What one check found: a doubt (lowering the confidence), or a correction made."""

    doubts: list[str] = field(default_factory=list)
    fixed: list[str] = field(default_factory=list)


def said_words(text: str) -> tuple[str, ...]:
    """The stems of ``text``, underscores and hyphens as spaces (a column's name said as words)."""
    return stems(text.lower().replace("-", " ").replace("_", " "))


def texts_of(proposal: Proposal) -> list[str]:
    """The definition and its rules, as analysed."""
    d = proposal.definition
    return [d.text, *d.rules]


def share_within_whole(proposal: Proposal, found: Finding) -> None:
    """A share of a whole ("share of EMEA invoices paid by card"): the numerator keeps the whole's filters."""
    metric = proposal.metric or {}
    params = metric.get("type_params") or {}
    num, den = params.get("numerator"), params.get("denominator")
    if metric.get("type") != "ratio" or not isinstance(num, dict) or not isinstance(den, dict):
        return
    shape = structure(proposal.definition)
    if shape is None or shape[0] != shape[1] or num.get("name") != den.get("name"):
        return  # not "share of X that Y" over one metric
    num_filter, den_filter = str(num.get("filter") or ""), str(den.get("filter") or "")
    if not den_filter or den_filter in num_filter:
        return
    num["filter"] = join_filters([f for f in (den_filter, num_filter) if f])
    found.fixed.append(
        f"a share of {shape[1]!r}: the numerator keeps the whole's rows ({den_filter}) as well as its own"
    )


PERCENT_WORD = re.compile(r"\bper ?cent(?:age)?s?\b|%", re.IGNORECASE)
FRACTION_SAID = re.compile(
    r"\b(?:fraction|decimal|0 (?:to|and|through) 1|zero (?:to|and) one)\b", re.IGNORECASE
)


def percentage_as_fraction(proposal: Proposal, found: Finding) -> None:
    """A ratio said "as a percentage" with no scale ("Paid invoices as a percentage of invoices issued"):
    it is a fraction (0-1), which a person may read as per cent (0-100): a doubt naming the scale.
    """
    metric = proposal.metric or {}
    texts = texts_of(proposal)
    if metric.get("type") != "ratio" or not any(PERCENT_WORD.search(t) for t in texts):
        return
    if any(FRACTION_SAID.search(t) for t in texts):
        return
    found.doubts.append(
        "the words say 'percentage' but no scale: the metric is a fraction from 0 to 1 (say 'from 0 to 100' "
        "for per cent)"
    )


def inputs_of(metric: dict[str, Any]) -> list[dict[str, Any]]:
    """The input items of a ratio (numerator, denominator) or a derived metric (its metrics)."""
    params = metric.get("type_params") or {}
    items = [params.get("numerator"), params.get("denominator"), *(params.get("metrics") or ())]
    return [i for i in items if isinstance(i, dict)]


def filter_parts(filter_sql: str) -> list[str]:
    """The predicates of a filter joined by ``join_filters`` ("(A) and (B)" → [A, B]); parentheses and
    quotes inside a predicate are kept whole.
    """
    if not filter_sql:
        return []
    pieces: list[str] = []
    depth, quoted, start, i = 0, False, 0, 0
    while i < len(filter_sql):
        ch = filter_sql[i]
        if ch == "'":
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
        elif not quoted and depth == 0 and filter_sql.startswith(" and ", i):
            pieces.append(filter_sql[start:i])
            start = i + len(" and ")
            i = start
            continue
        i += 1
    pieces.append(filter_sql[start:])
    if len(pieces) == 1:
        return [filter_sql]
    return [unwrap(p.strip()) for p in pieces]


def unwrap(piece: str) -> str:
    """``(A)`` → ``A`` when the parentheses enclose the whole piece."""
    if not (piece.startswith("(") and piece.endswith(")")):
        return piece
    depth = 0
    for n, ch in enumerate(piece):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and n < len(piece) - 1:
            return piece
    return piece[1:-1]


_LITERAL = re.compile(r"'((?:[^']|'')*)'")


def closing_clause_on_every_part(proposal: Proposal, found: Finding) -> None:
    """A clause after the definition's last comma qualifies every part ("Cash collected minus refunds, card
    only"), not the last one only: a filter whose values it names is added to the parts that lack it.
    """
    metric = proposal.metric or {}
    inputs = inputs_of(metric)
    text = proposal.definition.text
    if (
        len(inputs) < 2
        or "," not in text
        or structure(proposal.definition) is not None
        and metric.get("type") == "ratio"
        and share_shape(proposal)
    ):
        return
    tail = said_words(text.rsplit(",", 1)[1])
    if not tail:
        return
    preds = {unwrap(p) for i in inputs for p in filter_parts(str(i.get("filter") or ""))}
    for p in sorted(preds):
        values = _LITERAL.findall(re.sub(r"(?:Dimension|TimeDimension)\([^)]*\)", "", p))
        said = [said_words(v) for v in values if v not in ("true", "false")]
        if not said or not all(w and contains(tail, w) for w in said):
            continue
        lacking = [
            i
            for i in inputs
            if unwrap(p) not in {unwrap(q) for q in filter_parts(str(i.get("filter") or ""))}
        ]
        for i in lacking:
            i["filter"] = join_filters([f for f in (str(i.get("filter") or ""), p) if f])
        if lacking:
            found.fixed.append(f"the closing clause of the definition qualifies every part: {p} on each")


def share_shape(proposal: Proposal) -> bool:
    """The definition is a share of a whole ("share of X that Y": the numerator is the whole, qualified)."""
    shape = structure(proposal.definition)
    return shape is not None and shape[0] == shape[1]


ONE_SIDE = re.compile(
    r"\b(?:in|on|for|to) (?:the )?(?P<side>numerator|denominator)(?: only)?\b|"
    r"^\s*(?:only )?the (?P<subject>numerator|denominator) (?:is|are)\b",
    re.IGNORECASE,
)


def one_side_of_a_ratio(proposal: Proposal, found: Finding) -> None:
    """A rule for one side of a ratio ("Only EMEA customers in the numerator") filters that side only."""
    metric = proposal.metric or {}
    params = metric.get("type_params") or {}
    if metric.get("type") != "ratio":
        return
    for reading in proposal.rules:
        m = ONE_SIDE.search(reading.text)
        if (
            m is None
            or not reading.predicate
            or re.search(r"\bboth\b|\band\b.*\b(?:numerator|denominator)\b", reading.text, re.I)
        ):
            continue
        side = (m.group("side") or m.group("subject")).lower()
        other = params.get("denominator" if side == "numerator" else "numerator")
        if not isinstance(other, dict):
            continue
        kept = [
            p for p in filter_parts(str(other.get("filter") or "")) if unwrap(p) != unwrap(reading.predicate)
        ]
        if len(kept) == len(filter_parts(str(other.get("filter") or ""))):
            continue
        if kept:
            other["filter"] = join_filters(kept)
        else:
            other.pop("filter", None)
        found.fixed.append(f"rule {reading.text!r} applies to the {side} only")
