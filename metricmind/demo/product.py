"""Product users and their events: the big table, generated in chunks with bounded memory.

Users belong to accounts and can use the product while the account trials or pays. Each user has an
engagement level; usage follows account health, role, weekdays and holidays, and fades over the
75 days before a customer churns, so falling usage is an early sign of churn.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from metricmind.demo import vocab
from metricmind.demo.accounts import Accounts, _working_second
from metricmind.demo.dates import (
    NONE,
    US_PER_DAY,
    Bools,
    Floats,
    Ints,
    day_of_month,
    labels,
    month_of,
    pick,
    stream,
    timestamp_array,
    weekday,
)
from metricmind.demo.lifecycle import CHANGE, ENDED_BY_CHURN, Subscriptions

EVENTS_PER_USER_DAY = 0.125
ROLE_ACTIVITY = (1.3, 1.0, 0.4)
CHUNK_EVENTS = 3_000_000
RAMP_DAYS = 75


@dataclass
class Users:
    """One entry per product user (``user_id`` = index + 1), ordered by account then creation."""

    account: Ints
    created_us: Ints
    deactivated: Ints  # day number, NONE while active
    role: Ints
    engagement: Floats


@dataclass
class Spells:
    """Stretches of product access: a trial, or paid contracts back to back until churn."""

    account: Ints
    start: Ints
    stop: Ints  # exclusive
    churned: Bools
    trial: Bools
    tier: Ints


def spells(subs: Subscriptions, end: int) -> Spells:
    """Access spells of every account, sorted by account then start."""
    stop_row = np.where(subs.end == NONE, end + 1, subs.end)
    paid = np.flatnonzero(~subs.is_trial)
    paid = paid[np.lexsort((subs.start[paid], subs.account[paid]))]
    head = np.isin(subs.change[paid], [CHANGE["new"], CHANGE["reactivation"]])
    firsts = np.flatnonzero(head)
    lasts = np.r_[firsts[1:], len(paid)] - 1
    p_stop = np.maximum.reduceat(stop_row[paid], firsts) if len(firsts) else np.zeros(0, np.int64)
    p_tier = np.maximum.reduceat(subs.tier[paid], firsts) if len(firsts) else np.zeros(0, np.int64)
    trials = np.flatnonzero(subs.is_trial)
    account = np.r_[subs.account[paid][firsts], subs.account[trials]]
    start = np.r_[subs.start[paid][firsts], subs.start[trials]]
    order = np.lexsort((start, account))
    return Spells(
        account=account[order],
        start=start[order],
        stop=np.r_[p_stop, stop_row[trials]][order],
        churned=np.r_[subs.ended_by[paid][lasts] == ENDED_BY_CHURN, np.zeros(len(trials), bool)][order],
        trial=np.r_[np.zeros(len(firsts), bool), np.ones(len(trials), bool)][order],
        tier=np.r_[p_tier, subs.tier[trials]][order],
    )


def users(acc: Accounts, subs: Subscriptions, sp: Spells, end: int, seed: int) -> Users:
    """The users of every account that ever had access, and when they joined and left."""
    rng = stream(seed, "users")
    max_seats = np.zeros(acc.n, np.int64)
    np.maximum.at(max_seats, subs.account[~subs.is_trial], subs.seats[~subs.is_trial])
    had_trial = np.zeros(acc.n, bool)
    had_trial[sp.account[sp.trial]] = True
    paying = max_seats > 0
    count = np.where(
        paying,
        np.clip(np.ceil(max_seats * rng.uniform(0.15, 0.4, acc.n)), 1, 60),
        np.where(had_trial, np.minimum(1 + rng.poisson(0.8, acc.n), 4), 0),
    ).astype(np.int64)
    first_access = np.full(acc.n, np.iinfo(np.int64).max)
    np.minimum.at(first_access, sp.account, sp.start)
    last_access = np.zeros(acc.n, np.int64)
    np.maximum.at(last_access, sp.account, sp.stop)
    owner = np.repeat(np.arange(acc.n), count)
    first = np.zeros(len(owner), bool)
    first[(np.cumsum(count) - count)[count > 0]] = True
    lo, hi = first_access[owner], last_access[owner]
    join = lo + np.minimum(rng.exponential(60.0, len(owner)).astype(np.int64), np.maximum(hi - lo - 1, 0))
    join = np.where(first, lo, join)
    created_us = join * US_PER_DAY + _working_second(rng, len(owner), acc.region[owner]) * 1_000_000
    leave = join + 1 + rng.exponential(6 * 365.0, len(owner)).astype(np.int64)
    leave = np.where(hi <= end, np.minimum(leave, hi), leave)
    deactivated = np.where(leave <= end, leave, NONE)
    role = np.where(first, 0, pick(rng, (0.08, 0.67, 0.25), len(owner)))
    order = np.lexsort((created_us, owner))
    return Users(
        owner[order],
        created_us[order],
        deactivated[order],
        role[order],
        rng.gamma(2.0, 0.5, len(owner))[order],
    )


def users_table(us: Users) -> pa.Table:
    """``raw.product_users``."""
    return pa.table(
        {
            "user_id": pa.array(np.arange(1, len(us.account) + 1, dtype=np.int64)),
            "account_id": pa.array(us.account + 1),
            "role": labels(us.role, vocab.USER_ROLES),
            "created_at": timestamp_array(us.created_us),
            "deactivated_at": timestamp_array(
                np.where(us.deactivated == NONE, 0, us.deactivated * US_PER_DAY), us.deactivated == NONE
            ),
        }
    )


def events(acc: Accounts, us: Users, sp: Spells, start: int, end: int, seed: int) -> Iterator[pa.Table]:
    """``raw.product_events`` in chunks of about ``CHUNK_EVENTS`` rows, event ids continuing across chunks."""
    lo = np.searchsorted(sp.account, us.account, side="left")
    hi = np.searchsorted(sp.account, us.account, side="right")
    per_user = hi - lo
    user = np.repeat(np.arange(len(us.account)), per_user)
    spell = np.repeat(lo - np.cumsum(per_user) + per_user, per_user) + np.arange(per_user.sum())
    created = us.created_us[user] // US_PER_DAY
    leave = np.where(us.deactivated[user] == NONE, end + 1, us.deactivated[user])
    w_start = np.maximum(created, sp.start[spell])
    w_stop = np.minimum(np.minimum(leave, sp.stop[spell]), end + 1)
    ok = w_stop > w_start
    user, spell, w_start, w_stop = user[ok], spell[ok], w_start[ok], w_stop[ok]
    account = us.account[user]
    rate = (
        EVENTS_PER_USER_DAY
        * us.engagement[user]
        * np.exp(0.5 * acc.health[account])
        * np.asarray(ROLE_ACTIVITY)[us.role[user]]
        * np.where(sp.trial[spell], 1.3, 1.0)
    )
    expected = rate * (w_stop - w_start)
    bounds = np.searchsorted(
        np.cumsum(expected), np.arange(CHUNK_EVENTS, expected.sum() + CHUNK_EVENTS, CHUNK_EVENTS)
    )
    edges = np.unique(np.r_[0, np.minimum(bounds + 1, len(user))])
    day_factor = _day_factor(start, end)
    next_id = 1
    for i, (a, b) in enumerate(zip(edges[:-1], edges[1:], strict=True)):
        sl = slice(int(a), int(b))
        table = _chunk(
            stream(seed, f"events/{i}"),
            acc,
            us,
            sp,
            user[sl],
            spell[sl],
            w_start[sl],
            w_stop[sl],
            rate[sl],
            start,
            day_factor,
            next_id,
        )
        next_id += table.num_rows
        yield table


def _chunk(
    rng: np.random.Generator,
    acc: Accounts,
    us: Users,
    sp: Spells,
    user: Ints,
    spell: Ints,
    w_start: Ints,
    w_stop: Ints,
    rate: Floats,
    start: int,
    day_factor: Floats,
    first_id: int,
) -> pa.Table:
    span = w_stop - w_start
    counts = rng.poisson(rate * span)
    pair = np.repeat(np.arange(len(user)), counts)
    when = w_start[pair] + (rng.random(len(pair)) * span[pair]).astype(np.int64)
    fade = np.where(
        sp.churned[spell[pair]], np.clip(0.2 + 0.8 * (sp.stop[spell[pair]] - when) / RAMP_DAYS, 0.2, 1.0), 1.0
    )
    keep = rng.random(len(pair)) < day_factor[when - start] * fade
    pair, when = pair[keep], when[keep]
    account = us.account[user[pair]]
    n = len(pair)
    stamp = (
        when * US_PER_DAY
        + _working_second(rng, n, acc.region[account]) * 1_000_000
        + rng.integers(0, 1_000_000, n)
    )
    high_tier = sp.tier[spell[pair]] >= 2
    u = rng.random(n)
    low_mix, high_mix = (np.cumsum(mix) / np.sum(mix) for mix in vocab.FEATURE_MIX)
    feature = np.where(
        high_tier, np.searchsorted(high_mix, u, side="right"), np.searchsorted(low_mix, u, side="right")
    )
    feature = np.minimum(feature, len(vocab.FEATURES) - 1)
    mobile = rng.random(n) < 0.16 + 0.03 * (when - start) / 365.25
    platform = np.where(mobile, np.where(rng.random(n) < 0.6, 1, 2), 0)
    return pa.table(
        {
            "event_id": pa.array(np.arange(first_id, first_id + n, dtype=np.int64)),
            "user_id": pa.array(user[pair] + 1),
            "occurred_at": timestamp_array(stamp),
            "feature": labels(feature, vocab.FEATURES),
            "action": labels(pick(rng, vocab.ACTION_MIX, n), vocab.ACTIONS),
            "platform": labels(platform, vocab.PLATFORMS),
        }
    )


def _day_factor(start: int, end: int) -> Floats:
    """Relative activity per day from ``start`` to ``end``: weekends, August and the end of December."""
    days = np.arange(start, end + 1, dtype=np.int64)
    month = month_of(days) % 12
    factor = np.where(weekday(days) >= 5, 0.3, 1.0)
    factor *= np.where(month == 7, 0.85, 1.0)
    return factor * np.where((month == 11) & (day_of_month(days) >= 20), 0.6, 1.0)
