"""``metricmind mcp``: serve the project's metrics to AI assistants over MCP (stdio or streamable HTTP)."""

from __future__ import annotations

import enum
import importlib
import os
from typing import Annotated

import typer

from metricmind.interfaces.cli.common import ProjectOpt, fail, guarded, open_project


class McpTransport(str, enum.Enum):
    """How clients connect."""

    stdio = "stdio"
    http = "http"


@guarded
def mcp(
    project: ProjectOpt = None,
    transport: Annotated[
        McpTransport,
        typer.Option(
            "--transport", "-t", help="stdio (Claude Desktop) or http (streamable HTTP on 127.0.0.1)."
        ),
    ] = McpTransport.stdio,
    port: Annotated[int, typer.Option("--port", help="Port for --transport http.")] = 8765,
    user: Annotated[
        str | None,
        typer.Option(
            "--user", help="Who runs the queries without a token (recorded with each; default $USER)."
        ),
    ] = None,
    token_env: Annotated[
        str,
        typer.Option(
            "--token-env",
            help="Environment variable holding a user's token (default METRICMIND_TOKEN): record_feedback "
            "writes as that user; without a token every other tool still works.",
        ),
    ] = "METRICMIND_TOKEN",
    no_feedback: Annotated[
        bool,
        typer.Option("--no-feedback", help="Leave out record_feedback: then no tool writes anything."),
    ] = False,
) -> None:
    """Serve the project over MCP: list, describe, resolve, explain and run metric queries (read-only)."""
    proj = open_project(project)
    try:
        # The MCP SDK loads only here, so other commands start fast without the `mcp` extra. The server
        # module is a sibling interface, imported by name when this command runs.
        server_module = importlib.import_module("metricmind.interfaces.mcpserver.server")
    except ImportError as exc:
        fail(f"cannot start the MCP server: {exc}", "Install the MCP extra: pip install 'metricmind[mcp]'.")
    token = os.environ.get(token_env, "").strip() or None
    if token is None and token_env != "METRICMIND_TOKEN":
        fail(f"--token-env {token_env}: the variable is not set", f"export {token_env}=<token> first.")
    server = server_module.build_server(proj, user=user, token=token, feedback=not no_feedback)
    if transport is McpTransport.http:
        typer.echo(f"metricmind MCP server: http://127.0.0.1:{port}/mcp (project {proj.root})", err=True)
    try:
        server_module.serve(server, transport.value, host="127.0.0.1", port=port)
    finally:
        proj.close()


def register(app: typer.Typer) -> None:
    """Add the command to ``app``."""
    app.command()(mcp)
