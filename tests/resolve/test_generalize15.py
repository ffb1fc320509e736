"""The classes fixed on the second round of foreign questions (``tests/foreign/test_resolve_generalize15.py``), tried
on the demo in its own words, with the rows checked on its warehouse where numbers are involved:

- a period said by its closing day ("the quarter ended 31 March 2026", "as at 31 May");
- SQL's "not equal" sign (``region <> 'EMEA'``), ``order by 2 desc``, a yes/no column compared in SQL
  (``is_paid_late = 0``);
- a grain adjective that one of the metric's own names holds with the words read ("weekly active users" is WAU's,
  so "weekly actives" is no breakdown) while "monthly mrr in 2025" stays by month.
"""

from __future__ import annotations

import datetime as dt

import pytest

from metricmind.project import Project
from metricmind.resolve import Resolver

AS_OF = dt.date(2026, 6, 18)


def _total(project: Project, resolver: Resolver, question: str) -> float:
    res = resolver.resolve(question, as_of=AS_OF)
    assert res.answerable, res.reason
    query = res.metric_query()
    assert query is not None
    rows = project.run(query).rows
    assert rows
    return sum(float(r[-1] or 0) for r in rows)


def test_quarter_ended_on_a_day_is_that_quarter(resolve_demo: Project, resolver: Resolver) -> None:
    res = resolver.resolve("invoice revenue for the quarter ended 31 march 2026", as_of=AS_OF)
    assert res.metrics == ["invoice_revenue"]
    assert res.time_range == (dt.date(2026, 1, 1), dt.date(2026, 4, 1))
    said = _total(resolve_demo, resolver, "invoice revenue for the quarter ended 31 march 2026")
    assert said == pytest.approx(_total(resolve_demo, resolver, "invoice revenue in q1 2026")) and said > 0


def test_balance_as_at_a_month_end_is_that_month(resolver: Resolver) -> None:
    res = resolver.resolve("mrr as at 31 may, by region", as_of=AS_OF)
    assert res.answerable, res.reason
    assert res.metrics == ["mrr"]
    assert res.group_by == [("customer__region", None)]
    assert res.time_range == (dt.date(2026, 5, 1), dt.date(2026, 6, 1))


def test_sql_signs_and_positions(resolve_demo: Project, resolver: Resolver) -> None:
    res = resolver.resolve("mrr where region <> 'EMEA', june 2026", as_of=AS_OF)
    assert [(f.field, f.op, f.values) for f in res.filters] == [("customer__region", "!=", ("EMEA",))]
    ranked = resolver.resolve("mrr group by region order by 2 desc limit 3", as_of=AS_OF)
    assert ranked.order_by == [("mrr", True)] and ranked.limit == 3
    late = _total(resolve_demo, resolver, "invoice revenue where is_paid_late = 1 -- q1 2026")
    on_time = _total(resolve_demo, resolver, "invoice revenue where is_paid_late = 0 -- q1 2026")
    assert late + on_time == pytest.approx(_total(resolve_demo, resolver, "invoice revenue q1 2026"))
    flagged = resolver.resolve("invoice revenue where is_paid_late = 0 -- q1 2026", as_of=AS_OF)
    assert [(f.field, f.values) for f in flagged.filters] == [("invoice__is_paid_late", ("false",))]


def test_grain_adjective_of_the_metrics_own_name(resolver: Resolver) -> None:
    monthly = resolver.resolve("monthly mrr in 2025", as_of=AS_OF)
    assert monthly.group_by == [("metric_time", "month")]
