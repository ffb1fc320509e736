"""Run real dbt: find the executable, ``dbt build --select …`` a project, read ``run_results.json``.

dbt-core and dbt-duckdb are not a dependency of metricmind (dbt-core pins other versions of the libraries
metricmind uses), so dbt is found as an executable, first of:

1. the ``executable`` argument;
2. the ``dbt.executable`` setting (``METRICMIND_DBT_EXECUTABLE``, or ``dbt: {executable: …}`` in
   ``metricmind.yml``);
3. ``$METRICMIND_DBT``;
4. ``dbt`` on ``PATH``.

Install it in its own environment (``python -m venv ~/.dbt-venv && ~/.dbt-venv/bin/pip install dbt-core
dbt-duckdb``) and point the setting at ``~/.dbt-venv/bin/dbt``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from metricmind import config
from metricmind.errors import MetricmindError

#: Statuses of a node that make the build fail.
FAILING = frozenset({"error", "fail", "runtime error", "skipped"})
#: Most characters of dbt's own output kept in a result.
MAX_OUTPUT = 20_000


class DbtNotFound(MetricmindError):
    """No dbt executable was found."""

    code = "dbt_not_found"


@dataclass(frozen=True)
class NodeResult:
    """One dbt node's outcome: ``status`` as dbt reports it (success, pass, fail, error, skipped, warn)."""

    unique_id: str
    name: str
    resource_type: str
    status: str
    message: str = ""
    failures: int | None = None
    compiled_sql: str = ""
    elapsed_s: float = 0.0

    @property
    def failed(self) -> bool:
        """Whether this node makes the build fail."""
        return self.status in FAILING

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "unique_id": self.unique_id,
            "name": self.name,
            "resource_type": self.resource_type,
            "status": self.status,
            "message": self.message,
            "failures": self.failures,
            "compiled_sql": self.compiled_sql,
            "elapsed_s": round(self.elapsed_s, 3),
        }


@dataclass
class BuildResult:
    """What ``dbt build`` did: its command, exit code, every node's result and dbt's output."""

    command: list[str]
    returncode: int
    nodes: list[NodeResult] = field(default_factory=list)
    output: str = ""
    elapsed_s: float = 0.0

    @property
    def ok(self) -> bool:
        """Dbt exited with 0, ran at least one node, and no node failed."""
        return self.returncode == 0 and bool(self.nodes) and not self.failed

    @property
    def failed(self) -> list[NodeResult]:
        """The nodes that failed (tests that found rows, models that errored, nodes skipped after them)."""
        return [n for n in self.nodes if n.failed]

    def summary(self) -> str:
        """One line per failing node (name, status, dbt's message), or a line saying all passed."""
        if self.ok:
            return f"dbt build passed: {len(self.nodes)} node(s) in {self.elapsed_s:.1f} s"
        lines = [f"dbt build failed (exit {self.returncode}):"]
        for n in self.failed:
            lines.append(f"  {n.resource_type} {n.name}: {n.status} — {n.message}".rstrip(" —"))
        if not self.nodes:
            tail = [ln for ln in self.output.strip().splitlines() if ln.strip()][-8:]
            lines += ["  " + ln for ln in tail]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "ok": self.ok,
            "command": self.command,
            "returncode": self.returncode,
            "elapsed_s": round(self.elapsed_s, 3),
            "nodes": [n.to_dict() for n in self.nodes],
            "failed": [n.name for n in self.failed],
            "summary": self.summary(),
            "output": self.output[-MAX_OUTPUT:],
        }


def find_dbt(executable: str | None = None, settings: dict[str, Any] | None = None) -> str:
    """The dbt executable to run (see the module docstring for the order); ``DbtNotFound`` when none."""
    candidates = [
        executable,
        config.resolve("dbt.executable", settings),
        os.environ.get("METRICMIND_DBT"),
    ]
    for c in candidates:
        if c:
            path = shutil.which(str(c)) or (str(c) if Path(str(c)).is_file() else None)
            if path is None:
                raise DbtNotFound(
                    f"dbt executable {c!r} not found",
                    hint="Point the `dbt.executable` setting (or $METRICMIND_DBT) at an installed dbt, "
                    "e.g. ~/.dbt-venv/bin/dbt.",
                )
            return path
    found = shutil.which("dbt")
    if found is None:
        raise DbtNotFound(
            "dbt is not installed (no `dbt.executable` setting, $METRICMIND_DBT or dbt on PATH)",
            hint="python -m venv ~/.dbt-venv && ~/.dbt-venv/bin/pip install dbt-core dbt-duckdb; then set "
            "METRICMIND_DBT=~/.dbt-venv/bin/dbt.",
        )
    return found


def build(
    project_dir: str | os.PathLike[str],
    select: list[str] | None = None,
    *,
    executable: str | None = None,
    profiles_dir: str | os.PathLike[str] | None = None,
    target: str | None = None,
    settings: dict[str, Any] | None = None,
    timeout_s: float = 600.0,
) -> BuildResult:
    """Run ``dbt build [--select …]`` in ``project_dir`` and return each node's result.

    dbt runs with the project folder as its working directory (so a DuckDB ``path`` relative to it
    resolves as when you run dbt there), ``profiles.yml`` from ``profiles_dir`` (default: the project
    folder when it holds one, else dbt's own search), and its artifacts and logs in a scratch folder.

    Raises:
        DbtNotFound: No dbt executable.
        MetricmindError: dbt did not finish within ``timeout_s``.
    """
    exe = find_dbt(executable, settings)
    root = Path(project_dir).resolve()
    if profiles_dir is None and (root / "profiles.yml").exists():
        profiles_dir = root
    with tempfile.TemporaryDirectory(prefix="metricmind-dbt-") as scratch:
        cmd = [exe, "build", "--project-dir", str(root), "--target-path", f"{scratch}/target"]
        cmd += ["--log-path", f"{scratch}/logs"]
        if profiles_dir is not None:
            cmd += ["--profiles-dir", str(Path(profiles_dir).resolve())]
        if target:
            cmd += ["--target", target]
        if select:
            cmd += ["--select", *select]
        env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "NO_COLOR": "1"}
        env["DBT_USE_COLORS"] = "false"
        started = time.perf_counter()
        try:
            done = subprocess.run(
                cmd, cwd=root, env=env, capture_output=True, text=True, timeout=timeout_s, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise MetricmindError(
                f"dbt build in {root} did not finish within {timeout_s:.0f} s",
                hint="Select fewer nodes or raise the timeout.",
            ) from exc
        elapsed = time.perf_counter() - started
        results = Path(scratch) / "target" / "run_results.json"
        nodes = _nodes(json.loads(results.read_text(encoding="utf-8"))) if results.exists() else []
    output = (done.stdout + ("\n" + done.stderr if done.stderr else ""))[-MAX_OUTPUT:]
    return BuildResult(cmd, done.returncode, nodes, output, elapsed)


def _nodes(run_results: dict[str, Any]) -> list[NodeResult]:
    out = []
    for r in run_results.get("results") or []:
        uid = str(r.get("unique_id") or "")
        parts = uid.split(".")
        failures = r.get("failures")
        out.append(
            NodeResult(
                unique_id=uid,
                name=parts[2] if len(parts) > 2 else uid,
                resource_type=parts[0] if parts else "",
                status=str(r.get("status") or ""),
                message=str(r.get("message") or ""),
                failures=int(failures) if isinstance(failures, int) else None,
                compiled_sql=str(r.get("compiled_code") or ""),
                elapsed_s=float(r.get("execution_time") or 0.0),
            )
        )
    return out
