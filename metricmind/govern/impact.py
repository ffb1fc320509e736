"""What deprecating a canonical dataset would touch: the semantic models and dbt models built on it, the
metrics computed from it (directly and through other metrics), the saved queries that use them, and the
recent queries that read it (the catalog's executions and the knowledge graph's logged queries).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from metricmind.catalog.schema import execution_metrics, executions
from metricmind.errors import UnknownNameError
from metricmind.govern import lineage
from metricmind.govern.checks import qualified
from metricmind.spec.model import Model


def dependents(model: Model, dbt: lineage.Project, dataset: str) -> dict[str, Any]:
    """The static part: models, semantic models, metrics and saved queries that use ``dataset``.

    Raises:
        UnknownNameError: ``dataset`` is not a canonical dataset (with the closest names).
    """
    ds = model.canonical_datasets.get(dataset)
    if ds is None:
        raise UnknownNameError("canonical dataset", dataset, model.canonical_datasets)
    ref = (ds.ref or ds.relation.rsplit(".", 1)[-1]).lower()
    # dbt models that read the dataset, through any depth
    readers: dict[str, set[str]] = {}
    for name in dbt.models:
        for item in dbt.inputs(name) or []:
            target = item.name.lower().rsplit(".", 1)[-1] if item.kind == "table" else item.name.lower()
            readers.setdefault(target, set()).add(name.lower())
    downstream: set[str] = set()
    frontier = {ref}
    while frontier:
        nxt = {r for f in frontier for r in readers.get(f, set())} - downstream - {ref}
        downstream |= nxt
        frontier = nxt
    built_on = {ref, *downstream}
    models = sorted(
        sm.name
        for sm in model.semantic_models.values()
        if (sm.ref or "").lower() in built_on or qualified(sm.relation) == qualified(ds.relation)
    )
    direct = sorted(
        m.name
        for m in model.metrics.values()
        if any(model.measures[x].semantic_model in models for x in _own_measures(model, m.name))
    )
    through = sorted(
        name for name in model.metrics if name not in direct and set(model.source_models(name)) & set(models)
    )
    affected = set(direct) | set(through)
    entities = {e.name for sm in models for e in model.semantic_models[sm].entities if e.type.is_key}
    saved = sorted(
        sq.name
        for sq in model.saved_queries.values()
        if affected & set(sq.metrics)
        or any(g.split("__", 1)[0] in entities for g in sq.group_by if "__" in g)
    )
    canonical = sorted(
        other.name
        for other in model.canonical_datasets.values()
        if other.name != ds.name and (other.ref or "").lower() in downstream
    )
    return {
        "dataset": ds.name,
        "relation": ds.relation,
        "owner": ds.owner,
        "dbt_models": sorted(downstream),
        "canonical_datasets": canonical,
        "semantic_models": models,
        "metrics": direct,
        "indirect_metrics": through,
        "saved_queries": saved,
    }


def _own_measures(model: Model, metric: str) -> list[str]:
    m = model.metrics[metric]
    out = [m.measure.name] if m.measure else []
    if m.conversion:
        out += [m.conversion.base_measure.name, m.conversion.conversion_measure.name]
    return [x for x in out if x in model.measures]


def recent_runs(
    engine: sa.Engine, metrics: list[str], relations: list[str], days: int, limit: int = 20
) -> dict[str, Any]:
    """Executions recorded by the catalog in the last ``days`` days that queried one of ``metrics`` or
    whose SQL names one of ``relations``: how many, by whom, and the latest ``limit`` of them.
    """
    since = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - dt.timedelta(days=days)
    names = set(metrics)
    with engine.connect() as conn:
        by_metric = set(
            conn.execute(
                sa.select(execution_metrics.c.execution_id).where(
                    execution_metrics.c.at >= since, execution_metrics.c.metric.in_(names or {""})
                )
            ).scalars()
        )
        rows = conn.execute(
            sa.select(
                executions.c.id,
                executions.c.at,
                executions.c.user_name,
                executions.c.source,
                executions.c.metrics,
                executions.c.sql,
            )
            .where(executions.c.at >= since)
            .order_by(executions.c.id.desc())
        ).all()
    lowered = [r.lower() for r in relations]
    hits = [r for r in rows if r.id in by_metric or any(rel in (r.sql or "").lower() for rel in lowered)]
    return {
        "days": days,
        "count": len(hits),
        "users": sorted({r.user_name for r in hits if r.user_name}),
        "latest": [
            {
                "id": r.id,
                "at": r.at.isoformat(sep=" ", timespec="seconds"),
                "user": r.user_name,
                "source": r.source,
                "metrics": list(r.metrics or []),
            }
            for r in hits[:limit]
        ],
    }


def impact_text(data: dict[str, Any]) -> str:
    """The human view of an impact report."""

    def line(title: str, names: list[str]) -> str:
        return f"{title}: {', '.join(names) if names else 'none'}"

    out = [
        f"deprecating {data['dataset']} ({data['relation']}, owner {data['owner'] or 'none'}) touches:",
        "  " + line("dbt models built on it", data["dbt_models"]),
        "  " + line("canonical datasets built on it", data["canonical_datasets"]),
        "  " + line("semantic models", data["semantic_models"]),
        "  " + line("metrics", data["metrics"]),
        "  " + line("metrics through other metrics", data["indirect_metrics"]),
        "  " + line("saved queries", data["saved_queries"]),
    ]
    runs = data.get("recent_runs")
    if runs is not None:
        out.append(
            f"  recent runs (last {runs['days']} days): {runs['count']}"
            + (f" by {', '.join(runs['users'])}" if runs["users"] else "")
        )
    graph = data.get("logged_queries")
    if graph is not None:
        out.append(f"  logged query patterns reading it: {graph.get('query_count', 0)}")
    return "\n".join(out)
