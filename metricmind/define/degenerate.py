"""A ratio whose numerator and denominator compute the same thing ("share of MRR from annual contracts"
read with the annual filter on both sides): it is 1 (or empty) every month whatever the definition meant,
so it is never written as an answer — an unread item names it.

The check is on what the metric runs: the two inputs' metrics (a new metric by its measure and filter) and
their own filters.
"""

from __future__ import annotations

import json
from typing import Any

from metricmind.define.proposal import Proposal, RuleReading

#: The confidence of a proposal whose ratio divides a value by itself.
SAME_PARTS = 0.2


def _part(proposal: Proposal, item: Any) -> tuple[str, ...]:
    """What one input of the ratio computes: its metric (a new one by its definition) and its filter."""
    if isinstance(item, str):
        item = {"name": item}
    name = str(item.get("name") or "")
    new = next((m for m in proposal.new_metrics if m.get("name") == name), None)
    what = (
        json.dumps(
            [new.get("type"), new.get("type_params"), new.get("filter") or ""], sort_keys=True, default=str
        )
        if new is not None
        else name
    )
    return what, str(item.get("filter") or "")


def flag_same_parts(proposal: Proposal) -> None:
    """Add an unread item when the proposed ratio's numerator and denominator compute the same value."""
    metric = proposal.metric
    if metric is None or proposal.refused or metric.get("type") != "ratio":
        return
    tp = metric.get("type_params") or {}
    if "numerator" not in tp or "denominator" not in tp:
        return
    if _part(proposal, tp["numerator"]) != _part(proposal, tp["denominator"]):
        return
    d = proposal.definition
    proposal.rules.append(
        RuleReading(
            f"(in the definition) {d.text}",
            "unread",
            0.0,
            "the numerator and the denominator were read as the same value (a ratio of 1 every month): "
            "which rows does the numerator keep that the denominator does not?",
        )
    )
    proposal.confidence = min(proposal.confidence, SAME_PARTS)
    proposal.doubts.append("the ratio divides a value by itself")
