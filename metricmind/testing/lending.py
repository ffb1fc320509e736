"""The lending sample: a consumer-lending fintech's dbt project (borrowers, applications, loans, payments).

A fourth company's project, in a lender's words (originations, funded amount, APR, delinquency, 30+ DPD,
charge-offs, collections, the loan book), never tuned to metricmind: no ``metricmind.yml`` (the warehouse
comes from ``profiles.yml``, schema ``prod``), sources from the loan management system in schema ``raw``,
staging views ``stg_lms__*``, marts with ``_at`` timestamps and ``_date`` dates, money in decimals on loans
and in cents on payments (``amount_cents``), a camelCase column kept from the underwriting API
(``riskGrade``), yes/no flags (``is_kyc_verified``, ``is_first_loan``, ``is_late``, ``is_autopay``) and a daily
loan-tape snapshot (``fct_loan_tape_daily``) whose outstanding principal is semi-additive.

The raw data is generated here (seeded): applications 2024-01-01 to 2024-06-30, loans funded from them,
monthly instalments with late payers and defaulters (charged off at 90 days past due), and the daily tape
through 2024-06-30. :func:`copy_lending` gives a built copy (profile target ``dev``: ``target/lending.duckdb``).
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

from metricmind.testing.rawload import RawTable, build_duckdb, copy_project

LENDING = Path(__file__).parent / "projects" / "lending"
SCHEMA = "prod"
START = dt.date(2024, 1, 1)
END = dt.date(2024, 6, 30)  # last day of data
DAYS = (END - START).days + 1
STATES = ("CA", "TX", "NY", "FL", "IL", "WA")
BANDS = ("excellent", "good", "fair", "poor")
CHANNELS = ("organic", "paid_social", "credit_karma", "direct_mail", "referral")
PRODUCTS = ("personal_loan", "debt_consolidation", "auto_refinance")
APP_CHANNELS = ("ios_app", "android_app", "web", "partner_api")
METHODS = ("ach", "debit_card", "check")
APPROVE = {"excellent": 0.85, "good": 0.7, "fair": 0.5, "poor": 0.25}
APR = {"excellent": (7.9, 12.0), "good": (12.0, 18.0), "fair": (18.0, 26.0), "poor": (26.0, 35.99)}
GRADES = {"excellent": "A", "good": "B", "fair": "C", "poor": "D"}
DEFAULT = {"excellent": 0.02, "good": 0.05, "fair": 0.10, "poor": 0.20}
CHARGE_OFF_DPD = 90


def _borrowers(rng: random.Random) -> list[tuple[Any, ...]]:
    out = []
    for i in range(1, 901):
        created = dt.datetime.combine(START, dt.time()) + dt.timedelta(
            days=rng.randrange(-400, DAYS - 5), minutes=rng.randrange(24 * 60)
        )
        band = rng.choices(BANDS, weights=(2, 4, 3, 2))[0]
        out.append(
            (
                i,
                rng.choices(STATES, weights=(5, 4, 3, 3, 2, 2))[0],
                band,
                rng.choices(CHANNELS, weights=(4, 3, 3, 1, 2))[0],
                created,
                rng.random() < 0.92,
            )
        )
    return out


def _instalment(principal: float, apr: float, term: int) -> float:
    r = apr / 100 / 12
    return principal * r / (1 - (1 + r) ** -term)


def _service(
    rng: random.Random, loan: tuple[Any, ...], band: str, pay_id: int
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], str, dt.date | None]:
    """One loan's payments and daily tape through END, its status on END and its charge-off date."""
    loan_id, funded, principal_cents, apr, term = loan[0], loan[4], loan[5], loan[6], loan[7]
    r = apr / 100 / 12
    pmt = _instalment(principal_cents, apr, term)
    kind = rng.random()
    defaults = kind < DEFAULT[band]
    stop_after = rng.randrange(0, 2) if defaults else term
    late_payer = not defaults and kind < DEFAULT[band] + 0.25
    prepay_at = rng.randrange(1, 6) if not defaults and rng.random() < 0.06 else None
    autopay = rng.random() < 0.6
    balance = float(principal_cents)
    payments: list[tuple[Any, ...]] = []
    paid_on: dict[int, dt.date] = {}  # instalment number -> day paid
    for n in range(1, term + 1):
        due = funded + dt.timedelta(days=30 * n)
        if due > END or n > stop_after or balance <= 0:
            break
        late = rng.choice((3, 6, 9, 14, 22, 35)) if late_payer and rng.random() < 0.4 else 0
        day = due + dt.timedelta(days=late)
        if day > END:
            break
        interest = round(balance * r)
        part = round(pmt) - interest
        if prepay_at == n:
            part = round(balance)
        part = min(part, round(balance))
        balance -= part
        pay_id += 1
        method = "ach" if autopay else rng.choice(METHODS)
        paid_at = dt.datetime.combine(day, dt.time(rng.randrange(6, 22), rng.randrange(60)))
        payments.append((pay_id, loan_id, due, paid_at, part + interest, part, interest, method, autopay))
        paid_on[n] = day
    tape: list[tuple[Any, ...]] = []
    status, charged_off = "current", None
    bal = float(principal_cents)
    by_day: dict[dt.date, int] = {}
    for p in payments:
        by_day[p[3].date()] = by_day.get(p[3].date(), 0) + p[5]
    day = funded
    while day <= END:
        bal -= by_day.get(day, 0)
        if bal <= 0:
            status = "paid_off"
            break
        # days past due: since the oldest instalment due and not paid by that day
        dpd = 0
        for n in range(1, term + 1):
            due = funded + dt.timedelta(days=30 * n)
            if due >= day:
                break
            if paid_on.get(n, END + dt.timedelta(days=1)) > day:
                dpd = (day - due).days
                break
        if dpd >= CHARGE_OFF_DPD:
            status, charged_off = "charged_off", day
            break
        tape.append((loan_id, day, round(bal), dpd))
        status = "current" if dpd == 0 else "late"
        day += dt.timedelta(days=1)
    return payments, tape, status, charged_off


#: The seed of the project's data (another seed builds the same project with other rows).
SEED = 31


def raw_tables(seed: int = SEED) -> dict[str, RawTable]:
    """The raw tables, the same for the same ``seed``."""
    rng = random.Random(seed)
    borrowers = _borrowers(rng)
    band_of = {b[0]: b[2] for b in borrowers}
    applications: list[tuple[Any, ...]] = []
    loans: list[tuple[Any, ...]] = []
    payments: list[tuple[Any, ...]] = []
    tape: list[tuple[Any, ...]] = []
    for i in range(1, 2601):
        borrower = borrowers[int(len(borrowers) * (rng.random() ** 1.3))]
        applied = dt.datetime.combine(START, dt.time()) + dt.timedelta(
            days=min(DAYS - 1, int(DAYS * rng.random() ** 0.85)), minutes=rng.randrange(24 * 60)
        )
        applied = max(applied, borrower[4] + dt.timedelta(hours=1))
        if applied.date() > END:
            continue
        band = band_of[borrower[0]]
        product = rng.choices(PRODUCTS, weights=(6, 3, 2))[0]
        amount = rng.randrange(10, 400) * 10000  # cents, $1,000 to $40,000
        decided: dt.datetime | None = applied + dt.timedelta(minutes=rng.randrange(2, 60 * 48))
        u = rng.random()
        if decided is not None and decided.date() > END:
            decision, decided = "pending", None
        elif u < 0.06:
            decision = "withdrawn"
        elif u < 0.06 + APPROVE[band] * 0.94:
            decision = "approved"
        else:
            decision = "declined"
        applications.append(
            (i, borrower[0], applied, product, rng.choice(APP_CHANNELS), amount, decision, decided)
        )
        if decision != "approved" or decided is None or rng.random() > 0.8:
            continue
        funded = decided.date() + dt.timedelta(days=rng.randrange(0, 8))
        if funded > END:
            continue
        lo, hi = APR[band]
        grade = GRADES[band] if rng.random() < 0.8 else "E" if band == "poor" else GRADES[band]
        loan = (
            len(loans) + 1,
            i,
            borrower[0],
            product,
            funded,
            round(amount * rng.uniform(0.6, 1.0) / 5000) * 5000,
            round(rng.uniform(lo, hi), 2),
            rng.choice((12, 24, 36, 48, 60)),
            grade,
        )
        paid, rows, status, charged_off = _service(rng, loan, band, len(payments))
        payments += paid
        tape += rows
        loans.append((*loan, status, charged_off))
    return {
        "customers": RawTable(
            (
                ("id", "integer"),
                ("state_code", "varchar"),
                ("credit_band", "varchar"),
                ("acquisition_channel", "varchar"),
                ("created_at", "timestamp"),
                ("kyc_verified", "boolean"),
            ),
            borrowers,
        ),
        "loan_applications": RawTable(
            (
                ("id", "integer"),
                ("customer_id", "integer"),
                ("submitted_at", "timestamp"),
                ("product_code", "varchar"),
                ("channel", "varchar"),
                ("requested_amount_cents", "bigint"),
                ("decision", "varchar"),
                ("decisioned_at", "timestamp"),
            ),
            applications,
        ),
        "loans": RawTable(
            (
                ("id", "integer"),
                ("application_id", "integer"),
                ("customer_id", "integer"),
                ("product_code", "varchar"),
                ("disbursed_on", "date"),
                ("principal_cents", "bigint"),
                ("apr_pct", "decimal(5,2)"),
                ("term_months", "integer"),
                ("riskGrade", "varchar"),
                ("status", "varchar"),
                ("charged_off_on", "date"),
            ),
            loans,
        ),
        "payments": RawTable(
            (
                ("id", "integer"),
                ("loan_id", "integer"),
                ("due_on", "date"),
                ("received_at", "timestamp"),
                ("amount_cents", "bigint"),
                ("principal_cents", "bigint"),
                ("interest_cents", "bigint"),
                ("method", "varchar"),
                ("autopay", "boolean"),
            ),
            payments,
        ),
        "loan_tape": RawTable(
            (
                ("loan_id", "integer"),
                ("as_of", "date"),
                ("principal_balance_cents", "bigint"),
                ("days_past_due", "integer"),
            ),
            tape,
        ),
    }


def build_lending(root: Path, db_path: Path | None = None, seed: int = SEED) -> Path:
    """Build the warehouse of the project at ``root`` (default ``root/target/lending.duckdb``)."""
    path = db_path or root / "target" / "lending.duckdb"
    return build_duckdb(root, path, raw_tables(seed), SCHEMA, {"lms": "raw"})


def copy_lending(target: Path, seed: int = SEED) -> Path:
    """A copy of the lending project in ``target`` with its warehouse built (profile target ``dev``)."""
    copy_project(LENDING, target)
    build_lending(target, seed=seed)
    return target
