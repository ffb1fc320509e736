"""The covewell sample: a personal-lines insurance carrier's dbt project (motor and home policies, claims, agents).

Another company's project ("Covewell Mutual", personal auto and homeowners in ten states, sold through
independent agents, its own website and price-comparison aggregators), written code-blind in its own data
team's conventions: no ``metricmind.yml`` (the warehouse comes from ``profiles.yml``, target ``local``, schema
``reporting``); raw data lands in two schemas: ``landing_pas`` (the policy administration system ``policy_admin``,
the quoting engine ``rater`` and the agency portal ``agency_portal``) and ``landing_claims`` (the claims system
``claimcenter``). Staging views ``stg_<source>__<table>``, ``int_*`` models, marts by domain under
``marts/{policy,premium,claims,distribution}``, semantic models and metrics in separate folders. Raw codes as a
PAS writes them (``PA``/``HO`` lines, ``ESS``/``PLS``/``PRM`` tiers, ``AGT``/``WEB``/``AGG`` channels, ``Y``/``N``
indicators), policy numbers ``PA-1001234``/``HO-2001234`` with a term sequence, producer codes ``P0123``.

The raw data is generated here (seeded, no download): an in-force book written during 2023, new business of
2024-2025 from quotes (agents convert best, aggregators worst), annual terms that renew (or lapse, more often
after a big rate increase) or are cancelled mid-term with pro-rata return premium, endorsements, claims with
payments and open reserves, four catastrophe events, SIU (fraud) referrals. :func:`copy_covewell` gives a built
copy (``target/covewell.duckdb``).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from metricmind.testing.rawload import RawTable, build_models, copy_project, load_raw

COVEWELL = Path(__file__).parent / "projects" / "covewell"
SCHEMA = "reporting"
LANDING_PAS = "landing_pas"
LANDING_CLAIMS = "landing_claims"
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
# peril, weight, mean severity (USD)
PERILS = {
    "PA": (
        ("COLL", 52, 4800),
        ("GLASS", 15, 650),
        ("THEFT", 7, 9500),
        ("ANIMAL", 9, 3600),
        ("LIAB", 17, 13000),
    ),
    "HO": (
        ("WATER", 34, 11500),
        ("WIND", 22, 8200),
        ("FIRE", 7, 38000),
        ("THEFT", 15, 4200),
        ("LIAB", 7, 16000),
        ("OTHER", 15, 2600),
    ),  # fmt: skip
}
# catastrophe code, first day, days, states, expected claims per 1000 home / motor policies in the area
CATS = (
    ("CAT2405", dt.date(2024, 5, 14), 3, ("TX", "AZ"), 55.0, 18.0),
    ("CAT2409", dt.date(2024, 9, 26), 3, ("GA", "NC"), 80.0, 6.0),
    ("CAT2501", dt.date(2025, 1, 20), 4, ("OH", "MI", "PA", "IL"), 30.0, 2.0),
    ("CAT2506", dt.date(2025, 6, 17), 2, ("IL", "OH", "MI"), 25.0, 10.0),
)


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


def _poisson(rng: random.Random, lam: float) -> int:
    n, p, limit = 0, 1.0, math.exp(-lam)
    while True:
        p *= rng.random()
        if p <= limit:
            return n
        n += 1


def _pick(rng: random.Random, options: tuple[tuple[Any, ...], ...]) -> tuple[Any, ...]:
    return rng.choices(options, weights=[o[1] for o in options])[0]


class _Book:
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
        home = {a[0] for a in AGENCIES if a[3] == state}
        live = [p for p in self.producers if p[4] is None or p[4] > on]
        near = [p for p in live if p[2] in home] or live
        return str(self.rng.choice(near)[0])

    def insured(self, state: str, since: dt.date, line: str) -> str:
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
        rng = self.rng
        state, _, factor = _pick(rng, STATES)
        tier, _, tfactor = _pick(rng, TIERS)
        channel = str(_pick(rng, CHANNELS)[0])
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


def _grow(book: _Book, term: Term) -> None:
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


def _book(rng: random.Random) -> _Book:
    book = _Book(rng)
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
            for _ in range(_poisson(rng, lam)):
                bound = day
                eff = bound + dt.timedelta(days=rng.choice((0, 0, 1, 3, 7, 14, 21)))
                term = book.new_term(line, eff, bound, 1, bound)
                _quote(book, term)
                _grow(book, term)
            for channel, share in CHANNELS:
                for _ in range(_poisson(rng, lam * share / 100 * QUOTES_PER_BIND[channel])):
                    _shopped(book, line, channel, day)
        day += dt.timedelta(days=1)
    return book


def _shopped(book: _Book, line: str, channel: str, day: dt.date) -> None:
    """A quote that was never bound (the customer shopped and went elsewhere)."""
    rng = book.rng
    state, _, factor = _pick(rng, STATES)
    tier, _, tfactor = _pick(rng, TIERS)
    at = dt.datetime.combine(day, dt.time(rng.randrange(0, 24), rng.randrange(60)))
    producer = book.producer_for(state, day) if channel == "AGT" else None
    prem = (1250 if line == "PA" else 1450) * factor * tfactor * rng.uniform(0.75, 1.6)
    book.quotes.append(
        (f"Q{len(book.quotes) + 3000001}", at, line, channel, producer, state, tier, round(prem, 2), None)
    )


def _quote(book: _Book, term: Term) -> None:
    """The quote a new-business term was bound from."""
    rng = book.rng
    lag = rng.choices((0, 1, 3, 6, 10, 16, 24, 34, 45), weights=(22, 18, 16, 12, 10, 8, 6, 5, 3))[0]
    quoted = dt.datetime.combine(term.written - dt.timedelta(days=lag), dt.time(rng.randrange(7, 22), rng.randrange(60)))  # fmt: skip
    ref = f"Q{len(book.quotes) + 3000001}"
    term.quote = ref
    book.quotes.append((ref, quoted, term.line, term.channel, term.producer, term.state, term.tier,
                        round(term.premium * rng.uniform(0.97, 1.03), 2), term.insured))  # fmt: skip


def _claims(rng: random.Random, terms: list[Term]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    claims: list[tuple[Any, ...]] = []
    payments: list[tuple[Any, ...]] = []
    for term in terms:
        start = max(term.eff, CLAIMS_FROM)
        stop = min(term.cancel or term.exp, term.exp, END + dt.timedelta(days=1))
        if stop <= start:
            continue
        years = (stop - start).days / 365.0
        freq = 0.16 if term.line == "PA" else 0.09
        freq *= 1.25 if term.tier == "ESS" else 1.0
        freq *= 0.8 if term.telematics else 1.0
        losses: list[tuple[dt.date, str | None]] = [(start + dt.timedelta(days=rng.randrange((stop - start).days)), None)
                  for _ in range(_poisson(rng, freq * years))]  # fmt: skip
        for code, first, days, states, home_rate, motor_rate in CATS:
            if term.state in states and start <= first < stop:
                rate = home_rate if term.line == "HO" else motor_rate
                if rng.random() < rate / 1000 * (1.6 if term.state == states[0] else 1.0):
                    losses.append((first + dt.timedelta(days=rng.randrange(days)), code))
        for loss, cat in losses:
            reported = loss + dt.timedelta(days=min(60, int(rng.expovariate(1 / 5))))
            if reported > END:
                continue
            _claim(rng, term, loss, reported, cat, claims, payments)
    return claims, payments


def _claim(
    rng: random.Random,
    term: Term,
    loss: dt.date,
    reported: dt.date,
    cat: str | None,
    claims: list[tuple[Any, ...]],
    payments: list[tuple[Any, ...]],
) -> None:
    perils = PERILS[term.line]
    peril, _, mean = (
        next(p for p in perils if p[0] == ("WIND" if term.line == "HO" else "GLASS"))
        if cat
        else _pick(rng, perils)
    )
    if cat and term.line == "PA":
        peril, mean = "HAIL", 5200
    severity = round(rng.lognormvariate(math.log(mean) - 0.5, 1.0), 2)
    siu = rng.random() < (0.12 if peril == "THEFT" else 0.03)
    denied = rng.random() < (0.32 if siu else 0.065)
    slow = peril in ("LIAB", "FIRE")
    closes = reported + dt.timedelta(days=rng.randrange(20, 330 if slow else 150))
    if denied:
        closes = reported + dt.timedelta(days=rng.randrange(10, 90))
    closed = closes if closes <= END else None
    status = "DENIED" if denied and closed else ("CLOSED" if closed else "OPEN")
    claim_no = f"CL{reported.strftime('%y')}-{len(claims) + 10001:06d}"
    paid_total = 0.0
    until = closed or END
    span = max(1, (until - reported).days)
    if status == "DENIED":
        parts: list[tuple[str, float]] = [("EXPENSE", round(rng.uniform(80, 600), 2))]
    else:
        share = 1.0 if status == "CLOSED" else rng.choice((0.0, 0.2, 0.45, 0.7))
        pieces = rng.choice((1, 1, 2, 3)) if share > 0 else 0
        parts = [("INDEMNITY", round(severity * share / pieces, 2)) for _ in range(pieces)]
        parts.append(
            ("EXPENSE", round(severity * rng.uniform(0.04, 0.12) * (1 if status == "CLOSED" else 0.5), 2))
        )
    for i, (kind, amount) in enumerate(parts):
        on = reported + dt.timedelta(days=min(span, (span * (i + 1)) // len(parts)))
        if amount > 0 and on <= END:
            payments.append((f"PMT{len(payments) + 700001}", claim_no, on, kind, amount))
            paid_total += amount
    reserve = 0.0 if status != "OPEN" else round(max(250.0, severity * 1.08 - paid_total), 2)
    claims.append(
        (claim_no, term.pol_no, term.seq, loss, reported, peril, status.title() if rng.random() < 0.1 else status,
         closed, cat, siu, reserve)
    )  # fmt: skip


def raw_tables(seed: int = 20240101) -> dict[str, dict[str, RawTable]]:
    """The raw tables per schema (``landing_pas``, ``landing_claims``), the same for the same ``seed``."""
    rng = random.Random(seed)
    book = _book(rng)
    claims, payments = _claims(rng, book.terms)
    return {LANDING_PAS: _pas_tables(book), LANDING_CLAIMS: _claim_tables(claims, payments)}


def _pas_tables(book: _Book) -> dict[str, RawTable]:
    v, d, n, i = "varchar", "date", "decimal(12,2)", "integer"
    terms, txns = [], []
    for t in book.terms:
        yn = ("Y" if t.telematics else "N") if t.line == "PA" else None
        terms.append(
            (t.pol_no, t.seq, t.line, t.tier, t.channel, t.producer, t.state, t.insured, t.quote, t.eff, t.exp,
             t.written, t.premium, yn, "Y" if t.paperless else "N", t.plan, t.cancel, t.cancel_reason)
        )  # fmt: skip
        txns.append((t.pol_no, t.seq, "NB" if t.seq == 1 else "RN", t.eff, t.written, t.premium))
        days = (t.exp - t.eff).days
        for on, delta in t.endorsements:
            txns.append((t.pol_no, t.seq, "EN", on, on, round(delta * (t.exp - on).days / days, 2)))
        if t.cancel:
            # pro-rata return premium: the unearned part of the term's premium and of each endorsement
            annual = t.premium + sum(a for _, a in t.endorsements)
            unearned = annual * (t.exp - t.cancel).days / days
            txns.append((t.pol_no, t.seq, "CN", t.cancel, t.cancel, -round(unearned, 2)))
    txn_rows = [
        (f"T{k + 1:07d}", *row) for k, row in enumerate(sorted(txns, key=lambda r: (r[4], r[0], r[1])))
    ]
    return {
        "policy_terms": RawTable(
            (
                ("pol_no", v),
                ("term_seq", i),
                ("lob_cd", v),
                ("prod_tier_cd", v),
                ("channel_cd", v),
                ("producer_cd", v),
                ("risk_state", v),
                ("insured_id", v),
                ("quote_ref", v),
                ("eff_dt", d),
                ("exp_dt", d),
                ("written_dt", d),
                ("annual_prem", n),
                ("telematics_ind", v),
                ("paperless_ind", v),
                ("pay_plan_cd", v),
                ("cancel_dt", d),
                ("term_status_rsn", v),
            ),
            terms,
        ),  # fmt: skip
        "premium_transactions": RawTable(
            (
                ("txn_id", v),
                ("pol_no", v),
                ("term_seq", i),
                ("txn_type_cd", v),
                ("txn_eff_dt", d),
                ("booked_dt", d),
                ("prem_amt", n),
            ),
            txn_rows,
        ),  # fmt: skip
        "insureds": RawTable(
            (("insured_id", v), ("birth_yr", i), ("mail_state", v), ("insured_since", d)),
            list(book.insureds.values()),
        ),
        "quotes": RawTable(
            (
                ("quote_ref", v),
                ("quoted_at", "timestamp"),
                ("lob_cd", v),
                ("channel_cd", v),
                ("producer_cd", v),
                ("risk_state", v),
                ("prod_tier_cd", v),
                ("quoted_annual_prem", n),
                ("insured_id", v),
            ),
            sorted(book.quotes, key=lambda q: q[1]),
        ),  # fmt: skip
        "producers": RawTable(
            (
                ("producer_cd", v),
                ("producer_name", v),
                ("agency_id", v),
                ("appointed_dt", d),
                ("terminated_dt", d),
            ),
            book.producers,
        ),
        "agencies": RawTable(
            (("agency_id", v), ("agency_name", v), ("agency_tier", v), ("agency_state", v)),
            list(AGENCIES),
        ),
    }


def _claim_tables(claims: list[tuple[Any, ...]], payments: list[tuple[Any, ...]]) -> dict[str, RawTable]:
    v, d, n = "varchar", "date", "decimal(12,2)"
    return {
        "claims": RawTable(
            (
                ("claim_no", v),
                ("pol_no", v),
                ("term_seq", "integer"),
                ("loss_dt", d),
                ("reported_dt", d),
                ("peril_cd", v),
                ("claim_status", v),
                ("closed_dt", d),
                ("cat_code", v),
                ("siu_referral_flag", "boolean"),
                ("os_reserve_amt", n),
            ),
            claims,
        ),  # fmt: skip
        "claim_payments": RawTable(
            (("pmt_id", v), ("claim_no", v), ("pmt_dt", d), ("pmt_type", v), ("pmt_amt", n)),
            payments,
        ),
    }


def load_covewell_raw(db_path: Path) -> Path:
    """Create ``db_path`` holding only the raw tables (schemas ``landing_pas`` and ``landing_claims``)."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db_path))
    try:
        for schema, tables in raw_tables().items():
            load_raw(con, tables, schema)
    finally:
        con.close()
    return db_path


def build_covewell(root: Path, db_path: Path | None = None) -> Path:
    """Build the warehouse of the project at ``root`` (default ``root/target/covewell.duckdb``)."""
    path = load_covewell_raw(db_path or root / "target" / "covewell.duckdb")
    con = duckdb.connect(str(path))
    try:
        sources = {
            "policy_admin": LANDING_PAS,
            "rater": LANDING_PAS,
            "agency_portal": LANDING_PAS,
            "claimcenter": LANDING_CLAIMS,
        }
        build_models(con, root / "models", SCHEMA, sources)
    finally:
        con.close()
    return path


def copy_covewell(target: Path) -> Path:
    """A copy of the covewell project in ``target`` with its warehouse built (profile target ``local``)."""
    copy_project(COVEWELL, target)
    build_covewell(target)
    return target
