"""Questions as people type them (issue 14): exclusions said every way, chat shorthand, two values compared."""

from __future__ import annotations

import datetime as dt

import pytest

from metricmind.project import Project
from metricmind.resolve import Resolver
from metricmind.resolve.shorthand import expand
from metricmind.resolve.text import tokenize

DAY = dt.date(2025, 6, 18)


def filters(resolver: Resolver, question: str) -> list[tuple[str, str, tuple[str, ...]]]:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, (question, res.reason)
    return sorted((f.field, f.op, tuple(sorted(f.values))) for f in res.filters)


@pytest.mark.parametrize(
    "question",
    [
        "MRR excluding EMEA",
        "MRR apart from EMEA",
        "MRR aside from EMEA",
        "MRR other than EMEA",
        "MRR leaving out EMEA",
        "MRR except for EMEA",
        "MRR w/o EMEA",
        "MRR not counting EMEA",
        "MRR for all regions but EMEA",
        "MRR for every region save EMEA",
        "MRR minus EMEA",
        "MRR outside of EMEA",
        "MRR, EMEA aside",
        "MRR with EMEA left out",
        "MRR, EMEA excluded",
        "MRR dropping EMEA",
        "MRR skipping EMEA",
        "MRR besides EMEA",
        "MRR, no EMEA",
        "MRR but not EMEA",
        "MRR for all regions but emea",
    ],
)
def test_an_exclusion_is_never_the_inclusion(resolver: Resolver, question: str) -> None:
    assert filters(resolver, question) == [("customer__region", "!=", ("EMEA",))]


def test_the_exclusion_runs_over_the_whole_list(resolver: Resolver) -> None:
    want = [("customer__region", "not in", ("APAC", "LATAM"))]
    assert filters(resolver, "net new mrr ytd w/o latam and apac") == want
    assert filters(resolver, "MRR leaving out LATAM or APAC") == want
    # "but"/"save" are exclusions only after a word for everything
    assert filters(resolver, "MRR in EMEA but last quarter") == [("customer__region", "=", ("EMEA",))]


def test_an_exclusion_compiles_and_runs(resolver: Resolver, resolve_demo: Project) -> None:
    """``not in`` is SQL that runs, and leaves out exactly the excluded rows."""
    by_region = resolver.resolve("active customers by region", as_of=dt.date(2026, 6, 30))
    without = resolver.resolve("active customers by region w/o emea and apac", as_of=dt.date(2026, 6, 30))
    assert without.filters[0].op == "not in"
    q_all, q_without = by_region.metric_query(), without.metric_query()
    assert q_all is not None and q_without is not None
    rows_all = {r[0]: r[1] for r in resolve_demo.run(q_all).rows}
    rows_without = {r[0]: r[1] for r in resolve_demo.run(q_without).rows}
    assert set(rows_without) == set(rows_all) - {"EMEA", "APAC"}
    assert all(rows_without[k] == rows_all[k] for k in rows_without)


def test_shorthand_is_spelled_out_keeping_spans() -> None:
    q = "new custs by wk prev 3 mos w/o apac, last 30d yday rn"
    words = [t.norm for t in expand(tokenize(q), q, set())]
    assert words == (
        "new customers by week previous 3 months without apac last 30 days yesterday right now".split()
    )
    first = expand(tokenize(q), q, set())
    without = next(t for t in first if t.norm == "without")
    assert q[without.start : without.end] == "w/o"
    assert [t.index for t in first] == list(range(len(first)))
    # a word the catalog knows is never rewritten
    assert [t.norm for t in expand(tokenize("rev"), "rev", {"rev"})] == ["rev"]


def test_shorthand_questions_resolve(resolver: Resolver) -> None:
    res = resolver.resolve("churned mrr prev 3 mos monthly", as_of=DAY)
    assert res.answerable and res.metrics == ["churned_mrr"]
    assert res.time_range == (dt.date(2025, 3, 1), dt.date(2025, 6, 1))
    res = resolver.resolve("mrr by segment last qtr", as_of=DAY)
    assert res.time_range == (dt.date(2025, 1, 1), dt.date(2025, 4, 1))


def test_two_values_of_one_dimension_compared(resolver: Resolver) -> None:
    res = resolver.resolve("enterprise v smb nrr last qtr", as_of=DAY)
    assert [n for n, _ in res.group_by] == ["customer__segment"]
    assert filters(resolver, "enterprise v smb nrr last qtr") == [
        ("customer__segment", "in", ("Enterprise", "SMB"))
    ]


def test_refusals_carry_a_low_confidence(resolver: Resolver) -> None:
    res = resolver.resolve("what is our NPS", as_of=DAY)
    assert not res.answerable and res.confidence < 0.5


def test_a_threshold_per_customer_filters_by_the_metric(resolver: Resolver, resolve_demo: Project) -> None:
    """ "customers with over 5k MRR": a Metric filter at the customer grain, and the rows obey it."""
    res = resolver.resolve("which customers are on more than 5k mrr", as_of=dt.date(2026, 6, 30))
    assert res.answerable and res.metrics == ["mrr"]
    assert [n for n, _ in res.group_by] == ["customer__name"]
    (f,) = res.filters
    assert f.to_dict() == {"metric": "mrr", "group_by": ["customer"], "op": ">", "value": 5000.0}
    query = res.metric_query()
    assert query is not None
    rows = resolve_demo.run(query).rows
    assert rows and all(r[-1] > 5000 for r in rows)
    everyone = resolver.resolve("mrr by customer", as_of=dt.date(2026, 6, 30)).metric_query()
    assert everyone is not None
    assert len(resolve_demo.run(everyone).rows) > len(rows)
    # "how many customers …" counts them; "50+" is at least 50; an amount per invoice stays refused
    count = resolver.resolve("how many customers have mrr over 5000", as_of=DAY)
    assert count.metrics == ["active_customers"] and count.filters[0].metric == "mrr"
    assert resolver.resolve("accounts with 50+ events yesterday", as_of=DAY).filters[0].op == ">="
    assert not resolver.resolve("invoices over 1000 dollars", as_of=DAY).answerable


def test_sort_without_a_limit_and_comparisons_left_unsaid(resolver: Resolver) -> None:
    res = resolver.resolve("net new mrr by region, biggest first, last qtr", as_of=DAY)
    assert res.order_by == [("net_new_mrr", True)] and res.limit is None
    res = resolver.resolve("trial conversion this qtr vs last", as_of=DAY)
    assert res.comparison == "previous_period"
    res = resolver.resolve("arr month over month growth this year", as_of=DAY)
    assert res.group_by == [("metric_time", "month")]


def test_an_unexplained_word_lowers_the_confidence_without_refusing(resolver: Resolver) -> None:
    clean = resolver.resolve("churned mrr by region last month", as_of=DAY)
    chatty = resolver.resolve("churned mrr by region last month zorp", as_of=DAY)
    assert clean.confidence >= 0.8
    assert chatty.answerable and 0.5 <= chatty.confidence < 0.8
    assert any("zorp" in n for n in chatty.notes)
    assert chatty.metrics == clean.metrics and chatty.group_by == clean.group_by


def test_several_metrics_sharing_a_noun(resolver: Resolver) -> None:
    res = resolver.resolve("new, expansion, contraction + churned mrr for last qtr", as_of=DAY)
    assert sorted(res.metrics) == ["churned_mrr", "contraction_mrr", "expansion_mrr", "new_mrr"]
    res = resolver.resolve("new expansion and churned mrr by month last 3 mos", as_of=DAY)
    assert sorted(res.metrics) == ["churned_mrr", "expansion_mrr", "new_mrr"]
    assert sorted(resolver.resolve("MRR and new customers", as_of=DAY).metrics) == ["mrr", "new_customers"]


def test_attribution_reads_the_model_named_or_names_the_default(resolver: Resolver) -> None:
    res = resolver.resolve("linear-model new mrr by channel for q1", as_of=DAY)
    assert res.answerable and res.metrics == ["linear_attributed_new_mrr"]
    assert [n for n, _ in res.group_by] == ["touchpoint__channel"]
    res = resolver.resolve("last touch new mrr by channel last qtr", as_of=DAY)
    assert res.metrics == ["last_touch_attributed_new_mrr"]
    # an analysis request (a model after "under", one the catalog lacks, all models) is left to read_analysis
    for question in ("new MRR under last touch in Q1", "Markov credit for new MRR", "attribution of new MRR"):
        assert resolver.resolve(question, as_of=DAY).analysis is not None, question
    res = resolver.resolve("new mrr attributed to email this year", as_of=DAY)
    assert res.metrics == ["last_touch_attributed_new_mrr"]
    assert res.filters[0].field == "touchpoint__channel" and res.filters[0].values == ("email",)
    assert any("no attribution model named" in n for n in res.notes)
    assert resolver.resolve("new mrr last quarter", as_of=DAY).metrics == ["new_mrr"]  # no credit asked


def test_a_word_several_metrics_share_asks_back(resolver: Resolver) -> None:
    res = resolver.resolve("retention by segment last quarter", as_of=DAY)
    assert not res.answerable and res.confidence < 0.5 and res.clarify is not None
    labels = [c["label"] for c in res.clarify["choices"]]
    assert sorted(labels) == [  # NRR, GRR and the cohort retentions all answer "retention"
        "Gross revenue retention",
        "Logo retention",
        "Net revenue retention",
        "Revenue retention",
    ]
    assert all(lab in res.clarify["question"] for lab in labels)
    assert resolver.resolve("MRR by segment last quarter", as_of=DAY).clarify is None


def test_values_named_loosely(resolver: Resolver) -> None:
    assert filters(resolver, "new customers from aussie companies this year") == [
        ("customer__country", "=", ("Australia",))
    ]
    res = resolver.resolve("new customers from aussie companies this year", as_of=DAY)
    assert res.group_by == []  # "companies" says who is counted, not a breakdown by name
    assert filters(resolver, "arr for customers in the states by segment") == [
        ("customer__country", "=", ("United States",))
    ]
    # a word several values begin with, before the dimension's noun; the exclusion still applies
    assert filters(resolver, "new custs that didnt come from paid channels last qtr") == [
        ("customer__acquisition_channel", "not in", ("paid_search", "paid_social"))
    ]
    assert resolver.resolve("new custs that didnt come from paid channels", as_of=DAY).group_by == []
    assert filters(resolver, "states by segment MRR") == []  # "states" alone is not the country


def test_values_set_against_each_other_and_qualified_revenue(resolver: Resolver) -> None:
    res = resolver.resolve("starter vs pro trial conversion 2024", as_of=DAY)
    assert [n for n, _ in res.group_by] == ["subscription__plan_tier"]
    assert filters(resolver, "starter vs pro trial conversion 2024") == [
        ("subscription__plan_tier", "in", ("Pro", "Starter"))
    ]
    # a plan's name alone is its value: "starter" is no everyday word of the demo's catalog (its everyday
    # words are English's and its own prose's, ``resolve.everyday``, no longer a list of its values)
    res = resolver.resolve("trial conversion for starter", as_of=DAY)
    assert res.answerable, res.reason
    assert filters(resolver, "trial conversion for starter") == [
        ("subscription__plan_tier", "=", ("Starter",))
    ]
    assert resolver.resolve("mrr from new logos last qtr by segment", as_of=DAY).metrics == ["new_mrr"]
    res = resolver.resolve("recurring rev won from brand-new customers ytd by month", as_of=DAY)
    assert res.metrics == ["new_mrr"]
    assert resolver.resolve("new mrr from brand new logos ytd", as_of=DAY).metrics == ["new_mrr"]


def test_counting_customers_won_or_lost(resolver: Resolver) -> None:
    def metrics(q: str) -> list[str]:
        return sorted(resolver.resolve(q, as_of=DAY).metrics)

    assert metrics("how many customers did we sign in germany this year") == ["new_customers"]
    assert metrics("how many clients walked away in may") == ["churned_customers"]
    assert metrics("how many customers came and went last month") == ["churned_customers", "new_customers"]
    assert metrics("how many customers do we have") == ["active_customers"]  # no verb: the count now


def test_an_everyday_value_never_takes_a_word_of_a_metric_list(resolver: Resolver) -> None:
    """ "new and churned MRR": "new" is new MRR, not a lifecycle status set beside "churned"."""
    res = resolver.resolve("new and churned mrr by region ytd", as_of=DAY)
    assert res.answerable and sorted(res.metrics) == ["churned_mrr", "new_mrr"] and res.filters == []


def test_packed_and_slashed_shorthand(resolver: Resolver) -> None:
    res = resolver.resolve("new custs l30d", as_of=DAY)
    assert res.time_range == (dt.date(2025, 5, 19), dt.date(2025, 6, 18))
    assert resolver.resolve("mrr y/y by seg lq", as_of=DAY).comparison == "same_period_last_year"
    # a catalog word that looks packed stays itself ("t3m revenue" is a metric's synonym)
    assert resolver.resolve("t3m revenue by month this year", as_of=DAY).metrics == [
        "revenue_trailing_3_months"
    ]


def test_a_comparative_next_to_a_metric_is_no_unknown_concept(resolver: Resolver) -> None:
    res = resolver.resolve("card or wire, which one brings in more invoice revenue this yr", as_of=DAY)
    assert res.answerable and res.metrics == ["invoice_revenue"]
    assert [n for n, _ in res.group_by] == ["invoice__payment_method"]
    assert not resolver.resolve("gross margin last quarter", as_of=DAY).answerable  # a concept still refuses


def test_an_exclusion_reaches_across_the_entity_it_names(resolver: Resolver) -> None:
    assert filters(resolver, "mrr excluding customers in germany") == [
        ("customer__country", "!=", ("Germany",))
    ]
    assert filters(resolver, "new customers from everyone but the partners") == [
        ("customer__acquisition_channel", "!=", ("partner",))
    ]
    assert resolver.resolve("mrr for all regions but emea", as_of=DAY).group_by == []
    assert filters(resolver, "mrr in emea") == [("customer__region", "=", ("EMEA",))]


def test_a_value_of_unclear_polarity_asks_back(resolver: Resolver) -> None:
    """ "MRR but EMEA" may leave EMEA out or keep only it: never guess, offer both readings."""
    for question in ("mrr but emea", "mrr less emea", "mrr emea out"):
        res = resolver.resolve(question, as_of=DAY)
        assert not res.answerable and res.confidence < 0.5 and res.clarify is not None, question
        ops = [c["query"]["where"][0] for c in res.clarify["choices"]]
        assert any("<>" in w for w in ops) and any(" = " in w for w in ops), ops
    assert filters(resolver, "mrr but only emea") == [("customer__region", "=", ("EMEA",))]
