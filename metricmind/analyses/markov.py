"""Markov-chain attribution: removal effects solved exactly as absorption probabilities.

States are ``start``, the channel states and the absorbing ``conversion`` and ``null``. Every journey (converted
or not) is a path ``start → s1 → … → sn → conversion | null``; transition probabilities are the observed
counts divided by each state's outgoing total. With order k, a state is the tuple of the last k channels
(shorter at the start of a journey: the first touch's state is its channel alone).

The probability of conversion from ``start`` solves ``(I - Q) x = r`` (Q: transient-to-transient block,
r: transient-to-conversion column). Removing channel c redirects every transition into a state that contains
c to ``null`` (its columns of Q are zeroed) and solves again; the removal effect is
``1 - P(conversion without c) / P(conversion)`` (0 when nothing converts).
"""

from __future__ import annotations

import numpy as np

from metricmind.analyses.journeys import BoolArray, FloatArray, IntArray, Journeys
from metricmind.analyses.periods import AnalysisInputError

DENSE_CODES = 4_000_000
"""State codes below this are mapped to states with a lookup table (else by sorting)."""
MAX_STATES = 2_000
"""The chain is solved with dense linear algebra; more states than this is refused (lower the order)."""


def chain_states(j: Journeys, order: int) -> tuple[IntArray, BoolArray]:
    """The state of every touch, and which channels each state contains.

    Returns:
        ``(state, contains)``: ``state[touch]`` in ``1..S`` (0 is ``start``), and a boolean matrix
        ``contains[state, channel]`` with S + 1 rows.
    """
    base = len(j.channels) + 1
    code = np.zeros(len(j.channel), dtype=np.int64)
    for lag in range(order):
        shifted = np.zeros(len(j.channel), dtype=np.int64)
        if lag:
            shifted[lag:] = j.channel[:-lag] + 1
        else:
            shifted[:] = j.channel + 1
        shifted[j.position < lag] = 0
        code = code * base + shifted
    if base**order <= DENSE_CODES:  # a lookup table instead of a sort
        present = np.bincount(code, minlength=base**order) > 0
        uniq = np.flatnonzero(present).astype(np.int64)
        index = np.cumsum(present) - 1
        state = index[code]
    else:
        uniq, state = np.unique(code, return_inverse=True)
    contains = np.zeros((len(uniq) + 1, len(j.channels)), dtype=np.bool_)
    digits = uniq.copy()
    for _ in range(order):
        digit = digits % base
        rows = np.nonzero(digit)[0]
        contains[rows + 1, digit[rows] - 1] = True
        digits //= base
    return (state.reshape(-1) + 1).astype(np.int64), contains


def transition_matrix(j: Journeys, order: int = 1) -> tuple[FloatArray, BoolArray]:
    """Transition probabilities between ``start`` (0), the states (1..S), ``conversion`` and ``null``.

    Returns:
        ``(P, contains)``: P is ``(S + 3) × (S + 3)``; row S + 1 is conversion and S + 2 is null (both
        absorbing, left as zero rows); ``contains`` as in ``chain_states``.

    Raises:
        AnalysisInputError: The order is not a positive integer, or the chain has too many states.
    """
    if not isinstance(order, int) or isinstance(order, bool) or order < 1:
        raise AnalysisInputError(
            f"the Markov order is {order!r}", hint="Pass a positive integer, e.g. --markov-order 1."
        )
    state, contains = chain_states(j, order)
    n_states = contains.shape[0] - 1
    if n_states + 1 > MAX_STATES:
        raise AnalysisInputError(
            f"the order-{order} Markov chain has {n_states} states (at most {MAX_STATES - 1} are solved)",
            hint="Lower --markov-order, or group channels.",
        )
    size = n_states + 3
    conversion, null = n_states + 1, n_states + 2
    last = j.starts + j.lengths - 1
    inner = np.ones(len(state), dtype=np.bool_)
    inner[last] = False
    sources = np.concatenate([np.zeros(j.n_journeys, np.int64), state[inner], state[last]])
    targets = np.concatenate(
        [state[j.starts], state[1:][inner[:-1]], np.where(j.converted, conversion, null)]
    )
    counts = np.bincount(sources * size + targets, minlength=size * size).reshape(size, size).astype(float)
    totals = counts.sum(axis=1, keepdims=True)
    probabilities = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    return probabilities, contains


def absorption(probabilities: FloatArray, removed: np.ndarray | None = None) -> float:
    """P(conversion) from ``start``, with transitions into ``removed`` states redirected to null."""
    n_transient = probabilities.shape[0] - 2
    q = probabilities[:n_transient, :n_transient].copy()
    r = probabilities[:n_transient, n_transient]
    if removed is not None:
        q[:, removed] = 0.0
    x = np.linalg.solve(np.eye(n_transient) - q, r)
    return float(x[0])


def markov_removal_effects(j: Journeys, order: int = 1) -> tuple[float, FloatArray]:
    """P(conversion) of the full chain and each channel's removal effect (by channel code).

    Raises:
        AnalysisInputError: Bad order, or too many states.
    """
    probabilities, contains = transition_matrix(j, order)
    p_full = absorption(probabilities)
    effects = np.zeros(len(j.channels))
    if p_full <= 0:
        return 0.0, effects
    for c in range(len(j.channels)):
        removed = np.nonzero(contains[:, c])[0]
        effects[c] = 1.0 - absorption(probabilities, removed) / p_full
    return p_full, np.clip(effects, 0.0, 1.0)
