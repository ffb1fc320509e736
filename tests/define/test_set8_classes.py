"""The classes behind set 8's silently wrong and wrongly confident answers (issue 12), each checked on a
foreign project (lending) with phrasings of its own:

- two rules whose column comparisons exclude each other ("paid on or before the due date" and "paid after
  it") are a contradiction, refused, never a metric of zeros;
- a ratio whose denominator counts "those" rows of the numerator ("… divided by the distinct loans those
  payments paid") carries the numerator's filter;
- a rule of several clauses ("Overdue at a month end: issued by then, due before that day, not paid by then
  …") is never read as its date alone, nor as the snapshot's month-end reading: it is unread;
- an answer with a rule left unread is never confident;
- a rule defining a word of the definition by a filter ("Californians are borrowers whose state is CA") is
  that filter, kept or left out as the definition uses the word; a meaning that does not read exactly, a
  word the definition never says or one the catalog already knows ("Karma-sourced") stays unread;
- a slip of a word that is both a catalog name and a value ("evnets", "aproved") is read as that word (it
  is the same word either way);
- a share said with a percent sign or the bare word ("Walk-in % of all reservations", "… as a % of …") is
  the part over the whole, and "Percent 0-100" its scale (harbor).

Answers are run on DuckDB against hand SQL, or must be refused or carry the unread item.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from metricmind.define import Definition, Proposal
from metricmind.define.columnclash import column_clash
from metricmind.define.combine import _back
from metricmind.define.confidence import CONFIDENT
from metricmind.define.extend import proposal_sql
from metricmind.define.fit import BARE_SHARE
from metricmind.project import Project
from metricmind.testing.harbor import copy_harbor
from metricmind.testing.lending import copy_lending
from tests.define.monthly import assert_same_months
from tests.shared_demo import loaded_copy


@pytest.fixture(scope="module")
def lending(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """This file's own copy of the lending project (``observe`` state is per model)."""
    with loaded_copy(tmp_path_factory, "lending", copy_lending) as project:
        yield project


@pytest.fixture(scope="module")
def harbor(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """This file's own copy of the harbor project."""
    with loaded_copy(tmp_path_factory, "harbor", copy_harbor) as project:
        yield project


def _propose(project: Project, text: str, *rules: str) -> Proposal:
    """The agent as the CLI and the benches call it (warehouse columns and observed values)."""
    return project.analyze_definition(Definition("x", text, rules))


def _months(
    project: Project, proposal: Proposal, start: str = "2024-01-01", end: str = "2024-06-30"
) -> dict[str, float]:
    sql = proposal_sql(project.model, proposal, start=start, end=end)
    return {str(r[0])[:7]: float(r[1] or 0) for r in project.warehouse.run(sql).rows}


def _hand(project: Project, sql: str) -> dict[str, float]:
    return {str(r[0])[:7]: float(r[1] or 0) for r in project.warehouse.run(sql).rows}


def _unread(p: Proposal, words: str) -> None:
    """Refused, or the rule saying ``words`` left unread, and never confident."""
    assert p.refused is not None or any(r.status == "unread" and words in r.text for r in p.rules), [
        (r.text, r.status, r.reason) for r in p.rules
    ]
    assert p.metric is None or p.confidence < CONFIDENT


@pytest.mark.parametrize(
    "rules",
    [
        ("Only payments paid on or before their due date", "Only payments paid after their due date"),
        ("Keep instalments paid after the due date", "Keep instalments paid no later than the due date"),
    ],
)
def test_rules_whose_column_comparisons_exclude_each_other_are_refused(
    lending: Project, rules: tuple[str, str]
) -> None:
    p = _propose(lending, "Collections", *rules)
    assert p.refused == "contradictory_rules", (p.refused, p.message, p.metric)
    # one of them alone is a metric
    assert _propose(lending, "Collections", rules[0]).refused is None


def test_no_later_than_is_an_operator_not_a_negation(lending: Project) -> None:
    # "no later than" read as a negation kept the late instalments (NOT paid_at <= due_date); a timestamp
    # compared with a date is compared as its date (paid on the due date at noon is on time)
    p = _propose(lending, "Collections", "Only instalments paid no later than the due date")
    q = _propose(lending, "Collections", "Only instalments paid on or before the due date")
    want = _hand(
        lending,
        """
        select cast(date_trunc('month', paid_at) as date) as month, sum(amount_cents) / 100.0 as value
        from prod.fct_payments where cast(paid_at as date) <= due_date group by 1 order by 1
        """,
    )
    assert len(want) == 5 and min(want.values()) > 0
    for got in (p, q):
        assert got.refused is None and got.metric is not None, got.message
        assert_same_months(_months(lending, got), want)


def test_a_rule_keeping_rows_by_a_comparison_is_no_inclusion(lending: Project) -> None:
    # "Keep … received after the due date": "keep" includes, but the comparison is a condition, never
    # dropped as "restricts nothing"
    p = _propose(lending, "Collections", "Keep instalments received after the due date")
    assert not any(r.status == "noop" for r in p.rules), p.rules
    assert p.refused is not None or p.unread or any(r.status == "filter" for r in p.rules)


def test_column_predicates_that_leave_nothing_clash() -> None:
    assert column_clash([("a", "paid_at <= due_date"), ("b", "NOT due_date >= paid_at")])
    assert column_clash([("a", "apr > 30"), ("b", "apr < 12")])
    assert column_clash([("a", "apr >= 12 AND apr < 12")])
    # these can both hold
    assert column_clash([("a", "paid_at <= due_date"), ("b", "due_date >= paid_at")]) is None
    assert column_clash([("a", "apr >= 12"), ("b", "apr <= 12")]) is None
    assert column_clash([("a", "apr > 12"), ("b", "upper(x) = 'A'")]) is None


@pytest.mark.parametrize(
    "rule",
    [
        "Interest income of autopay payments divided by the distinct loans those payments paid",
        "Interest income of autopay payments divided by the number of distinct loans these payments were for",
    ],
)
def test_a_denominator_of_those_rows_carries_the_numerators_filter(lending: Project, rule: str) -> None:
    p = _propose(lending, "Autopay interest income per loan", rule)
    assert p.refused is None and p.metric is not None, p.message
    assert not p.unread, [(r.text, r.reason) for r in p.unread]
    want = _hand(
        lending,
        """
        select cast(date_trunc('month', paid_at) as date) as month,
          sum(interest_cents) filter (where is_autopay) / 100.0
            / count(distinct loan_id) filter (where is_autopay) as value
        from prod.fct_payments group by 1 order by 1
        """,
    )
    assert len(want) == 5  # the first instalments fall due in February
    assert_same_months(_months(lending, p), want, absolute=1e-6)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Collections", "By paid date: due before then, paid after the due date, and not by autopay"),
        (
            "Outstanding principal in arrears",
            "In arrears at the month end: an instalment due by then, unpaid by then, and the loan still open then",
        ),
    ],
)
def test_a_rule_of_several_clauses_is_never_read_as_its_date_alone(
    lending: Project, text: str, rule: str
) -> None:
    _unread(_propose(lending, text, rule), rule)


def test_a_date_rule_of_one_clause_still_dates(lending: Project) -> None:
    p = _propose(lending, "Collections", "By due date")
    assert p.refused is None and not p.unread, p.rules
    assert any(r.status == "time" for r in p.rules)


def test_an_answer_with_a_rule_unread_is_never_confident(lending: Project) -> None:
    p = _propose(lending, "Collections", "Only borrowers who have repaid at least half of their loan")
    assert p.refused is not None or (p.unread and p.confidence < CONFIDENT), (p.confidence, p.rules)


@pytest.mark.parametrize(
    ("text", "rules"),
    [
        ("Walk-in % of all reservations", ("Percent 0-100",)),
        ("Walk-in percent of all reservations, 0-100", ()),
        ("Walk-in reservations as a % of all reservations, by arrival month", ("Percent, 0 - 100",)),
    ],
)
def test_a_share_said_with_a_percent_sign_is_the_part_over_the_whole(
    harbor: Project, text: str, rules: tuple[str, ...]
) -> None:
    p = _propose(harbor, text, *rules)
    assert p.refused is None and p.metric is not None, p.message
    assert not p.unread, [(r.text, r.reason) for r in p.unread]
    want = _hand(
        harbor,
        """
        select cast(date_trunc('month', arrival_date) as date) as month,
          100.0 * count(*) filter (where booking_channel = 'walk_in') / count(*) as value
        from marts.fct_reservations group by 1 order by 1
        """,
    )
    assert len(want) == 12
    assert_same_months(_months(harbor, p, "2025-01-01", "2025-12-31"), want, absolute=1e-6)


@pytest.mark.parametrize(
    ("text", "rule", "hand"),
    [
        (
            "Loans funded to Californians",
            "Californians are borrowers whose state is CA",
            "count(*) filter (where b.state_code = 'CA')",
        ),
        (  # the rule says what the word means; the definition says the word is left out
            "Loans funded each month, excluding Californians",
            "Californians are borrowers whose state is CA",
            "count(*) filter (where b.state_code <> 'CA')",
        ),
    ],
)
def test_a_rule_defining_a_word_by_a_filter_is_that_filter(
    lending: Project, text: str, rule: str, hand: str
) -> None:
    p = _propose(lending, text, rule)
    assert p.refused is None and p.metric is not None, p.message
    assert not p.unread, [(r.text, r.reason) for r in p.unread]
    want = _hand(
        lending,
        f"""
        select cast(date_trunc('month', l.funded_date) as date) as month, coalesce({hand}, 0) as value
        from prod.fct_loans l join prod.dim_borrowers b on b.borrower_id = l.borrower_id
        group by 1 order by 1
        """,
    )
    assert len(want) == 6
    assert_same_months(_months(lending, p), want)


def test_a_defined_word_whose_meaning_does_not_read_exactly_stays_unread(lending: Project) -> None:
    _unread(_propose(lending, "Loans funded to Californians", "Californians means borrowers not in CA"), "CA")
    # a word the catalog already knows ("karma" of credit_karma): the rule would redefine it
    _unread(
        _propose(
            lending,
            "Funded amount from Karma-sourced borrowers",
            "Karma-sourced means the borrower's acquisition channel is credit karma",
        ),
        "Karma",
    )
    # a word the definition never says: what would the rule keep?
    _unread(_propose(lending, "Loans funded", "Texans are borrowers whose state is TX"), "Texans")
    _unread(
        _propose(
            lending, "Loans funded to big borrowers", "Big borrowers are those with three loans or more"
        ),
        "Big",
    )


@pytest.mark.parametrize("text", ["Aproved applications", "Number of approvd applications"])
def test_a_slip_of_a_word_both_a_name_and_a_value_is_read_as_it(lending: Project, text: str) -> None:
    p = _propose(lending, text)
    assert p.refused is None and p.metric is not None, p.message
    assert p.confidence < CONFIDENT  # a person checks the word read otherwise
    want = _hand(
        lending,
        """
        select cast(date_trunc('month', applied_at) as date) as month, count(*) as value
        from prod.fct_applications where decision = 'approved' group by 1 order by 1
        """,
    )
    assert len(want) == 6
    assert_same_months(_months(lending, p), want)


def test_a_quantity_in_percent_and_a_those_of_other_rows_are_no_share_nor_carried_filter() -> None:
    # "the top 10 percent of customers" is a quantity, never the part "the top 10" over the whole
    assert BARE_SHARE.match("Android % of all product events")
    assert not BARE_SHARE.match("Revenue from the top 10 percent of customers")
    # "those" of the numerator's rows carries its filter; "those on trials" speaks of other rows
    assert _back("the distinct customers those touches reached", "spend of paid search touches")
    assert not _back("all customers, including those on trials", "paying customers")
