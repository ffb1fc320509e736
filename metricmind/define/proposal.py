"""The definition agent's input and output: ``Definition`` in, ``Proposal`` out (plain data, JSON-ready)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any


@dataclass(frozen=True)
class Definition:
    """What a person typed: a metric name, a one-line definition and business rules in plain English."""

    name: str
    text: str
    rules: tuple[str, ...] = ()


@dataclass(frozen=True)
class Suggestion:
    """One suggestion (a source, a similar metric, the measure, a dimension) a person can check.

    ``confidence`` is between 0 and 1; ``reason`` is one line saying why.
    """

    kind: str  # metric | measure | dataset | time | dimension | excluded_dimension
    name: str
    confidence: float
    reason: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RuleReading:
    """How one business rule was read.

    ``status`` is ``filter`` (it became ``predicate``, a ``{{ Dimension(...) }}`` filter), ``covered``
    (the chosen source already does it), ``time`` (it chose the time dimension), ``noop`` (it restricts
    nothing) or ``unread`` (the agent could not read it: shown, never dropped).
    """

    text: str
    status: str
    confidence: float
    reason: str
    predicate: str | None = None
    suggestion: str | None = None  # the nearest existing value, for a value that does not exist


@dataclass(frozen=True)
class NewDimension:
    """A time dimension to add to an existing semantic model: a date column of its table the definition
    counts by and the catalog does not declare ("By the write-off date": ``written_off_at``).

    ``dimension`` is a MetricFlow ``dimensions:`` item; a new measure of the proposal is dated by it.
    """

    semantic_model: str
    dimension: dict[str, Any]
    reason: str


@dataclass(frozen=True)
class NewMeasure:
    """A measure to add to an existing semantic model (no measure of the catalog fits).

    ``measure`` is a MetricFlow ``measures:`` item (``name``, ``agg``, ``expr``, ``agg_time_dimension``,
    optionally ``non_additive_dimension`` for a snapshot); ``semantic_model`` names the existing model.
    """

    semantic_model: str
    measure: dict[str, Any]
    reason: str
    confidence: float = 0.7


@dataclass(frozen=True)
class NewModel:
    """A dbt model the metric needs (no semantic model holds its grain).

    ``sql`` is a dbt model body in CTE style that reads canonical datasets only, as
    ``{{ ref('canonical_name') }}``; ``semantic_model`` is a MetricFlow ``semantic_models:`` item whose
    ``model`` is ``ref('<name>')``; ``materialization`` is ``table`` or ``view`` and ``reason`` says why
    the model is needed and why that materialization. ``refs`` lists the canonical datasets read;
    ``compiled_sql`` is ``sql`` with each ref replaced by the dataset's warehouse relation (what the
    preview and the bench run without dbt).
    """

    name: str
    sql: str
    semantic_model: dict[str, Any]
    materialization: str
    reason: str
    refs: tuple[str, ...] = ()
    compiled_sql: str = ""


@dataclass(frozen=True)
class Check:
    """A data-quality check to generate as a dbt test.

    ``kind`` is ``not_null``, ``non_negative``, ``unique`` (the grain, ``columns``), ``accepted_values``
    (``params["values"]``), ``reconcile`` (the metric's total equals the sum over ``params["dimension"]``)
    or ``range`` (``params["min"]``/``params["max"]`` learned from history); ``target`` is the relation or
    model (``ref`` name) or the metric it applies to.
    """

    kind: str
    target: str
    columns: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)
    reason: str = ""


@dataclass
class Proposal:
    """The analysis of a ``Definition``: ranked suggestions, the rules read, and the top metric.

    ``refused`` is a code (``no_data``, ``unknown_value``, ``contradictory_rules``, ``name_exists``,
    ``bad_input``, ``unsupported``) when no metric is proposed; ``message`` then says why and what to do.
    When no existing measure fits, ``new_measures`` (on existing semantic models) and/or ``new_model`` (a
    dbt model plus its semantic model) hold what the metric needs, and ``new_metrics`` the metrics
    (``metrics:`` items, drafts) that ``metric`` reads and that do not exist yet (a ratio's numerator and
    denominator); ``metric`` and ``preview_sql`` then use them (``preview_sql`` runs on the warehouse without dbt: refs compiled to relations).
    """

    definition: Definition
    refused: str | None = None
    message: str = ""
    sources: list[Suggestion] = field(default_factory=list)
    similar: list[Suggestion] = field(default_factory=list)
    measure: Suggestion | None = None
    time_dimension: Suggestion | None = None
    dimensions: list[Suggestion] = field(default_factory=list)
    excluded_dimensions: list[Suggestion] = field(default_factory=list)
    rules: list[RuleReading] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)  # the reused metric's own rules no rule spoke of
    metric: dict[str, Any] | None = None
    new_measures: list[NewMeasure] = field(default_factory=list)  # measures to add to existing models
    new_dimensions: list[NewDimension] = field(default_factory=list)  # time dimensions the measures need
    new_model: NewModel | None = None  # a dbt model (and its semantic model) the metric needs
    new_metrics: list[dict[str, Any]] = field(default_factory=list)  # inputs of ``metric`` (a ratio's parts)
    checks: list[Check] = field(default_factory=list)  # data-quality checks → dbt tests
    preview_sql: str | None = None
    confidence: float = 0.0  # how sure the agent is that ``metric`` computes what the person meant
    doubts: list[str] = field(default_factory=list)  # what lowered ``confidence``, each with its alternatives
    elapsed_ms: float = 0.0

    @property
    def unread(self) -> list[RuleReading]:
        """The rules the agent could not read."""
        return [r for r in self.rules if r.status == "unread"]

    def to_dict(self) -> dict[str, Any]:
        """The proposal as JSON-ready data."""
        data = asdict(self)
        data["definition"]["rules"] = list(self.definition.rules)
        data["unread"] = [r.text for r in self.unread]
        return data


def as_written(proposal: Proposal, work: Definition, original: Definition) -> None:
    """The proposal's texts as the person wrote them (the analysis read abbreviations written out)."""
    proposal.definition = original
    said = dict(zip(work.rules, original.rules, strict=True)) | {work.text: original.text}
    proposal.rules = [
        replace(r, text=said.get(r.text, r.text.replace(work.text, original.text))) for r in proposal.rules
    ]
    for item in [proposal.metric, *proposal.new_metrics]:
        if not item:
            continue
        if item.get("description") == work.text:
            item["description"] = original.text
        meta = item.get("config", {}).get("meta", {})
        if meta.get("definition") == work.text:
            meta["definition"] = original.text
        if meta.get("business_rules"):
            meta["business_rules"] = [said.get(str(r), str(r)) for r in meta["business_rules"]]
