"""The mossbank clinic network's activity, simulated: referrals, appointments, treatments, billing and surveys.

Twelve outpatient clinics in three regions (physiotherapy, dental, GP/primary care, imaging). Each month every clinic
receives referral episodes (a GP, the patient, an insurer or a consultant refers); an episode books a first
appointment after a wait (shorter when urgent), then follow-ups for its service line. Each booked appointment is
attended, missed (DNA), cancelled late (under 24 hours) or cancelled early; a missed or cancelled first appointment is
usually rebooked. Attended appointments carry treatment lines priced from the fee schedule by payer (self-pay at list,
private insurers at a negotiated 95 %, the public Community Health Scheme at its tariff); self-pay DNAs may be
charged a fee. Insurer and scheme invoices become claims (paid, part paid, denied or still pending at the end of
2025); self-pay invoices are paid at the desk or by bank transfer, a few never (bad debt). Clinician rotas give the
minutes available; a share of attended appointments answers a 0-10 "would you recommend us" survey.

Everything is drawn from one ``random.Random``: the same seed gives the same rows.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

START = dt.date(2024, 1, 1)
END = dt.date(2025, 12, 31)
MONTHS = [dt.date(y, m, 1) for y in (2024, 2025) for m in range(1, 13)]

# code, name, region code, city, service line code, opened
CLINICS = (
    ("MB01", "Leeds Headrow Physio", "N", "Leeds", "PHY", dt.date(2016, 3, 1)),
    ("MB02", "Leeds Roundhay Dental", "N", "Leeds", "DEN", dt.date(2017, 9, 1)),
    ("MB03", "Manchester Deansgate Medical", "N", "Manchester", "GP", dt.date(2018, 1, 8)),
    ("MB04", "Manchester Imaging Centre", "N", "Manchester", "IMG", dt.date(2019, 5, 1)),
    ("MB05", "Birmingham Edgbaston Physio", "M", "Birmingham", "PHY", dt.date(2015, 6, 1)),
    ("MB06", "Birmingham Jewellery Quarter Dental", "M", "Birmingham", "DEN", dt.date(2018, 2, 1)),
    ("MB07", "Nottingham Lace Market Medical", "M", "Nottingham", "GP", dt.date(2020, 10, 1)),
    ("MB08", "Nottingham Trent Physio", "M", "Nottingham", "PHY", dt.date(2021, 4, 1)),
    ("MB09", "Bristol Clifton Dental", "S", "Bristol", "DEN", dt.date(2016, 11, 1)),
    ("MB10", "Bristol Harbourside Medical", "S", "Bristol", "GP", dt.date(2019, 1, 7)),
    ("MB11", "Bristol Imaging Centre", "S", "Bristol", "IMG", dt.date(2022, 3, 1)),
    ("MB12", "Reading Oracle Physio", "S", "Reading", "PHY", dt.date(2023, 9, 4)),
)
POSTCODES = {"N": ("LS", "M", "BD", "WF", "SK"), "M": ("B", "NG", "CV", "DE"), "S": ("BS", "RG", "BA", "SN")}
# clinician roles per service line: role code, weight, booked minutes (new, follow-up)
ROLES = {
    "PHY": (("PHYSIO", 5),),
    "DEN": (("DENT", 3), ("HYG", 2)),
    "GP": (("GP", 3), ("PN", 2)),
    "IMG": (("RAD", 3), ("SONO", 1)),
}
MINUTES = {"PHY": (45, 30), "DEN": (30, 30), "GP": (15, 10), "IMG": (30, 20)}
FOLLOW_UPS = {"PHY": (0, 1, 2, 3, 3, 4, 5, 6), "DEN": (0, 0, 1, 1, 2), "GP": (0, 0, 0, 1), "IMG": (0,)}
EPISODES = {"PHY": 58, "DEN": 70, "GP": 150, "IMG": 95}
# procedure code, list price GBP, service line, new-visit only
FEES = {
    "PHY": (
        ("PHY-IA", 75.0, True),
        ("PHY-FU", 55.0, False),
        ("PHY-ACU", 20.0, False),
        ("PHY-ESWT", 90.0, False),
    ),
    "DEN": (
        ("DEN-EXM", 55.0, True),
        ("DEN-SP", 70.0, False),
        ("DEN-FIL", 140.0, False),
        ("DEN-XR", 25.0, False),
        ("DEN-RCT", 480.0, False),
        ("DEN-CRN", 650.0, False),
    ),
    "GP": (("GP-CON", 85.0, False), ("GP-BLD", 40.0, False), ("GP-VAC", 45.0, False)),
    "IMG": (
        ("IMG-XR", 95.0, False),
        ("IMG-US", 180.0, False),
        ("IMG-CT", 380.0, False),
        ("IMG-MRI", 420.0, False),
    ),
}
PAYER_MULT = {"SP": 1.0, "PI": 0.95, "PS": 0.55}
INSURERS = (("NSH", 40), ("CLA", 35), ("PIN", 25))  # Northstar Health, Claremont Assurance, Pinecrest Medical
DENIAL = {"NSH": 0.06, "CLA": 0.11, "PIN": 0.08, "CHS": 0.05}
DENIAL_REASONS = (("NO_AUTH", 35), ("NOT_COVERED", 25), ("CODING", 20), ("ELIG", 12), ("TIMELY", 8))


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
    """A Poisson draw (normal approximation above 30)."""
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
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


def weekday(day: dt.date) -> dt.date:
    """``day`` moved to the next Monday when it falls on a weekend."""
    return day + dt.timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


@dataclass
class Book:
    """Every raw row, per raw table."""

    patients: list[tuple[Any, ...]] = field(default_factory=list)
    clinicians: list[tuple[Any, ...]] = field(default_factory=list)
    sessions: list[tuple[Any, ...]] = field(default_factory=list)
    referrals: list[tuple[Any, ...]] = field(default_factory=list)
    appointments: list[tuple[Any, ...]] = field(default_factory=list)
    treatments: list[tuple[Any, ...]] = field(default_factory=list)
    invoices: list[tuple[Any, ...]] = field(default_factory=list)
    claims: list[tuple[Any, ...]] = field(default_factory=list)
    receipts: list[tuple[Any, ...]] = field(default_factory=list)
    adjustments: list[tuple[Any, ...]] = field(default_factory=list)
    surveys: list[tuple[Any, ...]] = field(default_factory=list)


@dataclass
class Patient:
    """One registered patient."""

    patno: str
    region: str
    payer: str
    insurer: str | None
    age: str
    seen: bool = False


class Sim:
    """The simulation's state while it runs."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.book = Book()
        self.pool: dict[str, list[Patient]] = defaultdict(list)
        self.staff: dict[str, list[tuple[str, str, float]]] = defaultdict(list)
        self.booked: dict[tuple[str, dt.date], int] = defaultdict(int)
        self.starts: dict[str, dt.date] = {}

    def patient(self, clinic: tuple[Any, ...], reg_dt: dt.date, channel: str) -> Patient:
        """Register a new patient at ``clinic`` on ``reg_dt``."""
        rng, line = self.rng, clinic[4]
        payer = pick(rng, {"DEN": (("SP", 60), ("PI", 30), ("PS", 10)), "GP": (("SP", 25), ("PI", 25), ("PS", 50))}
                     .get(line, (("SP", 35), ("PI", 40), ("PS", 25))))[0]  # fmt: skip
        insurer = pick(rng, INSURERS)[0] if payer == "PI" else None
        age = pick(rng, (("0-17", 10), ("18-34", 24), ("35-54", 32), ("55-74", 24), ("75+", 10)))[0]
        p = Patient(f"P{len(self.book.patients) + 100001}", clinic[2], payer, insurer, age)
        sex = pick(rng, (("F", 53), ("M", 46), ("U", 1)))[0]
        area = rng.choice(POSTCODES[clinic[2]])
        self.book.patients.append((p.patno, age, sex, f"{area}{rng.randrange(1, 30)}", channel, payer, insurer,
                                   clinic[0], reg_dt))  # fmt: skip
        self.pool[clinic[2]].append(p)
        return p

    def clinicians(self) -> None:
        """Four to six clinicians per clinic, the first one a lead in the clinic's main role."""
        rng = self.rng
        for clinic in CLINICS:
            for k in range(rng.randint(4, 6)):
                role = pick(rng, ROLES[clinic[4]])[0] if k else ROLES[clinic[4]][0][0]
                grade = pick(rng, (("J", 35), ("S", 45), ("L", 20)))[0] if k else "L"
                fte = rng.choice((1.0, 1.0, 1.0, 0.8, 0.6, 0.5))
                sid = f"{clinic[0]}-{k + 1:02d}"
                start = max(clinic[5], dt.date(2014, 1, 1)) + dt.timedelta(days=rng.randrange(0, 900))
                start = min(start, dt.date(2023, 12, 1)) if k < 4 else dt.date(2024, 1, 1) + dt.timedelta(
                    days=rng.randrange(0, 600))  # fmt: skip
                self.book.clinicians.append((sid, role, grade, fte, clinic[0], start))
                self.staff[clinic[0]].append((sid, role, fte))

    def pick_staff(self, clinic: str, day: dt.date) -> str:
        """A clinician of ``clinic`` already in post on ``day``, weighted by FTE."""
        ready = [s for s in self.staff[clinic] if self._started(s[0]) <= day]
        return self.rng.choices([s[0] for s in ready], [s[2] for s in ready])[0]

    def _started(self, sid: str) -> dt.date:
        return self.starts[sid]

    def run(self) -> Book:
        """The migrated patient base, then every month's referral episodes, then the rota."""
        rng = self.rng
        self.clinicians()
        self.starts = {c[0]: c[5] for c in self.book.clinicians}
        for clinic in CLINICS:  # the registered base before the PMS migration
            for _ in range(420):
                reg = dt.date(2016, 1, 1) + dt.timedelta(days=rng.randrange(0, 2900))
                old = self.patient(
                    clinic, max(reg, clinic[5]), pick(rng, (("REF", 50), ("WEB", 30), ("WLK", 20)))[0]
                )
                old.seen = True
        for month in MONTHS:
            growth = 1.0 + 0.012 * MONTHS.index(month) + (0.12 if month.month in (1, 2, 3, 10, 11) else 0.0)
            for clinic in CLINICS:
                lam = EPISODES[clinic[4]] * growth * (0.9 if clinic[2] == "S" else 1.0)
                for _ in range(poisson(rng, lam)):
                    self.episode(clinic, month + dt.timedelta(days=rng.randrange(month_end(month).day)))
        self.rota()
        return self.book

    def episode(self, clinic: tuple[Any, ...], ref_dt: dt.date) -> None:
        """One referral episode: the referral, its first appointment (rebooked when missed) and follow-ups."""
        rng, line = self.rng, clinic[4]
        src = pick(rng, {"GP": (("SELF", 85), ("GP", 5), ("INS", 10)), "IMG": (("GP", 45), ("CONS", 40), ("INS", 15))}
                   .get(line, (("GP", 35), ("SELF", 45), ("INS", 12), ("CONS", 8))))[0]  # fmt: skip
        urgent = rng.random() < (0.16 if line in ("GP", "IMG") else 0.07)
        existing = self.pool[clinic[2]]
        if existing and rng.random() < 0.5:
            pt = rng.choice(existing)
        else:
            channel = "REF" if src in ("GP", "CONS", "INS") else pick(rng, (("WEB", 65), ("WLK", 35)))[0]
            pt = self.patient(clinic, ref_dt - dt.timedelta(days=rng.randrange(0, 3)), channel)
        ref_no = f"R{len(self.book.referrals) + 500001}"
        self.book.referrals.append((ref_no, pt.patno, clinic[0], ref_dt, src, line, "Y" if urgent else "N"))
        if rng.random() < 0.12:
            return  # never booked (went elsewhere, got better)
        mean_wait = {"PHY": 12.0, "DEN": 16.0, "GP": 3.0, "IMG": 9.0}[line] * (0.35 if urgent else 1.0)
        mean_wait *= 1.25 if clinic[0] in ("MB05", "MB09") else 1.0
        day = weekday(ref_dt + dt.timedelta(days=1 + int(rng.expovariate(1 / mean_wait))))
        follow = rng.choice(FOLLOW_UPS[line])
        first, attended_first = True, False
        tries = 0
        while day <= END and tries < 12:
            tries += 1
            status = self.appointment(clinic, pt, ref_no, ref_dt, day, first, urgent)
            if status == "A":
                attended_first = attended_first or first
                first = False
                if follow == 0:
                    return
                follow -= 1
                day = weekday(day + dt.timedelta(days=rng.choice((7, 7, 14, 14, 21, 28))))
            elif first and rng.random() < 0.25:
                return  # dropped out before the first visit
            else:
                day = weekday(day + dt.timedelta(days=rng.randrange(3, 15)))

    def appointment(self, clinic: tuple[Any, ...], pt: Patient, ref_no: str, ref_dt: dt.date, day: dt.date,
                    first: bool, urgent: bool) -> str:  # fmt: skip
        """Book one appointment, draw its outcome and charge it; returns the PMS status code."""
        rng, line = self.rng, clinic[4]
        tele = line == "GP" and rng.random() < 0.32 or line == "PHY" and not first and rng.random() < 0.18
        dna = 0.045 + (0.03 if pt.age == "18-34" else 0.0) + (0.025 if pt.payer == "PS" else 0.0)
        dna += 0.02 if line == "GP" else 0.0
        dna *= 0.6 if tele else 1.0
        status = pick(rng, (("A", 1 - dna - 0.1), ("D", dna), ("LC", 0.035), ("EC", 0.065)))[0]
        staff = self.pick_staff(clinic[0], day)
        mins = MINUTES[line][0 if first else 1]
        booked = max(ref_dt, day - dt.timedelta(days=rng.randrange(1, 20)))
        appt_no = f"A{len(self.book.appointments) + 1000001}"
        first_ever = status == "A" and not pt.seen
        pt.seen = pt.seen or status == "A"
        self.book.appointments.append((appt_no, pt.patno, clinic[0], staff, ref_no, day, booked, "NEW" if first else "FU",
                                       status, "Y" if tele else "N", "Y" if urgent else "N", "Y" if first_ever else "N",
                                       mins))  # fmt: skip
        if status != "EC":
            self.booked[(staff, day.replace(day=1))] += mins
        if status == "A":
            self.treat(clinic, pt, appt_no, day, first, staff)
        elif status in ("D", "LC") and pt.payer == "SP" and line in ("DEN", "PHY") and rng.random() < 0.5:
            self.charge(clinic, pt, appt_no, day, [("DNA-FEE", 1, 30.0, 0.0)])
        return str(status)

    def treat(
        self, clinic: tuple[Any, ...], pt: Patient, appt_no: str, day: dt.date, first: bool, staff: str
    ) -> None:
        """Treatment lines of an attended appointment, priced for the payer, and maybe a survey answer."""
        rng, line = self.rng, clinic[4]
        fees = FEES[line]
        main = [f for f in fees if f[2] == first] or [fees[0]]
        lines = [main[0] if line in ("PHY", "DEN") else rng.choice(fees)]
        for extra in fees:
            if extra not in lines and not extra[2] and rng.random() < (0.22 if line == "DEN" else 0.12):
                lines.append(extra)
        mult = PAYER_MULT[pt.payer]
        out = []
        for code, price, _ in lines:
            fee = round(price * mult, 2)
            disc = round(fee * 0.1, 2) if pt.payer == "SP" and rng.random() < 0.08 else 0.0
            out.append((code, 1, fee, disc))
        self.charge(clinic, pt, appt_no, day, out)
        if rng.random() < 0.42:
            late = 1 + int(rng.expovariate(1 / 2.0))
            score = max(
                0, min(10, round(rng.gauss(8.3 - (0.9 if clinic[0] in ("MB05", "MB09") else 0), 1.9)))
            )
            if day + dt.timedelta(days=late) <= END:
                resp = f"S{len(self.book.surveys) + 70001}"
                self.book.surveys.append((resp, appt_no, day + dt.timedelta(days=late), score, staff))

    def charge(self, clinic: tuple[Any, ...], pt: Patient, appt_no: str, day: dt.date,
               lines: list[tuple[str, int, float, float]]) -> None:  # fmt: skip
        """Invoice the lines and follow the money: a claim to the payer, or the patient paying."""
        rng, book = self.rng, self.book
        inv = f"INV{len(book.invoices) + 300001}"
        for code, qty, fee, disc in lines:
            book.treatments.append((f"T{len(book.treatments) + 2000001}", appt_no, code, qty, fee, disc))
        total = round(sum(f - d for _, _, f, d in lines), 2)
        payer = "SELF" if pt.payer == "SP" else ("CHS" if pt.payer == "PS" else str(pt.insurer))
        book.invoices.append((inv, appt_no, pt.patno, day, payer, total))
        if payer == "SELF":
            self.self_pay(inv, day, total)
            return
        sub = day + dt.timedelta(days=rng.randrange(1, 6))
        if sub > END:
            return
        claim = f"CLM{len(book.claims) + 800001}"
        deny = DENIAL[payer] * (1.5 if clinic[4] == "IMG" else 1.0)
        settle = sub + dt.timedelta(days=int(rng.gauss(28 if payer != "CHS" else 44, 8)) + 5)
        if settle > END:
            book.claims.append((claim, inv, payer, sub, total, "PEND", None, None, None))
        elif rng.random() < deny:
            book.claims.append(
                (claim, inv, payer, sub, total, "DEN", 0.0, settle, pick(rng, DENIAL_REASONS)[0])
            )
            self.adjust(inv, settle + dt.timedelta(days=rng.randrange(10, 40)), "WO-DENIAL", total)
        else:
            paid = total if rng.random() < 0.9 else round(total * rng.uniform(0.6, 0.9), 2)
            book.claims.append(
                (claim, inv, payer, sub, total, "PD" if paid == total else "PP", paid, settle, None)
            )
            book.receipts.append((f"RC{len(book.receipts) + 400001}", inv, settle, paid, "REMIT"))
            if paid < total:
                self.adjust(inv, settle, "WO-CONTRACT", round(total - paid, 2))

    def self_pay(self, inv: str, day: dt.date, total: float) -> None:
        """A self-pay invoice: paid at the desk, by transfer later, waived, or never (bad debt)."""
        rng, book = self.rng, self.book
        r = rng.random()
        if r < 0.02:
            self.adjust(inv, day, "WO-GOODWILL", total)
        elif r < 0.78:
            book.receipts.append(
                (
                    f"RC{len(book.receipts) + 400001}",
                    inv,
                    day,
                    total,
                    pick(rng, (("CARD", 90), ("CASH", 10)))[0],
                )
            )
        elif r < 0.97:
            paid = day + dt.timedelta(days=rng.randrange(3, 40))
            if paid <= END:
                book.receipts.append((f"RC{len(book.receipts) + 400001}", inv, paid, total, "BACS"))
        else:
            self.adjust(inv, day + dt.timedelta(days=120), "WO-BADDEBT", total)

    def adjust(self, inv: str, day: dt.date, kind: str, amount: float) -> None:
        """A write-off posted on ``day`` (none after the end of the data)."""
        if day <= END:
            self.book.adjustments.append((f"ADJ{len(self.book.adjustments) + 90001}", inv, day, kind, amount))

    def rota(self) -> None:
        """Clinic sessions per clinician and working day: minutes available, set so booked minutes fill 70-95 %."""
        rng = self.rng
        for sid, _role, _grade, fte, clinic, start in self.book.clinicians:
            days = round(fte * 5)
            pattern = sorted(rng.sample(range(5), days))
            for month in MONTHS:
                work = [month + dt.timedelta(days=d) for d in range(month_end(month).day)]
                work = [d for d in work if d.weekday() in pattern and d >= start]
                if not work:
                    continue
                need = self.booked.get((sid, month), 0) / rng.uniform(0.7, 0.95)
                per_day = max(60, 30 * math.ceil(need / len(work) / 30))
                for d in work:
                    kind = "AM" if per_day <= 210 else "FD"
                    self.book.sessions.append((f"{sid}-{d:%Y%m%d}", sid, clinic, d, kind, per_day))


def simulate(rng: random.Random) -> Book:
    """Every raw row of 2024-2025 (and the patients and clinicians registered before), drawn from ``rng``."""
    return Sim(rng).run()
