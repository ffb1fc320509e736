"""Silent-wrong classes of session 10 (issue 12), checked on a project that is not the demo (bazaar), each
answer run on DuckDB against hand SQL:

- a definition that counts rows of one entity ("repeat buyer orders") is never answered by a metric that
  counts another entity distinct (`repeat_buyers`, a count distinct of ``case when … then buyer_id end``,
  was proposed at 0.91 with 36 where 56 orders were placed): the entity a distinct count of a CASE
  expression counts is the one whose key the expression names; the ranking and the fit check read it;
- rows said to be absent ("Borrowers with no funded loan in the month", "Agents without any solved ticket")
  are an anti-join no proposal computes: unread, never the opposite count (`funded_borrowers` at 0.61, the
  agents with an unsolved ticket at 0.75).
"""

from __future__ import annotations

from metricmind.define import Definition, Proposal
from metricmind.define.extend import proposal_sql
from metricmind.define.fit import mismatch
from metricmind.define.money import counted_entity
from metricmind.project import Project

#: Months of the bazaar sample (January to June 2024).
START, END = "2024-01-01", "2024-12-31"


def _monthly(project: Project, p: Proposal) -> dict[str, float]:
    assert p.metric is not None, p.message
    sql = proposal_sql(project.define_model(), p, start=START, end=END)
    return {str(r[0])[:7]: float(r[1] or 0) for r in project.warehouse.run(sql).rows}


def _hand(project: Project, sql: str) -> dict[str, float]:
    return {str(r[0])[:7]: float(r[1] or 0) for r in project.warehouse.run(sql).rows}


def test_a_distinct_count_of_a_case_expression_counts_the_entity_it_names(bazaar: Project) -> None:
    model = bazaar.define_model()
    assert counted_entity(model, model.metrics["repeat_buyers"]) == "buyer"
    assert mismatch(Definition("x", "Orders of repeat buyers"), model, model.metrics["repeat_buyers"])
    assert mismatch(Definition("x", "Repeat buyers"), model, model.metrics["repeat_buyers"]) is None


def test_orders_of_repeat_buyers_are_orders_never_the_buyers(bazaar: Project) -> None:
    want = _hand(
        bazaar,
        "select date_trunc('month', placed_at), count(*) from main.fct_orders "
        "where buyer_order_number > 1 group by 1 order by 1",
    )
    assert len(want) == 6
    for text in ("Repeat buyer orders", "Number of repeat-buyer orders"):
        p = bazaar.analyze_definition(Definition("repeat_orders", text))
        assert p.metric is not None and "repeat_buyer_count" not in str(p.metric), (text, p.metric)
        got = _monthly(bazaar, p)
        assert all(abs(got.get(m, 0.0) - v) < 1e-6 for m, v in want.items()), (text, got, want)


def test_rows_said_absent_are_never_counted_as_present(lending: Project, helpdesk: Project) -> None:
    for project, text in (
        (lending, "Borrowers with no funded loan in the month"),
        (helpdesk, "Agents without any solved ticket in the month"),
        (helpdesk, "Accounts with zero tickets in the month"),
    ):
        p = project.analyze_definition(Definition("absent", text))
        assert p.metric is None or p.unread, (text, p.metric, p.confidence)
        assert p.metric is None or p.confidence <= 0.5, (text, p.confidence)
