"""A metric said as the formula that defines it, in an analyst's arithmetic: "sum(mrr) * 12" (ARR, defined as
``mrr * 12``), "playtime minutes / 60" (playtime in hours). A metric, an operator (``*``, ``×``, ``x``,
"times", ``/``, "divided by") and a number that together are a derived metric's own expression name that
metric: read from the catalog's expressions, never from a list of formulas.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from metricmind.resolve.reading import _ReadingBase
from metricmind.resolve.text import Token, number
from metricmind.spec.model import MetricType, Model

OPERATORS = {"*": "*", "×": "*", "x": "*", "times": "*", "/": "/", "divided": "/", "over": "/"}
"""How an operator is said, by the operator it is."""
AGGREGATES = frozenset({"sum", "total", "count", "avg", "average"})
"""An aggregate wrapped around a metric's name ("sum(mrr)"): the metric itself, already aggregated."""


@dataclass(frozen=True)
class Formula:
    """A derived metric said as its expression: the metric it names and the words said (``first``..``last``)."""

    metric: str
    first: int
    last: int


def said_formula(
    question: str, tokens: Sequence[Token], metric_at: Callable[[int, int], str | None], model: Model
) -> Formula | None:
    """The derived metric whose expression is a metric said at ``metric_at(first, last)`` (the metric a phrase
    names, None when none), an operator and a number right after it ("sum(mrr) * 12"), if one is.
    """
    for k, t in enumerate(tokens):
        n = number(t.norm)
        if n is None or k < 1:
            continue
        op, before = _operator(question, tokens, k)
        if op is None:
            continue
        for first in range(max(0, before - 3), before + 1) if before >= 0 else ():
            metric = metric_at(first, before + 1)
            if metric is None:
                continue
            derived = _defined_as(model, metric, op, n)
            if derived is not None:
                start = first - 1 if first > 0 and tokens[first - 1].norm in AGGREGATES else first
                return Formula(derived, start, k + 1)
    return None


def _operator(question: str, tokens: Sequence[Token], k: int) -> tuple[str | None, int]:
    """The operator right before the number at ``k`` (a word, or a mark between the words) and the position of
    the word before the operator.
    """
    j = k - 1
    w = tokens[j].norm
    if w in ("x", "times", "over"):
        return OPERATORS[w], j - 1
    if w == "by" and j >= 1 and tokens[j - 1].norm == "divided":
        return "/", j - 2
    marks = [OPERATORS[c] for c in question[tokens[j].end : tokens[k].start] if c in "*×/"]
    return (marks[0], j) if len(marks) == 1 else (None, -1)


def _defined_as(model: Model, metric: str, op: str, n: int) -> str | None:
    """The one derived metric whose expression is ``metric op n`` (or ``n * metric``)."""
    found: list[str] = []
    for name, m in model.metrics.items():
        if m.type != MetricType.DERIVED or len(m.inputs) != 1 or m.inputs[0].name != metric:
            continue
        said = m.inputs[0].alias or metric
        expr = re.sub(r"\s+", "", m.expr or "")
        forms = {f"{said}{op}{n}"} | ({f"{n}*{said}"} if op == "*" else set())
        if expr in forms:
            found.append(name)
    return found[0] if len(found) == 1 else None


def read_formula(reading: _ReadingBase, formula: Formula) -> list[str]:
    """The reading of a metric said as its formula: its words claimed and shown as the derived metric."""
    reading.claim(formula.first, formula.last)
    reading.res.spans["metrics"] = []
    reading.span("metrics", formula.first, formula.last, formula.metric, "formula")
    return [formula.metric]
