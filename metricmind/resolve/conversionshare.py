"""A share said of a conversion's two events ("what percent of trialists ended up paying", "the share of
trials that became paying customers"): the catalog's conversion-rate metric whose base event is said after the share word and
whose conversion event is said after it, when exactly one has both.

The events' words are read from the catalog: each measure's own name and the labels and synonyms of the plain
metrics counting it ("Trial starts", "trials"; "New customers", "new paying customers"). Words both events
share ("new") tell neither apart. A doer said of an event's word ("trialists", "subscribers") is the event's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from metricmind.resolve.text import Token, stem
from metricmind.spec.model import Metric, MetricType, Model

DOER_ENDINGS = ("ists", "ist", "ers", "er")
"""Suffixes that make a doer of an event's word ("trial" → "trialist")."""
MIN_DOER_ROOT = 4
"""The shortest event word a doer is built from (no "us" → "user")."""
LINKS = frozenset(
    "who that which end ended up go went on to turn turned into become became eventually actually then later"
    " did were was have had us".split()
)
"""Words between a conversion's two events that only link them ("trialists who ended up paying")."""


def event_words(model: Model, measure: str) -> frozenset[str]:
    """The stems that name the events a measure counts (its name, the plain metrics on it)."""
    phrases = [measure.replace("_", " ")]
    for m in model.metrics.values():
        if (
            m.type == MetricType.SIMPLE
            and m.measure is not None
            and m.measure.name == measure
            and not m.filter
        ):
            phrases += [m.name.replace("_", " "), m.label, *m.synonyms]
    return frozenset(stem(w) for p in phrases for w in re.findall(r"[a-z]+", p.lower()) if len(w) > 2)


def names_event(token: Token, words: frozenset[str]) -> bool:
    """Whether a word says one of an event's words, or a doer of it ("trialists" of "trial")."""
    if token.stem in words:
        return True
    for ending in DOER_ENDINGS:
        root = token.norm[: -len(ending)]
        if token.norm.endswith(ending) and len(root) >= MIN_DOER_ROOT and root in words:
            return True
    return False


def conversions(model: Model) -> list[tuple[Metric, frozenset[str], frozenset[str]]]:
    """Each conversion-rate metric with its base and conversion events' own words (none of both)."""
    out = []
    for m in model.metrics.values():
        c = m.conversion
        if c is None or c.calculation != "conversion_rate" or str(m.meta.get("status") or "") == "deprecated":
            continue
        base = event_words(model, c.base_measure.name)
        done = event_words(model, c.conversion_measure.name)
        out.append((m, base - done, done - base))
    return out


def conversion_share(model: Model, tokens: Sequence[Token], share: int) -> tuple[str, int, int] | None:
    """The conversion-rate metric said by the share word at ``share``, the base event's word after it and the
    conversion event's word after that: (metric, base word index, conversion word index), when only one fits.
    """
    found: list[tuple[str, int, int]] = []
    for m, base, done in conversions(model):
        firsts = [t.index for t in tokens[share + 1 :] if names_event(t, base)]
        if not firsts:
            continue
        lasts = [t.index for t in tokens[firsts[0] + 1 :] if names_event(t, done)]
        if lasts:
            found.append((m.name, firsts[0], lasts[0]))
    return found[0] if len(found) == 1 else None


def said_events(
    model: Model, name: str, tokens: Sequence[Token], share: int, base: int, done: int
) -> list[int]:
    """The words of a conversion share read as the metric ``name``: the share word, the base event's words
    (with those just before it: "free trials"), the links and the conversion event's words after it.
    """
    c = model.metrics[name].conversion
    assert c is not None
    words = event_words(model, c.base_measure.name) | event_words(model, c.conversion_measure.name)
    first = base
    while first - 1 > share and names_event(tokens[first - 1], words):
        first -= 1
    last = done
    while last + 1 < len(tokens) and names_event(tokens[last + 1], words):
        last += 1
    between = [t.index for t in tokens[first : last + 1] if t.norm in LINKS or names_event(t, words)]
    return [share, *between]
