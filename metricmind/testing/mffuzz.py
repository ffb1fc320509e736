"""A seeded differential fuzzer: random valid queries through metricmind and MetricFlow on the same data.

:func:`generate` draws queries from what a project offers (``Project.dimensions``): metrics of every type
(simple, snapshot, ratio, derived with and without offsets, cumulative, conversion), group-bys across entity
hops and time grains, where-filters on dimensions, entities and time, ranges, order and limit.
:func:`run_fuzz` answers them with both engines (MetricFlow in one batch) and sorts each into
``equal``, ``both_refused``, ``only_ours_refused``, ``only_mf_refused``, ``mf_nondeterministic`` (MetricFlow's
own answer changes between two runs) or ``different``; differences are
shrunk (one part dropped at a time, one more batch) to a smaller query that still differs.
``bench/differential_fuzz.py`` prints the figures; ``tests/differential/test_fuzz_vs_metricflow.py`` runs a
fixed-seed slice.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from metricmind.demo.build import build_demo
from metricmind.project import Project
from metricmind.spec.model import MetricType
from metricmind.spec.query import MetricQuery
from metricmind.testing.bazaar import copy_bazaar
from metricmind.testing.harbor import copy_harbor
from metricmind.testing.helpdesk import copy_helpdesk
from metricmind.testing.lastmile import copy_lastmile
from metricmind.testing.lending import copy_lending
from metricmind.testing.mfcompare import compare_results, ties_at_limit
from metricmind.testing.mfrun import MFQuery, MFResult, run_metricflow_batch
from metricmind.testing.shop import copy_shop

GRAINS = ("day", "week", "month", "quarter", "year")
#: MetricFlow's date parts (``metric_time__extract_month``); it has no week part.
PARTS = ("year", "quarter", "month", "day", "dow", "doy")
CATEGORIES = (
    "equal",
    "both_refused",
    "only_ours_refused",
    "only_mf_refused",
    "mf_nondeterministic",
    "known_difference",
    "different",
)


@dataclass(frozen=True)
class Sample:
    """One fuzzed project: where it is, its warehouse file and the schema its models live in."""

    name: str
    root: Path
    duckdb: Path
    schema: str


def _demo(target: Path) -> tuple[Path, Path]:
    report = build_demo(target, scale=1000, end_date="2026-06-30", seed=7, threads=1)
    return target, Path(report.warehouse)


_BUILDERS: dict[str, tuple[Callable[[Path], Path], str, str]] = {
    "bazaar": (copy_bazaar, "bazaar.duckdb", "main"),
    "helpdesk": (copy_helpdesk, "helpdesk.duckdb", "analytics"),
    "lending": (copy_lending, "lending.duckdb", "prod"),
    "lastmile": (copy_lastmile, "lastmile.duckdb", "core"),
    "harbor": (copy_harbor, "harbor.duckdb", "marts"),
    "shop": (copy_shop, "shop.duckdb", "main"),
}
PROJECTS = ("demo", *_BUILDERS)


def build_sample(name: str, parent: Path) -> Sample:
    """Build ``name`` (``demo`` or a foreign sample) under ``parent`` (reused when already built)."""
    target = parent / name
    if name == "demo":
        warehouse = target / "target" / "warehouse.duckdb"
        if not warehouse.exists():
            _, warehouse = _demo(target)
        return Sample(name, target, warehouse, "main")
    copy, db, schema = _BUILDERS[name]
    if not (target / "target" / db).exists():
        copy(target)
    return Sample(name, target, target / "target" / db, schema)


@dataclass
class Outcome:
    """One query's fate: its category, the differences or errors, and a smaller query that still differs."""

    id: str
    query: MetricQuery
    category: str
    diffs: list[str] = field(default_factory=list)
    ours_error: str | None = None
    mf_error: str | None = None
    repro: MetricQuery | None = None


# -- generating ------------------------------------------------------------------------------------------


def metric_kind(project: Project, name: str) -> str:
    """``simple``, ``snapshot``, ``ratio``, ``derived``, ``offset``, ``cumulative`` or ``conversion``."""
    m = project.model.metrics[name]
    if m.type is MetricType.SIMPLE:
        measure = project.model.measures.get(m.measure.name) if m.measure else None
        return "snapshot" if measure is not None and measure.non_additive is not None else "simple"
    if m.type is MetricType.DERIVED and any(i.offset_window or i.offset_to_grain for i in m.inputs):
        return "offset"
    return str(m.type.value)


def _call(kind: str, name: str) -> str:
    """``Dimension('a__b')``, or past one hop MetricFlow's spelling ``Dimension('b__c', entity_path=['a'])``."""
    parts = name.split("__")
    if len(parts) <= 2:
        return f"{kind}('{name}')"
    return f"{kind}('{'__'.join(parts[-2:])}', entity_path={parts[:-2]!r})"


class Generator:
    """Random valid queries over one project; the same seed gives the same queries."""

    def __init__(self, project: Project, seed: int) -> None:
        self.project = project
        self.rng = random.Random(seed)
        self.by_kind: dict[str, list[str]] = {}
        for name in sorted(project.model.metrics):
            self.by_kind.setdefault(metric_kind(project, name), []).append(name)
        self._values: dict[tuple[str, str], list[Any]] = {}
        self._months: dict[str, list[str]] = {}

    def _dims(self, metrics: Sequence[str]) -> list[tuple[str, str, tuple[str, ...]]]:
        sets = [
            {(d.name, d.type, d.grains) for d in self.project.dimensions(m) if d.name != "metric_time"}
            for m in metrics
        ]
        common = set.intersection(*sets) if sets else set()
        return sorted(common)

    def _values_of(self, metric: str, name: str) -> list[Any]:
        """A few values of ``name`` (read with metricmind: only to pick a literal)."""
        key = (metric, name)
        if key not in self._values:
            try:
                rows = self.project.run(MetricQuery.build(metric, [name], limit=50)).rows
                self._values[key] = [r[0] for r in rows if isinstance(r[0], (str, int)) and r[0] is not None]
            except Exception:
                self._values[key] = []
        return self._values[key]

    def _months_of(self, metric: str) -> list[str]:
        if metric not in self._months:
            try:
                rows = self.project.run(MetricQuery.build(metric, ["metric_time__month"])).rows
                self._months[metric] = sorted(str(r[0])[:10] for r in rows if r[0] is not None)
            except Exception:
                self._months[metric] = []
        return self._months[metric]

    def query(self) -> MetricQuery:
        """One random query (valid for metricmind's catalog; either engine may still refuse it)."""
        rng = self.rng
        kind = rng.choice(sorted(self.by_kind))
        metrics = [rng.choice(self.by_kind[kind])]
        if rng.random() < 0.25:
            other = rng.choice(sorted(self.project.model.metrics))
            if other not in metrics:
                metrics.append(other)
        group_by: list[str] = []
        if rng.random() < 0.7:
            if rng.random() < 0.15:
                group_by.append(f"metric_time__extract_{rng.choice(PARTS)}")
            else:
                group_by.append(f"metric_time__{rng.choice(GRAINS)}")
        dims = self._dims(metrics)
        for _ in range(rng.choice((0, 1, 1, 2))):
            if not dims:
                break
            name, typ, grains = rng.choice(dims)
            item = f"{name}__{rng.choice(grains)}" if typ == "time" and grains else name
            if typ == "time" and rng.random() < 0.15:
                item = f"{name}__extract_{rng.choice(PARTS)}"
            if item not in group_by:
                group_by.append(item)
        if rng.random() < 0.15 and group_by and group_by[0].startswith("metric_time__"):
            # a second metric_time grain (nesting or crossing)
            extra = f"metric_time__{rng.choice(GRAINS)}"
            if extra not in group_by:
                group_by.append(extra)
        where: list[str] = []
        if rng.random() < 0.3 and dims:
            name, typ, _ = rng.choice(dims)
            if typ != "time":
                values = self._values_of(metrics[0], name)
                call = _call("Entity" if typ == "entity" else "Dimension", name)
                if values:
                    picked = rng.sample(values, min(len(values), rng.choice((1, 2))))
                    literal = ", ".join(repr(v) if isinstance(v, str) else str(v) for v in picked)
                    where.append(f"{{{{ {call} }}}} in ({literal})")
                else:
                    where.append(f"{{{{ {call} }}}} is not null")
        if rng.random() < 0.06:
            part, op = rng.choice(
                (("month", "in (1, 2, 3)"), ("dow", ">= 6"), ("quarter", "= 4"), ("day", "<= 7"))
            )
            where.append(f"{{{{ TimeDimension('metric_time', date_part_name='{part}') }}}} {op}")
        start = end = None
        months = self._months_of(metrics[0])
        if months and rng.random() < 0.25:
            lo = rng.randrange(len(months))
            hi = rng.randrange(lo, len(months))
            if rng.random() < 0.5:
                where.append(f"{{{{ TimeDimension('metric_time', 'day') }}}} >= '{months[lo]}'")
            else:
                start = months[lo]
                end = months[hi + 1] if hi + 1 < len(months) else None
        order_by: list[str] = []
        limit = None
        if group_by and rng.random() < 0.2:
            order_by = [f"-{metrics[0]}", *group_by] if rng.random() < 0.5 else list(group_by)
            limit = rng.choice((3, 5, 10))
        return MetricQuery.build(metrics, group_by, where, start, end, order_by, limit)

    def queries(self, n: int) -> list[MetricQuery]:
        """``n`` queries, distinct by their text."""
        out: dict[str, MetricQuery] = {}
        tries = 0
        while len(out) < n and tries < n * 20:
            tries += 1
            q = self.query()
            out.setdefault(repr(q), q)
        return list(out.values())


# -- running ---------------------------------------------------------------------------------------------


def _ours(project: Project, query: MetricQuery) -> tuple[list[str], list[Any], str | None]:
    try:
        result = project.run(query)
    except Exception as exc:
        return [], [], f"{type(exc).__name__}: {exc}"
    return list(result.columns), [tuple(r) for r in result.rows], None


def classify(project: Project, query: MetricQuery, mf: MFResult, qid: str, *, ours: Any = None) -> Outcome:
    """Compare one query's answers (ours computed here unless given)."""
    columns, rows, error = ours if ours is not None else _ours(project, query)
    if error and mf.error:
        return Outcome(qid, query, "both_refused", ours_error=error, mf_error=mf.error)
    if error:
        return Outcome(qid, query, "only_ours_refused", ours_error=error)
    if mf.error:
        return Outcome(qid, query, "only_mf_refused", mf_error=mf.error)
    ordered = bool(query.order_by) and query.limit is None
    diffs = compare_results(columns, rows, mf.columns, mf.rows, ordered=ordered)
    if diffs and _tied_at_limit(project, query, mf):
        return Outcome(qid, query, "equal", diffs=[f"ties at the limit: {d}" for d in diffs])
    return Outcome(qid, query, "different" if diffs else "equal", diffs=diffs)


def _tied_at_limit(project: Project, query: MetricQuery, mf: MFResult) -> bool:
    """Whether ours and MetricFlow's limited answers differ only in which rows tied on the order the limit
    kept (shop, seed 3, q59: 92 groups with a share of 1.0, MetricFlow's float noise 1.0000000000000002
    sorting five of them first), judged against our answer without the limit.
    """
    if query.limit is None or not query.order_by:
        return False
    columns, rows, error = _ours(project, replace(query, limit=None))
    order = [(o.name, o.desc) for o in query.order_by]
    return error is None and ties_at_limit(columns, rows, mf.columns, mf.rows, order, query.limit)


def _smaller(query: MetricQuery) -> list[MetricQuery]:
    """Queries with one part of ``query`` dropped (for shrinking a difference)."""
    out = []
    if query.order_by or query.limit:
        out.append(replace(query, order_by=(), limit=None))
    for i in range(len(query.where)):
        out.append(replace(query, where=query.where[:i] + query.where[i + 1 :]))
    if query.start or query.end:
        out.append(replace(query, start=None, end=None))
    for i in range(len(query.group_by)):
        kept = query.group_by[:i] + query.group_by[i + 1 :]
        if not any(o.name == query.group_by[i] for o in query.order_by):
            out.append(replace(query, group_by=kept))
    if len(query.metrics) > 1:
        for i in range(len(query.metrics)):
            metrics = query.metrics[:i] + query.metrics[i + 1 :]
            if not any(o.name == query.metrics[i] for o in query.order_by):
                out.append(replace(query, metrics=metrics))
    return out


def run_fuzz(sample: Sample, queries: Sequence[MetricQuery], *, shrink: bool = True) -> list[Outcome]:
    """Answer ``queries`` with both engines on ``sample``'s warehouse and sort them into categories."""
    with Project.load(sample.root) as project:
        mf_queries = [MFQuery.from_query(f"q{i}", q) for i, q in enumerate(queries)]
        mf = run_metricflow_batch(sample.root, sample.duckdb, mf_queries, schema=sample.schema).by_id()
        outcomes = [classify(project, q, mf[f"q{i}"], f"q{i}") for i, q in enumerate(queries)]
        _recheck(project, sample, outcomes)
        if shrink:
            _shrink(project, sample, outcomes)
    return outcomes


def known_difference(project: Project, query: MetricQuery) -> str | None:
    """Why ``query`` is a documented difference (``docs/compiler.md``, "Differences from MetricFlow"), or None.

    A snapshot grouped by periods that nest, coarser one named first: MetricFlow reads the snapshot on the
    last day of the first-named period only (its answer depends on the order of the group-by). A cumulative
    metric whose measure input has a filter, not grouped by ``metric_time``: MetricFlow drops the filter.
    """
    if not any(g.startswith("metric_time") for g in query.group_by):
        for name in query.metrics:
            m = project.model.metrics.get(name)
            if m is not None and m.type is MetricType.CUMULATIVE and m.measure and m.measure.filter:
                return "a cumulative metric with a measure filter, not grouped by metric_time (MetricFlow drops the filter)"
    own = {name for m in query.metrics for name in _snapshot_dims(project, m)}
    if not own:
        return None
    grains = []
    for name in query.group_by:
        parts = name.split("__")
        if len(parts) > 1 and parts[-1] in GRAINS and (parts[0] == "metric_time" or parts[-2] in own):
            grains.append(parts[-1])
    if len(set(grains)) > 1 and grains[0] != min(grains, key=GRAINS.index):
        return "a snapshot by nested periods, the coarser named first (MetricFlow reads the first-named)"
    return None


def _snapshot_dims(project: Project, metric: str) -> set[str]:
    """The non-additive dimensions of the snapshot measures ``metric`` reads."""
    try:
        names = project.model.measures_of(metric)
    except Exception:
        return set()
    found = (project.model.measures.get(n) for n in names)
    return {m.non_additive.name for m in found if m is not None and m.non_additive is not None}


def _recheck(project: Project, sample: Sample, outcomes: list[Outcome]) -> None:
    """Ask MetricFlow again for every difference: when its own answers differ between runs (a random tie
    break, e.g. ``FIRST_VALUE`` over tied days), the query is ``mf_nondeterministic``, not ``different``.
    """
    todo = [o for o in outcomes if o.category == "different"]
    if not todo:
        return
    batch = [MFQuery.from_query(f"{o.id}.again{k}", o.query) for o in todo for k in range(2)]
    mf = run_metricflow_batch(sample.root, sample.duckdb, batch, schema=sample.schema).by_id()
    for o in todo:
        first, second = mf[f"{o.id}.again0"], mf[f"{o.id}.again1"]
        if first.error or second.error:
            continue
        if compare_results(first.columns, first.rows, second.columns, second.rows):
            o.category = "mf_nondeterministic"
        elif known_difference(project, o.query):
            o.category = "known_difference"
    _recheck_conversion_ties(project, sample, [o for o in todo if o.category == "different"])


def _recheck_conversion_ties(project: Project, sample: Sample, todo: list[Outcome]) -> None:
    """A conversion metric by a base-model dimension or entity whose totals by ``metric_time`` alone agree:
    the documented tie (one entity's several base events on one day; MetricFlow credits the conversion to
    one of them with ``FIRST_VALUE`` over tied days, which may repeat between runs), a ``known_difference``.
    """
    rolled: dict[str, tuple[Outcome, MetricQuery]] = {}
    for o in todo:
        q = o.query
        if not any(metric_kind(project, m) == "conversion" for m in q.metrics):
            continue
        kept = tuple(g for g in q.group_by if g.startswith("metric_time"))
        if kept != q.group_by:
            rolled[f"{o.id}.rolled"] = (o, replace(q, group_by=kept, order_by=(), limit=None))
    if not rolled:
        return
    mf = run_metricflow_batch(
        sample.root,
        sample.duckdb,
        [MFQuery.from_query(k, q) for k, (_, q) in rolled.items()],
        schema=sample.schema,
    ).by_id()
    for key, (o, q) in rolled.items():
        if classify(project, q, mf[key], key).category == "equal":
            o.category = "known_difference"


def _shrink(project: Project, sample: Sample, outcomes: list[Outcome]) -> None:
    """Give each difference a repro: the smallest query, at most a few steps down, that still differs."""
    stuck: set[str] = set()
    for _ in range(4):
        todo = [o for o in outcomes if o.category == "different" and o.id not in stuck]
        candidates: dict[str, tuple[Outcome, MetricQuery]] = {}
        for o in todo:
            for j, q in enumerate(_smaller(o.repro or o.query)):
                candidates[f"{o.id}.{j}"] = (o, q)
        if not candidates:
            return
        mf = run_metricflow_batch(
            sample.root,
            sample.duckdb,
            [MFQuery.from_query(k, q) for k, (_, q) in candidates.items()],
            schema=sample.schema,
        ).by_id()
        done: set[str] = set()
        for key, (o, q) in candidates.items():
            if o.id not in done and classify(project, q, mf[key], key).category == "different":
                o.repro = q
                done.add(o.id)
        stuck |= {o.id for o in todo if o.id not in done}


def counts(outcomes: Sequence[Outcome]) -> dict[str, int]:
    """How many outcomes fall in each category (every category present)."""
    found = Counter(o.category for o in outcomes)
    return {c: found.get(c, 0) for c in CATEGORIES}


def describe(query: MetricQuery) -> str:
    """A query in one line, as the CLI would take it."""
    parts = [f"metrics={list(query.metrics)}", f"group_by={list(query.group_by)}"]
    if query.where:
        parts.append(f"where={list(query.where)}")
    if query.start or query.end:
        parts.append(f"start={query.start} end={query.end} (exclusive)")
    if query.order_by:
        parts.append(f"order_by={[str(o) for o in query.order_by]}")
    if query.limit is not None:
        parts.append(f"limit={query.limit}")
    return " ".join(parts)
