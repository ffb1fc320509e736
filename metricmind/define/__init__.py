"""The definition agent: a plain-English definition and business rules → a reviewed metric proposal.

``analyze(Definition(name, text, rules), model)`` ranks existing metrics and sources, reads the rules into
``{{ Dimension(...) }}`` filters, and proposes a MetricFlow metric with its SQL; pure and deterministic.
"""

from __future__ import annotations

from metricmind.define.analyze import analyze, model_with, preview_sql
from metricmind.define.proposal import (
    Check,
    Definition,
    NewMeasure,
    NewModel,
    Proposal,
    RuleReading,
    Suggestion,
)
from metricmind.define.sources import suggest_sources, tokens

__all__ = [
    "Check",
    "Definition",
    "NewMeasure",
    "NewModel",
    "Proposal",
    "RuleReading",
    "Suggestion",
    "analyze",
    "model_with",
    "preview_sql",
    "suggest_sources",
    "tokens",
]
