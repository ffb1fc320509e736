"""Entities with at least N different values among their rows of the month ("accounts whose tickets went
to at least 3 different agents in the month"), read on the helpdesk sample (not the demo the bench's cases
are written on) and checked against hand SQL month by month.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from metricmind.define import Definition
from metricmind.define.distinctper import distinct_threshold
from metricmind.define.numbers import compared_numbers
from metricmind.define.proposal import Proposal
from metricmind.project import Project
from metricmind.testing.helpdesk import copy_helpdesk
from tests.define.monthly import assert_same_months, hand_months, proposal_months
from tests.shared_demo import loaded_copy


@pytest.fixture(scope="module")
def helpdesk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    with loaded_copy(tmp_path_factory, "helpdesk", copy_helpdesk) as project:
        yield project


def _hand(entity: str, counted: str, op_n: str, where: str = "true") -> str:
    """Hand SQL: the ``entity`` keys whose tickets of the month have ``op_n`` distinct ``counted``."""
    return f"""
    , per as (
      select date_trunc('month', created_ts) as month, {entity}, count(distinct {counted}) as n
      from analytics.fct_tickets
      where {counted} is not null and {entity} is not null and {where}
      group by 1, 2
    )
    select m.month, count(per.{entity}) as value
    from months m left join per on per.month = m.month and per.n {op_n}
    group by 1 order by 1
    """


def _analyze(project: Project, text: str, *rules: str) -> Proposal:
    p = project.analyze_definition(Definition("distinct_things", text, rules))
    assert p.refused is None and p.metric is not None, p.message
    assert p.new_model is not None
    return p


def test_the_threshold_needs_a_word_of_distinctness() -> None:
    said = distinct_threshold("Accounts with at least three different people using the product in the month")
    assert said is not None and (said.op, said.n, said.noun) == (">=", 3, ("people",))
    said = distinct_threshold("Customers reached through 3 or more distinct marketing channels each month")
    assert said is not None and (said.op, said.n, said.noun) == (">=", 3, ("marketing", "channels"))
    said = distinct_threshold("Agents with more than two unique accounts in the month")
    assert said is not None and (said.op, said.n) == (">", 2)
    assert distinct_threshold("Customers with at least 3 invoices in the month") is None  # rows, not values
    assert distinct_threshold("Accounts with at least one different agent") is None  # no threshold


def test_a_comparison_said_in_words_is_checked_like_digits() -> None:
    assert compared_numbers("at least three different users") == ["3"]
    assert compared_numbers("five or more tickets") == ["5"]
    assert compared_numbers("with at least one event") == []


def test_accounts_served_by_n_different_agents(helpdesk: Project) -> None:
    p = _analyze(helpdesk, "Accounts whose tickets went to at least 3 different agents in the month")
    assert "assignee_id" in p.new_model.sql
    assert_same_months(
        proposal_months(helpdesk, p), hand_months(helpdesk, _hand("account_id", "assignee_id", ">= 3"))
    )


def test_agents_serving_more_than_n_distinct_accounts(helpdesk: Project) -> None:
    p = _analyze(helpdesk, "Agents who handled tickets of more than 4 distinct accounts in the month")
    want = hand_months(helpdesk, _hand("assignee_id", "account_id", "> 4"))
    assert_same_months(proposal_months(helpdesk, p), want)


def test_a_dimension_counted_distinctly_with_a_rule_on_the_rows(helpdesk: Project) -> None:
    p = _analyze(
        helpdesk,
        "Accounts with at least two different ticket priorities in the month",
        "Only tickets that came in by email",
    )
    assert [r.status for r in p.rules if r.text.startswith("Only")] == ["filter"]
    want = hand_months(helpdesk, _hand("account_id", "ticket_priority", ">= 2", "via_channel = 'email'"))
    assert_same_months(proposal_months(helpdesk, p), want)


def test_a_thing_no_column_names_leaves_the_number_unread(helpdesk: Project) -> None:
    p = helpdesk.analyze_definition(
        Definition("x", "Accounts with tickets in at least 3 different colours in the month")
    )
    assert p.refused or any("3" in r.reason for r in p.unread)
    assert p.refused or p.confidence <= 0.5
