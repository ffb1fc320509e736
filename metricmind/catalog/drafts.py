"""Proposing changes and reviewing them, up to approval: drafts, edits, submission, rejection.

A draft writes nothing to the YAML (an approval does: ``metricmind.catalog.approval``). Anyone but the
author who edits a change becomes its co-author and can no longer approve it. The ``edit_checks`` run
before an edit and the ``after_reject`` hooks after a rejection (the project keeps a generated dbt
package's review branch in step with them).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from metricmind.catalog import definitions as defs
from metricmind.catalog import records
from metricmind.catalog import usage as use
from metricmind.catalog.accounts import Accounts
from metricmind.catalog.base import log
from metricmind.catalog.history import History
from metricmind.catalog.schema import changes, reviews
from metricmind.catalog.workflow import Action, change_step
from metricmind.errors import MetricmindError, StoreError


class Drafts(Accounts, History):
    """Create, edit, submit and reject changes."""

    # -- changes ---------------------------------------------------------------------------------------
    def create_draft(self, user: str, definition: dict[str, Any], kind: str = "metric") -> dict[str, Any]:
        """Save a proposed definition as a draft (editor); nothing is written to the YAML until approval."""
        name = defs.check(definition, kind)
        at = use.now()
        with self._write() as conn:
            step = change_step(Action.CREATE, None, role=self.role(user, conn), actor=user)
            result = conn.execute(
                sa.insert(changes).values(
                    kind=kind,
                    name=name,
                    yaml=defs.item_text(definition),
                    author=user,
                    state=step.to_state,
                    version=1,
                    created_at=at,
                    updated_at=at,
                )
            )
            pk = result.inserted_primary_key
            change_id = int(pk[0]) if pk is not None else 0
            records.audit_step(conn, user, step, kind, name, {"change": change_id})
        return self.change(change_id)

    def edit(
        self,
        change_id: int,
        user: str,
        definition: dict[str, Any],
        *,
        expected_version: int | None = None,
    ) -> dict[str, Any]:
        """Replace a draft's (or rejected change's) definition (editor); it becomes a draft again.

        Anyone but the author who edits it becomes a co-author (``editors``) and can no longer approve it;
        every edit is in the audit log with who made it. The ``edit_checks`` run first; a check that returns
        a callable has it called when the edit then fails.
        """
        undo = [u for check in self.edit_checks if callable(u := check(change_id, user, definition))]
        try:
            return self._edit(change_id, user, definition, expected_version=expected_version)
        except BaseException:
            for u in reversed(undo):
                u()
            raise

    def _edit(
        self, change_id: int, user: str, definition: dict[str, Any], *, expected_version: int | None
    ) -> dict[str, Any]:
        with self._write() as conn:
            row = records.change_row(conn, change_id)
            name = defs.check(definition, row.kind)
            if name != row.name:
                raise StoreError(
                    f"change #{change_id} is about '{row.name}', not '{name}'",
                    hint="Create a new draft for another name.",
                )
            step = change_step(Action.EDIT, row.state, role=self.role(user, conn), actor=user)
            editors = list(row.editors or [])
            co_author = user != row.author
            if co_author and user not in editors:
                editors.append(user)
            records.transition(
                conn,
                row,
                step,
                expected_version,
                yaml=defs.item_text(definition),
                reason=None,
                editors=editors or None,
            )
            detail = {"change": change_id, "editor": user, "author": row.author, "co_author": co_author}
            records.audit_step(conn, user, step, row.kind, row.name, detail)
        return self.change(change_id)

    def submit(self, change_id: int, user: str, *, expected_version: int | None = None) -> dict[str, Any]:
        """Submit a draft for review (editor)."""
        with self._write() as conn:
            row = records.change_row(conn, change_id)
            records.check_version(row, expected_version)
            step = change_step(Action.SUBMIT, row.state, role=self.role(user, conn), actor=user)
            records.transition(conn, row, step, expected_version)
            records.audit_step(conn, user, step, row.kind, row.name, {"change": change_id})
        return self.change(change_id)

    def reject(
        self, change_id: int, user: str, reason: str = "", *, expected_version: int | None = None
    ) -> dict[str, Any]:
        """Reject a change in review (approver), with a reason; its author may edit it (back to draft)."""
        at = use.now()
        reason = defs.check_text(reason, "reason")
        with self._write() as conn:
            row = records.change_row(conn, change_id)
            records.check_version(row, expected_version)
            step = change_step(Action.REJECT, row.state, role=self.role(user, conn), actor=user)
            records.transition(conn, row, step, expected_version, reviewer=user, reason=reason or None)
            conn.execute(
                sa.insert(reviews).values(
                    change_id=change_id, reviewer=user, decision=step.to_state, reason=reason or None, at=at
                )
            )
            records.audit_step(conn, user, step, row.kind, row.name, {"change": change_id, "reason": reason})
        change = self.change(change_id)
        for hook in self.after_reject:
            try:
                hook(change, user)
            except (MetricmindError, OSError) as exc:
                log.warning("rejected change #%s: %s", change_id, exc)
        return change
