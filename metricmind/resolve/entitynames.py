"""An entity said by the word of its name dimension: "hotels" for the property whose ``property_name`` is labelled
"Hotel". A threshold per hotel is a threshold per property; the catalog's name dimensions of an entity are its
``name`` and ``<entity>_name`` (the words are the catalog's own, read from its labels and synonyms).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from metricmind.resolve.lexicon import Entry
from metricmind.spec.model import Model
from metricmind.spec.names import SEP


def name_dimensions(entity: str) -> tuple[str, str]:
    """The dimensions that name one ``entity``'s members."""
    return f"{entity}{SEP}name", f"{entity}{SEP}{entity}_name"


def entity_of_name(entries: Iterable[Entry], entities: set[str]) -> str | None:
    """The one entity of ``entities`` whose name dimension the ``entries`` of a word are, if there is one."""
    found = {
        e.target.split(SEP, 1)[0]
        for e in entries
        if e.kind == "dimension"
        and SEP in e.target
        and e.target in name_dimensions(e.target.split(SEP, 1)[0])
    }
    found &= entities
    return next(iter(found)) if len(found) == 1 else None


def distinct_counts_near(model: Model, entity: str, near: str) -> list[str]:
    """The plain metrics that count distinct ``entity`` keys on the model ``near`` reads, the key's column
    said in the measure's expression ("count(distinct player) from purchases": ``paying_users``, a distinct
    count of ``case when not is_refunded then player_id end`` on the purchases), the bare key first.
    """
    found: list[tuple[int, str]] = []
    models = model.source_models(near) if near in model.metrics else set()
    for m in model.metrics.values():
        if m.measure is None or m.filter or m.measure.filter or m.measure.name not in model.measures:
            continue
        measure = model.measures[m.measure.name]
        sm = model.semantic_models[measure.semantic_model]
        key = next((e for e in sm.entities if e.name == entity), None)
        if measure.agg.value != "count_distinct" or key is None or sm.name not in models:
            continue
        column = key.expr or key.name
        said = measure.expr or measure.name
        if said == column:
            found.append((0, m.name))
        elif re.search(rf"\b{re.escape(column)}\b", said):
            found.append((1, m.name))
    return [name for _, name in sorted(found)]
