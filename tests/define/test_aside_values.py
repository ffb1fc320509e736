"""A rule whose parenthesis names the values its words mean ("Ignore the slow lanes (email and web form)"):
read as the rule's verb on those values, below the confident band; a parenthesis that negates or names
nothing leaves the rule as it was. Read on the helpdesk sample and checked against hand SQL month by month.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from metricmind.define import Definition
from metricmind.project import Project
from metricmind.testing.helpdesk import copy_helpdesk
from tests.define.monthly import assert_same_months, hand_months, proposal_months
from tests.shared_demo import loaded_copy


@pytest.fixture(scope="module")
def helpdesk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    with loaded_copy(tmp_path_factory, "helpdesk", copy_helpdesk) as project:
        yield project


def test_the_parenthesis_says_which_values_the_words_mean(helpdesk: Project) -> None:
    rule = "Ignore the slow lanes (email and web form)"
    p = helpdesk.analyze_definition(Definition("fast_lane_tickets", "Tickets created each month", (rule,)))
    assert p.refused is None and p.metric is not None, p.message
    reading = next(r for r in p.rules if r.text == rule)
    assert reading.status == "filter" and reading.confidence < 0.8
    hand = """
    select m.month, count(t.ticket_id) as value
    from months m left join analytics.fct_tickets t
      on date_trunc('month', t.created_ts) = m.month and t.via_channel not in ('email', 'web_form')
    group by 1 order by 1
    """
    assert_same_months(proposal_months(helpdesk, p), hand_months(helpdesk, hand))


def test_only_with_a_parenthesis_of_values(helpdesk: Project) -> None:
    rule = "Only the hurried ones (urgent)"
    p = helpdesk.analyze_definition(Definition("hurried_tickets", "Tickets solved each month", (rule,)))
    assert p.refused is None and p.metric is not None, p.message
    assert next(r for r in p.rules if r.text == rule).status == "filter"
    hand = """
    select m.month, count(t.ticket_id) as value
    from months m left join analytics.fct_tickets t
      on date_trunc('month', t.created_ts) = m.month and t.ticket_priority = 'urgent' and t.is_solved
    group by 1 order by 1
    """
    assert_same_months(proposal_months(helpdesk, p), hand_months(helpdesk, hand))


def test_a_parenthesis_that_names_no_value_reads_nothing(helpdesk: Project) -> None:
    rule = "Ignore the slow lanes (the ones customers hate)"
    p = helpdesk.analyze_definition(Definition("fast_lane_tickets", "Tickets created each month", (rule,)))
    assert p.refused or next(r for r in p.rules if r.text == rule).status == "unread"
