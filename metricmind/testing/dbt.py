"""Real dbt for tests: the dbt of MetricFlow's environment (``.venv-mf``, which holds dbt-core and dbt-duckdb).

``dbt_for_tests()`` is ``$METRICMIND_DBT``, else ``dbt`` on ``PATH``, else ``<repo>/.venv-mf/bin/dbt`` (made by
``make mf-env``, part of ``make test``); ``None`` when there is none (tests then skip, or fail under CI).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from metricmind.testing.metricflow import REPO_ROOT

SETUP_HINT = "make mf-env (creates .venv-mf with dbt-core and dbt-duckdb), or set METRICMIND_DBT"


def dbt_for_tests() -> str | None:
    """The dbt executable tests run, or None."""
    env = os.environ.get("METRICMIND_DBT")
    if env:
        return env
    found = shutil.which("dbt")
    if found:
        return found
    local = REPO_ROOT / ".venv-mf" / "bin" / "dbt"
    return str(local) if local.exists() else None


def dbt_build(dbt: str, root: Path) -> subprocess.CompletedProcess[str]:
    """``dbt build`` of the project at ``root`` with the profiles it holds (output captured, 10 min at most)."""
    return subprocess.run(
        [dbt, "build", "--profiles-dir", str(root), "--project-dir", str(root)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
    )
