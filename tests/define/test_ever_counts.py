"""Entities that have ever done something, as of each month's end ("accounts that have ever had a ticket
solved"): a cumulative distinct count over all history, read on the helpdesk and pixelforge samples and checked
against hand SQL month by month; all history asked of a metric that accumulates nothing stays unread.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from metricmind.define import Definition
from metricmind.define.ever import asks_ever
from metricmind.define.extend import proposal_sql
from metricmind.define.proposal import Proposal
from metricmind.project import Project
from metricmind.testing.helpdesk import copy_helpdesk
from metricmind.testing.pixelforge import copy_pixelforge
from tests.define.monthly import assert_same_months
from tests.shared_demo import loaded_copy


@pytest.fixture(scope="module")
def helpdesk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    with loaded_copy(tmp_path_factory, "helpdesk", copy_helpdesk) as project:
        yield project


@pytest.fixture(scope="module")
def pixelforge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    with loaded_copy(tmp_path_factory, "pixelforge", copy_pixelforge) as project:
        yield project


def _ever(project: Project, text: str, *rules: str) -> Proposal:
    p = project.analyze_definition(Definition("ever_things", text, rules))
    assert p.refused is None and p.metric is not None, p.message
    assert p.metric["type"] == "cumulative"
    assert p.metric["type_params"]["cumulative_type_params"] == {"period_agg": "last"}
    return p


def _compare(project: Project, p: Proposal, hand: str, first: str, last: str) -> None:
    end = project.warehouse.run(f"select last_day(date '{last}')").rows[0][0]
    sql = proposal_sql(project.model, p, start=first, end=str(end))
    got = {str(r[0])[:7]: float(r[1] or 0) for r in project.warehouse.run(sql).rows}
    months = (
        "with months as (select cast(m as date) as month, last_day(cast(m as date)) as month_end "
        f"from generate_series(date '{first}', date '{last}', interval 1 month) t(m)) "
    )
    want = {str(r[0])[:7]: float(r[1] or 0) for r in project.warehouse.run(months + hand).rows}
    assert want and len(set(want.values())) > 1  # the months differ: a monthly flow would not pass
    assert_same_months(got, want)


def test_all_history_is_asked_by_its_own_words() -> None:
    assert asks_ever("Customers who have ever paid an invoice")
    assert asks_ever("Running total of shippers that booked a parcel")
    assert asks_ever("Cumulative count of borrowers with a payment")
    assert asks_ever("Accounts with a solved ticket, to date")
    assert not asks_ever("Customers whose first ever paid subscription started in the month")  # a flow
    assert not asks_ever("Customers who paid an invoice in the month")


def test_accounts_that_ever_had_a_ticket_solved(helpdesk: Project) -> None:
    p = _ever(helpdesk, "Accounts that have ever had a ticket solved, as of each month end")
    hand = """
    select m.month, count(distinct t.account_id) as value
    from months m left join analytics.fct_tickets t on cast(t.solved_ts as date) <= m.month_end
    group by 1 order by 1
    """
    _compare(helpdesk, p, hand, "2024-01-01", "2024-06-01")


def test_a_rule_on_the_rows_filters_them_before_they_are_counted(helpdesk: Project) -> None:
    p = _ever(
        helpdesk,
        "Running total of accounts that have ever had a ticket solved",
        "Only tickets that came in by phone",
        "Keep counting an account after it churns",
    )
    assert [r.status for r in p.rules if not r.text.startswith("(")] == ["filter", "covered"]
    hand = """
    select m.month, count(distinct t.account_id) as value
    from months m left join analytics.fct_tickets t
      on cast(t.solved_ts as date) <= m.month_end and t.via_channel = 'phone'
    group by 1 order by 1
    """
    _compare(helpdesk, p, hand, "2024-01-01", "2024-06-01")


def test_agents_who_ever_solved_a_ticket_by_the_date_named(helpdesk: Project) -> None:
    p = _ever(helpdesk, "Cumulative number of agents who have ever solved a ticket")
    assert "solved_ts" in str(p.new_measures[0].measure["agg_time_dimension"])


def test_players_who_ever_purchased(pixelforge: Project) -> None:
    p = _ever(pixelforge, "Players who have ever purchased something in a game, as of each month end")
    hand = """
    select m.month, count(distinct i.player_id) as value
    from months m left join core.fct_iap_purchases i on cast(i.purchased_at as date) <= m.month_end
    group by 1 order by 1
    """
    _compare(pixelforge, p, hand, "2025-01-01", "2025-12-01")


def test_all_history_of_a_metric_that_accumulates_nothing_stays_unread(helpdesk: Project) -> None:
    p = helpdesk.analyze_definition(Definition("ticket_volume_to_date", "Ticket volume to date"))
    assert p.refused or p.metric["type"] == "cumulative" or any("all history" in r.reason for r in p.unread)
    assert p.refused or p.metric["type"] == "cumulative" or p.confidence <= 0.5
