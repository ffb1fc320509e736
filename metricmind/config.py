"""Settings: name, default and help for each, read from ``metricmind.yml`` and ``METRICMIND_*`` variables.

Every setting is listed in ``SETTINGS`` and documented in ``docs/settings.md`` (a test checks both agree).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Setting:
    """One documented setting."""

    name: str
    default: Any
    help: str

    @property
    def env(self) -> str:
        """The environment variable that overrides it."""
        return "METRICMIND_" + self.name.upper().replace(".", "_")


SETTINGS: tuple[Setting, ...] = (
    Setting("home", "~/.metricmind", "Folder for the built demo and per-user state."),
    Setting("warehouse.type", "duckdb", "Warehouse adapter: duckdb, postgres, or a registered entry point."),
    Setting("warehouse.path", "target/warehouse.duckdb", "DuckDB file, relative to the project folder."),
    Setting("warehouse.dsn", None, "Connection string for server warehouses (postgres://…)."),
    Setting(
        "warehouse.role",
        None,
        "PostgreSQL role to `SET ROLE` to for queries: one that can only read the project's schemas.",
    ),
    Setting("warehouse.schema", None, "Schema that `ref('model')` resolves into; none means unqualified."),
    Setting("dialect", None, "SQL dialect to compile for; defaults to the warehouse's dialect."),
    Setting("max_join_hops", 4, "Longest entity join path the compiler searches."),
    Setting(
        "store.url", None, "SQLAlchemy URL of the catalog store; default SQLite in `<project>/.metricmind/`."
    ),
    Setting("fiscal_year_start_month", 1, "First month of the fiscal year for time phrases."),
    Setting(
        "web.trusted_hosts",
        "localhost,127.0.0.1,[::1]",
        "Host names the web server answers (comma-separated, `*` for any); other Host headers get 421.",
    ),
    Setting("web.max_body_bytes", 1_000_000, "Largest request body the web server accepts; larger is 413."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def home() -> Path:
    """The metricmind home folder (``METRICMIND_HOME`` or ``~/.metricmind``)."""
    return Path(os.environ.get("METRICMIND_HOME", "~/.metricmind")).expanduser()


def resolve(name: str, file_values: dict[str, Any] | None = None) -> Any:
    """The value of setting ``name``: environment first, then the project file, then the default."""
    setting = _BY_NAME[name]
    env = os.environ.get(setting.env)
    if env is not None:
        return type(setting.default)(env) if isinstance(setting.default, int) else env
    node: Any = file_values or {}
    for part in name.split("."):
        node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            return setting.default
    return node
