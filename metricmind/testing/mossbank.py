"""The mossbank sample: a network of outpatient clinics' dbt project (physio, dental, GP/primary care, imaging).

Another company's project ("Mossbank Health", twelve outpatient clinics in the North, the Midlands and the South
of England; patients pay themselves, through a private insurer or through the public Community Health Scheme),
written code-blind in its own data team's conventions: no ``metricmind.yml`` (the warehouse comes from
``profiles.yml``, target ``default``, schema ``reporting``); raw data lands in three schemas: ``raw_pms`` (the
legacy practice-management system: upper-case columns, ``PATNO``/``APPT_NO`` keys, ``Y``/``N`` flags, status codes
``A``/``D``/``LC``/``EC``), ``raw_rcm`` (the revenue-cycle system: invoices, claims, receipts and adjustments) and
``raw_feedback`` (the patient survey tool). Staging views ``stg_<source>__<table>``, ``d_*`` dimensions and ``f_*``
facts under ``models/warehouse``, semantic models ``sem_*`` and metrics under ``models/semantic``. Keys end in
``_key``, dates in ``_dt``, money in ``_gbp`` (pounds sterling).

The raw data is generated in :mod:`metricmind.testing.mossbank_book` (seeded, no download). :func:`copy_mossbank`
gives a built copy (``target/mossbank.duckdb``).
"""

from __future__ import annotations

import random
from pathlib import Path

from metricmind.testing.mossbank_book import CLINICS, END, simulate
from metricmind.testing.rawload import RawTable, build_on, copy_project, load_schemas

MOSSBANK = Path(__file__).parent / "projects" / "mossbank"
SCHEMA = "reporting"
RAW_PMS = "raw_pms"
RAW_RCM = "raw_rcm"
RAW_FEEDBACK = "raw_feedback"
SEED = 20241104

V, D, N, INT = "varchar", "date", "decimal(10,2)", "integer"


def raw_tables(seed: int = SEED) -> dict[str, dict[str, RawTable]]:
    """The raw tables per schema (``raw_pms``, ``raw_rcm``, ``raw_feedback``), the same for the same ``seed``."""
    book = simulate(random.Random(seed))
    pms = {
        "PT_MASTER": RawTable(
            (
                ("PATNO", V),
                ("AGE_GRP", V),
                ("SEX_CD", V),
                ("PCODE_DIST", V),
                ("REG_SRC_CD", V),
                ("PAYER_TYP_CD", V),
                ("INS_CO_CD", V),
                ("HOME_SITE_CD", V),
                ("REG_DT", D),
            ),
            book.patients,
        ),  # fmt: skip
        "SITE": RawTable(
            (("SITE_CD", V), ("SITE_NM", V), ("RGN_CD", V), ("TOWN", V), ("SVC_LINE_CD", V), ("OPEN_DT", D)),
            list(CLINICS),
        ),
        "STAFF": RawTable(
            (
                ("STAFF_ID", V),
                ("ROLE_CD", V),
                ("GRADE_CD", V),
                ("FTE", "decimal(3,2)"),
                ("BASE_SITE_CD", V),
                ("START_DT", D),
            ),
            book.clinicians,
        ),  # fmt: skip
        "ROTA_SESS": RawTable(
            (
                ("SESS_ID", V),
                ("STAFF_ID", V),
                ("SITE_CD", V),
                ("SESS_DT", D),
                ("SESS_TYP", V),
                ("AVAIL_MINS", INT),
            ),
            book.sessions,
        ),
        "REFERRAL": RawTable(
            (
                ("REF_NO", V),
                ("PATNO", V),
                ("SITE_CD", V),
                ("REF_RCVD_DT", D),
                ("REF_SRC_CD", V),
                ("SVC_LINE_CD", V),
                ("URG_FLG", V),
            ),
            book.referrals,
        ),  # fmt: skip
        "APPT": RawTable(
            (
                ("APPT_NO", V),
                ("PATNO", V),
                ("SITE_CD", V),
                ("STAFF_ID", V),
                ("REF_NO", V),
                ("APPT_DT", D),
                ("BKD_DT", D),
                ("APPT_TYP_CD", V),
                ("ATT_STAT_CD", V),
                ("TELE_FLG", V),
                ("URG_FLG", V),
                ("FIRST_VST_FLG", V),
                ("SLOT_MINS", INT),
            ),
            book.appointments,
        ),  # fmt: skip
        "TX_LINE": RawTable(
            (
                ("TX_LINE_ID", V),
                ("APPT_NO", V),
                ("PROC_CD", V),
                ("QTY", INT),
                ("FEE_AMT", N),
                ("DISC_AMT", N),
            ),
            book.treatments,
        ),
    }
    rcm = {
        "invoices": RawTable(
            (
                ("invoice_id", V),
                ("appt_ref", V),
                ("patient_ref", V),
                ("invoice_date", D),
                ("payer_code", V),
                ("invoice_total", N),
            ),
            book.invoices,
        ),  # fmt: skip
        "claims": RawTable(
            (
                ("claim_id", V),
                ("invoice_id", V),
                ("payer_code", V),
                ("submitted_date", D),
                ("claimed_amount", N),
                ("claim_status", V),
                ("paid_amount", N),
                ("adjudicated_date", D),
                ("denial_code", V),
            ),
            book.claims,
        ),  # fmt: skip
        "receipts": RawTable(
            (("receipt_id", V), ("invoice_id", V), ("receipt_date", D), ("amount", N), ("method", V)),
            book.receipts,
        ),
        "adjustments": RawTable(
            (
                ("adjustment_id", V),
                ("invoice_id", V),
                ("posted_date", D),
                ("adjustment_type", V),
                ("amount", N),
            ),
            book.adjustments,
        ),
    }
    feedback = {
        "survey_responses": RawTable(
            (
                ("response_id", V),
                ("appointment_ref", V),
                ("responded_on", D),
                ("recommend_score", INT),
                ("clinician_ref", V),
            ),
            book.surveys,
        ),  # fmt: skip
    }
    return {RAW_PMS: pms, RAW_RCM: rcm, RAW_FEEDBACK: feedback}


def load_mossbank_raw(db_path: Path, seed: int = SEED) -> Path:
    """Create ``db_path`` holding only the raw tables (schemas ``raw_pms``, ``raw_rcm`` and ``raw_feedback``)."""
    return load_schemas(db_path, raw_tables(seed))


def build_mossbank(root: Path, db_path: Path | None = None, seed: int = SEED) -> Path:
    """Build the warehouse of the project at ``root`` (default ``root/target/mossbank.duckdb``)."""
    path = load_mossbank_raw(db_path or root / "target" / "mossbank.duckdb", seed)
    return build_on(path, root, SCHEMA, {"pms": RAW_PMS, "rcm": RAW_RCM, "feedback": RAW_FEEDBACK})


def copy_mossbank(target: Path, seed: int = SEED) -> Path:
    """A copy of the mossbank project in ``target`` with its warehouse built (profile target ``default``)."""
    copy_project(MOSSBANK, target)
    build_mossbank(target, seed=seed)
    return target


__all__ = ["END", "MOSSBANK", "SEED", "build_mossbank", "copy_mossbank", "load_mossbank_raw", "raw_tables"]
