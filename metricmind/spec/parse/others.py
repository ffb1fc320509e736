"""Reading the items that stand beside semantic models and metrics: saved queries, time spines (dbt
``models:`` entries that declare ``time_spine``) and canonical datasets.
"""

from __future__ import annotations

from typing import Any

from metricmind.spec.model import CanonicalDataset, Grain, SavedQuery, TimeSpine
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
