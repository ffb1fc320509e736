"""``define`` on the foreign projects, in wording of its own (session 7): "non-X" drops X, "mean" is the
average, and a noun put "out" at the end of a rule is left out, on projects that share no word list with
the demo. Each proposal is analyzed as the CLI does (``Project.analyze_definition``), compiled without dbt
and run on the project's warehouse against hand-written SQL.
"""

from __future__ import annotations

import datetime as dt

from metricmind.define import Definition, Proposal
from metricmind.define.extend import proposal_sql
from metricmind.project import Project
from tests.foreign.conftest import close


def _monthly(project: Project, sql: str) -> dict[dt.date, float]:
    out: dict[dt.date, float] = {}
    for row in project.warehouse.run(sql).rows:
        month = row[0].date() if isinstance(row[0], dt.datetime) else row[0]
        out[month] = float(row[1] or 0.0)
    return out


def _assert_equal(project: Project, p: Proposal, hand: str) -> None:
    assert p.refused is None and p.metric is not None, p.message
    assert not [r for r in p.rules if r.status == "unread"], p.rules
    got = _monthly(
        project, proposal_sql(project.model, p, dialect=project.dialect, start="2024-01-01", end="2024-07-01")
    )
    want = _monthly(project, hand)
    assert want and all(close(got.get(m, 0.0), v) for m, v in want.items()), (got, want)


def test_non_cancelled_orders_drop_the_cancelled_status(bazaar: Project) -> None:
    p = bazaar.analyze_definition(
        Definition("de_buyers", "Unique buyers in DE who placed orders", ("non-cancelled orders",))
    )
    _assert_equal(
        bazaar,
        p,
        "select date_trunc('month', o.placed_at), count(distinct o.buyer_id) from fct_orders o "
        "join dim_buyers b using (buyer_id) where b.buyer_country = 'DE' and o.order_status <> 'cancelled' "
        "group by 1 order by 1",
    )


def test_mean_hours_is_the_average(helpdesk: Project) -> None:
    p = helpdesk.analyze_definition(
        Definition("urgent_resolution", "Mean resolution time in hours", ("high priority tickets only",))
    )
    _assert_equal(
        helpdesk,
        p,
        "select date_trunc('month', created_ts), avg(resolution_mins / 60.0) from analytics.fct_tickets "
        "where ticket_priority = 'high' and is_solved group by 1 order by 1",
    )


def test_a_noun_put_out_drops_it(lending: Project) -> None:
    p = lending.analyze_definition(
        Definition("funded_ex_debt", "Funded amount by funding month", ("debt consolidation loans out",))
    )
    _assert_equal(
        lending,
        p,
        "select date_trunc('month', funded_date), sum(principal_amount) from prod.fct_loans "
        "where loan_product <> 'debt_consolidation' group by 1 order by 1",
    )


def test_a_measure_converted_in_its_expression_is_in_the_converted_unit(helpdesk: Project) -> None:
    # `avg_resolution_hours` averages resolution_mins / 60.0: hours already, and × 60 for minutes
    for unit, factor in (("hours", "/ 60.0"), ("minutes", "")):
        p = helpdesk.analyze_definition(
            Definition("resolution", f"Mean resolution time in {unit}", ("high priority tickets only",))
        )
        _assert_equal(
            helpdesk,
            p,
            f"select date_trunc('month', created_ts), avg(resolution_mins {factor}) from analytics.fct_tickets "
            "where ticket_priority = 'high' group by 1 order by 1",
        )


def test_two_dimensions_named_with_their_values_filter_both(helpdesk: Project) -> None:
    p = helpdesk.analyze_definition(
        Definition("urgent_email", "Ticket volume", ("channel email, priority high",))
    )
    _assert_equal(
        helpdesk,
        p,
        "select date_trunc('month', created_ts), count(*) from analytics.fct_tickets "
        "where via_channel = 'email' and ticket_priority = 'high' group by 1 order by 1",
    )


def test_percent_of_orders_that_were_cancelled_is_a_share(bazaar: Project) -> None:
    p = bazaar.analyze_definition(
        Definition("cancel_share", "Percent of orders that were cancelled", ("as a fraction",))
    )
    _assert_equal(
        bazaar,
        p,
        "select date_trunc('month', placed_at), avg(case when order_status = 'cancelled' then 1.0 else 0.0 end) "
        "from fct_orders group by 1 order by 1",
    )


def test_a_compared_number_nothing_reads_is_never_answered(lending: Project) -> None:
    p = lending.analyze_definition(
        Definition("big_loans", "Loans funded with more than 25000 in principal", ())
    )
    assert p.refused or any("compares with 25000" in r.reason for r in p.unread), (p.refused, p.rules)
