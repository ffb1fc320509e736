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

The store is one class, ``Catalog``, put together from one mixin per concern, each in its own module:
``base`` (engine, write transaction, hooks), ``accounts`` (users and tokens), ``index`` (recovery, sync,
the definitions index), ``drafts`` (changes up to review), ``approval`` (publishing an approved change),
``certification`` (certify, deprecate), ``history`` (changes, versions, the audit log) and ``recording``
(executions and usage).
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.util import CommandError

from metricmind.catalog import filewrites as files
from metricmind.catalog.accounts import Accounts, hash_token
from metricmind.catalog.approval import Approval
from metricmind.catalog.base import log, safe_url
from metricmind.catalog.certification import Certification
from metricmind.catalog.drafts import Drafts
from metricmind.catalog.history import History
from metricmind.catalog.index import INDEX_TTL_S, Index
from metricmind.catalog.recording import Recording
from metricmind.errors import StoreError
from metricmind.spec.model import Model

__all__ = ["INDEX_TTL_S", "Catalog", "hash_token", "log"]


class Catalog(Drafts, Approval, Certification, Accounts, Index, History, Recording):
    """The governed catalog of one project.

    Args:
        url: SQLAlchemy URL of the store (or an engine); migrated on open.
        root: The project folder; approved definitions are written into its YAML files.
        model: The loaded model (``sync`` indexes it).
    """

    @classmethod
    def open(cls, url: str, root: str | Path, model: Model) -> Catalog:
        """Open, migrate and sync the store; a store that cannot be opened is a ``StoreError``."""
        try:
            catalog = cls(url, root, model)
        except (sa.exc.SQLAlchemyError, CommandError) as exc:
            raise StoreError(
                f"cannot open the catalog store {safe_url(sa.make_url(url))}: {exc.__class__.__name__}: "
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
