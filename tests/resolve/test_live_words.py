"""Issue 14, deliverable 4: learned words apply live in every running process on the project.

A web server (``metricmind serve``) and two MCP servers over streamable HTTP (``metricmind mcp --transport
http``, one with ana's token, one with bo's) run as subprocesses on a copy of the demo; words are taught,
edited, approved and removed through the CLI in other processes, and each server's answer changes on the
next question, with no restart: for the word's author at once, for everyone once an approver shares it.
On a PostgreSQL store the web server runs two worker processes (``serve --workers 2``).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client
from mcp.types import TextContent

from metricmind.project import Project

METRICMIND = str(Path(sys.executable).with_name("metricmind"))
DAY = "2026-06-30"
QUESTION = "recurring dosh by region"


@dataclass
class Servers:
    """The running servers on one project, and the tokens of its two people."""

    root: Path
    web: str
    mcp_ana: str
    mcp_bo: str
    ana: str
    bo: str


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(proc: subprocess.Popen[bytes], port: int) -> None:
    """Wait until ``proc`` listens on ``port`` (its stderr in the failure when it died)."""
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            if proc.poll() is not None:
                err = proc.stderr.read().decode() if proc.stderr else ""
                raise AssertionError(f"the server exited: {err}") from None
            assert time.monotonic() < deadline, "the server did not start within 60 s"
            time.sleep(0.1)


def environment(token: str | None = None, store: str | None = None) -> dict[str, str]:
    """This process's environment (PYTHONPATH kept: the tree under test runs) with ``token``."""
    env = {k: v for k, v in os.environ.items() if k not in ("METRICMIND_TOKEN", "METRICMIND_STORE_URL")}
    if token:
        env["METRICMIND_TOKEN"] = token
    if store:
        env["METRICMIND_STORE_URL"] = store
    return {**env, "NO_COLOR": "1"}


@pytest.fixture(params=["sqlite", "postgres"])
def servers(
    demo_built: Path, tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Servers]:
    """A copy of the demo with ana (editor) and bo (approver), served by the web and two MCP servers."""
    store = str(request.getfixturevalue("postgres_url")) if request.param == "postgres" else None
    if store:
        monkeypatch.setenv("METRICMIND_STORE_URL", store)
    root = tmp_path / "demo"
    shutil.copytree(demo_built, root, ignore=shutil.ignore_patterns(".metricmind"))
    with Project.load(root) as project:
        ana = project.catalog.add_user("ana", "editor")
        bo = project.catalog.add_user("bo", "approver")
        project.dimension_values()  # the warehouse's values, cached once rather than by three servers at once
    procs: list[tuple[subprocess.Popen[bytes], int]] = []
    commands = [
        (["serve", "--project", str(root), *(["--workers", "2"] if store else [])], None),
        (["mcp", "--project", str(root), "--transport", "http"], ana),
        (["mcp", "--project", str(root), "--transport", "http"], bo),
    ]
    try:
        for args, token in commands:
            port = free_port()
            proc = subprocess.Popen(
                [METRICMIND, *args, "--port", str(port)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env=environment(token, store),
            )
            procs.append((proc, port))
        for proc, port in procs:
            wait_for(proc, port)
        (_, web), (_, mcp_ana), (_, mcp_bo) = procs
        yield Servers(
            root,
            f"http://127.0.0.1:{web}",
            f"http://127.0.0.1:{mcp_ana}/mcp",
            f"http://127.0.0.1:{mcp_bo}/mcp",
            ana,
            bo,
        )
    finally:
        for proc, _ in procs:
            proc.terminate()
        for proc, _ in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def cli_list(s: Servers) -> list[dict[str, Any]]:
    """``metricmind vocabulary list --json``: every learned word."""
    done = subprocess.run(
        [METRICMIND, "vocabulary", "list", "--project", str(s.root), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment(None, os.environ.get("METRICMIND_STORE_URL")),
    )
    assert done.returncode == 0, done.stderr
    out: list[dict[str, Any]] = json.loads(done.stdout)
    return out


def cli(s: Servers, *args: str, token: str) -> dict[str, object]:
    """Run ``metricmind vocabulary …`` as the user of ``token`` in a process of its own (JSON out)."""
    done = subprocess.run(
        [METRICMIND, "vocabulary", *args, "--project", str(s.root), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment(token, os.environ.get("METRICMIND_STORE_URL")),
    )
    assert done.returncode == 0, done.stderr
    out: dict[str, object] = json.loads(done.stdout)
    return out


def part(data: dict[str, Any], key: str) -> list[str]:
    """One part of the resolved query (``metrics``, ``where``…), empty when there is no query."""
    return list((data.get("query") or {}).get(key) or [])


def web_reading(s: Servers, token: str | None, question: str, key: str) -> list[str]:
    """Part ``key`` of what the web server reads in ``question``, asked with ``token`` (else anonymous)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    reply = httpx.get(f"{s.web}/api/ask", params={"q": question, "as_of": DAY}, headers=headers, timeout=60)
    assert reply.status_code == 200, reply.text
    return part(reply.json(), key)


def mcp_call(url: str, tool: str, arguments: dict[str, Any]) -> str:
    """Call ``tool`` on a running MCP server over streamable HTTP (through the SDK's client); its text."""

    async def go() -> str:
        async with Client(url) as client:
            result = await client.call_tool(tool, arguments)
            block = result.content[0]
            assert isinstance(block, TextContent)
            assert not result.is_error, block.text
            return block.text

    return anyio.run(go)


def answers(s: Servers, question: str = QUESTION, key: str = "metrics") -> dict[str, list[str]]:
    """Part ``key`` of what each running server reads in ``question``, per person."""
    mcp = {"question": question, "as_of": DAY}
    return {
        "web ana": web_reading(s, s.ana, question, key),
        "web bo": web_reading(s, s.bo, question, key),
        "web anonymous": web_reading(s, None, question, key),
        "mcp ana": part(json.loads(mcp_call(s.mcp_ana, "resolve_question", mcp)), key),
        "mcp bo": part(json.loads(mcp_call(s.mcp_bo, "resolve_question", mcp)), key),
    }


def everyone(metrics: list[str]) -> dict[str, list[str]]:
    return dict.fromkeys(["web ana", "web bo", "web anonymous", "mcp ana", "mcp bo"], metrics)


def only_ana(metrics: list[str]) -> dict[str, list[str]]:
    return {**everyone([]), "web ana": metrics, "mcp ana": metrics}


def test_words_taught_edited_approved_and_removed_elsewhere_apply_at_once(servers: Servers) -> None:
    """Teach (ana's at once), edit (ana's at once), approve (everyone's), remove (nobody's): each change is
    made by a CLI process and each running server answers accordingly on its next question."""
    s = servers
    assert answers(s) == everyone([])  # the servers have answered (and built their resolvers) before

    word = cli(s, "learn", "recurring dosh", "churned_customers", token=s.ana)
    assert word["state"] == "in_review"
    assert answers(s) == only_ana(["churned_customers"])

    edited = cli(s, "edit", str(word["id"]), "mrr", token=s.ana)
    assert edited["id"] == word["id"] and edited["state"] == "in_review"
    assert answers(s) == only_ana(["mrr"])

    cli(s, "approve", str(word["id"]), token=s.bo)
    assert answers(s) == everyone(["mrr"])

    cli(s, "remove", str(word["id"]), token=s.bo)
    assert answers(s) == everyone([])

    # a value word taught through ana's MCP server applies in the web server's process too
    question, north_america = "mrr for the yanks", ["{{ Dimension('customer__region') }} = 'NA'"]
    assert answers(s, question, "where") == everyone([])
    told = mcp_call(
        s.mcp_ana,
        "record_feedback",
        {
            "question": question,
            "verdict": "incorrect",
            "phrase": "the yanks",
            "target": "customer__region=NA",
        },
    )
    assert "learned for ana at once" in told
    assert answers(s, question, "where") == only_ana(north_america)
    value_word = next(w for w in cli_list(s) if w["phrase"] == "the yanks")
    cli(s, "approve", str(value_word["id"]), token=s.bo)
    assert answers(s, question, "where") == everyone(north_america)
