"""Settings: name, default and help for each, read from ``metricmind.yml`` and ``METRICMIND_*`` variables.

Every setting is listed in ``SETTINGS`` and documented in ``docs/settings.md`` (a test checks both agree).
Command-line options (``--target``, ``--profiles-dir``, ``--state-dir``) are set with ``set_overrides``
and win over everything else.
"""

from __future__ import annotations

import os
import sys
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
    Setting(
        "warehouse.type", "duckdb", "Warehouse adapter: duckdb, postgres, spark, or a registered entry point."
    ),
    Setting("warehouse.path", "target/warehouse.duckdb", "DuckDB file, relative to the project folder."),
    Setting("warehouse.dsn", None, "Connection string for server warehouses (postgres://…)."),
    Setting(
        "warehouse.url", None, "Spark warehouse: Spark Connect URL (sc://host:15002) or a local[N] master."
    ),
    Setting(
        "warehouse.role",
        None,
        "PostgreSQL role to `SET ROLE` to for queries: one that can only read the project's schemas.",
    ),
    Setting("warehouse.schema", None, "Schema that `ref('model')` resolves into; none means unqualified."),
    Setting("dialect", None, "SQL dialect to compile for; defaults to the warehouse's dialect."),
    Setting("max_join_hops", 4, "Longest entity join path the compiler searches."),
    Setting("store.url", None, "SQLAlchemy URL of the catalog store; default SQLite in the state folder."),
    Setting(
        "state_dir",
        None,
        "Folder for metricmind's own files (store, run spool, caches); default `<project>/.metricmind`.",
    ),
    Setting("profiles_dir", None, "Folder of the dbt `profiles.yml` (like dbt's `--profiles-dir`)."),
    Setting("target", None, "dbt target of the profile (like dbt's `--target`); default the profile's."),
    Setting(
        "dbt.executable",
        None,
        "dbt to run for generated packages (`dbt build`); default `$METRICMIND_DBT`, then PATH.",
    ),
    Setting(
        "dbt.target",
        None,
        "dbt target generated packages build into (default: the profile's); a DuckDB file is copied first.",
    ),
    Setting("fiscal_year_start_month", 1, "First month of the fiscal year for time phrases."),
    Setting(
        "web.trusted_hosts",
        "localhost,127.0.0.1,[::1]",
        "Host names the web server answers (comma-separated, `*` for any); other Host headers get 421.",
    ),
    Setting("web.max_body_bytes", 1_000_000, "Largest request body the web server accepts; larger is 413."),
    Setting(
        "learn.enabled", None, "Answer queries through the learned path (result cache, rollups): on/off."
    ),
    Setting(
        "learn.epsilon",
        0.1,
        "Share of the learned path's decisions that explore: a random allowed arm not yet shown (with confidence) to be worse than the best.",
    ),
    Setting(
        "learn.epsilon_schedule",
        "per_context",
        "How exploration evolves: `per_context` (learn.epsilon for a pattern's first 10 decisions, then "
        "decaying as 1/sqrt of its decisions) or `constant`.",
    ),
    Setting("learn.reward", None, "Reward weights overriding the defaults (a mapping; see docs/learn.md)."),
    Setting("learn.rollups_max", 20, "Most rollups the nightly learner keeps."),
    Setting(
        "learn.rollups_schema",
        "metricmind_rollups",
        "Schema the nightly learner owns for rollups in a PostgreSQL or Spark warehouse (created if missing).",
    ),
    Setting(
        "learn.spark_data_version",
        "files",
        "How a Spark warehouse's data version is read: `files` (the tables' input files, no job) or "
        "`exact` (also each file's size and modification time and each table's row count, one job).",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def home() -> Path:
    """The metricmind home folder (``METRICMIND_HOME`` or ``~/.metricmind``)."""
    return Path(os.environ.get("METRICMIND_HOME", "~/.metricmind")).expanduser()


_OVERRIDES: dict[str, Any] = {}

#: The name of the default state folder inside a project.
STATE_FOLDER = ".metricmind"


def set_overrides(values: dict[str, Any]) -> None:
    """Replace the command-line overrides (``None`` values are dropped); they win over everything."""
    _OVERRIDES.clear()
    _OVERRIDES.update({k: v for k, v in values.items() if v is not None and k in _BY_NAME})


def resolve(name: str, file_values: dict[str, Any] | None = None) -> Any:
    """The value of setting ``name``: command-line override, environment, the project file, the default."""
    setting = _BY_NAME[name]
    if name in _OVERRIDES:
        return _OVERRIDES[name]
    env = os.environ.get(setting.env)
    if env is not None:
        return type(setting.default)(env) if isinstance(setting.default, int) else env
    return file_value(name, file_values, setting.default)


def file_value(name: str, file_values: dict[str, Any] | None, default: Any) -> Any:
    """Dotted setting ``name`` (``knowledge.base_branch``) in a project file's values, else ``default``."""
    node: Any = file_values or {}
    for part in name.split("."):
        node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            return default
    return node


def state_dir(project_root: str | os.PathLike[str]) -> Path:
    """The folder metricmind keeps a project's own files in (not created here).

    ``--state-dir`` or ``METRICMIND_STATE_DIR`` (a relative path is relative to the current folder),
    else ``<project>/.metricmind``. Deliberately not read from ``metricmind.yml``: where state lives is
    a property of the machine, and every part of metricmind must agree on it knowing only the root.
    """
    value = resolve("state_dir")
    if value:
        return Path(str(value)).expanduser().absolute()
    return Path(project_root).absolute() / STATE_FOLDER


def ensure_state_dir(path: Path) -> Path:
    """Create the state folder if needed and return it.

    A folder created here gets a ``.gitignore`` of ``*`` (as pytest's cache does) so the project's
    ``git status`` stays clean, and one line on stderr says where it is when stderr is a terminal (a
    person at a prompt; not a server's log, a pipe or a script that parses the output). An existing folder named
    ``.metricmind`` without a ``.gitignore`` (made by an older metricmind) gets one too; another existing
    folder is left as it is (it might be the user's own).
    """
    created = not path.exists()
    if created:
        path.mkdir(parents=True, exist_ok=True)
    ignore = path / ".gitignore"
    if (created or path.name == STATE_FOLDER) and not ignore.exists():
        try:
            ignore.write_text("# Created by metricmind: its state, never committed.\n*\n")
        except OSError:
            pass  # a read-only folder still works; git may then show it
    if created and _is_terminal(sys.stderr):
        sys.stderr.write(
            f"metricmind: keeping its state (catalog store, run log, caches) in {path} "
            "(git-ignored; move it with --state-dir or METRICMIND_STATE_DIR)\n"
        )
    return path


def _is_terminal(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if callable(isatty) else False
    except (OSError, ValueError):
        return False
