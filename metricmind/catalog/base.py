"""The plumbing every part of the catalog store shares: the engine, one write transaction, the hooks.

``CatalogBase`` holds what ``Catalog`` is made of underneath its concerns (users, the index, changes and
their review, certification, history, usage; one module each, combined in ``metricmind.catalog.service``):
the SQLAlchemy engine (SQLite writers take the write lock up front), the project folder and model, the
lock that serializes file writes, and the hooks the project sets (the governance gate, the checks of
generated dbt packages run before an approval or an edit, what happens after a rejection or a sync that
decertified something).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from metricmind.errors import ConflictError, StoreError
from metricmind.spec.model import Model
from metricmind.storage import make_engine, upgrade

#: The catalog's one logger (named for the facade module, as it was before the store was split up).
log = logging.getLogger("metricmind.catalog.service")


def sqlite_immediate(engine: sa.Engine) -> None:
    """SQLite: transactions begin explicitly; writers take the write lock up front (``BEGIN IMMEDIATE``)."""

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        write = conn.get_execution_options().get("catalog_write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def safe_url(target: sa.Engine | sa.URL) -> str:
    """The store's URL without its password."""
    url = target.url if isinstance(target, sa.Engine) else target
    return url.render_as_string(hide_password=True)


class CatalogBase:
    """The engine, the project and the hooks of one catalog store (see ``metricmind.catalog.service.Catalog``).

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
                sqlite_immediate(self.engine)
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
        #: Called as ``hook(change, user)`` after an approval committed (the project keeps a generated
        #: package's pattern as a confirmed skill); a hook's failure is logged, the approval stands.
        self.after_approve: list[Callable[[dict[str, Any], str], object]] = []
        #: Called after a sync with the certified definitions it dropped to published (changed outside
        #: review); ``Project`` tells their owners. ``last_decertified`` keeps the last sync's list.
        self.on_decertify: Callable[[list[dict[str, Any]]], object] | None = None
        self.last_decertified: list[dict[str, Any]] = []
        #: What the last ``sync`` found (``Project.catalog`` syncs on open).
        self.last_sync: dict[str, list[str]] = {"added": [], "updated": [], "removed": []}
        if migrate:
            upgrade(self.engine)

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
