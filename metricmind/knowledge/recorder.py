"""Recording the project's own executions: one short transaction each, from ``Project.listeners``.

The graph is updated from stored records later (``knowledge.process``), so recording costs little; the
protocols say what the recorder reads from an execution without importing the project.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import ChainMap
from typing import Any, Protocol

import sqlalchemy as sa

from metricmind.knowledge.entries import PROJECT_SOURCE, Entry, store_entries


class QueryLike(Protocol):
    """What the recorder reads from a ``MetricQuery``."""

    @property
    def metrics(self) -> tuple[str, ...]:
        """The ``metrics`` attribute."""
        ...

    @property
    def group_by(self) -> tuple[str, ...]:
        """The ``group_by`` attribute."""
        ...


class ExecutionLike(Protocol):
    """What the recorder reads from ``metricmind.project.Execution``."""

    @property
    def query(self) -> QueryLike:
        """The ``query`` attribute."""
        ...

    @property
    def sql(self) -> str:
        """The ``sql`` attribute."""
        ...

    @property
    def started_at(self) -> dt.datetime:
        """The ``started_at`` attribute."""
        ...

    @property
    def elapsed_ms(self) -> float:
        """The ``elapsed_ms`` attribute."""
        ...

    @property
    def rows(self) -> int:
        """The ``rows`` attribute."""
        ...

    @property
    def error(self) -> str | None:
        """The ``error`` attribute."""
        ...

    @property
    def user(self) -> str | None:
        """The ``user`` attribute."""
        ...

    @property
    def source(self) -> str:
        """The ``source`` attribute."""
        ...


class Recorder:
    """Records the project's executions in the store: attach ``record_execution`` to ``Project.listeners``.

    Args:
        engine: The store (migrated; see ``connect``).
        dialect: The dialect the project compiles to.
        schema: Schema of unqualified table names in compiled SQL.
    """

    def __init__(self, engine: sa.Engine, dialect: str, schema: str | None = None) -> None:
        self.engine = engine
        self.dialect = dialect
        self.schema = schema
        self._texts: dict[str, int] = {}

    def record_execution(self, execution: ExecutionLike) -> None:
        """Store one execution (one short transaction; the graph is updated by the next ``process``)."""
        query = execution.query
        entry = Entry(
            source=PROJECT_SOURCE,
            external_id=uuid.uuid4().hex,
            sql=execution.sql,
            dialect=self.dialect,
            schema=self.schema,
            started_at=execution.started_at,
            user=execution.user,
            duration_ms=execution.elapsed_ms,
            rows=execution.rows,
            error=execution.error,
            metrics=tuple(query.metrics),
            group_by=tuple(query.group_by),
        )
        # Text ids found or stored by this transaction are shared with other threads only once it has
        # committed: another thread's record must never point at a text row not committed yet.
        fresh: dict[str, int] = {}
        try:
            with self.engine.begin() as conn:
                store_entries(conn, [entry], ChainMap(fresh, self._texts))
        except sa.exc.SQLAlchemyError:
            self._texts.clear()
            raise
        self._texts.update(fresh)

    __call__ = record_execution


def attach(listeners: list[Any], recorder: Recorder) -> None:
    """Add ``recorder`` to a project's listeners once."""
    if not any(getattr(fn, "__self__", None) is recorder for fn in listeners):
        listeners.append(recorder.record_execution)
