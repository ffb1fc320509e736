"""Per-touch credits of the channel-level models (Shapley, Markov), for tables a warehouse can slice.

Rule-based models give every touch its own share (``attribution.touch_weights``), so their credits sum by any
dimension of the touch. Shapley and Markov are defined per channel; to store them one row per touch (and so
slice them by time, campaign or customer) each channel's credit is **apportioned** over its touches in
converted journeys:

- **shapley**: a converted journey's value is split equally over its distinct channels (the closed form), and
  a channel's share of the journey is split equally over its touches in it. Per touch:
  ``value_j / (distinct channels of j × touches of the channel in j)``. This is exact: summed per channel
  it is the closed form.
- **markov**: the credit is global (total × removal effect / Σ removal effects). Channel c's credit M_c is
  spread over its touches t in converted journeys j in proportion to ``w_t = value_j / touches of c in j``
  (each journey the channel took part in weighs by its value, split over the channel's touches in it):
  ``credit_t = M_c × w_t / Σ_c w``. Channel totals equal the global formula exactly; a time slice is this
  apportionment, not a Markov chain fitted to the slice. A channel whose journeys all have value 0 (so
  ``Σ_c w = 0``) is spread by touch counts instead (``w_t = 1 / touches of c in j``).

The channel totals come from ``attribution.attribute`` itself (one definition); ``tests/analyses`` checks
that the per-touch credits sum back to it.
"""

from __future__ import annotations

import numpy as np

from metricmind.analyses.attribution import attribute
from metricmind.analyses.journeys import FloatArray, Journeys

CHANNEL_MODELS = ("shapley", "markov")


def _touches_of_channel_in_journey(j: Journeys) -> FloatArray:
    """For each touch, how many touches its channel has in its journey."""
    n_channels = max(len(j.channels), 1)
    key = j.journey * n_channels + j.channel
    _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    return np.asarray(counts[inverse.reshape(-1)], dtype=np.float64)


def _distinct_channels(j: Journeys) -> FloatArray:
    """For each journey, how many distinct channels it has."""
    n_channels = max(len(j.channels), 1)
    pairs = np.unique(j.journey * n_channels + j.channel)
    return np.bincount(pairs // n_channels, minlength=j.n_journeys).astype(np.float64)


def touch_credits(j: Journeys, *, markov_order: int = 1) -> dict[str, dict[str, FloatArray]]:
    """Per-touch Shapley and Markov credits of every touch of ``j`` (0 on touches of unconverted journeys).

    Args:
        j: All journeys (the unconverted ones are paths to ``null`` in the Markov chain).
        markov_order: Order of the Markov chain.

    Returns:
        ``{model: {"conversions": per-touch array, "revenue": per-touch array}}`` for ``shapley`` and
        ``markov``, aligned with the touches of ``j``.
    """
    result = attribute(j, CHANNEL_MODELS, markov_order=markov_order)
    on_converted = j.converted[j.journey]
    per_channel = _touches_of_channel_in_journey(j)
    distinct = _distinct_channels(j)[j.journey]
    values = {"conversions": np.ones(j.n_journeys), "revenue": np.where(j.converted, j.revenue, 0.0)}
    out: dict[str, dict[str, FloatArray]] = {name: {} for name in CHANNEL_MODELS}
    for kind, value in values.items():
        journey_value = np.where(on_converted, value[j.journey], 0.0)
        out["shapley"][kind] = np.asarray(journey_value / (distinct * per_channel), dtype=np.float64)
        totals = np.array([result["models"]["markov"][kind][c] for c in j.channels], dtype=np.float64)
        weight = journey_value / per_channel
        fallback = np.where(on_converted, 1.0 / per_channel, 0.0)
        n = len(j.channels)
        weight_sum = np.bincount(j.channel, weights=weight, minlength=n)
        fallback_sum = np.bincount(j.channel, weights=fallback, minlength=n)
        use_fallback = weight_sum <= 0
        chosen = np.where(use_fallback[j.channel], fallback, weight)
        denominator = np.where(use_fallback, fallback_sum, weight_sum)
        scale = np.divide(totals, denominator, out=np.zeros(n), where=denominator > 0)
        out["markov"][kind] = np.asarray(chosen * scale[j.channel], dtype=np.float64)
    return out
