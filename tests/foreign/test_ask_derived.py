"""What ``ask`` reads from a foreign project's own catalog instead of the demo's words (issue 14, seventh round):
each case failed before its mechanism (a demo word list, or a rule keyed by the demo's names) was replaced by
one derived from the loaded project.
"""

from __future__ import annotations

import datetime as dt

from metricmind.project import Project
from metricmind.resolve.entities import project_entities
from metricmind.resolve.everyday import everyday_words
from metricmind.resolve.shorthand import expand
from metricmind.resolve.text import tokenize

AS_OF = dt.date(2024, 7, 3)
Q1 = (dt.date(2024, 1, 1), dt.date(2024, 4, 1))
Q2 = (dt.date(2024, 4, 1), dt.date(2024, 7, 1))


def _filters(res: object) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(f.field, f.op, f.values) for f in res.filters]  # type: ignore[attr-defined]


def test_an_identifier_said_in_another_order_is_that_metric(lending: Project) -> None:
    # "funded" alone is a word of five metrics; with "loans" (or "borrowers") beside it, every word of one
    # identifier is said, so it is that metric, not a reading to ask back about
    r = lending.resolver()
    for question, metric in (
        ("funded loans in q2", "loans_funded"),
        ("how many loans were funded in q2", "loans_funded"),
        ("how many borrowers got funded in q2", "funded_borrowers"),
    ):
        res = r.resolve(question, as_of=AS_OF)
        assert res.answerable, (question, res.reason)
        assert res.metrics == [metric]
        assert res.confidence >= 0.8
        assert res.time_range == Q2
    res = r.resolve("funded in q2", as_of=AS_OF)
    assert not res.answerable and res.confidence < 0.5  # one word of five metrics: still asked back


def test_a_dimension_before_mix_or_breakdown_is_grouped_by(lending: Project) -> None:
    r = lending.resolver()
    res = r.resolve("product mix of funded loans last qtr", as_of=AS_OF)
    assert res.answerable, res.reason
    assert res.metrics == ["loans_funded"]
    assert res.group_by == [("loan__loan_product", None)]
    res = r.resolve("state breakdown of new borrowers", as_of=AS_OF)
    assert res.group_by == [("borrower__home_state", None)]


def test_the_party_is_the_root_of_the_entity_graph(lending: Project, bazaar: Project) -> None:
    # a lender calls its customers borrowers, no name of the generic list: the entity graph says who the
    # party is (loans and applications are a borrower's; a borrower is no one's)
    assert project_entities(lending.model, {}).party == "borrower"
    assert project_entities(bazaar.model, {}).party == "buyer"  # by its name, as before
    res = lending.resolver().resolve("how many customers signed up in q1", as_of=AS_OF)
    assert res.answerable, res.reason
    assert res.metrics == ["new_borrowers"]


def test_people_are_the_party_in_a_catalog_without_users(lending: Project) -> None:
    res = lending.resolver().resolve(
        "How many people signed up in the first quarter who passed KYC?", as_of=AS_OF
    )
    assert res.answerable, res.reason
    assert res.metrics == ["new_borrowers"]
    assert _filters(res) == [("borrower__is_kyc_verified", "=", ("true",))]
    assert res.time_range == Q1


def test_a_yes_no_value_set_against_its_other_side_is_grouped_by(lending: Project, bazaar: Project) -> None:
    # the other side is said in words no catalog text holds ("repeat", "first-time", "not on autopay"): a
    # yes/no has two sides, so the answer is both, side by side, never one of them filtered
    cases = [
        (lending, "late payments on autopay vs not on autopay", ["late_payments"], "payment__is_autopay"),
        (lending, "funded amount for first loans vs repeat loans", ["funded_amount"], "loan__is_first_loan"),
        (bazaar, "orders from repeat vs first-time buyers in q2", ["orders"], "order__is_repeat_order"),
    ]
    for project, question, metrics, dim in cases:
        res = project.resolver().resolve(question, as_of=AS_OF)
        assert res.answerable, (question, res.reason)
        assert res.metrics == metrics
        assert res.group_by == [(dim, None)], question
        assert res.filters == [], question
        assert res.confidence >= 0.8, (question, res.notes)
    res = lending.resolver().resolve("late payments on autopay", as_of=AS_OF)
    assert _filters(res) == [("payment__is_autopay", "=", ("true",))]  # one side alone still filters


def test_a_flag_named_for_its_own_entity_answers_to_its_adjective(bazaar: Project, lending: Project) -> None:
    # is_repeat_order of the orders: "repeat" said of orders; but a grammar word ("first" of is_first_loan)
    # stays a word ("biggest first" sorts)
    res = bazaar.resolver().resolve("orders from repeat vs first-time buyers in q2", as_of=AS_OF)
    assert res.group_by == [("order__is_repeat_order", None)]
    res = lending.resolver().resolve("loan book by risk grade at end of june, biggest first", as_of=AS_OF)
    assert res.answerable, res.reason
    assert res.filters == []
    assert res.order_by == [("outstanding_principal", True)]


def test_channels_that_drive_a_count_is_no_attribution_analysis_without_attribution(
    helpdesk: Project,
) -> None:
    # the words of marketing attribution ("which channels drive …") asked of a support desk, whose catalog
    # has no attribution metrics: a ranking of its own channels, not the demo's attribution analysis
    res = helpdesk.resolver().resolve("which channels drive the most tickets in q2", as_of=AS_OF)
    assert res.answerable, res.reason
    assert res.analysis is None
    assert not any("attribution" in n for n in res.notes)
    assert res.metrics == ["ticket_volume"]
    assert res.group_by == [("ticket__channel", None)]
    assert res.order_by == [("ticket_volume", True)]


def test_current_before_a_noun_of_the_catalog_says_which_not_when(lending: Project) -> None:
    r = lending.resolver()
    res = r.resolve("funded amount of current loans in q2", as_of=AS_OF)
    assert res.answerable, res.reason
    assert res.time_range == Q2  # not "two time ranges" (current and q2)
    assert _filters(res) == [("loan__loan_status", "=", ("current",))]
    res = r.resolve("current outstanding principal", as_of=AS_OF)  # before a metric: now
    assert res.time_range == (AS_OF, AS_OF + dt.timedelta(days=1))


def test_a_month_short_form_inside_a_metric_phrase_is_the_metric(lending: Project) -> None:
    r = lending.resolver()
    res = r.resolve("average apr by risk grade h1", as_of=AS_OF)  # APR, not April
    assert res.answerable, res.reason
    assert res.metrics == ["average_apr"]
    assert res.group_by == [("loan__risk_grade", None)]
    assert res.time_range == (dt.date(2024, 1, 1), dt.date(2024, 7, 1))
    res = r.resolve("loans funded in apr", as_of=AS_OF)  # alone it is still the month
    assert res.time_range == (dt.date(2024, 4, 1), dt.date(2024, 5, 1))


def test_who_joined_and_entities_won_are_the_partys_own_count(helpdesk: Project, bazaar: Project) -> None:
    # the demo's "new customers" looked up by the word "customer": a catalog whose party is the account or
    # the buyer answers with its own count of them (its "New accounts", "new buyers")
    cases = [
        (helpdesk, "who joined in q2", "accounts_created"),
        (helpdesk, "how many accounts did we win in q2", "accounts_created"),
        (bazaar, "who joined in q2", "new_buyers"),
        (bazaar, "how many buyers did we win in q2", "new_buyers"),
    ]
    for project, question, metric in cases:
        res = project.resolver().resolve(question, as_of=AS_OF)
        assert res.answerable, (question, res.reason)
        assert res.metrics == [metric], question
        assert res.time_range == Q2
    res = helpdesk.resolver().resolve("how many accounts in q2", as_of=AS_OF)
    assert not res.answerable  # no verb of winning: the catalog keeps no count of every account
    res = bazaar.resolver().resolve("how many sellers did we lose in q2", as_of=AS_OF)
    assert not res.answerable and res.confidence < 0.5  # no count of sellers lost


def test_a_dimension_of_the_entity_a_metric_is_named_for_wins_a_tie(bazaar: Project) -> None:
    # "country" is the buyer's (the party's) by default, but active sellers are sellers
    r = bazaar.resolver()
    res = r.resolve("active sellers in the uk vs germany in q1", as_of=AS_OF)
    assert res.group_by == [("seller__seller_country", None)]
    assert _filters(res) == [("seller__seller_country", "in", ("GB", "DE"))]
    assert r.resolve("gmv by country", as_of=AS_OF).group_by == [("buyer__buyer_country", None)]


def test_an_everyday_word_among_the_values_filters_only_in_context(lending: Project) -> None:
    # "good" is a credit band here; said as a word of degree it is no filter (it was, at confidence 1.0,
    # when the everyday words were a list of the demo's values)
    r = lending.resolver()
    res = r.resolve("how good was the approval rate in q2", as_of=AS_OF)
    assert res.answerable, res.reason
    assert res.metrics == ["approval_rate"]
    assert res.filters == []
    res = r.resolve("approval rate for good credit band in q2", as_of=AS_OF)
    assert _filters(res) == [("borrower__credit_band", "=", ("good",))]


def test_the_everyday_words_are_english_and_the_catalogs_own(lending: Project) -> None:
    words = lending.resolver().everyday
    assert {"late", "funded", "collection"} <= words  # the catalog's own words (late_payments, …)
    assert {"good", "current", "check"} <= words  # English
    assert not {"excellent_credit", "dpd_60_89", "ach"} & words  # values are not prose
    assert not {"starter", "trialing", "superseded"} & everyday_words(lending.model)  # no demo values


def test_a_one_word_synonym_stands_for_its_word_in_other_names(lending: Project) -> None:
    # "apps" is the catalog's synonym of applications: "app" then stands for "application" in the
    # conversion's name and the approvals' label
    r = lending.resolver()
    res = r.resolve("app to loan conversion by acquisition channel", as_of=AS_OF)
    assert res.answerable, res.reason
    assert res.metrics == ["application_to_loan_conversion"]
    assert res.group_by == [("borrower__acquisition_channel", None)]
    assert r.resolve("approved apps in may", as_of=AS_OF).metrics == ["approved_applications"]


def test_a_dimension_counted_in_a_unit_of_time_answers_to_its_noun(lending: Project) -> None:
    res = lending.resolver().resolve("average loan size by term", as_of=AS_OF)
    assert res.answerable, res.reason
    assert res.group_by == [("loan__term_months", None)]


def test_a_short_form_the_catalog_also_spells_out_is_read_long(lending: Project) -> None:
    # "avg" is a word of the measure avg_apr; the labels say "Average …": "avg loan size" is the label
    r = lending.resolver()
    for question, metric in (
        ("avg loan size by risk grade", "average_loan_size"),
        ("avg apr", "average_apr"),
    ):
        res = r.resolve(question, as_of=AS_OF)
        assert res.answerable, res.reason
        assert res.metrics == [metric]
        assert res.confidence >= 0.8, res.notes


def test_a_nouns_short_form_is_the_catalogs_word_it_begins() -> None:
    # "inv" was always the demo's invoice; a catalog of inventory (and no invoice) means inventory by it
    def said(question: str, vocabulary: set[str]) -> list[str]:
        return [t.norm for t in expand(tokenize(question), question, vocabulary)]

    assert said("inv by warehouse", {"inventory", "warehouse"}) == ["inventory", "by", "warehouse"]
    assert said("inv by warehouse", {"invoice", "warehouse"}) == ["invoice", "by", "warehouse"]
    assert said("inv by warehouse", {"inventory", "invoice"})[0] == "invoice"  # the listed word, used
    assert said("prev qtr", {"preview", "quarter"}) == ["previous", "quarter"]  # time words keep theirs


def test_the_entity_a_filter_describes_is_no_second_metric(helpdesk: Project) -> None:
    # "tickets" is a synonym of ticket volume; after "urgent priority" it is who the filter describes
    r = helpdesk.resolver()
    res = r.resolve("resolution rate for high and urgent priority tickets in q2", as_of=AS_OF)
    assert res.metrics == ["resolution_rate"]
    assert _filters(res) == [("ticket__priority", "in", ("high", "urgent"))]
    assert res.confidence >= 0.8
    assert r.resolve("resolution rate and tickets by priority", as_of=AS_OF).metrics == [
        "resolution_rate",
        "ticket_volume",
    ]  # listed: both


def test_a_metric_for_one_value_said_after_for_is_that_value(helpdesk: Project) -> None:
    # urgent_ticket_volume is tickets where the priority is urgent: "csat for urgent tickets" is csat there
    r = helpdesk.resolver()
    res = r.resolve("csat for urgent tickets in q2", as_of=AS_OF)
    assert res.answerable, res.reason
    assert res.metrics == ["csat"]
    assert _filters(res) == [("ticket__priority", "=", ("urgent",))]
    res = r.resolve("csat and urgent tickets by month", as_of=AS_OF)
    assert sorted(res.metrics) == ["csat", "urgent_ticket_volume"]  # listed: both


def test_a_word_of_a_sibling_column_qualifies_a_dimensions_noun(bazaar: Project) -> None:
    # "source" is the buyer's acquisition_source or the visit's utm_source; "signup" is a word of the
    # buyer's own column signup_at, so "signup source" is the buyer's
    r = bazaar.resolver()
    res = r.resolve("new buyers by signup source in h1", as_of=AS_OF)
    assert res.answerable, res.reason
    assert res.group_by == [("buyer__acquisition_source", None)]
    assert r.resolve("visits by source", as_of=AS_OF).group_by == [("visit__utm_source", None)]
