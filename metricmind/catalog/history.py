"""Reading the history: changes with their diffs, published versions, and the audit log (and ``note``).

Everything here reads, except ``note``, which appends to the audit log an event that is no workflow
step (a review branch archived, say). The workflow steps write their own audit entries
(``metricmind.catalog.records``).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from metricmind.catalog import definitions as defs
from metricmind.catalog import records
from metricmind.catalog.base import CatalogBase
from metricmind.catalog.schema import audit, changes, versions
from metricmind.catalog.workflow import ChangeState
from metricmind.errors import StoreError


class History(CatalogBase):
    """Changes, versions and the audit log."""

    def note(self, user: str | None, action: str, kind: str, subject: str, detail: dict[str, Any]) -> None:
        """Append an event that is no workflow step to the audit log (a review branch archived, say)."""
        with self._write() as conn:
            records.audit_event(conn, user, action, kind, subject, None, None, detail)

    # -- reading changes, versions, audit --------------------------------------------------------------
    def change(self, change_id: int) -> dict[str, Any]:
        """One change with its definition and its diff against what is published."""
        with self.engine.connect() as conn:
            row = records.change_row(conn, change_id)
            return records.change_dict(conn, row)

    def changes(self, state: str | None = None) -> list[dict[str, Any]]:
        """Changes (of one state: draft, in_review, approved, rejected), newest first."""
        q = sa.select(changes).order_by(changes.c.id.desc())
        if state:
            try:
                q = q.where(changes.c.state == ChangeState(state).value)
            except ValueError:
                raise StoreError(
                    f"unknown change state {state!r}",
                    hint=f"Use one of {', '.join(s.value for s in ChangeState)}.",
                ) from None
        with self.engine.connect() as conn:
            return [records.change_dict(conn, r) for r in conn.execute(q).all()]

    def versions(self, name: str, kind: str = "metric") -> list[dict[str, Any]]:
        """A definition's published versions, newest first, each with its diff from the one before."""
        defs.check_kind(kind)
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(versions)
                .where(versions.c.kind == kind, versions.c.name == name)
                .order_by(versions.c.version.desc())
            ).all()
        return [
            {
                "version": r.version,
                "author": r.author,
                "created_at": r.created_at,
                "change_id": r.change_id,
                "yaml": r.yaml,
                "diff": r.diff,
            }
            for r in rows
        ]

    def audit(self, limit: int = 100, subject: str | None = None) -> list[dict[str, Any]]:
        """The audit log, newest first (of one subject when given)."""
        q = sa.select(audit).order_by(audit.c.id.desc()).limit(limit)
        if subject:
            q = q.where(audit.c.subject == subject)
        with self.engine.connect() as conn:
            return [
                {
                    "id": r.id,
                    "at": r.at,
                    "user": r.user_name,
                    "action": r.action,
                    "kind": r.kind,
                    "subject": r.subject,
                    "from_state": r.from_state,
                    "to_state": r.to_state,
                    "detail": r.detail,
                }
                for r in conn.execute(q)
            ]
