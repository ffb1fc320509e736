"""Shapley values of channels: the closed form, the subset enumeration it equals, and the ordered variant.

The game: players are the channels seen in any journey; the worth of a coalition S is the value (count or
revenue) of the converted journeys whose distinct channel set is a subset of S. The game is a sum of
unanimity games, one per journey, so a journey's value is split equally over its distinct channels: that
closed form is ``shapley_closed_form``; ``shapley_by_enumeration`` evaluates the textbook formula over all
2^n coalitions and is used to prove the equality in tests and by the ordered variant.

The ordered variant credits each share to the position (1st, 2nd, ... distinct channel of the journey,
by first appearance) where the channel entered the journey: the Shapley value of channel c in the game
restricted to the journeys where c entered at position p. It is computed by enumeration, so it is limited to
``ORDERED_MAX_CHANNELS`` channels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from metricmind.analyses.journeys import FloatArray, IntArray, Journeys
from metricmind.analyses.periods import AnalysisInputError

ORDERED_MAX_CHANNELS = 15


def distinct_pairs(j: Journeys) -> tuple[IntArray, IntArray, IntArray]:
    """The distinct (journey, channel) pairs, with the channel's rank of first appearance in the journey.

    Returns:
        ``(journey, channel, rank)`` arrays, one entry per distinct pair; ``rank`` is 0 for the journey's
        first distinct channel, 1 for the next new channel, ...
    """
    n_channels = max(len(j.channels), 1)
    key = j.journey * n_channels + j.channel
    uniq, first_index = np.unique(key, return_index=True)
    order = np.lexsort((first_index, uniq // n_channels))
    uniq = uniq[order]
    journey = uniq // n_channels
    starts = np.searchsorted(journey, journey, side="left")
    rank = np.arange(len(uniq), dtype=np.int64) - starts
    return journey.astype(np.int64), (uniq % n_channels).astype(np.int64), rank.astype(np.int64)


def shapley_closed_form(j: Journeys, values: Sequence[FloatArray]) -> list[FloatArray]:
    """Shapley value of each channel for each per-journey value array (closed form, exact).

    Args:
        j: Converted journeys only.
        values: Arrays of one value per journey (e.g. ones for conversions, and revenue).

    Returns:
        One array per entry of ``values``, indexed by channel code.
    """
    journey, channel, _ = distinct_pairs(j)
    distinct = np.bincount(journey, minlength=j.n_journeys).astype(np.float64)
    share = 1.0 / distinct[journey]
    return [
        np.bincount(channel, weights=share * v[journey], minlength=len(j.channels)).astype(np.float64)
        for v in values
    ]


def journey_masks(j: Journeys) -> IntArray:
    """Each journey's distinct channels as a bit mask (bit c set when channel c is in it).

    Raises:
        AnalysisInputError: More than 62 channels.
    """
    if len(j.channels) > 62:
        raise AnalysisInputError(f"{len(j.channels)} channels do not fit a bit mask", hint="Group channels.")
    masks = np.zeros(j.n_journeys, dtype=np.int64)
    np.bitwise_or.at(masks, j.journey, np.left_shift(np.int64(1), j.channel))
    return masks


def coalition_worth(masks: IntArray, values: FloatArray, n: int) -> FloatArray:
    """v(S) for every coalition S (as a mask): the value of journeys whose mask is a subset of S."""
    worth = np.bincount(masks, weights=values, minlength=1 << n).astype(np.float64)
    coalitions = np.arange(1 << n)
    for bit in range(n):
        has = (coalitions >> bit) & 1 == 1
        worth[has] += worth[coalitions[has] ^ (1 << bit)]
    return worth


def shapley_from_worth(worth: FloatArray, n: int, only: int | None = None) -> FloatArray:
    """The textbook Shapley formula: φ_c = Σ_{S ∌ c} |S|!(n-|S|-1)!/n! · (v(S ∪ {c}) - v(S)).

    Args:
        worth: v(S) for every coalition mask S.
        n: Number of players.
        only: Compute only this player's value (the others are left at 0).
    """
    coalitions = np.arange(1 << n)
    size = np.zeros(1 << n, dtype=np.int64)
    for bit in range(n):
        size += (coalitions >> bit) & 1
    weight = np.array([math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n) for s in range(n)])
    out = np.zeros(n)
    for c in range(n) if only is None else (only,):
        without = coalitions[(coalitions >> c) & 1 == 0]
        out[c] = float(np.sum(weight[size[without]] * (worth[without | (1 << c)] - worth[without])))
    return out


def shapley_by_enumeration(j: Journeys, values: FloatArray) -> FloatArray:
    """Shapley value of each channel by enumerating all 2^n coalitions (for checks; n ≤ 20 or so)."""
    n = len(j.channels)
    return shapley_from_worth(coalition_worth(journey_masks(j), values, n), n)


def shapley_ordered(j: Journeys, values: Sequence[FloatArray]) -> list[FloatArray]:
    """The ordered variant: credit per channel and entry position, by coalition enumeration.

    Args:
        j: Converted journeys only, with at most ``ORDERED_MAX_CHANNELS`` channels.
        values: Arrays of one value per journey.

    Returns:
        One ``(channels, positions)`` array per entry of ``values``; row sums are the Shapley values.

    Raises:
        AnalysisInputError: More than ``ORDERED_MAX_CHANNELS`` channels.
    """
    n = len(j.channels)
    if n > ORDERED_MAX_CHANNELS:
        raise AnalysisInputError(
            f"shapley_ordered is limited to {ORDERED_MAX_CHANNELS} channels; there are {n}",
            hint="Use 'shapley' (same channel totals), or group channels first.",
        )
    masks = journey_masks(j)
    journey, channel, rank = distinct_pairs(j)
    positions = int(rank.max()) + 1 if len(rank) else 1
    out = []
    for v in values:
        table = np.zeros((n, positions))
        for c in range(n):
            for p in range(positions):
                keep = (channel == c) & (rank == p)
                if not keep.any():
                    continue
                chosen = journey[keep]
                worth = coalition_worth(masks[chosen], v[chosen], n)
                table[c, p] = shapley_from_worth(worth, n, only=c)[c]
        out.append(table)
    return out
