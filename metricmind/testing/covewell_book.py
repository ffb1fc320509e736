"""The covewell sample's policy book: insureds, producers, annual policy terms and quotes (seeded, no download).

An in-force book written during 2023, new business of 2024-2025 bound from quotes (agents convert best,
aggregators worst), annual terms that renew at a rate change (and lapse more often after a big increase), are
cancelled mid-term or endorsed. :mod:`metricmind.testing.covewell` turns the book into raw tables.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from typing import Any

START = dt.date(2024, 1, 1)
END = dt.date(2025, 12, 31)
CLAIMS_FROM = dt.date(2023, 7, 1)
"""The claims system extract holds losses from mid-2023 (their payments run into 2024)."""
# state, weight of new business, premium factor
STATES = (("PA", 16, 1.0), ("NJ", 10, 1.35), ("NY", 8, 1.3), ("OH", 14, 0.85), ("MI", 9, 1.45), ("IL", 10, 0.95), ("GA", 9, 1.05), ("NC", 9, 0.9), ("TX", 10, 1.15), ("AZ", 5, 1.0))  # fmt: skip
TIERS = (("ESS", 30, 0.82), ("PLS", 50, 1.0), ("PRM", 20, 1.32))
CHANNELS = (("AGT", 48), ("WEB", 32), ("AGG", 20))
# unbound quotes per bound one, by channel
QUOTES_PER_BIND = {"AGT": 1.6, "WEB": 5.5, "AGG": 12.0}
AGENCIES = (
    ("AG01", "Keystone Insurance Group", "gold", "PA"),
    ("AG02", "Liberty Bell Agency", "silver", "PA"),
    ("AG03", "Garden State Brokers", "gold", "NJ"),
    ("AG04", "Empire Family Insurance", "silver", "NY"),
    ("AG05", "Buckeye Insurance Partners", "gold", "OH"),
    ("AG06", "Great Lakes Coverage", "bronze", "MI"),
    ("AG07", "Prairie Shield Agency", "silver", "IL"),
    ("AG08", "Peachtree Risk Advisors", "gold", "GA"),
    ("AG09", "Tar Heel Insurance", "bronze", "NC"),
    ("AG10", "Lone Star Policy Shop", "silver", "TX"),
    ("AG11", "Desert Sun Insurance", "bronze", "AZ"),
)
FIRST = ("Maria", "James", "Linda", "Robert", "Aisha", "David", "Chen", "Sofia", "Marcus", "Emily", "Raj", "Grace", "Tom", "Olivia", "Luis", "Hannah", "Kevin", "Nadia", "Brian", "Megan")  # fmt: skip
LAST = ("Alvarez", "Brooks", "Carter", "Dunn", "Ellis", "Foster", "Garcia", "Hughes", "Ito", "Jensen", "Kowalski", "Lopez", "Murphy", "Novak", "Owens", "Patel", "Quinn", "Reyes", "Shah", "Turner")  # fmt: skip


@dataclass
class Term:
    """One annual policy term as the generator builds it."""

    pol_no: str
    seq: int
    line: str
    tier: str
    channel: str
    producer: str | None
    state: str
    insured: str
    quote: str | None
    eff: dt.date
    written: dt.date
    premium: float
    telematics: bool
    paperless: bool
    plan: str
    cancel: dt.date | None = None
    cancel_reason: str | None = None
    endorsements: list[tuple[dt.date, float]] = field(default_factory=list)

    @property
    def exp(self) -> dt.date:
        """The expiration date: one year after the effective date."""
        return _add_year(self.eff)


def _add_year(d: dt.date) -> dt.date:
    return d.replace(year=d.year + 1) if not (d.month == 2 and d.day == 29) else dt.date(d.year + 1, 3, 1)


def poisson(rng: random.Random, lam: float) -> int:
    """A Poisson draw with mean ``lam``."""
    n, p, limit = 0, 1.0, math.exp(-lam)
    while True:
        p *= rng.random()
        if p <= limit:
            return n
        n += 1


def pick(rng: random.Random, options: tuple[tuple[Any, ...], ...]) -> tuple[Any, ...]:
    """One of ``options``, weighted by each option's second item."""
    return rng.choices(options, weights=[o[1] for o in options])[0]


class Book:
    """The generator's state: insureds, producers, terms, quotes."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.insureds: dict[str, tuple[Any, ...]] = {}
        self.lines_of: dict[str, set[str]] = {}
        self.terms: list[Term] = []
        self.quotes: list[tuple[Any, ...]] = []
        self.counter = {"PA": 1000000, "HO": 2000000}
        self.producers = self._producers()

    def _producers(self) -> list[tuple[Any, ...]]:
        rng, out = self.rng, list[tuple[Any, ...]]()
        for agency_id, _, tier, _ in AGENCIES:
            for _ in range({"gold": 5, "silver": 4, "bronze": 3}[tier]):
                code = f"P{len(out) * 7 + 101:04d}"
                name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
                appointed = dt.date(rng.randrange(2012, 2023), rng.randrange(1, 13), 1)
                terminated = None
                if rng.random() < 0.12:
                    terminated = dt.date(2025, rng.randrange(1, 10), rng.randrange(1, 28))
                out.append((code, name, agency_id, appointed, terminated))
        return out

    def producer_for(self, state: str, on: dt.date) -> str:
        """A producer still appointed on ``on``, of an agency in ``state`` when there is one."""
        home = {a[0] for a in AGENCIES if a[3] == state}
        live = [p for p in self.producers if p[4] is None or p[4] > on]
        near = [p for p in live if p[2] in home] or live
        return str(self.rng.choice(near)[0])

    def insured(self, state: str, since: dt.date, line: str) -> str:
        """The insured of a new policy: now and then an existing customer adding the other line (bundling)."""
        rng = self.rng
        same_state = [k for k, v in self.insureds.items() if v[2] == state and line not in self.lines_of[k]]
        if same_state and rng.random() < (0.22 if line == "HO" else 0.08):
            key = rng.choice(same_state[-400:])
        else:
            key = f"C{len(self.insureds) + 500001}"
            age = rng.choices((21, 29, 39, 49, 59, 71), weights=(8, 20, 22, 20, 17, 13))[0] + rng.randrange(
                -3, 4
            )
            self.insureds[key] = (key, since.year - age, state, since)
            self.lines_of[key] = set()
        self.lines_of[key].add(line)
        return key

    def new_term(self, line: str, eff: dt.date, written: dt.date, seq: int, history: dt.date) -> Term:
        """A first term of a new policy number (rated by state, tier and telematics)."""
        rng = self.rng
        state, _, factor = pick(rng, STATES)
        tier, _, tfactor = pick(rng, TIERS)
        channel = str(pick(rng, CHANNELS)[0])
        producer = self.producer_for(state, written) if channel == "AGT" else None
        telematics = line == "PA" and rng.random() < (0.42 if channel == "WEB" else 0.25)
        base = (1250 if line == "PA" else 1450) * factor * tfactor * rng.uniform(0.7, 1.45)
        premium = round(base * (0.9 if telematics else 1.0), 2)
        self.counter[line] += rng.randrange(1, 4)
        pol_no = f"{line}-{self.counter[line]}"
        return Term(
            pol_no, seq, line, tier, channel, producer, state, self.insured(state, history, line), None,
            eff, written, premium, telematics, rng.random() < 0.58, "PIF" if rng.random() < 0.35 else "EFT12",
        )  # fmt: skip


def _grow(book: Book, term: Term) -> None:
    """Add the term's endorsements, cancellation and renewals until the data ends."""
    rng = book.rng
    while True:
        days = (term.exp - term.eff).days
        if rng.random() < 0.24:
            on = term.eff + dt.timedelta(days=rng.randrange(20, days - 20))
            if on <= END:
                delta = rng.choice((-1, 1, 1, 1)) * rng.uniform(40, 260 if term.line == "PA" else 180)
                term.endorsements.append((on, round(delta, 2)))
        p_cancel = 0.055 + (0.04 if term.plan == "EFT12" else 0) + (0.03 if term.channel == "AGG" else 0)
        if rng.random() < p_cancel:
            on = term.eff + dt.timedelta(days=rng.randrange(15, days - 5))
            if on <= END:
                term.cancel = on
                term.cancel_reason = rng.choices(("NP", "IR", "UW"), weights=(45, 45, 10))[0]
                term.endorsements = [e for e in term.endorsements if e[0] < on]
        book.terms.append(term)
        if term.cancel is not None or term.exp > END:
            return
        change = rng.gauss(0.095 if term.exp.year == 2024 else 0.06, 0.05)
        p_keep = 0.9 - max(0.0, change - 0.06) * 1.8
        p_keep += (0.03 if term.telematics else 0) + (0.03 if term.paperless else 0)
        p_keep -= {"AGG": 0.09, "WEB": 0.04, "AGT": 0.0}[term.channel]
        if len(book.lines_of[term.insured]) > 1:
            p_keep += 0.04
        if rng.random() < 0.025:
            term.cancel_reason = "NONRENEW"  # the carrier declined to offer a renewal
            return
        if rng.random() > p_keep:
            return
        current = term.premium + sum(d for _, d in term.endorsements)
        producer = term.producer
        if producer and any(p[0] == producer and p[4] and p[4] <= term.exp for p in book.producers):
            producer = book.producer_for(term.state, term.exp)  # the book moves to a producer still appointed
        term = Term(
            term.pol_no, term.seq + 1, term.line, term.tier, term.channel, producer, term.state, term.insured, None, term.exp, term.exp, round(current * (1 + change), 2),
            term.telematics, term.paperless, term.plan,
        )  # fmt: skip


def write_book(rng: random.Random) -> Book:
    """The whole book: the 2023 in-force policies and the new business of 2024-2025, each grown to the end."""
    book = Book(rng)
    for line, count in (("PA", 2300), ("HO", 1350)):
        for _ in range(count):
            eff = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(0, 365))
            since = dt.date(rng.randrange(2009, 2024), rng.randrange(1, 13), 1)
            since = min(since, eff)
            seq = 1 + (eff.year - since.year)
            term = book.new_term(line, eff, eff, max(1, seq), since)
            _grow(book, term)
    day = START
    while day <= END:
        for line, rate in (("PA", 2.0), ("HO", 1.1)):
            lam = rate * (1.12 if day.year == 2025 else 1.0)
            if line == "HO" and day.month in (4, 5, 6, 7):
                lam *= 1.35
            if day.month == 12:
                lam *= 0.8
            if day.weekday() >= 5:
                lam *= 0.45
            for _ in range(poisson(rng, lam)):
                bound = day
                eff = bound + dt.timedelta(days=rng.choice((0, 0, 1, 3, 7, 14, 21)))
                term = book.new_term(line, eff, bound, 1, bound)
                _quote(book, term)
                _grow(book, term)
            for channel, share in CHANNELS:
                for _ in range(poisson(rng, lam * share / 100 * QUOTES_PER_BIND[channel])):
                    _shopped(book, line, channel, day)
        day += dt.timedelta(days=1)
    return book


def _shopped(book: Book, line: str, channel: str, day: dt.date) -> None:
    """A quote that was never bound (the customer shopped and went elsewhere)."""
    rng = book.rng
    state, _, factor = pick(rng, STATES)
    tier, _, tfactor = pick(rng, TIERS)
    at = dt.datetime.combine(day, dt.time(rng.randrange(0, 24), rng.randrange(60)))
    producer = book.producer_for(state, day) if channel == "AGT" else None
    prem = (1250 if line == "PA" else 1450) * factor * tfactor * rng.uniform(0.75, 1.6)
    book.quotes.append(
        (f"Q{len(book.quotes) + 3000001}", at, line, channel, producer, state, tier, round(prem, 2), None)
    )


def _quote(book: Book, term: Term) -> None:
    """The quote a new-business term was bound from."""
    rng = book.rng
    lag = rng.choices((0, 1, 3, 6, 10, 16, 24, 34, 45), weights=(22, 18, 16, 12, 10, 8, 6, 5, 3))[0]
    quoted = dt.datetime.combine(term.written - dt.timedelta(days=lag), dt.time(rng.randrange(7, 22), rng.randrange(60)))  # fmt: skip
    ref = f"Q{len(book.quotes) + 3000001}"
    term.quote = ref
    book.quotes.append((ref, quoted, term.line, term.channel, term.producer, term.state, term.tier,
                        round(term.premium * rng.uniform(0.97, 1.03), 2), term.insured))  # fmt: skip
