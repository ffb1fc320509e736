"""The definition agent: a plain-English definition and business rules → a reviewed metric proposal.

``analyze(Definition(name, text, rules), model)`` ranks existing metrics and sources, reads the rules into
``{{ Dimension(...) }}`` filters, and proposes a MetricFlow metric with its SQL; pure and deterministic.
``generate(proposal, project)`` turns it into a tested dbt package; ``write_package`` puts that on a review
branch as a draft change.
"""

from __future__ import annotations

from metricmind.define.analyze import analyze
from metricmind.define.build import model_with, preview_sql
from metricmind.define.confidence import confirmed, is_doubt
from metricmind.define.generate import GenerateError, generate
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
from metricmind.define.writer import PackageBlocked, build_branch, check_approval, write_package
from metricmind.export import BuildResult, Package

__all__ = [
    "BuildResult",
    "Check",
    "Definition",
    "GenerateError",
    "NewMeasure",
    "NewModel",
    "Package",
    "PackageBlocked",
    "Proposal",
    "RuleReading",
    "Suggestion",
    "analyze",
    "build_branch",
    "check_approval",
    "confirmed",
    "generate",
    "is_doubt",
    "model_with",
    "preview_sql",
    "suggest_sources",
    "tokens",
    "write_package",
]
