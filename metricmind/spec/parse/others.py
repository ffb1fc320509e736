"""Reading the items that stand beside semantic models and metrics: saved queries, time spines (dbt
``models:`` entries that declare ``time_spine``) and canonical datasets.
"""

from __future__ import annotations

from typing import Any

from metricmind.spec.model import FINE_GRAINS, CanonicalDataset, Grain, SavedQuery, TimeSpine
from metricmind.spec.parse.fields import (
    Context,
    check_keys,
    grain_of,
    name_of,
    qualify,
    relation_of,
    sub,
    text_of,
    wheres,
)
from metricmind.spec.yamlio import Node


def saved_query(node: Node, ctx: Context) -> SavedQuery | None:
    """Parse one ``saved_queries`` item."""
    name = name_of(node, ctx, "saved query")
    check_keys(node, "saved_query", ctx, f"saved query '{name}'")
    if name is None:
        return None
    qp = sub(node, "query_params")
    return SavedQuery(
        name,
        tuple(str(m) for m in qp.get("metrics") or []),
        tuple(str(g) for g in qp.get("group_by") or []),
        wheres(qp.get("where"), qp, "where", ctx),
        text_of(node, "description"),
        text_of(node, "label"),
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
                grain_of(col.get("granularity"), col, "granularity", ctx, f"time spine '{name}'") or Grain.DAY
            )
    custom = tuple(
        (str(c.get("name")), str(c.get("column_name") or c.get("name")))
        for c in spine.get("custom_granularities") or []
        if isinstance(c, dict)
    )
    return TimeSpine(qualify(name, ctx.schema), column, grain, custom)


def project_spines(config: Node, ctx: Context) -> list[TimeSpine]:
    """The time spines of MetricFlow's ``project_configuration``: ``time_spines`` (with their grain and
    custom granularities), then the legacy ``time_spine_table_configurations``. Spines finer than a second
    are left out; a grain it does not know is an error.
    """
    out: list[TimeSpine] = []
    entries = [(e, "new") for e in config.get("time_spines") or []]
    entries += [(e, "legacy") for e in config.get("time_spine_table_configurations") or []]
    for entry, kind in entries:
        if not isinstance(entry, Node):
            continue
        if kind == "new":
            found = entry.get("node_relation")
            rel: dict[str, Any] = found if isinstance(found, dict) else {}
            primary = entry.get("primary_column")
            where = primary if isinstance(primary, Node) else entry
            alias, schema = str(rel.get("alias") or ""), rel.get("schema_name")
            relation = (f"{schema}.{alias}" if schema else qualify(alias, ctx.schema)) if alias else ""
            column, raw = str(where.get("name") or ""), where.get("time_granularity")
            custom = tuple(
                (str(c.get("name")), str(c.get("column_name") or c.get("name")))
                for c in entry.get("custom_granularities") or []
                if isinstance(c, dict) and c.get("name")
            )
        else:
            relation, column = str(entry.get("location") or ""), str(entry.get("column_name") or "ds")
            raw, where, custom = entry.get("grain"), entry, ()
        if not relation or not column or str(raw or "day").strip().lower() in FINE_GRAINS:
            continue
        key = "time_granularity" if kind == "new" else "grain"
        grain = grain_of(raw or "day", where, key, ctx, f"time spine '{relation}'")
        if grain is not None:
            out.append(TimeSpine(relation, column, grain, custom))
    return out


def canonical_dataset(node: Node, ctx: Context) -> CanonicalDataset | None:
    """Parse one ``canonical_datasets`` item."""
    name = name_of(node, ctx, "canonical dataset")
    what = f"canonical dataset '{name}'"
    check_keys(node, "canonical_dataset", ctx, what)
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
        description=text_of(node, "description"),
        grain=text_of(node, "grain"),
        primary_key=strings(node.get("primary_key")),
        owner=text_of(node, "owner"),
        sla=dict(sla or {}),
        certification=text_of(node, "certification"),
        core_attributes=strings(node.get("core_attributes")),
        upstream=strings(lineage.get("upstream") if lineage else None),
        tags=strings(node.get("tags")),
        file=ctx.file,
        line=node.line,
    )
