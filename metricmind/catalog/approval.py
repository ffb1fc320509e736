"""Approving a change: publishing its definition into the project's YAML, recoverably.

The new file text is checked in a scratch copy and staged beside its target; the approval, the new
version, the audit entries and a pending-write row commit in one transaction; then the staged file is
renamed into place (``metricmind.catalog.filewrites``; a crash in between is finished when the store
opens). The ``approval_checks`` run first and the governance ``gate`` before the commit.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from metricmind.catalog import definitions as defs
from metricmind.catalog import filewrites as files
from metricmind.catalog import records
from metricmind.catalog import usage as use
from metricmind.catalog.accounts import Accounts
from metricmind.catalog.base import log
from metricmind.catalog.history import History
from metricmind.catalog.schema import changes, definitions, reviews
from metricmind.catalog.workflow import Action, Status, change_step, status_step
from metricmind.errors import MetricmindError
from metricmind.spec.model import Model


class Approval(Accounts, History):
    """Approve a change in review and publish it."""

    def approve(self, change_id: int, user: str, *, expected_version: int | None = None) -> dict[str, Any]:
        """Approve a change in review (see ``_approve``), after the ``approval_checks``; a check that returns
        a callable has it called when the approval then fails (to undo what the check did). The
        ``after_approve`` hooks run once it committed.
        """
        undo = [u for check in self.approval_checks if callable(u := check(change_id, user))]
        try:
            change = self._approve(change_id, user, expected_version=expected_version)
        except BaseException:
            for u in reversed(undo):
                u()
            raise
        for hook in self.after_approve:
            try:
                hook(change, user)
            except (MetricmindError, OSError) as exc:
                log.warning("approved change #%s: %s", change_id, exc)
        return change

    def _approve(self, change_id: int, user: str, *, expected_version: int | None = None) -> dict[str, Any]:
        """Approve a change in review (approver, neither its author nor a co-author): publish it into the YAML.

        One recoverable step (:mod:`metricmind.catalog.filewrites`): the new file text is checked in a
        scratch copy and staged beside its target; the approval, version, audit entries and a pending-write
        row commit together; then the staged file is renamed into place. Exactly one of two concurrent
        approvals wins; the other gets ``ConflictError``. When anything fails before the commit (the YAML
        does not load, the store refuses), the files and the store are left as they were.
        """
        at = use.now()
        with self._files:
            staged: Path | None = None
            try:
                with self._write() as conn:
                    files.lock_approvals(conn)
                    files.recover(conn, self.root)
                    row = records.change_row(conn, change_id)
                    records.check_version(row, expected_version)
                    role = self.role(user, conn)
                    step = change_step(
                        Action.APPROVE,
                        row.state,
                        role=role,
                        actor=user,
                        author=row.author,
                        editors=list(row.editors or []),
                    )
                    current = conn.execute(
                        sa.select(definitions).where(
                            definitions.c.kind == row.kind,
                            definitions.c.name == row.name,
                            definitions.c.in_project.is_(True),
                        )
                    ).first()
                    published = status_step(Action.PUBLISH, current.status if current else None, role=role)
                    records.transition(conn, row, step, expected_version, reviewer=user)
                    model, version, file, rendered = self._publish(conn, row, current, user, at)
                    if self.gate is not None:
                        self.gate(self.model, model)
                    write_id, staged = files.stage(conn, self.root, rendered, change_id, file)
                    conn.execute(
                        sa.update(changes).where(changes.c.id == change_id).values(published_version=version)
                    )
                    conn.execute(
                        sa.insert(reviews).values(
                            change_id=change_id, reviewer=user, decision=step.to_state, at=at
                        )
                    )
                    records.audit_step(conn, user, step, row.kind, row.name, {"change": change_id})
                    detail = {"change": change_id, "version": version, "file": file}
                    records.audit_step(conn, user, published, row.kind, row.name, detail)
            except BaseException:
                if staged is not None:
                    staged.unlink(missing_ok=True)
                raise
            assert staged is not None
            staged_rel = str(staged.relative_to(self.root))
            try:
                files.finish(self.engine, self.root, write_id, file, staged_rel, rendered.text)
            except (OSError, sa.exc.SQLAlchemyError) as exc:  # committed: the next open finishes it
                log.warning(
                    "approved change #%s: its file is put in place at the next open (%s)", change_id, exc
                )
        self.model = model
        return self.change(change_id)

    def _publish(
        self, conn: sa.Connection, row: Any, current: Any, user: str, at: dt.datetime
    ) -> tuple[Model, int, str, defs.Rendered]:
        """Render the change's definition into the project's YAML (checked, not written) and index it; the
        new model, version, file (relative to the project) and rendered file.
        """
        definition = defs.from_text(row.yaml)
        if row.kind == "metric":
            meta = dict((definition.get("config") or {}).get("meta") or {})
            meta["status"] = Status.PUBLISHED.value
            definition["config"] = {**(definition.get("config") or {}), "meta": meta}
        objs: dict[str, Any] = dict(
            self.model.metrics if row.kind == "metric" else self.model.canonical_datasets
        )
        line = objs[row.name].line if row.name in objs else None
        rendered = defs.render(self.root, row.kind, definition, current.file if current else None, line)
        model = files.checked_model(self.root, rendered)
        first = int(current.version) + 1 if current is not None else 1
        version = records.add_version(conn, row.kind, row.name, first, definition, user, row.id, at)
        file = records.relative(self.root, rendered.path)
        records.publish_definition(conn, row.kind, row.name, definition, version, file, at)
        return model, version, file, rendered
