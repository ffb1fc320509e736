"""Marketing: multi-touch journeys before sign-up and conversion, and daily ad spend per campaign.

Every account's journey starts with a touch on its acquisition channel, followed by more touches
before sign-up (more for larger companies) and nurture touches between sign-up and the first payment.
Ad spend follows the same growth and seasonality as sign-ups, split by channel budget and by the
campaigns running each day; each touch carries the spend of its campaign's month divided by the
campaign's touches that month (spend in months without a known touch stays unallocated).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from metricmind.demo import vocab
from metricmind.demo.accounts import MONTH_SEASON, Accounts
from metricmind.demo.dates import (
    NONE,
    US_PER_DAY,
    Ints,
    date_array,
    day,
    labels,
    month_of,
    pick,
    stream,
    timestamp_array,
    to_date,
    weekday,
)

PRE_SIGNUP_TOUCHES = (1.2, 2.2, 3.5)
LOOKBACK_DAYS = (45, 90, 150)
SPEND_PER_ACCOUNT = 600.0  # dollars of ad spend per account, over the whole history


def touchpoints(acc: Accounts, start: int, end: int, seed: int) -> tuple[pa.Table, pa.Table]:
    """``raw.marketing_touchpoints`` and ``raw.marketing_ad_spend`` up to day number ``end``."""
    rng = stream(seed, "marketing")
    camps = vocab.campaigns(to_date(end))
    seg = acc.segment
    extra = rng.poisson(np.asarray(PRE_SIGNUP_TOUCHES)[seg])
    count = 1 + extra
    owner = np.repeat(np.arange(acc.n), count)
    first = np.zeros(len(owner), bool)
    first[np.cumsum(count) - count] = True
    lookback = np.asarray(LOOKBACK_DAYS)[seg][owner] * US_PER_DAY
    offset = (rng.random(len(owner)) * lookback).astype(np.int64)
    offset = np.where(first, np.maximum(offset, lookback // 2 + 1), np.minimum(offset, lookback // 2))
    when = acc.created_us[owner] - offset
    channel = np.where(first, acc.channel[owner], pick(rng, vocab.JOURNEY_MIX, len(owner)))
    # nurture touches between sign-up and the first payment (or 30 days after the trial)
    horizon = np.where(
        acc.paid_start != NONE,
        acc.paid_start,
        np.where(acc.trial_end != NONE, acc.trial_end + 30, acc.created + 30),
    )
    nurture = rng.poisson(np.where(acc.trial_start != NONE, 0.9, 0.5))
    n_owner = np.repeat(np.arange(acc.n), nurture)
    span = np.maximum(horizon[n_owner] * US_PER_DAY - acc.created_us[n_owner], 0)
    n_when = acc.created_us[n_owner] + (rng.random(len(n_owner)) * span).astype(np.int64)
    n_channel = pick(rng, (0.0, 0.0, 0.3, 0.55, 0.0, 0.0, 0.15, 0.0), len(n_owner))
    owner = np.concatenate([owner, n_owner])
    when = np.concatenate([np.where(first, np.maximum(when, start * US_PER_DAY), when), n_when])
    channel = np.concatenate([channel, n_channel])
    keep = (when >= start * US_PER_DAY) & (when < (end + 1) * US_PER_DAY)
    owner, when, channel = owner[keep], when[keep], channel[keep]
    order = np.lexsort((owner, when))
    owner, when, channel = owner[order], when[order], channel[order]
    touch_day = when // US_PER_DAY
    campaign = _campaigns(rng, camps, channel, touch_day)
    spend = ad_spend(camps, acc.n, start, end, seed)
    allocated = _allocate(spend, campaign, touch_day, len(camps))
    names = tuple(c.name for c in camps)
    table = pa.table(
        {
            "touchpoint_id": pa.array(np.arange(1, len(owner) + 1, dtype=np.int64)),
            "account_id": pa.array(owner + 1),
            "touched_at": timestamp_array(when),
            "channel": labels(channel, vocab.CHANNELS),
            "campaign": labels(campaign, names),
            "allocated_spend_cents": pa.array(allocated),
        }
    )
    spend_table = pa.table(
        {
            "spend_date": date_array(spend["day"]),
            "channel": labels(
                np.asarray(
                    [vocab.CHANNELS.index(camps[c].channel) for c in spend["campaign"]], dtype=np.int64
                ),
                vocab.CHANNELS,
            ),
            "campaign": labels(spend["campaign"], names),
            "spend_cents": pa.array(spend["cents"]),
            "impressions": pa.array(spend["impressions"]),
            "clicks": pa.array(spend["clicks"]),
        }
    )
    return table, spend_table


def ad_spend(
    camps: tuple[vocab.Campaign, ...], scale: int, start: int, end: int, seed: int
) -> dict[str, Ints]:
    """Daily spend per paid campaign: budget × growth × seasonality × weekday, split over live campaigns."""
    rng = stream(seed, "ad_spend")
    days = np.arange(start, end + 1, dtype=np.int64)
    years = (days - start) / 365.25
    shape = (
        1.45**years * np.asarray(MONTH_SEASON)[month_of(days) % 12] * np.where(weekday(days) >= 5, 0.6, 1.0)
    )
    daily = shape / shape.sum() * SPEND_PER_ACCOUNT * scale
    starts, ends = _flights(camps)
    live = (days[:, None] >= starts) & (days[:, None] <= ends)
    budget = np.asarray([vocab.CHANNEL_BUDGET[vocab.CHANNELS.index(c.channel)] for c in camps])
    weight = np.asarray([c.weight for c in camps]) * live
    for ch, share in enumerate(vocab.CHANNEL_BUDGET):
        cols = np.asarray([vocab.CHANNELS.index(c.channel) == ch for c in camps])
        total = weight[:, cols].sum(axis=1, keepdims=True)
        weight[:, cols] = (
            np.divide(weight[:, cols], total, out=np.zeros_like(weight[:, cols]), where=total > 0) * share
        )
    dollars = daily[:, None] * weight * (budget > 0)
    day_idx, camp_idx = np.nonzero(dollars > 0)
    value = dollars[day_idx, camp_idx] * rng.lognormal(0, 0.15, len(day_idx))
    cents = np.round(value * 100).astype(np.int64)
    reach = np.asarray([vocab.CHANNEL_REACH[vocab.CHANNELS.index(c.channel)] for c in camps])
    impressions = np.round(value * reach[camp_idx, 0] * rng.lognormal(0, 0.2, len(value))).astype(np.int64)
    clicks = rng.binomial(impressions, reach[camp_idx, 1]).astype(np.int64)
    return {
        "day": days[day_idx],
        "campaign": camp_idx.astype(np.int64),
        "cents": cents,
        "impressions": impressions,
        "clicks": clicks,
    }


def _campaigns(
    rng: np.random.Generator, camps: tuple[vocab.Campaign, ...], channel: Ints, touch_day: Ints
) -> Ints:
    """A live campaign of each touch's channel on its day (the channel's always-on one as a fallback)."""
    out = np.zeros(len(channel), dtype=np.int64)
    starts, ends = _flights(camps)
    for ch, name in enumerate(vocab.CHANNELS):
        cols = np.asarray([i for i, c in enumerate(camps) if c.channel == name])
        rows = np.flatnonzero(channel == ch)
        if not len(rows):
            continue
        d = touch_day[rows, None]
        w = np.asarray([camps[i].weight for i in cols]) * ((d >= starts[cols]) & (d <= ends[cols]))
        fallback = np.asarray([camps[i].start is None and camps[i].end is None for i in cols], dtype=float)
        w = np.where(w.sum(axis=1, keepdims=True) > 0, w, fallback)
        cum = np.cumsum(w, axis=1)
        u = rng.random(len(rows)) * cum[:, -1]
        out[rows] = cols[np.minimum((cum < u[:, None]).sum(axis=1), len(cols) - 1)]
    return out


def _allocate(spend: dict[str, Ints], campaign: Ints, touch_day: Ints, n_camps: int) -> Ints:
    """Each touch's share of its campaign's spend in that calendar month, in cents."""
    base = int(month_of(np.array([touch_day.min() if len(touch_day) else 0]))[0]) - 240
    t_key = campaign * 1000 + (month_of(touch_day) - base)
    s_key = spend["campaign"] * 1000 + (month_of(spend["day"]) - base)
    keys, inverse, touches = np.unique(t_key, return_inverse=True, return_counts=True)
    totals = np.zeros(len(keys), dtype=np.int64)
    pos = np.searchsorted(keys, s_key)
    hit = (pos < len(keys)) & (keys[np.minimum(pos, len(keys) - 1)] == s_key)
    np.add.at(totals, pos[hit], spend["cents"][hit])
    shares: Ints = totals[inverse] // touches[inverse]
    return shares


def _flights(camps: tuple[vocab.Campaign, ...]) -> tuple[Ints, Ints]:
    """First and last day number of each campaign (always-on ones run forever)."""
    starts = np.asarray([day(c.start) if c.start else -(10**9) for c in camps], dtype=np.int64)
    ends = np.asarray([day(c.end) if c.end else 10**9 for c in camps], dtype=np.int64)
    return starts, ends
