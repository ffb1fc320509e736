"""Words around a dimension's name that the metric read says of itself: "net iap after store fees".

A dimension's noun can stand inside how a data team describes a metric: "IAP revenue after the store's cut"
holds the store, "Net revenue minus instructor payouts" the instructor. Said with the words before it
("after store fees", "after paying instructors"), that noun is no breakdown and the words before it are no
value of that dimension: the question names the metric by its description. ``told_by`` says which metric
read explains such a run: the dimension's noun must be one of the metric's own words (its name, label,
synonyms or description, ``describe``), and every content word before it must be too, or share a stem of
three letters or more with one of them ("paying" and "payouts"). Read from each project's catalog, no
project's words.
"""

from __future__ import annotations

import re

from metricmind.resolve.describe import MetricTexts, content, key
from metricmind.spec.model import Model

_WORD = re.compile(r"[^\W_]+")
PARTICLES = frozenset({"out", "up", "off", "back", "away", "over"})
"""The particles of phrasal verbs ("paying out"), closed-class English: no word of a metric's."""
MIN_STEM = 3
"""The least shared beginning of two coarse keys for a word to count as the metric's ("pay", "payou")."""


def _echoes(k: str, own: dict[str, float]) -> bool:
    """Whether the coarse key ``k`` is one of ``own`` or shares a stem of ``MIN_STEM`` letters with one."""
    if k in own:
        return True
    if len(k) < MIN_STEM:
        return False
    return any(len(o) >= MIN_STEM and (o.startswith(k) or k.startswith(o)) for o in own)


def told_by(
    texts: MetricTexts, prose: dict[str, str], metrics: list[str], before: list[str], noun: list[str]
) -> str | None:
    """The metric of ``metrics`` whose own words hold the dimension's ``noun`` words exactly and echo every
    content word of ``before`` (the unread words said right before it), if one does; else None. At least one
    word of ``before`` must be the metric's: a content word echoed, or a function word its ``prose`` (label
    and description as written) says too ("after" in "IAP revenue after the store's cut").

    >>> t = MetricTexts(weights={"iap_net": {"iap": 1.0, "stor": 0.7, "cut": 0.7}})
    >>> told_by(t, {"iap_net": "IAP revenue after the store's cut"}, ["iap_net"], ["after"], ["store"])
    'iap_net'
    >>> told_by(t, {"iap_net": "IAP revenue after the store's cut"}, ["iap_net"], ["apple"], ["store"]) is None
    True
    """
    said = [w for w in before if content(w) and w not in PARTICLES]
    nouns = [key(w) for w in noun if content(w)]
    if not nouns or not before:
        return None
    for m in metrics:
        own = texts.weights.get(m, {})
        written = set(_WORD.findall(prose.get(m, "").lower()))
        if not all(k in own for k in nouns) or not all(_echoes(key(w), own) for w in said):
            continue
        if said or any(w.lower() in written for w in before):
            return m
    return None


def metric_prose(model: Model) -> dict[str, str]:
    """Every metric's label and description as written, lower-cased."""
    return {m.name: f"{m.label or ''} {m.description or ''}".lower() for m in model.metrics.values()}


def own_denominator(label: str, after: list[str]) -> bool:
    """Whether ``label`` says "per <word>" and a word of ``after`` (said right after a breakdown named
    after "per") is that word in another form: "avg stars per lvl won" for "Avg Stars per Win" is the
    metric's own "per win", not a breakdown by level.

    >>> own_denominator("Avg Stars per Win", ["won"]), own_denominator("Avg Stars per Win", ["played"])
    (True, False)
    """
    words = [w.lower() for w in _WORD.findall(label)]
    units = {key(words[k + 1]) for k, w in enumerate(words[:-1]) if w == "per"}
    return any(key(w) in units for w in after if content(w))


def said_in_prose(word: str, metrics: list[str], prose: dict[str, str]) -> bool:
    """Whether ``word`` (a number as typed) is a word of one of ``metrics``' label or description ("4" in
    "the share of survey responses rating 4 or 5").

    >>> said_in_prose("4", ["csat"], {"csat": "share of survey responses rating 4 or 5."})
    True
    """
    return any(word.lower() in _WORD.findall(prose.get(m, "")) for m in metrics)


def unit_of(label: str, value: str) -> bool:
    """Whether ``value`` is the unit ``label`` gives in parentheses ("Total Revenue (EUR)": EUR).

    >>> unit_of("Total Revenue (EUR)", "EUR"), unit_of("Total Revenue (EUR)", "USD")
    (True, False)
    """
    inside = " ".join(re.findall(r"\((.*?)\)", label)).lower()
    return value.lower() in _WORD.findall(inside)
