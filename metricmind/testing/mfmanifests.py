"""MetricFlow's own test manifests as foreign projects, for both engines, on a synthesized warehouse.

The ``metricflow`` package in MetricFlow's environment (``.venv-mf``, see :mod:`metricmind.testing.mfenv`)
ships the semantic manifests its authors test with (``metricflow_semantics/test_helpers/
semantic_manifest_yamls/``). They are read from there at run time, never copied into this repository.

:func:`build_manifest` turns one into a project folder with:

- ``semantic/``: the manifest's YAML files as they are, in MetricFlow's one-object-per-document format
  (``$source_schema`` replaced by the schema), which metricmind reads;
- ``seeds/_metricflow.yml``: the same objects in dbt's format (``semantic_models:`` with ``model:
  ref(...)``, ``metrics:`` with a label, ``saved_queries:``, the time spine as a ``models:`` entry), which
  ``dbt parse`` reads for MetricFlow; metricmind skips ``seeds/``, and dbt does not read ``semantic/``;
- ``models/<table>.sql`` placeholders for ``ref()``, ``dbt_project.yml`` and ``profiles.yml``;
- ``target/<name>.duckdb``: the seeded warehouse of :mod:`metricmind.testing.mfdata`, which both read.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from metricmind.testing.mfdata import (
    SQL_TYPES,
    SUB_DAY,
    Table,
    generate,
    infer_tables,
    spine_rows,
    spine_tables,
    write_duckdb,
)
from metricmind.testing.mfenv import mf_python

SUBDIR = Path("metricflow_semantics") / "test_helpers" / "semantic_manifest_yamls"
SCHEMA = "main"
SKIPPED = ("shared",)
"""Folders of the manifests' directory that are not manifests (``shared`` holds one common config)."""


def manifests_root(python: Path | None = None) -> Path | None:
    """The folder of MetricFlow's test manifests in MetricFlow's environment, or None without one.

    Looks beside ``python`` (default :func:`mfenv.mf_python`) first (``<venv>/lib/python*/site-packages``),
    then asks that interpreter where ``metricflow_semantics`` is.
    """
    interpreter = python or mf_python()
    for site in sorted(interpreter.parent.parent.glob("lib/python*/site-packages")):
        if (site / SUBDIR).is_dir():
            return site / SUBDIR
    if not interpreter.exists():
        return None
    probe = "import metricflow_semantics, os; print(os.path.dirname(metricflow_semantics.__file__))"
    try:
        done = subprocess.run([str(interpreter), "-c", probe], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = Path(done.stdout.strip()).parent / SUBDIR if done.returncode == 0 else None
    return found if found is not None and found.is_dir() else None


def manifest_names(root: Path) -> list[str]:
    """The manifests under ``root``: folders holding YAML, sorted."""
    return sorted(
        d.name
        for d in root.iterdir()
        if d.is_dir() and not d.name.startswith(("_", ".")) and d.name not in SKIPPED and _yaml_files(d)
    )


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def documents(folder: Path, schema: str = SCHEMA) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Every YAML document under ``folder`` with ``$source_schema`` replaced; unreadable files are skipped."""
    for path in _yaml_files(folder):
        text = path.read_text(encoding="utf-8").replace("$source_schema", schema)
        try:
            for doc in yaml.safe_load_all(text):
                if isinstance(doc, dict):
                    yield path, doc
        except yaml.YAMLError:
            continue


def filters_in(value: Any) -> list[str]:
    """Every ``filter``/``where`` text anywhere in ``value`` (metrics, their inputs, saved queries)."""
    out: list[str] = []
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key in ("filter", "where"):
                out += [item] if isinstance(item, str) else [x for x in item or [] if isinstance(x, str)]
            else:
                out += filters_in(item)
    elif isinstance(value, list):
        for item in value:
            out += filters_in(item)
    return out


@dataclass(frozen=True)
class ManifestProject:
    """One manifest made a project: its folder, the warehouse file, the schema and what the data holds."""

    name: str
    root: Path
    duckdb: Path
    schema: str
    tables: Mapping[str, int]  # rows per table


def _dbt_semantic_model(sm: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in sm.items() if k != "node_relation"}
    alias = (sm.get("node_relation") or {}).get("alias") or sm["name"]
    out["model"] = f"ref('{alias}')"
    return out


def _dbt_metric(metric: Mapping[str, Any]) -> dict[str, Any]:
    return {"label": metric["name"], **metric}  # dbt requires a label


def _dbt_spine_models(config: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The dbt ≥ 1.9 time spine models: per table, its finest primary column and custom granularities."""
    grains = ("day", "week", "month", "quarter", "year")
    by_table: dict[str, dict[str, Any]] = {}
    for spine in config.get("time_spines") or []:
        alias = str(spine["node_relation"]["alias"])
        primary = spine["primary_column"]
        grain = str(primary.get("time_granularity") or "day").lower()
        rank = (SUB_DAY + grains).index(grain) if grain in SUB_DAY + grains else 99
        have = by_table.get(alias)
        if have is None or rank < have["rank"]:
            custom = [
                {"name": c["name"], **({"column_name": c["column_name"]} if c.get("column_name") else {})}
                for c in spine.get("custom_granularities") or []
            ]
            by_table[alias] = {"rank": rank, "column": primary["name"], "grain": grain, "custom": custom}
    models = []
    for alias, spine in by_table.items():
        time_spine: dict[str, Any] = {"standard_granularity_column": spine["column"]}
        if spine["custom"]:
            time_spine["custom_granularities"] = spine["custom"]
        models.append(
            {
                "name": alias,
                "time_spine": time_spine,
                "columns": [
                    {"name": spine["column"], "granularity": spine["grain"]},
                    *({"name": c.get("column_name") or c["name"]} for c in spine["custom"]),
                ],
            }
        )
    return models


def _profile(name: str, db: str) -> str:
    return yaml.safe_dump(
        {
            name: {
                "target": "dev",
                "outputs": {
                    "dev": {"type": "duckdb", "path": f"target/{db}", "schema": SCHEMA, "threads": 1}
                },
            }
        }
    )


def build_manifest(
    name: str, parent: Path, *, root: Path | None = None, seed: int = 11, data: bool = True
) -> ManifestProject:
    """Make manifest ``name`` a project in ``parent/name`` with its seeded warehouse (reused when built;
    ``data=False`` writes the project only, enough to load and validate it).

    Raises:
        FileNotFoundError: MetricFlow's environment or the manifest is missing.
    """
    source_root = root or manifests_root()
    if source_root is None or not (source_root / name).is_dir():
        raise FileNotFoundError(f"MetricFlow's test manifest {name!r} not found (in {source_root})")
    source = source_root / name
    target = parent / name
    db = target / "target" / f"{name}.duckdb"
    if db.exists():
        return ManifestProject(name, target, db, SCHEMA, {})
    shutil.rmtree(target, ignore_errors=True)
    (target / "semantic").mkdir(parents=True)
    for path in _yaml_files(source):
        out = target / "semantic" / path.relative_to(source)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(path.read_text(encoding="utf-8").replace("$source_schema", SCHEMA), encoding="utf-8")
    docs = [doc for _, doc in documents(source)]
    models = [d["semantic_model"] for d in docs if isinstance(d.get("semantic_model"), dict)]
    metrics = [d["metric"] for d in docs if isinstance(d.get("metric"), dict)]
    saved = [d["saved_query"] for d in docs if isinstance(d.get("saved_query"), dict)]
    configs = [d["project_configuration"] for d in docs if isinstance(d.get("project_configuration"), dict)]
    config = configs[0] if configs else {}
    dbt_doc: dict[str, Any] = {"version": 2}
    dbt_doc["models"] = _dbt_spine_models(config)
    dbt_doc["semantic_models"] = [_dbt_semantic_model(sm) for sm in models]
    dbt_doc["metrics"] = [_dbt_metric(m) for m in metrics]
    if saved:
        dbt_doc["saved_queries"] = saved
    (target / "seeds").mkdir()
    (target / "seeds" / "_metricflow.yml").write_text(
        yaml.safe_dump(dbt_doc, sort_keys=False), encoding="utf-8"
    )
    project = f"mf_{name}"
    (target / "dbt_project.yml").write_text(
        yaml.safe_dump(
            {
                "name": project,
                "version": "1.0",
                "config-version": 2,
                "profile": project,
                "model-paths": ["models"],
                "seed-paths": ["seeds"],
            },
            sort_keys=False,
        ),
        encoding="utf-8",
    )
    (target / "profiles.yml").write_text(_profile(project, db.name), encoding="utf-8")
    tables = infer_tables(models, filters_in([*metrics, *saved]))
    spines = spine_tables(config)
    (target / "models").mkdir()
    for table in [*tables, *(s.name for s in spines)]:
        (target / "models" / f"{table}.sql").write_text("select 1 as placeholder\n", encoding="utf-8")
    if not data:
        return ManifestProject(name, target, db, SCHEMA, {})
    rows = generate(tables, seed)
    types = {t: {c: SQL_TYPES[col.kind] for c, col in tables[t].columns.items()} for t in tables}
    for spine in spines:
        rows[spine.name] = spine_rows(spine)
        types[spine.name] = {c: "TIMESTAMP" if g in SUB_DAY else "DATE" for c, g in spine.columns}
    write_duckdb(db, rows, types, SCHEMA)
    return ManifestProject(name, target, db, SCHEMA, {t: len(r) for t, (_, r) in rows.items()})


def table_summary(tables: Mapping[str, Table]) -> dict[str, dict[str, str]]:
    """Each table's columns and kinds (for a report)."""
    return {t: {c: col.kind for c, col in table.columns.items()} for t, table in tables.items()}
