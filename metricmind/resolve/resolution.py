"""What the resolver answers: the parts of a metric query, the text behind each, or a refusal."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from metricmind.resolve.timephrases import comparison_range
from metricmind.spec.names import METRIC_TIME, SEP
from metricmind.spec.query import MetricQuery


@dataclass(frozen=True)
class Span:
    """The words of the question behind one part of the answer."""

    text: str
    start: int
    end: int
    target: str
    how: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        out: dict[str, Any] = {"text": self.text, "start": self.start, "end": self.end, "target": self.target}
        if self.how:
            out["how"] = self.how
        return out


@dataclass(frozen=True)
class Filter:
    """``field op value`` (``values`` for ``in`` and ``not in``)."""

    field: str
    op: str
    values: tuple[str, ...]
    metric: str | None = None  # a threshold on this metric per ``field`` (an entity), not a dimension

    def to_dict(self) -> dict[str, Any]:
        """The ``ask --json`` filter shape."""
        if self.metric is not None:
            return {
                "metric": self.metric,
                "group_by": [self.field],
                "op": self.op,
                "value": float(self.values[0]),
            }
        if self.op in ("in", "not in"):
            return {"field": self.field, "op": self.op, "values": list(self.values)}
        return {"field": self.field, "op": self.op, "value": self.values[0]}

    def where(self) -> str:
        """The filter in MetricFlow's syntax (values quoted; the compiler parses and checks it)."""
        if self.metric is not None:
            amount = float(self.values[0])
            shown = str(int(amount)) if amount.is_integer() else str(amount)
            return f"{{{{ Metric('{self.metric}', group_by=['{self.field}']) }}}} {self.op} {shown}"
        kind = "Dimension" if SEP in self.field or self.field == METRIC_TIME else "Entity"
        ref = f"{{{{ {kind}('{self.field}') }}}}"  # a bare name is an entity's key ("on DLX": the room type)
        quoted = [_quote(v) for v in self.values]
        if self.op in ("in", "not in"):
            return f"{ref} {self.op.upper()} ({', '.join(quoted)})"
        return f"{ref} {'<>' if self.op == '!=' else self.op} {quoted[0]}"


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


REFUSAL_CONFIDENCE = 0.3
"""A refusal's confidence: the reading it could not complete is not one to act on."""


@dataclass
class Resolution:
    """A resolved question: ``answerable`` with the query parts, or a refusal with the nearest options."""

    question: str
    as_of: dt.date
    answerable: bool = True
    reason: str | None = None
    metrics: list[str] = field(default_factory=list)
    group_by: list[tuple[str, str | None]] = field(default_factory=list)
    time_range: tuple[dt.date, dt.date] | None = None
    time_unit: str | None = None
    filters: list[Filter] = field(default_factory=list)
    order_by: list[tuple[str, bool]] = field(default_factory=list)
    limit: int | None = None
    comparison: str | None = None
    comparison_range: tuple[dt.date, dt.date] | None = None
    spans: dict[str, list[Span]] = field(default_factory=dict)
    confidence: float = 1.0
    nearest: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    clarify: dict[str, Any] | None = None
    """When the reading was too close to call: ``{"question": str, "choices": [{"label", "question",
    "metrics", "query"}]}``, each choice a complete reading the person can pick (MCP and web show them)."""
    analysis: dict[str, Any] | None = None
    """Set when the question asks for an analysis (``resolve.analysisrequest``), not a metric query."""
    in_words: str = ""
    """The reading in words, dates spelled out (``resolve.analyst.reading_in_words``)."""
    assumptions: list[str] = field(default_factory=list)
    """What the reading assumed that the question did not say (no period named, a default model, …)."""

    def span(self, part: str, span: Span) -> None:
        """Remember the words behind ``part``."""
        self.spans.setdefault(part, []).append(span)

    def refuse(self, reason: str, nearest: list[dict[str, str]] | None = None) -> Resolution:
        """Turn this into a refusal (the first reason wins)."""
        if self.answerable:
            self.answerable = False
            self.reason = reason
            self.nearest = nearest or []
            self.confidence = min(self.confidence, REFUSAL_CONFIDENCE)
        return self

    # -- the query -----------------------------------------------------------------------------
    def group_names(self) -> list[str]:
        """Group-by names as the compiler takes them (``metric_time__month``)."""
        return [f"{name}{SEP}{grain}" if grain else name for name, grain in self.group_by]

    def query_dict(self) -> dict[str, Any] | None:
        """The query in ``MetricQuery.build`` / MCP ``query_metrics`` form; None when unanswerable."""
        if not self.answerable or not self.metrics:
            return None
        return self._query(self.time_range)

    def comparison_query_dict(self) -> dict[str, Any] | None:
        """The same query over the comparison period, when there is one."""
        rng = self.comparison_dates()
        if not self.answerable or rng is None:
            return None
        return self._query(rng)

    def comparison_dates(self) -> tuple[dt.date, dt.date] | None:
        """The range the comparison refers to."""
        if self.comparison_range is not None:
            return self.comparison_range
        if self.comparison and self.time_range:
            return comparison_range(*self.time_range, self.comparison, self.time_unit)
        return None

    def _query(self, rng: tuple[dt.date, dt.date] | None) -> dict[str, Any]:
        return {
            "metrics": list(self.metrics),
            "group_by": self.group_names(),
            "where": [f.where() for f in self.filters],
            "start": rng[0].isoformat() if rng else None,
            "end": rng[1].isoformat() if rng else None,
            "order_by": [("-" if desc else "") + name for name, desc in self.order_by],
            "limit": self.limit,
        }

    def metric_query(self, *, comparison: bool = False) -> MetricQuery | None:
        """The ``MetricQuery`` (or that of the comparison period)."""
        data = self.comparison_query_dict() if comparison else self.query_dict()
        return None if data is None else MetricQuery.build(**data)

    # -- JSON ----------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The ``metricmind ask --json`` shape, plus ``query`` (ready to run) and diagnostics."""
        rng = self.time_range
        out: dict[str, Any] = {
            "answerable": self.answerable,
            "reason": self.reason,
            "metrics": list(self.metrics),
            "group_by": [{"name": n, "grain": g} for n, g in self.group_by],
            "time_range": {"start": rng[0].isoformat(), "end": rng[1].isoformat()} if rng else None,
            "filters": [f.to_dict() for f in self.filters],
            "order_by": [{"name": n, "desc": d} for n, d in self.order_by],
            "limit": self.limit,
            "comparison": self.comparison,
            "spans": {k: [s.to_dict() for s in v] for k, v in self.spans.items()},
            "query": self.query_dict(),
            "comparison_query": self.comparison_query_dict(),
            "confidence": round(self.confidence, 2),
            "as_of": self.as_of.isoformat(),
        }
        if self.nearest:
            out["nearest"] = self.nearest
        if self.notes:
            out["notes"] = list(self.notes)
        if self.clarify is not None:
            out["clarify"] = self.clarify
        if self.analysis is not None:
            out["analysis"] = dict(self.analysis)
        if self.answerable and self.in_words:
            out["in_words"] = self.in_words
            out["assumptions"] = list(self.assumptions)
        return out

    @property
    def uses_time(self) -> bool:
        """Whether ``metric_time`` is grouped by."""
        return any(n == METRIC_TIME for n, _ in self.group_by)
