"""Metrics read from the words a data team wrote about them (descriptions, definitions, synonyms)."""

from __future__ import annotations

import datetime as dt

import pytest

from metricmind.resolve import Resolver
from metricmind.resolve.describe import key

DAY = dt.date(2025, 6, 18)
D = dt.date


def test_keys_fold_word_forms() -> None:
    assert key("acquire") == key("Acquisition") == "acqui"
    assert key("costing") == key("cost")
    assert key("paid") == key("paying") == key("pays")
    assert key("mrr") == "mrr"


@pytest.mark.parametrize(
    ("question", "metric"),
    [
        # words of the description, not of any synonym, replace a reading they explain better
        ("whats it costing us to acquire each new customer, last 3 months", "cac"),
        ("number of actions users took in the app yesterday", "events"),
        # no metric phrase at all: the description that explains the most, clearly ahead
        ("what share of our trials end up paying, by month in 2024", "trial_conversion_rate"),
        ("how much cash did clients actually pay us last month", "invoice_revenue"),
    ],
)
def test_a_metric_is_read_from_its_description(resolver: Resolver, question: str, metric: str) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == [metric]
    hows = {s.how for s in res.spans["metrics"]}
    # a share of trials that "end up paying" is now read first by the conversion-share rule (``conversionshare``),
    # from the catalog's conversion measures rather than its prose: the same metric
    assert "description" in hows or (metric == "trial_conversion_rate" and hows == {"conversion"})
    assert res.confidence < 1.0  # a reading from prose is less sure than one from a name


def test_words_the_description_explains_are_not_unknown(resolver: Resolver) -> None:
    res = resolver.resolve("how many distinct users showed up on web today", as_of=DAY)
    assert res.answerable and res.metrics == ["active_users"]
    assert not any("distinct" in n for n in res.notes)
    assert [(f.field, f.values) for f in res.filters] == [("event__platform", ("web",))]


@pytest.mark.parametrize(
    ("question", "metrics"),
    [
        ("invoices paid by credit card in 2025", ["invoice_count"]),  # one common word is not enough
        ("hey quick one - churned mrr last mo by region?", ["churned_mrr"]),  # chat fillers are no evidence
        ("how many customers did we sign in germany this year", ["new_customers"]),
        ("MRR and new customers", ["mrr", "new_customers"]),  # a list of names stays a list
    ],
)
def test_names_are_kept_when_the_description_adds_little(
    resolver: Resolver, question: str, metrics: list[str]
) -> None:
    assert sorted(resolver.resolve(question, as_of=DAY).metrics) == metrics


def test_unknown_concepts_next_to_an_entity_are_still_refused(resolver: Resolver) -> None:
    assert not resolver.resolve("customer lifetime value by segment", as_of=DAY).answerable


def test_two_metrics_read_apart_that_name_a_third(resolver: Resolver) -> None:
    res = resolver.resolve(
        "how much recurring revenue walked out the door with cancellations in may", as_of=DAY
    )
    assert res.metrics == ["churned_mrr"]
    assert sorted(resolver.resolve("MRR and churned customers", as_of=DAY).metrics) == [
        "churned_customers",
        "mrr",
    ]


@pytest.mark.parametrize(
    ("question", "dimension"),
    [
        ("cac by acquisition channel last year", "marketing_channel__name"),  # the one both sides reach
        ("new customers by channel", "customer__acquisition_channel"),  # the metric's own one first
        ("marketing spend by channel", "ad_spend__channel"),
    ],
)
def test_a_conformed_dimension_serves_when_a_metric_has_none_of_its_own(
    resolver: Resolver, question: str, dimension: str
) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable and [n for n, _ in res.group_by] == [dimension]


@pytest.mark.parametrize(
    ("question", "field", "values"),
    [
        # value_groups: a phrase the data team declared for several values
        ("active users on the mobile apps by day last 7 days", "event__platform", ("android", "ios")),
        # value_order: values listed from low to high price, named by their rank
        ("mrr from the two most expensive plans", "subscription__plan_tier", ("Enterprise", "Pro")),
        ("expansion mrr from the 2 cheapest plans", "subscription__plan_tier", ("Growth", "Starter")),
        ("trial conversion on the cheapest plan", "subscription__plan_tier", ("Starter",)),
    ],
)
def test_values_named_as_a_group_or_by_their_rank(
    resolver: Resolver, question: str, field: str, values: tuple[str, ...]
) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert [(f.field, tuple(sorted(f.values))) for f in res.filters] == [(field, values)]
    assert field not in [n for n, _ in res.group_by]  # a group is one value said, not a comparison


@pytest.mark.parametrize(
    ("question", "metrics", "filters"),
    [
        ("paid invoice revenue by qtr since start of 2024", ["invoice_revenue"], []),  # "paid revenue"
        ("how many customers are paying us at the moment", ["active_customers"], []),  # "paying customers"
        ("paid invoices in 2025", ["invoice_count"], [("invoice__status", ("paid",))]),  # a real filter
        (
            "how many accounts came in via partners this qtr",
            ["new_customers"],
            [("customer__acquisition_channel", ("partner",))],
        ),
    ],
)
def test_values_the_metric_says_already_and_entities_counted(
    resolver: Resolver, question: str, metrics: list[str], filters: list[tuple[str, tuple[str, ...]]]
) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable and res.metrics == metrics, (res.metrics, res.reason)
    assert [(f.field, f.values) for f in res.filters] == filters


@pytest.mark.parametrize(
    ("question", "metrics", "answerable"),
    [
        ("refunds in 2024 not incl. card payments", ["refunds"], True),  # "payments": the method's noun
        ("billed vs collected last month", ["billed_amount", "invoice_revenue"], True),  # a lone listed word
        ("active users at our japanese customers last month", ["active_users"], True),  # who, not a metric
        ("best customers", [], False),  # ranked, but by which metric?
        ("which single industry lost the most customers this yr", ["churned_customers"], True),
    ],
)
def test_words_around_metrics(
    resolver: Resolver, question: str, metrics: list[str], answerable: bool
) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable is answerable, res.reason
    assert sorted(res.metrics) == (metrics if answerable else sorted(res.metrics))


def test_an_extra_scorer_is_one_more_feature(resolver: Resolver) -> None:
    texts = resolver.texts
    words = [(0, "share"), (1, "trials"), (2, "paying")]
    assert texts.ranked(words)[0][1] == "trial_conversion_rate"
    texts.scorer = lambda ws: {"trial_starts": 1.0} if "trials" in ws else {}
    try:
        ranked = texts.ranked(words)
        assert ranked[0][1] == "trial_starts"  # the feature outweighs the lexical lead
        assert all(hit for _, _, hit in ranked)  # it only reorders metrics the words touch
    finally:
        texts.scorer = None


@pytest.mark.parametrize(
    ("question", "metrics", "group_by", "time_range"),
    [
        ("trials jan-mar", ["trial_starts"], [], (D(2025, 1, 1), D(2025, 4, 1))),  # a span of months
        ("events by feat q2", ["events"], ["event__feature"], (D(2025, 4, 1), D(2025, 7, 1))),  # a prefix
        (
            "mktg spend by chnl ytd",
            ["marketing_spend"],
            ["ad_spend__channel"],
            (D(2025, 1, 1), D(2025, 6, 19)),
        ),
        (
            "money from upsells to current clients last qtr",
            ["expansion_mrr"],
            [],
            (D(2025, 1, 1), D(2025, 4, 1)),
        ),
        ("revenue from new logos this year", ["new_mrr"], [], (D(2025, 1, 1), D(2025, 6, 19))),
    ],
)
def test_shorthand_spans_and_qualified_revenue(
    resolver: Resolver,
    question: str,
    metrics: list[str],
    group_by: list[str],
    time_range: tuple[dt.date, dt.date],
) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert (res.metrics, [n for n, _ in res.group_by], res.time_range) == (metrics, group_by, time_range)


@pytest.mark.parametrize(
    ("question", "metrics"),
    [
        ("revenue after refunds last quarter", ["net_revenue"]),  # two metrics not listed, one holds both
        ("what portion of trials converted", ["trial_conversion_rate"]),
        ("how much revenue per customer by segment", ["arpa"]),
        ("how much do customers owe us that is past due", ["overdue_amount"]),  # the entity says who
    ],
)
def test_more_business_words(resolver: Resolver, question: str, metrics: list[str]) -> None:
    res = resolver.resolve(question, as_of=DAY)
    if not res.answerable and res.clarify:  # too unsure to answer ("owe" unknown): the reading is asked back
        [choice] = res.clarify["choices"]
        assert choice["metrics"] == metrics, res.reason
        return
    assert res.answerable and res.metrics == metrics, res.reason


@pytest.mark.parametrize(
    ("question", "metrics", "group_by", "filters"),
    [
        ("churned mrr ignoring smb", ["churned_mrr"], [], [("customer__segment", "!=", ("SMB",))]),
        ("mrr for all regions except na", ["mrr"], [], [("customer__region", "!=", ("NA",))]),
        (
            "emea versus na new mrr this year",
            ["new_mrr"],
            ["customer__region"],
            [("customer__region", "in", ("EMEA", "NA"))],
        ),
        ("list customers ranked by mrr", ["mrr"], ["customer__name"], []),
        ("customers sorted by refunds descending", ["refunds"], ["customer__name"], []),
    ],
)
def test_exclusions_contrasts_and_sorting(
    resolver: Resolver,
    question: str,
    metrics: list[str],
    group_by: list[str],
    filters: list[tuple[str, str, tuple[str, ...]]],
) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == metrics and [n for n, _ in res.group_by] == group_by
    assert [(f.field, f.op, f.values) for f in res.filters] == filters


def test_counts_and_growth_said_loosely(resolver: Resolver) -> None:
    res = resolver.resolve("how many accounts churned last qtr", as_of=DAY)
    assert res.metrics == ["churned_customers"] and not res.notes  # a rate is never "how many"
    res = resolver.resolve("how fast is arr climbing each month", as_of=DAY)
    assert (
        (res.metrics, res.group_by, res.comparison)
        == (
            ["arr"],
            [("metric_time", "month")],
            None,  # the monthly trend shows the climb (the eighth blind set's reading); "month over month" compares
        )
    )
    assert not any("ignored" in n for n in res.notes)


def test_a_list_of_metrics_is_never_collapsed(resolver: Resolver) -> None:
    assert sorted(resolver.resolve("mrr plus arr by segment", as_of=DAY).metrics) == ["arr", "mrr"]
