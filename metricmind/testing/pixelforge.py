"""The pixelforge sample: a mobile game studio's dbt project (titles, players, sessions, IAP, ads, levels).

Another company's project ("Pixelforge", three free-to-play mobile titles), written code-blind in its own
data team's conventions: no ``metricmind.yml`` (the warehouse comes from ``profiles.yml``, target ``dev``,
schema ``core``); raw data lands in two schemas: ``raw_game`` (the game backend ``gamebackend`` and the
attribution partner's export ``attribution``) and ``events`` (the app stores' receipts ``appstores`` and the
ad mediation export ``mediation``); ``base_<source>__<table>`` views, ``int_*`` models, marts under
``marts/core`` and ``marts/reporting``; a date spine under ``utilities``. Player ids such as ``pf_0001234``,
title codes ``GQ``/``PR``/``DD``; IAP prices in the store's local currency (USD, EUR, GBP, JPY, BRL),
converted to dollars with a monthly rate table; ad revenue in micro-dollars.

The raw data is generated here (seeded, no download): installs of calendar year 2025, a title that launches
on 2025-05-15, retention that decays with days since install, a few payers and fewer whales, refunds, ads not
shown to players who bought "no ads". :func:`copy_pixelforge` gives a built copy
(``target/pixelforge.duckdb``).
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

from metricmind.testing.rawload import RawTable, build_on, copy_project, load_schemas

PIXELFORGE = Path(__file__).parent / "projects" / "pixelforge"
SCHEMA = "core"
RAW_GAME = "raw_game"
RAW_EVENTS = "events"
START = dt.date(2025, 1, 1)
END = dt.date(2025, 12, 31)
# code, name, genre, launched, installs per day at full scale
TITLES: tuple[tuple[Any, ...], ...] = (
    ("GQ", "Gem Quest", "puzzle", dt.date(2022, 3, 10), 3.4),
    ("PR", "Pixel Racers", "racing", dt.date(2023, 9, 1), 2.2),
    ("DD", "Dungeon Dash", "rpg", dt.date(2025, 5, 15), 2.6),
)
COUNTRIES = (("US", 26), ("GB", 8), ("DE", 9), ("FR", 6), ("JP", 7), ("BR", 10), ("IN", 12), ("CA", 4), ("MX", 6), ("PH", 5), ("AU", 3), ("TR", 4))  # fmt: skip
CURRENCY = {"US": "USD", "GB": "GBP", "DE": "EUR", "FR": "EUR", "JP": "JPY", "BR": "BRL"}
LOCAL_PER_USD = {"USD": 1.0, "EUR": 0.92, "GBP": 0.79, "JPY": 150.0, "BRL": 5.4}
RICH = {"US", "GB", "DE", "FR", "JP", "CA", "AU"}
# media source, weight (organic installs have no attribution row)
SOURCES = (("organic", 34), ("facebook_ads", 20), ("google_uac", 18), ("applovin", 12), ("tiktok_ads", 10), ("cross_promo", 6))  # fmt: skip
# sku, product type, price in USD, gems granted
SKUS = (
    ("gems_100", "gems", 0.99, 100),
    ("gems_550", "gems", 4.99, 550),
    ("gems_2400", "gems", 19.99, 2400),
    ("gems_13000", "gems", 99.99, 13000),
    ("starter_pack", "starter_pack", 2.99, 300),
    ("season_pass", "battle_pass", 9.99, 0),
    ("no_ads", "remove_ads", 3.99, 0),
)
AD_FORMATS = (("rewarded_video", 0.018, 45), ("interstitial", 0.009, 35), ("banner", 0.0007, 20))
NETWORKS = (("applovin_max", 40), ("unity_ads", 25), ("admob", 25), ("ironsource", 10))


def _day(d: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime.combine(d, dt.time(hour, minute))


def _installs(rng: random.Random) -> list[tuple[Any, ...]]:
    """Players: (player_id, title, install ts, platform, country, source, campaign, skill, stickiness, payer)."""
    players: list[tuple[Any, ...]] = []
    for offset in range((END - START).days + 1):
        day = START + dt.timedelta(days=offset)
        for code, _, _, launched, rate in TITLES:
            if day < launched:
                continue
            boost = 1.6 if code == "DD" and day < launched + dt.timedelta(days=30) else 1.0
            weekend = 1.25 if day.weekday() >= 5 else 1.0
            holiday = 1.4 if day.month == 12 and day.day >= 20 else 1.0
            for _ in range(_poisson(rng, rate * boost * weekend * holiday)):
                country = rng.choices([c for c, _ in COUNTRIES], weights=[w for _, w in COUNTRIES])[0]
                platform = "ios" if rng.random() < (0.62 if country in RICH else 0.28) else "android"
                source = rng.choices([s for s, _ in SOURCES], weights=[w for _, w in SOURCES])[0]
                if source == "cross_promo" and code == "GQ":
                    source = "organic"
                quarter = (day.month - 1) // 3 + 1
                campaign = (
                    None
                    if source == "organic"
                    else f"{code.lower()}_{source.split('_')[0]}_{platform}_q{quarter}"
                )
                stick = rng.betavariate(2, 3) * (1.25 if source in ("organic", "cross_promo") else 1.0)
                p_pay = 0.07 * (1.9 if country in RICH else 0.8) * (1.4 if platform == "ios" else 1.0)
                payer = None
                if rng.random() < p_pay:
                    payer = rng.choices(("minnow", "dolphin", "whale"), weights=(60, 30, 10))[0]
                ts = _day(day, rng.randrange(0, 24), rng.randrange(0, 60))
                pid = f"pf_{len(players) + 1:07d}"
                players.append((pid, code, ts, platform, country, source, campaign, stick, payer))
    return players


def _poisson(rng: random.Random, lam: float) -> int:
    n, p, limit = 0, 1.0, pow(2.718281828, -lam)
    while True:
        p *= rng.random()
        if p <= limit:
            return n
        n += 1


def _active_days(rng: random.Random, install: dt.date, stick: float, payer: str | None) -> list[int]:
    days = [0]
    boost = {"whale": 2.2, "dolphin": 1.8, "minnow": 1.4}.get(payer or "", 1.0)
    for d in range(1, 200):
        if install + dt.timedelta(days=d) > END:
            break
        if rng.random() < min(0.95, 0.55 * stick * boost * (d + 1) ** -0.55):
            days.append(d)
    return days


#: The seed of the project's data (another seed builds the same project with other rows).
SEED = 2025


def raw_tables(seed: int = SEED) -> dict[str, dict[str, RawTable]]:
    """The raw tables per schema (``raw_game``, ``events``), the same for the same ``seed``."""
    rng = random.Random(seed)
    players = _installs(rng)
    sessions: list[tuple[Any, ...]] = []
    levels: list[tuple[Any, ...]] = []
    receipts: list[tuple[Any, ...]] = []
    impressions: list[tuple[Any, ...]] = []
    gems: dict[tuple[str, str, dt.date], list[int]] = {}
    sku_by = {s[0]: s for s in SKUS}
    for pid, code, ts, platform, country, _, _, stick, payer in players:
        install = ts.date()
        level = 0
        no_ads_from: dt.datetime | None = None
        bought = False
        days = _active_days(rng, install, stick, payer)
        budget = {
            "whale": rng.randrange(14, 40),
            "dolphin": rng.randrange(4, 10),
            "minnow": rng.randrange(1, 3),
        }.get(payer or "", 0)
        buy_days = sorted(rng.sample(days, min(len(days), budget))) if budget else []
        if payer and rng.random() < 0.55 and buy_days:
            buy_days[0] = rng.choice([d for d in days if d < 7] or [0])
        for d in days:
            day = install + dt.timedelta(days=d)
            for k in range(rng.choices((1, 2, 3, 4), weights=(50, 30, 14, 6))[0]):
                start = ts if d == 0 and k == 0 else _day(day, rng.randrange(6, 24), rng.randrange(0, 60))
                if start.date() != day:
                    continue
                minutes = max(0.5, rng.lognormvariate(1.9 if code != "DD" else 2.3, 0.7))
                end = start + dt.timedelta(seconds=int(minutes * 60))
                sid = f"s{len(sessions) + 1:08d}"
                sessions.append((sid, pid, code, start, end, platform, f"2.{3 + day.month // 4}.0"))
                key = (code, platform, day)
                earned = int(minutes * rng.uniform(2, 6))
                spent = int(minutes * rng.uniform(3, 7))
                acc = gems.setdefault(key, [0, 0])
                acc[0] += earned
                acc[1] += spent
                for _ in range(rng.choices((0, 1, 2, 3), weights=(30, 40, 20, 10))[0]):
                    won = rng.random() < 0.72
                    at = start + dt.timedelta(seconds=rng.randrange(30, max(31, int(minutes * 60))))
                    levels.append(
                        (len(levels) + 1, pid, code, "level_complete" if won else "level_fail", level + 1, at,
                         rng.choices((1, 2, 3), weights=(25, 40, 35))[0] if won else None)
                    )  # fmt: skip
                    if won:
                        level += 1
                ads_ok = no_ads_from is None or start < no_ads_from
                if ads_ok and code != "DD" or (code == "DD" and ads_ok and rng.random() < 0.4):
                    for _ in range(rng.choices((0, 1, 2, 3, 4, 6), weights=(15, 25, 25, 15, 12, 8))[0]):
                        fmt = rng.choices(AD_FORMATS, weights=[f[2] for f in AD_FORMATS])[0]
                        net = rng.choices([n for n, _ in NETWORKS], weights=[w for _, w in NETWORKS])[0]
                        ecpm = fmt[1] * (3.2 if country in RICH else 0.8) * rng.uniform(0.6, 1.5)
                        at = start + dt.timedelta(seconds=rng.randrange(5, max(6, int(minutes * 60))))
                        impressions.append(
                            (
                                f"imp-{len(impressions) + 1:08d}",
                                pid,
                                code,
                                at,
                                fmt[0],
                                net,
                                int(ecpm * 1_000_000),
                            )
                        )
                if d in buy_days and k == 0:
                    buy_days.remove(d)
                    sku = _pick_sku(rng, payer, d, not bought)
                    bought = True
                    cur = CURRENCY.get(country, "USD")
                    price = sku_by[sku][2] * LOCAL_PER_USD[cur]
                    price = round(price) if cur == "JPY" else round(price, 2)
                    at = end - dt.timedelta(seconds=rng.randrange(0, 60))
                    refunded = at + dt.timedelta(days=rng.randrange(1, 12)) if rng.random() < 0.06 else None
                    store = "app_store" if platform == "ios" else "google_play"
                    receipts.append(
                        (
                            f"R{len(receipts) + 1:06d}-{store[:2].upper()}",
                            pid,
                            store,
                            sku,
                            at,
                            price,
                            cur,
                            refunded,
                        )
                    )
                    if sku == "no_ads":
                        no_ads_from = at
                    acc[0] += sku_by[sku][3]
    return {
        RAW_GAME: _game_tables(players, sessions, levels, gems),
        RAW_EVENTS: _event_tables(receipts, impressions),
    }


def _pick_sku(rng: random.Random, payer: str | None, d: int, first: bool) -> str:
    if first and d < 14 and rng.random() < 0.6:
        return "starter_pack"
    weights = {
        "whale": (6, 14, 30, 22, 0, 18, 2),
        "dolphin": (15, 30, 20, 2, 0, 25, 8),
        "minnow": (45, 20, 2, 0, 0, 15, 18),
    }[payer or "minnow"]
    return rng.choices([s[0] for s in SKUS], weights=weights)[0]


def _game_tables(
    players: list[tuple[Any, ...]],
    sessions: list[tuple[Any, ...]],
    levels: list[tuple[Any, ...]],
    gems: dict[tuple[str, str, dt.date], list[int]],
) -> dict[str, RawTable]:
    v, d, i, ts = "varchar", "date", "integer", "timestamp"
    economy: list[tuple[Any, ...]] = []
    balance: dict[tuple[str, str], int] = {}
    for offset in range((END - START).days + 1):
        day = START + dt.timedelta(days=offset)
        for code, *_rest in TITLES:
            if day < _rest[2]:
                continue
            for platform in ("ios", "android"):
                earned, spent = gems.get((code, platform, day), [0, 0])
                opening = balance.get((code, platform), 250_000 if code != "DD" else 0)
                spent = min(spent, opening + earned)
                balance[(code, platform)] = opening + earned - spent
                economy.append((day, code, platform.upper(), earned, spent, opening + earned - spent))
    return {
        "titles": RawTable(
            (("title_id", v), ("title_name", v), ("genre", v), ("global_launch_date", d)),
            [t[:4] for t in TITLES],
        ),
        "players": RawTable(
            (("player_id", v), ("title_id", v), ("first_open_ts", ts), ("os", v), ("geo_country", v)),
            [p[:5] for p in players],
        ),
        "installs_attributed": RawTable(
            (("player_id", v), ("media_source", v), ("campaign", v), ("attributed_ts", ts)),
            [(p[0], p[5], p[6], p[2] + dt.timedelta(minutes=3)) for p in players if p[5] != "organic"],
        ),
        "sessions": RawTable(
            (
                ("session_id", v),
                ("player_id", v),
                ("title_id", v),
                ("session_start", ts),
                ("session_end", ts),
                ("os", v),
                ("client_version", v),
            ),
            sessions,
        ),  # fmt: skip
        "level_events": RawTable(
            (
                ("event_id", i),
                ("player_id", v),
                ("title_id", v),
                ("event_name", v),
                ("level_no", i),
                ("event_ts", ts),
                ("stars", i),
            ),
            levels,
        ),  # fmt: skip
        "economy_daily": RawTable(
            (
                ("snapshot_date", d),
                ("title_id", v),
                ("os", v),
                ("gems_granted", i),
                ("gems_sunk", i),
                ("gems_outstanding_eod", "bigint"),
            ),
            economy,
        ),  # fmt: skip
    }


def _event_tables(receipts: list[tuple[Any, ...]], impressions: list[tuple[Any, ...]]) -> dict[str, RawTable]:
    v, ts = "varchar", "timestamp"
    rates = []
    for month in range(1, 13):
        wobble = 1 + 0.012 * ((month * 5) % 7 - 3)
        for cur, per in LOCAL_PER_USD.items():
            rates.append((dt.date(2025, month, 1), cur, 1.0 if cur == "USD" else round(wobble / per, 6)))
    return {
        "iap_receipts": RawTable(
            (
                ("receipt_id", v),
                ("player_id", v),
                ("store", v),
                ("sku", v),
                ("purchased_ts", ts),
                ("local_price", "decimal(12,2)"),
                ("currency", v),
                ("refunded_ts", ts),
            ),
            receipts,
        ),  # fmt: skip
        "store_skus": RawTable(
            (
                ("sku", v),
                ("product_type", v),
                ("usd_list_price", "decimal(8,2)"),
                ("gems_granted", "integer"),
            ),
            SKUS,
        ),
        "fx_monthly": RawTable((("month_start", "date"), ("currency", v), ("usd_per_unit", "double")), rates),
        "ad_impressions": RawTable(
            (
                ("impression_id", v),
                ("player_id", v),
                ("title_id", v),
                ("served_ts", ts),
                ("ad_format", v),
                ("ad_network", v),
                ("revenue_usd_micros", "bigint"),
            ),
            impressions,
        ),  # fmt: skip
    }


def load_pixelforge_raw(db_path: Path, seed: int = SEED) -> Path:
    """Create ``db_path`` holding only the raw tables (schemas ``raw_game`` and ``events``)."""
    return load_schemas(db_path, raw_tables(seed))


def build_pixelforge(root: Path, db_path: Path | None = None, seed: int = SEED) -> Path:
    """Build the warehouse of the project at ``root`` (default ``root/target/pixelforge.duckdb``)."""
    path = load_pixelforge_raw(db_path or root / "target" / "pixelforge.duckdb", seed)
    return build_on(
        path,
        root,
        SCHEMA,
        {
            "gamebackend": RAW_GAME,
            "attribution": RAW_GAME,
            "appstores": RAW_EVENTS,
            "mediation": RAW_EVENTS,
        },
    )


def copy_pixelforge(target: Path, seed: int = SEED) -> Path:
    """A copy of the pixelforge project in ``target`` with its warehouse built (profile target ``dev``)."""
    copy_project(PIXELFORGE, target)
    build_pixelforge(target, seed=seed)
    return target
