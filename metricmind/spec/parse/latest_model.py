"""Reading a semantic model in dbt 1.12's latest spec: a ``models:`` entry with ``semantic_model:``.

The model's own keys say what the legacy spec put in a ``semantic_models`` item: the name (the model's, or
``semantic_model.name``), ``agg_time_dimension`` and ``primary_entity`` (top level of the model), the
entities and dimensions (``entity:`` / ``dimension:`` on ``columns:``, the column being their expression;
``derived_semantics`` for those with an ``expr``), and the metrics (``metrics:``, whose simple metrics
bring the measures). A model without ``semantic_model`` (or with it disabled) is no semantic model, and
dbt reads none of its semantic keys: a warning says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from metricmind.errors import closest
from metricmind.spec.model import Dimension, Entity, EntityType, Grain, Measure, Metric, SemanticModel
from metricmind.spec.parse.fields import (
    Context,
    check_keys,
    check_name,
    grain_of,
    list_of,
    meta_of,
    qualify,
    sub,
    text_of,
)
from metricmind.spec.parse.keys import KEYS
from metricmind.spec.parse.latest_metrics import Pending, latest_metric
from metricmind.spec.yamlio import Node

#: Model keys that only mean something on a semantic model.
SEMANTIC_KEYS = ("agg_time_dimension", "primary_entity", "derived_semantics", "metrics")


@dataclass
class Latest:
    """What one ``models:`` entry defines: its semantic model, metrics, pending metric names, and where
    each object's YAML is (``places``: node, kind, name, owning semantic model).
    """

    semantic_model: SemanticModel | None = None
    metrics: list[Metric] = field(default_factory=list)
    pending: list[Pending] = field(default_factory=list)
    places: list[tuple[Node, str, str, str | None]] = field(default_factory=list)


def is_latest(node: Node) -> bool:
    """True when a ``models:`` entry uses the latest spec (``semantic_model`` or a semantic key is set)."""
    columns = node.get("columns")
    tagged = any(
        isinstance(c, dict) and ("entity" in c or "dimension" in c)
        for c in (columns if isinstance(columns, list) else ())
    )
    return "semantic_model" in node or tagged or any(k in node for k in SEMANTIC_KEYS)


def latest_model(node: Node, ctx: Context) -> Latest:
    """Read one latest-spec ``models:`` entry (see the module docstring)."""
    model = node.get("name")
    if not isinstance(model, str) or not model.strip():
        ctx.issues.error(
            "a model with semantic keys has no 'name'", ctx.file, node.line, "add name: <dbt model>"
        )
        return Latest()
    raw = node.get("semantic_model")
    config = raw if isinstance(raw, Node) else None
    if config is not None:
        check_keys(config, "latest_semantic_model", ctx, f"model '{model}': semantic_model")
    enabled = raw is True or (config is not None and config.get("enabled", True) is not False)
    if raw is None:
        ctx.issues.warning(
            f"model '{model}' has semantic keys (entities, dimensions or metrics) but no semantic_model, "
            "so dbt reads none of them",
            ctx.file,
            node.line,
            "add semantic_model: {enabled: true}",
        )
        return Latest()
    if raw is not False and not isinstance(raw, bool | Node):
        ctx.issues.error(
            f"model '{model}': semantic_model must be true, false or a mapping",
            ctx.file,
            node.line_of("semantic_model"),
            "write semantic_model: {enabled: true}",
        )
        return Latest()
    if not enabled:
        return Latest()
    _model_keys(node, ctx, model)
    if node.get("versions"):
        ctx.issues.warning(
            f"model '{model}' is versioned: metricmind reads its top-level columns over the table "
            f"'{_table(node, model)}', not each version's",
            ctx.file,
            node.line_of("versions"),
            "point the semantic model at one unversioned model, or check that this table is the one to query",
        )
    name = str(config.get("name") or model) if config is not None else model
    check_name(name, ctx, node.line_of("semantic_model"), f"semantic model of model '{model}'")
    what = f"semantic model '{name}'"
    got = Latest(places=[(node, "semantic model", name, None)])
    entities, dims = _columns(node, ctx, what, name, got)
    derived = sub(node, "derived_semantics")
    if "derived_semantics" in node:
        check_keys(derived, "latest_derived", ctx, f"{what}: derived_semantics")
    for item in list_of(derived, "entities", ctx, f"{what}: derived_semantics"):
        entity = _derived_entity(item, ctx, what)
        if entity is not None:
            entities.append(entity)
            got.places.append((item, "entity", entity.name, name))
    for item in list_of(derived, "dimensions", ctx, f"{what}: derived_semantics"):
        dim = _derived_dimension(item, ctx, what)
        if dim is not None:
            dims.append(dim)
            got.places.append((item, "dimension", dim.name, name))
    default_time = node.get("agg_time_dimension")
    default_time = str(default_time) if default_time else None
    measures: list[Measure] = []
    for item in list_of(node, "metrics", ctx, what):
        cfg = item.get("config")
        if isinstance(cfg, dict) and cfg.get("enabled") is False:
            continue
        read = latest_metric(item, ctx, name, default_time)
        label = str(item.get("name") or f"<unnamed metric at line {item.line}>")
        if read.measure is not None or (item.get("type") or "simple") == "simple":
            got.places.append((item, "measure", label, name))
        got.places.append((item, "metric", label, None))
        if read.measure is not None:
            measures.append(read.measure)
        if read.metric is not None:
            got.metrics.append(read.metric)
        got.pending += read.pending
    meta = meta_of(node)
    if config is not None:
        meta.update(meta_of(config))
    got.semantic_model = SemanticModel(
        name=name,
        relation=qualify(_table(node, model), ctx.schema),
        ref=model,
        entities=tuple(entities),
        dimensions=tuple(dims),
        measures=tuple(measures),
        description=text_of(node, "description"),
        primary_entity=str(node["primary_entity"]) if node.get("primary_entity") else None,
        default_agg_time_dimension=default_time,
        meta=meta,
        file=ctx.file,
        line=node.line,
    )
    return got


def _table(node: Node, model: str) -> str:
    """The table ``ref('<model>')`` builds: the model's ``config.alias`` when it sets a plain one."""
    config = node.get("config")
    alias = config.get("alias") if isinstance(config, dict) else None
    return alias if isinstance(alias, str) and alias.strip() and "{" not in alias else model


def _model_keys(node: Node, ctx: Context, model: str) -> None:
    """Warn about keys a dbt model does not have (dbt warns too); the nearest known key as the hint."""
    allowed = KEYS["latest_model"]
    for key in node:
        if key not in allowed:
            near = closest(key, allowed, n=1)
            ctx.issues.warning(
                f"model '{model}': unknown key '{key}' is ignored",
                ctx.file,
                node.line_of(key),
                f"did you mean '{near[0]}'?" if near else None,
                code="unknown_key",
            )


def _columns(
    node: Node, ctx: Context, what: str, owner: str, got: Latest
) -> tuple[list[Entity], list[Dimension]]:
    entities: list[Entity] = []
    dims: list[Dimension] = []
    for col in list_of(node, "columns", ctx, what):
        if "entity" not in col and "dimension" not in col:
            continue
        column = col.get("name")
        if not isinstance(column, str) or not column.strip():
            ctx.issues.error(
                f"{what}: a column with an entity or dimension has no name",
                ctx.file,
                col.line,
                "add name: <column>",
            )
            continue
        if "entity" in col:
            entity = _column_entity(col, column, ctx, what)
            if entity is not None:
                entities.append(entity)
                got.places.append((col, "entity", entity.name, owner))
        if "dimension" in col:
            dim = _column_dimension(col, column, ctx, what)
            if dim is not None:
                dims.append(dim)
                got.places.append((col, "dimension", dim.name, owner))
    return entities, dims


def _entity_type(raw: Any, node: Node, key: str, ctx: Context, what: str) -> EntityType | None:
    try:
        return EntityType(str(raw or "").lower())
    except ValueError:
        ctx.issues.error(
            f"{what} has type '{raw}'", ctx.file, node.line_of(key), "use primary, unique, foreign or natural"
        )
        return None


def _column_spec(
    col: Node, key: str, column: str, ctx: Context, owner: str
) -> tuple[object, Node | None, str, str]:
    """A column's ``entity:`` or ``dimension:`` (``key``), either a bare type or a mapping: the raw value,
    the mapping (keys checked), the object's name (the mapping's, else the column's) and how to name it.
    """
    raw = col.get(key)
    spec = raw if isinstance(raw, Node) else None
    if spec is not None:
        check_keys(spec, f"latest_{key}", ctx, f"{owner}: {key} on column '{column}'")
    name = str(spec.get("name") or column) if spec is not None else column
    return raw, spec, name, f"{owner}: {key} '{name}' (column '{column}')"


def _column_texts(col: Node, spec: Node | None) -> tuple[str, str, dict[str, object]]:
    """Description (the mapping's, else the column's), label and meta (the column's, the mapping's over it)."""
    meta = meta_of(col)
    if spec is not None:
        meta.update(meta_of(spec))
    description = (text_of(spec, "description") if spec is not None else "") or text_of(col, "description")
    return description, text_of(spec, "label") if spec is not None else "", meta


def _column_entity(col: Node, column: str, ctx: Context, owner: str) -> Entity | None:
    raw, spec, name, what = _column_spec(col, "entity", column, ctx, owner)
    hint = (
        ""
        if spec is not None and spec.get("name")
        else f", or give the entity a name: entity: {{name: ..., type: {raw}}}"
    )
    check_name(name, ctx, col.line_of("entity"), what, hint)
    etype = _entity_type(
        spec.get("type") if spec is not None else raw, spec or col, "type" if spec else "entity", ctx, what
    )
    if etype is None:
        return None
    description, label, meta = _column_texts(col, spec)
    return Entity(name, etype, column, description, label, meta)


def _column_dimension(col: Node, column: str, ctx: Context, owner: str) -> Dimension | None:
    raw, spec, name, what = _column_spec(col, "dimension", column, ctx, owner)
    check_name(name, ctx, col.line_of("dimension"), what, ", or give the dimension a name:")
    dtype = str((spec.get("type") if spec is not None else raw) or "").lower()
    if dtype not in ("categorical", "time"):
        ctx.issues.error(
            f"{what} has type '{dtype}'", ctx.file, col.line_of("dimension"), "use categorical or time"
        )
        return None
    grain = _grain(col, dtype, ctx, what, "on the column")
    description, label, meta = _column_texts(col, spec)
    return Dimension(
        name,
        dtype,
        column,
        grain,
        description,
        label,
        bool(spec.get("is_partition")) if spec is not None else False,
        meta,
        col.line,
        _validity(spec, dtype, ctx, what) if spec is not None else None,
    )


def _grain(node: Node, dtype: str, ctx: Context, what: str, where: str) -> Grain | None:
    """The granularity of a time dimension (required: dbt refuses a time dimension without one)."""
    if dtype != "time":
        return None
    raw = node.get("granularity")
    if raw is None:
        ctx.issues.error(
            f"{what} is a time dimension without a granularity",
            ctx.file,
            node.line,
            f"add granularity: day {where}",
        )
        return Grain.DAY
    return grain_of(raw, node, "granularity", ctx, what) or Grain.DAY


def _validity(spec: Node, dtype: str, ctx: Context, what: str) -> str | None:
    vp = spec.get("validity_params")
    if not isinstance(vp, Node):
        return None
    if dtype != "time":
        ctx.issues.error(
            f"{what} has validity_params but is not a time dimension",
            ctx.file,
            vp.line,
            "validity_params (is_start / is_end) belong on the time dimensions bounding each row",
        )
        return None
    if vp.get("is_start") and vp.get("is_end"):
        ctx.issues.error(
            f"{what} is marked both is_start and is_end", ctx.file, vp.line, "use two time dimensions"
        )
        return None
    return "start" if vp.get("is_start") else "end" if vp.get("is_end") else None


def _derived_entity(item: Node, ctx: Context, owner: str) -> Entity | None:
    name = item.get("name")
    check_keys(item, "latest_derived_entity", ctx, f"{owner}: derived entity '{name}'")
    if not isinstance(name, str) or not name:
        ctx.issues.error(f"{owner}: a derived entity has no name", ctx.file, item.line, "add name: <entity>")
        return None
    what = f"{owner}: derived entity '{name}'"
    check_name(name, ctx, item.line_of("name"), what)
    etype = _entity_type(item.get("type"), item, "type", ctx, what)
    expr = text_of(item, "expr")
    if not expr:
        ctx.issues.error(
            f"{what} has no expr", ctx.file, item.line, "add expr: <SQL over the model's columns>"
        )
    if etype is None or not expr:
        return None
    return Entity(name, etype, expr, text_of(item, "description"), text_of(item, "label"), meta_of(item))


def _derived_dimension(item: Node, ctx: Context, owner: str) -> Dimension | None:
    name = item.get("name")
    check_keys(item, "latest_derived_dimension", ctx, f"{owner}: derived dimension '{name}'")
    if not isinstance(name, str) or not name:
        ctx.issues.error(
            f"{owner}: a derived dimension has no name", ctx.file, item.line, "add name: <dimension>"
        )
        return None
    what = f"{owner}: derived dimension '{name}'"
    check_name(name, ctx, item.line_of("name"), what)
    dtype = str(item.get("type") or "").lower()
    if dtype not in ("categorical", "time"):
        ctx.issues.error(
            f"{what} has type '{dtype}'", ctx.file, item.line_of("type"), "use categorical or time"
        )
        return None
    expr = text_of(item, "expr")
    if not expr:
        ctx.issues.error(
            f"{what} has no expr", ctx.file, item.line, "add expr: <SQL over the model's columns>"
        )
        return None
    return Dimension(
        name,
        dtype,
        expr,
        _grain(item, dtype, ctx, what, "to the derived dimension"),
        text_of(item, "description"),
        text_of(item, "label"),
        bool(item.get("is_partition")),
        meta_of(item),
        item.line,
        _validity(item, dtype, ctx, what),
    )
