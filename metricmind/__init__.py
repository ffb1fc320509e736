"""metricmind: a governed, MetricFlow-compatible semantic layer.

The public surface is small: ``Project``, ``MetricQuery``, ``QueryResult`` and the error types.
Everything else may change without notice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "FilterError",
    "JoinError",
    "MetricQuery",
    "MetricmindError",
    "Project",
    "QueryError",
    "QueryResult",
    "SpecError",
    "UnknownNameError",
    "WarehouseError",
    "__version__",
]

_LAZY = {
    "Project": "metricmind.project",
    "QueryResult": "metricmind.project",
    "MetricQuery": "metricmind.spec.query",
    "MetricmindError": "metricmind.errors",
    "SpecError": "metricmind.errors",
    "QueryError": "metricmind.errors",
    "UnknownNameError": "metricmind.errors",
    "JoinError": "metricmind.errors",
    "FilterError": "metricmind.errors",
    "WarehouseError": "metricmind.errors",
}

if TYPE_CHECKING:
    from metricmind.errors import (
        FilterError,
        JoinError,
        MetricmindError,
        QueryError,
        SpecError,
        UnknownNameError,
        WarehouseError,
    )
    from metricmind.project import Project, QueryResult
    from metricmind.spec.query import MetricQuery


def __getattr__(name: str) -> Any:
    """Import the public names on first use, so ``import metricmind.errors`` stays cheap."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'metricmind' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
