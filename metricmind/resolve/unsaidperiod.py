"""A metric's synonym said bare that the catalog says, with a word of period, of a metric derived from it.

The demo catalog gives MRR (a figure per month by its own words) the synonym "run rate" and ARR (``mrr * 12``) "annual run rate", while MRR's
own texts never put a period on "run rate" (they do on "recurring revenue": "monthly recurring revenue").
Said bare, the phrase does not say which period is meant, and people read it either way; the resolver asks
back with both metrics rather than answer one of them confidently. Read from the catalog's words and its
derivations only: no phrase of any question is listed here.
"""

from __future__ import annotations

from metricmind.resolve.text import stems
from metricmind.spec.model import Metric, MetricType, Model

PERIOD_WORDS = frozenset(
    {"annual", "annualized", "annualised", "yearly", "monthly", "quarterly", "weekly", "daily"}
)
"""Words that put a period on a measure ("annual run rate", "monthly recurring revenue"): closed-class English."""
_PERIOD_STEMS = frozenset(s for w in PERIOD_WORDS for s in stems(w))


def _texts(metric: Metric) -> list[tuple[str, ...]]:
    """The metric's name, label and synonyms, each as its word stems."""
    return [
        tuple(stems(t)) for t in (metric.name.replace("_", " "), metric.label or "", *metric.synonyms) if t
    ]


def _periods(phrase: tuple[str, ...], metric: Metric) -> bool:
    """Whether one of ``metric``'s texts is ``phrase`` with a word of period before it."""
    return any(
        len(t) == len(phrase) + 1 and t[1:] == phrase and t[0] in _PERIOD_STEMS for t in _texts(metric)
    )


def _per_period(metric: Metric) -> bool:
    """Whether ``metric``'s own words make it a figure per period ("Monthly recurring revenue at the end of
    the period"): a rate whose period is part of what it is, unlike a total over the period asked.
    """
    words = [
        *_texts(metric),
        tuple(stems(metric.description or "")),
        tuple(stems(str(metric.meta.get("definition") or ""))),
    ]
    return any(w in _PERIOD_STEMS for t in words for w in t)


def unsaid_period(model: Model, target: str, said: str) -> list[str]:
    """The metrics the synonym ``said`` of ``target`` may mean when its period is not said: ``target`` and
    each metric derived from it alone whose texts put a period before the same words, provided ``target``'s
    own texts put none there; else none (the catalog's reading stands).
    """
    metric = model.metrics.get(target)
    derived = [
        m
        for m in model.metrics.values()
        if m.type is MetricType.DERIVED
        and [i.name for i in m.inputs] == [target]
        and all(i.offset_window is None and i.offset_to_grain is None for i in m.inputs)
    ]
    if metric is None or not derived:
        return []
    phrase = tuple(stems(said))
    if not phrase or phrase not in _texts(metric) or _periods(phrase, metric):
        return []
    if not _per_period(metric):
        return []  # a total over any period ("origination volume"): the period asked says it
    periods = sorted(m.name for m in derived if _periods(phrase, m))
    return [target, *periods] if periods else []
