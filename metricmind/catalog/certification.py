"""Certifying and deprecating published definitions (approvers).

Certification belongs to a version: the fingerprint of what a certified definition computes is kept,
and a change of that outside review drops it to published on the next sync. A deprecation names a
reason, a successor and a sunset date.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from metricmind.catalog import definitions as defs
from metricmind.catalog import records
from metricmind.catalog import usage as use
from metricmind.catalog.accounts import Accounts
from metricmind.catalog.fingerprint import meaning
from metricmind.catalog.index import Index
from metricmind.catalog.schema import definitions
from metricmind.catalog.workflow import Action, Status, WorkflowError, status_step
from metricmind.errors import ConflictError, UnknownNameError


class Certification(Accounts, Index):
    """Certify, deprecate, and the status step they share."""

    def certify(self, kind: str, name: str, user: str) -> dict[str, Any]:
        """Certify a published metric or canonical dataset (approver): this version of it. The fingerprint
        of what it computes is kept; a change of that outside review drops it to published on the next sync.
        """
        fingerprint = meaning(self.model, defs.check_kind(kind), name, self.root)
        return self._set_status(
            Action.CERTIFY, kind, name, user, None, {"certified_fingerprint": fingerprint}
        )

    def deprecate(
        self,
        kind: str,
        name: str,
        user: str,
        reason: str = "",
        *,
        successor: str | None = None,
        sunset: str | dt.date | None = None,
    ) -> dict[str, Any]:
        """Deprecate a published or certified metric or canonical dataset (approver), with a reason, the
        successor to use instead (a definition of the same kind, not itself) and the sunset date (ISO).
        Queries of a deprecated metric answer with a warning naming them.

        Raises:
            UnknownNameError: The successor does not exist.
            WorkflowError: The successor is the definition itself, or the sunset is not a date.
        """
        kind = defs.check_kind(kind)
        detail: dict[str, Any] = {}
        if successor:
            successor = successor.strip()
            if successor == name:
                raise WorkflowError(
                    f"{kind} '{name}' cannot be its own successor", hint="Name the definition to use instead."
                )
            self._get(kind, successor)  # unknown names get suggestions
            detail["successor"] = successor
        if sunset:
            try:
                day = sunset if isinstance(sunset, dt.date) else dt.date.fromisoformat(str(sunset).strip())
            except ValueError as exc:
                raise WorkflowError(
                    f"sunset {sunset!r} is not a date", hint="Write the sunset date as YYYY-MM-DD."
                ) from exc
            detail["sunset"] = day.isoformat()
        return self._set_status(
            Action.DEPRECATE,
            kind,
            name,
            user,
            reason,
            {"successor": detail.get("successor"), "sunset": detail.get("sunset")},
            detail,
        )

    def _set_status(
        self,
        action: Action,
        kind: str,
        name: str,
        user: str,
        reason: str | None,
        extra: dict[str, Any] | None = None,
        extra_detail: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        defs.check_kind(kind)
        if reason is not None:
            reason = defs.check_text(reason, "reason")
        at = use.now()
        with self._write() as conn:
            row = conn.execute(
                sa.select(definitions).where(
                    definitions.c.kind == kind, definitions.c.name == name, definitions.c.in_project.is_(True)
                )
            ).first()
            if row is None:
                known = conn.execute(
                    sa.select(definitions.c.name).where(
                        definitions.c.kind == kind, definitions.c.in_project.is_(True)
                    )
                ).scalars()
                raise UnknownNameError("metric" if kind == "metric" else "canonical dataset", name, known)
            step = status_step(action, row.status, role=self.role(user, conn))
            done = conn.execute(
                sa.update(definitions)
                .where(definitions.c.id == row.id, definitions.c.status == row.status)
                .values(
                    status=step.to_state,
                    certified=step.to_state == Status.CERTIFIED.value,
                    updated_at=at,
                    **(extra or {}),
                )
            )
            if done.rowcount != 1:
                raise ConflictError(
                    f"{kind} '{name}' changed while you were looking at it", hint="Reload and try again."
                )
            detail: dict[str, Any] = {"reason": reason} if reason else {}
            detail.update(extra_detail or {})
            records.audit_step(conn, user, step, kind, name, detail)
        return self._get(kind, name)
