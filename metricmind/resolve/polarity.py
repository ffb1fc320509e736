"""Which way is worse: "sla misses by priority, worst first", "fuel cost per km by hub, worst first".

"worst" and "best" sort by how good a figure is, not by its size. For most metrics more is better (revenue,
conversions, a success rate), so "worst first" is the lowest first. A metric that counts or measures something
adverse (breaches, churn, losses, costs, failures, refunds, outages) is worse when higher: "worst first" is then
its highest first and "best" its lowest. Read from the metric's own name and label with the language's words of
adversity (no catalog's): a metric whose words hold none keeps the size order.
"""

from __future__ import annotations

import re

from metricmind.spec.model import Metric

ADVERSE = frozenset(
    """
    breach breaches breached miss misses missed churn churned churning cancellation cancellations cancelled
    canceled loss losses lost refund refunds refunded late overdue delinquent delinquency dpd chargeoff
    chargeoffs failed failure failures fail error errors outage outages downtime incident incidents
    disconnection disconnections noshow noshows backlog cost costs expense expenses spend
    contraction denied complaint complaints dispute disputes fraud bounce bounces bounced abandoned
    abandonment defaults defaulted dormant returns returned
    """.split()
)
"""Words that make a metric adverse: more of it is worse ("charged" is not one: a fee charged is income)."""
GOOD_BAD = frozenset({"worst", "best", "worse", "better"})
"""Ranking words of quality, whose direction is the metric's polarity, not its size."""
_WORD = re.compile(r"[a-z]+")


def adverse(metric: Metric | None) -> bool:
    """Whether more of ``metric`` is worse: its name or label holds a word of adversity ("First reply SLA
    breaches", "Fuel cost per km", "Loss ratio"). A "no-show" is one word either way.
    """
    if metric is None:
        return False
    said = f"{metric.name.replace('_', ' ')} {metric.label or ''}".lower().replace("no-show", "noshow")
    return bool(set(_WORD.findall(said.replace("no show", "noshow"))) & ADVERSE)
