"""The studyhall sample: an online learning platform's dbt project (courses, learners, lessons, quizzes, billing).

Another company's project ("Studyhall", video courses in four categories: data, design, business, languages),
written code-blind in its own data team's conventions: no ``metricmind.yml`` (the warehouse comes from
``profiles.yml``, target ``prod``, schema ``analytics``); the product database lands in schema ``app_db`` and
the billing system's export in schema ``billing`` (both sources named after their schema); ``stg_*`` views, then
``dim_*``/``fct_*`` marts, one semantic YAML file per mart under ``models/semantic``, a date spine under
``models/marts/utils``. Learner ids such as ``L-000123``, course codes such as ``DAT-101``; payments in the
payer's currency (USD, EUR, GBP, INR, BRL) as minor units, converted to dollars with a monthly rate table;
company accounts buy seats for their staff and are invoiced monthly.

The raw data is generated here (seeded, no download): sign-ups of calendar year 2025 (more after a spring
campaign), learners who enroll, watch lessons, take quizzes, complete or drop courses; free learners who upgrade
to a paid plan (many within two weeks) or buy single courses; refunds; monthly instructor payouts; a daily seat
snapshot per company account. :func:`copy_studyhall` gives a built copy (``target/studyhall.duckdb``).
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

from metricmind.testing.rawload import RawTable, build_on, copy_project, load_schemas

STUDYHALL = Path(__file__).parent / "projects" / "studyhall"
SCHEMA = "analytics"
APP_DB = "app_db"
BILLING = "billing"
START = dt.date(2025, 1, 1)
END = dt.date(2025, 12, 31)
# id, name, country, is_staff
INSTRUCTORS = (
    (1, "Maya Okafor", "US", True), (2, "Tomas Lindqvist", "SE", False), (3, "Priya Raman", "IN", False),
    (4, "Lucia Ferreira", "BR", False), (5, "Jonah Weiss", "DE", True), (6, "Aiko Tanaka", "JP", False),
    (7, "Sam Carter", "GB", False), (8, "Elena Petrova", "US", False), (9, "Marc Dubois", "FR", True),
)  # fmt: skip
# code, title, category, difficulty, instructor, lessons, list price USD, launched
COURSES: tuple[tuple[Any, ...], ...] = (
    ("DAT-101", "SQL for Analysts", "data", "beginner", 1, 8, 49.0, dt.date(2023, 2, 1)),
    ("DAT-140", "Python for Data", "data", "beginner", 8, 10, 59.0, dt.date(2023, 6, 1)),
    ("DAT-220", "Dashboards that Work", "data", "intermediate", 1, 6, 39.0, dt.date(2024, 1, 15)),
    ("DAT-310", "Machine Learning Basics", "data", "advanced", 3, 12, 89.0, dt.date(2024, 9, 1)),
    ("DAT-330", "dbt in Practice", "data", "intermediate", 3, 9, 69.0, dt.date(2025, 4, 1)),
    ("DES-101", "Figma Fundamentals", "design", "beginner", 2, 7, 39.0, dt.date(2023, 3, 1)),
    ("DES-205", "UX Research Methods", "design", "intermediate", 6, 8, 59.0, dt.date(2024, 2, 1)),
    ("DES-240", "Brand Identity", "design", "intermediate", 9, 6, 49.0, dt.date(2024, 5, 1)),
    ("BUS-110", "Product Management 101", "business", "beginner", 7, 8, 59.0, dt.date(2023, 1, 10)),
    ("BUS-150", "Finance for Founders", "business", "intermediate", 5, 7, 69.0, dt.date(2023, 11, 1)),
    ("BUS-210", "Negotiation Skills", "business", "beginner", 7, 5, 29.0, dt.date(2024, 3, 1)),
    ("BUS-320", "Go-to-Market Strategy", "business", "advanced", 5, 9, 79.0, dt.date(2025, 6, 15)),
    ("LAN-101", "Spanish A1", "languages", "beginner", 4, 12, 29.0, dt.date(2023, 1, 10)),
    ("LAN-102", "Spanish A2", "languages", "intermediate", 4, 12, 29.0, dt.date(2023, 8, 1)),
    ("LAN-201", "Business English", "languages", "intermediate", 7, 10, 39.0, dt.date(2024, 1, 2)),
    ("LAN-110", "Japanese for Travellers", "languages", "beginner", 6, 8, 29.0, dt.date(2024, 7, 1)),
)
COUNTRIES = (("US", 30), ("GB", 10), ("DE", 8), ("FR", 6), ("IN", 16), ("BR", 10), ("ES", 6), ("CA", 5), ("NG", 5), ("MX", 4))  # fmt: skip
CURRENCY = {"US": "USD", "CA": "USD", "MX": "USD", "NG": "USD", "GB": "GBP", "DE": "EUR", "FR": "EUR", "ES": "EUR", "IN": "INR", "BR": "BRL"}  # fmt: skip
LOCAL_PER_USD = {"USD": 1.0, "EUR": 0.92, "GBP": 0.79, "INR": 83.0, "BRL": 5.2}
CHANNELS = (("organic_search", 30), ("paid_social", 22), ("youtube", 14), ("referral", 12), ("affiliate", 8), ("podcast", 4))  # fmt: skip
PLAN_PRICE = {"plus": 15.0, "pro": 29.0}
# id, name, industry, contract tier, contract start, seats bought
COMPANIES: tuple[tuple[Any, ...], ...] = (
    ("CA-01", "Northwind Logistics", "logistics", "business", dt.date(2024, 6, 1), 40),
    ("CA-02", "Bluefin Bank", "financial_services", "enterprise", dt.date(2024, 10, 1), 80),
    ("CA-03", "Kestrel Health", "healthcare", "team", dt.date(2025, 2, 1), 15),
    ("CA-04", "Orbit Games", "software", "team", dt.date(2025, 3, 15), 20),
    ("CA-05", "Atlas Retail Group", "retail", "business", dt.date(2025, 5, 1), 35),
    ("CA-06", "Quanta Labs", "software", "enterprise", dt.date(2025, 8, 1), 60),
)
SEAT_PRICE_USD = 12.0


def _poisson(rng: random.Random, lam: float) -> int:
    n, p, limit = 0, 1.0, pow(2.718281828, -lam)
    while True:
        p *= rng.random()
        if p <= limit:
            return n
        n += 1


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([k for k, _ in weighted], weights=[w for _, w in weighted])[0]


def _ts(day: dt.date, rng: random.Random, lo: int = 6, hi: int = 24) -> dt.datetime:
    return dt.datetime.combine(
        day, dt.time(rng.randrange(lo, hi), rng.randrange(0, 60), rng.randrange(0, 60))
    )


def _learners(rng: random.Random) -> list[dict[str, Any]]:
    """Sign-ups: self-serve learners every day, and company staff invited once their account's contract starts."""
    out: list[dict[str, Any]] = []
    for offset in range((END - START).days + 1):
        day = START + dt.timedelta(days=offset)
        rate = 6.0 * (1.5 if dt.date(2025, 3, 10) <= day < dt.date(2025, 4, 20) else 1.0)
        rate *= 1.3 if day.month in (1, 9) else 1.0
        for _ in range(_poisson(rng, rate)):
            country = _pick(rng, COUNTRIES)
            out.append({"day": day, "country": country, "channel": _pick(rng, CHANNELS), "company": None})
    for cid, _name, _ind, _tier, start, seats in COMPANIES:
        for k in range(int(seats * rng.uniform(0.7, 0.95))):
            day = max(start, START) + dt.timedelta(days=int(rng.expovariate(1 / 45)))
            if day <= END:
                country = rng.choice(["US", "GB", "DE"]) if k % 3 else "US"
                out.append({"day": day, "country": country, "channel": "company_invite", "company": cid})
    out.sort(key=lambda r: (r["day"], r["country"], r["channel"]))
    for i, row in enumerate(out, start=1):
        row["id"] = f"L-{i:06d}"
        row["signed_up_at"] = _ts(row["day"], rng, 0, 24)
        row["engagement"] = rng.betavariate(2, 3) * (1.4 if row["company"] else 1.0)
    return out


#: The seed of the project's data (another seed builds the same project with other rows).
SEED = 2025


def raw_tables(seed: int = SEED) -> dict[str, dict[str, RawTable]]:
    """The raw tables per schema (``app_db``, ``billing``), the same for the same ``seed``."""
    rng = random.Random(seed)
    learners = _learners(rng)
    enrollments: list[tuple[Any, ...]] = []
    views: list[tuple[Any, ...]] = []
    quizzes: list[tuple[Any, ...]] = []
    payments: list[tuple[Any, ...]] = []
    plans: dict[str, str] = {}
    by_code = {c[0]: c for c in COURSES}
    for lr in learners:
        lid, day, eng = lr["id"], lr["day"], lr["engagement"]
        cur = CURRENCY[lr["country"]]
        plan = "team" if lr["company"] else "free"
        if not lr["company"] and rng.random() < 0.16 + 0.25 * eng:
            plan = "pro" if rng.random() < 0.3 else "plus"
            lag = int(rng.expovariate(1 / 6)) if rng.random() < 0.6 else rng.randrange(14, 120)
            upgraded = day + dt.timedelta(days=lag)
            months = rng.randrange(1, 13)
            for m in range(months):
                paid = upgraded + dt.timedelta(days=30 * m)
                if paid > END:
                    break
                payments.append(
                    _payment(rng, lid, None, paid, "subscription", plan, None, PLAN_PRICE[plan], cur)
                )
            if upgraded > END:
                plan = "free"
        plans[lid] = plan
        n_courses = rng.choices((1, 2, 3, 4), weights=(45, 30, 17, 8))[0]
        open_courses = [c for c in COURSES if c[7] <= END]
        for k in range(n_courses):
            enrolled = day + dt.timedelta(days=0 if k == 0 else int(rng.expovariate(1 / 40)))
            course = rng.choice([c for c in open_courses if c[7] <= enrolled] or [COURSES[0]])
            if enrolled > END:
                continue
            code, lessons = course[0], course[5]
            if plan == "free" and rng.random() < 0.22:
                payments.append(
                    _payment(rng, lid, None, enrolled, "course_purchase", None, code, course[6], cur)
                )
            eid = f"E{len(enrollments) + 1:06d}"
            seen, when, completed = 0, enrolled, None
            device = rng.choices(("web", "ios", "android"), weights=(55, 25, 20))[0]
            while seen < lessons and when <= END:
                if rng.random() > 0.55 + 0.45 * eng and seen > 0:
                    break
                seen += 1
                minutes = max(0.5, rng.gauss(11 if code.startswith("LAN") else 14, 5))
                if rng.random() < 0.2:
                    device = rng.choice(("web", "ios", "android"))
                views.append(
                    (f"V{len(views) + 1:07d}", lid, code, seen, _ts(when, rng), int(minutes * 60), device)
                )
                if seen in (lessons // 2, lessons) and lessons >= 4:
                    for attempt in range(1, 4):
                        score = max(0, min(100, int(rng.gauss(62 + 30 * eng + 6 * attempt, 14))))
                        quizzes.append(
                            (len(quizzes) + 1, lid, code, f"{code}-Q{1 if seen < lessons else 2}", attempt,
                             _ts(when, rng), score, score >= 70)
                        )  # fmt: skip
                        if score >= 70:
                            break
                when = when + dt.timedelta(days=rng.randrange(0, 9))
            if seen == lessons and when <= END:
                completed = when
            status = "completed" if completed else ("dropped" if (END - when).days > 45 else "in_progress")
            enrollments.append((eid, lid, code, _ts(enrolled, rng), completed, status, plan == "team"))
    return {
        APP_DB: _app_tables(learners, plans, enrollments, views, quizzes),
        BILLING: _billing_tables(rng, payments, views, by_code),
    }


def _payment(
    rng: random.Random,
    learner: str | None,
    company: str | None,
    day: dt.date,
    kind: str,
    plan: str | None,
    course: str | None,
    usd: float,
    cur: str,
) -> tuple[Any, ...]:
    local = usd * LOCAL_PER_USD[cur]
    minor = int(round(local)) * 100 if cur == "INR" else int(round(local * 100))
    method = "invoice" if company else rng.choices(("card", "paypal", "apple_pay"), weights=(70, 20, 10))[0]
    return (learner, company, _ts(day, rng), kind, plan, course, minor, cur, method)


def _app_tables(
    learners: list[dict[str, Any]],
    plans: dict[str, str],
    enrollments: list[tuple[Any, ...]],
    views: list[tuple[Any, ...]],
    quizzes: list[tuple[Any, ...]],
) -> dict[str, RawTable]:
    v, d, i, ts, b = "varchar", "date", "integer", "timestamp", "boolean"
    seats: list[tuple[Any, ...]] = []
    joined: dict[str, list[dt.date]] = {}
    for lr in learners:
        if lr["company"]:
            joined.setdefault(lr["company"], []).append(lr["day"])
    for cid, _n, _i, _t, start, bought in COMPANIES:
        for offset in range((END - START).days + 1):
            day = START + dt.timedelta(days=offset)
            if day < start:
                continue
            grown = bought + (10 if day >= dt.date(2025, 7, 1) and cid in ("CA-01", "CA-02") else 0)
            seats.append((cid, day, grown, min(grown, sum(1 for j in joined.get(cid, []) if j <= day))))
    return {
        "users": RawTable(
            (
                ("id", v),
                ("created_at", ts),
                ("country", v),
                ("signup_source", v),
                ("plan_code", v),
                ("org_id", v),
                ("email_domain", v),
            ),
            [
                (
                    lr["id"],
                    lr["signed_up_at"],
                    lr["country"],
                    lr["channel"],
                    plans[lr["id"]].upper(),
                    lr["company"],
                    "corp.example" if lr["company"] else "mail.example",
                )
                for lr in learners
            ],
        ),  # fmt: skip
        "orgs": RawTable(
            (("org_id", v), ("org_name", v), ("industry", v), ("contract_tier", v), ("contract_start", d)),
            [c[:5] for c in COMPANIES],
        ),
        "instructors": RawTable(
            (("instructor_id", i), ("full_name", v), ("country", v), ("is_staff", b)), INSTRUCTORS
        ),
        "courses": RawTable(
            (
                ("course_code", v),
                ("title", v),
                ("category", v),
                ("difficulty", v),
                ("instructor_id", i),
                ("lesson_count", i),
                ("list_price_usd", "decimal(8,2)"),
                ("published_on", d),
            ),
            COURSES,
        ),  # fmt: skip
        "enrollments": RawTable(
            (
                ("enrollment_id", v),
                ("user_id", v),
                ("course_code", v),
                ("enrolled_at", ts),
                ("completed_on", d),
                ("state", v),
                ("via_seat", b),
            ),
            enrollments,
        ),  # fmt: skip
        "lesson_views": RawTable(
            (
                ("view_id", v),
                ("user_id", v),
                ("course_code", v),
                ("lesson_no", i),
                ("started_at", ts),
                ("watch_seconds", i),
                ("client", v),
            ),
            views,
        ),  # fmt: skip
        "quiz_attempts": RawTable(
            (
                ("attempt_id", i),
                ("user_id", v),
                ("course_code", v),
                ("quiz_code", v),
                ("attempt_no", i),
                ("submitted_at", ts),
                ("score", i),
                ("passed", b),
            ),
            quizzes,
        ),  # fmt: skip
        "seat_snapshots": RawTable(
            (("org_id", v), ("snapshot_date", d), ("seats_purchased", i), ("seats_assigned", i)), seats
        ),
    }


def _billing_tables(
    rng: random.Random,
    payments: list[tuple[Any, ...]],
    views: list[tuple[Any, ...]],
    by_code: dict[str, tuple[Any, ...]],
) -> dict[str, RawTable]:
    v, ts, i = "varchar", "timestamp", "integer"
    for cid, _n, _i, _t, start, bought in COMPANIES:
        month = dt.date(max(start, START).year, max(start, START).month, 1)
        while month <= END:
            seats = bought + (10 if month >= dt.date(2025, 7, 1) and cid in ("CA-01", "CA-02") else 0)
            payments.append(_payment(rng, None, cid, month, "seat_invoice", "team", None, seats * SEAT_PRICE_USD, "USD"))  # fmt: skip
            month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    payments.sort(key=lambda p: p[2])
    rows: list[tuple[Any, ...]] = []
    refunds: list[tuple[Any, ...]] = []
    for n, p in enumerate(payments, start=1):
        pid = f"pay_{n:06d}"
        rows.append((pid, *p))
        refund_day = p[2] + dt.timedelta(days=rng.randrange(1, 25), hours=rng.randrange(0, 12))
        if p[3] != "seat_invoice" and rng.random() < 0.06 and refund_day.date() <= END:
            partial = p[6] if rng.random() < 0.8 else p[6] // 2
            refunds.append((f"re_{len(refunds) + 1:05d}", pid, refund_day, partial, rng.choice(("duplicate", "requested_by_customer", "quality"))))  # fmt: skip
    rates = []
    for m in range(1, 13):
        wobble = 1 + 0.01 * ((m * 3) % 5 - 2)
        for cur, per in LOCAL_PER_USD.items():
            rates.append((dt.date(2025, m, 1), cur, 1.0 if cur == "USD" else round(wobble / per, 6)))
    # instructor payouts: a monthly base plus a rate per minute watched of their courses, paid on the 10th
    minutes: dict[tuple[int, dt.date], float] = {}
    for _vid, _lid, code, _no, at, secs, _dev in views:
        key = (by_code[code][4], at.date().replace(day=1))
        minutes[key] = minutes.get(key, 0.0) + secs / 60
    payouts: list[tuple[Any, ...]] = []
    for period in [dt.date(2024, 12, 1)] + [dt.date(2025, m, 1) for m in range(1, 12)]:
        paid_on = dt.date(period.year + period.month // 12, period.month % 12 + 1, 10)
        for inst in INSTRUCTORS:
            amount = round(150 + 0.04 * minutes.get((inst[0], period), 0.0), 2)
            payouts.append((f"po_{len(payouts) + 1:04d}", inst[0], period, paid_on, int(amount * 100)))
    return {
        "payments": RawTable(
            (
                ("payment_id", v),
                ("user_id", v),
                ("org_id", v),
                ("created", ts),
                ("type", v),
                ("plan", v),
                ("course_code", v),
                ("amount", "bigint"),
                ("currency", v),
                ("method", v),
            ),
            rows,
        ),  # fmt: skip
        "refunds": RawTable(
            (("refund_id", v), ("payment_id", v), ("created", ts), ("amount", "bigint"), ("reason", v)),
            refunds,
        ),
        "fx_rates": RawTable((("month", "date"), ("currency", v), ("usd_per_unit", "double")), rates),
        "instructor_payouts": RawTable(
            (
                ("payout_id", v),
                ("instructor_id", i),
                ("period_month", "date"),
                ("paid_on", "date"),
                ("amount_cents", "bigint"),
            ),
            payouts,
        ),  # fmt: skip
    }


def load_studyhall_raw(db_path: Path, seed: int = SEED) -> Path:
    """Create ``db_path`` holding only the raw tables (schemas ``app_db`` and ``billing``)."""
    return load_schemas(db_path, raw_tables(seed))


def build_studyhall(root: Path, db_path: Path | None = None, seed: int = SEED) -> Path:
    """Build the warehouse of the project at ``root`` (default ``root/target/studyhall.duckdb``)."""
    path = load_studyhall_raw(db_path or root / "target" / "studyhall.duckdb", seed)
    return build_on(path, root, SCHEMA, {APP_DB: APP_DB, BILLING: BILLING})


def copy_studyhall(target: Path, seed: int = SEED) -> Path:
    """A copy of the studyhall project in ``target`` with its warehouse built (profile target ``prod``)."""
    copy_project(STUDYHALL, target)
    build_studyhall(target, seed=seed)
    return target
