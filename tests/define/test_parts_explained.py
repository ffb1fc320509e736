"""A part claimed by an existing metric keeps every word the metric does not explain (issue 12, harbor).

Two classes, each fixed at its cause and checked on the demo and on other companies' projects:

- a value that shares a word with a metric's name ("all Booking.com reservations" and `bookings`) is read
  as the part's filter, never dropped; the rows a rule-stated rate is of, said only by the definition
  ("No-show rate of walk-in reservations" + "no-shows divided by all reservations"), filter both parts;
  a value of the definition that neither part nor that phrase says, or a word no filter reads, is refused;
- a value is found however its words are run together or apart ("e-mail" for ``email``, "walkin" for
  ``walk_in``), in the lexicon ask and Define share.

Every answer runs on DuckDB and is compared with hand SQL by month.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from metricmind.define import Definition, Proposal
from metricmind.define.extend import proposal_sql
from metricmind.define.population import population_of, stray_values
from metricmind.define.words import lexicon, stems
from metricmind.project import Project
from metricmind.testing.bazaar import copy_bazaar
from metricmind.testing.harbor import copy_harbor
from tests.define import monthly
from tests.define.monthly import assert_same_as_hand, assert_same_months
from tests.shared_demo import shared_copy

demo = monthly.demo  # this file's own copy of the demo (a fixture)


@pytest.fixture(scope="module")
def harbor(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    with Project.load(
        shared_copy(tmp_path_factory, "harbor", copy_harbor, tmp_path_factory.mktemp("harbor") / "harbor")
    ) as project:
        yield project


@pytest.fixture(scope="module")
def bazaar(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    with Project.load(
        shared_copy(tmp_path_factory, "bazaar", copy_bazaar, tmp_path_factory.mktemp("bazaar") / "bazaar")
    ) as project:
        yield project


def _propose(project: Project, text: str, *rules: str) -> Proposal:
    """The agent as the CLI and the benches call it (warehouse columns and observed values)."""
    return project.analyze_definition(Definition("x", text, rules))


def _months(project: Project, proposal: Proposal, start: str, end: str) -> dict[str, float]:
    sql = proposal_sql(project.model, proposal, start=start, end=end)
    return {str(r[0])[:7]: float(r[1] or 0) for r in project.warehouse.run(sql).rows}


def _hand(project: Project, sql: str) -> dict[str, float]:
    return {str(r[0])[:7]: float(r[1] or 0) for r in project.warehouse.run(sql).rows}


def _answered(p: Proposal) -> None:
    assert p.refused is None and p.metric is not None, p.message
    assert not [r for r in p.rules if r.status == "unread"], [(r.text, r.reason) for r in p.rules]


def _safe(p: Proposal) -> None:
    """Refused, or a rule left unread: never an answer that looks sure."""
    unread = [r for r in p.rules if r.status == "unread"]
    assert p.refused is not None or unread, p.metric


HARBOR_RATE = """
    select cast(date_trunc('month', arrival_date) as date) as month,
      count(*) filter (where reservation_status = '{status}') * 1.0 / count(*) as value
    from marts.fct_reservations where booking_channel = '{channel}' group by 1 order by 1
"""


def test_a_value_sharing_a_word_with_the_denominators_metric_filters_both_parts(harbor: Project) -> None:
    # "Booking.com" shares "booking" with `bookings`: a value of the denominator, and the rate's rows
    p = _propose(
        harbor,
        "Percentage of Booking.com reservations that were no-shows",
        "no-shows divided by all Booking.com reservations",
        "by arrival month",
        "a fraction between 0 and 1",
    )
    assert p.metric is not None, p.message
    want = _hand(harbor, HARBOR_RATE.format(status="no_show", channel="booking_com"))
    assert len(want) == 12
    assert_same_months(_months(harbor, p, "2025-01-01", "2025-12-31"), want, absolute=1e-9)


def test_a_value_only_the_denominator_keeps_is_refused(harbor: Project) -> None:
    # the definition says the rate is of Booking.com reservations; the rule filters the denominator only
    _safe(
        _propose(
            harbor,
            "Booking.com no-show rate",
            "no-shows divided by all Booking.com reservations",
            "by arrival month",
        )
    )


def test_the_definitions_population_filters_a_rule_stated_rate(harbor: Project) -> None:
    # the rule says only how to divide; "of walk-in reservations" says which rows both parts count
    p = _propose(
        harbor,
        "No-show rate of walk-in reservations",
        "no-shows divided by all reservations",
        "by arrival month",
    )
    _answered(p)
    want = _hand(harbor, HARBOR_RATE.format(status="no_show", channel="walk_in"))
    assert_same_months(_months(harbor, p, "2025-01-01", "2025-12-31"), want, absolute=1e-9)


def test_a_definition_value_no_part_says_is_refused(harbor: Project) -> None:
    # "Expedia" before "rate": which part it filters is not said; a ratio without it would be all channels
    _safe(
        _propose(harbor, "Expedia no-show rate", "no-shows divided by all reservations", "by arrival month")
    )
    # "repeat" names no value nor column: never dropped
    _safe(
        _propose(
            harbor,
            "No-show rate of repeat reservations",
            "no-shows divided by all reservations",
            "by arrival month",
        )
    )


def test_the_population_of_another_company_filters_both_parts(bazaar: Project) -> None:
    p = _propose(
        bazaar,
        "Cancellation rate of repeat orders",
        "cancelled orders divided by all orders placed in the month",
    )
    _answered(p)
    want = _hand(
        bazaar,
        """
        select cast(date_trunc('month', placed_at) as date) as month,
          count(*) filter (where order_status = 'cancelled') * 1.0 / count(*) as value
        from fct_orders where buyer_order_number > 1 group by 1 order by 1
        """,
    )
    assert len(want) == 6
    assert_same_months(_months(bazaar, p, "2024-01-01", "2024-06-30"), want, absolute=1e-9)


def test_a_population_no_order_reaches_is_refused(bazaar: Project) -> None:
    # a listing's category is no dimension of an order (an order has many items): refused, not dropped
    _safe(
        _propose(
            bazaar,
            "Cancellation rate of electronics orders",
            "cancelled orders divided by all orders placed in the month",
        )
    )


def test_the_demo_population_filters_both_sums(demo: Project) -> None:
    p = _propose(demo, "Refund rate of card payments", "refunds divided by all payments")
    _answered(p)
    hand = """
        select m.month,
          (select sum(refunded_amount) from fct_invoices_canonical
             where is_refunded and payment_method = 'card' and date_trunc('month', refunded_at) = m.month)
          / (select sum(amount) from fct_invoices_canonical
             where is_paid and payment_method = 'card' and date_trunc('month', paid_at) = m.month)
        from months m order by 1
    """
    assert_same_as_hand(demo, p, hand, absolute=1e-9)


def test_the_population_phrase() -> None:
    assert (
        population_of("No-show rate of Booking.com reservations, as a percentage")
        == "Booking.com reservations"
    )
    assert population_of("Cancellation rate among Expedia bookings by arrival month") == "Expedia bookings"
    assert population_of("Share of orders that end up cancelled") == "orders"  # the rest is the numerator's
    assert population_of("Refunds as a percentage of cash collected") == ""  # the denominator, not the rows
    assert population_of("Ratio of refunds to orders") == ""
    assert population_of("Refund rate") == ""


def test_a_stray_value_is_one_no_part_says(harbor: Project) -> None:
    text = "Expedia no-show rate"
    assert stray_values(harbor.model, text, ["no-shows", "all reservations"]) == ["expedia"]
    assert stray_values(harbor.model, text, ["no-shows", "all Expedia reservations"]) == []
    # said in another order and inflection: "billed annually" in "Annual-billing seats"
    assert stray_values(harbor.model, "No-show rate of walk-ins", ["no-shows", "walk-in reservations"]) == []


@pytest.mark.parametrize(
    ("said", "value"),
    [("e-mail", "email"), ("E-Mail", "email"), ("email", "email"), ("Referral", "referral")],
)
def test_a_value_is_found_with_its_words_run_together_or_apart_demo(
    demo: Project, said: str, value: str
) -> None:
    found = {e.target for e in lexicon(demo.model).lookup(stems(said)) if e.kind == "value"}
    assert f"customer__acquisition_channel={value}" in found, found


@pytest.mark.parametrize(
    ("said", "value"),
    [
        ("walkin", "walk_in"),
        ("Walk-in", "walk_in"),
        ("Booking.com", "booking_com"),
        ("bookingcom", "booking_com"),
    ],
)
def test_a_value_is_found_with_its_words_run_together_or_apart_harbor(
    harbor: Project, said: str, value: str
) -> None:
    found = {e.target for e in lexicon(harbor.model).lookup(stems(said)) if e.kind == "value"}
    assert any(t.endswith(f"booking_channel={value}") for t in found), found


def test_two_letters_that_happen_to_join_name_no_value(harbor: Project) -> None:
    lx = lexicon(harbor.model)
    assert not [e for e in lx.lookup(("g", "ds")) if e.kind == "value"]  # "gds" is shorter than a joined run


def test_ask_reads_a_value_written_apart(harbor: Project) -> None:
    # the resolver shares the lexicon: "walkin" filters walk_in, and the rows are the hand SQL's
    res = harbor.resolver().resolve("monthly reservations booked via walkin in 2025")
    assert res.answerable, res.reason
    query = res.metric_query()
    assert query is not None
    got = {str(r[0])[:7]: float(r[1] or 0) for r in harbor.run(query).rows}
    want = _hand(
        harbor,
        """
        select cast(date_trunc('month', booked_at) as date), count(*) from marts.fct_reservations
        where booking_channel = 'walk_in' and booked_at >= date '2025-01-01' and booked_at < date '2026-01-01'
        group by 1 order by 1
        """,
    )
    assert len(want) == 12 and got == want


def test_define_reads_a_value_written_apart(demo: Project) -> None:
    p = _propose(
        demo,
        "Trial conversion rate of trials from e-mail customers",
        "converted trials divided by all trials",
    )
    assert p.metric is not None, p.message
    said = str(p.metric)
    assert "'email'" in said, said


HARBOR_COUNT = """
    select cast(date_trunc('month', arrival_date) as date) as month, count(*) as value
    from marts.fct_reservations where {where} group by 1 order by 1
"""


@pytest.mark.parametrize("text", ["Expedia no-shows", "No-shows on Expedia"])
def test_no_of_a_compound_is_no_negation(harbor: Project, text: str) -> None:
    # "no-shows" is a word of its own: the value beside it is kept, not dropped ("not Expedia")
    p = _propose(harbor, text, "by arrival month")
    _answered(p)
    want = _hand(
        harbor, HARBOR_COUNT.format(where="reservation_status = 'no_show' and booking_channel = 'expedia'")
    )
    assert_same_months(_months(harbor, p, "2025-01-01", "2025-12-31"), want, absolute=1e-9)


def test_no_alone_still_drops_a_value(harbor: Project) -> None:
    p = _propose(harbor, "Reservations with no Expedia channel", "by arrival month")
    assert p.metric is not None, p.message
    want = _hand(harbor, HARBOR_COUNT.format(where="booking_channel is distinct from 'expedia'"))
    assert_same_months(_months(harbor, p, "2025-01-01", "2025-12-31"), want, absolute=1e-9)


@pytest.mark.parametrize(
    "rule",
    [
        "cancelled reservations over all reservations made through Expedia",
        "Cancelled Booking.com reservations over all reservations",
    ],
)
def test_a_rule_stating_a_ratio_with_over_is_no_filter_of_both_parts(harbor: Project, rule: str) -> None:
    # read as one filter it would keep cancelled rows in the denominator too: a rate of 100%
    _safe(_propose(harbor, "Cancellation rate", rule, "by arrival month"))


def test_over_as_a_ratio_on_another_company(bazaar: Project) -> None:
    # read as a filter it kept status in (cancelled, completed) on both parts of `refund_rate`
    _safe(_propose(bazaar, "Refund rate", "cancelled orders over all completed orders"))
