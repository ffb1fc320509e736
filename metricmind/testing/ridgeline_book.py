"""The ridgeline sample's subscriber book: lines, their months on the network, bills, top-ups and ports (seeded).

Every line (``sub_id``) is simulated month by month from January 2024 to December 2025: the opening base was
activated in 2019-2023, gross adds arrive every month through shops, the web store and resellers (web store
orders that do not activate are kept as orders), and each month a line may disconnect (prepaid churns most,
business least; no contract and no direct debit churn more). Postpaid, fibre and business lines get a bill at
each month end, paid by direct debit on the due date or late (or never) otherwise; prepaid lines top up. A line
lost to another operator leaves a port-out request; a line that brought its number a port-in.
:mod:`metricmind.testing.ridgeline` turns the book into raw tables.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from typing import Any

START = dt.date(2024, 1, 1)
END = dt.date(2025, 12, 31)
MONTHS = [dt.date(y, m, 1) for y in (2024, 2025) for m in range(1, 13)]
# region code, weight, cities
REGIONS = (
    ("NO", 30, ("Porto", "Braga", "Guimaraes")),
    ("CE", 22, ("Coimbra", "Aveiro", "Leiria")),
    ("LX", 33, ("Lisboa", "Sintra", "Setubal")),
    ("AL", 7, ("Evora", "Beja")),
    ("AG", 8, ("Faro", "Portimao")),
)
# segment, tariff code, weight within segment, monthly fee (EUR, net of VAT), data allowance GB
TARIFFS = {
    "PRE": (("RL-PRE-05", 50, 5.0, 5), ("RL-PRE-15", 35, 10.0, 15), ("RL-PRE-UNL", 15, 15.0, 60)),
    "POST": (("RL-POST-20", 40, 15.0, 20), ("RL-POST-50", 40, 22.0, 50), ("RL-POST-UNL", 20, 32.0, 120)),
    "FBB": (("RL-FIB-300", 55, 29.0, 0), ("RL-FIB-1000", 45, 39.0, 0)),
    "BIZ": (("RL-BIZ-PRO", 60, 25.0, 40), ("RL-BIZ-UNL", 40, 38.0, 150)),
}
SEGMENT_MIX = (("PRE", 38), ("POST", 36), ("FBB", 20), ("BIZ", 6))
# monthly disconnection hazard per segment
HAZARD = {"PRE": 0.028, "POST": 0.011, "FBB": 0.009, "BIZ": 0.006}
BRANDS = (("APL", 30), ("SAM", 34), ("XIA", 18), ("GOO", 5), ("MOT", 7), ("OTH", 6))
OPERATORS = (("MEO", 38), ("NOS", 34), ("VDF", 20), ("DIGI", 8))
# own shops and resellers: store id, name, type, region
STORES = (
    ("ST01", "Ridgeline Store Porto Santa Catarina", "OWN", "NO"),
    ("ST02", "Ridgeline Store Braga Centro", "OWN", "NO"),
    ("ST03", "Ridgeline Store Coimbra Forum", "OWN", "CE"),
    ("ST04", "Ridgeline Store Lisboa Chiado", "OWN", "LX"),
    ("ST05", "Ridgeline Store Lisboa Colombo", "OWN", "LX"),
    ("ST06", "Ridgeline Store Faro", "OWN", "AG"),
    ("RS11", "TeleMais Aveiro", "RSL", "CE"),
    ("RS12", "MovelPonto Sintra", "RSL", "LX"),
    ("RS13", "Connect4U Setubal", "RSL", "LX"),
    ("RS14", "GSM Norte Guimaraes", "RSL", "NO"),
    ("RS15", "Alentel Evora", "RSL", "AL"),
    ("WEB1", "ridgeline.pt web store", "WEB", "LX"),
)  # fmt: skip
MODELS = {
    "APL": (("iPhone 15", 899.0), ("iPhone 16", 999.0), ("iPhone 16 Pro", 1249.0)),
    "SAM": (("Galaxy A55", 449.0), ("Galaxy S24", 899.0), ("Galaxy S25 Ultra", 1399.0)),
    "XIA": (("Redmi Note 13", 249.0), ("Xiaomi 14T", 649.0)),
    "GOO": (("Pixel 8a", 549.0), ("Pixel 9", 899.0)),
    "MOT": (("moto g84", 299.0), ("edge 50", 599.0)),
    "OTH": (("Nokia G42", 199.0), ("OnePlus 12", 899.0)),
}


def pick(rng: random.Random, options: Any) -> Any:
    """One option of ``(value, weight, ...)`` tuples, by weight."""
    total = sum(o[1] for o in options)
    r = rng.uniform(0, total)
    for o in options:
        r -= o[1]
        if r <= 0:
            return o
    return options[-1]


def poisson(rng: random.Random, lam: float) -> int:
    """A Poisson draw (Knuth; small means only)."""
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def month_end(month: dt.date) -> dt.date:
    """The last day of ``month``."""
    nxt = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


@dataclass
class Line:
    """One subscriber line as the CRM holds it."""

    sub_id: str
    msisdn: str | None
    segment: str
    tariff: str
    fee: float
    allowance: int
    region: str
    city: str
    channel: str
    store: str
    brand: str | None
    five_g: bool
    contract_end: dt.date | None
    autopay: bool
    activated: dt.date
    port_in: bool
    web_order: str | None = None
    deactivated: dt.date | None = None
    reason: str | None = None


@dataclass
class Book:
    """Everything generated: lines and the rows each raw table gets."""

    lines: list[Line] = field(default_factory=list)
    usage: list[tuple[Any, ...]] = field(default_factory=list)
    invoices: list[tuple[Any, ...]] = field(default_factory=list)
    payments: list[tuple[Any, ...]] = field(default_factory=list)
    recharges: list[tuple[Any, ...]] = field(default_factory=list)
    ports: list[tuple[Any, ...]] = field(default_factory=list)
    contacts: list[tuple[Any, ...]] = field(default_factory=list)
    device_sales: list[tuple[Any, ...]] = field(default_factory=list)
    web_orders: list[tuple[Any, ...]] = field(default_factory=list)


def _new_line(rng: random.Random, book: Book, activated: dt.date, channel: str | None = None) -> Line:
    segment = pick(rng, SEGMENT_MIX)[0]
    tariff, _, fee, allowance = pick(rng, TARIFFS[segment])
    region, _, cities = pick(rng, REGIONS)
    if channel is None:
        channel = pick(rng, (("SHOP", 46), ("WEB", 30), ("RSL", 24)))[0]
    if channel == "SHOP":
        store = rng.choice([s[0] for s in STORES if s[2] == "OWN" and s[3] == region] or ["ST04"])
    elif channel == "RSL":
        store = rng.choice([s[0] for s in STORES if s[2] == "RSL" and s[3] == region] or ["RS12"])
    else:
        store = "WEB1"
    mobile = segment != "FBB"
    n = len(book.lines)
    brand = pick(rng, BRANDS)[0] if mobile else None
    five_g = mobile and rng.random() < (
        0.25 if segment == "PRE" else 0.7 if brand in ("APL", "SAM", "GOO") else 0.45
    )
    commit = 0 if segment == "PRE" else rng.choice((0, 12, 24, 24)) if segment != "BIZ" else 24
    line = Line(
        sub_id=f"S{1000000 + n}",
        msisdn=f"3519{(n * 7919 + 1234567) % 90000000 + 10000000}" if mobile else None,
        segment=segment,
        tariff=tariff,
        fee=fee,
        allowance=allowance,
        region=region,
        city=rng.choice(cities),
        channel=channel,
        store=store,
        brand=brand,
        five_g=five_g,
        contract_end=activated + dt.timedelta(days=commit * 30) if commit else None,
        autopay=segment != "PRE" and rng.random() < (0.75 if segment == "BIZ" else 0.6),
        activated=activated,
        port_in=mobile and rng.random() < 0.28,
    )
    book.lines.append(line)
    return line


def _opening_base(rng: random.Random, book: Book) -> None:
    for _ in range(4200):
        days = rng.randrange(0, (START - dt.date(2019, 1, 1)).days)
        _new_line(rng, book, dt.date(2019, 1, 1) + dt.timedelta(days=days))


def _gross_adds(rng: random.Random, book: Book) -> None:
    for i, month in enumerate(MONTHS):
        season = 1.25 if month.month in (9, 11, 12) else 0.85 if month.month in (1, 2, 8) else 1.0
        last = month_end(month).day
        # web store orders: about two in three activate within two weeks
        for _ in range(int((110 + 3 * i) * season)):
            ordered = dt.datetime.combine(month, dt.time()) + dt.timedelta(minutes=rng.randrange(last * 1440))
            ref = f"WO{240000 + len(book.web_orders)}"
            outcome = pick(
                rng, (("ACTIVATED", 64), ("CANCELLED", 15), ("CREDIT_FAIL", 9), ("ABANDONED", 12))
            )[0]
            activated = ordered.date() + dt.timedelta(days=rng.randrange(1, 12))
            if outcome == "ACTIVATED" and activated <= END:
                line = _new_line(rng, book, activated, "WEB")
                line.web_order = ref
                book.web_orders.append((ref, ordered, line.tariff, line.region, outcome))
            else:
                outcome = "PENDING" if outcome == "ACTIVATED" else outcome
                segment = pick(rng, SEGMENT_MIX)[0]
                region = pick(rng, REGIONS)[0]
                book.web_orders.append((ref, ordered, pick(rng, TARIFFS[segment])[0], region, outcome))
        for _ in range(int((150 + 2 * i) * season)):
            channel = pick(rng, (("SHOP", 62), ("RSL", 38)))[0]
            _new_line(rng, book, month + dt.timedelta(days=rng.randrange(last)), channel)


def _churn(rng: random.Random, line: Line, month: dt.date) -> None:
    """Maybe disconnect the line this month (a date and a reason)."""
    if line.activated > month_end(month) or line.deactivated:
        return
    hazard = HAZARD[line.segment]
    hazard *= 0.55 if line.contract_end and line.contract_end > month else 1.0
    hazard *= 0.8 if line.autopay else 1.0
    hazard *= 1.3 if month.month in (1, 9) else 1.0
    if rng.random() >= hazard:
        return
    first = max(month, line.activated + dt.timedelta(days=1))
    if first > month_end(month):
        return
    line.deactivated = first + dt.timedelta(days=rng.randrange((month_end(month) - first).days + 1))
    if line.segment == "PRE":
        reasons: tuple[tuple[str, int], ...] = (("INACT", 45), ("PORT_OUT", 30), ("PRICE", 15), ("OTHER", 10))
    elif line.segment == "FBB":
        reasons = (("MOVE", 35), ("PRICE", 25), ("COMPETITOR", 20), ("SERVICE", 12), ("NONPAY", 8))
    else:
        reasons = (
            ("PORT_OUT", 45),
            ("PRICE", 18),
            ("NONPAY", 12),
            ("SERVICE", 10),
            ("COVERAGE", 8),
            ("OTHER", 7),
        )
    line.reason = pick(rng, reasons)[0]


def simulate(rng: random.Random) -> Book:
    """The whole book, the same for the same generator state."""
    book = Book()
    _opening_base(rng, book)
    _gross_adds(rng, book)
    for line in book.lines:
        for month in MONTHS:
            _churn(rng, line, month)
        _activity(rng, book, line)
    return book


def _activity(rng: random.Random, book: Book, line: Line) -> None:
    if line.port_in and line.activated >= START:
        requested = line.activated - dt.timedelta(days=rng.randrange(1, 4))
        book.ports.append((f"PI{len(book.ports) + 500001}", line.msisdn, "PI", pick(rng, OPERATORS)[0],
                           requested, line.activated, "DONE"))  # fmt: skip
    if line.reason == "PORT_OUT" and line.deactivated:
        requested = line.deactivated - dt.timedelta(days=rng.randrange(1, 4))
        book.ports.append((f"PO{len(book.ports) + 500001}", line.msisdn, "PO", pick(rng, OPERATORS)[0],
                           requested, line.deactivated, "DONE"))  # fmt: skip
    if line.brand and line.activated >= START and line.segment != "PRE" and rng.random() < 0.45:
        model, price = rng.choice(MODELS[line.brand])
        months = rng.choice((0, 12, 24, 24, 36)) if line.segment != "BIZ" else 24
        book.device_sales.append((f"DS{len(book.device_sales) + 90001}", line.sub_id, line.store,
                                  dt.datetime.combine(line.activated, dt.time(10)) + dt.timedelta(minutes=rng.randrange(540)),
                                  line.brand, model, price, months))  # fmt: skip
    for month in MONTHS:
        last = month_end(month)
        if line.activated > last or (line.deactivated and line.deactivated < month):
            continue
        start = max(month, line.activated)
        stop = min(last, line.deactivated or last)
        share = ((stop - start).days + 1) / last.day
        _usage(rng, book, line, month, share)
        _contacts(rng, book, line, month, start, stop)
        if line.segment == "PRE":
            _recharges(rng, book, line, start, stop)
        elif line.activated < month + dt.timedelta(days=9):
            _bill(rng, book, line, month, share)


def _usage(rng: random.Random, book: Book, line: Line, month: dt.date, share: float) -> None:
    if line.segment == "FBB":
        data_mb = round(rng.lognormvariate(math.log(260_000), 0.5) * share)
        voice = 0
    else:
        data_mb = round(
            min(line.allowance * 1.1, rng.lognormvariate(math.log(line.allowance * 0.45 + 2), 0.6))
            * 1024
            * share
        )
        voice = round(rng.lognormvariate(math.log(260 if line.segment != "PRE" else 110), 0.7) * share)
    summer = month.month in (7, 8) or (month.month == 12 and rng.random() < 0.5)
    roaming = line.segment != "FBB" and rng.random() < (0.22 if summer else 0.06) * (
        1.8 if line.segment == "BIZ" else 1
    )
    roam_mb = round(rng.lognormvariate(math.log(900), 0.8)) if roaming else 0
    roam_min = round(rng.lognormvariate(math.log(25), 0.8)) if roaming else 0
    charge = round(max(0.0, roam_mb / 1024 - 2) * 2.5 + roam_min * 0.12, 2) if roaming else 0.0
    book.usage.append((line.sub_id, month, data_mb, voice, rng.randrange(0, 40), roam_mb, roam_min, charge))


def _contacts(
    rng: random.Random, book: Book, line: Line, month: dt.date, start: dt.date, stop: dt.date
) -> None:
    rate = 0.09 if line.segment in ("FBB", "BIZ") else 0.05
    for _ in range(poisson(rng, rate + (0.25 if line.deactivated and line.deactivated <= stop else 0))):
        on = start + dt.timedelta(days=rng.randrange((stop - start).days + 1))
        at = dt.datetime.combine(on, dt.time(8)) + dt.timedelta(minutes=rng.randrange(720))
        channel = pick(rng, (("VOICE", 52), ("CHAT", 28), ("SHOP", 14), ("SOCIAL", 6)))[0]
        topic = pick(rng, (("BILLING", 30), ("TECH", 26), ("COVERAGE", 8), ("DEVICE", 10), ("PORTING", 6),
                            ("PLAN_CHANGE", 12), ("CANCEL", 8)))[0]  # fmt: skip
        fcr = rng.random() < {"VOICE": 0.72, "CHAT": 0.66, "SHOP": 0.81, "SOCIAL": 0.48}[channel] * (
            0.8 if topic == "TECH" else 1
        )
        book.contacts.append(
            (f"CI{len(book.contacts) + 3000001}", line.sub_id, at, channel, topic, "Y" if fcr else "N")
        )


def _recharges(rng: random.Random, book: Book, line: Line, start: dt.date, stop: dt.date) -> None:
    days = (stop - start).days + 1
    for _ in range(poisson(rng, 1.6 * days / 30)):
        at = dt.datetime.combine(start, dt.time(7)) + dt.timedelta(minutes=rng.randrange(days * 1440 - 480))
        value = (
            rng.choice((5.0, 10.0, 10.0, 15.0, 20.0, 25.0))
            if line.tariff != "RL-PRE-UNL"
            else rng.choice((15.0, 20.0, 30.0))
        )
        channel = pick(rng, (("APP", 40), ("RETAIL", 25), ("VOUCHER", 10), ("WEB", 12), ("AUTO", 13)))[0]
        book.recharges.append((f"R{len(book.recharges) + 70000001}", line.msisdn, at, value, channel))


def _bill(rng: random.Random, book: Book, line: Line, month: dt.date, share: float) -> None:
    last = month_end(month)
    roam = book.usage[-1][7]
    oob = round(rng.choice((0.0, 0.0, 0.0, 2.5, 5.0)), 2) if line.segment in ("POST", "BIZ") else 0.0
    net = round(line.fee * share + oob + roam, 2)
    inv = f"INV{last.strftime('%y%m')}{len(book.invoices) + 100001}"
    billed = month + dt.timedelta(days=9)  # bill cycle day 10, the month billed in advance
    due = billed + dt.timedelta(days=20)
    book.invoices.append(
        (inv, line.sub_id, month.strftime("%Y-%m"), billed, due, net, round(net * 0.23, 2), roam)
    )
    if line.autopay and rng.random() < 0.97:
        paid, method = due, "DD"
    elif rng.random() < (
        0.2
        if line.reason == "NONPAY" and line.deactivated and line.deactivated <= billed + dt.timedelta(days=75)
        else 0.95
    ):
        paid = billed + dt.timedelta(days=int(rng.expovariate(1 / 14)) + 1)
        method = pick(rng, (("CARD", 45), ("TRF", 25), ("CASH", 15), ("MB", 15)))[0]
    else:
        return
    if paid > END:
        return
    gross = round(net * 1.23, 2)
    if rng.random() < 0.04 and method != "DD":
        part = round(gross * 0.5, 2)
        book.payments.append((f"P{len(book.payments) + 8000001}", inv, paid, part, method))
        paid = paid + dt.timedelta(days=rng.randrange(5, 30))
        if paid > END:
            return
        gross = round(gross - part, 2)
    book.payments.append((f"P{len(book.payments) + 8000001}", inv, paid, gross, method))
