"""``generate(proposal, project) -> Package``: a proposal's metric as a tested dbt package (files only).

The metric's SQL comes from metricmind's own compiler, with every table written back as the
``{{ ref('…') }}`` of its dbt model, so the singular tests dbt runs compute the metric exactly as
metricmind queries it. With a warehouse (a ``Project``), checks are learned from the data: the range of
the metric's monthly values, and a not-null test only for a column that holds no null today.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import yaml

from metricmind.catalog.definitions import parse_definition, to_yaml
from metricmind.compiler import Compiler
from metricmind.define.datasets import canonical
from metricmind.define.extend import compile_refs, proposal_model, proposal_sql
from metricmind.define.proposal import Proposal
from metricmind.errors import MetricmindError
from metricmind.export import MetricSpec, NewModel, Package, SourceTest, refs_of, render, source_test_sql
from metricmind.knowledge import yamledit
from metricmind.spec.model import Metric, Model, SemanticModel
from metricmind.spec.names import METRIC_TIME, SEP
from metricmind.spec.query import MetricQuery

#: Aggregations whose monthly totals equal the sum of their parts over any dimension.
ADDITIVE = frozenset({"sum", "count", "sum_boolean"})
_COLUMN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MONTH = f"{METRIC_TIME}{SEP}month"

RunSql = Callable[[str], Sequence[Sequence[Any]]]


class GenerateError(MetricmindError):
    """The proposal cannot become a package (it was refused, or proposes no metric)."""

    code = "cannot_generate"


class ProjectLike(Protocol):
    """What ``generate`` reads from a ``metricmind.Project`` (the layer above passes one in)."""

    @property
    def model(self) -> Model:
        """The loaded model."""

    @property
    def root(self) -> Path:
        """The project folder."""

    @property
    def dialect(self) -> str:
        """The SQL dialect."""


def generate(
    proposal: Proposal,
    project: ProjectLike | Model,
    *,
    dialect: str | None = None,
    max_hops: int = 4,
    run_sql: RunSql | None = None,
) -> Package:
    """The package of files that makes ``proposal``'s metric real: metric YAML, docs, tests (and a model).

    Args:
        proposal: An analysed definition (``metricmind.define.analyze``).
        project: A loaded ``Project`` (its model, folder and dialect; with ``run_sql`` the checks are
            learned from its warehouse) or a bare ``Model``.
        dialect: SQL dialect of the tests (default: the project's, else duckdb).
        max_hops: Longest join path the compiler searches.
        run_sql: Runs a SQL text on the warehouse and returns its rows; without it, no range is learned.

    Returns:
        The package; ``problems`` lists why it must not be written (e.g. rules that were not read).

    Raises:
        GenerateError: The proposal was refused or proposes no metric.
    """
    if proposal.refused or proposal.metric is None:
        raise GenerateError(
            f"nothing to generate for {proposal.definition.name!r}: "
            + (f"{proposal.refused}: {proposal.message}" if proposal.refused else "no metric was proposed"),
            hint="Rephrase the definition or rules until the proposal has a metric.",
        )
    model = project if isinstance(project, Model) else project.model
    root = None if isinstance(project, Model) else Path(project.root)
    dialect = dialect or (None if isinstance(project, Model) else project.dialect) or "duckdb"
    model_path, test_path = _dbt_paths(root)
    metric_dict = proposal.metric
    metric = parse_definition(metric_dict)
    new_model = _new_model(proposal)
    problems: list[str] = []
    full = proposal_model(model, proposal)
    compiler = Compiler(full, max_hops=max_hops)
    refs = _relations(full)
    reasons: list[str] = []

    def sql_for(group_by: list[str]) -> str:
        query = MetricQuery.build(metric.name, group_by, order_by=[MONTH])
        return _with_refs(compiler.compile(query, dialect, pretty=True).sql, refs)

    by_month = sql_for([MONTH])
    measures = [full.measures[m] for m in full.measures_of(metric.name) if m in full.measures]
    sms = [full.semantic_models[m.semantic_model] for m in measures]
    golden = {c.ref for c in canonical(full).values()}
    sources = tuple(refs_of(by_month))
    own = {new_model.name} if new_model else set()
    off_canon = [s for s in sources if s not in golden | own | _time_spine_refs(full)]
    if off_canon:
        reasons.append(
            f"reads {', '.join(off_canon)}, not a canonical dataset: certify it or build on one before approval"
        )
    if new_model is not None:
        bad = [r for r in refs_of(new_model.sql) if r not in golden]
        if bad:
            problems.append(f"the new model {new_model.name} reads {', '.join(bad)}, not canonical datasets")
    reconcile_dim, by_dim = _reconcile(proposal, metric, measures, sql_for, reasons)
    live_sql = _live_sql(model, proposal, dialect, run_sql is not None)
    values, empty = _history(run_sql, live_sql, metric.name, reasons)
    if empty:  # a ratio over months without a numerator row ("EMEA's share" before EMEA had MRR)
        reasons.append(f"no not_null test: {empty} month(s) of history have no value today")
    non_negative = _non_negative(metric, measures, values, reasons)
    value_range = _range(values, non_negative, _sigmas(proposal))
    relations = {ref: rel for rel, ref in refs.items()}
    tests = _source_tests(proposal, measures, sms)
    tests = _hold_today(run_sql, tests, relations, proposal, full, reasons)
    edited = _edited_files(root, proposal, full, problems)
    unread = [r.text for r in proposal.unread]
    spec = MetricSpec(
        name=metric.name,
        label=str(metric_dict.get("label") or metric.name),
        definition=proposal.definition.text,
        metric_yaml=to_yaml(metric_dict),
        metric=metric_dict,
        rules=proposal.definition.rules,
        model_path=model_path,
        test_path=test_path,
        owner=str(metric.meta.get("owner") or ""),
        unit=str(metric.meta.get("unit") or ""),
        based_on=str(metric.meta.get("based_on") or "") or None,
        measure=", ".join(m.name for m in measures),
        sources=sources,
        canonical=tuple(s for s in sources if s in golden),
        columns=tuple((sm.ref, m.expr) for m, sm in zip(measures, sms, strict=True) if _COLUMN.match(m.expr)),
        dimensions=tuple(d.name for d in proposal.dimensions),
        by_month_sql=by_month,
        by_dimension_sql=by_dim,
        reconcile_dimension=reconcile_dim,
        source_tests=tuple(tests),
        non_negative=non_negative,
        value_range=value_range,
        valued=not empty,
        new_model=new_model,
        helper_metrics=tuple(proposal.new_metrics),
        edited_files=tuple(edited.items()),
        reasons=tuple(reasons),
    )
    package = render(spec)
    package.problems.extend(problems)
    if unread:
        package.problems.append(
            f"{len(unread)} rule(s) could not be read: " + "; ".join(repr(t) for t in unread)
        )
    return package


def _dbt_paths(root: Path | None) -> tuple[str, str]:
    """The dbt project's first model path and test path (dbt's defaults: ``models``, ``tests``)."""
    models, tests = "models", "tests"
    if root is not None and (root / "dbt_project.yml").exists():
        try:
            data = yaml.safe_load((root / "dbt_project.yml").read_text(encoding="utf-8")) or {}
        except yaml.YAMLError:
            data = {}
        if isinstance(data, dict):
            models = str((data.get("model-paths") or [models])[0])
            tests = str((data.get("test-paths") or [tests])[0])
    return models, tests


def _new_model(proposal: Proposal) -> NewModel | None:
    """The proposal's new dbt model as export's ``NewModel`` (None when the metric reads existing models)."""
    nm = proposal.new_model
    if nm is None:
        return None
    return NewModel(nm.name, nm.sql, dict(nm.semantic_model), nm.materialization or "table", nm.reason)


def _sigmas(proposal: Proposal) -> float:
    found = next((c for c in proposal.checks if c.kind == "range"), None)
    return float(found.params.get("sigmas") or 4) if found is not None else 4.0


def _live_sql(model: Model, proposal: Proposal, dialect: str, wanted: bool) -> str:
    """The metric by month as it runs on the warehouse today (a new model inlined): for its history."""
    return proposal_sql(model, proposal, dialect=dialect) if wanted else ""


def _source_tests(proposal: Proposal, measures: list[Any], sms: list[SemanticModel]) -> list[SourceTest]:
    """The analysis's checks on models (not_null, unique, accepted_values, non_negative); else the grain
    and measure columns of the models the metric reads.
    """
    out: list[SourceTest] = []
    for c in proposal.checks:
        if c.kind in {"not_null", "unique", "non_negative"} and c.columns:
            out.append(SourceTest(c.kind, c.target, tuple(c.columns), reason=c.reason))
        elif c.kind == "accepted_values" and c.columns and c.params.get("values"):
            values = tuple(str(v) for v in c.params["values"])
            out.append(SourceTest(c.kind, c.target, tuple(c.columns[:1]), values, c.reason))
    if out:
        return list(dict.fromkeys(out))
    for m, sm in zip(measures, sms, strict=True):
        key = _grain(sm)
        if key is not None:
            out.append(
                SourceTest("unique", key[0], key[1], reason="the grain of the model the measure reads")
            )
        if _COLUMN.match(m.expr) and sm.ref:
            out.append(
                SourceTest("not_null", sm.ref, (m.expr,), reason=f"{m.expr} is what {m.name} aggregates")
            )
    return list(dict.fromkeys(out))


def _hold_today(
    run_sql: RunSql | None,
    tests: list[SourceTest],
    relations: dict[str, str],
    proposal: Proposal,
    model: Model,
    reasons: list[str],
) -> list[SourceTest]:
    """The tests that pass on today's data (a test that fails on day one is left out, with the reason)."""
    if run_sql is None:
        return tests
    nm = proposal.new_model
    kept = []
    for t in tests:
        if nm is not None and t.ref == nm.name:
            relation = f"({nm.compiled_sql or compile_refs(model, nm.sql)})"
        elif t.ref in relations:
            relation = relations[t.ref]
        else:
            reasons.append(f"no {t.kind} test on {t.ref}: it is no model of the project")
            continue
        try:
            rows = run_sql(f"select count(*) from ({source_test_sql(t, relation)}) as failing")
        except MetricmindError as exc:
            reasons.append(
                f"no {t.kind} test on {t.ref}.{','.join(t.columns)}: it does not run ({exc.message})"
            )
            continue
        failing = int(rows[0][0]) if rows else 0
        if failing:
            reasons.append(
                f"no {t.kind} test on {t.ref}.{','.join(t.columns)}: {failing} row(s) break it today"
            )
        else:
            kept.append(t)
    return kept


def _edited_files(root: Path | None, proposal: Proposal, model: Model, problems: list[str]) -> dict[str, str]:
    """The semantic-model files with the proposal's new measures appended (path relative to ``root``)."""
    out: dict[str, str] = {}
    for nd in proposal.new_dimensions:  # a time dimension a new measure is dated by
        sm = model.semantic_models.get(nd.semantic_model)
        if sm is None or not sm.file or root is None:
            problems.append(
                f"cannot add dimension {nd.dimension.get('name')!r} to {nd.semantic_model}: no file"
            )
            continue
        rel = _relative(root, sm.file)
        text = out.get(rel) or (root / rel).read_text(encoding="utf-8")
        out[rel] = yamledit.insert_list_item(text, sm.name, sm.line, "dimensions", dict(nd.dimension))
    for nm in proposal.new_measures:
        sm = model.semantic_models.get(nm.semantic_model)
        if sm is None or not sm.file or root is None:
            problems.append(f"cannot add measure {nm.measure.get('name')!r} to {nm.semantic_model}: no file")
            continue
        rel = _relative(root, sm.file)
        text = out.get(rel) or (root / rel).read_text(encoding="utf-8")
        out[rel] = yamledit.insert_list_item(text, sm.name, sm.line, "measures", dict(nm.measure))
    return out


def _relative(root: Path, file: str) -> str:
    path = Path(file)
    return str(path.resolve().relative_to(root.resolve())) if path.is_absolute() else file


def _relations(model: Model) -> dict[str, str]:
    """Each table the compiler may write (``schema.table``) → the dbt model it is (``ref`` name)."""
    out = {sm.relation: sm.ref for sm in model.semantic_models.values() if sm.ref}
    for ds in canonical(model).values():
        if ds.ref:
            out.setdefault(ds.relation, ds.ref)
    if model.time_spine is not None:
        out.setdefault(model.time_spine.relation, model.time_spine.relation.split(".")[-1])
    return out


def _time_spine_refs(model: Model) -> set[str]:
    return {model.time_spine.relation.split(".")[-1]} if model.time_spine is not None else set()


def _with_refs(sql: str, relations: dict[str, str]) -> str:
    """``sql`` with every known relation (quoted or not) replaced by ``{{ ref('model') }}``."""
    for relation in sorted(relations, key=len, reverse=True):
        parts = relation.split(".")
        pattern = r"\.".join(rf'"?{re.escape(p)}"?' for p in parts)
        sql = re.sub(rf"(?<![\w.\"']){pattern}(?![\w\"'])", f"{{{{ ref('{relations[relation]}') }}}}", sql)
    return sql


def _reconcile(
    proposal: Proposal,
    metric: Metric,
    measures: list[Any],
    sql_for: Callable[[list[str]], str],
    reasons: list[str],
) -> tuple[str | None, str | None]:
    """A dimension whose parts must add up to each month's total, and the SQL by month and it."""
    if metric.type.value != "simple" or not measures or any(m.agg.value not in ADDITIVE for m in measures):
        reasons.append("no reconcile test: only a simple metric of a sum or count adds up across a dimension")
        return None, None
    for dim in proposal.dimensions:
        if dim.name.startswith(METRIC_TIME):
            continue
        try:
            return dim.name, sql_for([MONTH, dim.name])
        except MetricmindError:
            continue
    reasons.append("no reconcile test: no dimension of the metric could be grouped by")
    return None, None


def _grain(sm: SemanticModel) -> tuple[str, tuple[str, ...]] | None:
    primary = next((e for e in sm.entities if e.type.value == "primary"), None)
    if primary is None or not _COLUMN.match(primary.expr) or not sm.ref:
        return None
    return sm.ref, (primary.expr,)


def _history(
    run_sql: RunSql | None, sql: str, name: str, reasons: list[str]
) -> tuple[list[float] | None, int]:
    """The metric's monthly values on the warehouse (None without one or when the query fails), and how
    many months have no value.
    """
    if run_sql is None:
        reasons.append("no range test: no warehouse to learn the metric's usual values from")
        return None, 0
    try:
        rows = run_sql(sql)
    except MetricmindError as exc:
        reasons.append(f"no range test: the metric's history could not be read ({exc.message})")
        return None, 0
    values = [float(r[1]) for r in rows if len(r) > 1 and r[1] is not None]
    empty = sum(1 for r in rows if len(r) > 1 and r[1] is None)
    if not values:
        reasons.append(f"no range test: {name} has no history on the warehouse")
        return None, empty
    return values, empty


def _non_negative(
    metric: Metric, measures: list[Any], values: list[float] | None, reasons: list[str]
) -> bool:
    unit = str(metric.meta.get("unit") or "")
    counts = measures and all(m.agg.value in {"count", "count_distinct", "sum_boolean"} for m in measures)
    if not (counts or unit in {"currency", "count", "money", "percent"}):
        return False
    if values is not None and min(values) < 0:
        reasons.append(f"no non-negative test: the history holds a negative month ({min(values):g})")
        return False
    return True


def _range(values: list[float] | None, non_negative: bool, sigmas: float) -> tuple[float, float, int] | None:
    """``(low, high, months)``: the mean ± ``sigmas`` standard deviations, and never narrower than the
    history's own minimum and maximum (so today's data passes); 0 is the floor of a non-negative metric.
    """
    if not values:
        return None
    mean = sum(values) / len(values)
    sd = (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5 or abs(mean) or 1.0
    low, high = min(min(values), mean - sigmas * sd), max(max(values), mean + sigmas * sd)
    if non_negative:
        low = max(0.0, low)
    return round(low, 6), round(high, 6), len(values)
