"""Render a metric package's dbt files: model, properties and semantic YAML, docs, generic and singular tests.

Input is a :class:`MetricSpec` with everything decided (the SQL already holds ``{{ ref('…') }}`` calls);
output is a :class:`~metricmind.export.package.Package`. Pure: no I/O, no project loading.

Where the files go (``models`` and ``tests`` are the dbt project's first model and test paths)::

    models/metrics/<name>.yml                 the metric (where the catalog publishes it on approval)
    models/generated/<name>/<model>.sql       the dbt model, when the metric needs one
    models/generated/<name>/<name>.yml        its dbt properties (+ generic tests) and semantic model
    models/generated/<name>/<name>.md         the {% docs %} block
    tests/generated/<name>/*.sql              singular tests (grain, non-negative, reconcile, range …)
    docs/metrics/<name>.md                    a markdown page for people
    models/generated/<name>/metricmind.json   knowledge-graph nodes and edges, and the pattern entry

Materialization is set in the properties YAML (``config.materialized``), not in a Jinja ``config()``
block, so the same SQL file also builds with metricmind's own runner (``metricmind.demo.runner``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import yaml

from metricmind.export.package import Check, Package

_REF = re.compile(r"""\{\{\s*ref\(\s*['"]([^'"]+)['"]\s*\)\s*\}\}""")


@dataclass(frozen=True)
class NewModel:
    """A dbt model the metric needs: its name, SQL (with ``ref()``), semantic model and materialization."""

    name: str
    sql: str
    semantic_model: dict[str, Any]
    materialization: str = "table"
    reason: str = ""


@dataclass(frozen=True)
class SourceTest:
    """A data test on a dbt model the metric reads (or the new model it adds).

    ``kind`` is ``not_null``, ``unique`` (the grain: ``columns`` together), ``accepted_values``
    (``values``) or ``non_negative``. On the package's new model, ``not_null``, a one-column ``unique``
    and ``accepted_values`` become dbt generic tests in its properties; the others are singular SQL tests.
    """

    kind: str
    ref: str
    columns: tuple[str, ...]
    values: tuple[str, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class MetricSpec:
    """Everything decided about a metric package, ready to render.

    ``by_month_sql`` is the metric by ``metric_time__month`` (column ``metric_time__month`` and a column
    named after the metric) with tables as ``{{ ref('…') }}``; ``by_dimension_sql`` the same by month and
    ``reconcile_dimension``. ``source_tests`` are the tests of the models it reads; ``value_range`` is
    ``(low, high, months)`` learned from history.
    """

    name: str
    label: str
    definition: str
    metric_yaml: str
    metric: dict[str, Any]
    rules: tuple[str, ...] = ()
    model_path: str = "models"
    test_path: str = "tests"
    owner: str = ""
    unit: str = ""
    based_on: str | None = None
    measure: str = ""
    sources: tuple[str, ...] = ()  # the dbt models (refs) the metric reads
    canonical: tuple[str, ...] = ()  # those that are canonical datasets
    columns: tuple[tuple[str, str], ...] = ()  # (ref, column) the measure and filters read
    dimensions: tuple[str, ...] = ()
    by_month_sql: str = ""
    by_dimension_sql: str | None = None
    reconcile_dimension: str | None = None
    source_tests: tuple[SourceTest, ...] = ()
    non_negative: bool = False
    value_range: tuple[float, float, int] | None = None
    valued: bool = True  # every month of history has a value today (else no not_null test)
    new_model: NewModel | None = None
    helper_metrics: tuple[dict[str, Any], ...] = ()  # metrics the metric reads that are new too
    edited_files: tuple[tuple[str, str], ...] = ()  # (path, new text) of existing files (new measures)
    reasons: tuple[str, ...] = ()


def refs_of(sql: str) -> list[str]:
    """The models a SQL text reads through ``{{ ref('…') }}``, in order of first use."""
    return list(dict.fromkeys(_REF.findall(sql)))


def tag(name: str) -> str:
    """The dbt tag every node of the package carries."""
    return f"metricmind_{name}"


def render(spec: MetricSpec) -> Package:
    """The package's files, dbt selection and checks."""
    n = spec.name
    gen = f"{spec.model_path}/generated/{n}"
    tests = f"{spec.test_path}/generated/{n}"
    pkg = Package(name=n, metric=spec.metric, reasons=list(spec.reasons))
    pkg.files[f"{spec.model_path}/metrics/{n}.yml"] = spec.metric_yaml
    for path, text in spec.edited_files:
        pkg.files[path] = text
    pkg.files[f"{gen}/{n}.md"] = _docs_block(spec)
    pkg.files[f"docs/metrics/{n}.md"] = _page(spec)
    if spec.new_model is not None:
        nm = spec.new_model
        pkg.new_model = nm.name
        pkg.files[f"{gen}/{nm.name}.sql"] = _model_sql(spec, nm)
        pkg.reasons.append(f"materialized as {nm.materialization}: {nm.reason or _why(nm.materialization)}")
    pkg.files[f"{gen}/{n}.yml"] = _properties(spec, pkg, gen)
    for test_name, what, sql in _singular(spec):
        path = f"{tests}/{test_name}.sql"
        pkg.files[path] = sql
        pkg.checks.append(Check(test_name, "singular", what, path))
    pkg.selection = [f"path:{gen}", f"path:{tests}"]
    pkg.graph = _graph(spec)
    pkg.pattern = _pattern(spec, pkg)
    pkg.files[f"{gen}/metricmind.json"] = (
        json.dumps({"graph": pkg.graph, "pattern": pkg.pattern}, indent=2, sort_keys=True) + "\n"
    )
    return pkg


def _why(materialization: str) -> str:
    return {
        "table": "read by every query of the metric; rebuilt once per dbt run, so queries stay fast",
        "view": "cheap to keep and always current; the query behind it is light",
        "incremental": "large and append-only: only new rows are processed per run",
    }.get(materialization, "as requested")


def _comment_lines(text: str) -> str:
    return "\n".join(f"-- {line}".rstrip() for line in text.splitlines())


def _model_sql(spec: MetricSpec, nm: NewModel) -> str:
    refs = refs_of(nm.sql)
    head = [
        f"{nm.name}: the model behind metric {spec.name} (generated by metricmind define; review before merging).",
        f"Definition: {spec.definition}",
        *(f"Rule: {r}" for r in spec.rules),
        f"Reads: {', '.join(refs) or 'nothing'} (canonical datasets only, through ref()).",
        f"Materialization: {nm.materialization} (set in {nm.name}'s properties YAML) — "
        f"{nm.reason or _why(nm.materialization)}.",
    ]
    for t in spec.source_tests:
        if t.ref == nm.name and t.kind == "unique":
            head.append(f"Grain: one row per {', '.join(t.columns)} (tested unique).")
    return _comment_lines("\n".join(head)) + "\n\n" + nm.sql.strip() + "\n"


def is_generic(test: SourceTest, new_model: str | None) -> bool:
    """Whether ``test`` is written as a dbt generic test (on the package's own new model)."""
    if test.ref != new_model:
        return False
    return test.kind in {"not_null", "accepted_values"} or (test.kind == "unique" and len(test.columns) == 1)


def _properties(spec: MetricSpec, pkg: Package, gen: str) -> str:
    doc: dict[str, Any] = {"version": 2}
    nm = spec.new_model
    if nm is not None:
        by_column: dict[str, list[Any]] = {}
        for t in spec.source_tests:
            if not is_generic(t, nm.name):
                continue
            col = t.columns[0] if t.kind == "unique" else None
            for c in [col] if col else list(t.columns):
                tests = by_column.setdefault(c, [])
                if t.kind == "accepted_values":
                    tests.append({"accepted_values": {"arguments": {"values": list(t.values)}}})
                    what = f"{c} is one of {', '.join(t.values)}"
                else:
                    tests.append(t.kind)
                    what = f"one row per {c}" if t.kind == "unique" else f"{c} is never null"
                pkg.checks.append(Check(f"{t.kind}_{nm.name}_{c}", "generic", what, f"{gen}/{spec.name}.yml"))
        doc["models"] = [
            {
                "name": nm.name,
                "description": f"{{{{ doc('{spec.name}') }}}}",
                "config": {"materialized": nm.materialization, "tags": [tag(spec.name)]},
                "columns": [{"name": c, "data_tests": tests} for c, tests in by_column.items()],
            }
        ]
        doc["semantic_models"] = [nm.semantic_model]
    if spec.helper_metrics:
        doc["metrics"] = list(spec.helper_metrics)
    text = "# Generated by metricmind define for metric " + spec.name + "; the metric is in "
    text += f"{spec.model_path}/metrics/{spec.name}.yml.\n"
    if nm is None:
        text += "# No new dbt model: the metric reads existing models; its tests are singular SQL tests.\n"
    return text + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)


def source_test_sql(test: SourceTest, relation: str) -> str:
    """The SQL returning the rows that break ``test`` on ``relation`` (a ``{{ ref() }}`` or a table)."""
    cols = ", ".join(test.columns)
    if test.kind == "not_null":
        return f"select * from {relation} as t where " + " or ".join(f"{c} is null" for c in test.columns)
    if test.kind == "unique":
        return f"select {cols}, count(*) as n from {relation} as t group by {cols} having count(*) > 1"
    if test.kind == "non_negative":
        return f"select * from {relation} as t where " + " or ".join(f"{c} < 0" for c in test.columns)
    if test.kind == "accepted_values":
        listed = ", ".join("'" + v.replace("'", "''") + "'" for v in test.values)
        col = test.columns[0]
        return (
            f"select {col}, count(*) as n from {relation} as t\n"
            f"where {col} is not null and cast({col} as varchar) not in ({listed}) group by {col}"
        )
    raise ValueError(f"unknown source test kind {test.kind!r}")


def source_test_name(spec_name: str, test: SourceTest) -> str:
    """The singular test's name (its file stem)."""
    return f"{spec_name}_{_slug(test.ref)}_{_slug('_'.join(test.columns))}_{test.kind}"


def _docs_block(spec: MetricSpec) -> str:
    lines = [f"{{% docs {spec.name} %}}", f"**{spec.label}**: {spec.definition}", ""]
    if spec.rules:
        lines += ["Business rules:", ""] + [f"- {r}" for r in spec.rules] + [""]
    if spec.based_on:
        lines.append(f"Built on `{spec.based_on}` (measure `{spec.measure}`).")
    lines += ["{% enddocs %}", ""]
    return "\n".join(lines)


def _page(spec: MetricSpec) -> str:
    out = [f"# {spec.label} (`{spec.name}`)", "", spec.definition, ""]
    if spec.rules:
        out += ["## Business rules", ""] + [f"- {r}" for r in spec.rules] + [""]
    out += ["## How it is computed", ""]
    if spec.based_on:
        out.append(f"- On the measure `{spec.measure}`, like `{spec.based_on}`.")
    if spec.sources:
        out.append(f"- Reads: {', '.join(f'`{s}`' for s in spec.sources)}.")
    if spec.new_model is not None:
        out.append(f"- New dbt model `{spec.new_model.name}` ({spec.new_model.materialization}).")
    for r in spec.reasons:
        out.append(f"- {r}")
    if spec.owner:
        out += ["", f"Owner: {spec.owner}."]
    out += ["", "## SQL by month", "", "```sql", spec.by_month_sql.strip(), "```", ""]
    return "\n".join(out)


def _singular(spec: MetricSpec) -> list[tuple[str, str, str]]:
    """``(test name, what it asserts, SQL returning the offending rows)`` for each singular test."""
    n = spec.name
    metric = f"with metric as (\n{_indent(spec.by_month_sql)}\n)\n"
    out: list[tuple[str, str, str]] = []
    head = f"-- {spec.name}: {{what}} (generated by metricmind define; returns the offending rows)\n"

    def add(suffix: str, what: str, sql: str) -> None:
        out.append((f"{n}_{suffix}", what, head.format(what=what) + sql.strip() + "\n"))

    add(
        "month_grain_unique",
        "one value per month",
        metric + "select metric_time__month, count(*) as n from metric group by 1 having count(*) > 1",
    )
    if spec.valued:
        add(
            "not_null",
            "every month has a month and a value",
            metric + f"select * from metric where metric_time__month is null or {n} is null",
        )
    if spec.non_negative:
        add("non_negative", f"{n} is never negative", metric + f"select * from metric where {n} < 0")
    if spec.value_range is not None:
        lo, hi, months = spec.value_range
        add(
            "in_range",
            f"{n} between {lo:g} and {hi:g} (learned from {months} months of history)",
            metric + f"select * from metric where {n} < {lo!r} or {n} > {hi!r}",
        )
    if spec.by_dimension_sql and spec.reconcile_dimension:
        d = spec.reconcile_dimension
        add(
            f"reconciles_by_{_slug(d)}",
            f"the months' totals equal the sum over {d}",
            metric
            + f", parts as (\n{_indent(spec.by_dimension_sql)}\n),\n"
            + f"summed as (select metric_time__month, sum({n}) as total from parts group by 1)\n"
            + "select m.metric_time__month, m.{n} as total, s.total as summed\n".replace("{n}", n)
            + "from metric m full join summed s on m.metric_time__month = s.metric_time__month\n"
            + f"where abs(coalesce(m.{n}, 0) - coalesce(s.total, 0)) > 1e-6 * greatest(1, abs(coalesce(m.{n}, 0)))",
        )
    new_model = spec.new_model.name if spec.new_model else None
    for t in spec.source_tests:
        if is_generic(t, new_model):
            continue
        what = {
            "not_null": f"{t.ref}.{', '.join(t.columns)} is never null",
            "unique": f"{t.ref} has one row per {', '.join(t.columns)} (its grain)",
            "non_negative": f"{t.ref}.{', '.join(t.columns)} is never negative",
            "accepted_values": f"{t.ref}.{', '.join(t.columns)} is one of {', '.join(t.values)}",
        }[t.kind]
        name = source_test_name(n, t)
        out.append(
            (name, what, head.format(what=what) + source_test_sql(t, f"{{{{ ref('{t.ref}') }}}}") + "\n")
        )
    return out


def _indent(sql: str) -> str:
    return "\n".join("  " + line if line else line for line in sql.strip().splitlines())


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _graph(spec: MetricSpec) -> dict[str, list[dict[str, Any]]]:
    """Nodes and edges in the knowledge graph's vocabulary (``metricmind.knowledge.schema``)."""
    nodes: list[dict[str, Any]] = [{"kind": "metric", "key": spec.name, "label": spec.label}]
    edges: list[dict[str, Any]] = []
    if spec.based_on:
        edges.append(
            {"kind": "COMPUTED_FROM", "src": f"metric:{spec.name}", "dst": f"metric:{spec.based_on}"}
        )
    models = list(spec.sources)
    if spec.new_model is not None and spec.new_model.name not in models:
        models.append(spec.new_model.name)
    for model in models:
        kind = "canonical_dataset" if model in spec.canonical else "table"
        nodes.append({"kind": kind, "key": model})
        edges.append({"kind": "COMPUTED_FROM", "src": f"metric:{spec.name}", "dst": f"{kind}:{model}"})
    for ref, col in spec.columns:
        nodes.append({"kind": "column", "key": f"{ref}.{col}"})
        edges.append({"kind": "COMPUTED_FROM", "src": f"metric:{spec.name}", "dst": f"column:{ref}.{col}"})
    for dim in spec.dimensions:
        nodes.append({"kind": "dimension", "key": dim})
        edges.append({"kind": "HAS_DIMENSION", "src": f"metric:{spec.name}", "dst": f"dimension:{dim}"})
    return {"nodes": nodes, "edges": edges}


def _pattern(spec: MetricSpec, pkg: Package) -> dict[str, Any]:
    """A reusable record: how a definition like this one was turned into a metric and its tests."""
    mtype = str(spec.metric.get("type") or "simple")
    return {
        "kind": "metric_package",
        "name": spec.name,
        "definition": spec.definition,
        "rules": list(spec.rules),
        "metric_type": mtype,
        "based_on": spec.based_on,
        "measure": spec.measure,
        "filter": spec.metric.get("filter"),
        "new_model": spec.new_model.name if spec.new_model else None,
        "materialization": spec.new_model.materialization if spec.new_model else None,
        "sources": list(spec.sources),
        "checks": [c.name for c in pkg.checks],
        "unit": spec.unit,
    }
