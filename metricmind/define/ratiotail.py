"""The scale said at the end of a ratio rule: "A divided by B, as a percentage", "… expressed as a %".

A rule that gives the ratio ("Alerts events on mobile divided by all mobile events, as a percentage")
often ends with the scale of the result. That tail belongs to the ratio, not to its denominator: read
into the denominator it is a filter that cannot be read ("all mobile events, as a percentage"). It is
split off, and the scale it says (100 for a percentage, 1 for a fraction) scales the ratio.
"""

from __future__ import annotations

import re

#: ", as a percentage", " expressed as a % (0-100)", ", in percent", ", as a fraction": at the very end,
#: never "as a percentage of …" (a share said in the middle).
_TAIL = re.compile(
    r"(?:,\s*|\s+)(?:(?:expressed|shown|given|reported|written)\s+)?"
    r"(?P<how>as an?\s+(?:percentage|percent|%|fraction|decimal|ratio)|in\s+per ?cent|as\s+per ?cent)"
    r"(?:\s*\(?\s*(?:0|zero)\s*(?:-|–|to)\s*(?:100|1|one)\s*\)?)?\s*[.]?\s*$",
    re.IGNORECASE,
)


def split_tail(den: str) -> tuple[str, float | None]:
    """``den`` without a scale said at its end, and that scale (100, 1, or None when none is said).

    >>> split_tail("all mobile events, as a percentage")
    ('all mobile events', 100.0)
    >>> split_tail("invoices issued, expressed as a fraction")
    ('invoices issued', 1.0)
    >>> split_tail("all mobile events")
    ('all mobile events', None)
    """
    m = _TAIL.search(den)
    if m is None or not den[: m.start()].strip():
        return den, None
    how = m.group("how").lower()
    scale = 1.0 if any(w in how for w in ("fraction", "decimal", "ratio")) else 100.0
    return den[: m.start()].rstrip(" ,"), scale


def rule_scale(rules: tuple[str, ...], at: int | None) -> float | None:
    """The scale said at the end of the ratio rule ``rules[at]`` (None when the ratio is no rule's)."""
    if at is None or not 0 <= at < len(rules):
        return None
    return split_tail(rules[at].strip())[1]


#: A head that names a ratio ("Bad debt as a percentage of billings", "Win rate", "Churn ratio").
_RATIO_HEAD = re.compile(
    r"\b(?:as an? (?:share|proportion|percentage|percent|fraction|%) of|ratio|rate|share|percentage)\b", re.I
)
_OVER = re.compile(r"\s(?:over|÷|/)\s", re.I)


def over_named(head: str, body: str) -> bool:
    """The "over" of "A over B" after a head that names a ratio ("Bad debt as a percentage of billings: amounts
    written off over amounts issued") divides, as "divided by" would (said once, between the parts;
    "over" without such a head may be a threshold: "invoices over $500").

    >>> over_named("Bad debt as a percentage of billings", "written off in the month over issued in the month")
    True
    >>> over_named("Big invoices", "invoices over 500 dollars")
    False
    """
    return bool(head) and bool(_RATIO_HEAD.search(head)) and len(_OVER.findall(body)) == 1
