"""What the dbt models behind metrics read: ``ref``/``source`` calls and plain table names, found without
running Jinja.

Each ``{{ ref('m') }}`` / ``{{ source('s', 't') }}`` is replaced by a placeholder table name, every other
Jinja block is blanked (line breaks kept, so lines stay true), comments are dropped, and the SQL is
parsed with sqlglot: a ``ref`` inside a comment does not count, a hard-coded ``raw.orders`` does. When
sqlglot cannot parse a model, the calls found by the scan are used as they are.

The rule (``check``): a semantic model behind a metric reads a canonical dataset, or a model that
reads only canonical datasets (followed through any depth), the time spine, or a source the project
declares trusted (``govern.trusted_sources``). A raw source, a staging model (``govern.staging``
prefixes or a ``staging`` folder) or an unknown table on the way is an error naming the chain.

A project that registers no canonical datasets (most dbt projects: no ``canonical_datasets.yml``) has
its canonical layer where dbt's conventions put it: the marts a semantic model is built on, which read
staging models. There, reading a staging model is the rule, not a finding; a semantic model built on a
staging model, and a raw source read anywhere outside staging, are still errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlglot
import yaml
from sqlglot import exp

from metricmind.errors import Level
from metricmind.govern.findings import Finding
from metricmind.spec.model import Model

_CALL = re.compile(
    r"""\{\{-?\s*(ref|source)\(\s*(['"][^'"]+['"](?:\s*,\s*['"][^'"]+['"])?)\s*(?:,\s*v(?:ersion)?\s*=\s*[^)]*)?\)\s*-?\}\}"""
)
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_STRINGS = re.compile(r"""['"]([^'"]+)['"]""")
_REF_PREFIX = "__mm_ref__"
_SOURCE_PREFIX = "__mm_src__"


@dataclass(frozen=True)
class Input:
    """One thing a model reads: a model (``ref``), a source, or a plain table name."""

    kind: str  # "ref" | "source" | "table"
    name: str  # model name, "source.table", or the table as written
    line: int


@dataclass
class SqlFile:
    """A dbt model's SQL file and what it reads."""

    name: str
    path: Path
    inputs: list[Input] = field(default_factory=list)


@dataclass
class Project:
    """The dbt side of a project: model files, sources, canonical relations, settings."""

    root: Path
    models: dict[str, SqlFile]
    sources: dict[str, str]  # "source.table" → "schema.table"

    @classmethod
    def read(cls, root: Path) -> Project:
        """Find the model files (``model-paths`` of ``dbt_project.yml``, default ``models``) and sources."""
        paths = ["models"]
        dbt = root / "dbt_project.yml"
        if dbt.exists():
            try:
                data = yaml.safe_load(dbt.read_text(encoding="utf-8")) or {}
                paths = [str(p) for p in data.get("model-paths") or paths]
            except yaml.YAMLError:
                pass
        models: dict[str, SqlFile] = {}
        sources: dict[str, str] = {}
        for folder in paths:
            base = root / folder
            if not base.is_dir():
                continue
            for path in sorted(base.rglob("*.sql")):
                models.setdefault(path.stem, SqlFile(path.stem, path))
            for path in sorted([*base.rglob("*.yml"), *base.rglob("*.yaml")]):
                sources.update(_sources_of(path))
        return cls(root, models, sources)

    def inputs(self, name: str) -> list[Input] | None:
        """What model ``name`` reads (parsed once), or None when it has no SQL file."""
        sql = self.models.get(name)
        if sql is None:
            return None
        if not sql.inputs:
            sql.inputs = scan(sql.path.read_text(encoding="utf-8", errors="replace"))
        return sql.inputs

    def relative(self, path: Path) -> str:
        """``path`` relative to the project folder when it is inside it."""
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)


def _sources_of(path: Path) -> dict[str, str]:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, OSError):
        return {}
    out: dict[str, str] = {}
    if not isinstance(doc, dict) or not isinstance(doc.get("sources"), list):
        return out
    for src in doc["sources"]:
        if not isinstance(src, dict) or not src.get("name"):
            continue
        schema = str(src.get("schema") or src["name"])
        for table in src.get("tables") or []:
            if isinstance(table, dict) and table.get("name"):
                ident = str(table.get("identifier") or table["name"])
                out[f"{src['name']}.{table['name']}"] = f"{schema}.{ident}".lower()
    return out


def scan(text: str) -> list[Input]:
    """What a model's SQL reads, each with its line (1-based)."""
    calls: dict[str, Input] = {}

    def place(match: re.Match[str]) -> str:
        kind = match.group(1)
        args: list[str] = [str(a) for a in _STRINGS.findall(match.group(2))]
        line = text.count("\n", 0, match.start()) + 1
        if kind == "ref":
            name, token = args[-1], _REF_PREFIX + args[-1]
        else:
            name = ".".join(args[:2])
            token = _SOURCE_PREFIX + "__".join(args[:2])
        calls.setdefault(token.lower(), Input(kind, name, line))
        return token

    replaced = _CALL.sub(place, text)
    blanked = _JINJA.sub(_blank, replaced)
    found: list[Input] = []
    try:
        trees = [t for t in sqlglot.parse(blanked, read="duckdb") if t is not None]
    except sqlglot.errors.SqlglotError:
        return sorted(calls.values(), key=lambda i: (i.line, i.name))
    ctes = {c.alias_or_name.lower() for t in trees for c in t.find_all(exp.CTE)}
    seen: set[str] = set()
    for tree in trees:
        for table in tree.find_all(exp.Table):
            name = table.name.lower()
            if not name or (not table.db and name in ctes):
                continue
            if name in calls:
                key = name
                item = calls[name]
            else:
                key = ".".join(p for p in (table.db, table.name) if p).lower()
                item = Input("table", key, _line_of(text, table.name))
            if key not in seen:
                seen.add(key)
                found.append(item)
    return sorted(found, key=lambda i: (i.line, i.name))


def _blank(match: re.Match[str]) -> str:
    """A Jinja expression becomes ``null``, a statement or comment nothing (line breaks are kept)."""
    text = match.group(0)
    return "\n" * text.count("\n") + (" null " if text.startswith("{{") else " ")


def _line_of(text: str, word: str) -> int:
    m = re.search(rf"\b{re.escape(word)}\b", text, re.I)
    return text.count("\n", 0, m.start()) + 1 if m else 1


@dataclass(frozen=True)
class Rules:
    """What counts as canonical, trusted, staging."""

    canonical: dict[str, str]  # model name or relation → canonical dataset name
    trusted: frozenset[str]  # sources (``raw`` or ``raw.table``) treated as canonical
    staging: tuple[str, ...]  # name prefixes of staging models
    spine: str | None  # the time spine's model name
    implicit: bool = False  # no registry: marts over staging are the canonical layer

    def is_staging(self, name: str, path: Path | None) -> bool:
        """True for a staging model (by prefix, or a file in a ``staging`` folder)."""
        return name.startswith(self.staging) or (path is not None and "staging" in path.parts)

    def trusts(self, source: str) -> bool:
        """True when ``source.table`` (or its whole source) is declared trusted."""
        return source in self.trusted or source.split(".", 1)[0] in self.trusted


def rules_of(model: Model, trusted: Iterable[str], staging: Iterable[str]) -> Rules:
    """The rules for ``model``: its canonical datasets (by model name and relation), trusted sources."""
    canonical: dict[str, str] = {}
    for ds in model.canonical_datasets.values():
        if ds.ref:
            canonical[ds.ref.lower()] = ds.name
        if ds.relation:
            canonical[ds.relation.lower()] = ds.name
    spine = model.time_spine.relation.rsplit(".", 1)[-1].lower() if model.time_spine else None
    implicit = not model.canonical_datasets
    return Rules(canonical, frozenset(str(t).lower() for t in trusted), tuple(staging), spine, implicit)


def check(model: Model, dbt: Project, rules: Rules) -> list[Finding]:
    """Findings for every semantic model behind a metric that does not read canonical datasets only."""
    behind: dict[str, list[str]] = {}
    for metric in sorted(model.metrics):
        for name in sorted(model.source_models(metric)):
            behind.setdefault(name, []).append(metric)
    out: list[Finding] = []
    for sm_name, metrics in sorted(behind.items()):
        sm = model.semantic_models[sm_name]
        ref = (sm.ref or sm.relation.rsplit(".", 1)[-1]).lower()
        if ref in rules.canonical or sm.relation.lower() in rules.canonical:
            continue
        problems = _walk(ref, dbt, rules, (ref,), set())
        own = dbt.models.get(ref)
        if rules.implicit and rules.is_staging(ref, own.path if own else None):
            problems = [
                {
                    "code": "reads_staging",
                    "message": f"the staging model '{ref}'",
                    "hint": "Build the semantic model on a mart (a dim_/fct_ model reading the staging one).",
                }
            ]
        for problem in problems:
            out.append(
                Finding(
                    Level.WARNING
                    if problem["code"] in ("model_sql_missing", "unknown_input")
                    else Level.ERROR,
                    problem["code"],
                    f"semantic model '{sm_name}' is built on {problem['message']}",
                    semantic_model=sm_name,
                    metrics=tuple(metrics),
                    file=problem.get("file") or sm.file,
                    line=problem.get("line") or (None if problem.get("file") else sm.line),
                    hint=problem["hint"],
                )
            )
    return out


def _walk(
    name: str, dbt: Project, rules: Rules, chain: tuple[str, ...], seen: set[str]
) -> list[dict[str, Any]]:
    """Problems met reading model ``name`` (not canonical) and, recursively, the models it reads."""
    if name in seen:
        return []
    seen.add(name)
    path_text = " → ".join(chain)
    inputs = dbt.inputs(name)
    if inputs is None:
        relation = next((r for r in dbt.sources.values() if r.rsplit(".", 1)[-1] == name), None)
        if relation is not None and len(chain) == 1:
            return [
                {
                    "code": "reads_raw_source",
                    "message": f"the raw table {relation} directly",
                    "hint": "Point the semantic model at a canonical dataset (declare one in "
                    "canonical_datasets.yml over a model that cleans this table).",
                }
            ]
        return [
            {
                "code": "model_sql_missing",
                "message": f"model '{name}' ({path_text}), whose SQL file is not in the project",
                "hint": "Add the model's .sql file under the dbt model-paths, or declare it a canonical dataset.",
            }
        ]
    file = dbt.relative(dbt.models[name].path)
    out: list[dict[str, Any]] = []
    for item in inputs:
        where = {"file": file, "line": item.line}
        if item.kind == "source":
            if rules.trusts(item.name) or dbt.sources.get(item.name, "") in rules.canonical:
                continue
            out.append(
                {
                    **where,
                    "code": "reads_raw_source",
                    "message": f"{path_text}, which reads the raw source {item.name}",
                    "hint": f"Read a canonical dataset instead of source {item.name} "
                    "(or, when this source is curated, list it in govern.trusted_sources).",
                }
            )
            continue
        target = item.name.lower()
        if item.kind == "table":
            if target in rules.canonical or f"main.{target}" in rules.canonical:
                continue
            raw = next((s for s, r in dbt.sources.items() if r == target), None)
            if raw is not None:
                if rules.trusts(raw):
                    continue
                out.append(
                    {
                        **where,
                        "code": "reads_raw_source",
                        "message": f"{path_text}, which reads the raw table {item.name} (source {raw})",
                        "hint": "Read a canonical dataset with {{ ref('...') }} instead of a raw table.",
                    }
                )
                continue
            bare = target.rsplit(".", 1)[-1]
            if bare not in dbt.models:
                out.append(
                    {
                        **where,
                        "code": "unknown_input",
                        "message": f"{path_text}, which reads {item.name}: not a model, source or canonical dataset",
                        "hint": "Use {{ ref('...') }} to a canonical dataset, so lineage and governance can follow it.",
                    }
                )
                continue
            target = bare
        if target in rules.canonical or target == rules.spine:
            continue
        sql = dbt.models.get(target)
        if rules.is_staging(target, sql.path if sql else None):
            if rules.implicit:
                continue  # a mart over staging: dbt's canonical layer in a project without a registry
            out.append(
                {
                    **where,
                    "code": "reads_staging",
                    "message": f"{path_text}, which reads the staging model '{target}'",
                    "hint": f"Read the canonical dataset built from '{target}' instead of the staging model.",
                }
            )
            continue
        out += _walk(target, dbt, rules, (*chain, target), seen)
    return out
