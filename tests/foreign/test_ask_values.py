"""Values read from what a foreign project's warehouse holds (issue 14, sixth round): a value of words and a
number by its short form ("t2" for "Tier 2"), country adjectives listed together as one dimension, and a
count of a word the catalog lacks refused rather than answered with another count.
"""

from __future__ import annotations

import datetime as dt

from metricmind.project import Project

AS_OF = dt.date(2024, 7, 3)


def test_a_numbered_value_by_its_initials(helpdesk: Project) -> None:
    res = helpdesk.resolver().resolve("t1 against t2 ticket volume in june", as_of=AS_OF)
    assert res.answerable, res.reason
    assert [(f.field, f.op, f.values) for f in res.filters] == [
        ("agent__support_team", "in", ("Tier 1", "Tier 2"))
    ]
    assert [g[0] for g in res.group_by] == ["agent__support_team"]


def test_country_adjectives_listed_together_are_one_dimension(bazaar: Project) -> None:
    res = bazaar.resolver().resolve("gmv from german and french sellers this year", as_of=AS_OF)
    assert [(f.field, f.op, set(f.values)) for f in res.filters] == [
        ("seller__seller_country", "in", {"DE", "FR"})
    ]


def test_a_count_of_a_word_the_catalog_lacks_is_refused(bazaar: Project) -> None:
    res = bazaar.resolver().resolve("how many german boutiques had a sale in june", as_of=AS_OF)
    assert not res.answerable
    assert res.confidence < 0.5


def test_a_value_set_against_one_of_several_words(bazaar: Project) -> None:
    # "active" is an everyday word; set against the state "sold out" it is the other state
    res = bazaar.resolver().resolve("gmv from sold out listings versus the active ones in q2", as_of=AS_OF)
    assert res.answerable, res.reason
    assert [(f.field, f.op, set(f.values)) for f in res.filters] == [
        ("listing__listing_state", "in", {"sold_out", "active"})
    ]
    assert [g[0] for g in res.group_by] == ["listing__listing_state"]


def test_by_month_is_the_grain_beside_a_dimension_counted_in_months(lending: Project) -> None:
    res = lending.resolver().resolve("funded amount by month and term months", as_of=AS_OF)
    assert res.answerable, res.reason
    assert res.group_by == [("metric_time", "month"), ("loan__term_months", None)]
    res = lending.resolver().resolve("collections by month in q2", as_of=AS_OF)
    assert res.group_by == [("metric_time", "month")]


def test_one_lower_case_letter_is_a_word_not_a_value(lending: Project) -> None:
    res = lending.resolver().resolve("interest as a share of collections in may", as_of=AS_OF)
    assert res.answerable, res.reason
    assert res.filters == []


def test_of_two_dimensions_of_one_word_the_nearer_wins(lending: Project) -> None:
    # the loan's product, one join from the loan snapshot, not its application's requested product
    res = lending.resolver().resolve("outstanding principal by product at the end of may", as_of=AS_OF)
    assert [g[0] for g in res.group_by] == ["loan__loan_product"]


def test_a_metric_identifier_holding_a_time_word_is_the_metric(lending: Project) -> None:
    res = lending.resolver().resolve("funded amount mom growth since march", as_of=AS_OF)
    assert res.metrics == ["funded_amount_mom_growth"]
    assert res.comparison is None


def test_two_values_set_against_each_other_by_a_word_each(lending: Project) -> None:
    # "personal" and "auto" are each a word of one product; the loan's product is one join nearer
    res = lending.resolver().resolve("loans funded, personal vs auto, this year", as_of=AS_OF)
    assert res.answerable, res.reason
    assert [(f.field, f.op, set(f.values)) for f in res.filters] == [
        ("loan__loan_product", "in", {"personal_loan", "auto_refinance"})
    ]
    assert [g[0] for g in res.group_by] == ["loan__loan_product"]


def test_a_threshold_named_by_its_verb(lending: Project) -> None:
    res = lending.resolver().resolve("how many borrowers had over $25k funded last quarter", as_of=AS_OF)
    assert res.answerable, res.reason
    assert [(f.metric, f.op) for f in res.filters] == [("funded_amount", ">")]
    assert res.confidence < 0.8  # a period asked: the threshold is over all time, and it says so


def test_a_column_of_state_codes_answers_to_state_names(lending: Project) -> None:
    res = lending.resolver().resolve(
        "new borrowers from new york or california in the first half", as_of=AS_OF
    )
    assert res.answerable, res.reason
    assert [(f.field, f.op, set(f.values)) for f in res.filters] == [
        ("borrower__home_state", "in", {"NY", "CA"})
    ]
    assert res.time_range == (dt.date(2024, 1, 1), dt.date(2024, 7, 1))  # "the first half": the latest begun


def test_a_place_reads_the_country_of_the_entity_named(bazaar: Project) -> None:
    res = bazaar.resolver().resolve("gmv from european sellers in q2", as_of=AS_OF)
    assert res.answerable, res.reason
    assert [(f.field, f.op, set(f.values)) for f in res.filters] == [
        ("seller__seller_country", "in", {"DE", "FR", "GB", "NL"})
    ]
    res = bazaar.resolver().resolve("orders from north american buyers", as_of=AS_OF)
    assert [(f.field, f.values) for f in res.filters] == [("buyer__buyer_country", ("US",))]
    assert res.confidence >= 0.8  # "north" is read with "american"


def test_where_it_came_from_by_a_word_only_one_value_has(helpdesk: Project) -> None:
    res = helpdesk.resolver().resolve("ticket volume through the online form in june", as_of=AS_OF)
    assert res.answerable, res.reason
    assert [(f.field, f.op, f.values) for f in res.filters] == [("ticket__channel", "=", ("web_form",))]
    assert res.confidence < 1.0  # one word of the value, said so in the notes
    assert any("web_form" in n for n in res.notes)


def test_a_check_passed_or_failed_is_its_yes_no_value(lending: Project) -> None:
    res = lending.resolver().resolve("new borrowers that failed kyc this year", as_of=AS_OF)
    assert res.answerable, res.reason
    assert [(f.field, f.values) for f in res.filters] == [("borrower__is_kyc_verified", ("false",))]
    res = lending.resolver().resolve("new borrowers who passed kyc in q1", as_of=AS_OF)
    assert [(f.field, f.values) for f in res.filters] == [("borrower__is_kyc_verified", ("true",))]


def test_a_shortened_word_in_a_catalog_phrase_is_no_month(bazaar: Project) -> None:
    # "merch" is one letter from March, and begins "merchandise" of the phrase "gross merchandise value"
    res = bazaar.resolver().resolve("gross merch value by week in q2", as_of=AS_OF)
    assert res.answerable, res.reason
    assert res.metrics == ["gmv"]
    assert res.time_range == (dt.date(2024, 4, 1), dt.date(2024, 7, 1))
    res = bazaar.resolver().resolve("gmv in merch", as_of=AS_OF)  # alone, still the month
    assert res.time_range == (dt.date(2024, 3, 1), dt.date(2024, 4, 1))
