"""What every group of MCP tools shares: the project, the lock around its one warehouse connection, the
users, the feedback store; and how a query runs (``Project.run``, ``source="mcp"``).
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any, Protocol

from metricmind.errors import QueryError
from metricmind.project import DimensionInfo, Project
from metricmind.resolve.feedback import FeedbackStore
from metricmind.spec.query import MetricQuery


class Resolution(Protocol):
    """What a resolver returns: JSON in the ``ask --json`` shape."""

    def to_dict(self) -> dict[str, Any]:  # pragma: no cover - protocol
        """The resolution as JSON-ready data."""
        ...


class Resolver(Protocol):
    """Question text → metric query (``metricmind.resolve``)."""

    def resolve(  # pragma: no cover
        self, question: str, *, as_of: dt.date | None = None, memory_lookup: Any = None
    ) -> Resolution:
        """Resolve ``question`` against ``as_of`` (default today), consulting ``memory_lookup``."""
        ...


class ToolBase:
    """The state the tool groups (``CatalogTools``, ``QueryTools``, ``Tools``) share.

    ``writer`` is the catalog user of the server's token: the only user the server writes as (feedback,
    learned words), and whose own learned words ``resolve_question`` applies. Without it every tool
    but ``record_feedback`` works. ``resolver`` fixes the resolver (by default the project's, built
    for each question so words taught or approved elsewhere apply at once).
    """

    def __init__(
        self,
        project: Project,
        *,
        resolver: Resolver | None = None,
        user: str | None = None,
        writer: str | None = None,
    ) -> None:
        self.project = project
        self.resolver = resolver
        self.writer = writer
        self.user = writer or user
        self.feedback = FeedbackStore.of(project.root)
        self._lock = threading.RLock()
        self._value_metric: dict[str, str] = {}
        self._dims: list[DimensionInfo] | None = None

    def _run(self, query: MetricQuery) -> Any:
        with self._lock:
            return self.project.run(query, user=self.user, source="mcp")


def whole_number(value: Any, what: str) -> int | None:
    """``value`` as an int (None when empty); a ``QueryError`` naming ``what`` when it is not one."""
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise QueryError(f"{what} {value!r} is not a whole number") from exc


def day_of(value: str | None, what: str) -> dt.date | None:
    """``value`` (YYYY-MM-DD, or an ISO timestamp) as a date (None when empty); trailing junk is refused."""
    if not value:
        return None
    try:
        text = value.strip()  # trailing junk after the date is refused, not dropped
        return dt.date.fromisoformat(text) if len(text) <= 10 else dt.datetime.fromisoformat(text).date()
    except ValueError as exc:
        raise QueryError(f"{what} {value!r} is not a date", hint="Write it as YYYY-MM-DD.") from exc
