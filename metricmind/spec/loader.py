"""Load a project folder of MetricFlow YAML into a ``Model``, collecting every issue on the way.

Both dbt's layout (``semantic_models:``, ``metrics:``, ``saved_queries:`` lists with ``model: ref('x')``)
and MetricFlow's own one-object-per-document layout (``semantic_model:``, ``metric:``) are accepted.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from metricmind import config
from metricmind.errors import EmptyProjectError, Issue, IssueList, closest
from metricmind.spec import parse, profiles
from metricmind.spec.model import (
    CanonicalDataset,
    Grain,
    MeasureInput,
    Metric,
    MetricType,
    Model,
    SavedQuery,
    SemanticModel,
    TimeSpine,
)
from metricmind.spec.parse import qualify, ref_name
from metricmind.spec.triage import (
    DIMENSION,
    ENTITY,
    MEASURE,
    METRIC,
    SAVED_QUERY,
    SEMANTIC_MODEL,
    Span,
    end_line,
)
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
    """The model (possibly partial) and every issue found.

    ``settings`` are ``metricmind.yml``'s over the dbt profile's (``profile``, when one was read).
    ``spans`` say where each object's YAML is and ``broken_files`` the names each unparsable file seems
    to define: what ``triage`` needs to tell root causes from follow-on errors.
    """

    model: Model
    issues: list[Issue] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    broken_files: dict[str, set[str]] = field(default_factory=dict)
    profile: profiles.Profile | None = None
    latest_spec: list[tuple[str, int]] = field(default_factory=list)

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


@dataclass
class _Found:
    """What the documents hold, collected while reading them."""

    sms: list[SemanticModel] = field(default_factory=list)
    metrics: list[Metric] = field(default_factory=list)
    saved: list[SavedQuery] = field(default_factory=list)
    spines: list[TimeSpine] = field(default_factory=list)
    spine_place: tuple[str | None, int] | None = None  # where the first project_configuration is
    canon: list[CanonicalDataset] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    latest_spec: list[tuple[str, int]] = field(default_factory=list)
    pending: list[parse.Pending] = field(default_factory=list)  # latest-spec metric names to settle


def load(
    root: str | os.PathLike[str], *, profiles_dir: str | None = None, target: str | None = None
) -> LoadResult:
    """Read every YAML file under ``root`` into a ``Model`` and the issues found (never stops early).

    Args:
        root: The project folder.
        profiles_dir: Where the dbt ``profiles.yml`` is (default: setting ``profiles_dir``, then dbt's order).
        target: The dbt target (default: setting ``target``, ``$DBT_TARGET``, then the profile's own).
    """
    base = Path(root)
    issues = IssueList()
    try:
        found = discover(base)
    except YamlProblem as exc:
        issues.error(exc.message, exc.file, exc.line, exc.hint, code="yaml")
        found = ProjectFiles(base, {}, [])
    profile = profiles.read(base, found.settings, issues, profiles_dir=profiles_dir, target=target)
    settings = (
        profiles.merge({"warehouse": profile.settings}, found.settings) if profile else dict(found.settings)
    )
    schema_value = config.resolve("warehouse.schema", settings)
    schema = str(schema_value) if schema_value else None
    ctx = parse.Context(issues=issues, schema=schema)
    got = _Found()
    broken: dict[str, set[str]] = {}
    for path in found.yaml_files:
        rel = str(path.relative_to(base))
        try:
            docs = load_documents(path, rel)
        except YamlProblem as exc:
            issues.error(exc.message, exc.file, exc.line, exc.hint, code="yaml")
            broken[rel] = _names_in(path)
            continue
        ctx.file = rel
        for doc in docs:
            if not isinstance(doc, Node):
                continue
            _read_document(doc, ctx, got)
    got.metrics = parse.resolve(got.metrics, got.pending, issues)
    fine = tuple(dict.fromkeys(s for s in got.spines if s.grain.sub_day))
    got.spines = [s for s in got.spines if not s.grain.sub_day] or got.spines
    spine = _pick_spine(got, issues) if got.spines else _spine_from_settings(settings, schema)
    model = Model(
        semantic_models=_unique(got.sms, "semantic model", issues),
        metrics=_unique(got.metrics, "metric", issues),
        saved_queries=_unique(got.saved, "saved query", issues),
        time_spine=spine,
        canonical_datasets=_unique(got.canon, "canonical dataset", issues),
        name=str(found.settings.get("name") or base.resolve().name),
        fine_spines=fine,
    )
    return LoadResult(
        model, issues.items, settings, found.yaml_files, got.spans, broken, profile, got.latest_spec
    )


def empty_project_error(root: Path, result: LoadResult) -> EmptyProjectError:
    """The error for a folder without semantic models: what was looked for, where, and what was found."""
    skipped = ", ".join(f"{d}/" for d in sorted(SKIP_DIRS))
    files = [str(p.relative_to(root)) for p in result.files]
    shown = ", ".join(files[:5]) + (f" and {len(files) - 5} more" if len(files) > 5 else "")
    found = f"found {len(files)} YAML file(s) ({shown}), none with" if files else "found no YAML file with"
    message = (
        f"no semantic models in {root}: metricmind looked for `semantic_models:` (or MetricFlow's "
        f"`semantic_model:`, or dbt 1.12's `semantic_model:` on a `models:` entry) in the .yml/.yaml files under it, skipping {skipped} and hidden folders; "
        f"{found} `semantic_models:`"
    )
    if result.latest_spec:
        file, line = result.latest_spec[0]
        message += (
            f". {len(result.latest_spec)} dbt model(s) declare `semantic_model:` inside `models:` "
            f"(dbt 1.12's latest spec, first at {file}:{line}), none of them enabled"
        )
    hint = (
        "Pass the dbt project folder with --project DIR (the one with dbt_project.yml and the semantic "
        "models' YAML), or run `metricmind demo` for an example project. See docs/yaml.md."
    )
    return EmptyProjectError(message + ".", hint=hint)


_NAME_LINE = re.compile(r"""^\s*(?:-\s*)?name\s*:\s*['"]?([A-Za-z_][\w]*)['"]?\s*(?:#.*)?$""")


def _names_in(path: Path) -> set[str]:
    """The ``name:`` values of a file that does not parse: what it probably defines."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return set()
    return {m.group(1) for line in text.splitlines() if (m := _NAME_LINE.match(line))}


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
    "tests",
    "functions",  # dbt 1.11+ user-defined functions
    "anchors",  # dbt 1.10+: a home for YAML anchors
}


def _read_document(doc: Node, ctx: parse.Context, got: _Found) -> None:
    for key in doc:
        if key not in _TOP_LEVEL:
            ctx.issues.warning(
                f"unknown top-level key '{key}' is ignored",
                ctx.file,
                doc.line_of(key),
                _did_you_mean(key, _TOP_LEVEL),
            )
    for item in _enabled(_items(doc, "semantic_models", ctx) + _single(doc, "semantic_model")):
        _span(got, ctx, item, SEMANTIC_MODEL)
        for key, kind in (("entities", ENTITY), ("dimensions", DIMENSION), ("measures", MEASURE)):
            children = item.get(key)
            for child in children if isinstance(children, list) else ():
                if isinstance(child, Node):
                    _span(got, ctx, child, kind, owner=str(item.get("name") or ""))
        sm = parse.semantic_model(item, ctx)
        if sm:
            got.sms.append(sm)
        got.metrics += _created_metrics(item, ctx)
    for item in _enabled(_items(doc, "metrics", ctx)):
        _span(got, ctx, item, METRIC)
        if "type_params" in item:
            metric = parse.metric(item, ctx)
        else:  # dbt's own test: a metric without type_params is in the latest spec
            read = parse.latest_metric(item, ctx)
            metric, got.pending = read.metric, got.pending + read.pending
        if metric:
            got.metrics.append(metric)
    for item in _enabled(_single(doc, "metric")):
        _span(got, ctx, item, METRIC)
        metric = parse.metric(item, ctx)
        if metric:
            got.metrics.append(metric)
    for item in _enabled(_items(doc, "saved_queries", ctx) + _single(doc, "saved_query")):
        _span(got, ctx, item, SAVED_QUERY)
        sq = parse.saved_query(item, ctx)
        if sq:
            got.saved.append(sq)
    for item in _items(doc, "models", ctx):
        if parse.is_latest(item):
            _read_latest(item, ctx, got)
        spine = parse.time_spine_model(item, ctx)
        if spine:
            got.spines.append(spine)
    project_config = doc.get("project_configuration")
    if isinstance(project_config, Node):
        got.spines += parse.project_spines(project_config, ctx)
        got.spine_place = got.spine_place or (ctx.file, doc.line_of("project_configuration"))
    for item in _items(doc, "canonical_datasets", ctx):
        ds = parse.canonical_dataset(item, ctx)
        if ds:
            got.canon.append(ds)


def _read_latest(item: Node, ctx: parse.Context, got: _Found) -> None:
    """A ``models:`` entry in dbt 1.12's latest spec: its semantic model and metrics, with their spans."""
    read = parse.latest_model(item, ctx)
    if "semantic_model" in item and ctx.file:
        got.latest_spec.append((ctx.file, item.line_of("semantic_model")))
    for node, kind, name, owner in read.places:
        got.spans.append(Span(ctx.file or "", node.line, end_line(node, node.line), kind, name, owner))
    if read.semantic_model is not None:
        got.sms.append(read.semantic_model)
    got.metrics += read.metrics
    got.pending += read.pending


def _pick_spine(got: _Found, issues: IssueList) -> TimeSpine | None:
    """The daily time spine (of several for one table and column, the one with custom granularities);
    a project whose spines are all coarser than a day has none, with a warning (metricmind needs one
    row per day; metrics that need a spine are then refused as needing one).
    """
    spines = got.spines
    daily = [s for s in spines if s.grain is Grain.DAY]
    if daily:
        return max(daily, key=lambda s: (s.relation == daily[0].relation, len(s.custom_granularities)))
    coarse = ", ".join(dict.fromkeys(f"{s.relation}.{s.column} ({s.grain.value})" for s in spines))
    file, line = got.spine_place or (None, None)
    finer = any(s.grain.sub_day for s in spines)
    issues.warning(
        f"no daily time spine: {coarse} {'are not daily' if finer else 'are coarser than a day'}; "
        "metricmind needs one row per day",
        file,
        line,
        "add a time spine with a day column (time_granularity: day)",
    )
    return None


def _span(got: _Found, ctx: parse.Context, node: Node, kind: str, owner: str | None = None) -> None:
    name = node.get("name")
    got.spans.append(
        Span(
            ctx.file or "",
            node.line,
            end_line(node, node.line),
            kind,
            str(name) if isinstance(name, str) else f"<unnamed {kind} at line {node.line}>",
            owner,
        )
    )


def _enabled(items: list[Node]) -> list[Node]:
    """Items without ``config: {enabled: false}`` (dbt skips disabled semantic models, metrics, queries)."""
    out = []
    for item in items:
        cfg = item.get("config")
        if isinstance(cfg, dict) and cfg.get("enabled") is False:
            continue
        out.append(item)
    return out


def _created_metrics(sm: Node, ctx: parse.Context) -> list[Metric]:
    """The simple metrics that ``create_metric: true`` on a measure asks for (as MetricFlow creates them).

    Named like the measure; the label is ``create_metric_display_name`` (else the measure's label),
    the description and ``config.meta`` are the measure's.
    """
    out: list[Metric] = []
    measures = sm.get("measures")
    for node in measures if isinstance(measures, list) else ():
        if not isinstance(node, Node) or node.get("create_metric") is not True:
            continue
        name = node.get("name")
        if not isinstance(name, str) or not name:
            continue  # the measure's own error says so
        label = node.get("create_metric_display_name") or node.get("label") or ""
        meta: dict[str, Any] = {}
        for holder in (node, node.get("config")):
            if isinstance(holder, dict) and isinstance(holder.get("meta"), dict):
                meta.update(holder["meta"])
        out.append(
            Metric(
                name=name,
                type=MetricType.SIMPLE,
                label=str(label).strip(),
                description=str(node.get("description") or "").strip(),
                measure=MeasureInput(name),
                meta=meta,
                file=ctx.file,
                line=node.line_of("create_metric"),
            )
        )
    return out


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
