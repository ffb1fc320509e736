"""Reading ``semantic_models`` items: the model with its entities, dimensions and measures."""

from __future__ import annotations

from metricmind.spec.model import (
    Agg,
    Dimension,
    Entity,
    EntityType,
    Grain,
    Measure,
    NonAdditive,
    SemanticModel,
)
from metricmind.spec.parse.fields import (
    Context,
    check_keys,
    did_you_mean,
    grain_of,
    list_of,
    meta_of,
    name_of,
    relation_of,
    sub,
    text_of,
)
from metricmind.spec.yamlio import Node


def semantic_model(node: Node, ctx: Context) -> SemanticModel | None:
    """Parse one ``semantic_models`` item."""
    name = name_of(node, ctx, "semantic model")
    what = f"semantic model '{name}'"
    check_keys(node, "semantic_model", ctx, what)
    if name is None:
        return None
    relation, ref = relation_of(node, ctx, what)
    defaults = sub(node, "defaults")
    for key in defaults:
        if key != "agg_time_dimension":
            ctx.issues.error(
                f"{what}: unknown key '{key}' in defaults",
                ctx.file,
                defaults.line_of(key),
                "did you mean 'agg_time_dimension'?",
                code="unknown_key",
            )
    default_time = defaults.get("agg_time_dimension") if defaults else None
    entities = tuple(e for e in (_entity(n, ctx, what) for n in list_of(node, "entities", ctx, what)) if e)
    dims = tuple(d for d in (_dimension(n, ctx, what) for n in list_of(node, "dimensions", ctx, what)) if d)
    measures = tuple(
        m
        for m in (_measure(n, ctx, what, name, default_time) for n in list_of(node, "measures", ctx, what))
        if m
    )
    return SemanticModel(
        name=name,
        relation=relation,
        ref=ref,
        entities=entities,
        dimensions=dims,
        measures=measures,
        description=text_of(node, "description"),
        label=text_of(node, "label"),
        primary_entity=node.get("primary_entity"),
        default_agg_time_dimension=default_time,
        meta=meta_of(node),
        file=ctx.file,
        line=node.line,
    )


def _entity(node: Node, ctx: Context, owner: str) -> Entity | None:
    name = name_of(node, ctx, f"{owner}: entity")
    check_keys(node, "entity", ctx, f"{owner}: entity '{name}'")
    if name is None:
        return None
    raw = str(node.get("type") or "").lower()
    try:
        etype = EntityType(raw)
    except ValueError:
        ctx.issues.error(
            f"{owner}: entity '{name}' has type '{raw}'",
            ctx.file,
            node.line_of("type"),
            "use primary, unique, foreign or natural",
        )
        return None
    return Entity(
        name,
        etype,
        str(node.get("expr") or name),
        text_of(node, "description"),
        text_of(node, "label"),
        meta_of(node),
    )


def _dimension(node: Node, ctx: Context, owner: str) -> Dimension | None:
    name = name_of(node, ctx, f"{owner}: dimension")
    what = f"{owner}: dimension '{name}'"
    check_keys(node, "dimension", ctx, what)
    if name is None:
        return None
    dtype = str(node.get("type") or "").lower()
    if dtype not in ("categorical", "time"):
        ctx.issues.error(
            f"{what} has type '{dtype}'", ctx.file, node.line_of("type"), "use categorical or time"
        )
        return None
    grain = None
    params = node.get("type_params") if isinstance(node.get("type_params"), Node) else None
    if dtype == "time":
        raw = params.get("time_granularity") if params else None
        if raw is None:
            ctx.issues.error(
                f"{what} is a time dimension without a granularity",
                ctx.file,
                node.line,
                "add type_params: {time_granularity: day}",
            )
            grain = Grain.DAY
        else:
            grain = grain_of(raw, params, "time_granularity", ctx, what) if params else None
    validity = None
    vp = params.get("validity_params") if params else None
    if isinstance(vp, Node):
        if dtype != "time":
            ctx.issues.error(
                f"{what} has validity_params but is not a time dimension",
                ctx.file,
                vp.line,
                "validity_params (is_start / is_end) belong on the time dimensions bounding each row",
            )
        elif vp.get("is_start") and vp.get("is_end"):
            ctx.issues.error(
                f"{what} is marked both is_start and is_end", ctx.file, vp.line, "use two time dimensions"
            )
        else:
            validity = "start" if vp.get("is_start") else "end" if vp.get("is_end") else None
    return Dimension(
        name,
        dtype,
        str(node.get("expr") or name),
        grain,
        text_of(node, "description"),
        text_of(node, "label"),
        bool(node.get("is_partition")),
        meta_of(node),
        node.line,
        validity,
    )


def _measure(node: Node, ctx: Context, owner: str, model: str, default_time: str | None) -> Measure | None:
    name = name_of(node, ctx, f"{owner}: measure")
    what = f"{owner}: measure '{name}'"
    check_keys(node, "measure", ctx, what)
    if name is None:
        return None
    raw = str(node.get("agg") or "").lower()
    try:
        agg = Agg(raw)
    except ValueError:
        ctx.issues.error(
            f"{what} has agg '{raw}'",
            ctx.file,
            node.line_of("agg"),
            did_you_mean(raw, [a.value for a in Agg]),
        )
        return None
    nad = None
    raw_nad = node.get("non_additive_dimension")
    if isinstance(raw_nad, Node):
        choice = str(raw_nad.get("window_choice") or "max").lower()
        if choice not in ("min", "max"):
            ctx.issues.error(
                f"{what}: window_choice '{choice}'",
                ctx.file,
                raw_nad.line_of("window_choice"),
                "use min (first snapshot of the period) or max (last)",
            )
        groupings = raw_nad.get("window_groupings") or []
        nad = NonAdditive(str(raw_nad.get("name") or ""), choice, tuple(str(g) for g in groupings))
    params = node.get("agg_params") if isinstance(node.get("agg_params"), dict) else {}
    percentile = params.get("percentile") if params else None
    if agg is Agg.PERCENTILE and not isinstance(percentile, int | float):
        ctx.issues.error(
            f"{what} is a percentile without agg_params.percentile",
            ctx.file,
            node.line,
            "add agg_params: {percentile: 0.9}",
        )
    if agg is Agg.COUNT and node.get("expr") is None:
        ctx.issues.error(
            f"{what} is a count without expr; dbt refuses it (MetricFlow: 'a COUNT aggregation requires an expr')",
            ctx.file,
            node.line,
            "add expr: 1 to count rows, or expr: <column> to count the rows where that column is not null",
        )
    time_dim = node.get("agg_time_dimension") or default_time or ""
    return Measure(
        name=name,
        agg=agg,
        expr=str(node.get("expr") if node.get("expr") is not None else name),
        agg_time_dimension=str(time_dim),
        semantic_model=model,
        description=text_of(node, "description"),
        label=text_of(node, "label"),
        non_additive=nad,
        percentile=float(percentile) if isinstance(percentile, int | float) else None,
        discrete_percentile=bool(params.get("use_discrete_percentile")) if params else False,
        approximate_percentile=bool(params.get("use_approximate_percentile")) if params else False,
        meta=meta_of(node),
        line=node.line,
    )
