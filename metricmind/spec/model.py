"""The semantic model: typed, immutable values loaded from MetricFlow YAML.

Names follow MetricFlow's vocabulary (semantic model, entity, dimension, measure, metric) so that an
analytics engineer can read this module next to the dbt documentation.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


class Grain(str, enum.Enum):
    """Time granularities, finest first."""

    SECOND = "second"
    MINUTE = "minute"
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"

    @property
    def rank(self) -> int:
        """Position from finest (0) to coarsest."""
        return _GRAIN_ORDER.index(self)

    @classmethod
    def parse(cls, text: str) -> Grain:
        """Parse ``day``/``days``/``Month`` into a grain; raises ``ValueError`` when unknown."""
        word = text.strip().lower()
        if word.endswith("s") and word[:-1] in _GRAIN_NAMES:
            word = word[:-1]
        return cls(word)

    @property
    def sub_day(self) -> bool:
        """True for hour, minute and second."""
        return self.rank < _GRAIN_ORDER.index(Grain.DAY)


_GRAIN_ORDER = list(Grain)
_GRAIN_NAMES = {g.value for g in Grain}
# Grains finer than a second MetricFlow knows: accepted in YAML and read as a second, with a warning.
FINE_GRAINS = ("nanosecond", "microsecond", "millisecond")
#: Grains finer than a day: time dimensions and ``metric_time`` group by them; windows, periods and the
#: time spine do not yet (an error at the metric's line).
SUB_DAY = ("second", "minute", "hour")
DATE_PARTS = ("year", "quarter", "month", "week", "day", "dow", "doy")


class EntityType(str, enum.Enum):
    """How an entity column relates rows of its semantic model to the entity."""

    PRIMARY = "primary"
    UNIQUE = "unique"
    NATURAL = "natural"
    FOREIGN = "foreign"

    @property
    def is_key(self) -> bool:
        """True when each entity value appears at most once in the model (a join target)."""
        return self is not EntityType.FOREIGN


class Agg(str, enum.Enum):
    """Measure aggregations."""

    SUM = "sum"
    COUNT = "count"
    COUNT_DISTINCT = "count_distinct"
    AVERAGE = "average"
    MIN = "min"
    MAX = "max"
    SUM_BOOLEAN = "sum_boolean"
    MEDIAN = "median"
    PERCENTILE = "percentile"

    @property
    def additive(self) -> bool:
        """True when partial aggregates can be summed into a total."""
        return self in (Agg.SUM, Agg.COUNT, Agg.SUM_BOOLEAN)


class MetricType(str, enum.Enum):
    """Metric kinds of MetricFlow."""

    SIMPLE = "simple"
    RATIO = "ratio"
    DERIVED = "derived"
    CUMULATIVE = "cumulative"
    CONVERSION = "conversion"


@dataclass(frozen=True)
class Where:
    """A filter as written in YAML (MetricFlow Jinja syntax or plain SQL), with where it came from."""

    sql: str
    file: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class Entity:
    """A join key of a semantic model."""

    name: str
    type: EntityType
    expr: str
    description: str = ""
    label: str = ""
    meta: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Dimension:
    """A column to group or filter by; time dimensions carry a base granularity."""

    name: str
    type: str  # "categorical" | "time"
    expr: str
    grain: Grain | None = None
    description: str = ""
    label: str = ""
    is_partition: bool = False
    meta: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    line: int | None = None
    validity: str | None = None  # "start" | "end": the validity window of a type II slowly changing dimension

    @property
    def is_time(self) -> bool:
        """True for time dimensions."""
        return self.type == "time"


@dataclass(frozen=True)
class NonAdditive:
    """``non_additive_dimension``: take only the rows at the first/last time of each period (snapshots)."""

    name: str
    window_choice: str = "max"  # "min" | "max"
    window_groupings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Measure:
    """An aggregation over a column expression of a semantic model."""

    name: str
    agg: Agg
    expr: str
    agg_time_dimension: str
    semantic_model: str
    description: str = ""
    label: str = ""
    non_additive: NonAdditive | None = None
    percentile: float | None = None
    discrete_percentile: bool = False
    approximate_percentile: bool = False
    meta: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    line: int | None = None


@dataclass(frozen=True)
class SemanticModel:
    """One table (a dbt model) described as entities, dimensions and measures."""

    name: str
    relation: str
    ref: str
    entities: tuple[Entity, ...]
    dimensions: tuple[Dimension, ...]
    measures: tuple[Measure, ...]
    description: str = ""
    label: str = ""
    primary_entity: str | None = None
    default_agg_time_dimension: str | None = None
    meta: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    file: str | None = None
    line: int | None = None

    def entity(self, name: str) -> Entity | None:
        """The entity called ``name``, if any."""
        return next((e for e in self.entities if e.name == name), None)

    def dimension(self, name: str) -> Dimension | None:
        """The dimension called ``name``, if any."""
        return next((d for d in self.dimensions if d.name == name), None)

    @property
    def validity(self) -> tuple[Dimension, Dimension] | None:
        """The start and end time dimensions of a type II slowly changing dimension table, if it is one."""
        start = next((d for d in self.dimensions if d.validity == "start"), None)
        end = next((d for d in self.dimensions if d.validity == "end"), None)
        return (start, end) if start is not None and end is not None else None

    @property
    def primary(self) -> str | None:
        """The name of the primary entity (declared or via ``primary_entity``)."""
        for e in self.entities:
            if e.type is EntityType.PRIMARY:
                return e.name
        return self.primary_entity


@dataclass(frozen=True)
class MeasureInput:
    """A measure as used by a metric, with its own options."""

    name: str
    filter: tuple[Where, ...] = ()
    alias: str | None = None
    join_to_timespine: bool = False
    fill_nulls_with: int | float | None = None


@dataclass(frozen=True)
class MetricInput:
    """A metric used by a ratio or derived metric, with optional filter, alias and time offset."""

    name: str
    filter: tuple[Where, ...] = ()
    alias: str | None = None
    offset_window: str | None = None
    offset_to_grain: Grain | None = None

    @property
    def ref_name(self) -> str:
        """The name the derived expression uses for it."""
        return self.alias or self.name


@dataclass(frozen=True)
class ConstantProperty:
    """A property that must match between the base and the conversion event."""

    base_property: str
    conversion_property: str


@dataclass(frozen=True)
class Conversion:
    """``conversion_type_params``."""

    base_measure: MeasureInput
    conversion_measure: MeasureInput
    entity: str
    calculation: str = "conversion_rate"  # or "conversions"
    window: str | None = None
    constant_properties: tuple[ConstantProperty, ...] = ()


@dataclass(frozen=True)
class Cumulative:
    """``cumulative_type_params``: a trailing ``window``, ``grain_to_date``, or all time (neither)."""

    window: str | None = None
    grain_to_date: Grain | None = None
    period_agg: str = "first"  # first | last | average


@dataclass(frozen=True)
class Metric:
    """A metric of any type, with its metadata (``config.meta``)."""

    name: str
    type: MetricType
    label: str = ""
    description: str = ""
    filter: tuple[Where, ...] = ()
    measure: MeasureInput | None = None
    numerator: MetricInput | None = None
    denominator: MetricInput | None = None
    expr: str | None = None
    inputs: tuple[MetricInput, ...] = ()
    cumulative: Cumulative | None = None
    conversion: Conversion | None = None
    time_granularity: Grain | None = None
    meta: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    file: str | None = None
    line: int | None = None

    @property
    def category(self) -> str:
        """``config.meta.category`` or ``Uncategorized``."""
        return str(self.meta.get("category") or "Uncategorized")

    @property
    def owner(self) -> str:
        """``config.meta.owner`` or an empty string."""
        return str(self.meta.get("owner") or "")

    @property
    def synonyms(self) -> tuple[str, ...]:
        """``config.meta.synonyms``."""
        value = self.meta.get("synonyms") or ()
        return tuple(str(v) for v in value) if isinstance(value, list | tuple) else (str(value),)


@dataclass(frozen=True)
class SavedQuery:
    """A named query (``saved_queries``)."""

    name: str
    metrics: tuple[str, ...]
    group_by: tuple[str, ...]
    where: tuple[Where, ...] = ()
    description: str = ""
    label: str = ""
    file: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class TimeSpine:
    """The daily date table used for metric_time offsets, cumulative windows and gap filling."""

    relation: str
    column: str
    grain: Grain = Grain.DAY
    custom_granularities: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class CanonicalDataset:
    """A certified ("golden") dataset: grain, owner, SLA and lineage."""

    name: str
    relation: str
    ref: str
    description: str = ""
    grain: str = ""
    primary_key: tuple[str, ...] = ()
    owner: str = ""
    sla: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    certification: str = ""
    core_attributes: tuple[str, ...] = ()
    upstream: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    file: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class Model:
    """Everything a project defines, indexed by name."""

    semantic_models: dict[str, SemanticModel]
    metrics: dict[str, Metric]
    saved_queries: dict[str, SavedQuery] = field(default_factory=dict)
    time_spine: TimeSpine | None = None
    canonical_datasets: dict[str, CanonicalDataset] = field(default_factory=dict)
    name: str = "project"
    #: the project's time spines finer than a day (hour, minute, second), for sub-day ``metric_time``
    fine_spines: tuple[TimeSpine, ...] = ()

    def spine_for(self, grain: Grain) -> TimeSpine | None:
        """The time spine that lists ``grain``'s periods: the daily one for a day or coarser, else the
        coarsest sub-day spine at least as fine as ``grain`` (an hourly one for hours, truncated).
        """
        if not grain.sub_day:
            return self.time_spine
        fine = [s for s in self.fine_spines if s.grain.rank <= grain.rank]
        return max(fine, key=lambda s: s.grain.rank) if fine else None

    def __post_init__(self) -> None:
        measures: dict[str, Measure] = {}
        for sm in self.semantic_models.values():
            for m in sm.measures:
                measures.setdefault(m.name, m)
        object.__setattr__(self, "_measures", measures)

    @property
    def measures(self) -> dict[str, Measure]:
        """Every measure by name (names are unique across the project)."""
        result: dict[str, Measure] = getattr(self, "_measures")  # noqa: B009
        return result

    def measures_of(self, metric: str, _stack: tuple[str, ...] = (), *, grouped: bool = False) -> list[str]:
        """The measures a metric is computed from, following ratio, derived and conversion inputs
        (unknown names and cycles give nothing). With ``grouped``, only those its group-by names are
        resolved from: a conversion metric groups by its base events only.
        """
        m = self.metrics.get(metric)
        if m is None or metric in _stack:
            return []
        out: list[str] = []
        if m.measure:
            out.append(m.measure.name)
        if m.conversion:
            out.append(m.conversion.base_measure.name)
            if not grouped:
                out.append(m.conversion.conversion_measure.name)
        for mi in (m.numerator, m.denominator, *m.inputs):
            if mi is not None:
                out += self.measures_of(mi.name, (*_stack, metric), grouped=grouped)
        return list(dict.fromkeys(out))

    def shifted_time_dimensions(
        self, metric: str, _stack: tuple[str, ...] = (), _shifted: bool = False
    ) -> set[tuple[str, str]]:
        """(semantic model, time dimension) of the measures ``metric`` cumulates or offsets: grouping by
        that dimension by name is refused (the compiler's ``_check_cumulative_own_time``), so listings and
        the resolver leave it out.
        """
        m = self.metrics.get(metric)
        if m is None or metric in _stack:
            return set()
        out: set[tuple[str, str]] = set()
        shifted = _shifted or m.type is MetricType.CUMULATIVE
        if m.measure and shifted:
            measure = self.measures.get(m.measure.name)
            if measure is not None and measure.agg_time_dimension:
                out.add((measure.semantic_model, measure.agg_time_dimension))
        for mi in (m.numerator, m.denominator, *m.inputs):
            if mi is not None:
                moved = shifted or bool(mi.offset_window or mi.offset_to_grain)
                out |= self.shifted_time_dimensions(mi.name, (*_stack, metric), moved)
        return out

    def min_grain(self, metric: str) -> Grain | None:
        """The finest ``metric_time`` grain ``metric`` can be grouped by: the coarsest declared
        ``time_granularity`` of its measures' time dimensions (a monthly snapshot has no days).
        """
        grains = []
        for name in self.measures_of(metric):
            measure = self.measures.get(name)
            sm = self.semantic_models.get(measure.semantic_model) if measure else None
            dim = sm.dimension(measure.agg_time_dimension) if sm and measure else None
            if dim is not None and dim.grain is not None:
                grains.append(dim.grain)
        return max(grains, key=lambda g: g.rank) if grains else None

    def source_models(self, metric: str, *, grouped: bool = False) -> set[str]:
        """The semantic models a metric reads (through its measures); with ``grouped``, those its
        group-by names are resolved from (a conversion metric's base model, not its conversion model).
        """
        measures = self.measures_of(metric, grouped=grouped)
        return {self.measures[m].semantic_model for m in measures if m in self.measures}

    def measure_model(self, measure: str) -> SemanticModel:
        """The semantic model that owns ``measure``."""
        return self.semantic_models[self.measures[measure].semantic_model]

    def iter_dimensions(self) -> Iterator[tuple[SemanticModel, Dimension]]:
        """Every (semantic model, dimension) pair."""
        for sm in self.semantic_models.values():
            for d in sm.dimensions:
                yield sm, d
