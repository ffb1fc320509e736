"""A generated month of query log for the demo project, with repeated patterns (native JSONL format)."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

START = dt.date(2026, 6, 1)
DAYS = 30

PATTERNS: dict[str, tuple[str, int, list[str]]] = {
    # name: (SQL with {day}, calls in the month, users)
    "wire_billed": (
        "SELECT date_trunc('month', issued_at) AS month, SUM(amount) AS billed FROM fct_invoices_canonical "
        "WHERE payment_method = 'wire' AND issued_at >= DATE '{day}' - INTERVAL 90 DAY GROUP BY 1 ORDER BY 1",
        20,
        ["ann", "bob"],
    ),
    "avg_seats": (
        "SELECT plan_tier, AVG(seats) AS seats FROM fct_subscriptions_canonical WHERE started_at < DATE '{day}' "
        "GROUP BY plan_tier",
        15,
        ["cat"],
    ),
    "invoices_by_currency": (
        "SELECT currency, COUNT(invoice_id) AS n FROM fct_invoices_canonical WHERE issued_at >= DATE '{day}' "
        "GROUP BY currency",
        12,
        ["ann", "dan"],
    ),
    "paid_by_segment": (
        "SELECT c.segment, SUM(i.amount) AS revenue FROM fct_invoices_canonical AS i "
        "JOIN dim_customers_canonical AS c ON i.customer_id = c.customer_id WHERE i.is_paid = TRUE "
        "GROUP BY c.segment",
        25,
        ["bob", "eve"],
    ),
    "rare_discount": (
        "SELECT MAX(discount_pct) FROM fct_subscriptions_canonical WHERE started_at >= DATE '{day}'",
        3,
        ["eve"],
    ),
}


def records(seed: int = 7) -> list[dict[str, Any]]:
    """Every record of the month, in time order."""
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for name, (sql, calls, users) in PATTERNS.items():
        for i in range(calls):
            day = START + dt.timedelta(days=rng.randrange(DAYS))
            at = dt.datetime.combine(day, dt.time(rng.randrange(24), rng.randrange(60)), dt.timezone.utc)
            out.append(
                {
                    "query_id": f"{name}-{i}",
                    "sql": sql.format(day=(day - dt.timedelta(days=day.day - 1)).isoformat()),
                    "user": users[i % len(users)],
                    "started_at": at.isoformat(),
                    "duration_ms": round(rng.uniform(5, 80), 2),
                    "rows": rng.randrange(1, 50),
                    "dialect": "duckdb",
                }
            )
    out.sort(key=lambda r: (r["started_at"], r["query_id"]))
    return out


def write(path: Path, seed: int = 7) -> Path:
    """Write the month as JSONL."""
    path.write_text("".join(json.dumps(r) + "\n" for r in records(seed)))
    return path
