"""The definition agent's input and output: ``Definition`` in, ``Proposal`` out (plain data, JSON-ready)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
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


@dataclass
class Proposal:
    """The analysis of a ``Definition``: ranked suggestions, the rules read, and the top metric.

    ``refused`` is a code (``no_data``, ``unknown_value``, ``contradictory_rules``, ``name_exists``,
    ``bad_input``, ``unsupported``) when no metric is proposed; ``message`` then says why and what to do.
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
    preview_sql: str | None = None
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
