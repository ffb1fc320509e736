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
from pathlib import Path
from typing import Any

from metricmind.testing.covewell_book import AGENCIES, CLAIMS_FROM, END, Book, Term, pick, poisson, write_book
from metricmind.testing.rawload import RawTable, build_on, copy_project, load_schemas

COVEWELL = Path(__file__).parent / "projects" / "covewell"
SCHEMA = "reporting"
LANDING_PAS = "landing_pas"
LANDING_CLAIMS = "landing_claims"
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
                  for _ in range(poisson(rng, freq * years))]  # fmt: skip
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
        else pick(rng, perils)
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


SEED = 20240101


def raw_tables(seed: int = SEED) -> dict[str, dict[str, RawTable]]:
    """The raw tables per schema (``landing_pas``, ``landing_claims``), the same for the same ``seed``."""
    rng = random.Random(seed)
    book = write_book(rng)
    claims, payments = _claims(rng, book.terms)
    return {LANDING_PAS: _pas_tables(book), LANDING_CLAIMS: _claim_tables(claims, payments)}


def _pas_tables(book: Book) -> dict[str, RawTable]:
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


def load_covewell_raw(db_path: Path, seed: int = SEED) -> Path:
    """Create ``db_path`` holding only the raw tables (schemas ``landing_pas`` and ``landing_claims``)."""
    return load_schemas(db_path, raw_tables(seed))


def build_covewell(root: Path, db_path: Path | None = None, seed: int = SEED) -> Path:
    """Build the warehouse of the project at ``root`` (default ``root/target/covewell.duckdb``)."""
    path = load_covewell_raw(db_path or root / "target" / "covewell.duckdb", seed)
    return build_on(
        path,
        root,
        SCHEMA,
        {
            "policy_admin": LANDING_PAS,
            "rater": LANDING_PAS,
            "agency_portal": LANDING_PAS,
            "claimcenter": LANDING_CLAIMS,
        },
    )


def copy_covewell(target: Path, seed: int = SEED) -> Path:
    """A copy of the covewell project in ``target`` with its warehouse built (profile target ``local``)."""
    copy_project(COVEWELL, target)
    build_covewell(target, seed=seed)
    return target
