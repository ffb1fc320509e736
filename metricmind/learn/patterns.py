"""Per-pattern effects of chosen options: one more block of the factored model per query pattern.

Whether an option pays can depend on the query itself, beyond any feature the context has: a
``BROADCAST`` hint speeds up the lookups whose small side the planner misjudges, and which lookups those
are depends on the query's joins. The factored model (:class:`metricmind.learn.policy.Policy`) learns
an option's worth from the context's features, shared by every query; an **effect** adds, for an option
named in ``options`` (``optimization=hints``), one coefficient per query pattern: the arm's reward for
pattern ``p`` is ``θ_arm·x + u[option, p]``, ``u ~ N(0, 1/ridge)`` — a random effect, shrunk toward
the shared model (0) until that pattern's own evidence says otherwise.

The effects are fitted jointly with the shared blocks (one ridge regression: the exact Bayesian
answer, not a residual fitted after the fact). Each effect ``s`` occurs in no observation with another
one, so the joint precision is an arrow matrix: the shared part ``A`` (which :class:`Policy` keeps,
every observation included), per effect its cross row ``c_s`` (the sum of the shared features of the
observations it took part in), its diagonal ``d_s`` (prior + count) and right-hand sides ``b_s``,
``bc_s`` (reward, cost). The shared blocks' marginal posterior is the Schur complement
``A − Σ c_s c_sᵀ/d_s``, and ``u_s | w ~ N((b_s − c_s·w)/d_s, 1/d_s)``.

Bounded: at most ``cap`` effects, the least recently used forgotten by *marginalizing* it out (what it
explained about the shared blocks stays explained: ``A −= c cᵀ/d``, ``b −= c·b_s/d``); a pattern seen
again starts from the prior.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: The options that get a per-pattern effect in the query policy (the hint's worth depends on the query).
HINT_OPTIONS = ("optimization=hints",)
#: At most this many per-pattern effects are kept (the least recently used is forgotten).
MAX_PATTERNS = 256
#: The prior precision of a pattern's effect: as much as 2 runs of its own (a standard deviation of
#: 0.7 reward points around the shared model's estimate). Chosen on simulator seeds 0-19 among 0.25,
#: 1, 2, 4 and 8 (sublinear regret on 19, 19, 20, 20, 19 of 20; seeds 20-39 held out).
PATTERN_RIDGE = 2.0


@dataclass
class Effect:
    """One option's effect on one pattern: its cross row, diagonal, right-hand sides and (decayed) count."""

    c: np.ndarray
    d: float
    b: float
    bc: float
    n: float


@dataclass(frozen=True)
class Posterior:
    """The joint posterior's parts a decision reads.

    Attributes:
        cov: The shared blocks' marginal covariance.
        w: The shared blocks' posterior mean (reward), ``wc`` (cost).
        u: Each effect's posterior mean (reward), ``uc`` (cost).
        cross: Each effect's covariance with the shared blocks (``−cov c_s/d_s``).
        var: Each effect's marginal variance.
    """

    cov: np.ndarray
    w: np.ndarray
    wc: np.ndarray
    u: dict[str, float]
    uc: dict[str, float]
    cross: dict[str, np.ndarray]
    var: dict[str, float]


def effect_key(option: str, pattern: str) -> str:
    """The name of ``option``'s effect on ``pattern``."""
    return f"{option}@{pattern}"


class Effects:
    """The per-pattern effects of ``options`` over a shared model of ``size`` coefficients."""

    def __init__(
        self, size: int, options: Sequence[str], *, ridge: float = PATTERN_RIDGE, cap: int = MAX_PATTERNS
    ) -> None:
        self.size = size
        self.options = tuple(options)
        self.ridge = float(ridge)
        self.cap = max(1, int(cap))
        #: Least recently observed first.
        self.rows: OrderedDict[str, Effect] = OrderedDict()

    def __len__(self) -> int:
        return len(self.rows)

    def add(
        self, key: str, phi: np.ndarray, reward: float, cost: float | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """Fold one observation of effect ``key`` (the arm's shared features ``phi``) in; when that
        makes one effect too many, the least recently used is forgotten and the shared statistics'
        correction ``(ΔA, Δb, Δbc)`` to subtract is returned (its marginalization), else None.
        """
        row = self.rows.pop(key, None) or Effect(np.zeros(self.size), self.ridge, 0.0, 0.0, 0.0)
        row.c = row.c + phi
        row.d += 1.0
        row.b += reward
        row.bc += cost or 0.0
        row.n += 1.0
        self.rows[key] = row
        if len(self.rows) <= self.cap:
            return None
        _, old = self.rows.popitem(last=False)
        return np.outer(old.c, old.c) / old.d, old.c * (old.b / old.d), old.c * (old.bc / old.d)

    def decay(self, forget: float) -> None:
        """Old evidence fades as the shared statistics' does (toward the prior)."""
        for row in self.rows.values():
            row.c = forget * row.c
            row.d = self.ridge + forget * (row.d - self.ridge)
            row.b *= forget
            row.bc *= forget
            row.n *= forget

    def posterior(self, A: np.ndarray, b: np.ndarray, bc: np.ndarray) -> Posterior:
        """The joint posterior, given the shared statistics (every observation included)."""
        keys = list(self.rows)
        if keys:
            C = np.array([self.rows[k].c for k in keys])
            d = np.array([self.rows[k].d for k in keys])
            rb = np.array([self.rows[k].b for k in keys])
            rc = np.array([self.rows[k].bc for k in keys])
            schur = A - (C.T / d) @ C
            rhs, rhs_c = b - C.T @ (rb / d), bc - C.T @ (rc / d)
        else:
            schur, rhs, rhs_c = A, b, bc
        cov = np.asarray(np.linalg.inv(schur), dtype=float)
        cov = (cov + cov.T) / 2
        w, wc = cov @ rhs, cov @ rhs_c
        u: dict[str, float] = {}
        uc: dict[str, float] = {}
        cross: dict[str, np.ndarray] = {}
        var: dict[str, float] = {}
        for k in keys:
            row = self.rows[k]
            u[k] = float((row.b - row.c @ w) / row.d)
            uc[k] = float((row.bc - row.c @ wc) / row.d)
            cross[k] = -(cov @ row.c) / row.d
            var[k] = float(1.0 / row.d + row.c @ cov @ row.c / row.d**2)
        return Posterior(cov, w, wc, u, uc, cross, var)

    def report(self, post: Posterior | None, limit: int = 5) -> dict[str, Any]:
        """What the effects say: how many patterns, and the largest effects (mean, sd, decayed count)."""
        items: list[dict[str, Any]] = []
        for k, row in self.rows.items():
            mean = post.u.get(k, 0.0) if post is not None else 0.0
            sd = float(np.sqrt(post.var[k])) if post is not None and k in post.var else 0.0
            items.append({"effect": k, "reward": round(mean, 3), "sd": round(sd, 3), "runs": round(row.n, 2)})
        items.sort(key=lambda i: (-abs(i["reward"]), i["effect"]))
        return {"patterns": len(self.rows), "cap": self.cap, "ridge": self.ridge, "largest": items[:limit]}

    def state(self) -> dict[str, Any]:
        """JSON-ready (least recently used first); each cross row sparse (its nonzero indices and values:
        an option's observations touch only the blocks its arms use).
        """
        rows = []
        for k, r in self.rows.items():
            nz = np.flatnonzero(r.c)
            rows.append([k, nz.tolist(), r.c[nz].tolist(), r.d, r.b, r.bc, r.n])
        return {
            "options": list(self.options),
            "ridge": self.ridge,
            "cap": self.cap,
            "size": self.size,
            "rows": rows,
        }

    @classmethod
    def from_state(cls, size: int, state: Mapping[str, Any]) -> Effects:
        """Effects restored from :meth:`state` (none when it was written for a model of another size)."""
        out = cls(size, state.get("options") or (), ridge=float(state["ridge"]), cap=int(state["cap"]))
        if int(state.get("size", size)) != size:
            return out
        for k, nz, values, d, b, bc, n in state.get("rows") or []:
            c = np.zeros(size)
            c[np.asarray(nz, dtype=int)] = np.asarray(values, dtype=float)
            out.rows[str(k)] = Effect(c, float(d), float(b), float(bc), float(n))
        return out


def pattern_option(action: Mapping[str, str], options: Iterable[str]) -> str | None:
    """The first of ``options`` (``factor=option``) the arm's ``action`` uses, if any."""
    for option in options:
        factor, _, value = option.partition("=")
        if action.get(factor) == value:
            return option
    return None


def extended(
    effects: Effects, post: Posterior, phi: np.ndarray, keys: Sequence[str | None]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One decision's arms over the shared blocks *and* the effects in play: ``phi`` (arms × shared
    coefficients) extended by one column per distinct effect in ``keys`` (each arm's effect, or None),
    with the joint mean (reward, cost) and covariance. An effect not learned yet is its prior:
    mean 0, variance ``1/ridge``, independent of the rest (an option never run on a pattern is worth
    trying there once, as much as the prior allows).
    """
    slots = list(dict.fromkeys(k for k in keys if k))
    size, m = phi.shape[1], len(slots)
    out = np.zeros((phi.shape[0], size + m))
    out[:, :size] = phi
    for r, k in enumerate(keys):
        if k:
            out[r, size + slots.index(k)] = 1.0
    cov = np.zeros((size + m, size + m))
    cov[:size, :size] = post.cov
    for j, k in enumerate(slots):
        if k not in post.var:
            cov[size + j, size + j] = 1.0 / effects.ridge
            continue
        cov[:size, size + j] = cov[size + j, :size] = post.cross[k]
        cov[size + j, size + j] = post.var[k]
        row = effects.rows[k]
        for i, other in enumerate(slots[:j]):
            if other in post.var:
                them = effects.rows[other]
                cov[size + j, size + i] = cov[size + i, size + j] = (
                    row.c @ post.cov @ them.c / (row.d * them.d)
                )
    w = np.concatenate([post.w, [post.u.get(k, 0.0) for k in slots]])
    wc = np.concatenate([post.wc, [post.uc.get(k, 0.0) for k in slots]])
    return out, w, wc, cov
