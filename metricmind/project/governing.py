"""Governance on the project: the validator over the project's warehouse, a dataset's impact, the gate
every catalog approval passes, and the deprecation warnings attached to query results.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from metricmind.errors import MetricmindError
from metricmind.govern import Finding, Report, validate
from metricmind.govern import lineage as dbt_lineage
from metricmind.govern.impact import dependents, recent_runs
from metricmind.govern.settings import resolve as govern_setting
from metricmind.project.filesig import file_signature
from metricmind.project.warehouse import WarehouseMixin
from metricmind.spec.model import Model

if TYPE_CHECKING:
    from metricmind.catalog.service import Catalog

log = logging.getLogger(__name__)
#: The memo key of the dbt model files, read once for two reports compared with each other.
_DBT = "\x00dbt"


class GovernanceError(MetricmindError):
    """A change would add governance errors; ``findings`` lists them (the change is not applied)."""

    code = "governance"

    def __init__(self, what: str, findings: Sequence[Finding]) -> None:
        self.findings = tuple(findings)
        first = "; ".join(f"{f.code}: {f.message}" for f in self.findings[:3])
        more = f" (and {len(self.findings) - 3} more)" if len(self.findings) > 3 else ""
        super().__init__(
            f"{what} would add {len(self.findings)} governance error(s): {first}{more}",
            hint=self.findings[0].hint if self.findings else None,
        )

    def to_dict(self) -> dict[str, object]:  # noqa: D102
        return {**super().to_dict(), "findings": [f.to_dict() for f in self.findings]}


class GovernMixin(WarehouseMixin):
    """``govern``, ``govern_impact``, the approval gate and deprecation warnings."""

    def govern(
        self,
        *,
        model: Model | None = None,
        warehouse: bool = True,
        as_of: Any = None,
        memo: dict[str, Any] | None = None,
    ) -> Report:
        """The governance report of this project (or of ``model``, a proposed version of it).

        Args:
            model: Check this model instead of the loaded one (what an approval would publish).
            warehouse: Also run the warehouse checks (grain, joins, freshness).
            as_of: The time freshness is measured at (a date, timestamp, ISO text or ``SELECT``);
                default the ``govern.as_of`` setting, else now.
            memo: Results of SQL already run (shared between two reports compared with each other).
        """
        from metricmind.govern.validator import resolve_as_of

        target = model or self.model
        cache: dict[str, Any] = memo if memo is not None else {}
        if _DBT not in cache:
            cache[_DBT] = dbt_lineage.Project.read(self.root)
        dbt = cache[_DBT]
        if not warehouse:
            return validate(target, self.root, self.settings, dbt=dbt)

        def run(sql: str) -> Sequence[Sequence[Any]]:
            if sql not in cache:
                cache[sql] = list(self.warehouse.run(sql).rows)
            return cache[sql]  # type: ignore[no-any-return]

        tables = {t.qualified.lower() for t in self.warehouse.tables()}
        when = resolve_as_of(
            as_of if as_of is not None else govern_setting("govern.as_of", self.settings), run
        )
        return validate(
            target,
            self.root,
            self.settings,
            run=run,
            dialect=self.compiler_dialect(),
            tables=tables,
            as_of=when,
            dbt=dbt,
        )

    def govern_day(self, day: str) -> dict[str, Any]:
        """The governance report (JSON) of the nightly run for ``day``: freshness as of the start of that
        day unless ``govern.as_of`` says otherwise, so re-running a date gives the same report.
        """
        configured = govern_setting("govern.as_of", self.settings)
        return self.govern(as_of=configured if configured else day).to_dict()

    def govern_impact(self, dataset: str, *, days: int = 30) -> dict[str, Any]:
        """What deprecating canonical dataset ``dataset`` would touch: dbt models, semantic models,
        metrics, saved queries, and the runs (catalog) and logged queries (knowledge graph) of the last
        ``days`` days that read it. The stores are optional: when one cannot be opened its part is None.
        """
        data = dependents(self.defined, dbt_lineage.Project.read(self.root), dataset)
        metrics = data["metrics"] + data["indirect_metrics"]
        try:
            data["recent_runs"] = recent_runs(self.catalog.engine, metrics, [data["relation"]], days)
        except MetricmindError as exc:
            log.info("impact: the catalog's runs are not available: %s", exc)
            data["recent_runs"] = None
        data["logged_queries"] = self._logged_queries(data["relation"])
        return data

    def _logged_queries(self, relation: str) -> dict[str, Any] | None:
        """The knowledge graph's queries that read ``relation`` (None when the graph has not seen it)."""
        from metricmind.knowledge.service import Knowledge
        from metricmind.storage import default_url

        url = self.setting("store.url") or default_url(self.root)
        schema = self.setting("warehouse.schema")
        knowledge = Knowledge(
            str(url), self.root, self.model, self.settings, self.dialect, schema and str(schema)
        )
        try:
            found = knowledge.impact(relation)
            return {"query_count": found["query_count"], "queries": found["queries"], "uses": found["uses"]}
        except (MetricmindError, AssertionError) as exc:
            log.info("impact: the knowledge graph does not know %s: %s", relation, exc)
            return None
        finally:
            knowledge.close()

    # -- the approval gate -----------------------------------------------------------------------------
    def _wire_catalog(self, catalog: Catalog) -> None:
        """Let every approval in ``catalog`` pass the governance gate (setting ``govern.on_approval``), and
        tell the owners of certified definitions that a sync dropped to published.
        """
        if govern_setting("govern.on_approval", self.settings):
            catalog.gate = self.approval_gate
        catalog.on_decertify = self.notify_decertified
        if catalog.last_decertified:  # the sync of the open itself
            self.notify_decertified(catalog.last_decertified)

    def notify_decertified(self, dropped: Sequence[dict[str, Any]]) -> list[str]:
        """Tell each dropped definition's owner (the log, and Slack when ``knowledge.slack_webhook`` is set);
        the notices sent. The catalog's audit log already holds a ``decertify`` entry for each.
        """
        from metricmind.knowledge import notify
        from metricmind.knowledge.settings import resolve as knowledge_setting

        notices = [
            f"@{d.get('owner') or 'owner'}: {d['kind']} '{d['name']}' lost its certification: what it computes "
            f"changed in {d.get('file') or 'the YAML'} outside review (now version {d.get('version')}). "
            "Review the change and certify it again."
            for d in dropped
        ]
        for text in notices:
            log.warning("%s", text)
        webhook = knowledge_setting("knowledge.slack_webhook", self.settings)
        if webhook and notices:
            try:
                notify.slack(str(webhook), "\n".join(notices))
            except MetricmindError as exc:
                log.warning("could not post the certification notices: %s", exc)
        return notices

    def proposal_gate(self, worktree: Path) -> None:
        """Refuse merging approved nightly proposals (held in ``worktree``) that add a governance error.

        Raises:
            GovernanceError: With the new findings (nothing is merged).
        """
        from metricmind.spec.loader import load

        self.approval_gate(self.defined, load(worktree).model)

    def approval_gate(self, before: Model, after: Model) -> None:
        """Refuse a change whose model has governance errors the current one does not have.

        Raises:
            GovernanceError: With the new findings (nothing is written).
        """
        memo: dict[str, Any] = {}
        try:
            old = self.govern(model=before, memo=memo)
            new = self.govern(model=after, memo=memo)
        except MetricmindError as exc:  # no warehouse: the checks that need none still guard
            log.info("approval gate without the warehouse: %s", exc)
            old = self.govern(model=before, warehouse=False, memo=memo)
            new = self.govern(model=after, warehouse=False, memo=memo)
        added = new.new_errors(old)
        if added:
            raise GovernanceError("this change", added)

    # -- deprecation warnings ----------------------------------------------------------------------------
    def deprecation_warnings(self, metrics: Sequence[str]) -> list[str]:
        """One warning per deprecated metric among ``metrics``, naming its successor and sunset date.

        Deprecated in the YAML (``config.meta.status: deprecated``, with ``successor`` and ``sunset``) or
        in the catalog (``Catalog.deprecate``; read when its store exists).
        """
        out: list[str] = []
        records: dict[str, dict[str, Any]] | None = None
        for name in dict.fromkeys(metrics):
            metric = self.model.metrics.get(name)
            if metric is None:
                continue
            if records is None:
                records = self._catalog_deprecations()
            record = records.get(name)
            if str(metric.meta.get("status") or "") != "deprecated" and record is None:
                continue
            out.append(
                deprecation_text(name, metric.meta.get("successor"), metric.meta.get("sunset"), record)
            )
        return out

    def _catalog_deprecations(self) -> dict[str, dict[str, Any]]:
        """The catalog's deprecated metrics by name (nothing when there is no store yet or it fails)."""
        catalog = self.__dict__.get("catalog")
        if catalog is None:  # read the store without opening the catalog (no migration, no sync)
            url = self.setting("store.url")
            if not url and not (self.state_dir / "store.db").exists():
                return {}
            from metricmind.catalog.deprecations import deprecated
            from metricmind.storage import default_url

            url = str(url or default_url(self.root))
            signature = _sqlite_signature(url)
            memo = self.__dict__.get("_deprecations_memo")
            if signature is not None and memo is not None and memo[:2] == (url, signature):
                return dict(memo[2])
            records = deprecated(url)
            if signature is not None:
                self.__dict__["_deprecations_memo"] = (url, signature, records)
            return records
        try:
            return {str(d["name"]): d for d in catalog.metrics("deprecated")}
        except MetricmindError as exc:
            log.info("deprecations: the catalog is not available: %s", exc)
            return {}


def _sqlite_signature(url: str) -> tuple[tuple[int, int], ...] | None:
    """A SQLite store file's signature (modification time and size of the file and of its write-ahead
    log): any committed write changes it, so a read keyed by it is never stale. None for other stores
    (a server store is read every time).
    """
    if not url.startswith("sqlite:///"):
        return None
    path = Path(url.removeprefix("sqlite:///"))
    return file_signature(path, path.with_name(path.name + "-wal"))


def deprecation_text(name: str, successor: Any, sunset: Any, record: dict[str, Any] | None = None) -> str:
    """``metric 'x' is deprecated; use 'y' instead (sunset 2027-01-31).`` (the catalog's record wins)."""
    successor = (record or {}).get("successor") or successor
    sunset = (record or {}).get("sunset") or sunset
    if isinstance(sunset, dt.date):
        sunset = sunset.isoformat()
    text = f"metric '{name}' is deprecated"
    text += f"; use '{successor}' instead" if successor else "; no successor is named"
    if sunset:
        text += f" (sunset {sunset})"
    return text + "."


__all__ = ["GovernMixin", "GovernanceError", "deprecation_text"]
