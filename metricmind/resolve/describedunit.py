"""A metric said by its own words is not renamed, on its description's evidence, to one of another unit: "new
customers sourced by referrals" stays the count of new customers, never the first-touch MRR whose description
("New MRR of first-time customers credited to …") explains the same words better. A count is not an amount.

The units are the catalog's (``config.meta.unit``); a metric built from the one read (CAC over new customers:
"what does a new customer cost us") is a rename the description may make, and so is any where a unit is missing.
"""

from __future__ import annotations

from metricmind.spec.model import Model


def unit_of(model: Model, metric: str) -> str:
    """The catalog's unit of a metric, lower case ("" when none)."""
    m = model.metrics.get(metric)
    return str(m.meta.get("unit") or "").strip().lower() if m is not None else ""


SIZES = frozenset({"count", "currency"})
"""Units that say how many or how much (a ratio of either, "share of trials that paid", may be renamed to)."""


def changes_unit(model: Model, read: list[str], best: str) -> bool:
    """Whether renaming the metrics ``read`` to ``best`` turns a count into an amount or an amount into a
    count (the units known; a ratio's unit is neither).
    """
    units = {unit_of(model, m) for m in read}
    want = unit_of(model, best)
    return want in SIZES and bool(units) and units <= SIZES and want not in units
