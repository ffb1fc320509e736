"""Load a project folder of MetricFlow YAML into a ``Model``, collecting every issue on the way.

Both dbt's layout (``semantic_models:``, ``metrics:``, ``saved_queries:`` lists with ``model: ref('x')``)
and MetricFlow's own one-object-per-document layout (``semantic_model:``, ``metric:``) are accepted.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from metricmind.errors import Issue, IssueList, closest
from metricmind.spec import parse
from metricmind.spec.model import CanonicalDataset, Metric, Model, SavedQuery, SemanticModel, TimeSpine
from metricmind.spec.parse import qualify, ref_name
from metricmind.spec.vocabulary import NOT_SEMANTIC
from metricmind.spec.yamlio import Node, YamlProblem, load_documents

SKIP_DIRS = {"target", "dbt_packages", "logs", "node_modules", "__pycache__", "seeds", "snapshots"}
PROJECT_FILE = "metricmind.yml"


@dataclass
class ProjectFiles:
    """What the loader found: the project settings and the YAML files to read."""

    root: Path
    settings: dict[str, Any]
    yaml_files: list[Path]


@dataclass
class LoadResult:
    """The model (possibly partial) and every issue found."""

    model: Model
    issues: list[Issue] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not any(i.level.value == "error" for i in self.issues)


def discover(root: Path) -> ProjectFiles:
    """Find the project settings and the YAML files that may hold semantic definitions.

    The resolver's vocabulary files (``metricmind/vocabulary.yml``, the old
    ``metricmind/learned_synonyms.yml``) are not semantic files and are never read here.
    """
    settings: dict[str, Any] = {}
    settings_file = root / PROJECT_FILE
    if settings_file.exists():
        docs = load_documents(settings_file, PROJECT_FILE)
        if docs and isinstance(docs[0], dict):
            settings = dict(docs[0])
    files: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if (
                name.endswith((".yml", ".yaml"))
                and name not in (PROJECT_FILE, "dbt_project.yml", "profiles.yml")
                and path.relative_to(root).as_posix() not in NOT_SEMANTIC
            ):
                files.append(path)
    return ProjectFiles(root, settings, files)


def load(root: str | os.PathLike[str]) -> LoadResult:
    """Read every YAML file under ``root`` into a ``Model`` and the issues found (never stops early)."""
    base = Path(root)
    issues = IssueList()
    try:
        found = discover(base)
    except YamlProblem as exc:
        issues.error(exc.message, exc.file, exc.line, exc.hint, code="yaml")
        found = ProjectFiles(base, {}, [])
    schema = (
        (found.settings.get("warehouse") or {}).get("schema") if isinstance(found.settings, dict) else None
    )
    ctx = parse.Context(issues=issues, schema=schema)
    sms: list[SemanticModel] = []
    metrics: list[Metric] = []
    saved: list[SavedQuery] = []
    spines: list[TimeSpine] = []
    canon: list[CanonicalDataset] = []
    for path in found.yaml_files:
        rel = str(path.relative_to(base))
        try:
            docs = load_documents(path, rel)
        except YamlProblem as exc:
            issues.error(exc.message, exc.file, exc.line, exc.hint, code="yaml")
            continue
        ctx.file = rel
        for doc in docs:
            if not isinstance(doc, Node):
                continue
            _read_document(doc, ctx, sms, metrics, saved, spines, canon)
    spine = spines[0] if spines else _spine_from_settings(found.settings, schema)
    model = Model(
        semantic_models=_unique(sms, "semantic model", issues),
        metrics=_unique(metrics, "metric", issues),
        saved_queries=_unique(saved, "saved query", issues),
        time_spine=spine,
        canonical_datasets=_unique(canon, "canonical dataset", issues),
        name=str(found.settings.get("name") or base.resolve().name),
    )
    return LoadResult(model, issues.items, found.settings, found.yaml_files)


_TOP_LEVEL = {
    "semantic_models",
    "metrics",
    "saved_queries",
    "models",
    "canonical_datasets",
    "semantic_model",
    "metric",
    "saved_query",
    "project_configuration",
    "version",
    "sources",
    "seeds",
    "snapshots",
    "exposures",
    "macros",
    "analyses",
    "data_tests",
    "unit_tests",
    "groups",
}


def _read_document(
    doc: Node,
    ctx: parse.Context,
    sms: list[SemanticModel],
    metrics: list[Metric],
    saved: list[SavedQuery],
    spines: list[TimeSpine],
    canon: list[CanonicalDataset],
) -> None:
    for key in doc:
        if key not in _TOP_LEVEL:
            ctx.issues.warning(
                f"unknown top-level key '{key}' is ignored",
                ctx.file,
                doc.line_of(key),
                _did_you_mean(key, _TOP_LEVEL),
            )
    for item in _items(doc, "semantic_models", ctx) + _single(doc, "semantic_model"):
        sm = parse.semantic_model(item, ctx)
        if sm:
            sms.append(sm)
    for item in _items(doc, "metrics", ctx) + _single(doc, "metric"):
        metric = parse.metric(item, ctx)
        if metric:
            metrics.append(metric)
    for item in _items(doc, "saved_queries", ctx) + _single(doc, "saved_query"):
        sq = parse.saved_query(item, ctx)
        if sq:
            saved.append(sq)
    for item in _items(doc, "models", ctx):
        spine = parse.time_spine_model(item, ctx)
        if spine:
            spines.append(spine)
    project_config = doc.get("project_configuration")
    if isinstance(project_config, Node):
        for cfg in project_config.get("time_spine_table_configurations") or []:
            if isinstance(cfg, Node) and cfg.get("location"):
                spines.append(TimeSpine(str(cfg["location"]), str(cfg.get("column_name") or "ds")))
    for item in _items(doc, "canonical_datasets", ctx):
        ds = parse.canonical_dataset(item, ctx)
        if ds:
            canon.append(ds)


def _items(doc: Node, key: str, ctx: parse.Context) -> list[Node]:
    value = doc.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        ctx.issues.error(
            f"'{key}' must be a list", ctx.file, doc.line_of(key), f"write '{key}:' then '- name: ...' items"
        )
        return []
    out = []
    for i, item in enumerate(value):
        if isinstance(item, Node):
            out.append(item)
        else:
            ctx.issues.error(
                f"item {i + 1} of '{key}' is not a mapping",
                ctx.file,
                doc.line_of(key),
                "each item starts with '- name: ...'",
            )
    return out


def _single(doc: Node, key: str) -> list[Node]:
    value = doc.get(key)
    return [value] if isinstance(value, Node) else []


def _spine_from_settings(settings: dict[str, Any], schema: str | None) -> TimeSpine | None:
    cfg = settings.get("time_spine") if isinstance(settings, dict) else None
    if isinstance(cfg, dict) and cfg.get("model"):
        name = ref_name(str(cfg["model"])) or str(cfg["model"])
        return TimeSpine(qualify(name, schema), str(cfg.get("column") or "date_day"))
    return None


def _unique(items: Iterable[Any], kind: str, issues: IssueList) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        if item.name in out:
            first = out[item.name]
            issues.error(
                f"{kind} '{item.name}' is defined twice (first at {first.file}:{first.line})",
                item.file,
                item.line,
                f"rename one of them or delete the duplicate {kind}",
                code="duplicate",
            )
            continue
        out[item.name] = item
    return out


def _did_you_mean(word: str, known: Iterable[str]) -> str | None:
    near = closest(word, known, n=1)
    return f"did you mean '{near[0]}'?" if near else None
