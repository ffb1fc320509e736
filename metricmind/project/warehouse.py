"""The project's warehouse: opened read-only on first use, and the dimension values it holds."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from metricmind import config
from metricmind.compiler import Dialect
from metricmind.compiler.dialects import get as get_dialect
from metricmind.errors import (
    Level,
    MetricmindError,
)
from metricmind.warehouse.base import Warehouse
from metricmind.warehouse.registry import connect

if TYPE_CHECKING:
    pass
from metricmind.project.state import ProjectState


class WarehouseMixin(ProjectState):
    """The warehouse connection and what is read from it outside metric queries."""

    @property
    def warehouse(self) -> Warehouse:
        """The project's warehouse, opened read-only on first use."""
        if self._warehouse is None:
            broken = next((i for i in self.issues if i.code == "profile" and i.level is Level.ERROR), None)
            if broken is not None:
                where = broken.location()
                raise MetricmindError(
                    f"cannot tell which warehouse to open: {broken.message}{f' ({where})' if where else ''}",
                    hint=broken.hint,
                )
            kind = str(self.setting("warehouse.type"))
            if kind == "duckdb":
                path = self._warehouse_path()
                if not path.exists():
                    missing = next((i for i in self.issues if i.code == "profile"), None)
                    source = (
                        f"the {self.profile.describe()}"
                        if self.profile
                        else f"warehouse.path: {missing.message}"
                        if missing
                        else "warehouse.path"
                    )
                    raise MetricmindError(
                        f"the warehouse file {str(path)!r} (from {source}) does not exist",
                        hint="Build it first (`dbt build`; for the demo: `metricmind demo`), or point "
                        "warehouse.path in metricmind.yml (or the dbt profile's path) at the DuckDB file.",
                    )
                self._warehouse = connect("duckdb", path=str(path), read_only=True)
            else:
                # Queries only read: a read-only session, as a reader role when one is configured.
                role = self.setting("warehouse.role")
                extra = {"role": str(role)} if role else {}
                url = self.setting("warehouse.url")
                if url:
                    extra["url"] = str(url)
                self._warehouse = connect(kind, dsn=self.setting("warehouse.dsn"), read_only=True, **extra)
        return self._warehouse

    def dimension_values(self, limit: int = 200) -> dict[str, list[str]]:
        """Distinct values of the categorical dimensions that declare none (``meta.values``), at most
        ``limit`` each (longer lists are left out): what the question resolver matches values against. The
        keys of lookup tables (semantic models of dimensions only) are listed too, under the entity's name.

        Cached in ``dimension_values.json`` in the state folder while a DuckDB warehouse file is unchanged;
        an unreachable warehouse gives ``{}`` (the resolver then knows only the declared values).
        """
        from metricmind.compiler.values import distinct_values_sql

        cache = self.state_dir / "dimension_values.json"
        try:
            signature = self._warehouse_signature()
            if signature and cache.exists():
                data = json.loads(cache.read_text())
                fresh = data.get("signature") == signature and data.get("limit") == limit
                if fresh and data.get("v") == 2:  # (v2: with the lookup tables' keys)
                    return {str(k): [str(v) for v in vs] for k, vs in data["values"].items()}
            values: dict[str, list[str]] = {}
            for name, sql in distinct_values_sql(self.model, self.compiler_dialect(), limit).items():
                rows = self.warehouse.run(sql).rows
                if len(rows) <= limit:
                    values[name] = sorted(str(r[0]) for r in rows)
        except (MetricmindError, OSError, ValueError) as exc:
            logging.getLogger(__name__).info("dimension values unavailable: %s", exc)
            return {}
        if signature:
            try:
                config.ensure_state_dir(cache.parent)
                tmp = cache.with_suffix(".tmp")
                tmp.write_text(json.dumps({"signature": signature, "limit": limit, "v": 2, "values": values}))
                tmp.replace(cache)
            except OSError:
                pass  # a read-only project still answers
        return values

    def compiler_dialect(self) -> Dialect:
        """The project's dialect object."""
        return get_dialect(self.dialect)

    def _warehouse_signature(self) -> str | None:
        if str(self.setting("warehouse.type")) != "duckdb":
            return None
        path = self._warehouse_path()
        stat = path.stat()
        return f"{path}:{stat.st_mtime_ns}:{stat.st_size}"

    def _warehouse_path(self) -> Path:
        """The DuckDB file (``warehouse.path``, relative to the project folder)."""
        path = Path(str(self.setting("warehouse.path")))
        return path if path.is_absolute() else self.root / path
