"""MetricFlow's environment: where its Python is, whether it works, and creating it (``.venv-mf``).

MetricFlow is never imported here: it lives in its own virtual environment (dbt-core, dbt-duckdb,
dbt-metricflow) and runs in a subprocess (``metricmind.testing.mfrun``). This module finds that
environment's interpreter, checks it can import what the runner needs, and builds it under a lock so
parallel test workers create it once.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
"""The source checkout this module lives in (the harness is a development tool)."""

RUNNER = REPO_ROOT / "tests" / "differential" / "mf_runner.py"
"""The script run under MetricFlow's Python."""

MF_PYTHON_ENV = "METRICMIND_MF_PYTHON"
"""Environment variable naming the Python interpreter of MetricFlow's virtual environment."""

MF_CACHE_ENV = "METRICMIND_MF_CACHE"
"""Environment variable naming the semantic-manifest cache directory (``off`` disables the cache)."""

MF_REQUIREMENTS = (
    "dbt-metricflow==0.15.0",
    "metricflow==0.213.0",
    "dbt-core==1.11.16",
    "dbt-duckdb==1.11.1",
    "dbt-postgres==1.11.0",
)
"""What ``.venv-mf`` holds: the versions the harness was verified with (the Makefile's ``mf-env`` pins).
Unpinned, ``dbt-core`` must stay below 1.12, whose parser binary cannot be built offline."""

MF_SETUP_HINT = (
    "create MetricFlow's environment with `make mf-env`, or: python3 -m venv .venv-mf && "
    ".venv-mf/bin/pip install dbt-metricflow dbt-duckdb 'dbt-core<1.12' "
    f"(or point {MF_PYTHON_ENV} at a Python that has them; CI=true creates it)"
)

_REQUIRED_MODULES = ("metricflow", "dbt_metricflow", "dbt.adapters.duckdb", "dbt.adapters.postgres", "duckdb")


class MetricFlowRunError(RuntimeError):
    """The MetricFlow runner could not run (missing environment, bad project, crash, timeout)."""


# --- the environment ---------------------------------------------------------------------------


def tail(text: str, lines: int = 40) -> str:
    """The last ``lines`` lines of ``text`` (of a subprocess's output, for an error message)."""
    return "\n".join(text.strip().splitlines()[-lines:])


def mf_python() -> Path:
    """Return the Python interpreter of MetricFlow's environment.

    ``$METRICMIND_MF_PYTHON`` when set, else ``<repo>/.venv-mf/bin/python``. The path may not exist;
    see :func:`mf_available`.
    """
    configured = os.environ.get(MF_PYTHON_ENV)
    if configured:
        return Path(configured).expanduser()
    return REPO_ROOT / ".venv-mf" / "bin" / "python"


def mf_cache_dir() -> Path | None:
    """Where the runner caches semantic manifests: ``$METRICMIND_MF_CACHE``, else
    ``$XDG_CACHE_HOME/metricmind/mf-manifests`` (``~/.cache/...``); None when the variable says ``off``.
    """
    configured = os.environ.get(MF_CACHE_ENV, "").strip()
    if configured.lower() in {"off", "0", "false", "no"}:
        return None
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "metricmind" / "mf-manifests"


def mf_available(python: Path | None = None) -> bool:
    """Whether ``python`` (default :func:`mf_python`) can run MetricFlow with dbt-duckdb.

    Checks that the interpreter exists and finds the packages, without importing them (~50 ms).
    """
    interpreter = python or mf_python()
    if not interpreter.exists():
        return False
    probe = (
        "import importlib.util as u, sys; "
        f"sys.exit(0 if all(u.find_spec(m) for m in {_REQUIRED_MODULES!r}) else 1)"
    )
    try:
        completed = subprocess.run(
            [str(interpreter), "-c", probe], capture_output=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return completed.returncode == 0


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (so parallel test workers create the environment once)."""
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_mf_env(repo_root: Path = REPO_ROOT, *, timeout: float = 900.0) -> Path:
    """Create ``<repo_root>/.venv-mf`` with MetricFlow, dbt-core and dbt-duckdb unless it already works.

    Runs ``python -m venv .venv-mf`` and ``.venv-mf/bin/python -m pip install`` :data:`MF_REQUIREMENTS`
    (dbt-metricflow, metricflow, dbt-core, dbt-duckdb) through the configured package index. An existing environment that lacks packages
    gets the pip step only; a new one that fails half-way is removed so the next call starts over. A lock
    (in the temp directory) keeps parallel test workers from building it twice.

    Args:
        repo_root: The checkout that gets the ``.venv-mf`` directory.
        timeout: Seconds allowed for each of the two steps.

    Returns:
        The environment's Python interpreter.

    Raises:
        MetricFlowRunError: The environment could not be created; the message carries pip's output.
    """
    venv = repo_root / ".venv-mf"
    python = venv / "bin" / "python"
    tag = hashlib.sha256(str(repo_root.resolve()).encode()).hexdigest()[:16]
    with _locked(Path(tempfile.gettempdir()) / f"metricmind-venv-mf-{tag}.lock"):
        if mf_available(python):
            return python
        repair = python.exists()  # an existing environment is completed, never deleted
        steps = [[str(python), "-m", "pip", "install", "--disable-pip-version-check", *MF_REQUIREMENTS]]
        if not repair:
            shutil.rmtree(venv, ignore_errors=True)
            steps.insert(0, [sys.executable, "-m", "venv", str(venv)])
        for step in steps:
            try:
                done = subprocess.run(step, capture_output=True, text=True, timeout=timeout, check=False)
            except subprocess.TimeoutExpired as exc:
                if not repair:
                    shutil.rmtree(venv, ignore_errors=True)
                raise MetricFlowRunError(f"timed out after {timeout:.0f} s: {' '.join(step)}") from exc
            if done.returncode != 0:
                if not repair:
                    shutil.rmtree(venv, ignore_errors=True)
                raise MetricFlowRunError(
                    f"creating {venv} failed: {' '.join(step)} exited {done.returncode}\n"
                    f"{tail(done.stdout)}\n{tail(done.stderr)}"
                )
        if not mf_available(python):
            raise MetricFlowRunError(f"{venv} was created but cannot import {', '.join(_REQUIRED_MODULES)}")
        (venv / ".installed").touch()  # the Makefile's stamp for the same environment
    return python


# --- the runner protocol --------------------------------------------------------------------------
