"""A tiny dbt-style model runner: find ``models/**/*.sql``, resolve ``ref``/``source``, build in order.

Only the two Jinja calls dbt projects use everywhere are understood: ``{{ ref('model') }}`` becomes
``<schema>.model`` and ``{{ source('src', 'table') }}`` becomes ``<src schema>.table``. Anything else in
``{{ }}`` or ``{% %}`` is refused with the file and line, so the same files build unchanged with dbt.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from metricmind.errors import Issue, Level, SpecError, closest
from metricmind.warehouse.duckdb import DuckDBWarehouse, quote

_REF = re.compile(r"""\{\{\s*ref\(\s*['"]([^'"]+)['"]\s*\)\s*\}\}""")
_SOURCE = re.compile(r"""\{\{\s*source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)\s*\}\}""")
_JINJA = re.compile(r"\{\{|\{%|\{#")


@dataclass(frozen=True)
class SqlModel:
    """One ``.sql`` file: its model name (the file stem), text, and what it reads."""

    name: str
    path: Path
    text: str
    refs: frozenset[str]
    sources: frozenset[tuple[str, str]]


@dataclass(frozen=True)
class ModelRun:
    """The outcome of building one model."""

    name: str
    elapsed_ms: float
    rows: int


def discover(models_dir: Path) -> list[SqlModel]:
    """Every SQL model under ``models_dir``, sorted by name.

    Raises:
        SpecError: Two files share a model name.
    """
    found: dict[str, SqlModel] = {}
    problems: list[Issue] = []
    for path in sorted(models_dir.rglob("*.sql")):
        text = path.read_text(encoding="utf-8")
        model = SqlModel(
            path.stem,
            path,
            text,
            frozenset(_REF.findall(text)),
            frozenset((s, t) for s, t in _SOURCE.findall(text)),
        )
        if model.name in found:
            problems.append(
                Issue(
                    Level.ERROR,
                    f"model '{model.name}' is defined twice (also {found[model.name].path})",
                    str(path),
                    1,
                    "rename one of the files",
                    "duplicate",
                )
            )
            continue
        found[model.name] = model
    if problems:
        raise SpecError(problems)
    return [found[name] for name in sorted(found)]


def order(models: Sequence[SqlModel]) -> list[SqlModel]:
    """The models in dependency order (alphabetical among independent ones, so builds are repeatable).

    Raises:
        SpecError: A ``ref`` names no model ("did you mean"), or the refs form a cycle.
    """
    by_name = {m.name: m for m in models}
    problems = [
        Issue(
            Level.ERROR,
            f"model '{m.name}' refers to unknown model '{ref}'",
            str(m.path),
            _line_of(m.text, ref),
            _suggest(ref, by_name),
            "unknown_ref",
        )
        for m in models
        for ref in sorted(m.refs)
        if ref not in by_name
    ]
    if problems:
        raise SpecError(problems)
    waiting = {m.name: set(m.refs) for m in models}
    users: dict[str, list[str]] = {name: [] for name in by_name}
    for name, refs in waiting.items():
        for ref in refs:
            users[ref].append(name)
    ready = [name for name, refs in waiting.items() if not refs]
    heapq.heapify(ready)
    out: list[SqlModel] = []
    while ready:
        name = heapq.heappop(ready)
        out.append(by_name[name])
        for user in users[name]:
            waiting[user].discard(name)
            if not waiting[user]:
                heapq.heappush(ready, user)
    if len(out) < len(models):
        stuck = sorted(set(by_name) - {m.name for m in out})
        raise SpecError(
            [
                Issue(
                    Level.ERROR,
                    f"models depend on each other in a cycle: {', '.join(stuck)}",
                    str(by_name[stuck[0]].path),
                    None,
                    "remove one of the refs",
                    "cycle",
                )
            ]
        )
    return out


def render(model: SqlModel, schema: str = "main", sources: Mapping[str, str] | None = None) -> str:
    """The model's SQL with ``ref`` and ``source`` replaced by qualified table names.

    Args:
        model: The model to render.
        schema: Schema the project's models are built in.
        sources: Source name → schema; a source not listed uses its own name as the schema.

    Raises:
        SpecError: The file uses Jinja beyond ``ref`` and ``source``.
    """
    mapping = sources or {}
    text = _REF.sub(lambda m: f"{quote(schema)}.{quote(m.group(1))}", model.text)
    text = _SOURCE.sub(lambda m: f"{quote(mapping.get(m.group(1), m.group(1)))}.{quote(m.group(2))}", text)
    leftover = _JINJA.search(text)
    if leftover:
        line = text.count("\n", 0, leftover.start()) + 1
        raise SpecError(
            [
                Issue(
                    Level.ERROR,
                    f"model '{model.name}' uses Jinja this runner does not support",
                    str(model.path),
                    line,
                    "only {{ ref('x') }} and {{ source('s', 't') }} are rendered",
                    "jinja",
                )
            ]
        )
    return text.strip().rstrip(";")


def build(
    warehouse: DuckDBWarehouse,
    models: Sequence[SqlModel],
    schema: str = "main",
    sources: Mapping[str, str] | None = None,
    computed: Mapping[tuple[str, str], Callable[[DuckDBWarehouse], ModelRun]] | None = None,
) -> list[ModelRun]:
    """Create (or replace) a table for each model, in dependency order, and count its rows.

    Args:
        warehouse: The DuckDB warehouse to build in.
        models: The SQL models.
        schema: Schema the models are built in.
        sources: Source name → schema.
        computed: Sources written by a Python step rather than loaded raw, ``(source, table)`` → step. A step
            runs once, right before the first model that reads its source (so after that model's refs are
            built: a step may read them), and reports its table like a model.
    """
    runs = []
    pending = dict(computed or {})
    warehouse.execute(f"create schema if not exists {quote(schema)}")
    for model in order(models):
        for key in sorted(model.sources & set(pending)):
            runs.append(pending.pop(key)(warehouse))
        target = f"{quote(schema)}.{quote(model.name)}"
        elapsed = warehouse.execute(
            f"create or replace table {target} as (\n{render(model, schema, sources)}\n)"
        )
        rows = int(warehouse.run(f"select count(*) from {target}").scalar())
        runs.append(ModelRun(model.name, elapsed, rows))
    return runs


def _line_of(text: str, ref: str) -> int | None:
    at = text.find(ref)
    return text.count("\n", 0, at) + 1 if at >= 0 else None


def _suggest(name: str, known: Mapping[str, object]) -> str | None:
    near = closest(name, known)
    return f"did you mean {', '.join(repr(n) for n in near)}?" if near else None
