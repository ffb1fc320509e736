"""``validate``, ``list``, ``sql`` and ``query``."""

from __future__ import annotations

import enum
import sys
from typing import Annotated

import typer

from metricmind.interfaces.cli.common import (
    DialectOpt,
    EndOpt,
    GroupByOpt,
    LimitOpt,
    MetricsOpt,
    OrderOpt,
    OverlapOpt,
    ProjectOpt,
    SavedOpt,
    StartOpt,
    WhereOpt,
    build_query,
    dumps,
    guarded,
    open_project,
    render_csv,
    render_table,
)
from metricmind.project import Project


class Format(str, enum.Enum):
    """Output formats of ``query``."""

    table = "table"
    csv = "csv"
    json = "json"


class What(str, enum.Enum):
    """What ``list`` lists."""

    metrics = "metrics"
    dimensions = "dimensions"
    saved_queries = "saved-queries"
    datasets = "datasets"


@guarded
def validate(
    project: ProjectOpt = None,
    deep: Annotated[
        bool, typer.Option("--deep", help="Also compile every metric and run MetricFlow's own rules.")
    ] = False,
    warehouse: Annotated[
        bool, typer.Option("--warehouse", help="Also run every metric against the warehouse.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print issues as JSON.")] = False,
) -> None:
    """Check the project's YAML; every issue with file:line and a hint. Exit code 2 when there are errors."""
    proj = Project.load(project, strict=False)
    issues = proj.validate(deep=deep, warehouse=warehouse)
    errors = [i for i in issues if i.level.value == "error"]
    left_out = list(proj.unavailable)
    if as_json:
        typer.echo(
            dumps(
                {
                    "ok": not errors,
                    "issues": [i.to_dict() for i in issues],
                    "unavailable": [u.to_dict() for u in left_out],
                }
            )
        )
    else:
        for issue in issues:
            typer.echo(str(issue), err=issue.level.value == "error")
        listed = _left_out_summary(proj)
        if listed:
            typer.echo(f"left out because of the errors above (everything else loads): {listed}", err=True)
        m = proj.model
        summary = (
            f"{len(m.semantic_models)} semantic models, {len(m.metrics)} metrics, "
            f"{len(m.saved_queries)} saved queries: {len(errors)} error(s), {len(issues) - len(errors)} warning(s)"
        )
        typer.echo(("OK: " if not errors else "FAILED: ") + summary, err=bool(errors))
    if errors:
        raise typer.Exit(2)


def _left_out_summary(proj: Project) -> str:
    """``metrics a, b; measures c; the names in models/x.yml (d, e)``: what triage left out, grouped."""
    plural = {"metric": "metrics", "measure": "measures", "dimension": "dimensions"}
    plural.update({"semantic model": "semantic models", "saved query": "saved queries"})
    groups: dict[str, list[str]] = {}
    for u in proj.unavailable:
        key = f"the names in {u.cause.file}" if u.kind == "name" else plural.get(u.kind, u.kind)
        groups.setdefault(key, []).append(u.name)
    parts = []
    for key, names in groups.items():
        shown = ", ".join(sorted(names)[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "")
        parts.append(f"{key} ({shown})" if key.startswith("the names in ") else f"{key} {shown}")
    return "; ".join(parts)


def _trend_mark(trend: dict[str, object] | None) -> str:
    """``▲ 14 (4 before)`` / ``▲ 9 (new)``: the marker of a trending metric in ``list metrics``."""
    if not trend:
        return ""
    before = "new" if trend["new"] else f"{trend['uses_before']} before"
    return f"▲ {trend['uses']} ({before})"


@guarded
def list_(
    what: Annotated[What, typer.Argument(help="metrics, dimensions, saved-queries or datasets.")],
    project: ProjectOpt = None,
    metric: Annotated[
        str | None, typer.Option("--metric", help="Only dimensions usable with this metric.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
    trending: Annotated[
        bool, typer.Option("--trending", help="Only metrics the nightly learner marked trending.")
    ] = False,
) -> None:
    """List metrics (by category, trending ones marked), dimensions (optionally for one metric), saved
    queries or canonical datasets.
    """
    proj = open_project(project)
    rows: list[tuple[str, ...]]
    if trending and what is not What.metrics:
        raise typer.BadParameter("--trending lists metrics only: `metricmind list metrics --trending`.")
    if what is What.metrics:
        trends = {t["name"]: t for t in proj.trending_metrics()}
        metrics = [m for m in proj.metrics() if m.name in trends] if trending else proj.metrics()
        if as_json:
            typer.echo(
                dumps(
                    [
                        {
                            "name": m.name,
                            "type": m.type.value,
                            "label": m.label,
                            "description": m.description,
                            "category": m.category,
                            "owner": m.owner,
                            "status": m.meta.get("status"),
                            "trending": trends.get(m.name),
                        }
                        for m in metrics
                    ]
                )
            )
            return
        rows = [
            (m.name, m.type.value, m.category, str(m.meta.get("status") or ""), m.label or m.description)
            for m in metrics
        ]
        columns = ["metric", "type", "category", "status", "label"]
        if trends:  # a column only when something trends: the plain listing stays as it was
            columns.append("trending")
            rows = [(*r, _trend_mark(trends.get(r[0]))) for r in rows]
        if trending and not rows:
            typer.echo(
                "No metric is trending (the nightly learner marks them; see `metricmind learn status`)."
            )
            return
        typer.echo(render_table(columns, rows, max_rows=10_000))
    elif what is What.dimensions:
        dims = proj.dimensions(metric)
        if as_json:
            typer.echo(
                dumps(
                    [
                        {
                            "name": d.name,
                            "type": d.type,
                            "grains": list(d.grains),
                            "description": d.description,
                        }
                        for d in dims
                    ]
                )
            )
            return
        rows = [(d.name, d.type, ",".join(d.grains), d.description) for d in dims]
        typer.echo(render_table(["dimension", "type", "grains", "description"], rows, max_rows=10_000))
    elif what is What.saved_queries:
        sqs = sorted(proj.model.saved_queries.values(), key=lambda s: s.name)
        rows = [(s.name, ",".join(s.metrics), ",".join(s.group_by), s.description) for s in sqs]
        if as_json:
            typer.echo(
                dumps(
                    [dict(zip(["name", "metrics", "group_by", "description"], r, strict=True)) for r in rows]
                )
            )
            return
        typer.echo(render_table(["saved query", "metrics", "group by", "description"], rows, max_rows=10_000))
    else:
        ds = sorted(proj.model.canonical_datasets.values(), key=lambda d: d.name)
        rows = [(d.name, d.grain, d.owner, d.certification, d.relation) for d in ds]
        if as_json:
            typer.echo(
                dumps(
                    [
                        dict(zip(["name", "grain", "owner", "certification", "relation"], r, strict=True))
                        for r in rows
                    ]
                )
            )
            return
        typer.echo(
            render_table(["dataset", "grain", "owner", "certification", "relation"], rows, max_rows=10_000)
        )


@guarded
def sql(
    metrics: MetricsOpt = [],  # noqa: B006 - typer reads the default
    group_by: GroupByOpt = None,
    where: WhereOpt = None,
    start: StartOpt = None,
    end: EndOpt = None,
    order: OrderOpt = None,
    limit: LimitOpt = None,
    dialect: DialectOpt = None,
    saved_query: SavedOpt = None,
    overlapping_groups: OverlapOpt = False,
    project: ProjectOpt = None,
) -> None:
    """Print the SQL of a metric query (nothing is executed)."""
    proj = open_project(project)
    query = build_query(
        proj, metrics, group_by, where, start, end, order, limit, saved_query, overlapping_groups
    )
    typer.echo(proj.compile(query, dialect))


@guarded
def query(
    metrics: MetricsOpt = [],  # noqa: B006
    group_by: GroupByOpt = None,
    where: WhereOpt = None,
    start: StartOpt = None,
    end: EndOpt = None,
    order: OrderOpt = None,
    limit: LimitOpt = None,
    saved_query: SavedOpt = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table, csv or json.")] = Format.table,
    show_sql: Annotated[bool, typer.Option("--show-sql", help="Also print the SQL (table format).")] = False,
    overlapping_groups: OverlapOpt = False,
    project: ProjectOpt = None,
) -> None:
    """Run a metric query against the project's warehouse and print the rows."""
    proj = open_project(project)
    q = build_query(proj, metrics, group_by, where, start, end, order, limit, saved_query, overlapping_groups)
    result = proj.run(q, source="cli")
    for warning in result.warnings:  # a deprecated metric: on stderr, so the rows stay clean
        typer.echo(f"warning: {warning}", err=True)
    if fmt is Format.json:
        typer.echo(dumps(result.to_dict()))
    elif fmt is Format.csv:
        sys.stdout.write(render_csv(result.columns, result.rows))
        if result.note:
            typer.echo(f"note: {result.note}", err=True)
    else:
        if show_sql:
            typer.echo(result.sql + "\n")
        typer.echo(render_table(result.columns, result.rows))
        if result.note:
            typer.echo(f"\nnote: {result.note}")
            if result.total is not None and len(result.total.columns) > len(q.metrics):
                typer.echo("true totals:\n" + render_table(result.total.columns, result.total.rows))
        typer.echo(
            f"{result.elapsed_ms:.1f} ms in the warehouse, {result.compile_ms:.1f} ms to compile", err=True
        )


def register(app: typer.Typer) -> None:
    """Add the commands to ``app``."""
    app.command()(validate)
    app.command("list")(list_)
    app.command()(sql)
    app.command()(query)
