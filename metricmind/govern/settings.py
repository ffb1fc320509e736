"""Settings of the governance validator (``govern.*`` in ``metricmind.yml``, documented in docs/govern.md).

They follow ``metricmind.config``'s rules: environment ``METRICMIND_GOVERN_…`` first (lists comma-
separated), then the project file, then the default.
"""

from __future__ import annotations

import os
from typing import Any

from metricmind.config import Setting, file_value

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "govern.trusted_sources",
        [],
        "Sources (`name` or `name.table`) that models behind metrics may read like canonical datasets.",
    ),
    Setting(
        "govern.staging", ["stg_", "staging_"], "Name prefixes of staging models (never read by metrics)."
    ),
    Setting(
        "govern.as_of",
        None,
        "The time freshness is measured at: an ISO date or timestamp, or a SQL query returning one; "
        "default now (UTC).",
    ),
    Setting(
        "govern.on_approval",
        True,
        "Run the validator on every catalog approval; a change that adds a governance error is refused.",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def resolve(name: str, file_values: dict[str, Any] | None = None) -> Any:
    """The value of govern setting ``name``: environment, then the project file, then the default."""
    setting = _BY_NAME[name]
    env = os.environ.get(setting.env)
    if env is not None:
        if isinstance(setting.default, list):
            return [p.strip() for p in env.split(",") if p.strip()]
        if isinstance(setting.default, bool):
            return env.strip().lower() in {"1", "true", "yes", "on"}
        return env
    return file_value(name, file_values, setting.default)
