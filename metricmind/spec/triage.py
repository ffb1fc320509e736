"""Load what can be loaded: the root cause of each problem first, and only what depends on it left out.

The loader and the rules report every issue with ``file:line``. ``triage`` then

1. attributes each error to the object whose YAML holds it (the innermost semantic model, entity,
   dimension, measure, metric or saved query whose lines contain it; see ``Span``);
2. recognises *follow-on* errors — "metric 'a' uses unknown metric 'b'" where ``b`` is defined but
   broken (its own error, or a YAML file that does not parse) — and drops them: the root cause is
   already reported;
3. leaves out of the model every object with an error and every object that depends on one (a
   semantic model with a bad entity, the measures of a left-out semantic model, metrics over left-out
   measures or metrics, saved queries over left-out metrics), each with the root cause; and
4. orders what remains: YAML syntax errors first, then the other errors in file order, then warnings.

Everything else loads and answers; ``Project`` refuses queries of a left-out metric with its cause.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from metricmind.errors import Issue, Level, UnavailableError
from metricmind.spec.model import Metric, Model, SemanticModel
from metricmind.spec.names import SEP

#: The kinds of object a problem can be attributed to.
SEMANTIC_MODEL, ENTITY, DIMENSION, MEASURE = "semantic model", "entity", "dimension", "measure"
METRIC, SAVED_QUERY = "metric", "saved query"
NAME = "name"  # a name seen in a YAML file that does not parse: what it was is unknown

_UNKNOWN_REF = re.compile(r"uses unknown (measure|metric) '([^']+)'")


@dataclass(frozen=True)
class Span:
    """Where one object's YAML is: lines ``start``–``end`` of ``file`` (``owner``: its semantic model)."""

    file: str
    start: int
    end: int
    kind: str
    name: str
    owner: str | None = None


@dataclass(frozen=True)
class Unavailable:
    """An object left out of the loaded project, and why (``cause`` is the root problem)."""

    kind: str
    name: str
    cause: Issue
    via: tuple[str, ...] = ()

    def reason(self) -> str:
        """``metric 'a' is unavailable (it uses metric 'b' → measure 'c')``, without the cause itself."""
        if self.kind == NAME:
            return f"'{self.name}' is unavailable (its YAML file does not parse)"
        chain = f" (it uses {' → '.join(self.via)})" if self.via else ""
        return f"{self.kind} '{self.name}' is unavailable{chain}"

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready view."""
        return {"kind": self.kind, "name": self.name, "via": list(self.via), "cause": self.cause.to_dict()}


@dataclass
class Triage:
    """The loadable part of the model, the issues to report, and what was left out."""

    model: Model
    issues: list[Issue]
    unavailable: list[Unavailable] = field(default_factory=list)

    def metric(self, name: str) -> Unavailable | None:
        """Why metric ``name`` was left out, if it was."""
        return next((u for u in self.unavailable if u.kind == METRIC and u.name == name), None)


def end_line(value: object, start: int) -> int:
    """The last line a YAML value (a ``Node``, a list, a scalar) has a key on, at least ``start``."""
    last = start
    key_lines = getattr(value, "key_lines", None)
    if isinstance(key_lines, dict):
        last = max([last, *key_lines.values()])
    children: Iterable[object] = (
        value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    )
    for child in children:
        line = getattr(child, "line", None)
        if isinstance(child, dict | list):
            last = max(last, end_line(child, line if isinstance(line, int) else last))
    return last


class _Index:
    """Spans by file, for finding the innermost object around a line."""

    def __init__(self, spans: Iterable[Span]) -> None:
        self.by_file: dict[str, list[Span]] = {}
        for s in spans:
            self.by_file.setdefault(s.file, []).append(s)

    def at(self, file: str | None, line: int | None) -> Span | None:
        if not file or not line:
            return None
        around = [s for s in self.by_file.get(file, ()) if s.start <= line <= s.end]
        return min(around, key=lambda s: (s.end - s.start, -s.start)) if around else None


def triage(
    model: Model,
    issues: Iterable[Issue],
    spans: Iterable[Span],
    broken_files: dict[str, set[str]] | None = None,
) -> Triage:
    """Split ``issues`` into root causes and follow-ons and prune ``model`` to what loads.

    Args:
        model: The model as parsed (objects with errors included where the parser kept them).
        issues: Every issue of the loader and the rules.
        spans: Where each object of the YAML is (``Span``), including objects the parser dropped.
        broken_files: For each YAML file that did not parse, the names it appears to define.
    """
    issues, spans = list(issues), list(spans)
    index = _Index(spans)
    yaml_errors: dict[str, Issue] = {}
    for issue in issues:
        if issue.code == "yaml" and issue.file:
            yaml_errors.setdefault(issue.file, issue)
    in_broken: dict[str, Issue] = {}
    for file, names in (broken_files or {}).items():
        for name in names:
            if file in yaml_errors:
                in_broken.setdefault(name, yaml_errors[file])
    defined = {(s.kind, s.name) for s in spans}

    own: dict[tuple[str, str], Issue] = {}
    follow_ons: dict[tuple[str, str], Issue] = {}  # (kind of the ref, ref name) → first such issue
    roots: list[Issue] = []
    for issue in issues:
        if issue.level is not Level.ERROR:
            continue
        span = index.at(issue.file, issue.line)
        ref = _UNKNOWN_REF.search(issue.message)
        if ref and ((ref.group(1), ref.group(2)) in defined or ref.group(2) in in_broken):
            follow_ons.setdefault((ref.group(1), ref.group(2)), issue)
            continue
        roots.append(issue)
        if span is None:
            continue
        key = (SEMANTIC_MODEL, span.owner) if span.kind == ENTITY and span.owner else (span.kind, span.name)
        if span.kind == DIMENSION and span.owner:
            key = (DIMENSION, f"{span.owner}.{span.name}")
        own.setdefault(key, issue)
    return _Pruner(model, spans, own, in_broken, follow_ons).run(_ordered(issues, roots))


def _ordered(issues: Iterable[Issue], roots: list[Issue]) -> list[Issue]:
    keep = {id(i) for i in roots}
    errors = [i for i in issues if i.level is Level.ERROR and id(i) in keep]
    errors.sort(key=lambda i: 0 if i.code == "yaml" else 1)  # stable: file order within each group
    return errors + [i for i in issues if i.level is not Level.ERROR]


class _Pruner:
    """Works out, with memoisation, why each object is left out (if it is)."""

    def __init__(
        self,
        model: Model,
        spans: list[Span],
        own: dict[tuple[str, str], Issue],
        in_broken: dict[str, Issue],
        follow_ons: dict[tuple[str, str], Issue],
    ) -> None:
        self.model, self.own, self.in_broken, self.follow_ons = model, own, in_broken, follow_ons
        # Measures the parser dropped still have a span: which semantic model they were in.
        self.measure_owner = {s.name: s.owner for s in spans if s.kind == MEASURE and s.owner}
        for sm in model.semantic_models.values():
            for m in sm.measures:
                self.measure_owner.setdefault(m.name, sm.name)
        self.memo: dict[str, tuple[Issue, tuple[str, ...]] | None] = {}

    def sm_cause(self, name: str) -> Issue | None:
        return self.own.get((SEMANTIC_MODEL, name))

    def dim_cause(self, sm: str, name: str) -> Issue | None:
        return self.own.get((DIMENSION, f"{sm}.{name}"))

    def measure_cause(self, name: str) -> tuple[Issue, tuple[str, ...]] | None:
        if (MEASURE, name) in self.own:
            return self.own[(MEASURE, name)], ()
        sm_name = self.measure_owner.get(name)
        if sm_name is None:
            issue = self.in_broken.get(name)
            return (issue, ()) if issue else None
        cause = self.sm_cause(sm_name)
        if cause is not None:
            return cause, (f"semantic model '{sm_name}'",)
        sm = self.model.semantic_models.get(sm_name)
        measure = next((m for m in sm.measures if m.name == name), None) if sm else None
        if sm is not None and measure is not None:
            for dim in {
                measure.agg_time_dimension,
                measure.non_additive.name if measure.non_additive else "",
            }:
                dcause = self.dim_cause(sm.name, dim) if dim else None
                if dcause is not None:
                    return dcause, (f"dimension '{sm.name}.{dim}'",)
        return None

    def metric_cause(self, name: str, stack: tuple[str, ...] = ()) -> tuple[Issue, tuple[str, ...]] | None:
        if name in self.memo:
            return self.memo[name]
        if name in stack:
            return None  # a cycle is reported (and attributed) by the rules
        result = self._metric_cause(name, (*stack, name))
        self.memo[name] = result
        return result

    def _metric_cause(self, name: str, stack: tuple[str, ...]) -> tuple[Issue, tuple[str, ...]] | None:
        if (METRIC, name) in self.own:
            return self.own[(METRIC, name)], ()
        metric = self.model.metrics.get(name)
        if metric is None:
            issue = self.in_broken.get(name)
            return (issue, ()) if issue else None
        for measure in _measures(metric):
            found = self.measure_cause(measure)
            if found:
                return found[0], (f"measure '{measure}'", *found[1])
        for ref in _metric_refs(metric):
            got = self.metric_cause(ref, stack)
            if got:
                return got[0], (f"metric '{ref}'", *got[1])
        # A name that is neither in the model nor explained above: keep the reported problem as the cause.
        for kind, ref in [(MEASURE, m) for m in _measures(metric)] + [
            (METRIC, r) for r in _metric_refs(metric)
        ]:
            known = self.model.measures if kind == MEASURE else self.model.metrics
            if ref not in known and (kind, ref) in self.follow_ons:
                return self.follow_ons[(kind, ref)], ()
        return None

    def run(self, issues: list[Issue]) -> Triage:
        out: list[Unavailable] = []
        sms: dict[str, SemanticModel] = {}
        for sm in self.model.semantic_models.values():
            cause = self.sm_cause(sm.name)
            if cause is not None:
                out.append(Unavailable(SEMANTIC_MODEL, sm.name, cause))
                continue
            measures = []
            for m in sm.measures:
                found = self.measure_cause(m.name)
                if found:
                    out.append(Unavailable(MEASURE, m.name, found[0], found[1]))
                else:
                    measures.append(m)
            dims = []
            for d in sm.dimensions:
                dcause = self.dim_cause(sm.name, d.name)
                if dcause is not None:
                    out.append(Unavailable(DIMENSION, f"{sm.name}.{d.name}", dcause))
                else:
                    dims.append(d)
            sms[sm.name] = (
                sm
                if len(measures) == len(sm.measures) and len(dims) == len(sm.dimensions)
                else dataclasses.replace(sm, measures=tuple(measures), dimensions=tuple(dims))
            )
        metrics: dict[str, Metric] = {}
        for name, metric in self.model.metrics.items():
            got = self.metric_cause(name)
            if got:
                out.append(Unavailable(METRIC, name, got[0], got[1]))
            else:
                metrics[name] = metric
        saved = {}
        for name, sq in self.model.saved_queries.items():
            issue = self.own.get((SAVED_QUERY, name))
            via: tuple[str, ...] = ()
            for used in sq.metrics if issue is None else ():
                got = self.metric_cause(used)
                if got:
                    issue, via = got[0], (f"metric '{used}'", *got[1])
                    break
            if issue is not None:
                out.append(Unavailable(SAVED_QUERY, name, issue, via))
            else:
                saved[name] = sq
        pruned = dataclasses.replace(self.model, semantic_models=sms, metrics=metrics, saved_queries=saved)
        # Whatever is left out must be explained by a reported error (never a silent gap).
        reported = {id(i) for i in issues}
        for u in out:
            if id(u.cause) not in reported:
                reported.add(id(u.cause))
                issues.insert(sum(1 for i in issues if i.level is Level.ERROR), u.cause)
        recorded = {(u.kind, u.name) for u in out}
        for (kind, name), issue in self.own.items():  # objects the parser could not even build
            if kind in (SEMANTIC_MODEL, MEASURE, DIMENSION) and (kind, name) not in recorded:
                out.append(Unavailable(kind, name, issue))
        seen = {u.name for u in out}
        out += [Unavailable(NAME, n, i) for n, i in sorted(self.in_broken.items()) if n not in seen]
        return Triage(pruned, issues, out)


def _measures(metric: Metric) -> list[str]:
    out = [metric.measure.name] if metric.measure else []
    if metric.conversion:
        out += [metric.conversion.base_measure.name, metric.conversion.conversion_measure.name]
    return out


def _metric_refs(metric: Metric) -> list[str]:
    return [r.name for r in (metric.numerator, metric.denominator, *metric.inputs) if r is not None]


class Refusals:
    """Refuses queries of what was left out, naming the root cause (``UnavailableError``).

    Args:
        full: The model as parsed, before triage (to know the dimensions of a left-out semantic model).
        unavailable: What triage left out.
    """

    def __init__(self, full: Model, unavailable: list[Unavailable]) -> None:
        self.by_key: dict[str, Unavailable] = {}
        for u in unavailable:
            if u.kind == METRIC:
                self.by_key[f"metric:{u.name}"] = u
            elif u.kind == NAME:
                if u.name not in full.metrics:
                    self.by_key.setdefault(f"metric:{u.name}", u)
                self.by_key.setdefault(f"name:{u.name}", u)
            elif u.kind == DIMENSION:
                self.by_key.setdefault(f"name:{u.name.split('.', 1)[1]}", u)
            elif u.kind == SEMANTIC_MODEL and u.name in full.semantic_models:
                sm = full.semantic_models[u.name]
                for n in [d.name for d in sm.dimensions] + [e.name for e in sm.entities]:
                    self.by_key.setdefault(f"name:{n}", u)

    def check(self, metrics: Iterable[str], names: Iterable[str] = ()) -> None:
        """Raise ``UnavailableError`` for the first left-out metric, or group-by/filter name, given.

        ``names`` are checked whole and by their ``__`` parts (a dimension of a left-out semantic model
        reached through entities); call it with names the compiler did not find.
        """
        for name in metrics:
            left_out = self.by_key.get(f"metric:{name}")
            if left_out is not None:
                raise UnavailableError(left_out.reason(), left_out.cause)
        for name in names:
            found = (self.by_key.get(f"name:{p}") for p in [name, *reversed(name.split(SEP))])
            left_out = next((u for u in found if u is not None), None)
            if left_out is not None:
                raise UnavailableError(f"'{name}' comes from a {left_out.reason()}", left_out.cause)
