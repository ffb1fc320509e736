"""``metricmind querylog ingest``, ``graph …``, ``nightly`` and ``proposals …``: the knowledge graph and review.

SQLAlchemy and the knowledge package are imported inside the command bodies.
"""

from __future__ import annotations

import datetime as dt
import getpass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from metricmind.errors import MetricmindError
from metricmind.interfaces.cli.common import ProjectOpt, dumps, fail, guarded, open_project, render_table

if TYPE_CHECKING:
    from metricmind.knowledge.service import Knowledge
    from metricmind.project import Project

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
BUSY_EXIT = 75
"""Exit status of ``metricmind nightly`` when another run holds the lock (EX_TEMPFAIL: try again later)."""

querylog_app = typer.Typer(
    help="Query logs: ingest warehouse history into the project store.", no_args_is_help=True
)
graph_app = typer.Typer(
    help="The knowledge graph: join paths, rankings, dependencies, impact.", no_args_is_help=True
)
proposals_app = typer.Typer(
    help="Review the nightly job's proposals: list, show, approve, reject.", no_args_is_help=True
)


def _knowledge(project: Project) -> Knowledge:
    from metricmind.knowledge.service import Knowledge
    from metricmind.storage import default_url

    url = project.setting("store.url") or default_url(project.root)
    schema = project.setting("warehouse.schema")
    knowledge = Knowledge(
        str(url),
        project.root,
        project.model,
        project.settings,
        project.dialect,
        str(schema) if schema else None,
    )
    knowledge.context.govern = project.govern_day  # the nightly job reports governance
    knowledge.context.gate = project.proposal_gate  # approvals of proposals pass the validator
    knowledge.context.dbt = project.dbt_executable  # --dbt-build runs the dbt metricmind is set to use
    return knowledge


def _take_spooled_runs(project: Project) -> None:
    """Let the catalog take in the runs spooled by the CLI and MCP, so the graph learns from them too."""
    try:
        project.catalog.ingest_spool()
    except MetricmindError as exc:  # the catalog store is optional for the graph
        typer.echo(f"note: runs spooled for the catalog were not read: {exc.message}", err=True)


def _print(data: Any, as_json: bool, text: str) -> None:
    typer.echo(dumps(data) if as_json else text)


# -- querylog ------------------------------------------------------------------------------------
@guarded
def ingest(
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="JSONL or CSV export of a query log.")
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="auto, snowflake, bigquery or native (metricmind's own columns).")
    ] = "auto",
    postgres: Annotated[
        str | None, typer.Option("--postgres", help="Read pg_stat_statements from this PostgreSQL DSN.")
    ] = None,
    database: Annotated[
        str | None, typer.Option("--database", help="With --postgres: only statements run in this database.")
    ] = None,
    dialect: Annotated[
        str | None, typer.Option("--dialect", help="Dialect of the statements in --file.")
    ] = None,
    source: Annotated[
        str | None, typer.Option("--source", help="Name of the log (default: file:<format> or pg:<host/db>).")
    ] = None,
    process: Annotated[
        bool, typer.Option("--process/--no-process", help="Update the graph right away.")
    ] = True,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Store a query log (idempotently: the same records twice count once) and update the graph."""
    from metricmind.knowledge.ingest import ingest_pg_stats, ingest_records

    if (file is None) == (postgres is None):
        fail("give exactly one of --file or --postgres")
    if fmt not in ("auto", "snowflake", "bigquery", "native"):
        fail(f"unknown --format {fmt!r}", "Use auto, snowflake, bigquery or native.")
    proj = open_project(project)
    knowledge = _knowledge(proj)
    engine = knowledge.engine
    limit = int(knowledge.context.setting("knowledge.max_statement_bytes"))
    if file is not None:
        from metricmind.warehouse.querylogs import LogFile

        log = LogFile(file, None if fmt == "auto" else fmt, dialect, max_statement_bytes=limit)
        name = source or "file"
        report = ingest_records(engine, log, name, max_statement_bytes=limit)
    else:
        assert postgres is not None
        from urllib.parse import urlsplit

        from metricmind.warehouse.querylogs import read_pg_stat_statements

        stats = read_pg_stat_statements(postgres, database=database)
        parts = urlsplit(postgres)
        name = source or f"pg:{parts.hostname or 'local'}:{parts.port or 5432}{parts.path or ''}"
        report = ingest_pg_stats(engine, stats, name, max_statement_bytes=limit)
    if process:
        report.processed = knowledge.refresh()
    data = report.to_dict() | {"source": name}
    text = (
        f"{report.read} records read, {report.inserted} new, {report.duplicates} already stored, "
        f"{report.skipped} skipped; {report.processed} folded into the graph ({name})"
    )
    if report.reasons:
        text += "\nskipped: " + ", ".join(f"{n} {why}" for why, n in sorted(report.reasons.items()))
    if report.problems:
        text += "\n" + "\n".join(f"  {p}" for p in report.problems)
    _print(data, as_json, text)


# -- graph ---------------------------------------------------------------------------------------
@guarded
def path(
    source: Annotated[str, typer.Argument(help="Table to start from (schema.table or table).")],
    target: Annotated[str, typer.Argument(help="Table to reach.")],
    by: Annotated[
        str, typer.Option("--by", help="usage (most used), speed (fastest) or canonical.")
    ] = "usage",
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The best join path between two tables."""
    proj = open_project(project)
    data = _knowledge(proj).path(source, target, by)
    if not data["found"]:
        if as_json:
            typer.echo(dumps(data))
        fail(
            f"no join path from {data['from']} to {data['to']}",
            "The graph knows joins from the model and the query log.",
        )
    lines = [" → ".join(data["path"]) + f"   (by {by})"]
    for j in data["joins"]:
        ms = f", {j['avg_ms']} ms avg" if j["avg_ms"] is not None else ""
        lines.append(f"  {j['condition']}   [{j['uses']} uses{ms}{', declared' if j['in_model'] else ''}]")
    _print(data, as_json, "\n".join(lines))


@guarded
def top(
    what: Annotated[str, typer.Argument(help="tables, metrics, dimensions or queries.")],
    limit: Annotated[int, typer.Option("--limit", "-l", help="How many.")] = 10,
    days: Annotated[
        int | None, typer.Option("--days", help="Only the last N days (default: all time).")
    ] = None,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The most used tables, metrics, dimensions or query patterns."""
    proj = open_project(project)
    data = _knowledge(proj).top(what, limit=limit, days=days)
    rows = [
        (i + 1, item["name"], item["uses"], item["last_used"] or "") for i, item in enumerate(data["items"])
    ]
    _print(data, as_json, render_table(["rank", what.rstrip("s"), "uses", "last used"], rows))


@guarded
def depends(
    metric: Annotated[str, typer.Argument(help="Metric name.")],
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """What a metric depends on: input metrics, tables, columns, canonical datasets, dimensions."""
    proj = open_project(project)
    data = _knowledge(proj).depends(metric)
    lines = [f"{metric}  ({data['uses']} uses)"]
    for key in ("metrics", "tables", "columns", "canonical_datasets"):
        if data[key]:
            lines.append(f"  {key.replace('_', ' ')}: {', '.join(data[key])}")
    used = [d for d in data["dimensions"] if d["uses"]]
    if used:
        lines.append("  used with: " + ", ".join(f"{d['name']} ({d['uses']})" for d in used))
    _print(data, as_json, "\n".join(lines))


@guarded
def impact(
    table: Annotated[str, typer.Argument(help="Table (schema.table or table).")],
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """What depends on a table: metrics, dimensions, canonical datasets, queries, joined tables."""
    proj = open_project(project)
    data = _knowledge(proj).impact(table)
    lines = [f"{data['table']}  ({data['uses']} uses, {data['query_count']} query patterns)"]
    for key in ("metrics", "indirect_metrics", "dimensions", "canonical_datasets"):
        if data[key]:
            lines.append(f"  {key.replace('_', ' ')}: {', '.join(data[key])}")
    if data["joined_with"]:
        lines.append(
            "  joined with: " + ", ".join(f"{j['table']} ({j['uses']})" for j in data["joined_with"])
        )
    _print(data, as_json, "\n".join(lines))


@guarded
def update(project: ProjectOpt = None, as_json: JsonOpt = False) -> None:
    """Sync the model into the graph and fold every stored log record not counted yet."""
    from metricmind.knowledge.graph import summary

    proj = open_project(project)
    knowledge = _knowledge(proj)
    n = knowledge.refresh()
    data = {"processed": n} | summary(knowledge.engine)
    _print(data, as_json, f"{n} records folded; nodes {data['nodes']}; edges {data['edges']}")


# -- nightly -------------------------------------------------------------------------------------
@guarded
def nightly(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Day the run is for (YYYY-MM-DD); default today.")
    ] = None,
    announce: Annotated[
        bool,
        typer.Option(
            "--announce/--no-announce", help="Open the GitHub pull request / post to Slack when configured."
        ),
    ] = True,
    wait: Annotated[
        float,
        typer.Option("--wait", help="Seconds to wait when another nightly run holds the lock (default 0)."),
    ] = 0.0,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Fold new log records, mine proposals, write them to a git branch with PROPOSAL.md (safe to re-run).

    One run at a time per project: when another holds the lock, this one says so and exits with
    status 75 (EX_TEMPFAIL), having touched nothing.
    """
    from metricmind.knowledge.lock import NightlyBusy
    from metricmind.knowledge.nightly import run
    from metricmind.project.nightlearn import learner_step

    day = None
    if as_of:
        try:
            day = dt.date.fromisoformat(as_of)
        except ValueError:
            fail(f"--as-of {as_of!r} is not a date", "Write it as YYYY-MM-DD.")
    proj = open_project(project)
    _take_spooled_runs(proj)
    knowledge = _knowledge(proj)
    try:
        summary = run(
            knowledge.engine,
            knowledge.context,
            as_of=day,
            announce=announce,
            wait=wait,
            extra=lambda day: learner_step(proj, day),
        )
    except NightlyBusy as exc:
        fail(exc.message, exc.hint, code=BUSY_EXIT)
    lines = [
        f"nightly {summary['as_of']}: {summary['processed']} records folded, {len(summary['proposals'])} proposal(s)"
    ]
    lines += [
        f"  {p['id']}  {p['summary']}  (confidence {p['confidence']:.2f})" for p in summary["proposals"]
    ]
    if summary["branch"]:
        lines.append(
            f"branch: {summary['branch']} ({(summary['commit'] or '')[:10]}) — see PROPOSAL.md there"
        )
    for what, ranked in summary["popular"].items():
        if ranked:
            lines.append(f"most used {what}: " + ", ".join(f"{r['name']} ({r['uses']})" for r in ranked[:5]))
    if summary["trending"]:
        lines.append("trending: " + ", ".join(t["name"] for t in summary["trending"][:5]))
    governance = summary.get("governance")
    if governance:
        lines.append(
            f"governance: {governance['errors']} error(s), {governance['warnings']} warning(s)"
            if "findings" in governance
            else f"governance: not checked ({governance.get('message')})"
        )
        lines += [f"  {f['level']}[{f['code']}] {f['message']}" for f in governance.get("findings", [])[:10]]
    learned = summary.get("learn") or {}
    if learned:
        rollups = learned.get("rollups") or {}
        lines.append(
            f"learned: {learned.get('skills', 0)} skill(s), {learned.get('proposals', 0)} proposal(s), "
            f"rollups built {len(rollups.get('built', []))}, kept {len(rollups.get('kept', []))}, "
            f"dropped {len(rollups.get('dropped', []))}"
        )
    for channel, info in summary["notified"].items():
        lines.append(f"announced on {channel}: {info.get('url') or 'sent'}")
    _print(summary, as_json, "\n".join(lines))


# -- proposals -----------------------------------------------------------------------------------
@guarded
def list_(
    status: Annotated[str | None, typer.Option("--status", help="pending, approved or rejected.")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="metric, dimension or deprecation.")] = None,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Proposals and their status."""
    proj = open_project(project)
    data = _knowledge(proj).proposals(status, kind)
    rows = [(p["id"], p["kind"], p["status"], round(p["confidence"], 2), p["summary"]) for p in data]
    _print(data, as_json, render_table(["id", "kind", "status", "confidence", "summary"], rows))


@guarded
def show(
    proposal_id: Annotated[str, typer.Argument(metavar="ID", help="Proposal id (e.g. M-1a2b3c4).")],
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """One proposal: its YAML changes and the evidence behind it."""
    import yaml

    proj = open_project(project)
    data = _knowledge(proj).proposal(proposal_id)
    ev = data["payload"]["evidence"]
    lines = [
        f"{data['id']}  {data['kind']} {data['name']}  [{data['status']}]  confidence {data['confidence']:.2f}",
        data["payload"]["summary"],
        f"calls: {ev.get('calls', 0)}  users: {', '.join(ev.get('users', [])) or '-'}  branch: {data['branch'] or '-'}",
        "",
        yaml.safe_dump(data["payload"]["changes"], sort_keys=False).rstrip(),
    ]
    for sql in ev.get("sample_queries", [])[:3]:
        lines += ["", "-- sample query", sql]
    _print(data, as_json, "\n".join(lines))


@guarded
def approve(
    ids: Annotated[list[str], typer.Argument(metavar="ID...", help="Proposal ids to approve.")],
    dbt_build: Annotated[bool, typer.Option("--dbt-build", help="Run `dbt build` after the merge.")] = False,
    by: Annotated[str | None, typer.Option("--by", help="Reviewer name (default: the OS user).")] = None,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Approve proposals: their YAML changes are merged into the base branch (real git)."""
    proj = open_project(project)
    data = _knowledge(proj).approve(ids, by=by or getpass.getuser(), dbt_build=dbt_build)
    text = (
        f"approved {', '.join(data['approved'])}; merged into {data['merged_into']} ({data['commit'][:10]})"
    )
    if "dbt" in data:
        text += "\ndbt build: ok"
    _print(data, as_json, text)


@guarded
def reject(
    ids: Annotated[list[str], typer.Argument(metavar="ID...", help="Proposal ids to reject.")],
    reason: Annotated[str | None, typer.Option("--reason", help="Why (kept with the decision).")] = None,
    by: Annotated[str | None, typer.Option("--by", help="Reviewer name (default: the OS user).")] = None,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Reject proposals: they are remembered and never proposed again."""
    proj = open_project(project)
    data = _knowledge(proj).reject(ids, by=by or getpass.getuser(), reason=reason)
    _print(data, as_json, f"rejected {', '.join(data['rejected'])}")


def _group(app: typer.Typer, name: str, fallback: typer.Typer, help_text: str) -> typer.Typer:
    """The sub-application ``name`` of ``app`` (another module may have added it already)."""
    for info in app.registered_groups:
        if info.name == name and info.typer_instance is not None:
            return info.typer_instance
    app.add_typer(fallback, name=name, help=help_text)
    return fallback


def register(app: typer.Typer) -> None:
    """Add the commands to ``app``."""
    group = _group(
        app, "querylog", querylog_app, "Query logs: ingest warehouse history into the project store."
    )
    group.command("ingest")(ingest)
    graph_app.command("path")(path)
    graph_app.command("top")(top)
    graph_app.command("depends")(depends)
    graph_app.command("impact")(impact)
    graph_app.command("update")(update)
    app.add_typer(
        graph_app, name="graph", help="The knowledge graph: join paths, rankings, dependencies, impact."
    )
    app.command("nightly")(nightly)
    proposals_app.command("list")(list_)
    proposals_app.command("show")(show)
    proposals_app.command("approve")(approve)
    proposals_app.command("reject")(reject)
    app.add_typer(proposals_app, name="proposals", help="Review the nightly job's proposals.")
