"""Words of the catalog that look like time words: "average APR" is a metric, not April; "current loans" are
the loans in the delinquency state ``current`` (or the ones on the book), not the loans of today.

Both are read from the loaded catalog, never from a list of a project's nouns:

- a month's name or short form inside a metric phrase of two or more words that the catalog names exactly
  (a name, label or synonym: ``average_apr``, "Average APR") is that phrase's word, and so is a period to date
  (``to_date_metric``: "mtd revenue by day for sept" is the catalog's cumulative ``revenue_mtd``);
- "current" right before a noun of the catalog (an entity noun such as "customers" or "loans", a dimension
  such as "plan", a value) says which ones, not when ("current customers", "current plan"); before a metric or
  a word the catalog lacks it is still now ("current backlog", "current mrr").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable

from metricmind.resolve.lexicon import Entry
from metricmind.resolve.reading import _Pick
from metricmind.resolve.text import Token
from metricmind.resolve.timespans import month_number

EXACT = frozenset({"name", "label", "synonym"})
TO_DATE_SAID = EXACT | {"reduced"}
"""How a to-date metric's phrase is named: exactly, or by its head noun ("revenue ytd", ``todatehead``)."""
TO_DATE = re.compile(r"\b(?:[wmqy]td|(?:week|month|quarter|year) to date)\b")
"""A period to date said inside a metric's own name ("revenue_mtd", "… month-to-date"): the metric's word."""
"""Where a metric phrase names a metric exactly (not shortened, not a head noun)."""


def not_time(
    tokens: list[Token],
    stems: list[str],
    cands: Iterable[_Pick],
    nouns: Collection[str],
    lookup: Callable[[tuple[str, ...]], list[Entry]],
) -> set[int]:
    """Positions of words the time phrases must not read (see the module's description)."""
    out: set[int] = set()
    metric_at: set[int] = set()  # where a metric phrase begins ("current monthly recurring revenue")
    for c in cands:
        if any(e.kind == "metric" for e in c.entries):
            metric_at.add(c.first)
        if c.last - c.first >= 2 and any(e.kind == "metric" and e.source in EXACT for e in c.entries):
            out.update(k for k in range(c.first, c.last) if month_number(tokens[k].norm) is not None)
    for i in range(len(tokens) - 1):
        if tokens[i].norm != "current":
            continue
        after = stems[i + 1]
        if after in nouns or (
            i + 1 not in metric_at and {e.kind for e in lookup((after,))} & {"dimension", "value"}
        ):
            out.add(i)  # ("current customers" even where "customers" also names a count of them)
    return out


def to_date_metric(tokens: list[Token], cands: Iterable[_Pick]) -> set[int]:
    """Positions of a metric phrase the catalog names exactly that says a period to date ("mtd revenue",
    "revenue month-to-date": a cumulative ``revenue_mtd``). The caller keeps them from the time phrases only
    when the question names its range apart ("mtd revenue by day for sept"); alone ("revenue YTD") the words
    are still the range.
    """
    out: set[int] = set()
    for c in cands:
        if c.last - c.first >= 2 and any(e.kind == "metric" and e.source in TO_DATE_SAID for e in c.entries):
            if TO_DATE.search(" ".join(t.norm for t in tokens[c.first : c.last])):
                out.update(range(c.first, c.last))
    return out
