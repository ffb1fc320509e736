"""The definition agent on the project: one place that every surface (CLI, web, MCP) calls, so they agree.

``Project.analyze_definition`` runs ``metricmind.define.analyze`` with the project's dialect, join depth and
the knowledge graph's usage (``Project.define_usage``): sources, similar metrics and each dimension's join
path are then ranked by how the organisation actually queries.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import threading
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from metricmind.errors import MetricmindError
from metricmind.project.warehouse import WarehouseMixin

if TYPE_CHECKING:
    import sqlalchemy as sa

    from metricmind.catalog.service import Catalog
    from metricmind.define import Definition, Proposal
    from metricmind.define.usage import Usage
    from metricmind.learn.memory import Memory
    from metricmind.spec.model import Model

log = logging.getLogger(__name__)

Version = tuple[object, ...]


class DefineMixin(WarehouseMixin):
    """The definition agent's proposals, ranked by the knowledge graph's usage."""

    if TYPE_CHECKING:

        def memory_or_none(self) -> Memory | None:  # noqa: D102 (MemoryMixin's, in Project)
            ...

    def analyze_definition(self, definition: Definition) -> Proposal:
        """The definition agent's proposal for ``definition`` over this project (nothing run or written),
        ranked by the knowledge graph's usage when the graph has any (:meth:`define_usage`).
        """
        from metricmind.define import analyze

        return analyze(
            definition,
            self.define_model(),
            dialect=self.dialect,
            max_hops=int(self.setting("max_join_hops")),
            usage=self.define_usage(),
            columns=self.define_columns(),
            values=self.define_values(),
        )

    def define_model(self) -> Model:
        """The model the definition agent reads: ``model`` with the warehouse's values of the dimensions that
        declare none (``dimension_values``, ``define.words.observing``), kept for this project's life while
        those values are unchanged, so the resolver's lexicon is built once. Nothing is registered outside
        the project: an analysis reads the same words whatever ran before it in the process.
        """
        from metricmind.define.words import observing

        values = self.dimension_values()
        held = self._define_model
        if held is None or held[0] is not self.model or held[1] != values:
            held = (self.model, values, observing(self.model, values))
            self._define_model = held
        return held[2]

    _define_model: tuple[Model, dict[str, list[str]], Model] | None = None

    def wire_define(self, catalog: Catalog) -> None:
        """Plug generated dbt packages into ``catalog``'s review workflow: approving a package's change builds
        and merges it (``check_approval``), editing it regenerates the package on its review branch
        (:meth:`regenerate_package`), rejecting it archives the branch (:meth:`close_rejected_package`).
        """
        from metricmind.define.writer import check_approval

        catalog.approval_checks.append(
            functools.partial(check_approval, catalog, root=self.root, settings=self.settings)
        )
        catalog.edit_checks.append(functools.partial(self.regenerate_package, catalog))
        catalog.after_reject.append(functools.partial(self.close_rejected_package, catalog))
        catalog.after_approve.append(self.learn_approved_package)

    def learn_approved_package(self, change: dict[str, Any], user: str) -> None:
        """After an approval: a generated package's pattern entry (``metricmind.json``, merged with it)
        becomes a confirmed skill of kind ``metric_package`` in the memory, found by its definition the
        next time a similar one is asked (nothing when learning is off or the memory cannot be opened).
        """
        from metricmind.define.writer import read_record

        record = read_record(self.root, str(change["name"])) if change.get("kind") == "metric" else None
        from metricmind.project.learning import enabled

        if record is None or record.get("change_id") != change.get("id") or not enabled(self):  # type: ignore[arg-type]
            return
        entry = next((f for f in record.get("files") or () if str(f).endswith("/metricmind.json")), None)
        memory = self.memory_or_none() if entry is not None else None
        if memory is None or entry is None or not (self.root / entry).is_file():
            return
        pattern = json.loads((self.root / entry).read_text(encoding="utf-8")).get("pattern") or {}
        text = "; ".join(
            [str(pattern.get("definition") or change["name"]), *map(str, pattern.get("rules") or ())]
        )
        memory.confirm_skill(
            "metric_package", f"define:{change['name']}", text, {**pattern, "approved_by": user}
        )

    def regenerate_package(
        self, catalog: Catalog, change_id: int, user: str, definition: dict[str, Any]
    ) -> Callable[[], None] | None:
        """The edit check: when change ``change_id`` is a generated package's, make the package again from
        the edited ``definition`` and replace it on its review branch (``metricmind.define.review``); the
        undo, or None for any other change.

        The definition text and rules are the edited metric's (``config.meta.definition`` and
        ``business_rules``), else those the package was made from; a rule read before (or given a filter by
        hand on the Define form) keeps that reading.

        Raises:
            GenerateError, PackageBlocked: The edit cannot make a package (nothing changed).
            PermissionDenied, WorkflowError: The edit itself is not allowed (checked first).
        """
        from metricmind.catalog.workflow import Action, change_step
        from metricmind.define import Definition, GenerateError, RuleReading, generate
        from metricmind.define.review import regenerate
        from metricmind.define.writer import read_record

        change = catalog.change(change_id)
        record = read_record(self.root, str(change["name"])) if change.get("kind") == "metric" else None
        if record is None or record.get("change_id") != change_id or record.get("merged"):
            return None
        if definition.get("name") != change["name"]:
            return None  # the catalog refuses it
        change_step(Action.EDIT, change["state"], role=catalog.role(user), actor=user)
        meta = (definition.get("config") or {}).get("meta") or {}
        saved = record.get("definition") or {}
        text = str(meta.get("definition") or saved.get("text") or definition.get("description") or "")
        rules = meta["business_rules"] if "business_rules" in meta else saved.get("rules") or ()
        proposal = self.analyze_definition(Definition(str(change["name"]), text, tuple(map(str, rules))))
        if proposal.refused in ("bad_input", "unknown_value", "contradictory_rules"):  # the words given
            raise GenerateError(
                f"the edit of change #{change_id} cannot regenerate its package: {proposal.message}",
                hint="Nothing was changed. Write the definition and rules as plain sentences.",
            )
        known = {str(r["text"]): r for r in record.get("readings") or ()}
        readings = [RuleReading(**known[r.text]) if r.text in known else r for r in proposal.rules]
        proposal = dataclasses.replace(proposal, metric=definition, rules=readings, refused=None)
        package = generate(
            proposal,
            self,
            max_hops=int(self.setting("max_join_hops")),
            run_sql=lambda sql: [tuple(r) for r in self.warehouse.run(sql).rows],
        )
        return regenerate(
            package, self.root, user=user, change_id=change_id, proposal=proposal, settings=self.settings
        )

    def close_rejected_package(self, catalog: Catalog, change: dict[str, Any], user: str) -> None:
        """After a rejection: archive a generated package's review branch under ``refs/rejected/`` and delete
        the branch (``metricmind.define.review.close_rejected``), with an audit entry naming both.
        """
        from metricmind.define.review import close_rejected

        closed = close_rejected(self.root, change)
        if closed is not None:
            catalog.note(user, "archive_branch", str(change["kind"]), str(change["name"]), closed)

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

    def define_values(self) -> dict[str, dict[str, tuple[str, ...]]] | None:
        """The distinct values of the tables' text columns that are no dimension, read once
        (``define.columns.table_values``): a rule naming one is read on that column. None when unreadable.
        """
        if self._values_cache is None:
            from metricmind.define.columns import table_values

            try:
                self._values_cache = (table_values(self.warehouse, self.model, self.define_columns()),)
            except (MetricmindError, OSError, RuntimeError) as exc:
                log.info("define: the warehouse's column values are not available: %s", exc)
                self._values_cache = (None,)
        return self._values_cache[0]

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
    _values_cache: tuple[dict[str, dict[str, tuple[str, ...]]] | None] | None = None


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
