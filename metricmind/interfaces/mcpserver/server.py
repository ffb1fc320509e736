"""The MCP server of a project: ``build_server(project)``, and ``serve`` over stdio or streamable HTTP.

::

    from metricmind import Project
    from metricmind.interfaces.mcpserver.server import build_server

    server = build_server(Project.load("path/to/project"))
    server.run("stdio")                       # what `metricmind mcp` does for Claude Desktop
"""

from __future__ import annotations

import os
from typing import Literal

from mcp.server.mcpserver import MCPServer

from metricmind.errors import PermissionDenied
from metricmind.interfaces.mcpserver.tools import Resolver, Tools, register
from metricmind.project import Project

INSTRUCTIONS = """\
metricmind answers questions with governed metric definitions.
Start with list_metrics, then describe_metrics for definitions and usable dimensions. For a question in
words, resolve_question returns a metric query; check it, then run it with query_metrics (results are CSV,
capped; a last line "# cut:" says rows were left out). explain_query shows the SQL without running it.
get_dimension_values lists the values to filter on. Everything is read-only except record_feedback, which
needs the server to hold a user's token: it appends the verdict to the project's feedback file and can
teach that user a word (theirs at once, everyone's once another person approves it in review).
define_metric drafts a new metric from plain English (name, definition, rules): show the person the rules
read and unread (a "(doubt)" item needs the person's confirm=true); save=true writes it as a draft for review
(needs an editor's token), never published.
List arguments also accept a JSON list or a comma-separated string.
"""

Transport = Literal["stdio", "http"]


def build_server(
    project: Project,
    *,
    resolver: Resolver | None = None,
    user: str | None = None,
    token: str | None = None,
    feedback: bool = True,
) -> MCPServer:
    """An MCP server with every metricmind tool over ``project``.

    ``token`` is a catalog user's token (``metricmind users add``): the server writes feedback and
    learned words as that user, and only with it; an unknown token is ``PermissionDenied``. ``user``
    names who runs queries when there is no token (default ``$USER``). ``resolver`` defaults to the
    project's (``Project.resolver``, with the token user's own words). With ``feedback=False`` the one
    writing tool, ``record_feedback``, is left out.
    """
    writer = _token_user(project, token)
    if writer is not None and user and user != writer:
        raise PermissionDenied(
            f"the token belongs to '{writer}', not to '{user}'", hint="Leave out --user: the token says who."
        )
    project.remember()  # every query the tools run is an episode of the memory
    server: MCPServer = MCPServer(
        name="metricmind",
        instructions=INSTRUCTIONS,
        version=_version(),
        log_level="WARNING",
    )
    register(
        server,
        Tools(project, resolver=resolver, user=user or os.environ.get("USER"), writer=writer),
        feedback=feedback,
    )
    return server


def serve(
    server: MCPServer, transport: Transport = "stdio", *, host: str = "127.0.0.1", port: int = 8765
) -> None:
    """Serve until stopped: stdio (Claude Desktop) or streamable HTTP at ``http://host:port/mcp``."""
    if transport == "stdio":
        server.run("stdio")
    else:
        server.run("streamable-http", host=host, port=port)


def _token_user(project: Project, token: str | None) -> str | None:
    """The catalog user of ``token`` (None without one); an unknown token is ``PermissionDenied``."""
    if not token:
        return None
    found = project.catalog.user_for_token(token.strip())
    if found is None:
        raise PermissionDenied(
            "the MCP server's token is not the token of any user of this project",
            hint="Check $METRICMIND_TOKEN (or the variable named by --token-env); an admin prints a new "
            "token with: metricmind users add NAME --role editor.",
        )
    return found["name"]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("metricmind")
    except PackageNotFoundError:  # pragma: no cover
        return "0"
