"""Turn YAML mappings into model objects, recording an issue (with file and line) for each problem."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from metricmind.errors import IssueList, closest
from metricmind.spec.model import (
    FINE_GRAINS,
    Agg,
    CanonicalDataset,
    ConstantProperty,
    Conversion,
    Cumulative,
    Dimension,
    Entity,
    EntityType,
    Grain,
    Measure,
    MeasureInput,
    Metric,
    MetricInput,
    MetricType,
    NonAdditive,
    SavedQuery,
    SemanticModel,
    TimeSpine,
    Where,
)
from metricmind.spec.yamlio import Node

KEYS: dict[str, set[str]] = {
    "semantic_model": {
        "name",
        "description",
        "label",
        "model",
        "node_relation",
        "defaults",
        "primary_entity",
        "entities",
        "dimensions",
        "measures",
        "config",
        "metadata",
        "meta",
    },
    "entity": {"name", "type", "expr", "description", "label", "role", "config", "meta"},
    "dimension": {
        "name",
        "type",
        "expr",
        "description",
        "label",
        "is_partition",
        "type_params",
        "config",
        "meta",
        "metadata",
    },
    "measure": {
        "name",
        "agg",
        "expr",
        "description",
        "label",
        "agg_time_dimension",
        "non_additive_dimension",
        "agg_params",
        "create_metric",
        "create_metric_display_name",
        "config",
        "meta",
        "metadata",
    },
    "metric": {
        "name",
        "type",
        "label",
        "description",
        "filter",
        "type_params",
        "config",
        "meta",
        "time_granularity",
        "metadata",
    },
    "type_params": {
        "measure",
        "numerator",
        "denominator",
        "expr",
        "metrics",
        "window",
        "grain_to_date",
        "cumulative_type_params",
        "conversion_type_params",
        "input_measures",
    },
    "measure_input": {"name", "filter", "alias", "join_to_timespine", "fill_nulls_with"},
    "metric_input": {"name", "filter", "alias", "offset_window", "offset_to_grain"},
    "cumulative_type_params": {"window", "grain_to_date", "period_agg", "metric"},
    "conversion_type_params": {
        "base_measure",
        "conversion_measure",
        "entity",
        "calculation",
        "window",
        "constant_properties",
    },
    "saved_query": {"name", "description", "label", "query_params", "exports", "config", "metadata"},
    "canonical_dataset": {
        "name",
        "model",
        "relation",
        "description",
        "grain",
        "primary_key",
        "owner",
        "sla",
        "certification",
        "core_attributes",
        "lineage",
        "tags",
        "meta",
    },
}


_REF = re.compile(
    r"""^\s*ref\(\s*(?:['"][^'"]+['"]\s*,\s*)?['"]([^'"]+)['"]\s*(?:,\s*v(?:ersion)?\s*=\s*\S+\s*)?\)\s*$"""
)


def ref_name(text: str) -> str | None:
    """``ref('orders')`` → ``orders``; None when the text is not a ref."""
    m = _REF.match(text)
    return m.group(1) if m else None


def qualify(name: str, schema: str | None) -> str:
    """Prefix a model name with the configured schema."""
    return f"{schema}.{name}" if schema and "." not in name else name


@dataclass
class Context:
    """Where we are while parsing, and where issues go."""

    issues: IssueList
    schema: str | None = None
    file: str | None = None


def _check_keys(node: Node, kind: str, ctx: Context, what: str) -> None:
    allowed = KEYS[kind]
    for key in node:
        if key not in allowed:
            near = closest(key, allowed, n=1)
            hint = f"did you mean '{near[0]}'?" if near else f"allowed keys: {', '.join(sorted(allowed))}"
            ctx.issues.error(
                f"{what}: unknown key '{key}'", ctx.file, node.line_of(key), hint, code="unknown_key"
            )


def _name(node: Node, ctx: Context, what: str) -> str | None:
    name = node.get("name")
    if not isinstance(name, str) or not name.strip():
        ctx.issues.error(f"{what} has no 'name'", ctx.file, node.line, "add 'name: <snake_case_name>'")
        return None
    if not name.replace("_", "a").isalnum() or not name[0].isalpha() or name != name.lower():
        ctx.issues.error(
            f"{what} name '{name}' must be lower snake_case (letters, digits, underscores)",
            ctx.file,
            node.line_of("name"),
            f"use '{_snake(name)}'",
            code="bad_name",
        )
    if "__" in name:
        ctx.issues.error(
            f"{what} name '{name}' must not contain '__' (it separates entity paths)",
            ctx.file,
            node.line_of("name"),
            f"use '{name.replace('__', '_')}'",
            code="bad_name",
        )
    return name


def _snake(text: str) -> str:
    out = "".join(c if c.isalnum() else "_" for c in text.strip().lower())
    while "__" in out:
        out = out.replace("__", "_")
    return out.strip("_") or "name"


def _did_you_mean(word: str, choices: list[str]) -> str:
    near = closest(word, choices, n=1)
    return f"did you mean '{near[0]}'?" if near else f"use one of: {', '.join(choices)}"


def _sub(node: Node, key: str) -> Node:
    """``node[key]`` when it is a mapping, else an empty mapping (located at ``node``)."""
    value = node.get(key)
    if isinstance(value, Node):
        return value
    empty = Node()
    empty.line, empty.key_lines = node.line_of(key), {}
    return empty


def _meta(node: Node) -> dict[str, Any]:
    config = node.get("config")
    meta: dict[str, Any] = {}
    if isinstance(node.get("meta"), dict):
        meta.update(node["meta"])
    if isinstance(config, dict) and isinstance(config.get("meta"), dict):
        meta.update(config["meta"])
    return meta


def _text(node: Node, key: str) -> str:
    value = node.get(key)
    return str(value).strip() if value is not None else ""


def _wheres(value: Any, node: Node, key: str, ctx: Context) -> tuple[Where, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, str) and item.strip():
            out.append(Where(item.strip(), ctx.file, node.line_of(key)))
        else:
            ctx.issues.error(
                f"'{key}' must be a SQL condition string or a list of them",
                ctx.file,
                node.line_of(key),
                """write filter: "{{ Dimension('customer__segment') }} = 'SMB'\"""",
            )
    return tuple(out)


def relation_of(node: Node, ctx: Context, what: str) -> tuple[str, str]:
    """The (relation, ref name) of a semantic model or dataset: from ``model: ref('x')`` or ``node_relation``."""
    raw = node.get("model")
    if isinstance(raw, str) and raw.strip():
        name = ref_name(raw)
        if name is None:
            if raw.strip().startswith("ref"):
                ctx.issues.error(
                    f"{what}: cannot read model reference {raw!r}",
                    ctx.file,
                    node.line_of("model"),
                    "write model: ref('my_model')",
                )
                return "", ""
            return raw.strip(), raw.strip().rsplit(".", 1)[-1]
        return qualify(name, ctx.schema), name
    rel = node.get("node_relation") or node.get("relation")
    if isinstance(rel, dict):
        alias = str(rel.get("alias") or "")
        if rel.get("relation_name"):
            return str(rel["relation_name"]), alias
        schema = rel.get("schema_name")
        return (f"{schema}.{alias}" if schema else qualify(alias, ctx.schema)), alias
    if isinstance(rel, str):
        return rel, rel.rsplit(".", 1)[-1]
    ctx.issues.error(f"{what} has no 'model'", ctx.file, node.line, "add model: ref('<dbt model name>')")
    return "", ""


def _grain(value: Any, node: Node, key: str, ctx: Context, what: str) -> Grain | None:
    if value is None:
        return None
    text = str(value).strip().lower()
    if text in FINE_GRAINS:
        ctx.issues.warning(
            f"{what}: granularity '{text}' is finer than a day; metricmind compiles at day or coarser",
            ctx.file,
            node.line_of(key),
            "use 'day' unless you need sub-day metric_time",
        )
        return Grain.DAY
    try:
        return Grain.parse(text)
    except ValueError:
        ctx.issues.error(
            f"{what}: unknown granularity '{value}'",
            ctx.file,
            node.line_of(key),
            f"use one of: {', '.join(g.value for g in Grain)}",
        )
        return None


def semantic_model(node: Node, ctx: Context) -> SemanticModel | None:
    """Parse one ``semantic_models`` item."""
    name = _name(node, ctx, "semantic model")
    what = f"semantic model '{name}'"
    _check_keys(node, "semantic_model", ctx, what)
    if name is None:
        return None
    relation, ref = relation_of(node, ctx, what)
    defaults = _sub(node, "defaults")
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
    entities = tuple(e for e in (_entity(n, ctx, what) for n in _list(node, "entities", ctx, what)) if e)
    dims = tuple(d for d in (_dimension(n, ctx, what) for n in _list(node, "dimensions", ctx, what)) if d)
    measures = tuple(
        m
        for m in (_measure(n, ctx, what, name, default_time) for n in _list(node, "measures", ctx, what))
        if m
    )
    return SemanticModel(
        name=name,
        relation=relation,
        ref=ref,
        entities=entities,
        dimensions=dims,
        measures=measures,
        description=_text(node, "description"),
        label=_text(node, "label"),
        primary_entity=node.get("primary_entity"),
        default_agg_time_dimension=default_time,
        meta=_meta(node),
        file=ctx.file,
        line=node.line,
    )


def _list(node: Node, key: str, ctx: Context, what: str) -> list[Node]:
    value = node.get(key) or []
    if not isinstance(value, list):
        ctx.issues.error(
            f"{what}: '{key}' must be a list",
            ctx.file,
            node.line_of(key),
            f"write '{key}:' then '- name: ...'",
        )
        return []
    return [v for v in value if isinstance(v, Node)]


def _entity(node: Node, ctx: Context, owner: str) -> Entity | None:
    name = _name(node, ctx, f"{owner}: entity")
    _check_keys(node, "entity", ctx, f"{owner}: entity '{name}'")
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
        _text(node, "description"),
        _text(node, "label"),
        _meta(node),
    )


def _dimension(node: Node, ctx: Context, owner: str) -> Dimension | None:
    name = _name(node, ctx, f"{owner}: dimension")
    what = f"{owner}: dimension '{name}'"
    _check_keys(node, "dimension", ctx, what)
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
            grain = _grain(raw, params, "time_granularity", ctx, what) if params else None
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
        _text(node, "description"),
        _text(node, "label"),
        bool(node.get("is_partition")),
        _meta(node),
        node.line,
        validity,
    )


def _measure(node: Node, ctx: Context, owner: str, model: str, default_time: str | None) -> Measure | None:
    name = _name(node, ctx, f"{owner}: measure")
    what = f"{owner}: measure '{name}'"
    _check_keys(node, "measure", ctx, what)
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
            _did_you_mean(raw, [a.value for a in Agg]),
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
    time_dim = node.get("agg_time_dimension") or default_time or ""
    return Measure(
        name=name,
        agg=agg,
        expr=str(node.get("expr") if node.get("expr") is not None else name),
        agg_time_dimension=str(time_dim),
        semantic_model=model,
        description=_text(node, "description"),
        label=_text(node, "label"),
        non_additive=nad,
        percentile=float(percentile) if isinstance(percentile, int | float) else None,
        discrete_percentile=bool(params.get("use_discrete_percentile")) if params else False,
        approximate_percentile=bool(params.get("use_approximate_percentile")) if params else False,
        meta=_meta(node),
        line=node.line,
    )


def _measure_input(value: Any, node: Node, key: str, ctx: Context, what: str) -> MeasureInput | None:
    if isinstance(value, str):
        return MeasureInput(value)
    if isinstance(value, Node):
        _check_keys(value, "measure_input", ctx, f"{what}: {key}")
        if not value.get("name"):
            ctx.issues.error(f"{what}: {key} has no name", ctx.file, value.line, "add name: <measure>")
            return None
        fill = value.get("fill_nulls_with")
        return MeasureInput(
            str(value["name"]),
            _wheres(value.get("filter"), value, "filter", ctx),
            value.get("alias"),
            bool(value.get("join_to_timespine")),
            fill if isinstance(fill, int | float) else None,
        )
    ctx.issues.error(
        f"{what}: '{key}' is missing",
        ctx.file,
        node.line_of(key) if node else None,
        f"add {key}: <measure name>",
    )
    return None


def _metric_input(value: Any, node: Node, key: str, ctx: Context, what: str) -> MetricInput | None:
    if isinstance(value, str):
        return MetricInput(value)
    if isinstance(value, Node):
        _check_keys(value, "metric_input", ctx, f"{what}: {key}")
        if not value.get("name"):
            ctx.issues.error(
                f"{what}: an input metric has no name", ctx.file, value.line, "add name: <metric>"
            )
            return None
        return MetricInput(
            str(value["name"]),
            _wheres(value.get("filter"), value, "filter", ctx),
            value.get("alias"),
            value.get("offset_window"),
            _grain(value.get("offset_to_grain"), value, "offset_to_grain", ctx, what),
        )
    ctx.issues.error(f"{what}: '{key}' is missing", ctx.file, node.line, f"add {key}: <metric name>")
    return None


def metric(node: Node, ctx: Context) -> Metric | None:
    """Parse one ``metrics`` item."""
    name = _name(node, ctx, "metric")
    what = f"metric '{name}'"
    _check_keys(node, "metric", ctx, what)
    if name is None:
        return None
    raw_type = str(node.get("type") or "").lower()
    try:
        mtype = MetricType(raw_type)
    except ValueError:
        ctx.issues.error(
            f"{what} has type '{raw_type}'",
            ctx.file,
            node.line_of("type"),
            "use simple, ratio, derived, cumulative or conversion",
        )
        return None
    tp = node.get("type_params")
    if not isinstance(tp, Node):
        ctx.issues.error(f"{what} has no type_params", ctx.file, node.line, "add type_params: {measure: ...}")
        return None
    _check_keys(tp, "type_params", ctx, what)
    fields: dict[str, Any] = {}
    if mtype in (MetricType.SIMPLE, MetricType.CUMULATIVE):
        fields["measure"] = _measure_input(tp.get("measure"), tp, "measure", ctx, what)
    if mtype is MetricType.CUMULATIVE:
        ctp = _sub(tp, "cumulative_type_params") if isinstance(tp.get("cumulative_type_params"), Node) else tp
        if ctp is not tp:
            _check_keys(ctp, "cumulative_type_params", ctx, what)
        window, gtd = (
            ctp.get("window") or tp.get("window"),
            ctp.get("grain_to_date") or tp.get("grain_to_date"),
        )
        if window and gtd:
            ctx.issues.error(
                f"{what} sets both window and grain_to_date",
                ctx.file,
                ctp.line,
                "keep one: a trailing window or a to-date grain",
            )
        fields["cumulative"] = Cumulative(
            str(window) if window else None,
            _grain(gtd, ctp, "grain_to_date", ctx, what),
            str(ctp.get("period_agg") or "first").lower(),
        )
    if mtype is MetricType.RATIO:
        fields["numerator"] = _metric_input(tp.get("numerator"), tp, "numerator", ctx, what)
        fields["denominator"] = _metric_input(tp.get("denominator"), tp, "denominator", ctx, what)
    if mtype is MetricType.DERIVED:
        fields["expr"] = str(tp.get("expr") or "")
        inputs = tp.get("metrics") or []
        fields["inputs"] = tuple(i for i in (_metric_input(v, tp, "metrics", ctx, what) for v in inputs) if i)
        if not fields["expr"]:
            ctx.issues.error(f"{what} is derived but has no expr", ctx.file, tp.line, "add expr: a - b")
    if mtype is MetricType.CONVERSION:
        fields["conversion"] = _conversion(tp.get("conversion_type_params"), tp, ctx, what)
    return Metric(
        name=name,
        type=mtype,
        label=_text(node, "label"),
        description=_text(node, "description"),
        filter=_wheres(node.get("filter"), node, "filter", ctx),
        time_granularity=_grain(node.get("time_granularity"), node, "time_granularity", ctx, what),
        meta=_meta(node),
        file=ctx.file,
        line=node.line,
        **fields,
    )


def _conversion(value: Any, tp: Node, ctx: Context, what: str) -> Conversion | None:
    if not isinstance(value, Node):
        ctx.issues.error(
            f"{what} has no conversion_type_params",
            ctx.file,
            tp.line,
            "add conversion_type_params: {base_measure, conversion_measure, entity}",
        )
        return None
    _check_keys(value, "conversion_type_params", ctx, what)
    base = _measure_input(value.get("base_measure"), value, "base_measure", ctx, what)
    conv = _measure_input(value.get("conversion_measure"), value, "conversion_measure", ctx, what)
    entity = value.get("entity")
    if not entity:
        ctx.issues.error(
            f"{what} has no conversion entity", ctx.file, value.line, "add entity: <entity name>"
        )
    calc = str(value.get("calculation") or "conversion_rate").lower()
    if calc not in ("conversion_rate", "conversions"):
        ctx.issues.error(
            f"{what}: calculation '{calc}'",
            ctx.file,
            value.line_of("calculation"),
            "use conversion_rate or conversions",
        )
    props = tuple(
        ConstantProperty(str(p.get("base_property")), str(p.get("conversion_property")))
        for p in value.get("constant_properties") or []
        if isinstance(p, dict)
    )
    if base is None or conv is None or not entity:
        return None
    return Conversion(base, conv, str(entity), calc, value.get("window"), props)


def saved_query(node: Node, ctx: Context) -> SavedQuery | None:
    """Parse one ``saved_queries`` item."""
    name = _name(node, ctx, "saved query")
    _check_keys(node, "saved_query", ctx, f"saved query '{name}'")
    if name is None:
        return None
    qp = _sub(node, "query_params")
    return SavedQuery(
        name,
        tuple(str(m) for m in qp.get("metrics") or []),
        tuple(str(g) for g in qp.get("group_by") or []),
        _wheres(qp.get("where"), qp, "where", ctx),
        _text(node, "description"),
        _text(node, "label"),
        ctx.file,
        node.line,
    )


def time_spine_model(node: Node, ctx: Context) -> TimeSpine | None:
    """A dbt ``models:`` entry that declares ``time_spine`` (dbt ≥ 1.9), else None."""
    spine = node.get("time_spine")
    name = node.get("name")
    if not isinstance(spine, Node) or not isinstance(name, str):
        return None
    column = str(spine.get("standard_granularity_column") or "")
    if not column:
        ctx.issues.error(
            f"time spine model '{name}' has no standard_granularity_column",
            ctx.file,
            spine.line,
            "add standard_granularity_column: date_day",
        )
        return None
    grain = Grain.DAY
    for col in node.get("columns") or []:
        if isinstance(col, Node) and col.get("name") == column and col.get("granularity"):
            grain = (
                _grain(col.get("granularity"), col, "granularity", ctx, f"time spine '{name}'") or Grain.DAY
            )
    custom = tuple(
        (str(c.get("name")), str(c.get("column_name") or c.get("name")))
        for c in spine.get("custom_granularities") or []
        if isinstance(c, dict)
    )
    return TimeSpine(qualify(name, ctx.schema), column, grain, custom)


def canonical_dataset(node: Node, ctx: Context) -> CanonicalDataset | None:
    """Parse one ``canonical_datasets`` item."""
    name = _name(node, ctx, "canonical dataset")
    what = f"canonical dataset '{name}'"
    _check_keys(node, "canonical_dataset", ctx, what)
    if name is None:
        return None
    relation, ref = relation_of(node, ctx, what)
    lineage = node.get("lineage") if isinstance(node.get("lineage"), dict) else {}
    sla = node.get("sla") if isinstance(node.get("sla"), dict) else {}

    def strings(value: Any) -> tuple[str, ...]:
        return tuple(str(v) for v in value) if isinstance(value, list) else ((str(value),) if value else ())

    return CanonicalDataset(
        name=name,
        relation=relation,
        ref=ref,
        description=_text(node, "description"),
        grain=_text(node, "grain"),
        primary_key=strings(node.get("primary_key")),
        owner=_text(node, "owner"),
        sla=dict(sla or {}),
        certification=_text(node, "certification"),
        core_attributes=strings(node.get("core_attributes")),
        upstream=strings(lineage.get("upstream") if lineage else None),
        tags=strings(node.get("tags")),
        file=ctx.file,
        line=node.line,
    )
