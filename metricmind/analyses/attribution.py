"""Multi-touch attribution: seven models over the same journeys, side by side.

Only converted journeys earn credit. Each converted journey hands out one conversion and its revenue;
rule-based models give every touch a share (a repeated channel earns each of its shares) and shares are
summed per channel. The definitions are in ``docs/analyses.md``; this module is their one implementation.

>>> import numpy as np
>>> j = Journeys.build(("ads", "email"), np.array([0, 0]), np.array([0, 1]), np.array([0.0, 1.0]),
...                    np.array([True]), np.array([10.0]))
>>> attribute(j, ["linear"])["models"]["linear"]["revenue"]
{'ads': 5.0, 'email': 5.0}
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from metricmind.analyses.journeys import BoolArray, FloatArray, Journeys
from metricmind.analyses.markov import markov_removal_effects
from metricmind.analyses.periods import AnalysisInputError
from metricmind.analyses.shapley import ORDERED_MAX_CHANNELS, shapley_closed_form, shapley_ordered
from metricmind.errors import closest

MODELS = ("first_touch", "last_touch", "linear", "position_based", "time_decay", "shapley", "markov")
"""The default models, in the order they are shown."""
EXTRA_MODELS = ("shapley_ordered",)
"""Models computed only when asked for."""
DEFAULT_HALF_LIFE_DAYS = 7.0
SECONDS_PER_DAY = 86_400.0


def check_models(models: Sequence[str], where: str = "models") -> list[str]:
    """The model names, de-duplicated in order; unknown names fail with a suggestion.

    Raises:
        AnalysisInputError: An unknown model name, or an empty list.
    """
    known = (*MODELS, *EXTRA_MODELS)
    out: list[str] = []
    for i, name in enumerate(models):
        if name not in known:
            near = closest(str(name), known)
            raise AnalysisInputError(
                f"{where}[{i}] is {name!r}, not a model",
                hint=(f"Did you mean {near[0]!r}? " if near else "") + f"Models: {', '.join(known)}.",
            )
        if name not in out:
            out.append(name)
    if not out:
        raise AnalysisInputError(f"{where} is empty", hint=f"Name at least one of {', '.join(known)}.")
    return out


def touch_weights(j: Journeys, model: str, half_life_days: float = DEFAULT_HALF_LIFE_DAYS) -> FloatArray:
    """Each touch's share of its journey's credit under a rule-based model (shares sum to 1 per journey).

    Raises:
        AnalysisInputError: Unknown rule-based model, or a half-life that is not positive.
    """
    n = j.lengths[j.journey].astype(np.float64)
    pos = j.position
    first: BoolArray = pos == 0
    last: BoolArray = pos == j.lengths[j.journey] - 1
    if model == "first_touch":
        return first.astype(np.float64)
    if model == "last_touch":
        return last.astype(np.float64)
    if model == "linear":
        return np.asarray(1.0 / n, dtype=np.float64)
    if model == "position_based":
        middle = np.where(n >= 3, 0.2 / np.maximum(n - 2.0, 1.0), 0.0)
        ends = np.where(n >= 3, 0.4, np.where(n == 2, 0.5, 1.0))
        return np.asarray(np.where(first | last, ends, middle), dtype=np.float64)
    if model == "time_decay":
        if not half_life_days > 0:
            raise AnalysisInputError(
                f"the time-decay half-life is {half_life_days!r} days",
                hint="Pass a positive number of days, e.g. --half-life 7.",
            )
        conv = np.where(np.isnan(j.conversion_ts), j.ts[j.starts + j.lengths - 1], j.conversion_ts)
        days = (conv[j.journey] - j.ts) / SECONDS_PER_DAY
        # 2^(-d/h), shifted by each journey's smallest d so that far-away journeys cannot underflow to 0/0
        nearest = np.full(j.n_journeys, np.inf)
        np.minimum.at(nearest, j.journey, days)
        raw = np.exp2(-(days - nearest[j.journey]) / half_life_days)
        return np.asarray(raw / np.bincount(j.journey, weights=raw, minlength=j.n_journeys)[j.journey])
    raise AnalysisInputError(f"{model!r} is not a rule-based model", hint=f"Use one of {MODELS[:5]}.")


def per_channel(j: Journeys, weights: FloatArray, values: FloatArray) -> FloatArray:
    """Sum ``weights[touch] * values[journey of touch]`` per channel."""
    return np.bincount(j.channel, weights=weights * values[j.journey], minlength=len(j.channels)).astype(
        np.float64
    )


def attribute(
    j: Journeys,
    models: Sequence[str] = MODELS,
    *,
    half_life_days: float = DEFAULT_HALF_LIFE_DAYS,
    markov_order: int = 1,
) -> dict[str, Any]:
    """Credit conversions and revenue to channels under each model.

    Args:
        j: The journeys (all of them: non-converted journeys matter to Markov, and list channels).
        models: Model names (see ``MODELS`` and ``EXTRA_MODELS``).
        half_life_days: Half-life of the time-decay model, in days.
        markov_order: Order of the Markov chain (1 = the last channel is the state).

    Returns:
        ``{"total_conversions", "total_revenue", "channels", "models": {model: {"conversions": {...},
        "revenue": {...}}}}``, every channel in every model (0.0 when uncredited); ``markov`` adds
        ``p_conversion`` and ``removal_effects``, ``shapley_ordered`` adds ``by_position``.

    Raises:
        AnalysisInputError: Unknown model, bad half-life or order, or > 15 channels for shapley_ordered.
    """
    names = check_models(models)
    conv = j.converted
    values_count = conv.astype(np.float64)
    values_revenue = np.where(conv, j.revenue, 0.0)
    converted = j.subset(conv) if not conv.all() else j
    ones = np.ones(converted.n_journeys)
    revenue = converted.revenue
    out: dict[str, Any] = {}
    for name in names:
        if name in MODELS[:5]:
            w = touch_weights(converted, name, half_life_days)
            counts, amounts = per_channel(converted, w, ones), per_channel(converted, w, revenue)
            out[name] = _shaped(j.channels, counts, amounts)
        elif name == "shapley":
            counts, amounts = shapley_closed_form(converted, [ones, revenue])
            out[name] = _shaped(j.channels, counts, amounts)
        elif name == "shapley_ordered":
            if len(j.channels) > ORDERED_MAX_CHANNELS:
                raise AnalysisInputError(
                    f"shapley_ordered enumerates every coalition of channels and is limited to "
                    f"{ORDERED_MAX_CHANNELS} channels; the journeys have {len(j.channels)}",
                    hint="Use 'shapley' (its channel totals are the same), or group channels first.",
                )
            by_pos_count, by_pos_rev = shapley_ordered(converted, [ones, revenue])
            entry = _shaped(j.channels, by_pos_count.sum(axis=1), by_pos_rev.sum(axis=1))
            entry["by_position"] = {
                "conversions": _positions(j.channels, by_pos_count),
                "revenue": _positions(j.channels, by_pos_rev),
            }
            out[name] = entry
        else:  # markov
            p_conv, effects = markov_removal_effects(j, order=markov_order)
            total = effects.sum()
            share = effects / total if total > 0 else np.zeros_like(effects)
            entry = _shaped(j.channels, share * values_count.sum(), share * values_revenue.sum())
            entry["p_conversion"] = float(p_conv)
            entry["removal_effects"] = {c: float(x) for c, x in zip(j.channels, effects, strict=True)}
            out[name] = entry
    return {
        "total_conversions": int(conv.sum()),
        "total_revenue": float(values_revenue.sum()),
        "channels": list(j.channels),
        "models": out,
    }


def _shaped(channels: Sequence[str], counts: FloatArray, amounts: FloatArray) -> dict[str, Any]:
    return {
        "conversions": {c: float(x) for c, x in zip(channels, counts, strict=True)},
        "revenue": {c: float(x) for c, x in zip(channels, amounts, strict=True)},
    }


def _positions(channels: Sequence[str], table: FloatArray) -> dict[str, list[float]]:
    return {c: [float(x) for x in row] for c, row in zip(channels, table, strict=True)}
