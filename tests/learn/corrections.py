"""Questions the resolver answers wrong for this (imagined) company, each with a paraphrase and the fix.

House meanings a catalog cannot know: jargon the resolver refuses ("the board number" is ARR here),
and words it reads one way while the company means another ("revenue" is the billed amount here).
Each case: the question, a paraphrase asked later, and the query the person corrects it to.
"""

from __future__ import annotations

from typing import Any

MONTH = "metric_time__month"
WEEK = "metric_time__week"

CORRECTIONS: list[tuple[str, str, dict[str, Any]]] = [
    # jargon the resolver refuses
    ("how is business", "how's business going?", {"metrics": ["invoice_revenue"], "group_by": [MONTH]}),
    ("what's the board number", "the board number please", {"metrics": ["arr"]}),
    (
        "how is our north star doing",
        "north star this quarter",
        {"metrics": ["active_users"], "group_by": [WEEK]},
    ),
    ("what is the burn", "show me the burn last month", {"metrics": ["marketing_spend"]}),
    (
        "how healthy is the base",
        "how healthy was the base last quarter",
        {"metrics": ["net_revenue_retention"]},
    ),
    (
        "show the leaky bucket",
        "the leaky bucket this year",
        {"metrics": ["churned_mrr"], "group_by": [MONTH]},
    ),
    ("top of funnel", "top of the funnel last month", {"metrics": ["signups"]}),
    ("bottom of funnel", "bottom of the funnel numbers", {"metrics": ["new_customers"]}),
    ("what is the magic number", "magic number last quarter", {"metrics": ["quick_ratio"]}),
    (
        "heartbeat of the product",
        "product heartbeat this week",
        {"metrics": ["events"], "group_by": ["metric_time__day"]},
    ),
    ("how sticky is the product", "how sticky was the product last month", {"metrics": ["active_users_7d"]}),
    ("the scoreboard", "show me the scoreboard", {"metrics": ["mrr", "arr", "active_customers"]}),
    (
        "how are we tracking",
        "how are we tracking this quarter",
        {"metrics": ["net_new_mrr"], "group_by": [MONTH]},
    ),
    ("the flywheel", "show me the flywheel this year", {"metrics": ["net_new_mrr", "expansion_mrr"]}),
    (
        "whales",
        "who are the whales",
        {"metrics": ["mrr"], "group_by": ["customer__name"], "order_by": ["-mrr"], "limit": 10},
    ),
    (
        "the land and expand story",
        "land and expand last year",
        {"metrics": ["new_mrr", "expansion_mrr"], "group_by": [MONTH]},
    ),
    ("money left on the table", "how much money is left on the table", {"metrics": ["contraction_mrr"]}),
    (
        "the graveyard",
        "show the graveyard",
        {"metrics": ["churned_customers"], "group_by": ["customer__segment"]},
    ),
    ("zombie accounts", "how many zombie accounts", {"metrics": ["dormant_users"]}),
    ("lazarus users", "lazarus users last month", {"metrics": ["resurrected_users"]}),
    ("the wallet", "what's in the wallet", {"metrics": ["lifetime_revenue"]}),
    ("ad money", "ad money last month", {"metrics": ["marketing_spend"], "group_by": ["ad_spend__channel"]}),
    ("the dial tone", "the dial tone last quarter", {"metrics": ["api_events"]}),
    ("the crowd", "the crowd last week", {"metrics": ["active_users"]}),
    ("the tide", "the tide by month", {"metrics": ["mrr_growth_mom"], "group_by": [MONTH]}),
    (
        "enterprise heartbeat",
        "enterprise heartbeat this year",
        {
            "metrics": ["mrr"],
            "where": ["{{ Dimension('customer__segment') }} = 'Enterprise'"],
            "group_by": [MONTH],
        },
    ),
    # words the resolver reads one way while the company means another
    ("revenue last month", "what was revenue last month?", {"metrics": ["billed_amount"]}),
    (
        "revenue by segment",
        "show me revenue by segment",
        {"metrics": ["billed_amount"], "group_by": ["customer__segment"]},
    ),
    (
        "recurring revenue by region",
        "what is recurring revenue by region",
        {"metrics": ["arr"], "group_by": ["customer__region"]},
    ),
    ("churn last quarter", "what was churn last quarter", {"metrics": ["churned_mrr"]}),
    (
        "signups by channel",
        "how many signups by channel",
        {"metrics": ["trial_starts"], "group_by": ["customer__acquisition_channel"]},
    ),
    (
        "customers by region",
        "how many customers do we have by region",
        {"metrics": ["new_customers"], "group_by": ["customer__region"]},
    ),
    ("retention last year", "what was retention last year", {"metrics": ["net_revenue_retention"]}),
    ("invoices last month", "how many invoices last month", {"metrics": ["billed_amount"]}),
]
