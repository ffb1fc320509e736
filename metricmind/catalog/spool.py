"""The execution spool: runs recorded cheaply while the catalog store is closed, ingested when it opens.

``metricmind query`` or an MCP server should not pay for opening the catalog store (SQLAlchemy,
migrations, a YAML sync: about a second) to record one execution. ``Project.run`` appends the
execution as one JSON line to ``executions.jsonl`` in the project's state folder instead (one locked
``O_APPEND`` write, well under a millisecond); the catalog ingests the spool when it opens and before
it answers usage questions. Each line carries an id stored with the execution, so a crash between
the store's commit and the spool's truncation never counts a run twice. No SQLAlchemy here.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from metricmind import config
from metricmind.appendlog import append_line, locked

FILE_NAME = "executions.jsonl"
#: Where the spool is by default, relative to the project folder.
RELATIVE_PATH = Path(config.STATE_FOLDER) / FILE_NAME


@dataclass(frozen=True)
class SpooledRun:
    """One execution as spooled."""

    id: str
    at: dt.datetime
    user: str | None
    source: str
    metrics: list[str]
    query: dict[str, Any]
    sql: str
    duration_ms: float
    rows: int
    error: str | None


class Spool:
    """Append executions; drain them into a recorder."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def of(cls, project_root: Path) -> Spool:
        """The spool of the project at ``project_root`` (in its state folder, ``config.state_dir``)."""
        return cls(config.state_dir(project_root) / FILE_NAME)

    def append(self, execution: Any) -> None:
        """Spool a ``metricmind.project.Execution``."""
        query = execution.query
        record = {
            "id": uuid.uuid4().hex,
            "at": execution.started_at.isoformat(),
            "user": execution.user,
            "source": execution.source,
            "metrics": list(query.metrics),
            "query": query.to_dict(),
            "sql": execution.sql,
            "duration_ms": round(float(execution.elapsed_ms), 3),
            "rows": int(execution.rows),
            "error": execution.error,
        }
        config.ensure_state_dir(self.path.parent)
        append_line(self.path, (json.dumps(record, default=str) + "\n").encode())

    def pending(self) -> bool:
        """Whether anything waits in the spool (one ``stat``)."""
        try:
            return self.path.stat().st_size > 0
        except FileNotFoundError:
            return False

    def drain(self, record: Callable[[list[SpooledRun]], None]) -> int:
        """Hand every complete record to ``record`` (one call), then empty the spool; how many.

        If ``record`` raises, the spool is left as it was.
        """
        if not self.pending():
            return 0
        with locked(self.path, os.O_RDWR) as fd:
            size = os.fstat(fd).st_size
            raw = os.pread(fd, size, 0) if size else b""
            runs = list(_parse(raw))
            if runs:
                record(runs)
            os.ftruncate(fd, 0)
            os.fsync(fd)
            return len(runs)


def _parse(raw: bytes) -> Iterator[SpooledRun]:
    for line in raw.split(b"\n"):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            yield SpooledRun(
                id=str(d["id"]),
                at=dt.datetime.fromisoformat(d["at"]),
                user=d.get("user"),
                source=str(d.get("source") or "api"),
                metrics=[str(m) for m in d.get("metrics") or []],
                query=dict(d.get("query") or {}),
                sql=str(d.get("sql") or ""),
                duration_ms=float(d.get("duration_ms") or 0.0),
                rows=int(d.get("rows") or 0),
                error=d.get("error"),
            )
        except (ValueError, KeyError, TypeError):
            continue  # a torn line from a crashed writer
