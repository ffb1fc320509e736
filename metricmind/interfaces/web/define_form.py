"""The plain-English Define form: a proposal shown section by section, the person's choices, a live preview.

The analysis is the definition agent's (``metricmind.define.analyze``); this module only turns what the
form sends — the name, definition and rules, and for each suggestion **Accept**, **Modify** or **Manual**
— into the metric to preview and save. Whatever a person types goes through the same allow-lists as YAML:
a filter through ``spec.filters.parse_where``, an expression through ``spec.expressions.check``, then the
whole metric through the compiler. The form's metric is rebuilt on the server from the analysis every
time; nothing the browser sends is trusted as a definition.

Form fields (docs/web.md): ``name``, ``definition``, ``rule`` (repeated); ``measure_choice``
(``accept`` | ``modify`` | ``manual``) with ``measure_modify`` (another measure) or ``measure_manual`` (SQL
over existing metrics); ``time_choice`` with ``time_modify`` (another time dimension, see
``time_options``); per rule ``i`` (0-based, in the proposal's order) ``rule_choice_i`` with
``rule_modify_i`` or ``rule_manual_i`` (a MetricFlow filter).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from metricmind.define import Definition, Proposal, is_doubt, preview_sql
from metricmind.errors import MetricmindError, QueryError, UnknownNameError
from metricmind.project import Project
from metricmind.spec.expressions import check as check_expression
from metricmind.spec.filters import parse_where

CHOICES = ("accept", "modify", "manual", "confirm")  # confirm: only for the agent's doubt
MAX_RULES = 20
MAX_FIELD = 2000
MAX_ROWS_SHOWN = 12


class DefineRefused(QueryError):
    """The definition agent proposed nothing (its refusal code is the error); nothing is written."""

    def __init__(self, code: str, message: str, closest: list[str]) -> None:
        super().__init__(
            message,
            hint="Nothing was written. Rephrase the definition or the rules"
            + (f", or reuse {', '.join(closest[:3])}." if closest else "."),
        )
        self.code = code
        self.suggestions = closest

    def to_dict(self) -> dict[str, object]:  # noqa: D102
        return {**super().to_dict(), "suggestions": list(self.suggestions)}


@dataclass(frozen=True)
class Choice:
    """What the person chose for one suggestion: ``accept``, ``modify`` or ``manual``, and the value typed."""

    kind: str = "accept"
    value: str = ""


@dataclass
class Choices:
    """The form's choices: the measure's, the time dimension's, and each rule's by its index in
    ``Proposal.rules``.
    """

    measure: Choice = field(default_factory=Choice)
    rules: dict[int, Choice] = field(default_factory=dict)
    time: Choice = field(default_factory=Choice)


def read_definition(form: Mapping[str, Any]) -> Definition:
    """The ``Definition`` in the form: ``name``, ``definition`` and the non-empty ``rule`` rows."""
    rules = _all(form, "rule")
    if len(rules) > MAX_RULES:
        raise QueryError(
            f"{len(rules)} rules given; at most {MAX_RULES} are read", hint="Remove some rule rows."
        )
    fields = [("name", str(form.get("name") or "")), ("definition", str(form.get("definition") or ""))]
    fields += [(f"rule {i + 1}", r) for i, r in enumerate(rules)]
    for where, text in fields:
        if len(text) > MAX_FIELD:
            raise QueryError(
                f"the {where} is {len(text):,} characters long; at most {MAX_FIELD:,} are read",
                hint="Say it in one line.",
            )
    return Definition(
        str(form.get("name") or "").strip(),
        str(form.get("definition") or "").strip(),
        tuple(r.strip() for r in rules if r.strip()),
    )


def read_choices(form: Mapping[str, Any]) -> Choices:
    """The Accept / Modify / Manual choices in the form (unknown choices are refused)."""
    out = Choices(measure=_choice(form, "measure"), time=_choice(form, "time"))
    for key in form:
        found = re.fullmatch(r"rule_choice_(\d{1,2})", str(key))
        if found:
            out.rules[int(found.group(1))] = _choice(form, "rule", int(found.group(1)))
    return out


def _choice(form: Mapping[str, Any], what: str, index: int | None = None) -> Choice:
    suffix = f"_{index}" if index is not None else ""
    label = f"{what} {index + 1}" if index is not None else what
    kind = str(form.get(f"{what}_choice{suffix}") or "accept").strip()
    if kind not in CHOICES:
        raise QueryError(
            f"choice {kind!r} for the {label} is not one of {', '.join(CHOICES)}",
            hint="Pick Accept, Modify or Manual beside the suggestion (Confirm beside the agent's doubt).",
        )
    value = str(form.get(f"{what}_{kind}{suffix}") or "").strip() if kind in ("modify", "manual") else ""
    if len(value) > MAX_FIELD:
        raise QueryError(
            f"the {label} typed is {len(value):,} characters; at most {MAX_FIELD:,}", hint="Shorten it."
        )
    return Choice(kind, value)


def time_options(project: Project, proposal: Proposal) -> dict[str, str]:
    """Other time dimensions the metric can be dated by: ``{time dimension: measure}``, the measures of the
    same column and aggregation on the same semantic model dated by another time dimension.
    """
    metric = proposal.metric
    if metric is None or metric.get("type") != "simple" or needs_package(proposal):
        return {}
    name = str(metric["type_params"].get("measure") or "")
    found = next(
        (ms for sm in project.model.semantic_models.values() for ms in sm.measures if ms.name == name), None
    )
    if found is None:
        return {}
    home = project.model.semantic_models[found.semantic_model]
    return {
        str(ms.agg_time_dimension): ms.name
        for ms in home.measures
        if ms.name != found.name
        and ms.expr == found.expr
        and ms.agg == found.agg
        and ms.agg_time_dimension != found.agg_time_dimension
    }


def propose(project: Project, definition: Definition) -> Proposal:
    """The definition agent's proposal over the project (pure: nothing run, nothing written)."""
    return project.analyze_definition(definition)


def closest(proposal: Proposal) -> list[str]:
    """The closest existing metrics, best first (what a refusal offers instead)."""
    return [s.name for s in proposal.similar]


def refusal(proposal: Proposal) -> DefineRefused | None:
    """The refusal of ``proposal`` as an error, or None when a metric was proposed."""
    if proposal.refused is None and proposal.metric is not None:
        return None
    return DefineRefused(
        proposal.refused or "no_data", proposal.message or "no metric proposed", closest(proposal)
    )


def build_metric(
    project: Project, proposal: Proposal, choices: Choices, *, preview: bool = False
) -> dict[str, Any]:
    """The metric the person chose: the proposal's, with each Modify / Manual value applied and checked.
    The agent's doubt (``is_doubt``) must be confirmed to save; with ``preview`` it is shown, not enforced.

    Raises:
        DefineRefused: The proposal is a refusal.
        QueryError: A rule is unread and no filter was typed for it; the agent's doubt is not confirmed
            (unless ``preview``); Confirm on anything but the doubt; a typed filter or expression is
            outside the allow-list; a measure that does not exist (``UnknownNameError``).
    """
    refused = refusal(proposal)
    if refused is not None:
        raise refused
    assert proposal.metric is not None
    if needs_package(proposal) and (
        choices.measure.kind != "accept"
        or any(c.kind not in ("accept", "confirm") for c in choices.rules.values())
    ):
        raise QueryError(
            f"{proposal.metric['name']!r} needs new parts (a measure, model or input metric), and "
            "Modify / Manual apply only to metrics over existing measures",
            hint="Accept the proposal, or write the definition by hand at /define/advanced.",
        )
    dialect = project.dialect
    predicates: list[str] = []
    for i, reading in enumerate(proposal.rules):
        choice = choices.rules.get(i, Choice())
        if is_doubt(reading):
            if choice.kind == "confirm" or preview:
                continue
            raise QueryError(
                f"the agent doubts this metric computes what the definition means: {reading.reason}",
                hint="Read the doubt and choose Confirm beside it, or rephrase the definition. Nothing was written.",
            )
        if choice.kind == "confirm":
            raise QueryError(
                f"rule {reading.text!r}: Confirm applies only to the agent's doubt",
                hint="Choose Accept, Modify or Manual for a rule.",
            )
        if choice.kind == "accept":
            if reading.status == "unread":
                raise QueryError(
                    f"rule {reading.text!r} is unread: {reading.reason}",
                    hint="Choose Manual and write its filter, e.g. {{ Dimension('customer__region') }} = "
                    "'EMEA', or remove the rule. Nothing was written.",
                )
            if reading.predicate:
                predicates.append(reading.predicate)
            continue
        if not choice.value:
            raise QueryError(
                f"rule {reading.text!r}: {choice.kind} was chosen but no filter was typed",
                hint="Type a filter such as {{ Dimension('<entity>__<dimension>') }} = '<value>', or choose Accept.",
            )
        parse_where(choice.value, dialect)
        predicates.append(choice.value)
    metric = copy.deepcopy(proposal.metric)
    meta = metric["config"]["meta"]
    if choices.time.kind != "accept":
        options = time_options(project, proposal)
        if choices.time.kind == "manual" or choices.time.value not in options:
            raise QueryError(
                f"the metric cannot be dated by {choices.time.value or '(nothing)'!r}"
                + (f"; it can be dated by {', '.join(sorted(options))}" if options else "")
                + ": a time dimension needs a measure dated by it",
                hint="Accept the time dimension, pick one of the list, or say it in a rule ('Date by payment "
                "date').",
            )
        if choices.measure.kind != "accept":
            raise QueryError(
                "choose either another time dimension or another measure, not both",
                hint="Pick the measure dated as you want under Measure › Modify.",
            )
        metric["type_params"] = {"measure": options[choices.time.value]}
    suggested = [r.predicate for r in proposal.rules if r.predicate]
    measure = choices.measure
    if measure.kind == "accept":
        if suggested != predicates:
            _set_filters(metric, project.model.metrics[str(meta["based_on"])], predicates)
    elif measure.kind == "modify":
        if measure.value not in project.model.measures:
            raise UnknownNameError("measure", measure.value or "(empty)", project.model.measures)
        metric["type"] = "simple"
        metric["type_params"] = {"measure": measure.value}
        metric.pop("filter", None)
        if predicates:
            metric["filter"] = _join(predicates)
        meta.pop("based_on", None)
    else:
        if not measure.value:
            raise QueryError(
                "Manual was chosen for the measure but nothing was typed",
                hint="Write SQL over existing metrics, e.g. metric_a * 12 or metric_a - metric_b.",
            )
        names = set(project.model.metrics)
        check_expression(measure.value, dialect, inputs=names, what=f"metric {metric['name']!r}")
        used = sorted(n for n in set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", measure.value)) if n in names)
        item_filter = {"filter": _join(predicates)} if predicates else {}
        metric["type"] = "derived"
        metric["type_params"] = {"expr": measure.value, "metrics": [{"name": n, **item_filter} for n in used]}
        metric.pop("filter", None)
        meta.pop("based_on", None)
    return metric


def needs_package(proposal: Proposal) -> bool:
    """True when the metric reads a measure, model, metric or dimension that does not exist yet."""
    return bool(
        proposal.new_measures or proposal.new_model or proposal.new_metrics or proposal.new_dimensions
    )


def _set_filters(metric: dict[str, Any], base: Any, chosen: list[str]) -> None:
    """The accepted metric with the rule filters as chosen (the base metric's own filters kept)."""
    if metric["type"] == "simple":
        own = [w.sql for w in base.filter]
        if base.measure is not None:
            own += [w.sql for w in base.measure.filter]
        metric.pop("filter", None)
        if own + chosen:
            metric["filter"] = _join(own + chosen)
        return
    for item in metric["type_params"]["metrics"]:
        item.pop("filter", None)
        if chosen:
            item["filter"] = _join(chosen)


def _join(filters: list[str]) -> str:
    unique = list(dict.fromkeys(filters))
    return unique[0] if len(unique) == 1 else " and ".join(f"({f})" for f in unique)


def metric_sql(project: Project, metric: dict[str, Any]) -> str:
    """The metric's SQL by ``metric_time__month`` (compiled; a problem is a ``QueryError``)."""
    try:
        return preview_sql(
            project.model, metric, dialect=project.dialect, max_hops=int(project.setting("max_join_hops"))
        )
    except QueryError:
        raise
    except MetricmindError as exc:
        raise QueryError(f"the metric does not compile: {exc.message}", hint=exc.hint) from exc


def run_preview(project: Project, metric: dict[str, Any], proposal: Proposal | None = None) -> dict[str, Any]:
    """Compile the metric by month and run it on the warehouse (not saved): SQL, rows, timing.

    A proposal that needs new parts runs its own ``preview_sql`` (the new model's refs compiled to
    relations): the project's model does not hold them yet.
    """
    if (
        proposal is not None
        and needs_package(proposal)
        and metric == proposal.metric
        and proposal.preview_sql
    ):
        sql = proposal.preview_sql
    else:
        sql = metric_sql(project, metric)
    result = project.warehouse.run(sql)
    return {
        "sql": sql,
        "columns": list(result.columns),
        "rows": [list(r) for r in result.rows],
        "row_count": len(result.rows),
        "elapsed_ms": round(result.elapsed_ms, 2),
    }


def sections(proposal: Proposal) -> dict[str, Any]:
    """The proposal as the page shows it: each section's suggestions, the rules, what blocks saving."""
    data = proposal.to_dict()
    unread = [i for i, r in enumerate(proposal.rules) if r.status == "unread"]
    return {
        "proposal": data,
        "refused": proposal.refused,
        "message": proposal.message,
        "closest": closest(proposal),
        "unread_rules": unread,
        "reuse": next((s.name for s in proposal.similar[:1] if "reuse it?" in s.reason), None),
    }


def _all(form: Mapping[str, Any], key: str) -> list[str]:
    getlist = getattr(form, "getlist", None)
    if getlist is not None:
        return [str(v) for v in getlist(key)]
    value = form.get(key)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]
