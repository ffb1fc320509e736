"""`metricmind mcp` as a real subprocess: stdio (what Claude Desktop runs) and streamable HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import anyio
from mcp import Client, StdioServerParameters
from mcp.types import TextContent
from typer.testing import CliRunner

from metricmind.interfaces.cli.app import app

METRICMIND = str(Path(sys.executable).with_name("metricmind"))


def first_text(content: list[object]) -> str:
    block = content[0]
    assert isinstance(block, TextContent)
    return block.text


def test_stdio_subprocess(demo_dir: Path) -> None:
    params = StdioServerParameters(
        command=METRICMIND,
        args=["mcp", "--project", str(demo_dir)],
        env=dict(os.environ),
    )

    async def go() -> tuple[list[str], str, str]:
        async with Client(params, read_timeout_seconds=60) as client:
            tools = [t.name for t in (await client.list_tools()).tools]
            values = await client.call_tool("get_dimension_values", {"dimension": "customer__segment"})
            rows = await client.call_tool(
                "query_metrics", {"metrics": '["new_customers"]', "group_by": "customer__segment"}
            )
            assert not values.is_error and not rows.is_error
            return tools, first_text(values.content), first_text(rows.content)

    tools, values, rows = anyio.run(go)
    assert "query_metrics" in tools and "record_feedback" in tools
    assert values.splitlines()[1:4] == [
        'SMB,"small business, small businesses, small companies, smb"',
        'Mid-Market,"mid market, midmarket, mid-size, mid size, mm"',
        'Enterprise,"enterprise, large accounts, large companies, ent"',
    ]
    assert rows.splitlines()[0] == "customer__segment,new_customers"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_http_subprocess(demo_dir: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [
            METRICMIND,
            "mcp",
            "--project",
            str(demo_dir),
            "--transport",
            "http",
            "--port",
            str(port),
            "--no-feedback",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
                assert time.monotonic() < deadline, "the HTTP server did not start"
                time.sleep(0.1)

        async def go() -> tuple[list[str], str]:
            async with Client(f"http://127.0.0.1:{port}/mcp") as client:
                tools = [t.name for t in (await client.list_tools()).tools]
                result = await client.call_tool("describe_metrics", {"metrics": "mrrr"})
                assert result.is_error
                return tools, first_text(result.content)

        tools, message = anyio.run(go)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert "record_feedback" not in tools and "list_metrics" in tools
    assert "Did you mean 'mrr'" in message


def test_cli_help_and_bad_project(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["mcp", "--help"])
    assert result.exit_code == 0
    assert "--transport" in result.output and "stdio" in result.output
    result = runner.invoke(app, ["mcp", "--project", str(tmp_path / "missing")])
    assert result.exit_code == 2
    assert "does not exist" in result.output
