"""``metricmind users add|list`` and ``metricmind catalog sync|status``: the catalog store from the shell.

The catalog (and SQLAlchemy) is opened inside the command bodies, through ``Project.catalog``.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from metricmind.interfaces.cli.commands_vocabulary import UserOpt, whoami
from metricmind.interfaces.cli.common import ProjectOpt, dumps, guarded, open_project, render_table

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
ROLES = "viewer, editor, approver or admin"

users_app = typer.Typer(help="Users of the catalog and web UI, and their tokens.", no_args_is_help=True)
catalog_app = typer.Typer(
    help="The metric catalog store: sync it with the YAML, show its state.", no_args_is_help=True
)


@guarded
def users_add(
    name: Annotated[str, typer.Argument(help="User name (shown in the audit log).")],
    role: Annotated[str, typer.Option("--role", "-r", help=f"Role: {ROLES}.")] = "viewer",
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a user (or give an existing one a role and a NEW token) and print the token once."""
    catalog: Any = open_project(project).catalog
    token = catalog.add_user(name, role)
    if as_json:
        typer.echo(dumps({"name": name, "role": role, "token": token}))
        return
    typer.echo(token)
    typer.echo(
        f"(user {name!r}, role {role}; the token is shown only now. Sign in at /login, or send "
        "'Authorization: Bearer <token>' to the API)",
        err=True,
    )


@guarded
def users_list(project: ProjectOpt = None, as_json: JsonOpt = False) -> None:
    """List users and their roles (tokens are never stored, only their hashes)."""
    found = open_project(project).catalog.users()
    if as_json:
        typer.echo(dumps(found))
        return
    typer.echo(
        render_table(["name", "role", "created_at"], [(u["name"], u["role"], u["created_at"]) for u in found])
    )


@guarded
def catalog_sync(project: ProjectOpt = None, as_json: JsonOpt = False) -> None:
    """Index the project's YAML (metrics and canonical datasets) into the catalog store."""
    catalog = open_project(project).catalog
    report = catalog.last_sync  # opening the catalog syncs it
    if as_json:
        dropped = {"decertified": catalog.last_decertified} if catalog.last_decertified else {}
        typer.echo(dumps({**report, **dropped}))
        return
    for key in ("added", "updated", "removed"):
        names = report[key]
        typer.echo(
            f"{key}: {len(names)}"
            + (f" ({', '.join(names[:10])}{' …' if len(names) > 10 else ''})" if names else "")
        )
    for dropped in catalog.last_decertified:
        typer.echo(
            f"decertified: {dropped['kind']}:{dropped['name']} (what it computes changed outside review; "
            f"owner {dropped['owner'] or 'none'} notified)"
        )


KindArg = Annotated[str, typer.Argument(help="metric or dataset.")]


@guarded
def catalog_certify(
    kind: KindArg,
    name: Annotated[str, typer.Argument(help="The metric or canonical dataset.")],
    user: UserOpt = None,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Certify this version of a published metric or dataset (approver); an edit of what it computes
    outside review drops it back to published.
    """
    proj = open_project(project)
    result = proj.catalog.certify(kind, name, whoami(proj, user))
    typer.echo(
        dumps(result) if as_json else f"{kind} {name}: {result['status']} (version {result['version']})"
    )


@guarded
def catalog_deprecate(
    kind: KindArg,
    name: Annotated[str, typer.Argument(help="The metric or canonical dataset.")],
    successor: Annotated[
        str | None, typer.Option("--successor", help="What to use instead (same kind).")
    ] = None,
    sunset: Annotated[str | None, typer.Option("--sunset", help="Date it goes away (YYYY-MM-DD).")] = None,
    reason: Annotated[str, typer.Option("--reason", help="Why.")] = "",
    user: UserOpt = None,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Deprecate a metric or dataset (approver), naming its successor and sunset date; queries of it then
    answer with a warning naming them.
    """
    proj = open_project(project)
    result = proj.catalog.deprecate(
        kind, name, whoami(proj, user), reason, successor=successor, sunset=sunset
    )
    if as_json:
        typer.echo(dumps(result))
        return
    typer.echo(
        f"{kind} {name}: deprecated"
        + (f"; use {result['successor']} instead" if result.get("successor") else "")
        + (f" (sunset {result['sunset']})" if result.get("sunset") else "")
    )


@guarded
def catalog_status(project: ProjectOpt = None, as_json: JsonOpt = False) -> None:
    """Definitions by status, changes by state, users and recorded executions."""
    data = open_project(project).catalog.status()
    if as_json:
        typer.echo(dumps(data))
        return
    typer.echo(f"project {data['project']}   store {data['store']}")
    for key in ("metrics", "datasets", "changes"):
        counts = data[key]
        text = ", ".join(f"{k} {v}" for k, v in counts.items()) or "none"
        typer.echo(f"{key + ':':<10} {text}")
    typer.echo(f"{'users:':<10} {data['users']}")
    typer.echo(f"{'runs:':<10} {data['executions']} recorded executions")


def register(app: typer.Typer) -> None:
    """Add the ``users`` and ``catalog`` command groups to ``app``."""
    users_app.command("add")(users_add)
    users_app.command("list")(users_list)
    app.add_typer(users_app, name="users", help="Users of the catalog and web UI, and their tokens.")
    catalog_app.command("sync")(catalog_sync)
    catalog_app.command("status")(catalog_status)
    catalog_app.command("certify")(catalog_certify)
    catalog_app.command("deprecate")(catalog_deprecate)
    app.add_typer(
        catalog_app, name="catalog", help="The metric catalog store: sync it with the YAML, show its state."
    )
