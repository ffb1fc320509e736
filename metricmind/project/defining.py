"""The definition agent on the project: one place that every surface (CLI, web, MCP) calls, so they agree.

``Project.analyze_definition`` runs ``metricmind.define.analyze`` with the project's dialect, join depth and
the knowledge graph's usage (``Project.define_usage``): sources, similar metrics and each dimension's join
path are then ranked by how the organisation actually queries.
"""

from __future__ import annotations

import logging
import threading
from functools import cached_property
from typing import TYPE_CHECKING

from metricmind.errors import MetricmindError
from metricmind.project.warehouse import WarehouseMixin

if TYPE_CHECKING:
    import sqlalchemy as sa

    from metricmind.define import Definition, Proposal
    from metricmind.define.usage import Usage

log = logging.getLogger(__name__)

Version = tuple[object, ...]


class DefineMixin(WarehouseMixin):
    """The definition agent's proposals, ranked by the knowledge graph's usage."""

    def analyze_definition(self, definition: Definition) -> Proposal:
        """The definition agent's proposal for ``definition`` over this project (nothing run or written),
        ranked by the knowledge graph's usage when the graph has any (:meth:`define_usage`).
        """
        from metricmind.define import analyze

        return analyze(
            definition,
            self.model,
            dialect=self.dialect,
            max_hops=int(self.setting("max_join_hops")),
            usage=self.define_usage(),
            columns=self.define_columns(),
        )

    def define_columns(self) -> dict[str, dict[str, str]] | None:
        """The warehouse's columns by relation (``information_schema``), read once: the definition agent
        finds columns no measure aggregates yet in them. None (never an error) when they cannot be read.
        """
        if self._columns_cache is None:
            from metricmind.define.extend import warehouse_columns

            try:
                self._columns_cache = (warehouse_columns(self.warehouse),)
            except (MetricmindError, OSError, RuntimeError) as exc:
                log.info("define: the warehouse's columns are not available: %s", exc)
                self._columns_cache = (None,)
        return self._columns_cache[0]

    def dbt_executable(self) -> str:
        """The dbt this project builds with: ``dbt.executable``, ``$METRICMIND_DBT``, then ``dbt`` on PATH.

        Raises:
            DbtNotFound: none of them names an installed dbt (the message says how to install one).
        """
        from metricmind.export import find_dbt

        return find_dbt(settings=self.settings)

    def define_usage(self) -> Usage | None:
        """What the knowledge graph (in the catalog store) counted of tables, metrics and joins, or None
        when there is no graph or it has counted nothing: never an error.

        The graph is read as it is (folding new query-log records is the nightly job's and the graph
        pages' work). One cheap query tells the graph's version (its counts and last use); the usage is read
        again only when that changed, so a graph updated by another process applies on the next call.
        """
        import sqlalchemy as sa  # on first use, as the catalog does (start-up time)

        from metricmind.define.usage import from_graph
        from metricmind.storage import make_engine

        opened: sa.Engine | None = None
        try:
            if "catalog" in self.__dict__:
                engine = self.catalog.engine
            else:  # the store read as it is: not migrated, not synced with the YAML, not created
                url = self._store_url()
                if url is None:
                    return None
                engine = opened = make_engine(url)
            version = _version(engine)
            with self._usage_lock:
                cached = self._usage_cache
                if cached is not None and cached[0] == version:
                    return cached[1]
                usage = from_graph(engine) if version[0] else None
                self._usage_cache = (version, usage)
                return usage
        except (MetricmindError, sa.exc.SQLAlchemyError, OSError) as exc:
            log.info("define: the knowledge graph's usage is not available: %s", exc)
            return None
        finally:
            if opened is not None:
                opened.dispose()

    def _store_url(self) -> str | None:
        """The catalog store's URL (``store.url``), else its SQLite file's when that exists (None: no store)."""
        from metricmind import config

        url = self.setting("store.url")
        if url:
            return str(url)
        path = config.state_dir(self.root.resolve()) / "store.db"
        return f"sqlite:///{path}" if path.exists() else None

    @cached_property
    def _usage_lock(self) -> threading.Lock:
        return threading.Lock()

    _usage_cache: tuple[Version, Usage | None] | None = None
    _columns_cache: tuple[dict[str, dict[str, str]] | None] | None = None


def _version(engine: sa.Engine) -> Version:
    """The graph's version: used nodes, their uses, edges, their uses and timings, the last use."""
    import sqlalchemy as sa

    from metricmind.knowledge.schema import edges, nodes

    with engine.connect() as conn:
        n = conn.execute(
            sa.select(sa.func.count(), sa.func.sum(nodes.c.uses), sa.func.max(nodes.c.last_used)).where(
                nodes.c.uses > 0
            )
        ).one()
        e = conn.execute(
            sa.select(
                sa.func.count(),
                sa.func.sum(edges.c.uses),
                sa.func.sum(edges.c.timed),
                sa.func.max(edges.c.last_used),
            ).where(edges.c.uses > 0)
        ).one()
    return (int(n[0] or 0) + int(e[0] or 0), *n, *e)
