"""The demo company's fixed vocabulary: segments, regions, plans, channels, campaigns and their weights.

Every categorical value that DEMO_CATALOG.md promises lives here, in the order generators index it by.
Weights are relative (normalised where used); numbers are chosen for plausible B2B SaaS dynamics.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

START = dt.date(2022, 1, 1)

SEGMENTS = ("SMB", "Mid-Market", "Enterprise")
REGIONS = ("NA", "EMEA", "APAC", "LATAM")
REGION_WEIGHTS = (0.47, 0.29, 0.15, 0.09)
#: Hours to add to local working time to get UTC, per region (rough centre of mass).
REGION_UTC_OFFSET = (5, -1, -8, 3)
COUNTRIES: dict[str, tuple[tuple[str, float], ...]] = {
    "NA": (("United States", 0.86), ("Canada", 0.14)),
    "EMEA": (
        ("United Kingdom", 0.28),
        ("Germany", 0.24),
        ("France", 0.15),
        ("Netherlands", 0.10),
        ("Spain", 0.08),
        ("Sweden", 0.08),
        ("United Arab Emirates", 0.07),
    ),
    "APAC": (("Australia", 0.34), ("India", 0.26), ("Singapore", 0.2), ("Japan", 0.2)),
    "LATAM": (("Brazil", 0.5), ("Mexico", 0.3), ("Argentina", 0.1), ("Chile", 0.1)),
}
INDUSTRIES = ("Fintech", "Healthcare", "Retail", "Education", "Software", "Manufacturing")
INDUSTRY_WEIGHTS = (0.18, 0.14, 0.16, 0.12, 0.28, 0.12)
INDUSTRY_HEALTH = (0.1, -0.05, -0.15, -0.2, 0.2, 0.0)

CHANNELS = (
    "paid_search",
    "organic_search",
    "paid_social",
    "email",
    "referral",
    "partner",
    "events",
    "direct",
)
#: Acquisition channel mix per segment (rows follow SEGMENTS, columns CHANNELS).
CHANNEL_MIX = (
    (0.28, 0.25, 0.12, 0.05, 0.12, 0.05, 0.03, 0.10),
    (0.20, 0.18, 0.15, 0.07, 0.10, 0.12, 0.10, 0.08),
    (0.08, 0.10, 0.17, 0.05, 0.10, 0.20, 0.22, 0.08),
)
CHANNEL_HEALTH = (-0.05, 0.05, -0.15, 0.0, 0.35, 0.2, 0.1, 0.05)
#: Channels of the later touches of a journey (nurture and retargeting lean on email and social).
JOURNEY_MIX = (0.22, 0.18, 0.2, 0.2, 0.04, 0.05, 0.06, 0.05)
#: Share of the marketing budget per channel (zero: no ad spend).
CHANNEL_BUDGET = (0.40, 0.0, 0.30, 0.04, 0.0, 0.08, 0.18, 0.0)
#: Impressions per dollar and click-through rate per channel, for the ad spend table.
CHANNEL_REACH = (
    (45.0, 0.035),
    (0, 0),
    (120.0, 0.008),
    (400.0, 0.02),
    (0, 0),
    (20.0, 0.01),
    (8.0, 0.05),
    (0, 0),
)

PLAN_TIERS = ("Starter", "Growth", "Pro", "Enterprise")
#: List price per seat per month in dollars, before the price rises below.
PLAN_PRICE = (15.0, 35.0, 60.0, 95.0)
PRICE_RISES = ((dt.date(2024, 1, 1), 1.10), (dt.date(2025, 7, 1), 1.08))
ANNUAL_DISCOUNT = 0.15
ENTERPRISE_MIN_SEATS = 25
#: First-plan mix per segment (rows SEGMENTS, columns PLAN_TIERS).
PLAN_MIX = ((0.45, 0.40, 0.15, 0.0), (0.10, 0.40, 0.40, 0.10), (0.0, 0.10, 0.35, 0.55))
#: Median seats and the chance of paying annually, per segment.
SEATS_MEDIAN = (5.0, 25.0, 90.0)
ANNUAL_SHARE = (0.2, 0.4, 0.75)
BILLING_INTERVALS = ("monthly", "annual")

CANCEL_REASONS = ("price", "missing_feature", "switched_competitor", "business_closed", "other")
CANCEL_WEIGHTS = (0.28, 0.22, 0.20, 0.14, 0.16)

PAYMENT_METHODS = ("card", "bank_transfer", "wire")
PAYMENT_MIX = ((0.9, 0.1, 0.0), (0.5, 0.4, 0.1), (0.1, 0.4, 0.5))
PAYMENT_TERMS_DAYS = (0, 30, 30)

SUBSCRIPTION_CHANGES = ("new", "upgrade", "downgrade", "reactivation", "trial")

PLATFORMS = ("web", "ios", "android")
FEATURES = ("dashboards", "reports_export", "integrations", "api", "alerts")
#: Feature mix for Starter/Growth and for Pro/Enterprise plans.
FEATURE_MIX = ((0.44, 0.24, 0.1, 0.07, 0.15), (0.32, 0.2, 0.15, 0.22, 0.11))
ACTIONS = ("view", "create", "update", "share")
ACTION_MIX = (0.55, 0.2, 0.18, 0.07)
USER_ROLES = ("admin", "member", "viewer")


@dataclass(frozen=True)
class Campaign:
    """One marketing campaign: always on (no dates) or a flight between two dates."""

    name: str
    channel: str
    start: dt.date | None = None
    end: dt.date | None = None
    weight: float = 1.0

    def active(self, day: dt.date) -> bool:
        """Whether the campaign runs on ``day``."""
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)


def campaigns(end: dt.date) -> tuple[Campaign, ...]:
    """Every campaign from 2022 to ``end``: always-on programmes plus yearly flights."""
    out = [
        Campaign("search_brand", "paid_search", weight=1.0),
        Campaign("search_nonbrand_core", "paid_search", weight=2.0),
        Campaign("search_competitor", "paid_search", dt.date(2023, 3, 1), weight=0.8),
        Campaign("seo_blog", "organic_search", weight=2.0),
        Campaign("seo_docs", "organic_search", weight=1.0),
        Campaign("linkedin_leadgen", "paid_social", weight=1.5),
        Campaign("linkedin_abm_enterprise", "paid_social", dt.date(2022, 6, 1), weight=1.0),
        Campaign("meta_retargeting", "paid_social", end=dt.date(2024, 6, 30), weight=1.0),
        Campaign("youtube_explainers", "paid_social", dt.date(2024, 9, 1), weight=0.8),
        Campaign("newsletter_monthly", "email", weight=1.0),
        Campaign("trial_nurture", "email", weight=1.5),
        Campaign("customer_referral_program", "referral", weight=1.0),
        Campaign("partner_marketplace", "partner", weight=1.5),
        Campaign("reseller_program", "partner", dt.date(2023, 1, 1), weight=1.0),
        Campaign("webinar_series", "events", weight=1.0),
        Campaign("direct", "direct", weight=1.0),
    ]
    for year in range(START.year, end.year + 1):
        out.append(
            Campaign(f"saas_summit_{year}", "events", dt.date(year, 10, 1), dt.date(year, 10, 31), 4.0)
        )
        out.append(Campaign(f"roadshow_{year}", "events", dt.date(year, 4, 1), dt.date(year, 5, 31), 2.0))
    return tuple(out)


COMPANY_WORDS = (
    "Acme",
    "Apex",
    "Arbor",
    "Atlas",
    "Aurora",
    "Beacon",
    "Birch",
    "Blue",
    "Bright",
    "Cedar",
    "Cobalt",
    "Copper",
    "Coral",
    "Crest",
    "Delta",
    "Ember",
    "Falcon",
    "Fern",
    "Granite",
    "Harbor",
    "Helix",
    "Horizon",
    "Indigo",
    "Iron",
    "Juniper",
    "Keystone",
    "Lattice",
    "Linden",
    "Lumen",
    "Maple",
    "Meridian",
    "Nimbus",
    "North",
    "Nova",
    "Oak",
    "Onyx",
    "Orbit",
    "Pine",
    "Pioneer",
    "Prairie",
    "Quartz",
    "Raven",
    "Redwood",
    "Ridge",
    "River",
    "Sable",
    "Sage",
    "Silver",
    "Solstice",
    "Sparrow",
    "Spruce",
    "Summit",
    "Tidal",
    "Timber",
    "True",
    "Umber",
    "Vantage",
    "Verde",
    "Vertex",
    "Willow",
    "Wind",
    "Zenith",
    "Zephyr",
    "Polar",
)
COMPANY_NOUNS = (
    "Analytics",
    "Bank",
    "Bio",
    "Brands",
    "Capital",
    "Care",
    "Clinic",
    "Cloud",
    "Commerce",
    "Data",
    "Devices",
    "Dynamics",
    "Energy",
    "Foods",
    "Freight",
    "Goods",
    "Health",
    "Insights",
    "Labs",
    "Learning",
    "Logistics",
    "Markets",
    "Media",
    "Medical",
    "Metals",
    "Mobility",
    "Networks",
    "Outfitters",
    "Partners",
    "Payments",
    "Pharma",
    "Robotics",
    "Schools",
    "Security",
    "Software",
    "Supply",
    "Systems",
    "Tech",
    "Textiles",
    "Tools",
    "Trade",
    "Ventures",
    "Works",
    "Academy",
    "Apparel",
    "Finance",
    "Motors",
    "Studio",
    "Retail",
    "Signal",
    "Forge",
    "Grid",
    "Harvest",
    "Kitchen",
    "Lending",
    "Machines",
    "Optics",
    "Plastics",
    "Sensors",
    "Stack",
    "Transit",
    "Tutors",
    "Vision",
    "Wellness",
)
COMPANY_SUFFIXES = (
    "Inc",
    "LLC",
    "Ltd",
    "GmbH",
    "Group",
    "Co",
    "SA",
    "AB",
    "BV",
    "Pty",
    "Corp",
    "Holdings",
    "Technologies",
    "Solutions",
    "International",
    "Global",
)
