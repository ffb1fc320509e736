"""A metric named "<step> to <step> …" said by its two steps alone: "visit to order %", "free to paid %".

Data teams name a conversion by the steps it goes between ("Visit to order conversion", "Free to Paid
Conversion (14d)", "Application to funded loan conversion"). People say the two steps and a rate word, or a
"%" the tokenizer drops ("visit to order % by month"), so without an entry the first step is read as a metric of
its own (visits) and the second as something else ("to order by month": sorting). ``step_phrases`` gives,
for each metric whose name or label says "<a> to <b> …", the phrases "<a> to <w>" for every content word
``w`` after "to" ("application to funded", "application to loan"); only phrases one metric has are kept.
"""

from __future__ import annotations

import re
from collections import defaultdict

from metricmind.resolve.text import GENERIC
from metricmind.spec.model import Model

_WORD = re.compile(r"[^\W_]+")
KIND_WORDS = frozenset({"conversion", "conversions", "rate", "ratio", "share", "percent", "pct", "cvr"})
"""Words that say the metric is a conversion or rate, no step of it."""


def step_phrases(model: Model) -> dict[str, str]:
    """Phrase → the one metric named by those two steps.

    >>> from types import SimpleNamespace as N
    >>> m = N(name="app_to_loan", label="Application to funded loan conversion")
    >>> sorted(step_phrases(N(metrics={m.name: m})))
    ['app to loan', 'application to funded', 'application to loan']
    """
    found: dict[str, set[str]] = defaultdict(set)
    for m in model.metrics.values():
        for said in (m.name, re.sub(r"\(.*?\)", " ", m.label or "")):
            words = [w.lower() for w in _WORD.findall(said)]
            for k, w in enumerate(words[1:-1], start=1):
                if w != "to" or not _step(words[k - 1]):
                    continue
                for after in words[k + 1 :]:
                    if _step(after):
                        found[f"{words[k - 1]} to {after}"].add(m.name)
    return {phrase: next(iter(names)) for phrase, names in found.items() if len(names) == 1}


def _step(word: str) -> bool:
    """Whether ``word`` can name a step ("order", "paid"; not "the", "14d" or "conversion")."""
    return word.isalpha() and len(word) >= 3 and word not in GENERIC | KIND_WORDS | _LINKS


_LINKS = frozenset({"the", "and", "for", "from", "with", "per", "into"})
