"""A ratio over the month before ("gems spent divided by last month's closing gem balance", "tickets created
divided by the previous month's tickets created"): the denominator one month back (``offset_window``), read on
the pixelforge and helpdesk samples and checked against hand SQL month by month; the start of the month of a
flow is not read.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from metricmind.define import Definition
from metricmind.define.extend import proposal_sql
from metricmind.define.priorperiod import prior_of
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


def _compare(project: Project, p: Proposal, hand: str, first: str, end: str) -> None:
    sql = proposal_sql(project.model, p, start=first, end=end)
    got = {str(r[0])[:7]: float(r[1] or 0) for r in project.warehouse.run(sql).rows}
    want = {str(r[0])[:7]: float(r[1] or 0) for r in project.warehouse.run(hand).rows}
    assert len(want) >= 5
    assert_same_months(got, want, relative=1e-6)


def _offset(project: Project, text: str, *rules: str) -> Proposal:
    p = project.analyze_definition(Definition("month_before", text, rules))
    assert p.refused is None and p.metric is not None, p.message
    inputs = p.metric["type_params"]["metrics"]
    assert [i.get("offset_window") for i in inputs] == [None, "1 month"]
    return p


def test_the_month_before_is_read_off_the_denominator() -> None:
    assert prior_of("last month's closing MRR") == ("MRR", False)
    assert prior_of("MRR at the start of the month") == ("MRR", True)
    assert prior_of("the previous month's tickets created") == ("tickets created", False)
    assert prior_of("all tickets created") is None


def test_a_flow_over_its_own_previous_month(helpdesk: Project) -> None:
    p = _offset(helpdesk, "Tickets created divided by the previous month's tickets created")
    hand = """
    with m as (
      select date_trunc('month', created_ts) as month, count(*) as n from analytics.fct_tickets group by 1
    )
    select cur.month, cur.n * 1.0 / prev.n as value
    from m cur join m prev on prev.month = cur.month - interval 1 month
    order by 1
    """
    _compare(helpdesk, p, hand, "2024-01-01", "2024-06-30")


def test_a_flow_over_last_months_closing_balance(pixelforge: Project) -> None:
    p = _offset(pixelforge, "Gems spent divided by last month's closing gem balance")
    hand = """
    with spent as (
      select date_trunc('month', snapshot_date) as month, sum(gems_sunk) as spent
      from core.rpt_gem_economy_daily group by 1
    ), closing as (
      select date_trunc('month', snapshot_date) as month, sum(gems_outstanding) as balance
      from core.rpt_gem_economy_daily
      where snapshot_date in (
        select max(snapshot_date) from core.rpt_gem_economy_daily group by date_trunc('month', snapshot_date)
      )
      group by 1
    )
    select s.month, s.spent / c.balance as value
    from spent s join closing c on c.month = s.month - interval 1 month
    order by 1
    """
    _compare(pixelforge, p, hand, "2025-01-01", "2025-12-31")


def test_the_start_of_the_month_of_a_flow_is_not_read(helpdesk: Project) -> None:
    p = helpdesk.analyze_definition(
        Definition("x", "Tickets solved divided by tickets created at the start of the month")
    )
    offset = p.metric is not None and any(
        i.get("offset_window") for i in (p.metric.get("type_params") or {}).get("metrics") or ()
    )
    assert not offset
    assert p.refused or p.confidence <= 0.5
