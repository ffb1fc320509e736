"""Subscriptions: trials, first paid contracts, upgrades and downgrades, churn and reactivation.

Every row is one contract: a plan change ends the current row and starts a new one the same day, so a
row has one plan tier, seat count and price for its whole life. The simulation steps month by month
over all accounts at once; monthly contracts can change or churn in any month (churn on the billing
anchor day), annual contracts only at their renewal anniversary.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from metricmind.demo import vocab
from metricmind.demo.accounts import Accounts
from metricmind.demo.dates import (
    NONE,
    Bools,
    Floats,
    Ints,
    date_array,
    day,
    day_of_month,
    days_in_month,
    labels,
    month_of,
    month_start,
    pick_rows,
    stream,
)

BASE_CHURN = np.array([0.032, 0.017, 0.008])  # monthly, per segment
TIER_CHURN = np.array([1.3, 1.0, 0.85, 0.7])
TRIAL_TIER = np.array([1, 2, 2])
TRIAL_SEATS = np.array([3, 10, 25])
CHANGE = {name: i for i, name in enumerate(vocab.SUBSCRIPTION_CHANGES)}
REASON = {name: i for i, name in enumerate(vocab.CANCEL_REASONS)}
ENDED_BY_CHURN, ENDED_BY_CHANGE, ENDED_BY_TRIAL = 1, 2, 3
STATUSES = ("trialing", "trial_converted", "trial_expired", "canceled", "superseded", "past_due", "active")
PRICE_RISE_MONTH = (vocab.PRICE_RISES[0][0].year - 1970) * 12 + vocab.PRICE_RISES[0][0].month - 1


@dataclass
class Subscriptions:
    """Contract rows, unsorted; ``prev`` and ``account`` are row / account indices."""

    account: Ints
    start: Ints
    end: Ints  # NONE while open at the end date
    tier: Ints
    annual: Bools
    seats: Ints
    unit_cents: Ints
    discount: Floats
    mrr_cents: Ints
    change: Ints
    prev: Ints
    reason: Ints
    involuntary: Bools
    ended_by: Ints

    @property
    def is_trial(self) -> Bools:
        """Trial rows (no revenue)."""
        trial: Bools = self.change == CHANGE["trial"]
        return trial


@dataclass
class _Builder:
    columns: dict[str, list[np.ndarray]] = field(default_factory=dict)
    rows: int = 0
    ends: list[tuple[Ints, Ints, Ints, Ints, Bools]] = field(default_factory=list)

    def add(self, **values: np.ndarray) -> Ints:
        size = len(values["account"])
        for key, value in values.items():
            self.columns.setdefault(key, []).append(np.asarray(value))
        ids = np.arange(self.rows, self.rows + size, dtype=np.int64)
        self.rows += size
        return ids

    def finish(
        self, rows: Ints, end: Ints, kind: int, reason: Ints | None = None, involuntary: Bools | None = None
    ) -> None:
        n = len(rows)
        self.ends.append(
            (
                rows,
                end,
                np.full(n, kind),
                np.full(n, NONE) if reason is None else reason,
                np.zeros(n, bool) if involuntary is None else involuntary,
            )
        )

    def build(self) -> Subscriptions:
        cols = {k: np.concatenate(v) for k, v in self.columns.items()}
        end = np.full(self.rows, NONE, dtype=np.int64)
        ended_by, reason = np.zeros(self.rows, np.int64), np.full(self.rows, NONE, dtype=np.int64)
        involuntary = np.zeros(self.rows, bool)
        for rows, e, kind, r, inv in self.ends:
            end[rows], ended_by[rows], reason[rows], involuntary[rows] = e, kind, r, inv
        return Subscriptions(end=end, ended_by=ended_by, reason=reason, involuntary=involuntary, **cols)


def price(tier: Ints, start: Ints, seats: Ints, annual: Bools, discount: Floats) -> tuple[Ints, Ints]:
    """List price per seat (cents) on the start day, and the contract's MRR in cents."""
    unit = np.asarray(vocab.PLAN_PRICE)[tier] * 100
    for since, factor in vocab.PRICE_RISES:
        unit = np.where(start >= day(since), unit * factor, unit)
    unit_cents = np.round(unit).astype(np.int64)
    mrr = seats * unit_cents * (1 - discount) * np.where(annual, 1 - vocab.ANNUAL_DISCOUNT, 1.0)
    return unit_cents, np.round(mrr).astype(np.int64)


def simulate(acc: Accounts, end: int, seed: int) -> Subscriptions:
    """Run the contract life of every account up to day number ``end``."""
    rng = stream(seed, "subscriptions")
    n, b = acc.n, _Builder()
    seg, health = acc.segment, acc.health
    discount = np.where(
        seg == 2,
        rng.uniform(0, 0.25, n),
        np.where((seg == 1) & (rng.random(n) < 0.3), rng.uniform(0, 0.1, n), 0.0),
    )
    trial_row = np.full(n, NONE, dtype=np.int64)
    has_trial = (acc.trial_start != NONE) & (acc.trial_start <= end)
    t_idx = np.flatnonzero(has_trial)
    paid_ok = (acc.paid_start != NONE) & (acc.paid_start <= end)
    t_end = np.where(acc.trial_converted & paid_ok, np.minimum(acc.trial_end, acc.paid_start), acc.trial_end)[
        t_idx
    ]
    t_tier, t_seats = TRIAL_TIER[seg[t_idx]], TRIAL_SEATS[seg[t_idx]]
    t_unit, _ = price(
        t_tier, acc.trial_start[t_idx], t_seats, np.zeros(len(t_idx), bool), np.zeros(len(t_idx))
    )
    trial_row[t_idx] = b.add(
        account=t_idx,
        start=acc.trial_start[t_idx],
        tier=t_tier,
        annual=np.zeros(len(t_idx), bool),
        seats=t_seats,
        unit_cents=t_unit,
        discount=np.zeros(len(t_idx)),
        mrr_cents=np.zeros(len(t_idx), np.int64),
        change=np.full(len(t_idx), CHANGE["trial"]),
        prev=np.full(len(t_idx), NONE),
    )
    closed = t_end <= end
    b.finish(trial_row[t_idx][closed], t_end[closed], ENDED_BY_TRIAL)

    cur = np.full(n, NONE, dtype=np.int64)
    active = np.zeros(n, bool)
    tier, seats, anchor = np.zeros(n, np.int64), np.zeros(n, np.int64), np.ones(n, np.int64)
    annual = np.zeros(n, bool)
    term_month, cur_month, first_month, churn_month = (np.zeros(n, np.int64) for _ in range(4))
    last_reason = np.full(n, NONE, dtype=np.int64)
    paid_month = np.where(paid_ok, month_of(np.where(paid_ok, acc.paid_start, 0)), NONE)

    def start(
        idx: Ints,
        when: Ints,
        new_tier: Ints,
        new_seats: Ints,
        new_annual: Bools,
        change: str,
        prev: Ints,
        m: int,
    ) -> None:
        unit, mrr = price(new_tier, when, new_seats, new_annual, discount[idx])
        rows = b.add(
            account=idx,
            start=when,
            tier=new_tier,
            annual=new_annual,
            seats=new_seats,
            unit_cents=unit,
            discount=discount[idx],
            mrr_cents=mrr,
            change=np.full(len(idx), CHANGE[change]),
            prev=prev,
        )
        cur[idx], active[idx], tier[idx], seats[idx], annual[idx] = (
            rows,
            True,
            new_tier,
            new_seats,
            new_annual,
        )
        anchor[idx], term_month[idx], cur_month[idx] = day_of_month(when), m, m

    for m in range(int(month_of(np.array([acc.created.min()]))[0]), int(month_of(np.array([end]))[0]) + 1):
        ms, dim = int(month_start(m)), int(days_in_month(m))

        def on_anchor(idx: Ints, ms: int = ms, dim: int = dim) -> Ints:
            return ms + np.minimum(anchor[idx], dim) - 1

        # churn: monthly contracts on their anchor day, annual ones at the anniversary
        idx = np.flatnonzero(active & (cur_month < m))
        renew = ~annual[idx] | ((m - term_month[idx]) % 12 == 0)
        hz = (
            BASE_CHURN[seg[idx]]
            * np.exp(-0.55 * health[idx])
            * TIER_CHURN[tier[idx]]
            * _season(m)
            * np.where(m - first_month[idx] < 3, 1.4, 1.0)
        )
        p = np.where(annual[idx], 1 - (1 - 0.7 * hz) ** 12, hz)
        when = on_anchor(idx)
        churn = renew & (rng.random(len(idx)) < p) & (when <= end)
        gone, when_gone = idx[churn], when[churn]
        reason = _reasons(rng, seg[gone], health[gone], m)
        u = rng.random(len(gone))
        involuntary = ((reason == REASON["business_closed"]) & (u < 0.6)) | (
            (reason == REASON["other"]) & (u < 0.3)
        )
        b.finish(cur[gone], when_gone, ENDED_BY_CHURN, reason, involuntary)
        active[gone], churn_month[gone], last_reason[gone] = False, m, reason

        # plan and seat changes
        keep = idx[~churn]
        renew_keep = renew[~churn]
        boost = np.where(annual[keep], 4.0, 1.0)
        p_up = 0.022 * np.exp(0.35 * health[keep]) * np.where(seg[keep] > 0, 1.3, 1.0) * boost
        p_down = 0.007 * np.exp(-0.35 * health[keep]) * boost
        v = rng.random(len(keep))
        can = ~annual[keep] | renew_keep
        up, down = can & (v < p_up), can & (v >= p_up) & (v < p_up + p_down)
        moved = keep[up | down]
        is_up = up[up | down]
        when = np.where(annual[moved], on_anchor(moved), ms + rng.integers(0, dim, len(moved)))
        new_tier, new_seats, new_annual = _change(rng, tier[moved], seats[moved], annual[moved], is_up)
        ok = (when <= end) & ((new_tier != tier[moved]) | (new_seats != seats[moved]))
        moved, when, is_up = moved[ok], when[ok], is_up[ok]
        b.finish(cur[moved], when, ENDED_BY_CHANGE)
        for flag, name in ((True, "upgrade"), (False, "downgrade")):
            sel = is_up == flag
            start(
                moved[sel],
                when[sel],
                new_tier[ok][sel],
                new_seats[ok][sel],
                new_annual[ok][sel],
                name,
                cur[moved[sel]],
                m,
            )

        # reactivation of customers who left two to 24 months ago
        idx = np.flatnonzero(~active & (cur != NONE) & (m - churn_month >= 2) & (m - churn_month <= 24))
        soured = np.isin(last_reason[idx], [REASON["price"], REASON["switched_competitor"]])
        p = 0.014 * np.exp(0.3 * health[idx]) * np.where(soured, 0.5, 1.0)
        back = idx[rng.random(len(idx)) < p]
        when = ms + rng.integers(0, dim, len(back))
        back, when = back[when <= end], when[when <= end]
        w = rng.random((len(back), 3))
        back_tier = np.maximum(tier[back] - (w[:, 0] < 0.3), 0)
        back_seats = _min_seats(
            np.maximum(1, np.round(seats[back] * (0.6 + 0.4 * w[:, 1]))).astype(np.int64), back_tier
        )
        start(back, when, back_tier, back_seats, w[:, 2] < 0.1, "reactivation", cur[back], m)

        # first paid contracts
        idx = np.flatnonzero(paid_month == m)
        first_tier = pick_rows(rng, np.asarray(vocab.PLAN_MIX, dtype=np.float64)[seg[idx]])
        first_seats = np.exp(rng.normal(np.log(np.asarray(vocab.SEATS_MEDIAN)[seg[idx]]), 0.6))
        first_seats = _min_seats(np.maximum(1, np.round(first_seats)).astype(np.int64), first_tier)
        first_annual = rng.random(len(idx)) < np.asarray(vocab.ANNUAL_SHARE)[seg[idx]]
        prev = np.where(trial_row[idx] != NONE, trial_row[idx], NONE)
        start(idx, acc.paid_start[idx], first_tier, first_seats, first_annual, "new", prev, m)
        first_month[idx] = m
    return b.build()


def _season(m: int) -> float:
    """Churn seasonality: January budget cuts, and the spring 2024 price rise."""
    factor = 1.25 if m % 12 == 0 else 1.0
    return factor * 1.6 if m - PRICE_RISE_MONTH in (1, 2) else factor


def _reasons(rng: np.random.Generator, seg: Ints, health: Floats, m: int) -> Ints:
    w = np.tile(np.asarray(vocab.CANCEL_WEIGHTS), (len(seg), 1))
    w[:, REASON["business_closed"]] *= np.where(seg == 0, 1.5, 0.6)
    w[:, REASON["missing_feature"]] *= np.where(health < -0.5, 1.8, 1.0)
    w[:, REASON["switched_competitor"]] *= np.where(seg == 2, 1.4, 1.0)
    if _season(m) > 1.5:
        w[:, REASON["price"]] *= 3.0
    return pick_rows(rng, w)


def _change(
    rng: np.random.Generator, tier: Ints, seats: Ints, annual: Bools, up: Bools
) -> tuple[Ints, Ints, Bools]:
    w = rng.random((len(tier), 3))
    tier_move = np.where(up, (tier < 3) & (w[:, 0] < 0.45), (tier > 0) & (w[:, 0] < 0.4))
    new_tier = np.where(tier_move, tier + np.where(up, 1, -1), tier)
    grow = np.where(tier_move, 1.0 + 0.2 * w[:, 1], 1.15 + 0.55 * w[:, 1])
    shrink = np.where(tier_move, 1.0, 0.55 + 0.35 * w[:, 1])
    raw = np.where(up, np.maximum(np.round(seats * grow), seats + ~tier_move), np.round(seats * shrink))
    new_seats = _min_seats(np.maximum(raw, 1).astype(np.int64), new_tier)
    new_annual = np.where(up & ~annual, w[:, 2] < 0.12, np.where(~up & annual, w[:, 2] >= 0.3, annual))
    return new_tier, new_seats, new_annual


def _min_seats(seats: Ints, tier: Ints) -> Ints:
    return np.where(tier == 3, np.maximum(seats, vocab.ENTERPRISE_MIN_SEATS), seats)


def subscription_ids(subs: Subscriptions) -> Ints:
    """Ids in start order (ties by account, trials first): ``ids[row]`` is the row's ``subscription_id``."""
    order = np.lexsort((~subs.is_trial, subs.account, subs.start))
    ids = np.empty(len(order), dtype=np.int64)
    ids[order] = np.arange(1, len(order) + 1)
    return ids


def subscriptions_table(subs: Subscriptions, acc: Accounts, ids: Ints, past_due: Bools, end: int) -> pa.Table:
    """``raw.billing_subscriptions``: one row per contract (trials included), status as of ``end``.

    Args:
        subs: The simulated contracts.
        acc: Their accounts.
        ids: ``subscription_ids(subs)``.
        past_due: Per contract row (simulation order), whether an invoice of the contract is unpaid past its due date.
        end: The end date's day number.
    """
    order = np.argsort(ids)
    s = {
        name: getattr(subs, name)[order]
        for name in (
            "account",
            "start",
            "end",
            "tier",
            "annual",
            "seats",
            "unit_cents",
            "discount",
            "mrr_cents",
            "change",
            "prev",
            "reason",
            "involuntary",
            "ended_by",
        )
    }
    trial = s["change"] == CHANGE["trial"]
    converted = acc.trial_converted[s["account"]] & (acc.paid_start[s["account"]] <= end)
    status = np.select(
        [
            trial & (s["end"] == NONE),
            trial & converted,
            trial,
            s["ended_by"] == ENDED_BY_CHURN,
            s["ended_by"] == ENDED_BY_CHANGE,
            past_due[order],
        ],
        [0, 1, 2, 3, 4, 5],
        6,
    )
    trial_ends = np.where(trial, acc.trial_end[s["account"]], NONE)
    kind = np.where(s["reason"] == NONE, 0, np.where(s["involuntary"], 2, 1))
    return pa.table(
        {
            "subscription_id": pa.array(ids[order]),
            "account_id": pa.array(s["account"] + 1),
            "plan_tier": labels(s["tier"], vocab.PLAN_TIERS),
            "billing_interval": labels(s["annual"].astype(np.int64), vocab.BILLING_INTERVALS),
            "seats": pa.array(s["seats"].astype(np.int32)),
            "unit_price_cents": pa.array(s["unit_cents"]),
            "discount_pct": pa.array(np.round(s["discount"] * 100, 2)),
            "amount_cents": pa.array(s["mrr_cents"] * np.where(s["annual"], 12, 1)),
            "is_trial": pa.array(trial),
            "status": labels(status, STATUSES),
            "change_type": labels(s["change"], vocab.SUBSCRIPTION_CHANGES),
            "previous_subscription_id": pa.array(
                np.where(s["prev"] == NONE, 0, ids[np.maximum(s["prev"], 0)]), mask=s["prev"] == NONE
            ),
            "started_at": date_array(s["start"]),
            "ended_at": date_array(s["end"]),
            "trial_ends_at": date_array(trial_ends),
            "cancel_reason": labels(
                np.maximum(s["reason"], 0), vocab.CANCEL_REASONS, mask=s["reason"] == NONE
            ),
            "cancellation_type": labels(kind, ("", "voluntary", "involuntary"), mask=kind == 0),
        }
    )
