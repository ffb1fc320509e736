"""Money named by its currency beside its document ("euros billed in shipping fees", "invoiced dollars"), and
a ratio whose numerator is said by values alone ("phone and chat as a share of all tickets created"): read on
the lastmile and helpdesk samples and checked against hand SQL month by month.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from metricmind.define import Definition
from metricmind.define.extend import proposal_sql
from metricmind.define.forms import Change
from metricmind.define.moneyword import as_amount
from metricmind.define.proposal import Proposal
from metricmind.define.valuepart import values_only
from metricmind.project import Project
from metricmind.testing.helpdesk import copy_helpdesk
from metricmind.testing.lastmile import copy_lastmile
from tests.define.monthly import assert_same_months
from tests.shared_demo import loaded_copy


@pytest.fixture(scope="module")
def helpdesk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    with loaded_copy(tmp_path_factory, "helpdesk", copy_helpdesk) as project:
        yield project


@pytest.fixture(scope="module")
def lastmile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    with loaded_copy(tmp_path_factory, "lastmile", copy_lastmile) as project:
        yield project


def _compare(project: Project, p: Proposal, hand: str, first: str, last: str) -> None:
    end = project.warehouse.run(f"select last_day(date '{last}')").rows[0][0]
    sql = proposal_sql(project.model, p, start=first, end=str(end))
    got = {str(r[0])[:7]: float(r[1] or 0) for r in project.warehouse.run(sql).rows}
    months = (
        "with months as (select cast(m as date) as month "
        f"from generate_series(date '{first}', date '{last}', interval 1 month) t(m)) "
    )
    want = {str(r[0])[:7]: float(r[1] or 0) for r in project.warehouse.run(months + hand).rows}
    assert want
    assert_same_months(got, want, relative=1e-6)


def _answer(project: Project, text: str, *rules: str) -> Proposal:
    p = project.analyze_definition(Definition("money_things", text, rules))
    assert p.refused is None and p.metric is not None, p.message
    return p


def test_a_currency_noun_is_read_as_the_amount_and_a_unit_is_not(helpdesk: Project) -> None:
    def read(text: str) -> str:
        changes: list[Change] = []
        return as_amount(Definition("x", text), helpdesk.model, changes).text

    assert read("Invoiced dollars") == "Invoiced amount"
    assert read("Euros billed to shippers") == "amount billed to shippers"
    assert read("Revenue in dollars") == "Revenue in dollars"  # a unit
    assert read("MRR in thousands of dollars") == "MRR in thousands of dollars"
    assert read("Dollars times 100") == "Dollars times 100"


def test_euros_billed_are_the_money_column_billed(lastmile: Project) -> None:
    p = _answer(lastmile, "Euros billed in shipping fees, by booking month")
    assert any("as 'amount'" in d for d in p.doubts)  # the reading is named for a person to check
    hand = """
    select m.month, coalesce(sum(p.shipping_fee_eur), 0) as value
    from months m left join core.parcels p on date_trunc('month', p.booked_tstamp) = m.month
    group by 1 order by 1
    """
    _compare(lastmile, p, hand, "2024-10-01", "2025-09-01")


def test_a_numerator_said_by_values_alone_keeps_the_denominators_rows(helpdesk: Project) -> None:
    assert values_only(helpdesk.define_model(), "Phone and chat")
    assert not values_only(helpdesk.define_model(), "Phone tickets solved")
    p = _answer(helpdesk, "Phone and chat as a share of all tickets created")
    hand = """
    select m.month,
      count(case when t.via_channel in ('phone', 'chat') then 1 end) * 1.0 / count(t.ticket_id) as value
    from months m join analytics.fct_tickets t on date_trunc('month', t.created_ts) = m.month
    group by 1 order by 1
    """
    _compare(helpdesk, p, hand, "2024-01-01", "2024-06-01")


def test_a_value_numerator_as_a_percentage(helpdesk: Project) -> None:
    p = _answer(helpdesk, "Urgent tickets as a % of all tickets created", "Percent 0-100")
    hand = """
    select m.month,
      100.0 * count(case when t.ticket_priority = 'urgent' then 1 end) / count(t.ticket_id) as value
    from months m join analytics.fct_tickets t on date_trunc('month', t.created_ts) = m.month
    group by 1 order by 1
    """
    _compare(helpdesk, p, hand, "2024-01-01", "2024-06-01")
