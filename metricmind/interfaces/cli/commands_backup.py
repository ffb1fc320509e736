"""``metricmind backup FILE`` and ``metricmind restore FILE``: every store, as one portable archive.

The archive (``metricmind.storage.backup``) holds the catalog, vocabulary, knowledge graph and query
log, and the agent's memory, whatever the database: back up SQLite, restore into PostgreSQL.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Annotated, Any

import typer

from metricmind.interfaces.cli.common import ProjectOpt, dumps, guarded, open_project

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
StoreOpt = Annotated[
    str | None,
    typer.Option("--store", help="Store URL (default: the project's store.url, else its SQLite file)."),
]
#: The modules declaring the store's tables (their exact types; tables of others are reflected).
SCHEMAS = (
    "metricmind.catalog.schema",
    "metricmind.catalog.vocabulary",
    "metricmind.knowledge.schema",
    "metricmind.learn.schema",
)


def _metadata() -> Any:
    for name in SCHEMAS:
        importlib.import_module(name)
    return importlib.import_module("metricmind.storage").metadata


def _summary(verb: str, path: Path, counts: dict[str, int], as_json: bool) -> None:
    if as_json:
        typer.echo(dumps({"file": str(path), "tables": counts, "rows": sum(counts.values())}))
        return
    typer.echo(f"{verb} {sum(counts.values())} rows of {len(counts)} tables ({path})")
    for name, n in counts.items():
        if n:
            typer.echo(f"  {name:<28} {n:>10}")


@guarded
def backup_command(
    file: Annotated[Path, typer.Argument(help="Archive to write (JSON lines; gzip when it ends in .gz).")],
    project: ProjectOpt = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write every store (catalog, vocabulary, knowledge, query log, memory) to one archive."""
    from metricmind.storage import backup, make_engine

    proj = open_project(project)
    if store is None:
        _ = proj.catalog  # runs still in the spool join the store first
        proj.close()
    url = store or str(proj.setting("store.url") or _default(proj.root))
    engine = make_engine(url)
    try:
        counts = backup.backup(engine, file, _metadata())
    finally:
        engine.dispose()
    _summary("backed up", file, counts, as_json)


@guarded
def restore_command(
    file: Annotated[Path, typer.Argument(help="Archive written by `metricmind backup`.")],
    project: ProjectOpt = None,
    store: StoreOpt = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace what the target store holds (refused otherwise).")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Load an archive into the store: all or nothing; a non-empty store only with --force."""
    from metricmind.storage import backup, make_engine

    proj = open_project(project)
    url = store or str(proj.setting("store.url") or _default(proj.root))
    engine = make_engine(url)
    try:
        counts = backup.restore(engine, file, _metadata(), force=force)
    finally:
        engine.dispose()
    _summary("restored", file, counts, as_json)


def _default(root: Path) -> str:
    from metricmind.storage import default_url

    return default_url(root)


def register(app: typer.Typer) -> None:
    """Add the commands to ``app``."""
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)
