"""The statistic a definition asks for ("median minutes", "p90", "average, not median") and the one a
metric computes (an average, median or percentile measure), so a rule that only says which is read.
"""

from __future__ import annotations

import re

from metricmind.define.proposal import RuleReading
from metricmind.spec.model import Metric, Model

#: A percentile said in words: "median", "p90", "90th percentile".
_PERCENTILE = re.compile(r"\b(median)\b|\bp(\d{2})\b|\b(\d{2})(?:th|st|nd|rd)? percentile\b", re.IGNORECASE)
_MEAN = re.compile(r"\b(?:average|avg)\b|\bthe mean\b|\bmean (?:of|value)\b", re.IGNORECASE)
_DENIED = re.compile(r"\b(?:not|rather than|instead of)\s+(?:the\s+)?$", re.IGNORECASE)


def statistic_asked(text: str) -> str:
    """The statistic a definition asks for, the first one said and not denied ("average, not median"):
    ``p50`` (median), ``pNN`` or ``average``; "" when it names none.
    """
    found: list[tuple[int, str]] = []
    for m in _PERCENTILE.finditer(text):
        found.append((m.start(), "p50" if m.group(1) else f"p{m.group(2) or m.group(3)}"))
    found += [(m.start(), "average") for m in _MEAN.finditer(text)]
    kept = sorted((i, what) for i, what in found if not _DENIED.search(text[:i]))
    return kept[0][1] if kept else ""


def statistic_of(model: Model, metric: Metric) -> str:
    """``average`` or ``pNN`` for a simple metric over one average, median or percentile measure."""
    measures = [model.measures[n] for n in model.measures_of(metric.name) if n in model.measures]
    if metric.type.value != "simple":
        return ""
    if len(measures) != 1:
        return ""
    ms = measures[0]
    agg = str(getattr(ms.agg, "value", ms.agg))
    if agg == "average":
        return "average"
    if agg == "median":
        return "p50"
    if agg == "percentile" and ms.percentile is not None:
        return f"p{round(ms.percentile * 100)}"
    if agg in ("max", "min"):
        return agg
    return ""


#: A rule that only names the statistic ("average, not median", "the median").
_STAT = r"(?:the\s+)?(?:average|avg|mean|median|p\d{2}|\d{2}(?:th|st|nd|rd)? percentile)"
STATISTIC_ONLY = re.compile(
    rf"^\s*(?:use\s+|take\s+)?{_STAT}(?:\s*,?\s*(?:not|rather than|instead of)\s+{_STAT})?\s*\.?\s*$",
    re.IGNORECASE,
)
_NAMES = {
    "average": "the average",
    "p50": "the median",
    "max": "the largest value",
    "min": "the smallest value",
}
#: A rule that only names an extreme ("max, not sum", "the largest value rather than the total").
_EXTREME = re.compile(
    r"^\s*(?:use\s+|take\s+)?(?:the\s+)?(max|maximum|largest|highest|biggest|min|minimum|smallest|lowest)"
    r"(?:\s+(?:value|one|amount))?(?:\s*,?\s*(?:not|rather than|instead of)\s+(?:the\s+|a\s+)?"
    r"(?:sum|total|average|mean|count|median))?\s*\.?\s*$",
    re.IGNORECASE,
)


#: The start of the reason of a rule asking for a statistic the metric does not compute: no restating
#: rule (``restate.py``) may cover it ("max, not sum" on a sum is never "how the metric computes").
ASKS_OTHER = "asks for "


def statistic_reading(text: str, computed: str) -> RuleReading | None:
    """A rule that only says which statistic is meant, against the one the metric ``computed``: read as
    saying how to aggregate when they agree, unread when they do not; None for any other rule.
    """
    extreme = _EXTREME.match(text)
    if extreme:
        asked = (
            "max"
            if extreme.group(1).lower() in ("max", "maximum", "largest", "highest", "biggest")
            else "min"
        )
    elif not STATISTIC_ONLY.match(text):
        return None
    else:
        asked = statistic_asked(text)
    if asked and asked == computed:
        return RuleReading(text, "noop", 0.8, f"says the metric is {_NAMES.get(asked, asked)}, as it is")
    what = _NAMES.get(computed, computed) or "another aggregation (a sum or a count)"
    return RuleReading(
        text, "unread", 0.0, f"{ASKS_OTHER}{_NAMES.get(asked, asked)}; the metric computes {what}"
    )
