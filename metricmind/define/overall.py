"""A whole said after "over" ("Room revenue of Gold guests over all room revenue"): a share, whose
denominator is the whole. Without a head naming a ratio, "over" is not read as a division (it may be a
threshold: "invoices over $500"), and the metric proposed for such a text was the numerator alone, a
confident wrong number. When the text says "over all", "over the total" or "over every" and the proposed
metric divides by nothing, the proposal carries an unread item instead. Pure and deterministic.
"""

from __future__ import annotations

import re
from typing import Any

from metricmind.define.proposal import Proposal, RuleReading

#: "over all room revenue", "over the total billed", "over total bookings", "over every room night".
_OVER_WHOLE = re.compile(r"\bover\s+(?:all|the\s+total|total|every|the\s+whole)\b", re.IGNORECASE)
#: what follows "over every"/"over all" when it is the span an average runs over, not a whole to divide by:
#: "over every calendar day", "over all days of the month", "over the whole month", "over all time".
_SPAN = re.compile(
    r"\s+(?:(?:calendar|business|working|single|of\s+the)\s+)?(?:days?|weeks?|months?|quarters?|years?|hours?|time)\b",
    re.IGNORECASE,
)
UNREAD_OVER = 0.2


def _divides(item: dict[str, Any] | None) -> bool:
    if not item:
        return False
    tp = item.get("type_params") or {}
    return item.get("type") in ("ratio", "derived") or "numerator" in tp or "denominator" in tp


def flag_undivided_whole(proposal: Proposal) -> None:
    """Add an unread item when the definition divides "over" a whole and the metric divides by nothing.

    >>> from metricmind.define.proposal import Definition
    >>> p = Proposal(Definition("x", "Revenue of Gold guests over all room revenue"))
    >>> p.metric = {"type": "simple", "type_params": {"measure": "room_revenue_eur"}}
    >>> flag_undivided_whole(p)
    >>> [r.status for r in p.rules]
    ['unread']
    >>> q = Proposal(Definition("y", "Average daily active users in the month, over every calendar day"))
    >>> q.metric = {"type": "simple", "type_params": {"measure": "active_users"}}
    >>> flag_undivided_whole(q)
    >>> q.rules
    []
    """
    metric = proposal.metric
    if metric is None or proposal.refused:
        return
    text = proposal.definition.text
    if not any(not _SPAN.match(text, m.end()) for m in _OVER_WHOLE.finditer(text)):
        return  # no "over" a whole, or only a span an average runs over ("over every calendar day")
    if _divides(metric) or any(_divides(m) for m in proposal.new_metrics):
        return
    proposal.rules.append(
        RuleReading(
            f"(in the definition) {text}",
            "unread",
            0.0,
            "says a whole after 'over' (a share of it?), but the proposed metric divides by nothing: say "
            "the ratio as 'A divided by B' or 'A as a fraction of B'",
        )
    )
    proposal.confidence = min(proposal.confidence, UNREAD_OVER)
    proposal.doubts.append("'over' a whole read as no division")
