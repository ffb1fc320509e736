"""Invoices, payments and refunds for every paid contract.

Monthly contracts are invoiced on their anchor day each month, annual ones once a year, for the full
period (no proration on plan changes). Cards pay on the day, bank transfers and wires within net-30
terms; some invoices are paid late (more for unhealthy accounts and in LATAM), and the last invoice
before an involuntary churn is never paid and is written off 90 days after its due date. Refunds are
rare, except on the final invoice of customers who leave over price or a missing feature.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from metricmind.demo import vocab
from metricmind.demo.accounts import Accounts
from metricmind.demo.dates import (
    NONE,
    Bools,
    Ints,
    add_months,
    date_array,
    day_of_month,
    labels,
    pick_rows,
    stream,
)
from metricmind.demo.lifecycle import ENDED_BY_CHURN, REASON, Subscriptions

WRITE_OFF_DAYS = 90
REFUND_REASONS = ("customer_request", "service_issue", "billing_error")
INVOICE_STATUSES = ("paid", "open", "past_due", "uncollectible")


@dataclass
class Invoices:
    """One entry per invoice, in issue order (``invoice_id`` = index + 1)."""

    sub: Ints  # subscription row index
    account: Ints
    issued: Ints
    due: Ints
    paid: Ints  # NONE when unpaid at the end date
    written_off: Ints  # NONE unless written off by the end date
    period_start: Ints
    period_end: Ints
    amount_cents: Ints
    method: Ints
    status: Ints
    refund_day: Ints  # NONE when not refunded
    refund_cents: Ints
    refund_reason: Ints


def invoice(subs: Subscriptions, acc: Accounts, end: int, seed: int) -> Invoices:
    """Every invoice issued up to day number ``end``, with payments and refunds as of that day."""
    rng = stream(seed, "billing")
    rows = np.flatnonzero(~subs.is_trial)
    months = np.where(subs.annual[rows], 12, 1)
    bound = np.where(subs.end[rows] == NONE, end + 1, np.minimum(subs.end[rows], end + 1))
    anchor = day_of_month(subs.start[rows])
    parts: list[tuple[Ints, Ints, Ints]] = []
    k, alive = 0, np.arange(len(rows))
    while len(alive):
        issued = add_months(subs.start[rows[alive]], k * months[alive], anchor[alive])
        keep = issued < bound[alive]
        alive, issued = alive[keep], issued[keep]
        parts.append((alive, issued, np.full(len(alive), k)))
        k += 1
    which = np.concatenate([p[0] for p in parts])
    issued = np.concatenate([p[1] for p in parts])
    period = np.concatenate([p[2] for p in parts])
    order = np.lexsort((rows[which], issued))
    which, issued, period = which[order], issued[order], period[order]
    sub = rows[which]
    account = subs.account[sub]
    period_end = add_months(subs.start[sub], (period + 1) * months[which], anchor[which])
    amount = subs.mrr_cents[sub] * months[which]

    method = pick_rows(rng, np.asarray(vocab.PAYMENT_MIX)[acc.segment])[account]
    due = issued + np.asarray(vocab.PAYMENT_TERMS_DAYS)[method]
    n = len(sub)
    health = acc.health[account]
    late = rng.random(n) < 0.06 * np.exp(-0.5 * health) * np.where(acc.region[account] == 3, 1.5, 1.0)
    on_time = np.where(method == 0, issued, issued + rng.integers(5, 31, n))
    paid = np.where(late, due + 1 + np.minimum(rng.geometric(1 / 12, n), 80), np.minimum(on_time, due))
    last = _last_invoice_of_each(sub)
    bad = last & subs.involuntary[sub] & (subs.ended_by[sub] == ENDED_BY_CHURN)
    paid = np.where(bad, NONE, paid)
    written_off = np.where(bad & (due + WRITE_OFF_DAYS <= end), due + WRITE_OFF_DAYS, NONE)
    paid = np.where(paid > end, NONE, paid)
    status = np.select(
        [written_off != NONE, paid != NONE, due < end],
        [
            INVOICE_STATUSES.index("uncollectible"),
            INVOICE_STATUSES.index("paid"),
            INVOICE_STATUSES.index("past_due"),
        ],
        INVOICE_STATUSES.index("open"),
    )

    unhappy = np.isin(subs.reason[sub], [REASON["price"], REASON["missing_feature"]]) & last
    refunded = (paid != NONE) & (rng.random(n) < np.where(unhappy, 0.15, 0.012))
    refund_day = np.where(refunded, paid + rng.integers(1, 22, n), NONE)
    refunded &= refund_day <= end
    refund_day = np.where(refunded, refund_day, NONE)
    fraction = np.where(rng.random(n) < 0.6, 1.0, rng.uniform(0.2, 0.8, n))
    refund_cents = np.where(refunded, np.round(amount * fraction), 0).astype(np.int64)
    reason = np.where(unhappy, 0, pick_rows(rng, np.tile([0.6, 0.25, 0.15], (n, 1))))
    return Invoices(
        sub,
        account,
        issued,
        due,
        paid,
        written_off,
        issued,
        period_end,
        amount,
        method,
        status,
        refund_day,
        refund_cents,
        reason,
    )


def past_due_subscriptions(inv: Invoices, rows: int) -> Bools:
    """Per contract row (``rows`` of them), whether one of its invoices is unpaid past its due date."""
    mask = np.zeros(rows, bool)
    mask[inv.sub[inv.status == INVOICE_STATUSES.index("past_due")]] = True
    return mask


def invoices_table(inv: Invoices, sub_ids: Ints) -> pa.Table:
    """``raw.billing_invoices``: one row per invoice, amounts in cents as the billing system keeps them."""
    return pa.table(
        {
            "invoice_id": pa.array(np.arange(1, len(inv.sub) + 1, dtype=np.int64)),
            "subscription_id": pa.array(sub_ids[inv.sub]),
            "account_id": pa.array(inv.account + 1),
            "issued_at": date_array(inv.issued),
            "due_at": date_array(inv.due),
            "paid_at": date_array(inv.paid),
            "written_off_at": date_array(inv.written_off),
            "period_start": date_array(inv.period_start),
            "period_end": date_array(inv.period_end),
            "amount_cents": pa.array(inv.amount_cents),
            "currency": labels(np.zeros(len(inv.sub), np.int64), ("USD",)),
            "payment_method": labels(inv.method, vocab.PAYMENT_METHODS),
            "status": labels(inv.status, INVOICE_STATUSES),
        }
    )


def refunds_table(inv: Invoices) -> pa.Table:
    """``raw.billing_refunds``: one row per refund."""
    rows = np.flatnonzero(inv.refund_day != NONE)
    rows = rows[np.lexsort((rows, inv.refund_day[rows]))]
    return pa.table(
        {
            "refund_id": pa.array(np.arange(1, len(rows) + 1, dtype=np.int64)),
            "invoice_id": pa.array(rows.astype(np.int64) + 1),
            "refunded_at": date_array(inv.refund_day[rows]),
            "amount_cents": pa.array(inv.refund_cents[rows]),
            "reason": labels(inv.refund_reason[rows], REFUND_REASONS),
        }
    )


def _last_invoice_of_each(sub: Ints) -> Bools:
    """True on the latest-issued invoice of each subscription (rows are in issue order)."""
    last = np.zeros(len(sub), bool)
    _, first_from_end = np.unique(sub[::-1], return_index=True)
    last[len(sub) - 1 - first_from_end] = True
    return last
