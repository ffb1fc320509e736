"""A rate's noun said in the plural: the things counted, not their share ("approvals" beside an approval rate).

A catalog that names a ratio "<noun> rate" ("Approval rate", numerator ``approved_applications``) answers the
noun alone ("approval") with the rate, as its shortened name. Said in the plural ("approvals", "conversions",
"refunds") the noun counts events: the rate's own numerator, when that is a metric of its own counted without a
filter of the ratio's (a ratio whose numerator is filtered there has no metric that counts just those).
"""

from __future__ import annotations

from metricmind.resolve.text import stems
from metricmind.spec.model import Metric, MetricType

RATE_WORDS = frozenset({"rate", "ratio", "share", "pct", "percent", "percentage"})
"""Words that make a noun a share ("approval rate"), the language's and no catalog's."""


def count_of_rate(metrics: dict[str, Metric], metric: str, norm: str, stem: str) -> str | None:
    """The metric that counts what ``metric`` (a ratio named "<noun> rate") is the share of, when the word
    read as it (``norm`` as typed, ``stem`` its stem) is the noun in the plural; None otherwise.
    """
    m = metrics.get(metric)
    if m is None or m.type != MetricType.RATIO or m.numerator is None or m.numerator.filter:
        return None
    if not norm.endswith("s") or norm == stem or norm.endswith("ss"):
        return None
    said = set(stems(m.label or m.name.replace("_", " ")))
    if stem not in said or not said - {stem} or not said - {stem} <= RATE_WORDS:
        return None
    counted = metrics.get(m.numerator.name)
    if counted is None or counted.type == MetricType.RATIO:
        return None
    return counted.name
