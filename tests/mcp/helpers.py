"""Call tools through the SDK's in-memory client."""

from __future__ import annotations

from typing import Any

import anyio
from mcp import Client
from mcp.server.mcpserver import MCPServer
from mcp.types import CallToolResult, TextContent


def call(server: MCPServer, name: str, arguments: dict[str, Any] | None = None) -> CallToolResult:
    """Call one tool in-process and return its result."""

    async def go() -> CallToolResult:
        async with Client(server) as client:
            return await client.call_tool(name, arguments or {})

    return anyio.run(go)


def text(result: CallToolResult) -> str:
    """The text of a tool result (every metricmind tool answers with one text block)."""
    assert len(result.content) == 1, result.content
    block = result.content[0]
    assert isinstance(block, TextContent)
    return block.text


def ok(server: MCPServer, name: str, arguments: dict[str, Any] | None = None) -> str:
    """The text of a successful call."""
    result = call(server, name, arguments)
    assert not result.is_error, text(result)
    return text(result)


def error(server: MCPServer, name: str, arguments: dict[str, Any] | None = None) -> str:
    """The text of a failed call."""
    result = call(server, name, arguments)
    assert result.is_error, text(result)
    return text(result)
