"""A word of the definition that names a ratio's numerator condition ("Share of first quiz attempts that
passed" on `quiz_pass_rate`, passes over attempts): the ratio already says it, on its numerator only. Read
as a filter on the whole ratio it would keep passed attempts in the denominator too (a rate of 1.0).

The definition's filter is ``covered`` when it is the numerator's own filter, and unread when it filters
the same dimension another way ("Share of attempts that failed" on a pass rate): never applied to both
sides.
"""

from __future__ import annotations

import re
from dataclasses import replace

from metricmind.define.rulevalues import Read
from metricmind.spec.model import Metric, Model

_DIM = re.compile(r"Dimension\('([^']+)'\)")


def _filters(model: Model, name: str, depth: int = 0) -> list[str]:
    """The filters of metric ``name`` and of what it reads down a simple or one-input chain."""
    m = model.metrics.get(name)
    if m is None or depth > 4:
        return []
    out = [w.sql for w in m.filter]
    if m.measure is not None:
        out += [w.sql for w in m.measure.filter]
    if len(m.inputs) == 1 and m.numerator is None:
        out += [w.sql for w in m.inputs[0].filter] + _filters(model, m.inputs[0].name, depth + 1)
    return out


def numerator_filters(model: Model, base: Metric) -> list[str]:
    """The filters a ratio ``base`` puts on its numerator and not on its denominator."""
    if base.numerator is None or base.denominator is None:
        return []
    num = [w.sql for w in base.numerator.filter] + _filters(model, base.numerator.name)
    den = {
        _norm(f) for f in [w.sql for w in base.denominator.filter] + _filters(model, base.denominator.name)
    }
    return [f for f in num if _norm(f) not in den]


def _norm(sql: str) -> str:
    return re.sub(r"\s+", " ", sql.strip().strip("()").strip().lower())


def numerator_said(reads: list[Read], model: Model, base: Metric) -> list[Read]:
    """``reads`` (filters the definition implies) with those on a dimension the ratio ``base`` filters on
    its numerator only made ``covered`` (the same filter) or ``unread`` (another).
    """
    own = numerator_filters(model, base)
    if not own:
        return reads
    dims = {d: f for f in own for d in _DIM.findall(f)}
    out: list[Read] = []
    for r in reads:
        said = r.reading.predicate
        hit = (
            next((d for d in _DIM.findall(said or "") if d in dims), None)
            if r.reading.status == "filter"
            else None
        )
        if hit is None or said is None:
            out.append(r)
            continue
        if _norm(said) == _norm(dims[hit]):
            reading = replace(
                r.reading,
                status="covered",
                predicate=None,
                reason=f"the numerator of `{base.name}` already keeps {said}: its denominator stays whole",
            )
        else:
            reading = replace(
                r.reading,
                status="unread",
                confidence=0.0,
                predicate=None,
                reason=f"{r.reading.reason}; but the numerator of `{base.name}` filters {hit} itself "
                f"({dims[hit]}): on the whole ratio the filter would change the denominator too",
            )
        out.append(replace(r, reading=reading, dimension=None, values=()))
    return out
