"""The datasets a generated model may read: the project's canonical registry, or its marts.

A project that registers canonical datasets (``canonical_datasets:``) has them as its golden layer. Most
dbt projects register none: there the canonical layer is where dbt's conventions put it, the marts the
semantic models are built on (as ``metricmind govern`` reads it, see ``govern/lineage.py``). Each mart is
then described by its semantic model: its ``ref``, description, grain (the primary entity's key) and the
columns its dimensions and measures read.
"""

from __future__ import annotations

from metricmind.spec.model import CanonicalDataset, EntityType, Model, SemanticModel


def canonical(model: Model) -> dict[str, CanonicalDataset]:
    """The registry's datasets by name, or, when the project registers none, one per mart behind a
    semantic model (by its ``ref`` name).
    """
    if model.canonical_datasets:
        return model.canonical_datasets
    out: dict[str, CanonicalDataset] = {}
    for sm in model.semantic_models.values():
        if sm.ref and sm.ref not in out:
            out[sm.ref] = _of(sm)
    return out


def canonical_for(model: Model, relation: str) -> CanonicalDataset | None:
    """The canonical dataset stored as ``relation``, or None when a new model may not read it."""
    return next((ds for ds in canonical(model).values() if ds.relation == relation), None)


def _of(sm: SemanticModel) -> CanonicalDataset:
    keys = [e.expr or e.name for e in sm.entities if e.type is EntityType.PRIMARY]
    grain = f"one row per {' and '.join(keys)}" if keys else ""
    columns = [d.expr or d.name for d in sm.dimensions] + [m.expr or m.name for m in sm.measures]
    return CanonicalDataset(
        name=sm.ref,
        relation=sm.relation,
        ref=sm.ref,
        description=sm.description or sm.label,
        grain=grain,
        primary_key=tuple(keys),
        core_attributes=tuple(c for c in dict.fromkeys(columns) if c.isidentifier()),
    )
