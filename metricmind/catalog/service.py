"""The catalog store: definitions synced from the project's YAML, proposed changes and their review,
published versions, certification, the audit log, users and tokens, and usage from executions.

    catalog = Catalog(store_url, root, model)          # migrated on open
    catalog.sync()                                      # index what the YAML (git) holds
    change = catalog.create_draft("ana", definition)    # nothing written to YAML yet
    catalog.submit(change["id"], "ana")
    catalog.approve(change["id"], "bo", expected_version=2)   # writes the YAML, publishes

Every write is one transaction (SQLite: ``BEGIN IMMEDIATE``), so a failure leaves the store as it was;
an approval stages its file and renames it into place only after its transaction commits
(``metricmind.catalog.filewrites``; a crash in between is finished when the store opens). Transitions
use an optimistic version check (``UPDATE … WHERE version = :expected``): of two approvers at once
exactly one wins, the other gets a ``ConflictError``. Every transition appends to the audit log.
Nobody approves a change they wrote or edited (editing another's change makes you its co-author).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.util import CommandError

from metricmind.catalog import definitions as defs
from metricmind.catalog import filewrites as files
from metricmind.catalog import records
from metricmind.catalog import sync as syncing
from metricmind.catalog import usage as use
from metricmind.catalog.fingerprint import meaning
from metricmind.catalog.schema import (
    audit,
    changes,
    definitions,
    executions,
    file_writes,
    reviews,
    users,
    versions,
)
from metricmind.catalog.workflow import (
    Action,
    ChangeState,
    Role,
    Status,
    WorkflowError,
    change_step,
    role_of,
    status_step,
)
from metricmind.errors import ConflictError, MetricmindError, PermissionDenied, StoreError, UnknownNameError
from metricmind.spec.loader import load
from metricmind.spec.model import Model
from metricmind.storage import make_engine, upgrade

log = logging.getLogger(__name__)

#: How long the in-memory copy of the definitions index is trusted (other processes may write).
INDEX_TTL_S = 1.0


def hash_token(token: str) -> str:
    """The SHA-256 of a token (the only thing the store keeps)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _sqlite_immediate(engine: sa.Engine) -> None:
    """SQLite: transactions begin explicitly; writers take the write lock up front (``BEGIN IMMEDIATE``)."""

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        write = conn.get_execution_options().get("catalog_write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


class Catalog:
    """The governed catalog of one project.

    Args:
        url: SQLAlchemy URL of the store (or an engine); migrated on open.
        root: The project folder; approved definitions are written into its YAML files.
        model: The loaded model (``sync`` indexes it).
    """

    def __init__(self, url: str | sa.Engine, root: str | Path, model: Model, *, migrate: bool = True) -> None:
        if isinstance(url, sa.Engine):
            self.engine = url
            self._owns_engine = False
        else:
            self.engine = make_engine(url)
            self._owns_engine = True
            if self.engine.dialect.name == "sqlite":
                _sqlite_immediate(self.engine)
        self.root = Path(root)
        self.model = model
        self._writer = self.engine.execution_options(catalog_write=True)
        self._files = threading.Lock()
        self._index: dict[tuple[str, str], dict[str, Any]] | None = None
        self._index_at = 0.0
        #: Called with (current model, model after the change) before an approval commits; raising refuses
        #: the approval with nothing written (``Project`` sets it to the governance check).
        self.gate: Callable[[Model, Model], None] | None = None
        #: Called as ``check(change_id, user)`` before an approval; one that raises blocks it, one that returns
        #: a callable is undone by it when the approval fails (the project adds the check of generated dbt
        #: packages, ``metricmind.define.writer.check_approval``).
        self.approval_checks: list[Callable[[int, str], object]] = []
        #: Called as ``check(change_id, user, definition)`` before an edit, like ``approval_checks`` (one that
        #: raises refuses the edit, one that returns a callable is undone by it when the edit fails): the
        #: project regenerates a generated dbt package on its review branch.
        self.edit_checks: list[Callable[[int, str, dict[str, Any]], object]] = []
        #: Called as ``hook(change, user)`` after a rejection committed (the project archives a generated
        #: package's review branch); a hook's failure is logged, the rejection stands.
        self.after_reject: list[Callable[[dict[str, Any], str], object]] = []
        #: Called after a sync with the certified definitions it dropped to published (changed outside
        #: review); ``Project`` tells their owners. ``last_decertified`` keeps the last sync's list.
        self.on_decertify: Callable[[list[dict[str, Any]]], object] | None = None
        self.last_decertified: list[dict[str, Any]] = []
        #: What the last ``sync`` found (``Project.catalog`` syncs on open).
        self.last_sync: dict[str, list[str]] = {"added": [], "updated": [], "removed": []}
        if migrate:
            upgrade(self.engine)

    @classmethod
    def open(cls, url: str, root: str | Path, model: Model) -> Catalog:
        """Open, migrate and sync the store; a store that cannot be opened is a ``StoreError``."""
        try:
            catalog = cls(url, root, model)
        except (sa.exc.SQLAlchemyError, CommandError) as exc:
            raise StoreError(
                f"cannot open the catalog store {_safe_url(sa.make_url(url))}: {exc.__class__.__name__}: "
                f"{str(exc).splitlines()[0]}",
                hint="Check the `store.url` setting (METRICMIND_STORE_URL) and that the server is up.",
            ) from exc
        try:
            catalog.sync()
            files.remove_orphans(catalog.root, catalog.pending_writes())
        except BaseException:
            catalog.close()
            raise
        return catalog

    @property
    def name(self) -> str:
        """The project's name."""
        return self.model.name

    def close(self) -> None:
        """Release the store's connections."""
        if self._owns_engine:
            self.engine.dispose()

    @contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        """One write transaction; database failures become ``StoreError`` (a duplicate: ``ConflictError``)."""
        try:
            with self._writer.begin() as conn:
                yield conn
        except sa.exc.IntegrityError as exc:
            raise ConflictError(
                f"someone else wrote the same object first ({str(exc.orig).splitlines()[0]})",
                hint="Reload and try again.",
            ) from exc
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(
                f"the catalog store failed: {exc.__class__.__name__}: {str(exc).splitlines()[0]}",
                hint="Nothing was written. Check that the store is reachable and try again.",
            ) from exc
        finally:
            self._index = None

    # -- users ---------------------------------------------------------------------------------------
    def add_user(self, name: str, role: str) -> str:
        """Create ``name`` with ``role`` (or give an existing user that role and a new token); the token.

        The token is printed once and never stored: the store keeps its SHA-256.
        """
        name = defs.check_text(name.strip(), "user name", defs.MAX_NAME)
        if not name:
            raise StoreError("a user needs a name", hint="metricmind users add NAME --role ROLE")
        r = role_of(role)
        token = secrets.token_urlsafe(24)
        at = use.now()
        with self._write() as conn:
            found = conn.execute(sa.select(users.c.id, users.c.role).where(users.c.name == name)).first()
            if found is None:
                conn.execute(
                    sa.insert(users).values(
                        name=name, role=r.value, token_hash=hash_token(token), created_at=at, updated_at=at
                    )
                )
            else:
                conn.execute(
                    sa.update(users)
                    .where(users.c.id == found.id)
                    .values(role=r.value, token_hash=hash_token(token), updated_at=at)
                )
            records.audit_event(
                conn,
                None,
                "add_user" if found is None else "update_user",
                "user",
                name,
                found.role if found else None,
                r.value,
            )
        return token

    def users(self) -> list[dict[str, Any]]:
        """Every user (name, role, created_at), by name; tokens are not stored."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(users.c.name, users.c.role, users.c.created_at).order_by(users.c.name)
            )
            return [{"name": r.name, "role": r.role, "created_at": r.created_at} for r in rows]

    def user_for_token(self, token: str) -> dict[str, str] | None:
        """``{"name", "role"}`` of the token's user, or None."""
        if not token:
            return None
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(users.c.name, users.c.role).where(users.c.token_hash == hash_token(token))
            ).first()
        return {"name": row.name, "role": row.role} if row else None

    def role(self, user: str, conn: sa.Connection | None = None) -> Role:
        """The role of ``user``; an unknown user is ``PermissionDenied``."""
        q = sa.select(users.c.role).where(users.c.name == user)
        if conn is None:
            with self.engine.connect() as c:
                found = c.execute(q).scalar()
        else:
            found = conn.execute(q).scalar()
        if found is None:
            raise PermissionDenied(
                f"unknown user '{user}'", hint="An admin creates users: metricmind users add NAME --role R"
            )
        return role_of(str(found))

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
        out: dict[str, Any] = {"project": self.model.name, "store": _safe_url(self.engine)}
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

    def note(self, user: str | None, action: str, kind: str, subject: str, detail: dict[str, Any]) -> None:
        """Append an event that is no workflow step to the audit log (a review branch archived, say)."""
        with self._write() as conn:
            records.audit_event(conn, user, action, kind, subject, None, None, detail)

    def approve(self, change_id: int, user: str, *, expected_version: int | None = None) -> dict[str, Any]:
        """Approve a change in review (see ``_approve``), after the ``approval_checks``; a check that returns
        a callable has it called when the approval then fails (to undo what the check did).
        """
        undo = [u for check in self.approval_checks if callable(u := check(change_id, user))]
        try:
            return self._approve(change_id, user, expected_version=expected_version)
        except BaseException:
            for u in reversed(undo):
                u()
            raise

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

    # -- executions and usage --------------------------------------------------------------------------
    def record(self, execution: Any) -> int:
        """Record one execution (a ``metricmind.project.Execution``); its id."""
        query = execution.query
        with self._writer.begin() as conn:
            return use.record(
                conn,
                at=execution.started_at,
                user=execution.user,
                source=execution.source,
                metrics=list(query.metrics),
                query=query.to_dict(),
                sql=execution.sql,
                duration_ms=execution.elapsed_ms,
                rows=execution.rows,
                error=execution.error,
            )

    def listen(self, execution: Any) -> None:
        """A ``Project.listeners`` callback: record the execution; a store failure is logged, not raised."""
        try:
            self.record(execution)
        except sa.exc.SQLAlchemyError as exc:
            log.warning("the catalog could not record an execution: %s", exc)

    def ingest_spool(self) -> int:
        """Record the executions spooled while the store was closed (``spool``); how many were new."""
        from metricmind.catalog.spool import Spool, SpooledRun

        added = 0

        def record(runs: list[SpooledRun]) -> None:
            nonlocal added
            with self._writer.begin() as conn:
                for r in runs:
                    added += bool(
                        use.record(
                            conn,
                            at=r.at,
                            user=r.user,
                            source=r.source,
                            metrics=r.metrics,
                            query=r.query,
                            sql=r.sql,
                            duration_ms=r.duration_ms,
                            rows=r.rows,
                            error=r.error,
                            spool_id=r.id,
                        )
                    )

        Spool.of(self.root).drain(record)
        return added

    def _fresh_usage(self) -> None:
        from metricmind.catalog.spool import Spool

        if Spool.of(self.root).pending():
            try:
                self.ingest_spool()
            except (sa.exc.SQLAlchemyError, OSError) as exc:
                log.warning("the catalog could not ingest spooled executions: %s", exc)

    def attach(self, listeners: list[Callable[[Any], None]]) -> None:
        """Record every execution reported to ``listeners`` (a project's), once."""
        if self.listen not in listeners:
            listeners.append(self.listen)

    def usage(self, name: str, today: dt.date | None = None) -> dict[str, Any]:
        """One metric's usage: this month, previous month, trend (%), 30 daily counts, total."""
        self._fresh_usage()
        with self.engine.connect() as conn:
            return use.usage(conn, name, today or use.now().date())

    def usage_counts(self, today: dt.date | None = None) -> dict[str, int]:
        """Executions this month per metric."""
        self._fresh_usage()
        start = use.month_start(today or use.now().date())
        with self.engine.connect() as conn:
            return use.counts(conn, start, use.next_month(start))

    def top_metrics(self, limit: int = 20, today: dt.date | None = None) -> list[dict[str, Any]]:
        """The most used metrics this month, with the previous month and the trend."""
        self._fresh_usage()
        with self.engine.connect() as conn:
            return use.top(conn, today or use.now().date(), limit)


def _safe_url(target: sa.Engine | sa.URL) -> str:
    url = target.url if isinstance(target, sa.Engine) else target
    return url.render_as_string(hide_password=True)
