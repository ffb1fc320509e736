"""``metricmind serve``: the REST API and the Metric Explorer web UI (FastAPI + uvicorn).

``serve(project, host, port)`` is also what ``metricmind demo --serve`` calls: it creates an admin and a
viewer in the catalog and prints the URL and a sign-in link for each.
"""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from metricmind import config
from metricmind.errors import MetricmindError
from metricmind.interfaces.cli import workers as multi
from metricmind.interfaces.cli.common import ProjectOpt, fail, guarded, open_project
from metricmind.project import Project

DEMO_USERS = (("admin", "admin"), ("viewer", "viewer"))


def build_app(project: Project, host: str | None = None) -> Any:
    """The FastAPI app of ``metricmind.interfaces.web`` (a sibling interface, imported by name).

    A specific ``host`` (not a wildcard such as 0.0.0.0) joins the trusted hosts: the address served on.
    """
    try:
        module = importlib.import_module("metricmind.interfaces.web.app")
    except ImportError as exc:
        fail(
            f"cannot start the Metric Explorer: {exc}",
            "Install the web extra: pip install 'metricmind[web]'.",
        )
    hosts = [host] if host and host not in ("0.0.0.0", "::", "") else []
    return module.create_app(project, hosts=hosts)


def demo_logins(project: Project, base_url: str) -> list[str]:
    """Create the demo's admin and viewer (fresh tokens each time) and the lines telling how to sign in."""
    try:
        catalog: Any = getattr(project, "catalog", None)
    except MetricmindError as exc:
        return [f"  (the catalog cannot be opened, so no users: {exc.message}; browsing stays open)"]
    if catalog is None:
        return ["  (this installation has no catalog: browsing is open, writes are disabled)"]
    lines = []
    for name, role in DEMO_USERS:
        name = f"demo_{name}"
        try:
            token = catalog.add_user(name, role)
        except MetricmindError as exc:
            lines.append(f"  {role:<8} could not be created: {exc.message}")
            continue
        lines.append(f"  {role:<8} {base_url}/login?token={token}")
        lines.append(f"  {'':<8} API: curl -H 'Authorization: Bearer {token}' {base_url}/api/me")
    return lines


def _marker(root: Path) -> Path:
    return config.state_dir(root) / "server.json"


def running_server(root: Path) -> dict[str, Any] | None:
    """The server serving the project at ``root`` right now (``pid``, ``url``), or None."""
    try:
        info = json.loads(_marker(root).read_text())
        os.kill(int(info["pid"]), 0)  # signal 0: is the process alive?
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return dict(info)


def _announce(root: Path, url: str) -> Path | None:
    """Write the serving marker (what `metricmind demo` checks before rebuilding under a server)."""
    marker = _marker(root)
    try:
        config.ensure_state_dir(marker.parent)
        marker.write_text(json.dumps({"pid": os.getpid(), "url": url}))
    except OSError:
        return None  # a read-only project folder still serves
    return marker


def run_server(
    project: Project,
    host: str,
    port: int,
    *,
    demo: bool = False,
    nightly_at: str | None = None,
    workers: int = 1,
) -> None:
    """Serve ``project`` until interrupted; with ``demo``, create and print the demo logins first;
    with ``nightly_at`` (HH:MM, local time), run the nightly job every day at that time; with
    ``workers`` > 1, in that many processes over a PostgreSQL store (``cli.workers``).
    """
    import uvicorn

    multi.check_store(project, workers)
    schedule = _schedule(project, nightly_at) if nightly_at else None

    if workers > 1:
        multi.prepare(project)
    else:
        app = build_app(project, host)
        # Open stores, connections and caches now: the first visit to each page is as fast as the next.
        importlib.import_module("metricmind.interfaces.web.app").warm(app)
    base = f"http://{host}:{port}"
    typer.echo(f"\nMetric Explorer: {base}/   API docs: {base}/docs   (project {project.root})")
    if demo:
        typer.echo("Sign in (open a link, or paste the token at /login):")
        for line in demo_logins(project, base):
            typer.echo(line)
    else:
        typer.echo("Browsing is open; to edit, create a token: metricmind users add NAME --role editor")
    typer.echo("Press Ctrl+C to stop.")
    marker = _announce(project.root, base)
    level = os.environ.get("METRICMIND_LOG_LEVEL", "warning")
    try:
        if workers > 1:
            multi.serve(project, host, port, workers, level)
        else:
            uvicorn.run(app, host=host, port=port, log_level=level)
    finally:
        if marker is not None:
            marker.unlink(missing_ok=True)
        if schedule is not None:
            schedule.stop()
        project.close()


def _schedule(project: Project, nightly_at: str) -> Any:
    """Start the daily nightly job (``metricmind nightly`` in a background thread)."""
    from metricmind.interfaces.cli.commands_knowledge import _knowledge
    from metricmind.knowledge.nightly import run
    from metricmind.knowledge.schedule import NightlySchedule, parse_time
    from metricmind.project.nightlearn import learner_step

    try:
        at = parse_time(nightly_at)
    except ValueError as exc:
        fail(f"--nightly-at: {exc}", "e.g. --nightly-at 02:00 (local time)")
    knowledge = _knowledge(project)
    typer.echo(f"The nightly job runs every day at {at.strftime('%H:%M')} (local time).")
    return NightlySchedule(
        lambda: run(
            knowledge.engine, knowledge.context, announce=True, extra=lambda day: learner_step(project, day)
        ),
        at,
    ).start()


def serve(project: Project | Path | str | None = None, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the demo (or any project folder): creates an admin and a viewer and prints how to sign in."""
    proj = project if isinstance(project, Project) else Project.load(project)
    run_server(proj, host, port, demo=True)


@guarded
def serve_command(
    project: ProjectOpt = None,
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    nightly_at: Annotated[
        str | None,
        typer.Option("--nightly-at", help="Also run the nightly job every day at HH:MM (local time)."),
    ] = None,
    workers: Annotated[
        int,
        typer.Option("--workers", min=1, help="Worker processes (more than 1 needs a PostgreSQL store)."),
    ] = 1,
) -> None:
    """Serve the REST API (OpenAPI at /docs) and the Metric Explorer web UI."""
    run_server(open_project(project), host, port, nightly_at=nightly_at, workers=workers)


def register(app: typer.Typer) -> None:
    """Add the command to ``app``."""
    app.command("serve")(serve_command)
