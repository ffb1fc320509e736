"""Write the shop fixture's seed CSVs (deterministic; run once, the CSVs are committed)."""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent / "seeds"
START = date(2023, 1, 1)
DAYS = 730


def write(name: str, header: list[str], rows: list[list[object]]) -> None:
    """Write one seed CSV."""
    with open(HERE / f"{name}.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(["" if v is None else v for v in r] for r in rows)


def main() -> None:
    """Generate every seed."""
    rnd = random.Random(7)
    regions = [[1, "North", "Europe"], [2, "South", "Europe"], [3, "East", "Asia"], [4, "West", "America"]]
    write("raw_regions", ["region_id", "region_name", "continent"], regions)
    segments = ["SMB", "Mid-Market", "Enterprise"]
    channels = ["search", "social", "email", None]
    customers: list[list[Any]] = []
    for cid in range(1, 61):
        signup = START + timedelta(days=rnd.randrange(0, 600))
        customers.append(
            [
                cid,
                f"Customer {cid:02d}",
                rnd.choice(segments),
                rnd.randint(1, 4),
                signup.isoformat(),
                rnd.choice(channels),
            ]
        )
    write(
        "raw_customers",
        ["customer_id", "name", "segment", "region_id", "signup_date", "acquisition_channel"],
        customers,
    )
    products: list[list[Any]] = [
        [p, rnd.choice(["hardware", "software", "service"]), round(rnd.uniform(5, 200), 2)]
        for p in range(1, 13)
    ]
    write("raw_products", ["product_id", "category", "list_price"], products)
    orders, items, visits = [], [], []
    oid = iid = vid = 0
    for c in customers:
        cid, signup = c[0], date.fromisoformat(c[4])
        for _ in range(rnd.randint(0, 25)):
            vid += 1
            vday = signup + timedelta(days=rnd.randrange(0, 200))
            if (vday - START).days >= DAYS:
                continue
            visits.append([vid, cid, vday.isoformat(), rnd.choice(["search", "social", "email"])])
            if rnd.random() < 0.45:
                oid += 1
                oday = vday + timedelta(days=rnd.choice([0, 0, 1, 2, 3, 6, 9, 15]))
                if (oday - START).days >= DAYS:
                    continue
                status = rnd.choices(["completed", "returned", "cancelled"], [8, 1, 1])[0]
                shipped = (
                    None if status == "cancelled" else (oday + timedelta(days=rnd.randint(1, 5))).isoformat()
                )
                n_items = rnd.randint(1, 4)
                total = 0.0
                for _ in range(n_items):
                    iid += 1
                    p = rnd.choice(products)
                    qty = rnd.randint(1, 3)
                    total += qty * p[2]
                    items.append([iid, oid, p[0], qty, p[2]])
                orders.append(
                    [
                        oid,
                        cid,
                        oday.isoformat(),
                        shipped,
                        status,
                        round(total, 2),
                        round(rnd.choice([0, 0, 0, 5, 10]) * 1.0, 2),
                        rnd.random() < 0.3,
                    ]
                )
    write(
        "raw_orders",
        ["order_id", "customer_id", "ordered_at", "shipped_at", "status", "amount", "discount", "is_gift"],
        orders,
    )
    write("raw_order_items", ["item_id", "order_id", "product_id", "quantity", "unit_price"], items)
    write("raw_visits", ["visit_id", "customer_id", "visited_at", "channel"], visits)
    balances = []
    for c in customers:
        bal = rnd.randint(0, 500)
        day = date.fromisoformat(c[4])
        while (day - START).days < DAYS:
            balances.append([c[0], day.isoformat(), bal])
            bal = max(0, bal + rnd.randint(-80, 120))
            day += timedelta(days=rnd.choice([7, 14, 30]))
    write("raw_balances", ["customer_id", "balance_date", "balance"], balances)
    customer_plans()


def customer_plans() -> None:
    """A type II slowly changing dimension: each customer's plan periods (the last one open-ended)."""
    rnd = random.Random(11)
    rows: list[list[object]] = []
    for cid in range(1, 61):
        day = START + timedelta(days=rnd.randint(0, 200))
        plans = ["basic", "plus", "premium"]
        plan = rnd.choice(plans)
        count = rnd.randint(1, 3)
        for k in range(count):
            end = day + timedelta(days=rnd.randint(60, 300)) if k < count - 1 else None
            if end and end > date(2024, 12, 31):
                end = None
            rows.append([cid, plan, day.isoformat(), end.isoformat() if end else None])
            if end is None:
                break
            day = end
            plan = rnd.choice([p for p in plans if p != plan])
    write("raw_customer_plans", ["customer_id", "plan", "valid_from", "valid_to"], rows)


if __name__ == "__main__":
    main()
