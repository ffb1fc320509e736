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

from metricmind.interfaces.mcpserver.tools import Resolver, SynonymWriter, Tools, register
from metricmind.project import Project
from metricmind.resolve import Resolver as QuestionResolver
from metricmind.resolve import add_synonym as learn_synonym

INSTRUCTIONS = """\
metricmind answers questions with governed metric definitions.
Start with list_metrics, then describe_metrics for definitions and usable dimensions. For a question in
words, resolve_question returns a metric query; check it, then run it with query_metrics (results are CSV,
capped; a last line "# cut:" says rows were left out). explain_query shows the SQL without running it.
get_dimension_values lists the values to filter on. Everything is read-only except record_feedback, which
appends the user's verdict to the project's feedback file and can teach the resolver a synonym.
List arguments also accept a JSON list or a comma-separated string.
"""

Transport = Literal["stdio", "http"]


def build_server(
    project: Project,
    *,
    resolver: Resolver | None = None,
    add_synonym: SynonymWriter | None = None,
    user: str | None = None,
    feedback: bool = True,
) -> MCPServer:
    """An MCP server with every metricmind tool over ``project``.

    ``resolver`` and ``add_synonym`` default to those of ``metricmind.resolve`` for this project.
    With ``feedback=False`` the one writing tool, ``record_feedback``, is left out.
    """
    if resolver is None or add_synonym is None:
        default_resolver, default_writer = _resolve_parts(project)
        resolver = resolver or default_resolver
        add_synonym = add_synonym or default_writer
    server: MCPServer = MCPServer(
        name="metricmind",
        instructions=INSTRUCTIONS,
        version=_version(),
        log_level="WARNING",
    )
    register(
        server,
        Tools(project, resolver=resolver, add_synonym=add_synonym, user=user or os.environ.get("USER")),
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


def _resolve_parts(project: Project) -> tuple[Resolver, SynonymWriter]:
    """The question resolver of ``metricmind.resolve`` for ``project``, and its ``add_synonym``."""
    resolver = QuestionResolver.for_project(project.model, project.root, values=project.dimension_values())
    return resolver, learn_synonym


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("metricmind")
    except PackageNotFoundError:  # pragma: no cover
        return "0"
