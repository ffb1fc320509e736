"""``metricmind define NAME --definition TEXT --rule TEXT …``: a metric from plain English (docs/define.md).

Thin: the analysis is ``metricmind.define.analyze``, the package ``metricmind.define.generate``;
``--write`` commits the package to a review branch and saves the metric as a draft change through the
catalog (``metricmind.define.write_package``, the same workflow as the web Define form); ``--build`` runs
``dbt build`` of the package first. The catalog opens only for ``--write``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from metricmind.catalog.definitions import to_yaml
from metricmind.define import Definition, Package, Proposal, confirmed, generate, is_doubt, write_package
from metricmind.errors import MetricmindError
from metricmind.interfaces.cli.commands_vocabulary import UserOpt, whoami
from metricmind.interfaces.cli.common import ProjectOpt, dumps, fail, guarded, open_project
from metricmind.project import Project


@guarded
def define(
    name: Annotated[str, typer.Argument(help="The new metric's name, lower_snake_case.")],
    definition: Annotated[
        str, typer.Option("--definition", "-d", help="One line: what the metric measures, in plain English.")
    ],
    rule: Annotated[
        list[str] | None,
        typer.Option("--rule", "-r", help="A business rule in plain English (repeat for several)."),
    ] = None,
    write: Annotated[
        bool,
        typer.Option(
            "--write", help="Save the generated package on a review branch and the metric as a draft change."
        ),
    ] = False,
    build: Annotated[
        bool,
        typer.Option(
            "--build",
            help="With --write: run dbt build of the package first; nothing is written unless it passes.",
        ),
    ] = False,
    confirm: Annotated[
        bool,
        typer.Option(
            "--confirm",
            help="You read the proposal's doubts and it computes what you meant: an uncertain proposal "
            "(a '(doubt)' item) can then be written.",
        ),
    ] = False,
    user: UserOpt = None,
    project: ProjectOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the proposal as JSON.")] = False,
) -> None:
    """Propose a metric from a plain-English definition and rules: sources, measure, rule filters, SQL."""
    if build and not write:
        fail("--build needs --write", "Add --write: the package is built on its review branch.", 2)
    proj = open_project(project)
    proposal = proj.analyze_definition(Definition(name, definition, tuple(rule or ())))
    if confirm:
        proposal = confirmed(proposal, whoami(proj, user) if write else (user or ""))
    data = proposal.to_dict()
    package: Package | None = None
    if proposal.metric is not None:
        data["yaml"] = to_yaml(proposal.metric)
        try:
            package = generate(
                proposal, proj, max_hops=int(proj.setting("max_join_hops")), run_sql=lambda q: _rows(proj, q)
            )
            data["package"] = package.to_dict()
        except MetricmindError as exc:  # the proposal still prints; --write then says why it cannot
            if write:
                raise
            data["package_error"] = exc.to_dict()
    if write and package is not None and not proposal.unread:
        written = write_package(
            package,
            proj.root,
            proj.catalog,
            whoami(proj, user),
            build=build,
            settings=proj.settings,
            proposal=proposal,
        )
        data["change"] = written["change"]
        data["branch"] = written["branch"]
        data["build"] = written["build"]
    if as_json:
        typer.echo(dumps(data))
    else:
        _render(proposal, data, package)
    if proposal.refused:
        fail(
            f"{proposal.refused}: {proposal.message}",
            "Nothing was written. Rephrase the definition or rules.",
            1,
        )
    if write and proposal.unread:
        fail(
            f"{len(proposal.unread)} rule(s) could not be read: "
            + "; ".join(repr(r.text) for r in proposal.unread),
            "Nothing was written. Rephrase them over the catalog's dimensions and values, or leave them out"
            + (
                "; after reading the doubts, add --confirm if it computes what you meant."
                if any(is_doubt(r) for r in proposal.unread)
                else "."
            ),
            1,
        )


def _rows(proj: Project, sql: str) -> list[tuple[object, ...]]:
    """Rows of ``sql`` on the project's warehouse (read-only); a missing warehouse is a ``MetricmindError``."""
    try:
        return [tuple(r) for r in proj.warehouse.run(sql).rows]
    except OSError as exc:
        raise MetricmindError(f"cannot read the warehouse: {exc}") from exc


def _render(proposal: Proposal, data: dict[str, object], package: Package | None) -> None:
    for s in proposal.similar[:3]:
        typer.echo(f"similar  {s.name:28} {s.confidence:.2f}  {s.reason}")
    if proposal.measure:
        typer.echo(
            f"measure  {proposal.measure.name:28} {proposal.measure.confidence:.2f}  {proposal.measure.reason}"
        )
    if proposal.time_dimension:
        t = proposal.time_dimension
        typer.echo(f"time     {t.name:28} {t.confidence:.2f}  {t.reason}")
    for r in proposal.rules:
        typer.echo(f"rule     [{r.status}] {r.text} — {r.reason}")
    for a in proposal.assumptions:
        typer.echo(f"assumes  {a}")
    if proposal.metric is not None:
        typer.echo("\n" + str(data["yaml"]).rstrip())
        typer.echo("\n-- preview_sql (by metric_time__month)\n" + (proposal.preview_sql or ""))
    if package is not None:
        typer.echo("\npackage")
        for path in sorted(package.files):
            typer.echo(f"  file   {path}")
        for c in package.checks:
            typer.echo(f"  test   {c.name}: {c.what}")
        for reason in package.reasons:
            typer.echo(f"  note   {reason}")
    if "change" in data:
        change = data["change"]
        ident = change.get("id") if isinstance(change, dict) else None
        build = data.get("build")
        built = f"; {build['summary']}" if isinstance(build, dict) else ""
        typer.echo(
            f"\nsaved as draft change {ident} on branch {data['branch']}{built}; "
            "submit it for review in the web UI or the API"
        )


def register(app: typer.Typer) -> None:
    """Add ``define`` to ``app``."""
    app.command("define")(define)
