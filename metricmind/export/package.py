"""A generated metric package: dbt project files (text by relative path), the dbt selection and its checks.

Plain data, JSON-ready; ``metricmind.define.generate`` fills it, ``metricmind.define.write_package`` puts it
into a project on a review branch and ``metricmind.export.runner`` builds it with dbt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Check:
    """One data test of the package: what it asserts, its kind and the file (or YAML entry) holding it.

    ``kind`` is ``generic`` (a dbt test in the model's properties: not_null, unique, accepted_values …)
    or ``singular`` (a SQL file under the test path that returns the offending rows).
    """

    name: str
    kind: str
    what: str
    path: str


@dataclass
class Package:
    """What ``generate`` makes for one metric.

    Attributes:
        name: The metric's name.
        files: Text of every file, by path relative to the project folder.
        selection: The dbt ``--select`` arguments that build the package's models and run its tests.
        checks: The data tests, one per check.
        reasons: One line per decision (materialization, model or not, tests skipped and why).
        metric: The ``metrics:`` item (as the catalog stores it; its YAML is one of ``files``).
        new_model: The name of the dbt model the package adds, if any.
        graph: Knowledge-graph nodes and edges for the new metric (``{"nodes": [...], "edges": [...]}``).
        pattern: A reusable record of how the metric was made (for the learning work).
        problems: Why the package must not be written (rules unread …); empty when it may be.
    """

    name: str
    files: dict[str, str] = field(default_factory=dict)
    selection: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    metric: dict[str, Any] = field(default_factory=dict)
    new_model: str | None = None
    graph: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    pattern: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: files as ``[{path, text}]`` in path order."""
        return {
            "name": self.name,
            "files": [{"path": p, "text": t} for p, t in sorted(self.files.items())],
            "selection": list(self.selection),
            "checks": [c.__dict__ for c in self.checks],
            "reasons": list(self.reasons),
            "new_model": self.new_model,
            "graph": self.graph,
            "pattern": self.pattern,
            "problems": list(self.problems),
        }
