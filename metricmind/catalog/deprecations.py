"""The catalog's deprecated definitions, read without opening the catalog (no migration, no sync): what a
query of a deprecated metric warns with, in a process that never opens the store (``metricmind query``).
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa

from metricmind.catalog.schema import definitions
from metricmind.storage import make_engine

log = logging.getLogger(__name__)


def deprecated(url: str, kind: str = "metric") -> dict[str, dict[str, Any]]:
    """``name → {"name", "successor", "sunset"}`` for the deprecated definitions of ``kind`` in the store at
    ``url``; nothing when the store is unreachable or older than the successor columns.
    """
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(definitions.c.name, definitions.c.successor, definitions.c.sunset).where(
                    definitions.c.kind == kind,
                    definitions.c.status == "deprecated",
                    definitions.c.in_project.is_(True),
                )
            ).all()
    except sa.exc.SQLAlchemyError as exc:
        log.info("deprecations: cannot read the store: %s", str(exc).splitlines()[0])
        return {}
    finally:
        engine.dispose()
    return {r.name: {"name": r.name, "successor": r.successor, "sunset": r.sunset} for r in rows}
