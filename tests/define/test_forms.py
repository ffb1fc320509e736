"""Word forms the catalog does not use (``define/forms.py``), each probe in wording of its own and run on
DuckDB against hand SQL: British spellings, business shorthand and another word for the party a business
serves are read as the catalog's words, at a confidence a person checks; other words are left alone.
"""

from __future__ import annotations

import pytest

from metricmind.define import Definition, analyze
from metricmind.define.forms import FORM_CONFIDENCE, normalised, party, read_word
from metricmind.project import Project
from tests.define.monthly import assert_same_as_hand


@pytest.mark.parametrize(
    ("word", "read", "how"),
    [
        ("organisations", "customers", "party"),
        ("Organisation", "Customer", "party"),
        ("biz", "business", "shorthand"),
        ("acct", "account", "shorthand"),
        ("cancelling", "canceling", "spelling"),
    ],
)
def test_a_word_form_reads_as_the_catalog_word(demo: Project, word: str, read: str, how: str) -> None:
    change = read_word(word, demo.model)
    assert change is not None and (change.read, change.how) == (read, how)
    assert change.costs == (how != "spelling")


@pytest.mark.parametrize("word", ["Ireland", "opportunity", "delete", "count", "paid", "the", "roadshow"])
def test_other_words_are_left_alone(demo: Project, word: str) -> None:
    assert read_word(word, demo.model) is None


def test_the_party_is_the_catalogs_own_entity(demo: Project) -> None:
    assert party(demo.model) == "customer"


def test_the_rules_keep_their_number(demo: Project) -> None:
    d = Definition("x", "Biz MRR", ("only organisations in EMEA", "trials excluded"))
    formed, changes = normalised(d, demo.model)
    assert formed.rules == ("only customers in EMEA", "trials excluded")
    assert formed.text == "Business MRR" and len(changes) == 2


def test_shorthand_reads_the_metric_and_costs_confidence(demo: Project) -> None:
    p = analyze(Definition("smb_new_biz", "New biz MRR from SMB customers", ()), demo.model)
    assert p.refused is None and p.metric is not None, p.message
    assert p.confidence <= FORM_CONFIDENCE
    assert any("'biz' as 'business'" in d for d in p.doubts)
    assert p.definition.text == "New biz MRR from SMB customers"  # as written
    assert_same_as_hand(
        demo,
        p,
        """select m.month, coalesce(sum(l.new_mrr), 0)
           from months m
           left join (select t.* from mart_customer_lifecycle_canonical t
                      join dim_customers_canonical c on c.customer_id = t.customer_id
                      where c.segment = 'SMB') l on l.month_start = m.month
           group by 1 order by 1""",
    )


def test_another_word_for_the_party_counts_the_party(demo: Project) -> None:
    p = analyze(Definition("apac_orgs", "Organisations signing up in APAC, by signup date", ()), demo.model)
    assert p.refused is None and p.metric is not None, p.message
    assert p.confidence <= FORM_CONFIDENCE
    assert_same_as_hand(
        demo,
        p,
        """select m.month, count(c.customer_id)
           from months m left join dim_customers_canonical c
             on date_trunc('month', c.signup_date) = m.month and c.region = 'APAC'
           group by 1 order by 1""",
    )


def test_a_misspelt_value_is_no_word_form(demo: Project) -> None:
    assert read_word("Enterprize", demo.model) is None  # refused with the nearest value, never guessed


def test_a_possessive_keeps_its_mark(demo: Project) -> None:
    change = read_word("organisation's", demo.model)
    assert change is not None and change.read == "customer's"
