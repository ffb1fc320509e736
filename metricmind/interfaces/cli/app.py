"""The typer application. Every ``commands_*`` module in this package has ``register(app)``.

Command modules import heavy, optional packages (FastAPI, the MCP SDK, …) inside the command body, so
that ``metricmind sql`` starts fast and works without the extras of other commands.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from typing import Annotated

import typer

import metricmind.interfaces.cli as _package
from metricmind import config

app = typer.Typer(
    name="metricmind",
    help="A governed, MetricFlow-compatible semantic layer: validate, list, compile and query metrics.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)


@app.callback()
def _global_options(
    target: Annotated[
        str | None,
        typer.Option("--target", "-t", help="dbt target of the project's profile (default: the profile's)."),
    ] = None,
    profiles_dir: Annotated[
        Path | None,
        typer.Option(
            "--profiles-dir",
            help="Folder of the dbt profiles.yml (default: $DBT_PROFILES_DIR, the project, ~/.dbt).",
        ),
    ] = None,
    state_dir: Annotated[
        Path | None,
        typer.Option(
            "--state-dir", help="Folder for metricmind's own files (default: <project>/.metricmind)."
        ),
    ] = None,
) -> None:
    # Options before the command apply to every command (and win over settings and the environment).
    config.set_overrides(
        {
            "target": target,
            "profiles_dir": str(profiles_dir.expanduser().absolute()) if profiles_dir else None,
            "state_dir": str(state_dir.expanduser().absolute()) if state_dir else None,
        }
    )


for _info in sorted(pkgutil.iter_modules(_package.__path__), key=lambda m: m.name):
    if _info.name.startswith("commands_"):
        importlib.import_module(f"{_package.__name__}.{_info.name}").register(app)
