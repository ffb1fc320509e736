"""dbt project files from a metric spec (model, semantic YAML, docs, tests) and a runner for real dbt.

``dbtfiles.render(MetricSpec) -> Package`` writes nothing; ``runner.build(project_dir, select)`` runs
``dbt build`` and returns every node's result. ``metricmind.define.generate`` decides the spec.
"""

from __future__ import annotations

from metricmind.export.dbtfiles import (
    MetricSpec,
    NewModel,
    SourceTest,
    refs_of,
    render,
    source_test_sql,
    tag,
)
from metricmind.export.package import Check, Package
from metricmind.export.runner import BuildResult, DbtNotFound, NodeResult, build, find_dbt

__all__ = [
    "BuildResult",
    "Check",
    "DbtNotFound",
    "MetricSpec",
    "NewModel",
    "NodeResult",
    "Package",
    "SourceTest",
    "build",
    "find_dbt",
    "refs_of",
    "render",
    "source_test_sql",
    "tag",
]
