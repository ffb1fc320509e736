"""The raw layer of the demo company, generated deterministically from a seed, a scale and an end date.

``generate`` yields ``(table, arrow_table)`` pairs for schema ``raw``; ``product_events`` comes in
several chunks (append them). Same seed, scale and end date give identical rows, whatever the machine.

Scale is the number of CRM accounts. Row counts grow linearly with it; product events are the big
table (about 200 per account, so 50k accounts give 10M+ events).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np
import pyarrow as pa

from metricmind.demo import vocab
from metricmind.demo.accounts import accounts_table, generate_accounts
from metricmind.demo.billing import invoice, invoices_table, past_due_subscriptions, refunds_table
from metricmind.demo.dates import day
from metricmind.demo.lifecycle import simulate, subscription_ids, subscriptions_table
from metricmind.demo.marketing import touchpoints
from metricmind.demo.product import events, spells, users, users_table
from metricmind.errors import MetricmindError

GENERATOR_VERSION = "1"
MIN_DAYS = 90

#: Raw tables in the order ``generate`` yields them.
RAW_TABLES = (
    "build_info",
    "crm_accounts",
    "billing_subscriptions",
    "billing_invoices",
    "billing_refunds",
    "marketing_touchpoints",
    "marketing_ad_spend",
    "product_users",
    "product_events",
)


def resolve_end_date(end_date: dt.date | str | None) -> dt.date:
    """The end date as a ``date``: given (ISO text accepted) or today.

    Raises:
        MetricmindError: Unparseable, or fewer than 90 days after the 2022-01-01 start.
    """
    if end_date is None:
        value = dt.date.today()
    elif isinstance(end_date, str):
        try:
            value = dt.date.fromisoformat(end_date)
        except ValueError as exc:
            raise MetricmindError(f"end date '{end_date}' is not a date.", hint="Use YYYY-MM-DD.") from exc
    elif isinstance(end_date, dt.datetime):
        value = end_date.date()
    else:
        value = end_date
    if (value - vocab.START).days < MIN_DAYS:
        raise MetricmindError(
            f"end date {value} is too early: demo data starts on {vocab.START}.",
            hint=f"Pick a date at least {MIN_DAYS} days later.",
        )
    return value


def generate(
    scale: int = 10_000, end_date: dt.date | str | None = None, seed: int = 42
) -> Iterator[tuple[str, pa.Table]]:
    """Generate the raw layer.

    Args:
        scale: Number of CRM accounts (customers and prospects); at least 10.
        end_date: Last day of data (default today); fix it for reproducible builds.
        seed: Random seed.

    Yields:
        ``(name, table)`` for each table of ``RAW_TABLES``; ``product_events`` repeats, one per chunk.

    Raises:
        MetricmindError: Scale below 10 or an end date before 2022-04-01.
    """
    if scale < 10:
        raise MetricmindError(
            f"scale {scale} is too small.", hint="Use at least 10 accounts (tests use 1000)."
        )
    last = resolve_end_date(end_date)
    start, end = day(vocab.START), day(last)
    yield (
        "build_info",
        pa.table(
            {
                "as_of": pa.array([last], type=pa.date32()),
                "start_date": pa.array([vocab.START], type=pa.date32()),
                "scale": pa.array([scale], type=pa.int64()),
                "seed": pa.array([seed], type=pa.int64()),
                "generator_version": pa.array([GENERATOR_VERSION]),
            }
        ),
    )
    acc = generate_accounts(scale, start, end, seed)
    yield "crm_accounts", accounts_table(acc)
    subs = simulate(acc, end, seed)
    ids = subscription_ids(subs)
    inv = invoice(subs, acc, end, seed)
    yield (
        "billing_subscriptions",
        subscriptions_table(subs, acc, ids, past_due_subscriptions(inv, len(ids)), end),
    )
    yield "billing_invoices", invoices_table(inv, ids)
    yield "billing_refunds", refunds_table(inv)
    touch, spend = touchpoints(acc, start, end, seed)
    yield "marketing_touchpoints", touch
    yield "marketing_ad_spend", spend
    sp = spells(subs, end)
    us = users(acc, subs, sp, end, seed)
    yield "product_users", users_table(us)
    empty = True
    for chunk in events(acc, us, sp, start, end, seed):
        empty = False
        yield "product_events", chunk
    if empty:
        yield "product_events", _no_events()


def _no_events() -> pa.Table:
    return pa.table(
        {
            "event_id": pa.array(np.zeros(0, np.int64)),
            "user_id": pa.array(np.zeros(0, np.int64)),
            "occurred_at": pa.array([], type=pa.timestamp("us")),
            "feature": pa.array([], type=pa.string()),
            "action": pa.array([], type=pa.string()),
            "platform": pa.array([], type=pa.string()),
        }
    )
