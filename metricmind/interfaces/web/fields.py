"""The query page's field tree: metrics grouped by category, dimensions grouped by entity, with labels.

Labels come from the YAML (``label:``), else the name made readable (``acquisition_channel`` →
"Acquisition channel"). A dimension reached through other entities (``subscription__customer__segment``)
is grouped under its path ("Subscription › Customer"). Identifiers stay available (hover, URL, filters).
"""

from __future__ import annotations

from typing import Any

from metricmind.errors import MetricmindError
from metricmind.interfaces.web.formats import humanise, unit_of
from metricmind.project import DimensionInfo, Project
from metricmind.spec.model import Model
from metricmind.spec.names import METRIC_TIME, SEP

SEPARATOR = " › "


def entity_label(model: Model, entity: str) -> str:
    """An entity's label (the first ``label:`` declared for it in any semantic model), else its name."""
    for sm in model.semantic_models.values():
        e = sm.entity(entity)
        if e is not None and e.label:
            return e.label
    return humanise(entity)


def dimension_label(model: Model, info: DimensionInfo) -> str:
    """A dimension's own label (without its entity), e.g. "Acquisition channel"."""
    last = info.name.rsplit(SEP, 1)[-1]
    sm = model.semantic_models.get(info.model)
    if info.type == "entity":
        return f"{entity_label(model, last)} (id)"
    if sm is not None:
        dim = sm.dimension(last)
        if dim is not None and dim.label:
            return dim.label
    return humanise(last)


def group_of(model: Model, name: str) -> str:
    """The entity path a dimension hangs off, as a label: ``subscription__customer__segment`` → "Subscription ›
    Customer"; an entity itself belongs to its own group.
    """
    parts = name.split(SEP)
    path = parts[:-1] or parts
    return SEPARATOR.join(entity_label(model, p) for p in path)


def field_label(model: Model, info: DimensionInfo) -> str:
    """The full label shown in column headers: "Customer › Acquisition channel"."""
    if info.name == METRIC_TIME:
        return "Time"
    return f"{group_of(model, info.name)}{SEPARATOR}{dimension_label(model, info)}"


def dimension_field(model: Model, info: DimensionInfo) -> dict[str, Any]:
    """One dimension as the tree shows it."""
    return {
        "name": info.name,
        "type": info.type,
        "label": dimension_label(model, info),
        "group": group_of(model, info.name),
        "full_label": field_label(model, info),
        "description": info.description,
    }


def dimension_tree(project: Project, metrics: list[str]) -> list[dict[str, Any]]:
    """The non-time dimensions every picked metric can be sliced by, grouped by entity:
    ``[{"group": "Customer", "fields": [...]}]`` (groups in the order met, fields by label).
    """
    model = project.model
    picked = [m for m in metrics if m in model.metrics]
    common: dict[str, DimensionInfo] | None = None
    for m in picked:
        try:
            found = {
                d.name: d
                for d in project.dimensions(m)
                if d.type != "time" and not d.name.startswith(METRIC_TIME)
            }
        except MetricmindError:
            found = {}
        common = found if common is None else {k: v for k, v in common.items() if k in found}
    groups: dict[str, list[dict[str, Any]]] = {}
    for info in (common or {}).values():
        item = dimension_field(model, info)
        groups.setdefault(item["group"], []).append(item)
    return [
        {"group": name, "fields": sorted(items, key=lambda f: (f["type"] == "entity", f["label"].lower()))}
        for name, items in sorted(groups.items(), key=lambda kv: (kv[0].count(SEPARATOR), kv[0].lower()))
    ]


def metric_tree(project: Project) -> list[dict[str, Any]]:
    """Every metric, grouped by category: ``[{"group": "Revenue", "fields": [{name, label, unit, ...}]}]``."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for m in project.metrics():
        groups.setdefault(m.category or "Uncategorized", []).append(
            {
                "name": m.name,
                "label": m.label or humanise(m.name),
                "unit": unit_of(m),
                "description": str(m.meta.get("definition") or m.description or ""),
                "synonyms": " ".join(str(s) for s in m.synonyms),
            }
        )
    return [
        {"group": name, "fields": sorted(items, key=lambda f: f["label"].lower())}
        for name, items in sorted(groups.items())
    ]


def column_label(project: Project, column: str, dims: dict[str, DimensionInfo]) -> str:
    """A result column's header: a metric's label, "Quarter" for ``metric_time__quarter``, or the dimension's
    full label; the identifier when nothing better is known.
    """
    model = project.model
    metric = model.metrics.get(column)
    if metric is not None:
        return metric.label or humanise(column)
    if column.startswith(METRIC_TIME):
        grain = column.split(SEP)[1] if SEP in column else "day"
        return humanise(grain)
    info = dims.get(column)
    if info is None:
        parts = column.split(SEP)
        base = SEP.join(parts[:-1]) if len(parts) > 2 else column
        info = dims.get(base)
        if info is not None and base != column:
            return f"{field_label(model, info)} ({parts[-1]})"
    return field_label(model, info) if info is not None else column
