"""Silently wrong proposals the metamorphic bench found last (issue 12), each fixed at its cause and checked
on the demo with phrasings of its own:

- a state-like word ("other") right after a cause ("due to", "because of", "owing to") names a value of a
  reason dimension, never a state the metric already means; on a dimension that holds no reasons it is
  unread;
- a rule folded into the definition with a comma (", a trial converted when its status is …", ", X means …")
  is read as a rule, never ignored.

Each answer is run on DuckDB against hand SQL, or must carry the unread item.
"""

from __future__ import annotations

from metricmind.define import Definition, Proposal
from metricmind.define.clauses import promoted
from metricmind.project import Project
from tests.define import monthly
from tests.define.monthly import assert_same_as_hand

demo = monthly.demo  # this file's own copy of the demo (a fixture)


def _analyze(project: Project, text: str, *rules: str) -> Proposal:
    return project.analyze_definition(Definition("x", text, rules))


def test_a_state_word_after_a_cause_is_the_reason_value(demo: Project) -> None:
    for text in (
        "Subscriptions that ended owing to other, by the month they ended",
        "Subscriptions lost because of other, by end month",
    ):
        p = _analyze(demo, text)
        assert p.metric is not None, p.message
        assert_same_as_hand(
            demo,
            p,
            """
            select m.month, count(s.subscription_id) as value
            from months m
            left join fct_subscriptions_canonical s
              on s.cancel_reason = 'other' and date_trunc('month', s.ended_at) = m.month
            group by m.month order by m.month
            """,
        )


def test_a_state_word_after_a_cause_on_a_dimension_of_no_reasons_is_unread(demo: Project) -> None:
    # "other" is no value of a reason dimension here: read as nothing, the count would be all of them
    p = _analyze(demo, "Support tickets opened due to unknown, by the month they were opened")
    assert p.refused or any(r.status == "unread" for r in p.rules), p.metric


def test_a_term_defined_after_a_comma_is_a_rule() -> None:
    d = promoted(Definition("x", "Share of trials that converted, a trial converted when its status is X"))
    assert d is not None and d.text == "Share of trials that converted"
    assert d.rules == ("A trial converted when its status is X",)
    kept = "New customers, by the month of their first paid subscription"
    assert promoted(Definition("x", kept)) is None


def test_a_term_defined_after_a_comma_is_read(demo: Project) -> None:
    p = _analyze(
        demo,
        "Trial-to-paid conversion by the month the trial started: trials that converted divided by trials "
        "started, as a fraction between 0 and 1, a trial converted when its status is trial_converted",
    )
    assert p.metric is not None, p.message
    assert_same_as_hand(
        demo,
        p,
        """
        select m.month, count(*) filter (where s.status = 'trial_converted') / count(*) as value
        from months m
        join fct_subscriptions_canonical s on date_trunc('month', s.started_at) = m.month and s.is_trial
        group by m.month order by m.month
        """,
    )


def test_a_value_rule_the_source_sentence_never_says_is_not_covered(demo: Project) -> None:
    # `trial_conversion_rate`'s "Conversion is the first paid subscription within 30 days …" never says
    # trial_converted: the rule restricts the source (read, or unread), never "already part of it"
    p = _analyze(
        demo,
        "Trial-to-paid conversion for Enterprise accounts by the month the trial started: trials that "
        "converted divided by trials started",
        "A trial counts as converted when its status is trial_converted",
    )
    assert not any(r.status == "covered" and "trial_converted" in r.text for r in p.rules), p.rules


def test_a_date_said_by_a_pronoun_and_a_verb_no_date_names_is_unread(demo: Project) -> None:
    # "…, counted on the day they were made": no time dimension is "made"; dated by its own date in silence
    # before (harbor's `bookings`, dated by arrival, answered it)
    p = _analyze(demo, "Invoices of EMEA customers, counted on the day they were made")
    assert p.metric is None or any(r.status == "unread" and "they were made" in r.reason for r in p.rules)
    # a verb the dating forms read is still a date ("the day they were paid": paid_at)
    q = _analyze(demo, "Invoice revenue, counted on the day they were paid")
    assert not any("they were paid" in r.reason for r in q.rules), q.rules
