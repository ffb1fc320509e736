"""Entities with at least one row in a month-end open state ("customers with at least one overdue invoice at
month end", "shippers with an overdue parcel at month end"): a distinct count of the entity on the month-end
snapshot of those rows (``openstate``), never the entity's own count. Read on the demo in a new wording and
on the lastmile and helpdesk samples, checked against hand SQL month by month.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from metricmind.define import Definition
from metricmind.define.extend import proposal_sql
from metricmind.define.proposal import Proposal
from metricmind.define.reach import unreached
from metricmind.define.words import lexicon
from metricmind.project import Project
from metricmind.testing.helpdesk import copy_helpdesk
from metricmind.testing.lastmile import copy_lastmile
from tests.define.monthly import assert_same_months
from tests.shared_demo import loaded_copy


@pytest.fixture(scope="module")
def lastmile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    with loaded_copy(tmp_path_factory, "lastmile", copy_lastmile) as project:
        yield project


@pytest.fixture(scope="module")
def helpdesk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    with loaded_copy(tmp_path_factory, "helpdesk", copy_helpdesk) as project:
        yield project


def _months(first: str, last: str) -> str:
    return (
        "with months as (select cast(m as date) as month, last_day(cast(m as date)) as month_end "
        f"from generate_series(date '{first}', date '{last}', interval 1 month) t(m)) "
    )


def _compare(project: Project, p: Proposal, hand: str, first: str, last: str) -> None:

    end = project.warehouse.run(f"select last_day(date '{last}')").rows[0][0]
    sql = proposal_sql(project.model, p, start=first, end=str(end))
    got = {str(r[0])[:7]: float(r[1] or 0) for r in project.warehouse.run(sql).rows}
    want = {str(r[0])[:7]: float(r[1] or 0) for r in project.warehouse.run(_months(first, last) + hand).rows}
    assert_same_months(got, want)


def _analyze(project: Project, text: str, *rules: str) -> Proposal:
    p = project.analyze_definition(Definition("open_things", text, rules))
    assert p.refused is None and p.metric is not None, p.message
    assert p.new_model is not None and "month_end" in p.new_model.name
    return p


def test_a_metric_label_never_hides_the_rows_a_definition_names(demo: Project) -> None:
    # "invoice" is the label of `invoice_count`; it still names invoice rows, which customers never reach
    text = "Number of customers with an overdue invoice at each month end"
    assert unreached(demo.model, "active_customers", text) == ["invoice"]
    assert lexicon(demo.model).lookup(("invoice",))  # the label is there


def test_customers_with_an_overdue_invoice_on_the_demo(demo: Project) -> None:
    p = _analyze(
        demo,
        "How many customers had an invoice past due on the last day of each month",
        "Past due means due before that day, issued by then, not yet paid then and not written off by then",
    )
    hand = """
    select m.month, count(distinct i.customer_id) as value
    from months m left join fct_invoices_canonical i
      on i.issued_at <= m.month_end and i.due_at < m.month_end
      and (i.paid_at is null or i.paid_at > m.month_end)
      and (i.written_off_at is null or i.written_off_at > m.month_end)
    group by 1 order by 1
    """
    _compare(demo, p, hand, "2024-01-01", "2024-12-01")


def test_shippers_with_an_overdue_parcel_at_month_end(lastmile: Project) -> None:
    p = _analyze(lastmile, "Shippers with at least one overdue parcel at month end")
    hand = """
    select m.month, count(distinct p.shipper_id) as value
    from months m left join core.parcels p
      on p.booked_tstamp <= m.month_end and (p.delivered_tstamp is null or p.delivered_tstamp > m.month_end)
      and p.promised_dt < m.month_end
    group by 1 order by 1
    """
    _compare(lastmile, p, hand, "2024-10-01", "2025-09-01")


def test_accounts_with_an_unsolved_ticket_at_month_end(helpdesk: Project) -> None:
    p = _analyze(helpdesk, "Number of accounts with an unsolved ticket at each month end")
    hand = """
    select m.month, count(distinct t.account_id) as value
    from months m left join analytics.fct_tickets t
      on t.created_ts <= m.month_end and (t.solved_ts is null or t.solved_ts > m.month_end)
    group by 1 order by 1
    """
    _compare(helpdesk, p, hand, "2024-01-01", "2024-06-01")
