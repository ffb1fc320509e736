"""Load generated raw tables into DuckDB and build a dbt project's models on top, without dbt.

The sample projects of other companies (``bazaar``, ``helpdesk``) generate their raw data in Python
(deterministic, no download), load it into schema ``raw`` as an extract-load tool would, then build
every model of the project (``ref``/``source`` rendered) in the profile's schema: staging as views,
the rest as tables, the way ``dbt run`` with the project's config would.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from metricmind.demo.runner import discover, order, render


@dataclass(frozen=True)
class RawTable:
    """A raw table: ``columns`` as ``(name, DuckDB type)`` pairs and its generated ``rows``."""

    columns: tuple[tuple[str, str], ...]
    rows: Sequence[Sequence[Any]]


def copy_project(source: Path, target: Path) -> Path:
    """A copy of a sample dbt project's files (nothing built) in ``target``."""
    shutil.copytree(
        source, target, ignore=shutil.ignore_patterns("target", "__pycache__"), dirs_exist_ok=True
    )
    return target


def load_raw(con: duckdb.DuckDBPyConnection, tables: Mapping[str, RawTable], schema: str = "raw") -> None:
    """Create ``schema.<name>`` for each table (typed columns) and load its rows through a CSV file."""
    con.execute(f"create schema if not exists {schema}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, table in tables.items():
            cols = ", ".join(f'"{c}" {t}' for c, t in table.columns)
            con.execute(f'create or replace table {schema}."{name}" ({cols})')
            path = Path(tmp) / f"{name}.csv"
            with path.open("w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh)
                writer.writerow([c for c, _ in table.columns])
                writer.writerows(["" if v is None else v for v in row] for row in table.rows)
            con.execute(f"copy {schema}.\"{name}\" from '{path}' (header true, nullstr '')")


def build_models(
    con: duckdb.DuckDBPyConnection, models_dir: Path, schema: str, sources: Mapping[str, str]
) -> None:
    """Build every model under ``models_dir`` in dependency order: ``staging/`` as views, others as tables."""
    con.execute(f"create schema if not exists {schema}")
    for model in order(discover(models_dir)):
        kind = "view" if "staging" in model.path.parts else "table"
        con.execute(f"create or replace {kind} {schema}.{model.name} as {render(model, schema, sources)}")


def load_schemas(db_path: Path, raw: Mapping[str, Mapping[str, RawTable]]) -> Path:
    """Create ``db_path`` holding only raw tables, each group under its schema (what an EL tool delivers to dbt)."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db_path))
    try:
        for schema, tables in raw.items():
            load_raw(con, tables, schema)
    finally:
        con.close()
    return db_path


def build_on(db_path: Path, project: Path, schema: str, sources: Mapping[str, str]) -> Path:
    """Build the project's models in ``schema`` on the raw tables already in ``db_path``; returns the path."""
    con = duckdb.connect(str(db_path))
    try:
        build_models(con, project / "models", schema, sources)
    finally:
        con.close()
    return db_path


def build_duckdb(
    project: Path, db_path: Path, tables: Mapping[str, RawTable], schema: str, sources: Mapping[str, str]
) -> Path:
    """Create ``db_path`` with the raw tables (schema ``raw``) and the project's models; returns the path."""
    return build_on(load_schemas(db_path, {"raw": tables}), project, schema, sources)
