"""Classes of silently wrong proposals found by the metamorphic bench (``bench/define_perturb.py``) and the
foreign projects, each fixed at its cause: a lead-in that says nothing ("Basically, …") is dropped, two key
columns are never compared as amounts ("each customer's seats over their subscriptions"), and a word that
is both a yes/no dimension's own phrase and a value of another reachable dimension is unread, not guessed.
Each answer is run on DuckDB against hand SQL, or must carry the unread rule.
"""

from __future__ import annotations

from metricmind.define import Definition, Proposal, analyze
from metricmind.define.degenerate import flag_same_parts
from metricmind.define.extend import warehouse_columns
from metricmind.define.leadin import without_lead
from metricmind.define.pairs import pair_reading
from metricmind.project import Project
from tests.define.monthly import assert_same_as_hand, propose

SEATS_RULES = (
    "Sum each customer's seats over their live paid subscriptions, then average over those customers",
    "Trials excluded; live = started by the month's last day and not ended by then",
)
SEATS_HAND = """
    select m.month, sum(s.seats) * 1.0 / count(distinct s.customer_id)
    from months m
    join fct_subscriptions_canonical s on not s.is_trial and s.started_at <= last_day(m.month)
      and (s.ended_at is null or s.ended_at > last_day(m.month))
    join dim_customers_canonical c on c.customer_id = s.customer_id and c.segment = 'Mid-Market'
    group by 1 order by 1
"""


def test_a_lead_in_is_dropped_and_the_first_letter_kept() -> None:
    assert without_lead("Basically, average seats per customer") == "Average seats per customer"
    assert without_lead("In short: refunds by refund date") == "Refunds by refund date"
    assert without_lead("In brief, refunds by refund date") == "Refunds by refund date"
    assert without_lead("Note: trials excluded") == "Trials excluded"
    assert without_lead("Simply the MRR") is None  # no comma or colon: a word of the sentence
    assert without_lead("Basically,") is None


def test_a_lead_in_changes_nothing_of_the_answer(demo: Project) -> None:
    for lead in ("", "Basically, ", "In short, "):
        text = (
            lead + ("average" if lead else "Average") + " seats per paying Mid-Market customer at month end"
        )
        p = propose(demo, "mm_seats", text, *SEATS_RULES)
        assert p.metric["description"] == text  # the text as written
        assert_same_as_hand(demo, p, SEATS_HAND, absolute=1e-6)


def test_key_columns_are_never_compared_as_amounts(demo: Project) -> None:
    columns = {"customer_id": "INTEGER", "subscription_id": "INTEGER", "seats": "INTEGER", "mrr": "DOUBLE"}
    text = "Sum each customer's seats over their live paid subscriptions"
    assert pair_reading(text, text.lower(), "main.s", columns, demo.model, False) is None
    # amounts are still compared: "refunded amount above the amount"
    columns = {"refunded_amount": "DOUBLE", "amount": "DOUBLE", "invoice_id": "INTEGER"}
    text = "refunded amount above the amount"
    found = pair_reading(text, text.lower(), "main.i", columns, demo.model, False)
    assert found is not None and found[1] == "refunded_amount > amount", found


def test_a_rule_over_subscriptions_reads_no_comparison_of_keys(demo: Project) -> None:
    cols = warehouse_columns(demo.warehouse)
    p = analyze(
        Definition("x", "Basically, average seats per paying Mid-Market customer at month end", SEATS_RULES),
        demo.model,
        columns=cols,
    )
    said = " ".join([r.reason for r in p.rules] + [str(m.measure) for m in p.new_measures] + [str(p.metric)])
    assert "customer_id > subscription_id" not in said, said


def test_a_word_of_a_flag_and_a_value_of_another_dimension_is_unread(demo: Project) -> None:
    # "active": the customer's is_active (its synonym) or the subscription status active — never guessed
    p = analyze(Definition("x", "Total MRR", ("Only active",)), demo.model)
    reading = next(r for r in p.rules if r.text == "Only active")
    assert reading.status == "unread", reading
    assert "subscription__status" in reading.reason and "is_active" in reading.reason, reading


def test_a_value_alone_is_still_read_where_no_flag_says_it(demo: Project) -> None:
    p = propose(demo, "active_subs", "Number of subscriptions", "Only active")
    reading = next(r for r in p.rules if r.text == "Only active")
    assert reading.status == "filter" and reading.predicate is not None, reading
    assert "subscription__status" in reading.predicate and "'active'" in reading.predicate, reading


def test_a_state_rule_keeping_part_of_what_a_snapshot_counts_is_unread(demo: Project) -> None:
    # `mrr` counts active and past-due subscriptions at each month end: "Only past_due" keeps part of it,
    # which today's status cannot say over history — never "covered" (the same number as without it)
    p = analyze(Definition("x", "End-of-month MRR for the Pro plan", ("Only past_due",)), demo.model)
    reading = next(r for r in p.rules if r.text == "Only past_due")
    assert reading.status == "unread", reading
    # saying every state it counts restates it
    p = analyze(
        Definition("x", "End-of-month MRR for the Pro plan", ("Only count active and past_due status",)),
        demo.model,
    )
    reading = next(r for r in p.rules if r.text == "Only count active and past_due status")
    assert reading.status == "covered", reading


def test_a_ratio_of_a_value_by_itself_is_unread() -> None:
    part = {"name": "mrr", "filter": "{{ Dimension('subscription__billing_interval') }} = 'annual'"}
    p = Proposal(
        definition=Definition("x", "Share of MRR from annual contracts", ()),
        metric={"name": "x", "type": "ratio", "type_params": {"numerator": dict(part), "denominator": part}},
        confidence=0.75,
    )
    flag_same_parts(p)
    assert p.unread and p.confidence <= 0.2, p.rules
    other = Proposal(
        definition=Definition("x", "Share of MRR from annual contracts", ()),
        metric={
            "name": "x",
            "type": "ratio",
            "type_params": {"numerator": part, "denominator": {"name": "mrr"}},
        },
        confidence=0.75,
    )
    flag_same_parts(other)
    assert not other.unread and other.confidence == 0.75


def test_a_value_of_two_dimensions_is_never_read_on_a_column_instead(demo: Project) -> None:
    # "Enterprise" is a customer segment and a plan tier; a misspelled "segment" names neither, and the
    # trials table's own paid_plan_tier column must not answer in their place
    p = propose(
        demo,
        "pro_trials",
        "Trials started on the Pro plan in the month",
        "Leave out customers in the Enterprise segnmet",
        "By the trial's start date",
    )
    reading = next(r for r in p.rules if r.text.startswith("Leave out"))
    assert reading.status == "unread", reading
    assert "customer__segment" in reading.reason and "plan_tier" in reading.reason, reading
    assert not p.new_measures, p.new_measures


def test_a_rule_whose_other_word_names_a_thing_is_still_read(demo: Project) -> None:
    # "events" is also an acquisition channel's value, but it names what is counted: "web" is still read
    p = propose(
        demo,
        "web_events_per_web_user",
        "Average web events per active web user",
        "only events on the web platform",
        "events divided by distinct users who had a web event that month",
    )
    reading = next(r for r in p.rules if r.text == "only events on the web platform")
    assert reading.status == "filter" and "'web'" in (reading.predicate or ""), reading
