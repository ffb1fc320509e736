"""The harbor sample: a hotel group's dbt project (properties, rooms, bookings, folios, loyalty, reviews).

Another company's project ("Harbor Hotels", eight waterfront hotels from Lisbon to Copenhagen), written
code-blind in its own data team's conventions: no ``metricmind.yml`` (the warehouse comes from
``profiles.yml``, target ``dev``, schema ``marts``); every raw table lands in schema ``pms`` under four
sources (the property management system ``opera``, the loyalty programme ``circle``, the review aggregator
``reputation`` and the web ``booking_engine``); ``stg_<source>__<table>`` views, ``int_*`` models and
``dim_*``/``fct_*`` marts; a date spine ``metricflow_time_spine``. Integer guest profile ids, reservation
numbers such as ``HH25-004711``, property codes such as ``LIS``; money in each hotel's currency in the raw
folio (EUR, GBP, DKK), converted to euros in the marts with a monthly rate table.

The raw data is generated here (seeded, no download): stays of calendar year 2025 (bookings made from
mid-2024), a summer peak in the south and a December peak in the north, a hotel that opens on 2025-04-01,
rooms out of order for refurbishment, cancellations and no-shows, loyalty members who book direct more often.
:func:`copy_harbor` gives a built copy (``target/harbor.duckdb``).
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

from metricmind.testing.rawload import RawTable, build_on, copy_project, load_schemas

HARBOR = Path(__file__).parent / "projects" / "harbor"
SCHEMA = "marts"
RAW = "pms"
START = dt.date(2025, 1, 1)
END = dt.date(2025, 12, 31)  # last night of data
DAYS = (END - START).days + 1
# code, name, city, country, region, brand, currency, opened, stars, rooms per type (STD, SUP, DLX, STE), spa
HOTELS: tuple[tuple[Any, ...], ...] = (
    ("LIS", "Harbor Lisbon Alfama", "Lisbon", "PT", "Southern Europe", "Harbor", "EUR", dt.date(2016, 5, 2), 4, (14, 9, 6, 3), True),
    ("OPO", "Harbor Select Porto Ribeira", "Porto", "PT", "Southern Europe", "Harbor Select", "EUR", dt.date(2019, 3, 1), 3, (12, 6, 4, 0), False),
    ("BCN", "Harbor Barcelona Port Vell", "Barcelona", "ES", "Southern Europe", "Harbor", "EUR", dt.date(2017, 6, 15), 4, (16, 10, 6, 4), True),
    ("MRS", "Harbor Select Marseille Vieux-Port", "Marseille", "FR", "Southern Europe", "Harbor Select", "EUR", dt.date(2021, 4, 12), 3, (12, 8, 4, 0), False),
    ("GOA", "Harbor Genova Porto Antico", "Genoa", "IT", "Southern Europe", "Harbor", "EUR", dt.date(2025, 4, 1), 4, (10, 7, 5, 2), True),
    ("HAM", "Harbor Hamburg Speicherstadt", "Hamburg", "DE", "Northern Europe", "Harbor", "EUR", dt.date(2018, 9, 3), 4, (14, 8, 6, 2), True),
    ("CPH", "Harbor Select Copenhagen Nyhavn", "Copenhagen", "DK", "Northern Europe", "Harbor Select", "DKK", dt.date(2022, 5, 20), 3, (10, 6, 4, 0), False),
    ("BRS", "Harbor Bristol Harbourside", "Bristol", "GB", "UK & Ireland", "Harbor", "GBP", dt.date(2020, 2, 10), 4, (12, 8, 4, 2), False),
)  # fmt: skip
ROOM_TYPES = (
    ("STD", "Standard Double", 2, "N"),
    ("SUP", "Superior Double", 2, "N"),
    ("DLX", "Deluxe Harbour View", 3, "N"),
    ("STE", "Junior Suite", 4, "Y"),
)
TYPE_PRICE = {"STD": 1.0, "SUP": 1.22, "DLX": 1.5, "STE": 2.3}
BASE_RATE = {"LIS": 135, "OPO": 98, "BCN": 165, "MRS": 110, "GOA": 128, "HAM": 142, "CPH": 150, "BRS": 118}
EUR_PER = {"EUR": 1.0, "GBP": 1.17, "DKK": 0.134}
# raw source code, weights (non-member, member)
SOURCES = (
    ("WEB", 22, 48),
    ("CALL", 6, 10),
    ("BDC", 34, 14),
    ("EXP", 18, 8),
    ("GDS", 12, 12),
    ("WALK", 3, 2),
    ("CORP", 5, 6),
)
RATES = (("BAR", 40), ("ADV", 16), ("PKG", 12), ("MBR", 0), ("CORP", 10))
DISCOUNT = {"BAR": 1.0, "ADV": 0.85, "PKG": 1.2, "MBR": 0.92, "CORP": 0.9}
CANCEL = {"WEB": 0.1, "CALL": 0.08, "BDC": 0.27, "EXP": 0.2, "GDS": 0.12, "WALK": 0.0, "CORP": 0.14}
TIERS = (("BLUE", 60), ("SILVER", 25), ("GOLD", 12), ("PLAT", 3))
NATIONS = (("DE", 14), ("GB", 14), ("US", 11), ("FR", 9), ("ES", 8), ("PT", 6), ("IT", 7), ("NL", 6), ("DK", 4), ("SE", 4), ("CH", 3), ("BR", 3), ("JP", 2), ("CN", 2), ("AU", 2), ("CA", 3), ("IE", 2))  # fmt: skip
PLATFORMS = (("google", 45), ("tripadvisor", 25), ("booking_com", 20), ("post_stay_survey", 10))
# (hotel, room type, how many rooms, first day out of order, last day out of order, reason)
BLOCKS = (
    ("HAM", "SUP", 4, dt.date(2025, 2, 3), dt.date(2025, 3, 16), "refurbishment"),
    ("BCN", "STE", 2, dt.date(2025, 11, 3), dt.date(2025, 11, 30), "refurbishment"),
    ("LIS", "STD", 3, dt.date(2025, 1, 13), dt.date(2025, 1, 26), "water damage"),
    ("BRS", "DLX", 1, dt.date(2025, 7, 7), dt.date(2025, 7, 20), "maintenance"),
)


def _season(hotel: tuple[Any, ...], day: dt.date) -> float:
    """Demand (0-1) of ``hotel`` on the night of ``day``: summer in the south, December in the north."""
    south = hotel[4] == "Southern Europe"
    month_shape = (
        (0.48, 0.52, 0.62, 0.72, 0.8, 0.9, 0.97, 0.97, 0.86, 0.74, 0.55, 0.58)
        if south
        else (0.5, 0.55, 0.6, 0.66, 0.74, 0.82, 0.86, 0.84, 0.8, 0.72, 0.7, 0.86)
    )[day.month - 1]
    weekend = 1.08 if day.weekday() in (4, 5) else 0.94 if day.weekday() == 6 else 1.0
    return min(1.0, month_shape * weekend)


def _rooms(hotels: tuple[tuple[Any, ...], ...]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    rooms, blocks = [], []
    for h in hotels:
        n = 0
        for (code, *_), count in zip(ROOM_TYPES, h[9], strict=True):
            for i in range(count):
                n += 1
                floor = 1 + (n - 1) // 8
                room_no = f"{h[0]}-{floor}{n % 8 + 1:02d}"
                rooms.append((room_no, h[0], code, floor, max(h[7], dt.date(2015, 1, 1))))
                for hotel, rtype, many, first, last, why in BLOCKS:
                    if hotel == h[0] and rtype == code and i < many:
                        blocks.append((room_no, first, last, why))
    return rooms, blocks


def _available(
    rooms: list[tuple[Any, ...]], blocks: list[tuple[Any, ...]]
) -> dict[tuple[str, str, dt.date], int]:
    """Sellable rooms per (hotel, room type, night), as the inventory mart counts them."""
    out: dict[tuple[str, str, dt.date], int] = {}
    blocked = {(b[0], b[1] + dt.timedelta(days=i)) for b in blocks for i in range((b[2] - b[1]).days + 1)}
    for room_no, hotel, rtype, _, since in rooms:
        for offset in range(DAYS):
            day = START + dt.timedelta(days=offset)
            if since <= day and (room_no, day) not in blocked:
                out[(hotel, rtype, day)] = out.get((hotel, rtype, day), 0) + 1
    return out


def _guests(rng: random.Random) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    guests: list[tuple[Any, ...]] = []
    members: list[tuple[Any, ...]] = []
    for pid in range(100001, 106501):
        created = dt.datetime(2019, 1, 1) + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 2550))
        nation = rng.choices([n for n, _ in NATIONS], weights=[w for _, w in NATIONS])[0]
        opt_in = "Y" if rng.random() < 0.42 else "N"
        guests.append((pid, created, nation, rng.randrange(1948, 2004), opt_in))
        if rng.random() < 0.27:
            enrolled = max(created, dt.datetime(2021, 6, 1)) + dt.timedelta(
                minutes=rng.randrange(0, 60 * 24 * 900)
            )
            if enrolled > dt.datetime(2025, 12, 31, 20):
                continue
            tier = rng.choices([t for t, _ in TIERS], weights=[w for _, w in TIERS])[0]
            source = rng.choices(("WEB", "FRONTDESK", "APP"), weights=(5, 3, 2))[0]
            members.append((f"HC{len(members) + 1:06d}", pid, enrolled, tier, source))
    return guests, members


def _rate(hotel: tuple[Any, ...], rtype: str, day: dt.date, plan: str, rng: random.Random) -> float:
    eur = BASE_RATE[hotel[0]] * TYPE_PRICE[rtype] * (0.75 + 0.5 * _season(hotel, day)) * DISCOUNT[plan]
    return round(eur * rng.uniform(0.94, 1.06) / EUR_PER[hotel[6]], 2)


#: The seed of the project's data (another seed builds the same project with other rows).
SEED = 2025


def raw_tables(seed: int = SEED) -> dict[str, RawTable]:
    """The raw tables, the same for the same ``seed``."""
    rng = random.Random(seed)
    rooms, blocks = _rooms(HOTELS)
    free = _available(rooms, blocks)
    guests, members = _guests(rng)
    member_since = {m[1]: m[2] for m in members}
    member_ids = [m[1] for m in members]
    guest_ids = [g[0] for g in guests]
    resv: list[tuple[Any, ...]] = []
    folio: list[tuple[Any, ...]] = []
    quotes: list[tuple[Any, ...]] = []
    reviews: list[tuple[Any, ...]] = []
    for offset in range(DAYS):
        day = START + dt.timedelta(days=offset)
        for hotel in HOTELS:
            if hotel[7] > day:
                continue
            rooms_here = sum(hotel[9])
            ramp = 0.7 if hotel[7] > dt.date(2025, 1, 1) and day < hotel[7] + dt.timedelta(days=60) else 1.0
            arrivals = int(rng.gauss(rooms_here * _season(hotel, day) * ramp / 2.3, 1.2))
            for _ in range(max(0, arrivals) + rng.choice((0, 0, 1, 2))):
                _one_booking(
                    rng, hotel, day, free, member_ids, guest_ids, member_since, resv, folio, quotes, reviews
                )
    return _tables(rooms, blocks, guests, members, resv, folio, quotes, reviews)


def _one_booking(
    rng: random.Random,
    hotel: tuple[Any, ...],
    arrival: dt.date,
    free: dict[tuple[str, str, dt.date], int],
    member_ids: list[int],
    guest_ids: list[int],
    member_since: dict[int, dt.datetime],
    resv: list[tuple[Any, ...]],
    folio: list[tuple[Any, ...]],
    quotes: list[tuple[Any, ...]],
    reviews: list[tuple[Any, ...]],
) -> None:
    member = rng.random() < 0.34
    guest = rng.choice(member_ids) if member else rng.choice(guest_ids)
    member = guest in member_since
    source = rng.choices([s[0] for s in SOURCES], weights=[int(s[2 if member else 1]) for s in SOURCES])[0]
    plans = [r for r in RATES if source not in ("BDC", "EXP") or r[0] in ("BAR", "ADV")]
    plan = (
        "CORP" if source == "CORP" else rng.choices([r[0] for r in plans], weights=[r[1] for r in plans])[0]
    )
    if member and source in ("WEB", "CALL") and rng.random() < 0.55:
        plan = "MBR"
    nights = rng.choices((1, 2, 3, 4, 5, 6, 7, 10), weights=(22, 28, 20, 12, 7, 5, 4, 2))[0]
    if plan == "CORP":
        nights = rng.choice((1, 1, 2, 2, 3, 4))
    nights = min(nights, (END - arrival).days + 1)
    rtype = rng.choices([t[0] for t in ROOM_TYPES], weights=(45, 30, 18, 7))[0]
    stay = [arrival + dt.timedelta(days=i) for i in range(nights)]
    lead = {
        "WALK": 0,
        "ADV": rng.randrange(21, 150),
        "CORP": rng.randrange(1, 25),
    }.get(plan if plan in ("ADV", "CORP") else source, int(rng.expovariate(1 / 24)))
    lead = min(lead, 190)
    booked = dt.datetime.combine(arrival - dt.timedelta(days=lead), dt.time(7)) + dt.timedelta(
        minutes=rng.randrange(0, 14 * 60) if lead else rng.randrange(0, 7 * 60)
    )
    if member and booked < member_since[guest] and source in ("WEB", "CALL") and plan == "MBR":
        plan = "BAR"
    status, cancelled = "CO", None
    p_cancel = CANCEL[source] * (0.15 if plan == "ADV" else 1.0) * (1.3 if lead > 60 else 1.0)
    if rng.random() < p_cancel:
        status = "CX"
        cancelled = booked + dt.timedelta(minutes=rng.randrange(10, max(11, lead * 24 * 60 - 60)))
    elif source != "WALK" and rng.random() < (0.045 if source in ("BDC", "EXP") else 0.015):
        status = "NS"
    elif any(free.get((hotel[0], rtype, d), 0) <= 0 for d in stay):
        return  # no room of that type left: the booking never happened
    else:
        for d in stay:
            free[(hotel[0], rtype, d)] -= 1
    resv_no = f"HH25-{len(resv) + 1:06d}"
    adults = rng.choices((1, 2, 3), weights=(30, 60, 10))[0] if rtype != "STE" else rng.choice((2, 3, 4))
    adults = min(adults, 3)
    children = rng.choices((0, 1, 2), weights=(80, 12, 8))[0] if plan != "CORP" else 0
    segment = {"CORP": "CORP", "GDS": "CORP"}.get(source, rng.choices(("LEIS", "GRP"), weights=(92, 8))[0])
    if plan == "CORP":
        segment = "CORP"
    resv.append(
        (
            resv_no,
            guest,
            hotel[0],
            rtype,
            booked,
            arrival,
            arrival + dt.timedelta(days=nights),
            adults,
            children,
        )
        + (source, plan, segment, status, cancelled)
    )
    if source == "WEB":
        for _ in range(rng.choice((1, 1, 2, 3))):
            at = booked - dt.timedelta(minutes=rng.randrange(5, 60 * 24 * 6))
            quotes.append(
                (
                    len(quotes) + 1,
                    guest,
                    hotel[0],
                    at,
                    arrival,
                    nights,
                    _rate(hotel, rtype, arrival, "BAR", rng),
                )
            )
    if rng.random() < 0.8:  # browsing that did not book
        at = booked - dt.timedelta(days=rng.randrange(0, 40), minutes=rng.randrange(0, 1440))
        other = rng.choice(guest_ids)
        quotes.append(
            (
                len(quotes) + 1,
                other,
                hotel[0],
                at,
                arrival + dt.timedelta(days=rng.randrange(0, 30)),
                nights,
                None,
            )
        )
    cur = hotel[6]
    if status == "NS":
        folio.append((len(folio) + 1, resv_no, arrival, "NSF", _rate(hotel, rtype, arrival, plan, rng), cur))
    if status != "CO":
        return
    for d in stay:
        folio.append((len(folio) + 1, resv_no, d, "RM", _rate(hotel, rtype, d, plan, rng), cur))
        if plan == "PKG" or rng.random() < 0.45:
            per = adults + children
            folio.append(
                (len(folio) + 1, resv_no, d, "FB", round(rng.uniform(14, 38) * per / EUR_PER[cur], 2), cur)
            )
        if rng.random() < 0.1:
            folio.append(
                (len(folio) + 1, resv_no, d, "MISC", round(rng.uniform(8, 45) / EUR_PER[cur], 2), cur)
            )
    if hotel[10] and rng.random() < (0.16 if plan == "PKG" else 0.07):
        folio.append(
            (
                len(folio) + 1,
                resv_no,
                rng.choice(stay),
                "SPA",
                round(rng.uniform(60, 240) / EUR_PER[cur], 2),
                cur,
            )
        )
    if rng.random() < 0.3:
        out = arrival + dt.timedelta(days=nights)
        at = dt.datetime.combine(out, dt.time(9)) + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 18))
        score = max(1, min(10, round(rng.gauss(8.3 if hotel[5] == "Harbor" else 7.7, 1.4))))
        platform = rng.choices([p for p, _ in PLATFORMS], weights=[w for _, w in PLATFORMS])[0]
        reviews.append((f"RV{len(reviews) + 1:07d}", resv_no, hotel[0], platform, at, score, score >= 8))


def _rates_table() -> list[tuple[Any, ...]]:
    rows = []
    for month in range(1, 13):
        wobble = 1 + 0.01 * ((month * 7) % 5 - 2)
        for cur, eur in EUR_PER.items():
            rows.append((cur, dt.date(2025, month, 1), 1.0 if cur == "EUR" else round(eur * wobble, 5)))
    return rows


def _tables(
    rooms: list[tuple[Any, ...]],
    blocks: list[tuple[Any, ...]],
    guests: list[tuple[Any, ...]],
    members: list[tuple[Any, ...]],
    resv: list[tuple[Any, ...]],
    folio: list[tuple[Any, ...]],
    quotes: list[tuple[Any, ...]],
    reviews: list[tuple[Any, ...]],
) -> dict[str, RawTable]:
    v, d, i, ts = "varchar", "date", "integer", "timestamp"
    return {
        "hotels": RawTable(
            (
                ("hotel_code", v),
                ("hotel_name", v),
                ("city", v),
                ("country_iso", v),
                ("region", v),
                ("brand", v),
                ("currency_code", v),
                ("opening_date", d),
                ("star_rating", i),
            ),
            [h[:9] for h in HOTELS],
        ),  # fmt: skip
        "room_types": RawTable(
            (("room_type", v), ("description", v), ("max_pax", i), ("suite_yn", v)), ROOM_TYPES
        ),
        "rooms": RawTable(
            (("room_no", v), ("hotel_code", v), ("room_type", v), ("floor_no", i), ("in_service_from", d)),
            rooms,
        ),
        "room_out_of_order": RawTable(
            (("room_no", v), ("ooo_from", d), ("ooo_to", d), ("reason", v)), blocks
        ),
        "guest_profiles": RawTable(
            (
                ("profile_id", i),
                ("created_ts", ts),
                ("nationality", v),
                ("birth_year", i),
                ("marketing_opt_in", v),
            ),
            guests,
        ),
        "reservations": RawTable(
            (
                ("resv_no", v),
                ("profile_id", i),
                ("hotel_code", v),
                ("room_type", v),
                ("created_ts", ts),
                ("arrival_dt", d),
                ("departure_dt", d),
                ("adults", i),
                ("children", i),
                ("source_code", v),
                ("rate_code", v),
                ("segment_code", v),
                ("resv_status", v),
                ("cancel_ts", ts),
            ),
            resv,
        ),  # fmt: skip
        "folio_postings": RawTable(
            (
                ("posting_id", i),
                ("resv_no", v),
                ("business_dt", d),
                ("trx_code", v),
                ("amount", "decimal(12,2)"),
                ("currency_code", v),
            ),
            folio,
        ),  # fmt: skip
        "exchange_rates": RawTable(
            (("currency_code", v), ("month_start", d), ("eur_per_unit", "double")), _rates_table()
        ),
        "members": RawTable(
            (("member_no", v), ("profile_id", i), ("enrolled_ts", ts), ("tier_code", v), ("enrol_source", v)),
            members,
        ),
        "guest_reviews": RawTable(
            (
                ("review_id", v),
                ("resv_no", v),
                ("hotel_code", v),
                ("platform", v),
                ("submitted_ts", ts),
                ("rating_10", i),
                ("would_recommend", "boolean"),
            ),
            reviews,
        ),  # fmt: skip
        "rate_quotes": RawTable(
            (
                ("quote_id", i),
                ("profile_id", i),
                ("hotel_code", v),
                ("quoted_ts", ts),
                ("arrival_dt", d),
                ("nights", i),
                ("quoted_rate", "decimal(10,2)"),
            ),
            quotes,
        ),  # fmt: skip
    }


def load_harbor_raw(db_path: Path, seed: int = SEED) -> Path:
    """Create ``db_path`` holding only the raw tables in schema ``pms`` (what the EL tool delivers to dbt)."""
    return load_schemas(db_path, {RAW: raw_tables(seed)})


def build_harbor(root: Path, db_path: Path | None = None, seed: int = SEED) -> Path:
    """Build the warehouse of the project at ``root`` (default ``root/target/harbor.duckdb``)."""
    path = load_harbor_raw(db_path or root / "target" / "harbor.duckdb", seed)
    return build_on(
        path, root, SCHEMA, {"opera": RAW, "circle": RAW, "reputation": RAW, "booking_engine": RAW}
    )


def copy_harbor(target: Path, seed: int = SEED) -> Path:
    """A copy of the harbor project in ``target`` with its warehouse built (profile target ``dev``)."""
    copy_project(HARBOR, target)
    build_harbor(target, seed=seed)
    return target
