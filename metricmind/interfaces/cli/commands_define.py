"""``metricmind define NAME --definition TEXT --rule TEXT …``: a metric from plain English (docs/define.md).

Thin: the analysis is ``metricmind.define.analyze``; ``--write`` saves the proposed metric as a draft
change through the catalog (the same workflow as the web Define form). The catalog opens only for
``--write``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from metricmind.catalog.definitions import to_yaml
from metricmind.define import Definition, Proposal, analyze
from metricmind.interfaces.cli.commands_vocabulary import UserOpt, whoami
from metricmind.interfaces.cli.common import ProjectOpt, dumps, fail, guarded, open_project


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
        bool, typer.Option("--write", help="Save the proposed metric as a draft change for review.")
    ] = False,
    user: UserOpt = None,
    project: ProjectOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the proposal as JSON.")] = False,
) -> None:
    """Propose a metric from a plain-English definition and rules: sources, measure, rule filters, SQL."""
    proj = open_project(project)
    proposal = analyze(
        Definition(name, definition, tuple(rule or ())),
        proj.model,
        dialect=proj.dialect,
        max_hops=int(proj.setting("max_join_hops")),
    )
    data = proposal.to_dict()
    if proposal.metric is not None:
        data["yaml"] = to_yaml(proposal.metric)
    if write and proposal.metric is not None and not proposal.unread:
        change = proj.catalog.create_draft(whoami(proj, user), proposal.metric)
        data["change"] = change
    if as_json:
        typer.echo(dumps(data))
    else:
        _render(proposal, data)
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
            "Nothing was written. Rephrase them over the catalog's dimensions and values, or leave them out.",
            1,
        )


def _render(proposal: Proposal, data: dict[str, object]) -> None:
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
    if "change" in data:
        change = data["change"]
        ident = change.get("id") if isinstance(change, dict) else None
        typer.echo(f"\nsaved as draft change {ident}; submit it for review in the web UI or the API")


def register(app: typer.Typer) -> None:
    """Add ``define`` to ``app``."""
    app.command("define")(define)
