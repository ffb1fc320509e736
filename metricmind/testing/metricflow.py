"""Run queries through real MetricFlow and compare its answers with ours.

MetricFlow lives in its own virtual environment (``.venv-mf``: dbt-core, dbt-duckdb, dbt-metricflow), so
we never import it here. :func:`run_metricflow` sends a batch of queries to
``tests/differential/mf_runner.py`` running under that environment's Python, which parses the dbt project
once, builds one ``MetricFlowEngine`` and answers every query in-process. :func:`compare_results` decides
whether two result sets are the same answer, tolerating what legitimately differs between engines (date
vs timestamp, int vs float vs Decimal, row order, float rounding).

Example::

    results = run_metricflow(project_dir, duckdb_path, [MFQuery("q1", metrics=("revenue",),
                                                                group_by=("metric_time__month",))])
    assert results[0].error is None
    assert compare_results(our_columns, our_rows, results[0].columns, results[0].rows) == []

The code: ``mfenv`` (MetricFlow's environment), ``mfrun`` (the runner protocol and running queries) and
``mfcompare`` (comparing results); this module is the one to import from.
"""

from __future__ import annotations

from metricmind.testing.mfcompare import compare_results
from metricmind.testing.mfenv import (
    MF_CACHE_ENV,
    MF_PYTHON_ENV,
    MF_REQUIREMENTS,
    MF_SETUP_HINT,
    REPO_ROOT,
    RUNNER,
    MetricFlowRunError,
    ensure_mf_env,
    mf_available,
    mf_cache_dir,
    mf_python,
)
from metricmind.testing.mfrun import (
    MFQuery,
    MFResult,
    MFRun,
    build_with_dbt,
    run_metricflow,
    run_metricflow_batch,
)

__all__ = [
    "MF_CACHE_ENV",
    "MF_PYTHON_ENV",
    "MF_REQUIREMENTS",
    "MF_SETUP_HINT",
    "REPO_ROOT",
    "RUNNER",
    "MFQuery",
    "MFResult",
    "MFRun",
    "MetricFlowRunError",
    "build_with_dbt",
    "compare_results",
    "ensure_mf_env",
    "mf_available",
    "mf_cache_dir",
    "mf_python",
    "run_metricflow",
    "run_metricflow_batch",
]
