"""``metricmind demo``: build the example B2B SaaS project and its DuckDB warehouse (and serve it)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from metricmind import config
from metricmind.interfaces.cli.common import fail, guarded


@guarded
def demo(
    directory: Annotated[
        Path | None, typer.Option("--dir", help="Where to build the project (default: ~/.metricmind/demo).")
    ] = None,
    scale: Annotated[
        int, typer.Option("--scale", help="Number of customers to generate (events grow with it).")
    ] = 10_000,
    end_date: Annotated[
        str | None, typer.Option("--end-date", help="Last day of data (YYYY-MM-DD); default today.")
    ] = None,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed: same seed, scale and end date → same data.")
    ] = 42,
    serve: Annotated[
        bool, typer.Option("--serve", help="Start the Metric Explorer on the demo afterwards.")
    ] = False,
    host: Annotated[
        str, typer.Option("--host", help="Host for --serve and the printed sign-in links.")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", help="Port for --serve and the printed sign-in links.")
    ] = 8000,
) -> None:
    """Build the demo project (MetricFlow YAML + dbt models) and its warehouse, in seconds."""
    from metricmind.demo.build import build_demo

    target = directory or config.home() / "demo"
    from metricmind.interfaces.cli.commands_web import running_server

    live = running_server(target)
    if live is not None:
        fail(
            f"a Metric Explorer is serving the demo in {target} (pid {live['pid']}, {live['url']}): "
            "rebuilding it now would replace its warehouse and its sign-in links",
            "Stop that server first (Ctrl+C), or build another copy with --dir.",
        )
    if end_date:
        try:
            dt.date.fromisoformat(end_date)
        except ValueError:
            fail(f"--end-date {end_date!r} is not a date", "Write it as YYYY-MM-DD.")
    report = build_demo(target, scale=scale, end_date=end_date, seed=seed)
    typer.echo(report.summary())
    typer.echo(f"\nProject: {report.target_dir}")
    typer.echo("Try:")
    typer.echo(f"  metricmind list metrics --project {report.target_dir}")
    typer.echo(
        f"  metricmind query --project {report.target_dir} -m mrr,active_customers -g metric_time__month "
        "--order -metric_time__month --limit 6"
    )
    if not serve:
        from metricmind.interfaces.cli.commands_web import demo_logins
        from metricmind.project import Project

        with Project.load(report.target_dir) as built:
            port_opt = "" if port == 8000 else f" --port {port}"
            typer.echo(
                f"Users (new sign-in links; earlier ones no longer work). After "
                f"`metricmind serve --project {report.target_dir}{port_opt}`, open a link:"
            )
            for line in demo_logins(built, f"http://{host}:{port}"):
                typer.echo(line)
    else:
        import importlib

        try:
            web = importlib.import_module("metricmind.interfaces.cli.commands_web")
        except ImportError as exc:
            fail(
                f"cannot start the Metric Explorer: {exc}",
                "Install the web extra: pip install 'metricmind[web]'.",
            )
        web.serve(project=report.target_dir, host=host, port=port)


def register(app: typer.Typer) -> None:
    """Add the command to ``app``."""
    app.command()(demo)
