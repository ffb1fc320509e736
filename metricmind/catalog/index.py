"""The definitions index: recovery and sync from the project's YAML, and reading what it holds.

``sync`` brings the index in line with the files (finishing first any approval a crash left between
its commit and its file rename); the readers (``metric``, ``metrics``, ``count``, ``status`` …) answer
from an in-memory copy of the index that is trusted for ``INDEX_TTL_S`` (other processes may write).
"""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa

from metricmind.catalog import definitions as defs
from metricmind.catalog import filewrites as files
from metricmind.catalog import records
from metricmind.catalog import sync as syncing
from metricmind.catalog.base import CatalogBase, log, safe_url
from metricmind.catalog.schema import changes, definitions, executions, file_writes, users
from metricmind.errors import UnknownNameError
from metricmind.spec.loader import load
from metricmind.spec.model import Model

#: How long the in-memory copy of the definitions index is trusted (other processes may write).
INDEX_TTL_S = 1.0


class Index(CatalogBase):
    """Recovery, sync from the YAML, and the definitions index with its readers."""

    # -- recovery and sync from the YAML ----------------------------------------------------------------
    def recover(self) -> list[str]:
        """Finish approvals a crash left between their commit and their file rename; the files written.

        When one was finished, the model is reloaded (it was read before the file was in place).
        """
        if not self.pending_writes():  # the usual case: no write lock taken
            return []
        with self._files, self._write() as conn:
            files.lock_approvals(conn)
            done = files.recover(conn, self.root)
        if done:
            log.warning("finished the file writes of approvals interrupted by a crash: %s", ", ".join(done))
            result = load(self.root)
            self.model = result.model
        return done

    def pending_writes(self) -> set[str]:
        """The staged files of approvals whose file write is not finished (relative to the project)."""
        with self.engine.connect() as conn:
            return {str(p) for p in conn.execute(sa.select(file_writes.c.staged)).scalars()}

    def sync(self, model: Model | None = None) -> dict[str, list[str]]:
        """Index the project's metrics and canonical datasets (see :mod:`metricmind.catalog.sync`)."""
        if model is not None:
            self.model = model
        self.recover()
        found = syncing.scan(self.root, self.model)
        dropped: list[dict[str, Any]] = []
        with self._write() as conn:
            report = syncing.apply(conn, found, self.model.name, dropped)
        self.last_sync = report
        self.last_decertified = dropped
        if dropped and self.on_decertify is not None:
            self.on_decertify(dropped)
        return report

    # -- the index -----------------------------------------------------------------------------------
    def _definitions(self) -> dict[tuple[str, str], dict[str, Any]]:
        if self._index is None or time.monotonic() - self._index_at > INDEX_TTL_S:
            with self.engine.connect() as conn:
                rows = conn.execute(sa.select(definitions).where(definitions.c.in_project.is_(True)))
                self._index = {(r.kind, r.name): records.definition_dict(r._mapping) for r in rows}
            self._index_at = time.monotonic()
        return self._index

    def _get(self, kind: str, name: str) -> dict[str, Any]:
        found = self._definitions().get((defs.check_kind(kind), name))
        if found is None:
            known = [n for k, n in self._definitions() if k == kind]
            raise UnknownNameError("metric" if kind == "metric" else "canonical dataset", name, known)
        return dict(found)

    def metric(self, name: str) -> dict[str, Any]:
        """The catalog's record of a metric: status, certified, version, owner, category …"""
        return self._get("metric", name)

    def dataset(self, name: str) -> dict[str, Any]:
        """The catalog's record of a canonical dataset."""
        return self._get("dataset", name)

    def metrics(self, status: str | None = None) -> list[dict[str, Any]]:
        """Every metric in the project (optionally of one status), by name."""
        return self._list("metric", status)

    def datasets(self, status: str | None = None) -> list[dict[str, Any]]:
        """Every canonical dataset (optionally of one status), by name."""
        return self._list("dataset", status)

    def _list(self, kind: str, status: str | None) -> list[dict[str, Any]]:
        rows = [dict(d) for (k, _), d in self._definitions().items() if k == kind]
        if status:
            rows = [r for r in rows if r["status"] == status]
        return sorted(rows, key=lambda r: str(r["name"]))

    def count(self, kind: str = "metric", status: str | None = None) -> int:
        """How many definitions of ``kind`` (and ``status``) the project has."""
        return len(self._list(kind, status))

    def status(self) -> dict[str, Any]:
        """A summary: definitions by kind and status, changes by state, users, executions."""
        out: dict[str, Any] = {"project": self.model.name, "store": safe_url(self.engine)}
        for kind in ("metric", "dataset"):
            by: dict[str, int] = {}
            for d in self._list(kind, None):
                by[d["status"]] = by.get(d["status"], 0) + 1
            out[f"{kind}s"] = dict(sorted(by.items()))
        with self.engine.connect() as conn:
            out["changes"] = {
                str(r[0]): int(r[1])
                for r in conn.execute(sa.select(changes.c.state, sa.func.count()).group_by(changes.c.state))
            }
            out["users"] = int(conn.execute(sa.select(sa.func.count()).select_from(users)).scalar_one())
            out["executions"] = int(
                conn.execute(sa.select(sa.func.count()).select_from(executions)).scalar_one()
            )
        return out
