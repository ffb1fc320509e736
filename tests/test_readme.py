"""The README's quick tour, run as printed in a fresh shell: nothing activated, a new home folder.

Each command of the tour's code block runs in its own ``bash`` from the repository root, after the block's
first line (``source .venv/bin/activate``), with ``HOME`` pointing at an empty folder and no virtual
environment on ``PATH``. ``metricmind serve`` is started, asked for a page, and stopped.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def tour() -> list[str]:
    """The commands of the quick tour's bash block, continuation lines joined, comments dropped."""
    text = README.read_text()
    section = text[text.index("## Quick tour") :]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block, "the quick tour has a bash block"
    joined = block.group(1).replace("\\\n", " ")
    commands = []
    for line in joined.splitlines():
        words = shlex.split(line, comments=True)
        if words:
            commands.append(shlex.join(words))
    return commands


def _fresh_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("METRICMIND_", "VIRTUAL_ENV"))}
    venv_bin = str(ROOT / ".venv" / "bin")
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != venv_bin)
    env["HOME"] = str(home)
    return env


def test_the_tour_starts_by_putting_metricmind_on_path() -> None:
    commands = tour()
    assert commands[0] == "source .venv/bin/activate"
    assert all(c.startswith("metricmind ") for c in commands[1:])
    assert any(c.startswith("metricmind demo") for c in commands)


@pytest.mark.slow
def test_the_readme_tour_runs_as_printed(tmp_path: Path) -> None:
    commands = tour()
    activate, rest = commands[0], commands[1:]
    env = _fresh_env(tmp_path)
    plain = subprocess.run(["bash", "-c", "command -v metricmind"], cwd=ROOT, env=env, capture_output=True)
    assert plain.returncode != 0, "metricmind must not be on PATH before the tour activates .venv"
    for command in rest:
        if command.startswith("metricmind serve"):
            _serve(f"{activate} && exec {command}", env)
            continue
        done = subprocess.run(
            ["bash", "-c", f"{activate} && {command}"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, f"{command!r} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        assert done.stdout.strip(), f"{command!r} printed nothing"


def _serve(script: str, env: dict[str, str]) -> None:
    server = subprocess.Popen(
        ["bash", "-c", script],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen("http://127.0.0.1:8000/api/metrics", timeout=5) as page:
                    assert page.status == 200
                    return
            except OSError:
                assert server.poll() is None, (
                    f"metricmind serve exited: {server.stderr.read() if server.stderr else ''}"
                )
                assert time.monotonic() < deadline, "metricmind serve did not answer within 120 s"
                time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=30)
