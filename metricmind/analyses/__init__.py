"""Advanced analytics on canonical datasets: attribution, lifecycle, MRR movements and cohorts.

Pure computations (numpy) over journeys and monthly panels, the JSON file formats that feed them, and the
warehouse extraction that builds the same inputs from a project's canonical tables. Definitions:
``docs/analyses.md``.
"""

from __future__ import annotations

from typing import Any

from metricmind.analyses.attribution import MODELS, attribute
from metricmind.analyses.extract import ANALYSES
from metricmind.analyses.inputs import read_attribution, read_lifecycle, read_mrr, read_subscriptions
from metricmind.analyses.lifecycle import lifecycle
from metricmind.analyses.periods import AnalysisInputError
from metricmind.analyses.revenue import cohorts, mrr_movements, retention_windows

__all__ = ["ANALYSES", "MODELS", "AnalysisInputError", "analyze_data"]


def analyze_data(
    analysis: str,
    data: object,
    *,
    models: list[str] | None = None,
    half_life_days: float | None = None,
    markov_order: int | None = None,
) -> dict[str, Any]:
    """Run one analysis on a parsed JSON input (the file format of ``docs/analyses.md``).

    Args:
        analysis: ``attribution``, ``lifecycle``, ``mrr-movements`` or ``cohorts``.
        data: The parsed JSON document.
        models: Attribution models; overrides the file's ``models``.
        half_life_days: Time-decay half-life; overrides the file's ``time_decay_half_life_days``.
        markov_order: Markov order; overrides the file's ``markov_order``.

    Returns:
        The JSON-ready result.

    Raises:
        AnalysisInputError: Bad input, naming the row; or an unknown analysis.
    """
    if analysis == "attribution":
        checked = read_attribution(data)
        return attribute(
            checked.journeys,
            models if models is not None else checked.models,
            half_life_days=half_life_days if half_life_days is not None else checked.half_life_days,
            markov_order=markov_order if markov_order is not None else checked.markov_order,
        )
    if analysis == "lifecycle":
        return lifecycle(read_lifecycle(data))
    if analysis == "mrr-movements":
        checked_mrr = read_mrr(data)
        out = mrr_movements(checked_mrr.panel)
        out["windows"] = retention_windows(checked_mrr.panel, checked_mrr.windows)
        return out
    if analysis == "cohorts":
        return cohorts(read_subscriptions(data))
    raise AnalysisInputError(f"unknown analysis {analysis!r}", hint=f"Use one of {', '.join(ANALYSES)}.")
