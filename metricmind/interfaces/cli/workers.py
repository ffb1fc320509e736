"""``metricmind serve --workers N``: several uvicorn worker processes over one PostgreSQL store.

The parent process checks the store, migrates it and syncs the catalog with the YAML once (so the
workers, starting together, find nothing to create), then hands the listening socket to uvicorn's
supervisor, which starts ``N`` workers and restarts one that dies. Each worker loads the project itself
(:func:`worker_app`, an app factory found by import path), opens the DuckDB warehouse read-only (DuckDB
lets any number of processes read a file no process writes) and its own connection pool to the store.

SQLite stores are refused for ``N > 1``: SQLite takes one writer at a time for the whole file, so the
workers would queue on every recorded query, and a file is never shared across hosts. One worker on
SQLite is the laptop setup; several workers are the PostgreSQL setup (see ``docs/deploy.md``).
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from metricmind import config
from metricmind.errors import MetricmindError
from metricmind.interfaces.cli.common import open_project
from metricmind.project import Project
from metricmind.storage import default_url

ENV_ROOT = "METRICMIND_SERVE_ROOT"  # the project folder each worker loads
ENV_HOST = "METRICMIND_SERVE_HOST"  # the address served on (joins the trusted hosts)
#: Global command-line options the workers must see too (they start as fresh interpreters).
PASSED_ON = ("state_dir", "target", "profiles_dir")


def store_url(project: Project) -> str:
    """The project's store URL (``store.url``, else the SQLite file in its state folder)."""
    return str(project.setting("store.url") or default_url(project.root))


def check_store(project: Project, workers: int) -> None:
    """Refuse several workers over a SQLite store, with what to do instead.

    Raises:
        MetricmindError: ``workers > 1`` and the store is not PostgreSQL.
    """
    url = sa.make_url(store_url(project))
    if workers > 1 and url.get_backend_name() != "postgresql":
        raise MetricmindError(
            f"serve --workers {workers} needs a PostgreSQL store, and the store is "
            f"{url.get_backend_name()} ({url.render_as_string(hide_password=True)})",
            hint="Serve with one worker (the default), or set store.url (METRICMIND_STORE_URL="
            "postgresql://user@host/db) and move the store there with `metricmind backup FILE` then "
            "`metricmind restore FILE` (see docs/deploy.md).",
        )


def prepare(project: Project) -> None:
    """Migrate the store and sync the catalog once, in the parent, before the workers start."""
    try:
        _ = project.catalog
    finally:
        project.close()


def serve(project: Project, host: str, port: int, workers: int, log_level: str) -> None:
    """Run ``workers`` uvicorn processes serving ``project`` on ``host:port`` until interrupted."""
    import uvicorn

    os.environ[ENV_ROOT] = str(project.root.resolve())
    os.environ[ENV_HOST] = host
    for name in PASSED_ON:  # the workers read them from the environment
        value = config.resolve(name, {})
        if value:
            os.environ[config.Setting(name, None, "").env] = str(value)
    uvicorn.run(
        f"{__name__}:worker_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
    )


def worker_app() -> Any:
    """The app of one worker process: the project at ``$METRICMIND_SERVE_ROOT``, warmed up."""
    web = importlib.import_module("metricmind.interfaces.web.app")
    host = os.environ.get(ENV_HOST, "")
    project = open_project(Path(os.environ[ENV_ROOT]))
    app = web.create_app(project, hosts=[host] if host and host not in ("0.0.0.0", "::") else [])
    web.warm(app)
    return app


__all__ = ["check_store", "prepare", "serve", "store_url", "worker_app"]
