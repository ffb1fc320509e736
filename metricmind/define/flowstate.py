"""A flow is no state: a definition asking for a value at a point in time ("trial subscriptions live on
the last day of each month", "… at month end") is never answered by a metric that sums or counts rows as
they happen (`trial_starts`, dated by the day each trial started).

A metric answers a point in time when its measures are semi-additive (a snapshot) or dated at a grain of
a month or coarser (a monthly mart holds one row per entity and month: `mrr` of the customer lifecycle).
A count of rows dated by a day is a flow: it counts what started in the month, not what was live at its
end. The closest metric is then a mismatch (``fit.mismatch``): the definition is composed anew (a month-end
snapshot model) or refused, never answered by the flow.

The other way round, a state is no flow: a definition asking for what was added during a month ("outstanding
principal added during the month") answered by a snapshot alone (each month's value at its end, whenever it
came) is a doubt of the finished proposal (``added_of_a_snapshot``, read by ``audit``).
"""

from __future__ import annotations

import re

from metricmind.define.proposal import Definition
from metricmind.define.rank import measures_of
from metricmind.define.terms import SNAPSHOT_CUE
from metricmind.spec.model import Grain, Measure, Metric, Model


def flow_for_state(definition: Definition, model: Model, base: Metric) -> str | None:
    """Why ``base`` (a flow) cannot answer the point in time ``definition`` asks for, or None."""
    said = SNAPSHOT_CUE.search(definition.text)
    measures = measures_of(model, base)
    if said is None or not measures or base.type.value != "simple":
        return None
    if not all(is_day_flow(model, ms) for ms in measures):
        return None  # a snapshot, or a monthly mart: one row per entity and month, its value that month's
    return (
        f"the definition asks for a value at a point in time ({said.group(0)!r}), and the closest metric "
        f"`{base.name}` adds up rows as they happen (dated by {measures[0].agg_time_dimension}): what "
        "started in a month is not what was live at its end"
    )


def is_day_flow(model: Model, ms: Measure) -> bool:
    """``ms`` adds up rows as they happen: no semi-additive window, dated by a day (not a monthly mart)."""
    if ms.non_additive is not None:
        return False
    sm = model.semantic_models[ms.semantic_model]
    time = next((d for d in sm.dimensions if d.name == ms.agg_time_dimension), None)
    return time is not None and time.grain is Grain.DAY


#: A definition asking for what happened during a month ("added during the month", "opened in each month").
FLOW_CUE = re.compile(
    r"\b(?:added|opened|created|started|booked|funded|signed up|new)\s+(?:during|in|within)\s+"
    r"(?:the|each|a|that|every)\s+month\b",
    re.I,
)


def added_of_a_snapshot(text: str, metric: Metric, measures: list[Measure]) -> str | None:
    """Why a simple ``metric`` over snapshot ``measures`` (semi-additive: the value live at each period's
    end) does not answer ``text`` asking for what was added during a month, or None. A derived metric (a
    month-end value minus the previous one) is left alone: that is how a snapshot says what was added.
    """
    said = FLOW_CUE.search(text)
    if said is None or metric.type.value != "simple" or not measures:
        return None
    if not all(ms.non_additive is not None for ms in measures):
        return None
    return (
        f"the definition asks for what happened during a month ({said.group(0)!r}), but `{metric.name}` reads "
        "a snapshot: the value live at each month's end, whenever it came — check which is meant"
    )
