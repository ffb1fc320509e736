"""``metricmind govern`` (the canonical-dataset governance validator, for CI) and ``metricmind govern impact``.

Exit status: 0 when nothing is an error (warnings allowed unless ``--strict``), 1 when a finding is an
error, 2 when the validator could not run (no project, an unreadable warehouse, a bad option).
"""

from __future__ import annotations

from typing import Annotated

import typer

from metricmind.interfaces.cli.common import ProjectOpt, dumps, fail, guarded, open_project

JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print JSON (findings with level, code, file:line, hint).")
]
FINDINGS_EXIT = 1
"""Exit status of ``metricmind govern`` when a finding is an error (or a warning with ``--strict``)."""

govern_app = typer.Typer(
    help="Govern canonical datasets: lineage, grain, joins, owner/SLA, freshness; and a dataset's impact.",
    invoke_without_command=True,
)


@govern_app.callback()
def govern(
    ctx: typer.Context,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Measure freshness at this time (YYYY-MM-DD[THH:MM], UTC); default govern.as_of, else now.",
        ),
    ] = None,
    no_warehouse: Annotated[
        bool,
        typer.Option(
            "--no-warehouse", help="Skip the checks that query the warehouse (grain, joins, freshness)."
        ),
    ] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 on warnings too.")] = False,
) -> None:
    """Check that metrics read canonical datasets, grains are unique, joins do not fan out, and every
    canonical dataset has an owner and an SLA and is fresh; exit 1 on any error (for CI).
    """
    if ctx.invoked_subcommand is not None:
        return
    _check(project, as_json, as_of, no_warehouse, strict)


@guarded
def _check(project: ProjectOpt, as_json: bool, as_of: str | None, no_warehouse: bool, strict: bool) -> None:
    proj = open_project(project)
    report = proj.govern(warehouse=not no_warehouse, as_of=as_of)
    typer.echo(dumps(report.to_dict()) if as_json else report.text())
    if report.errors or (strict and report.warnings):
        raise typer.Exit(FINDINGS_EXIT)


@govern_app.command("impact")
@guarded
def impact(
    dataset: Annotated[str, typer.Argument(help="The canonical dataset you would deprecate.")],
    days: Annotated[int, typer.Option("--days", help="How far back recent runs count (days).")] = 30,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List every dbt model, metric, saved query and recent query that uses a canonical dataset."""
    from metricmind.govern.impact import impact_text

    if days < 1:
        fail(f"--days {days} must be at least 1", "e.g. --days 30")
    data = open_project(project).govern_impact(dataset, days=days)
    typer.echo(dumps(data) if as_json else impact_text(data))


def register(app: typer.Typer) -> None:
    """Add the ``govern`` group to ``app``."""
    app.add_typer(govern_app, name="govern")
