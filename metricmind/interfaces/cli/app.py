"""The typer application. Every ``commands_*`` module in this package has ``register(app)``.

Command modules import heavy, optional packages (FastAPI, the MCP SDK, …) inside the command body, so
that ``metricmind sql`` starts fast and works without the extras of other commands.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer

import metricmind.interfaces.cli as _package

app = typer.Typer(
    name="metricmind",
    help="A governed, MetricFlow-compatible semantic layer: validate, list, compile and query metrics.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)

for _info in sorted(pkgutil.iter_modules(_package.__path__), key=lambda m: m.name):
    if _info.name.startswith("commands_"):
        importlib.import_module(f"{_package.__name__}.{_info.name}").register(app)
