"""The ridgeline sample: a regional telecom operator's dbt project (prepaid and postpaid mobile, fibre, business).

Another company's project ("Ridgeline Telecom", a regional operator in Portugal: prepaid and postpaid mobile,
fibre broadband and a few business lines, sold in its own shops, on its web store and through resellers),
written code-blind in its own data team's conventions: no ``metricmind.yml`` (the warehouse comes from
``profiles.yml``, target ``default``, schema ``mart``); raw data lands in three schemas: ``raw_bss`` (the CRM,
billing, the online charging system's top-ups, mediation's monthly usage and the number portability clearing
house), ``raw_oss`` (the network operations centre's sites and incident tickets) and ``raw_digital`` (customer
care interactions, the web store's orders, point-of-sale device sales and the store list). Staging views
``stg_<source>_<table>``, ``int_*`` models, ``dim_*``/``fact_*`` marts by domain, semantic models and metrics
under ``models/metricflow``. Raw codes as a BSS writes them (``PRE``/``POST``/``FBB``/``BIZ`` segments,
``RL-POST-50`` tariffs, ``NO``/``LX`` region codes, ``PI``/``PO`` ports, ``Y``/``N`` indicators), money in euros.

The raw data is generated here (seeded, no download): see :mod:`metricmind.testing.ridgeline_book` for the
subscriber book; sites and network incidents (a storm in the north in October 2024, planned works at night) are
drawn here. :func:`copy_ridgeline` gives a built copy (``target/ridgeline.duckdb``).
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

from metricmind.testing.rawload import RawTable, build_on, copy_project, load_schemas
from metricmind.testing.ridgeline_book import (
    END,
    MONTHS,
    REGIONS,
    STORES,
    Book,
    month_end,
    pick,
    poisson,
    simulate,
)

RIDGELINE = Path(__file__).parent / "projects" / "ridgeline"
SCHEMA = "mart"
RAW_BSS = "raw_bss"
RAW_OSS = "raw_oss"
RAW_DIGITAL = "raw_digital"
SEED = 20250301
CAUSES = (
    ("POWER", 24),
    ("FIBRE_CUT", 18),
    ("HW_FAULT", 22),
    ("SW_FAULT", 14),
    ("WEATHER", 8),
    ("PLANNED", 14),
)


def _sites(rng: random.Random) -> list[tuple[Any, ...]]:
    sites = []
    for code, weight, cities in REGIONS:
        for k in range(weight):
            tech = pick(rng, (("4G", 45), ("5G", 40), ("OLT", 15)))[0]
            sites.append((f"{code}{k + 1:03d}", code, rng.choice(cities), tech))
    return sites


def _incidents(rng: random.Random, sites: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for month in MONTHS:
        storm = month == dt.date(2024, 10, 1)
        for _ in range(poisson(rng, 34 + (25 if storm else 0))):
            site = rng.choice([s for s in sites if s[1] == "NO"] if storm and rng.random() < 0.6 else sites)
            cause = "WEATHER" if storm and rng.random() < 0.5 else pick(rng, CAUSES)[0]
            planned = cause == "PLANNED"
            day = month + dt.timedelta(days=rng.randrange(month_end(month).day))
            opened = dt.datetime.combine(
                day,
                dt.time(1 if planned else rng.randrange(24)),
            ) + dt.timedelta(minutes=rng.randrange(60))
            sev = "P4" if planned else pick(rng, (("P1", 8), ("P2", 22), ("P3", 45), ("P4", 25)))[0]
            minutes = max(5, int(rng.lognormvariate({"P1": 5.3, "P2": 4.8, "P3": 4.2, "P4": 3.7}[sev], 0.7)))
            impacted = (
                int(rng.lognormvariate(6.5 if site[3] == "OLT" else 7.2, 0.9))
                if sev in ("P1", "P2")
                else int(rng.lognormvariate(4.5, 1.0))
            )
            rows.append((f"INC{len(rows) + 24001}", site[0], opened, opened + dt.timedelta(minutes=minutes), sev,
                         cause, impacted, "Y" if planned else "N"))  # fmt: skip
    return rows


def raw_tables(seed: int = SEED) -> dict[str, dict[str, RawTable]]:
    """The raw tables per schema (``raw_bss``, ``raw_oss``, ``raw_digital``), the same for the same ``seed``."""
    rng = random.Random(seed)
    book = simulate(rng)
    sites = _sites(rng)
    return {RAW_BSS: _bss(book), RAW_OSS: _oss(sites, _incidents(rng, sites)), RAW_DIGITAL: _digital(book)}


def _yn(flag: bool) -> str:
    return "Y" if flag else "N"


def _bss(book: Book) -> dict[str, RawTable]:
    v, d, n, i = "varchar", "date", "decimal(12,2)", "integer"
    subs = [
        (x.sub_id, x.msisdn, x.segment, x.tariff, x.region, x.city, x.channel, x.store, x.brand, _yn(x.five_g),
         x.contract_end, _yn(x.autopay), x.activated, x.deactivated, x.reason, x.web_order, _yn(x.port_in))
        for x in book.lines
    ]  # fmt: skip
    return {
        "crm_subscribers": RawTable(
            (
                ("sub_id", v),
                ("msisdn", v),
                ("segment_cd", v),
                ("tariff_cd", v),
                ("region_cd", v),
                ("city", v),
                ("sales_chnl_cd", v),
                ("store_id", v),
                ("handset_brand_cd", v),
                ("five_g_ind", v),
                ("contract_end_dt", d),
                ("autopay_ind", v),
                ("activation_dt", d),
                ("deactivation_dt", d),
                ("deact_reason_cd", v),
                ("web_order_ref", v),
                ("mnp_in_ind", v),
            ),
            subs,
        ),  # fmt: skip
        "billing_invoices": RawTable(
            (
                ("invoice_no", v),
                ("sub_id", v),
                ("bill_period", v),
                ("invoice_dt", d),
                ("due_dt", d),
                ("net_amt_eur", n),
                ("vat_amt_eur", n),
                ("roaming_amt_eur", n),
            ),
            book.invoices,
        ),  # fmt: skip
        "billing_payments": RawTable(
            (("pay_id", v), ("invoice_no", v), ("pay_dt", d), ("pay_amt_eur", n), ("pay_method_cd", v)),
            book.payments,
        ),
        "ocs_recharges": RawTable(
            (
                ("recharge_id", v),
                ("msisdn", v),
                ("recharge_ts", "timestamp"),
                ("face_value_eur", n),
                ("recharge_chnl", v),
            ),
            book.recharges,
        ),  # fmt: skip
        "mediation_usage_monthly": RawTable(
            (
                ("sub_id", v),
                ("usage_month", d),
                ("data_mb", "bigint"),
                ("voice_min", i),
                ("sms_cnt", i),
                ("roam_data_mb", i),
                ("roam_voice_min", i),
                ("roam_chg_eur", n),
            ),
            book.usage,
        ),  # fmt: skip
        "mnp_port_requests": RawTable(
            (
                ("port_ref", v),
                ("msisdn", v),
                ("port_type", v),
                ("other_op_cd", v),
                ("request_dt", d),
                ("port_dt", d),
                ("port_status", v),
            ),
            book.ports,
        ),  # fmt: skip
    }


def _oss(sites: list[tuple[Any, ...]], incidents: list[tuple[Any, ...]]) -> dict[str, RawTable]:
    v, ts = "varchar", "timestamp"
    return {
        "noc_sites": RawTable((("site_id", v), ("region_cd", v), ("city", v), ("tech", v)), sites),
        "noc_incidents": RawTable(
            (
                ("ticket_id", v),
                ("site_id", v),
                ("opened_at", ts),
                ("restored_at", ts),
                ("sev", v),
                ("root_cause", v),
                ("subs_impacted", "integer"),
                ("planned_flag", v),
            ),
            incidents,
        ),  # fmt: skip
    }


def _digital(book: Book) -> dict[str, RawTable]:
    v, ts = "varchar", "timestamp"
    return {
        "care_interactions": RawTable(
            (
                ("interaction_id", v),
                ("sub_id", v),
                ("created_at", ts),
                ("channel", v),
                ("topic", v),
                ("fcr_flag", v),
            ),
            book.contacts,
        ),  # fmt: skip
        "eshop_orders": RawTable(
            (("order_ref", v), ("created_at", ts), ("product_cd", v), ("region_cd", v), ("order_status", v)),
            book.web_orders,
        ),
        "pos_device_sales": RawTable(
            (
                ("sale_id", v),
                ("sub_id", v),
                ("store_id", v),
                ("sold_at", ts),
                ("brand_cd", v),
                ("model", v),
                ("retail_price_eur", "decimal(10,2)"),
                ("instalment_months", "integer"),
            ),
            book.device_sales,
        ),  # fmt: skip
        "pos_stores": RawTable(
            (("store_id", v), ("store_name", v), ("store_type", v), ("region_cd", v)), list(STORES)
        ),
    }


def load_ridgeline_raw(db_path: Path, seed: int = SEED) -> Path:
    """Create ``db_path`` holding only the raw tables (schemas ``raw_bss``, ``raw_oss`` and ``raw_digital``)."""
    return load_schemas(db_path, raw_tables(seed))


def build_ridgeline(root: Path, db_path: Path | None = None, seed: int = SEED) -> Path:
    """Build the warehouse of the project at ``root`` (default ``root/target/ridgeline.duckdb``)."""
    path = load_ridgeline_raw(db_path or root / "target" / "ridgeline.duckdb", seed)
    sources = {"bss": RAW_BSS, "oss": RAW_OSS, "care": RAW_DIGITAL, "eshop": RAW_DIGITAL, "pos": RAW_DIGITAL}
    return build_on(path, root, SCHEMA, sources)


def copy_ridgeline(target: Path, seed: int = SEED) -> Path:
    """A copy of the ridgeline project in ``target`` with its warehouse built (profile target ``default``)."""
    copy_project(RIDGELINE, target)
    build_ridgeline(target, seed=seed)
    return target


__all__ = [
    "END",
    "RIDGELINE",
    "SEED",
    "build_ridgeline",
    "copy_ridgeline",
    "load_ridgeline_raw",
    "raw_tables",
]
