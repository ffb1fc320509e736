"""The lastmile sample: a Benelux parcel-delivery company's dbt project (hubs, couriers, routes, parcels).

Another company's project ("Kwik", last-mile parcel delivery in the Netherlands, Belgium and the Rhine-Ruhr),
written code-blind in its own analytics engineers' conventions: no ``metricmind.yml`` (the warehouse comes
from ``profiles.yml``, target ``local``, schema ``core``); three sources in schema ``raw`` (the transport
management system ``tms``, the van ``telematics`` feed with upper-case columns, the hub scanners ``wms``);
``base_*`` staging views, one ``int_*`` model and marts named as plain nouns (``parcels``, ``routes``,
``hub_stock_daily``); timestamps end in ``_tstamp``, dates in ``_dt`` and the snapshot's day is ``ds``;
string keys (tracking numbers, ``CR-0042`` couriers, ``AMSW`` hubs, ``AMSW-20250314-03`` routes) and a
composite one (hub and day); money in euros in the marts (cents in the raw feeds).

The raw data is generated here (seeded, no download): one fiscal year, 2024-10-01 to 2025-09-30, with a
November-December peak, no deliveries on Sundays (and no hub scans), a micro hub that opens in March 2025,
up to three delivery attempts per parcel, returns to sender and a few lost parcels.
:func:`copy_lastmile` gives a built copy (``target/lastmile.duckdb``).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from pathlib import Path
from typing import Any

from metricmind.testing.rawload import RawTable, build_duckdb, copy_project

LASTMILE = Path(__file__).parent / "projects" / "lastmile"
SCHEMA = "core"
START = dt.date(2024, 10, 1)
END = dt.date(2025, 9, 30)  # last day of data
DAYS = (END - START).days + 1
# code, name, city, country, region, kind, opened, capacity weight
HUBS: tuple[tuple[str, str, str, str, str, str, dt.date, int], ...] = (
    ("AMSW", "Amsterdam Westpoort", "Amsterdam", "NL", "Randstad", "sort_center", dt.date(2019, 4, 1), 9),
    ("AMSC", "Amsterdam Centrum", "Amsterdam", "NL", "Randstad", "micro_hub", dt.date(2022, 9, 1), 3),
    ("RTM", "Rotterdam Waalhaven", "Rotterdam", "NL", "Randstad", "sort_center", dt.date(2019, 11, 1), 7),
    ("UTR", "Utrecht Lage Weide", "Utrecht", "NL", "Randstad", "sort_center", dt.date(2020, 6, 1), 5),
    ("UTRC", "Utrecht Binnenstad", "Utrecht", "NL", "Randstad", "micro_hub", dt.date(2025, 3, 3), 2),
    ("EIN", "Eindhoven Flight Forum", "Eindhoven", "NL", "Brabant", "sort_center", dt.date(2021, 2, 1), 4),
    ("ANR", "Antwerpen Noord", "Antwerpen", "BE", "Flanders", "sort_center", dt.date(2021, 9, 1), 5),
    ("DUS", "Duesseldorf Hafen", "Duesseldorf", "DE", "Rhine-Ruhr", "sort_center", dt.date(2023, 5, 2), 4),
)
SEGMENTS = ("key_account", "sme", "marketplace_seller")
VERTICALS = ("fashion", "electronics", "home_living", "food_grocery", "health_beauty", "books_media")
SHIPPER_WORDS = (
    "Tulip", "Noorder", "Lumen", "Velo", "Groen", "Polder", "Kade", "Dijk", "Molen", "Haven", "Zeeland",
    "Orca", "Linde", "Klompen", "Gracht", "Brug", "Duin", "Stroop", "Hoek", "Storm",
)  # fmt: skip
SHIPPER_KINDS = {
    "fashion": ("Mode", "Wear", "Atelier"),
    "electronics": ("Tech", "Electronics", "Gadgets"),
    "home_living": ("Wonen", "Living", "Interiors"),
    "food_grocery": ("Meals", "Koffie", "Pantry"),
    "health_beauty": ("Beauty", "Apotheek", "Care"),
    "books_media": ("Books", "Media", "Prints"),
}
SERVICES = ("next_day", "same_day", "economy")
SIZES = ("S", "M", "L", "XL")
WEIGHT_BANDS = {"S": "0-2kg", "M": "2-5kg", "L": "5-10kg", "XL": "10kg+"}
BASE_FEE = {"S": 395, "M": 525, "L": 745, "XL": 1190}  # cents, next-day
SERVICE_FACTOR = {"next_day": 1.0, "same_day": 1.55, "economy": 0.82}
FAILURES = ("not_home", "no_access", "address_not_found", "refused", "damaged")
CONTRACTS = ("employed", "subcontractor", "flex_pool")
STOPS_PER_ROUTE = 38


def _next_delivery_day(day: dt.date) -> dt.date:
    """``day`` or the first day after it that is not a Sunday."""
    return day + dt.timedelta(days=1) if day.weekday() == 6 else day


def _add_delivery_days(day: dt.date, n: int) -> dt.date:
    """``n`` delivery days (Monday to Saturday) after ``day``."""
    for _ in range(n):
        day = _next_delivery_day(day + dt.timedelta(days=1))
    return day


def _shippers(rng: random.Random) -> list[tuple[Any, ...]]:
    out, seen = [], set()
    for i in range(1, 49):
        vertical = rng.choices(VERTICALS, weights=(5, 3, 3, 2, 2, 1))[0]
        while True:
            name = f"{rng.choice(SHIPPER_WORDS)} {rng.choice(SHIPPER_KINDS[vertical])}"
            if name not in seen:
                seen.add(name)
                break
        segment = SEGMENTS[0] if i <= 8 else rng.choices(SEGMENTS[1:], weights=(3, 2))[0]
        signed = dt.date(2021, 1, 1) + dt.timedelta(days=rng.randrange(0, 1400))
        out.append((f"SHP{i:04d}", name, segment, vertical, min(signed, dt.date(2025, 6, 1))))
    return out


def _couriers(rng: random.Random) -> list[tuple[Any, ...]]:
    out, n = [], 0
    for hub in HUBS:
        for _ in range(hub[7] // 2 + 3):
            n += 1
            contract = rng.choices(CONTRACTS, weights=(5, 3, 2))[0]
            hired = hub[6] + dt.timedelta(days=rng.randrange(0, max(30, (END - hub[6]).days - 200)))
            if hub[0] == "UTRC":
                hired = hub[6] - dt.timedelta(days=rng.randrange(0, 20))
            left = None
            if rng.random() < 0.18:
                left = max(hired + dt.timedelta(days=60), START + dt.timedelta(days=rng.randrange(0, DAYS)))
                left = None if left > END else left
            out.append((f"CR-{n:04d}", hub[0], contract, hired, left))
    return out


def _volume(day: dt.date) -> float:
    """Parcels booked on ``day`` (before noise): growth, a weekly shape and the November-December peak."""
    trend = 1.0 + 0.25 * (day - START).days / DAYS
    weekday = (1.25, 1.1, 1.05, 1.0, 1.0, 0.7, 0.45)[day.weekday()]
    peak = 1.0
    if day.month == 11 and day.day >= 20:
        peak = 1.7
    elif day.month == 12 and day.day <= 20:
        peak = 1.55
    elif day.month in (7, 8):
        peak = 0.85
    return 240 * trend * weekday * peak


#: The seed of the project's data (another seed builds the same project with other rows).
SEED = 47


def raw_tables(seed: int = SEED) -> dict[str, RawTable]:
    """The raw tables, the same for the same ``seed``."""
    rng = random.Random(seed)
    shippers = _shippers(rng)
    ship_weights = [12.0 if s[2] == "key_account" else 2.0 if s[2] == "sme" else 1.0 for s in shippers]
    couriers = _couriers(rng)
    parcels: list[tuple[Any, ...]] = []
    events: list[list[Any]] = []
    work: dict[tuple[str, dt.date], list[int]] = {}  # (hub, day) -> indexes into events
    exits: list[tuple[str, dt.date, dt.date, dt.date]] = []  # hub, arrived, left (exclusive), promised
    seq = 0
    for offset in range(DAYS):
        day = START + dt.timedelta(days=offset)
        open_hubs = [h for h in HUBS if h[6] <= day]
        for _ in range(int(rng.gauss(_volume(day), 12))):
            seq += 1
            shipper = rng.choices(shippers, weights=ship_weights)[0]
            size = rng.choices(SIZES, weights=(5, 4, 2, 1))[0]
            hubs = [h for h in open_hubs if h[5] == "sort_center" or size in ("S", "M")]
            hub = rng.choices(hubs, weights=[h[7] for h in hubs])[0]
            service = rng.choices(SERVICES, weights=(14, 2, 4))[0]
            booked = dt.datetime.combine(day, dt.time()) + dt.timedelta(
                minutes=rng.randrange(6 * 60, 23 * 60)
            )
            if service == "same_day" and booked.hour < 12:
                promised = _next_delivery_day(day)
            elif service == "economy":
                promised = _add_delivery_days(day, 3)
            else:
                promised = _add_delivery_days(day, 1)
            fee = BASE_FEE[size] * SERVICE_FACTOR[service] * (0.85 if shipper[2] == "key_account" else 1.0)
            tracking = f"KW{seq:09d}{hub[3]}"
            first = _add_delivery_days(day, 0 if service == "same_day" and booked.hour < 12 else 1)
            if service == "economy":
                first = _add_delivery_days(day, rng.choice((1, 2, 3)))
            if (day.month == 11 and day.day >= 25) or (day.month == 12 and day.day <= 15):
                if rng.random() < 0.2:
                    first = _add_delivery_days(first, 1)
            status, delivered, handover, final = "in_transit", None, None, None
            if rng.random() < 0.003:
                status, final = "lost", first
            else:
                attempt_day = first
                success = 0.9 - (0.06 if size in ("L", "XL") else 0) - (0.05 if day.month == 12 else 0)
                for n in range(1, 4):
                    if attempt_day > END:
                        break
                    at = dt.datetime.combine(attempt_day, dt.time(8)) + dt.timedelta(
                        minutes=rng.randrange(0, 11 * 60 if service != "same_day" else 13 * 60)
                    )
                    ok = rng.random() < success + 0.04 * (n - 1)
                    outcome = "delivered" if ok else rng.choices(FAILURES, weights=(60, 15, 10, 8, 3))[0]
                    if ok:
                        handover = rng.choices(
                            ("recipient", "neighbour", "parcel_locker", "safe_place"), weights=(70, 14, 9, 7)
                        )[0]
                    events.append(
                        [len(events) + 1, tracking, None, None, at, n, outcome, handover if ok else None]
                    )
                    work.setdefault((hub[0], attempt_day), []).append(len(events) - 1)
                    if ok:
                        status, delivered, final = "delivered", at, attempt_day
                        break
                    if outcome in ("address_not_found", "refused", "damaged") or n == 3:
                        status, final = "returned_to_sender", attempt_day
                        break
                    attempt_day = _add_delivery_days(attempt_day, 1)
            parcels.append(
                (
                    tracking,
                    shipper[0],
                    hub[0],
                    booked,
                    service,
                    size,
                    WEIGHT_BANDS[size],
                    round(fee),
                    promised,
                )
                + (status, delivered)
            )
            exits.append((hub[0], day, (final or END) + dt.timedelta(days=1), promised))
    routes = _routes(rng, couriers, work, events)
    return _tables(shippers, couriers, parcels, events, routes, _stock(exits))


def _routes(
    rng: random.Random,
    couriers: list[tuple[Any, ...]],
    work: dict[tuple[str, dt.date], list[int]],
    events: list[list[Any]],
) -> list[tuple[Any, ...]]:
    """One route per ~38 stops of a hub's day; each attempt gets its route and courier."""
    routes = []
    vehicle_of = {c[0]: rng.choices(("diesel_van", "e_van"), weights=(3, 2))[0] for c in couriers}
    for (hub, day), stops in sorted(work.items()):
        n_routes = max(1, math.ceil(len(stops) / STOPS_PER_ROUTE))
        crew = [c for c in couriers if c[1] == hub and c[3] <= day and (c[4] is None or c[4] > day)]
        crew = crew or [c for c in couriers if c[1] == hub]
        rng.shuffle(crew)
        micro = hub in ("AMSC", "UTRC")
        for r in range(n_routes):
            route_id = f"{hub}-{day:%Y%m%d}-{r + 1:02d}"
            courier = crew[r % len(crew)][0]
            mine = stops[r::n_routes]
            for i in mine:
                events[i][2], events[i][3] = route_id, courier
            vehicle = "e_cargo_bike" if micro else vehicle_of[courier]
            km = round(len(mine) * (0.6 if micro else rng.uniform(2.2, 3.6)) + rng.uniform(4, 25), 1)
            litres = round(km * rng.uniform(0.085, 0.11), 2) if vehicle == "diesel_van" else None
            price = 1.92 + 0.12 * math.sin((day - START).days / 58)
            fuel_cents = round(litres * price * 100) if litres is not None else None
            depart = dt.datetime.combine(day, dt.time(7, 30)) + dt.timedelta(minutes=rng.randrange(0, 75))
            minutes = len(mine) * rng.uniform(5.0, 7.5) + km * (4.5 if micro else 1.6) + 25
            back = depart + dt.timedelta(minutes=round(minutes))
            routes.append((route_id, courier, hub, day, vehicle, km, litres, fuel_cents, depart, back))
    return routes


def _stock(exits: list[tuple[str, dt.date, dt.date, dt.date]]) -> list[tuple[Any, ...]]:
    """End-of-day hub stock (Monday to Saturday, once the hub is open): parcels on hand and overdue."""
    opened = {h[0]: h[6] for h in HUBS}
    on_hand: dict[tuple[str, dt.date], list[int]] = {}
    for hub, arrived, left, promised in exits:
        day = arrived
        while day < left and day <= END:
            cell = on_hand.setdefault((hub, day), [0, 0])
            cell[0] += 1
            cell[1] += promised < day
            day += dt.timedelta(days=1)
    rows = []
    for offset in range(DAYS):
        day = START + dt.timedelta(days=offset)
        if day.weekday() == 6:
            continue
        for code, since in opened.items():
            if since <= day:
                cell = on_hand.get((code, day), [0, 0])
                rows.append((code, day, cell[0], cell[1]))
    return rows


def _tables(
    shippers: list[tuple[Any, ...]],
    couriers: list[tuple[Any, ...]],
    parcels: list[tuple[Any, ...]],
    events: list[list[Any]],
    routes: list[tuple[Any, ...]],
    stock: list[tuple[Any, ...]],
) -> dict[str, RawTable]:
    return {
        "hubs": RawTable(
            (
                ("hub_code", "varchar"),
                ("hub_name", "varchar"),
                ("city", "varchar"),
                ("country", "varchar"),
                ("region", "varchar"),
                ("hub_kind", "varchar"),
                ("opened_on", "date"),
            ),
            [h[:7] for h in HUBS],
        ),
        "shippers": RawTable(
            (
                ("shipper_id", "varchar"),
                ("trading_name", "varchar"),
                ("segment", "varchar"),
                ("vertical", "varchar"),
                ("contract_signed_on", "date"),
            ),
            shippers,
        ),
        "couriers": RawTable(
            (
                ("courier_id", "varchar"),
                ("home_hub", "varchar"),
                ("contract", "varchar"),
                ("start_date", "date"),
                ("end_date", "date"),
            ),
            couriers,
        ),
        "consignments": RawTable(
            (
                ("tracking_no", "varchar"),
                ("shipper_id", "varchar"),
                ("dest_hub", "varchar"),
                ("created_at", "timestamp"),
                ("service", "varchar"),
                ("size_class", "varchar"),
                ("weight_band", "varchar"),
                ("price_cents", "integer"),
                ("promised_date", "date"),
                ("status", "varchar"),
                ("delivered_at", "timestamp"),
            ),
            parcels,
        ),
        "delivery_events": RawTable(
            (
                ("event_id", "integer"),
                ("tracking_no", "varchar"),
                ("run_id", "varchar"),
                ("courier_id", "varchar"),
                ("event_at", "timestamp"),
                ("attempt_seq", "integer"),
                ("result", "varchar"),
                ("handover", "varchar"),
            ),
            [tuple(e) for e in events],
        ),
        "trips": RawTable(
            (
                ("TRIP_ID", "varchar"),
                ("DRIVER_REF", "varchar"),
                ("DEPOT", "varchar"),
                ("TRIP_DATE", "date"),
                ("VEHICLE_CLASS", "varchar"),
                ("DISTANCE_KM", "double"),
                ("FUEL_LITRES", "double"),
                ("FUEL_COST_CENTS", "integer"),
                ("DEPARTED_AT", "timestamp"),
                ("RETURNED_AT", "timestamp"),
            ),
            routes,
        ),
        "hub_stock_eod": RawTable(
            (
                ("hub", "varchar"),
                ("scan_date", "date"),
                ("on_floor", "integer"),
                ("past_promise", "integer"),
            ),
            stock,
        ),
    }


def build_lastmile(root: Path, db_path: Path | None = None, seed: int = SEED) -> Path:
    """Build the warehouse of the project at ``root`` (default ``root/target/lastmile.duckdb``)."""
    path = db_path or root / "target" / "lastmile.duckdb"
    sources = {"tms": "raw", "telematics": "raw", "wms": "raw"}
    return build_duckdb(root, path, raw_tables(seed), SCHEMA, sources)


def copy_lastmile(target: Path, seed: int = SEED) -> Path:
    """A copy of the lastmile project in ``target`` with its warehouse built (profile target ``local``)."""
    copy_project(LASTMILE, target)
    build_lastmile(target, seed=seed)
    return target
