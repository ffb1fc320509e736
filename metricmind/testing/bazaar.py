"""The bazaar sample: a two-sided marketplace's dbt project (buyers, sellers, listings, orders, reviews).

A second company's project, written the way a data team writes one and never tuned to metricmind:
no ``metricmind.yml`` (the warehouse comes from ``profiles.yml``), sources in schema ``raw``, staging
views ``stg_*``, marts ``dim_*``/``fct_*``, semantic models in ``models/semantic/*.yml``, metrics with
``type_params`` (simple, ``expr`` measures, a ``non_additive_dimension`` balance, ratios, a derived
metric with ``offset_window``, a cumulative and a conversion metric) and a time spine. Its words are a
marketplace's (GMV, take rate, AOV, repeat buyers, active sellers), not the SaaS demo's.

The raw data is generated here (seeded, a few thousand rows, 2024-01-01 to 2024-06-30) and loaded
into DuckDB; :func:`copy_bazaar` gives a built copy.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from metricmind.testing.rawload import RawTable, build_duckdb, copy_project

BAZAAR = Path(__file__).parent / "projects" / "bazaar"
SCHEMA = "main"
START = dt.date(2024, 1, 1)
DAYS = 182  # through 2024-06-30
COUNTRIES = ("US", "GB", "DE", "FR", "NL")
CATEGORIES = ("vintage", "handmade", "electronics", "books", "home")
SOURCES = ("organic", "paid_search", "referral", "social")
ORDER_STATES = ("completed",) * 8 + ("refunded", "cancelled")
FEE_RATE = {"vintage": 0.12, "handmade": 0.10, "electronics": 0.06, "books": 0.08, "home": 0.09}


def _ts(rng: random.Random, day: int) -> dt.datetime:
    return dt.datetime.combine(START + dt.timedelta(days=day), dt.time()) + dt.timedelta(
        minutes=rng.randrange(24 * 60)
    )


#: The seed of the project's data (another seed builds the same project with other rows).
SEED = 11


def raw_tables(seed: int = SEED) -> dict[str, RawTable]:
    """The raw tables, the same for the same ``seed``."""
    rng = random.Random(seed)
    buyers = [
        (
            i,
            f"buyer{i}@mail.test",
            rng.choice(COUNTRIES),
            _ts(rng, rng.randrange(-200, DAYS - 10)),
            rng.choice(SOURCES),
        )
        for i in range(1, 301)
    ]
    sellers = [
        (
            i,
            f"Shop {i:02d}",
            rng.choice(COUNTRIES),
            CATEGORIES[i % len(CATEGORIES)],
            _ts(rng, rng.randrange(-300, 60)),
            i % 4 != 0,
        )
        for i in range(1, 61)
    ]
    listings = []
    for i in range(1, 401):
        seller = sellers[(i * 7) % len(sellers)]
        listings.append(
            (
                i,
                seller[0],
                f"Item {i}",
                seller[3],
                rng.randrange(500, 20000),
                _ts(rng, rng.randrange(-100, 120)),
                "active" if i % 9 else "sold_out",
            )
        )
    orders, items, reviews, visits = [], [], [], []
    item_id = review_id = 0
    for i in range(1, 2001):
        day = min(DAYS - 1, int(DAYS * (rng.random() ** 0.8)))
        buyer = 1 + int(300 * (rng.random() ** 1.6))
        placed = _ts(rng, day)
        status = rng.choice(ORDER_STATES)
        orders.append((i, buyer, placed, status, "USD"))
        for _ in range(1 + (rng.random() < 0.45) + (rng.random() < 0.15)):
            item_id += 1
            listing = listings[rng.randrange(len(listings))]
            qty = 1 + (rng.random() < 0.2)
            fee = round(listing[4] * qty * FEE_RATE[listing[3]])
            items.append((item_id, i, listing[0], listing[1], qty, listing[4], fee))
        if status == "completed" and rng.random() < 0.6:
            review_id += 1
            reviews.append(
                (
                    review_id,
                    i,
                    items[-1][2],
                    rng.choice((5, 5, 5, 4, 4, 3, 2, 1)),
                    placed + dt.timedelta(days=rng.randrange(2, 20)),
                )
            )
    for i in range(1, 4001):
        visits.append((i, 1 + rng.randrange(300), _ts(rng, rng.randrange(DAYS)), rng.choice(SOURCES)))
    balances = []
    for seller in sellers[:40]:
        bal = rng.randrange(0, 50000)
        for day in range(0, DAYS, 1):
            if day % 3 == 0:
                bal = max(0, bal + rng.randrange(-8000, 12000))
                balances.append((seller[0], START + dt.timedelta(days=day), bal))
    return {
        "buyers": RawTable(
            (
                ("id", "integer"),
                ("email", "varchar"),
                ("country_code", "varchar"),
                ("signup_at", "timestamp"),
                ("acquisition_source", "varchar"),
            ),
            buyers,
        ),
        "sellers": RawTable(
            (
                ("id", "integer"),
                ("shop_name", "varchar"),
                ("country_code", "varchar"),
                ("primary_category", "varchar"),
                ("onboarded_at", "timestamp"),
                ("verified", "boolean"),
            ),
            sellers,
        ),
        "listings": RawTable(
            (
                ("id", "integer"),
                ("seller_id", "integer"),
                ("title", "varchar"),
                ("category", "varchar"),
                ("price_cents", "integer"),
                ("listed_at", "timestamp"),
                ("state", "varchar"),
            ),
            listings,
        ),
        "orders": RawTable(
            (
                ("id", "integer"),
                ("buyer_id", "integer"),
                ("placed_at", "timestamp"),
                ("status", "varchar"),
                ("currency", "varchar"),
            ),
            orders,
        ),
        "order_items": RawTable(
            (
                ("id", "integer"),
                ("order_id", "integer"),
                ("listing_id", "integer"),
                ("seller_id", "integer"),
                ("quantity", "integer"),
                ("unit_price_cents", "integer"),
                ("fee_cents", "integer"),
            ),
            items,
        ),
        "reviews": RawTable(
            (
                ("id", "integer"),
                ("order_id", "integer"),
                ("listing_id", "integer"),
                ("stars", "integer"),
                ("created_at", "timestamp"),
            ),
            reviews,
        ),
        "visits": RawTable(
            (
                ("id", "integer"),
                ("buyer_id", "integer"),
                ("visited_at", "timestamp"),
                ("utm_source", "varchar"),
            ),
            visits,
        ),
        "seller_balances": RawTable(
            (("seller_id", "integer"), ("as_of", "date"), ("balance_cents", "bigint")), balances
        ),
    }


def build_bazaar(root: Path, db_path: Path | None = None, seed: int = SEED) -> Path:
    """Build the warehouse of the project at ``root`` (default ``root/target/bazaar.duckdb``)."""
    path = db_path or root / "target" / "bazaar.duckdb"
    return build_duckdb(root, path, raw_tables(seed), SCHEMA, {"bazaar_raw": "raw"})


def copy_bazaar(target: Path, seed: int = SEED) -> Path:
    """A copy of the bazaar project in ``target`` with its warehouse built (profile target ``dev``)."""
    copy_project(BAZAAR, target)
    build_bazaar(target, seed=seed)
    return target
