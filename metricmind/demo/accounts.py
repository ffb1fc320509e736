"""CRM accounts and the top of the funnel: who signs up when, who trials, who converts and when.

Accounts arrive at a rate that grows about 45% a year with seasonality (strong Q1, quiet August and late
December, few weekend sign-ups). Each account has a hidden ``health`` score that drives everything
downstream: trial conversion, product usage, expansion and churn, so usage predicts churn as it should.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from metricmind.demo import vocab
from metricmind.demo.dates import (
    NONE,
    US_PER_DAY,
    Bools,
    Floats,
    Ints,
    date_array,
    day,
    labels,
    month_of,
    pick,
    pick_rows,
    stream,
    timestamp_array,
    weekday,
)

GROWTH_PER_YEAR = 0.45
MONTH_SEASON = (1.25, 1.15, 1.1, 1.0, 0.95, 0.95, 0.9, 0.75, 1.0, 1.05, 1.0, 0.8)
TRIAL_SHARE = (0.85, 0.75, 0.4)
TRIAL_DAYS = (14, 14, 21)
TRIAL_CONVERSION = (0.30, 0.38, 0.48)
DIRECT_CONVERSION = (0.22, 0.32, 0.45)
DIRECT_CYCLE_DAYS = ((1, 20), (10, 60), (30, 120))
LATE_RETURN = 0.08


@dataclass
class Accounts:
    """One entry per CRM account, indexed 0..n-1 (``account_id`` = index + 1), in sign-up order."""

    created: Ints  # sign-up day
    created_us: Ints  # sign-up timestamp, microseconds
    segment: Ints
    region: Ints
    country: list[str]
    industry: Ints
    channel: Ints
    employees: Ints
    health: Floats
    names: list[str]
    trial_start: Ints  # NONE when the account never trialled
    trial_end: Ints
    trial_converted: Bools  # converted by the trial (at or soon after its end)
    paid_start: Ints  # first paid day, NONE when never (simulated past the end date, trimmed later)

    @property
    def n(self) -> int:
        """Number of accounts."""
        return len(self.created)


def generate_accounts(scale: int, start: int, end: int, seed: int) -> Accounts:
    """Sign-ups, firmographics and the trial/paid funnel for ``scale`` accounts between two day numbers."""
    rng = stream(seed, "accounts")
    days = np.arange(start, end + 1, dtype=np.int64)
    years = (days - start) / 365.25
    season = np.asarray(MONTH_SEASON)[month_of(days) % 12]
    weekend = np.where(weekday(days) >= 5, 0.35, 1.0)
    created = np.sort(
        rng.choice(
            days, size=scale, p=_normalise(np.exp(np.log1p(GROWTH_PER_YEAR) * years) * season * weekend)
        )
    )
    t = (created - start) / 365.25
    ent_share = np.minimum(0.07 + 0.025 * t, 0.2)
    mm_share = np.full(scale, 0.28)
    segment = pick_rows(rng, np.column_stack([1 - ent_share - mm_share, mm_share, ent_share]))
    region = pick(rng, vocab.REGION_WEIGHTS, scale)
    country = _countries(rng, region)
    industry = pick(rng, vocab.INDUSTRY_WEIGHTS, scale)
    mix = np.asarray(vocab.CHANNEL_MIX)[segment]
    mix[:, vocab.CHANNELS.index("paid_social")] *= 1 + 0.15 * t  # social grows, search saturates
    channel = pick_rows(rng, mix)
    employees = np.round(np.exp(rng.normal(np.log([25, 600, 6000])[segment], 0.7))).astype(np.int64) + 2
    health = (
        rng.normal(0, 1, scale)
        + np.asarray(vocab.CHANNEL_HEALTH)[channel]
        + np.asarray(vocab.INDUSTRY_HEALTH)[industry]
    )
    seconds = _working_second(rng, scale, region)
    created_us = created * US_PER_DAY + seconds * 1_000_000
    acc = Accounts(
        created,
        created_us,
        segment,
        region,
        country,
        industry,
        channel,
        employees,
        health,
        _names(rng, scale),
        *_funnel(rng, created, segment, health, channel),
    )
    return acc


def _funnel(
    rng: np.random.Generator, created: Ints, segment: Ints, health: Floats, channel: Ints
) -> tuple[Ints, Ints, Bools, Ints]:
    n = len(created)
    trial = rng.random(n) < np.asarray(TRIAL_SHARE)[segment]
    trial_start = np.where(trial, created + rng.geometric(0.6, n) - 1, NONE)
    trial_end = np.where(trial, trial_start + np.asarray(TRIAL_DAYS)[segment], NONE)
    bonus = np.where(channel == vocab.CHANNELS.index("referral"), 0.5, 0.0)
    p_trial = _logistic(_logit(np.asarray(TRIAL_CONVERSION)[segment]) + 0.8 * health + bonus)
    converted = trial & (rng.random(n) < p_trial)
    shift = rng.random(n)
    delay = np.where(shift < 0.7, 0, np.where(shift < 0.9, -rng.integers(1, 8, n), rng.integers(1, 26, n)))
    late = trial & ~converted & (rng.random(n) < LATE_RETURN * np.exp(0.3 * health))
    paid = np.full(n, NONE, dtype=np.int64)
    paid[converted] = (trial_end + delay)[converted]
    paid[late] = (trial_end + rng.integers(40, 300, n))[late]
    p_direct = _logistic(_logit(np.asarray(DIRECT_CONVERSION)[segment]) + 0.6 * health + bonus)
    direct = ~trial & (rng.random(n) < p_direct)
    lo, hi = np.asarray(DIRECT_CYCLE_DAYS).T
    cycle = lo[segment] + (rng.random(n) * (hi - lo)[segment]).astype(np.int64)
    paid[direct] = (created + cycle)[direct]
    return trial_start, trial_end, converted, paid


def accounts_table(acc: Accounts) -> pa.Table:
    """``raw.crm_accounts``: one row per account, as the CRM exports it."""
    return pa.table(
        {
            "account_id": pa.array(np.arange(1, acc.n + 1, dtype=np.int64)),
            "account_name": pa.array(acc.names, type=pa.string()),
            "segment": labels(acc.segment, vocab.SEGMENTS),
            "region": labels(acc.region, vocab.REGIONS),
            "country": pa.array(acc.country, type=pa.string()),
            "industry": labels(acc.industry, vocab.INDUSTRIES),
            "employee_count": pa.array(acc.employees.astype(np.int32)),
            "acquisition_channel": labels(acc.channel, vocab.CHANNELS),
            "created_at": timestamp_array(acc.created_us),
            "signup_date": date_array(acc.created),
        }
    )


def _countries(rng: np.random.Generator, region: Ints) -> list[str]:
    out = np.empty(len(region), dtype=object)
    for r, name in enumerate(vocab.REGIONS):
        rows = np.flatnonzero(region == r)
        options = vocab.COUNTRIES[name]
        chosen = pick(rng, [w for _, w in options], len(rows))
        out[rows] = np.asarray([c for c, _ in options], dtype=object)[chosen]
    return list(out)


def _names(rng: np.random.Generator, n: int) -> list[str]:
    """Unique company names (a numbered suffix only past ~66k accounts)."""
    words, nouns, suffixes = vocab.COMPANY_WORDS, vocab.COMPANY_NOUNS, vocab.COMPANY_SUFFIXES
    capacity = len(words) * len(nouns) * len(suffixes)
    order = rng.permutation(max(n, capacity))[:n]
    names = []
    for k in order.tolist():
        base, number = k % capacity, k // capacity
        name = f"{words[base % len(words)]} {nouns[(base // len(words)) % len(nouns)]} {suffixes[base // (len(words) * len(nouns))]}"
        names.append(f"{name} {number + 1}" if number else name)
    return names


def _working_second(rng: np.random.Generator, n: int, region: Ints) -> Ints:
    """Second of the UTC day for activity in local working hours (9:00-18:00, a tail into the evening)."""
    local = np.clip(rng.normal(13.0, 3.0, n), 6, 23.9)
    utc = (local + np.asarray(vocab.REGION_UTC_OFFSET)[region]) % 24
    seconds: Ints = (utc * 3600).astype(np.int64)
    return seconds


def _normalise(w: Floats) -> Floats:
    out: Floats = w / w.sum()
    return out


def _logit(p: Floats) -> Floats:
    return np.log(p / (1 - p))


def _logistic(x: Floats) -> Floats:
    return 1 / (1 + np.exp(-x))


def start_day() -> int:
    """Day number of the first day of demo data (2022-01-01)."""
    return day(vocab.START)
