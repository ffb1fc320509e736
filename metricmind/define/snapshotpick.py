"""A month-end state read from a snapshot measure rather than refused for the closest flow.

A definition asking for the state at each month's end ("parcels still sitting in our hubs past their
promised date, at month end") whose closest metric adds up rows as they happen (``flowstate.flow_for_state``)
is answered by the catalog's own snapshot when one measure clearly says it: the top-ranked source is a
semi-additive measure (``non_additive_dimension`` with ``window_choice: max``, the last count of the
period) and no other measure comes near. The metric is then built on that measure (an existing metric on
it, or a draft simple metric of it), never on the flow, and never on a current status column.
"""

from __future__ import annotations

from metricmind.define.extend import extend
from metricmind.define.flowstate import flow_for_state
from metricmind.define.proposal import Definition, Suggestion
from metricmind.define.rank import measures_of
from metricmind.define.terms import SNAPSHOT_CUE
from metricmind.define.words import content
from metricmind.errors import MetricmindError
from metricmind.spec.model import Metric, Model

#: Words of when, never of what ("month", "day"): a snapshot shares what the definition counts.
_WHEN = frozenset("month months monthly day days daily end last each every period".split())
#: How sure the snapshot measure must be read from the definition's words, and how far ahead of any other.
SURE = 0.8
AHEAD = 0.2


def snapshot_instead(
    definition: Definition, model: Model, base: Metric, sources: list[Suggestion]
) -> tuple[Model, Metric] | None:
    """(the model holding it, the metric) on the snapshot measure that answers ``definition``'s month-end
    state in place of the flow ``base``; None when ``base`` is no flow for it or no snapshot is clear.
    """
    if flow_for_state(definition, model, base) is None:
        return None
    swapped = _clear_snapshot(model, sources)
    if swapped is None:
        return None
    said = set(content(SNAPSHOT_CUE.sub(" ", definition.text))) - _WHEN
    own = measures_of(swapped[0], swapped[1])
    words = set(content(" ".join(f"{ms.name.replace('_', ' ')} {ms.description}" for ms in own)))
    return swapped if said & words else None  # "Trials live …" is never `mrr`: the snapshot says what


def better_snapshot(
    definition: Definition, model: Model, base: Metric, sources: list[Suggestion]
) -> tuple[Model, Metric] | None:
    """(the model holding it, the metric) on another snapshot measure of ``base``'s own table that the
    words name clearly better ("Overdue parcels sitting in hubs at month end": `parcels_overdue`, not the
    `parcels_on_hand` metric); None when ``base`` is no snapshot, the definition asks no point in time, or
    no other measure is clearly ahead.
    """
    own = measures_of(model, base)
    if not SNAPSHOT_CUE.search(definition.text) or base.type.value != "simple" or len(own) != 1:
        return None
    if own[0].non_additive is None:
        return None
    swapped = _clear_snapshot(model, sources)
    if swapped is None:
        return None
    other = measures_of(swapped[0], swapped[1])
    if len(other) != 1 or other[0].name == own[0].name or other[0].semantic_model != own[0].semantic_model:
        return None
    return swapped


def _clear_snapshot(model: Model, sources: list[Suggestion]) -> tuple[Model, Metric] | None:
    """(the model holding it, a metric on it) of the top-ranked source when it is a snapshot measure
    (window max) clearly ahead of every other measure; None otherwise.
    """
    measures = [s for s in sources if s.kind == "measure"]
    if not measures or measures[0].confidence < SURE:
        return None
    top = measures[0]
    if any(s.confidence > top.confidence - AHEAD for s in measures[1:] if s.name != top.name):
        return None
    found = next(
        (ms for sm in model.semantic_models.values() for ms in sm.measures if ms.name == top.name), None
    )
    if found is None or found.non_additive is None or found.non_additive.window_choice != "max":
        return None
    on = [
        m
        for m in model.metrics.values()
        if m.type.value == "simple"
        and m.measure is not None
        and m.measure.name == found.name
        and not m.filter
    ]
    if on:
        return model, on[0]
    if found.name in model.metrics:
        return None
    draft = {
        "name": found.name,
        "label": found.name.replace("_", " ").capitalize(),
        "description": found.description,
        "type": "simple",
        "type_params": {"measure": found.name},
        "config": {"meta": {"status": "draft"}},
    }
    try:
        extended = extend(model, new_metrics=[draft])
    except MetricmindError:
        return None
    metric = extended.metrics.get(found.name)
    return (extended, metric) if metric is not None else None
