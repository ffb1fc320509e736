"""An entity's noun said alone as what is counted ("P2 incidents last month"): the catalog's one unfiltered
metric counting the rows of the entity's own model, when that metric's words hold the noun ("Network
Incidents" counts incident tickets). Never a count of parties created ("new buyers", "accounts created"): said
alone, "buyers" are not the new ones. Read from the catalog's entities and measures, no project's words.
"""

from __future__ import annotations

from metricmind.resolve.text import stems
from metricmind.spec.model import Agg, Model

CREATED = frozenset({"new", "created", "signup"})
"""Stems of a metric's name that make its row count the entities created ("added" stems to "new")."""


def entity_rows(model: Model, entity: str, noun: str) -> str | None:
    """The one unfiltered simple metric counting the rows of the model whose primary entity is ``entity``
    (its key, distinct or not, or its rows) whose name or label holds ``noun`` (a stem) and no word of
    creation, or None.
    """
    out: list[str] = []
    for sm in model.semantic_models.values():
        if sm.primary != entity:
            continue
        key = next((e.expr or e.name for e in sm.entities if e.name == entity), None)
        for m in model.metrics.values():
            if m.measure is None or m.filter or m.measure.filter or m.cumulative is not None:
                continue
            measure = next((x for x in sm.measures if x.name == m.measure.name), None)
            if measure is None or measure.agg not in (Agg.COUNT, Agg.COUNT_DISTINCT):
                continue
            said = set(stems(f"{m.name.replace('_', ' ')} {m.label or ''}"))
            if (
                (measure.expr or measure.name) in (key, entity, "1", "*")
                and noun in said
                and not said & CREATED
            ):
                out.append(m.name)
    return out[0] if len(out) == 1 else None
