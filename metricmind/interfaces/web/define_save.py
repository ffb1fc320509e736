"""Save what the Define form chose: the generated package on its review branch and the draft change.

``package_for`` generates the chosen metric's dbt package (``metricmind.define.generate``) with the rules
as the person settled them; ``save`` writes it with ``metricmind.define.write_package`` (the same as
``metricmind define --write``) in a git repository, or saves the draft change alone elsewhere.
"""

from __future__ import annotations

import dataclasses
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from metricmind.define import Package, Proposal, RuleReading, generate, is_doubt, write_package
from metricmind.errors import QueryError
from metricmind.interfaces.web.define_form import Choice, Choices, needs_package
from metricmind.knowledge import gitops
from metricmind.project import Project


def chosen_rules(proposal: Proposal, choices: Choices, *, preview: bool = False) -> list[RuleReading]:
    """The rules as the person settled them: a typed filter (Modify / Manual) makes a rule read; the
    agent's doubt leaves once confirmed (or in a ``preview``, which writes nothing).
    """
    out = []
    for i, reading in enumerate(proposal.rules):
        choice = choices.rules.get(i, Choice())
        if is_doubt(reading) and (choice.kind == "confirm" or preview):
            continue
        if choice.kind != "accept" and choice.value:
            reading = dataclasses.replace(
                reading,
                status="filter",
                confidence=1.0,
                predicate=choice.value,
                reason=f"filter typed by hand ({choice.kind}); the agent read: {reading.reason}",
            )
        out.append(reading)
    return out


def package_for(
    project: Project,
    proposal: Proposal,
    metric: dict[str, Any],
    choices: Choices,
    *,
    learn: bool,
    preview: bool = False,
) -> Package:
    """The dbt package of the chosen metric (``metricmind.define.generate``); with ``learn``, the range
    check is learned from the metric's history on the warehouse (what is saved), else no SQL runs.
    ``preview`` (nothing written) leaves out an unconfirmed doubt.
    """
    return generate(
        dataclasses.replace(proposal, metric=metric, rules=chosen_rules(proposal, choices, preview=preview)),
        project,
        max_hops=int(project.setting("max_join_hops")),
        run_sql=(lambda sql: [tuple(r) for r in project.warehouse.run(sql).rows]) if learn else None,
    )


def save(
    project: Project,
    catalog: Any,
    proposal: Proposal,
    metric: dict[str, Any],
    choices: Choices,
    user: str,
    *,
    build: bool = False,
    lock: AbstractContextManager[Any] | None = None,
) -> dict[str, Any]:
    """Save the chosen metric for review: in a git repository, its generated package on a review branch
    and the metric as a draft change (``write_package``); elsewhere the draft change alone (a metric over
    existing measures only). With ``build``, ``dbt build`` of the package runs on its branch first and
    nothing is kept unless it passes (``PackageBlocked`` with dbt's output). Nothing is kept when anything
    fails. ``lock`` guards the warehouse while the range check is learned from history (dbt builds into a
    copy of the warehouse, without it).

    Returns:
        ``{"change", "branch", "files", "commit", "build", "note"}``.
    """
    git = gitops.in_repository(project.root)
    if not git and needs_package(proposal):
        raise QueryError(
            f"{metric['name']!r} needs a new measure or dbt model, which go on a review branch, and "
            f"{project.root} is not in a git repository; nothing was written",
            hint="Put the project in git (git init, then commit it) and save again.",
        )
    with lock or nullcontext():
        package = package_for(project, proposal, metric, choices, learn=True)
    if package.problems:
        raise QueryError(
            f"the package of {metric['name']!r} cannot be written: " + "; ".join(package.problems),
            hint="Nothing was written. Rephrase the rules, or give each unread rule a filter (Manual).",
        )
    if build and not git:
        raise QueryError(
            f"building the package of {metric['name']!r} needs its review branch, and {project.root} is "
            "not in a git repository; nothing was written",
            hint="Save without building, or put the project in git (git init, then commit it).",
        )
    if git:
        chosen = dataclasses.replace(proposal, metric=metric, rules=chosen_rules(proposal, choices))
        if any(is_doubt(r) for r in proposal.rules):  # build_metric let it through: it was confirmed
            chosen.doubts = [*proposal.doubts, f"confirmed by {user} after reading the doubts"]
        written = write_package(
            package, project.root, catalog, user, build=build, settings=project.settings, proposal=chosen
        )
        return {
            "change": written["change"],
            "branch": written["branch"],
            "files": list(written["files"]),
            "commit": written["commit"],
            "build": written["build"],
            "note": f"the package is on branch {written['branch']}; approving the change builds it with dbt "
            "and merges it",
        }
    change = catalog.create_draft(user, metric)
    return {
        "change": change,
        "branch": None,
        "files": [],
        "commit": None,
        "build": None,
        "note": "the project is not in a git repository: the metric is saved as a draft change, without "
        "its package of docs and tests",
    }
