"""MetricFlow compatibility: run ``dbt-semantic-interfaces`` (the validator dbt and MetricFlow share) on
the project, so a project that passes here also passes ``dbt parse`` and ``mf validate-configs``.

The project's dbt-style YAML is converted to MetricFlow's own document format (``semantic_model:``,
``metric:``, ``project_configuration:``) in memory; DSI's JSON-schema check, transformations and its
semantic rules run on that; every finding is mapped back to our file and line. Needs the ``validate``
extra; the import is deferred to the call because DSI takes ~0.6 s to import.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from metricmind.errors import Issue, Level
from metricmind.spec import compat_latest
from metricmind.spec.loader import discover
from metricmind.spec.model import Dimension, Entity, Measure, Model
from metricmind.spec.parse import ref_name
from metricmind.spec.yamlio import Node, YamlProblem, load_documents

_SM_KEYS = {
    "name",
    "description",
    "label",
    "defaults",
    "primary_entity",
    "entities",
    "dimensions",
    "measures",
    "config",
    "metadata",
}
_ELEMENT_KEYS = {"config"}


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _semantic_model(node: Node, schema: str) -> dict[str, Any]:
    doc = {k: _plain(v) for k, v in node.items() if k in _SM_KEYS}
    raw = str(node.get("model") or "")
    alias = ref_name(raw) or raw.rsplit(".", 1)[-1]
    doc["node_relation"] = {"alias": alias, "schema_name": schema}
    return doc


def _metric(node: Node) -> dict[str, Any]:
    """Dbt accepts ``numerator: revenue``; MetricFlow's format wants ``numerator: {name: revenue}``."""
    doc: dict[str, Any] = _plain(node)
    params = doc.get("type_params") or {}
    for key in ("numerator", "denominator"):
        if isinstance(params.get(key), str):
            params[key] = {"name": params[key]}
    if isinstance(params.get("metrics"), list):
        params["metrics"] = [{"name": m} if isinstance(m, str) else m for m in params["metrics"]]
    return doc


def convert(root: Path, schema: str = "main", model: Model | None = None) -> list[tuple[str, str]]:
    """The project as MetricFlow-format YAML texts: ``[(relative path, contents)]``.

    dbt 1.12's latest-spec semantic models and metrics are written from ``model`` (what metricmind read
    from them, see ``compat_latest``); without ``model`` they are left out.
    """
    files: list[tuple[str, str]] = []
    spines: list[dict[str, Any]] = []
    configs: list[dict[str, Any]] = []  # MetricFlow-format project configurations, merged into one
    for path in discover(root).yaml_files:
        rel = str(path.relative_to(root))
        try:
            docs = load_documents(path, rel)
        except YamlProblem:
            continue
        out: list[dict[str, Any]] = []
        for doc in docs:
            if not isinstance(doc, Node):
                continue
            out += [
                {"semantic_model": _semantic_model(n, schema)}
                for n in doc.get("semantic_models") or []
                if isinstance(n, Node)
            ]
            out += [
                {"metric": _metric(n)}
                for n in doc.get("metrics") or []
                if isinstance(n, Node) and "type_params" in n  # without: the latest spec, below
            ]
            if model is not None:
                out += compat_latest.documents(model, *compat_latest.latest_names(doc), schema)
            out += [
                {"saved_query": {k: _plain(v) for k, v in n.items() if k != "config"}}
                for n in doc.get("saved_queries") or []
                if isinstance(n, Node)
            ]
            out += _native(doc, schema, configs)
            for entry in doc.get("models") or []:
                spine = entry.get("time_spine") if isinstance(entry, Node) else None
                if isinstance(spine, Node):
                    column = str(spine.get("standard_granularity_column"))
                    spines.append(
                        {
                            "node_relation": {"alias": str(entry["name"]), "schema_name": schema},
                            "primary_column": {"name": column, "time_granularity": "day"},
                        }
                    )
        if out:
            files.append((rel, yaml.safe_dump_all(out, sort_keys=False)))
    # DSI wants exactly one project configuration: the dbt time spines and MetricFlow-format ones in one,
    # and an empty one when there is none (DSI then reports the missing time spine, rather than crash)
    config: dict[str, Any] = {"time_spines": spines, "time_spine_table_configurations": []}
    for found in configs:
        config["time_spines"] += list(found.get("time_spines") or [])
        config["time_spine_table_configurations"] += list(found.get("time_spine_table_configurations") or [])
    files.append(("__project_configuration__.yml", yaml.safe_dump({"project_configuration": config})))
    return files


def _native(doc: Node, schema: str, configs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The documents of MetricFlow's own format (``semantic_model:``, ``metric:``, ``saved_query:``) as
    they are, a semantic model's ``model: ref(...)`` made a ``node_relation``; project configurations go
    to ``configs``.
    """
    out: list[dict[str, Any]] = []
    sm = doc.get("semantic_model")
    if isinstance(sm, Node):
        out.append({"semantic_model": _semantic_model(sm, schema) if sm.get("model") else _plain(sm)})
    if isinstance(doc.get("metric"), Node):
        out.append({"metric": _metric(doc["metric"])})
    if isinstance(doc.get("saved_query"), Node):
        out.append({"saved_query": _plain(doc["saved_query"])})
    if isinstance(doc.get("project_configuration"), Node):
        configs.append(_plain(doc["project_configuration"]))
    return out


def check(root: Path, model: Model, schema: str = "main") -> list[Issue]:
    """MetricFlow's own findings about the project, located in our files."""
    from dbt_semantic_interfaces.parsing.dir_to_model import (
        parse_yaml_files_to_validation_ready_semantic_manifest,
    )
    from dbt_semantic_interfaces.parsing.objects import YamlConfigFile
    from dbt_semantic_interfaces.validations.semantic_manifest_validator import (
        SemanticManifestValidator,
    )

    files = [YamlConfigFile(filepath=rel, contents=text) for rel, text in convert(root, schema, model)]
    build = parse_yaml_files_to_validation_ready_semantic_manifest(files, raise_issues_as_exceptions=False)
    found = list(build.issues.all_issues)
    if not build.issues.has_blocking_issues:
        found += list(
            SemanticManifestValidator().validate_semantic_manifest(build.semantic_manifest).all_issues
        )
    # MetricFlow's own measure → metric conversion makes it warn about valid projects (METRICFLOW_NOTES §5.7).
    found = [i for i in found if "should not have both a" not in i.message]
    return [_issue(i, model) for i in found]


def _issue(found: Any, model: Model) -> Issue:
    level_name = str(getattr(found.level, "name", found.level))
    level = Level.ERROR if level_name == "ERROR" else Level.WARNING
    file, line = None, None
    context = getattr(found, "context", None)
    for attr, table in (
        ("metric", model.metrics),
        ("semantic_model", model.semantic_models),
        ("saved_query", model.saved_queries),
    ):
        ref = getattr(context, attr, None) if context is not None else None
        name = getattr(ref, f"{attr}_name", None) if ref is not None else None
        if name and name in table:
            file, line = table[name].file, table[name].line
            break
        if attr == "metric" and name and name in model.measures:
            # DSI turns each measure into a metric of its name before its rules run
            measure = model.measures[name]
            file, line = model.semantic_models[measure.semantic_model].file, measure.line
            break
    element = getattr(context, "semantic_model_element", None) if context is not None else None
    if element is not None and element.semantic_model_name in model.semantic_models:
        sm = model.semantic_models[element.semantic_model_name]
        name = getattr(element, "element_name", None)
        parts: list[Measure | Dimension | Entity] = [*sm.measures, *sm.dimensions, *sm.entities]
        found_at = [x for x in parts if x.name == name]
        file, line = sm.file, getattr(found_at[0], "line", None) if found_at else None
        line = line or sm.line
    if file is None:
        file, line = _named_in(str(found.message), model)
    return Issue(
        level,
        f"MetricFlow: {found.message}",
        file,
        line,
        "dbt parse / mf validate-configs would report this too",
        "metricflow",
    )


_NAMED = re.compile(r"\b(measure|metric)\b[\s:]+[`'\"]?([a-z][a-z0-9_]*)", re.IGNORECASE)


def _named_in(message: str, model: Model) -> tuple[str | None, int | None]:
    """Where the measure or metric a finding without context names is (DSI's transformations report
    without one): ``Measure 'x' uses ...``.
    """
    for kind, name in _NAMED.findall(message):
        if kind.lower() == "measure" and name in model.measures:
            measure = model.measures[name]
            return model.semantic_models[measure.semantic_model].file, measure.line
        if name in model.metrics:
            return model.metrics[name].file, model.metrics[name].line
        if name in model.measures:  # DSI names the metric it made of a measure after the measure
            measure = model.measures[name]
            return model.semantic_models[measure.semantic_model].file, measure.line
    return None, None
