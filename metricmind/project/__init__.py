"""The ``Project`` facade: load a project folder, compile and run metric queries.

Interfaces (CLI, web, MCP) and notebooks call only this and the core types::

    from metricmind import Project, MetricQuery

    project = Project.load("path/to/project")
    print(project.compile(MetricQuery.build("revenue", group_by="metric_time__month")))
    result = project.run(MetricQuery.build("revenue", group_by="customer__segment"))
    result.df()   # pandas, with the `frames` extra

The facade is assembled from parts, one concern each: ``state`` (folder, settings, model, compiler,
catalog, what the model offers), ``warehouse``, ``running`` (compile and run), ``words`` (vocabulary,
resolver, memory), ``validation``; ``results`` holds the value types.
"""

from __future__ import annotations

from metricmind.errors import QueryError
from metricmind.project.core import Project
from metricmind.project.results import DimensionInfo, Execution, QueryResult, json_value
from metricmind.project.state import PROJECT_MARKERS, find_root
from metricmind.spec.names import SEP

__all__ = [
    "DimensionInfo",
    "Execution",
    "PROJECT_MARKERS",
    "Project",
    "QueryError",
    "QueryResult",
    "SEP",
    "find_root",
    "json_value",
]
