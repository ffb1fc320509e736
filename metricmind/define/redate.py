"""A measure dated by another time dimension than the catalog's ("allocated spend by touch date",
"refunds by paid date"): the same column and aggregation on the same semantic model, with that
``agg_time_dimension``.

A rule that dates the metric by a time dimension its measure is not dated by used to refuse the
definition ("generating a new measure comes with `generate`"). The catalog's measure is reused when one of
the same column and aggregation is already dated that way; otherwise a new measure is proposed (written
into the semantic model's own YAML by ``generate``). The semantic model must declare that time dimension:
a date column it does not declare is not guessed.
"""

from __future__ import annotations

import re
from typing import Any

from metricmind.define.kinds import undated
from metricmind.define.newmodel import free_name
from metricmind.define.proposal import NewMeasure
from metricmind.spec.model import Measure, Model

#: A re-dated measure is a composed reading: a person checks the date it now counts by.
REDATED_CONFIDENCE = 0.75


def time_dimension_of(model: Model, semantic_model: str, name: str) -> bool:
    """Whether ``semantic_model`` declares the time dimension ``name``."""
    sm = model.semantic_models.get(semantic_model)
    return sm is not None and any(d.type == "time" and d.name == name for d in sm.dimensions)


def same_measure_dated(model: Model, measure: Measure, wanted: str) -> Measure | None:
    """A measure of the same semantic model, column and aggregation dated by ``wanted``."""
    sm = model.semantic_models[measure.semantic_model]
    for ms in sm.measures:
        if (
            ms.expr == measure.expr
            and ms.agg == measure.agg
            and ms.agg_time_dimension == wanted
            and ms.percentile == measure.percentile
            and (ms.non_additive is None) == (measure.non_additive is None)
        ):
            return ms
    return None


def redate(
    model: Model, measure: Measure, wanted: str, name: str, taken: set[str]
) -> tuple[str, NewMeasure | None] | str:
    """(measure name, the new measure or None when the catalog has one) of ``measure`` dated by
    ``wanted``; a string says why it cannot be (a snapshot, or a time dimension its model lacks).
    """
    if measure.non_additive is not None:
        return f"`{measure.name}` is a snapshot: its date is the snapshot's, not {wanted}"
    if not time_dimension_of(model, measure.semantic_model, wanted):
        return f"{measure.semantic_model} has no time dimension {wanted}"
    found = same_measure_dated(model, measure, wanted)
    if found is not None:
        return found.name, None
    new = free_name(model, name, taken)
    item: dict[str, Any] = {
        "name": new,
        "description": f"{measure.agg.value}({measure.expr}) as `{measure.name}`, dated by {wanted}",
        "agg": measure.agg.value,
        "expr": measure.expr,
        "agg_time_dimension": wanted,
    }
    if measure.percentile is not None:
        item["agg_params"] = {"percentile": measure.percentile}
        if measure.discrete_percentile:
            item["agg_params"]["use_discrete_percentile"] = True
    reason = (
        f"`{measure.name}` is dated by {measure.agg_time_dimension}; the rules date it by {wanted}: "
        f"the same {measure.agg.value}({measure.expr}) dated by {wanted}"
    )
    return new, NewMeasure(measure.semantic_model, item, reason, REDATED_CONFIDENCE)


#: A part's own dating clause at its end without a comma ("paid invoice amount by paid date").
TRAILING_DATE = re.compile(
    r"\s+(by (?:the )?(?:[a-z_]+ ){0,3}?(?:date|day|month|time))\s*$|\s+(by (?:the )?(?:month|date|day) "
    r"(?:it was|they were|it is|they are) [a-z_]+)\s*$",
    re.IGNORECASE,
)
#: "…, same month", "… in the same month": both parts in one period, which a ratio by month already is.
SAME_PERIOD = re.compile(r",?\s+(?:in\s+)?(?:the\s+)?same (?:month|period)\s*$", re.IGNORECASE)


def part_dates(text: str) -> tuple[str, list[str]]:
    """One part of a ratio without its own dating clauses, and those clauses as rules of that part only
    ("Refunded amount by refund date" → "Refunded amount", ["by refund date"]).
    """
    bare, found = undated(SAME_PERIOD.sub("", text))
    m = TRAILING_DATE.search(bare)
    if m and bare[: m.start()].strip():
        found.append((m.group(1) or m.group(2)).strip())
        bare = bare[: m.start()].strip()
    return bare, found
