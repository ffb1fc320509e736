"""A threshold per entity in a question that names a period: the answer says the threshold is over all
time (MetricFlow's ``{{ Metric(...) }}`` filter semantics) and is never confident. Checked by running the
answer on DuckDB: the rows are the entities whose *all-time* value passes, not their value in the period.
"""

from __future__ import annotations

import datetime as dt

from metricmind.project import Project
from metricmind.resolve import Resolver
from metricmind.spec.query import MetricQuery

DAY = dt.date(2026, 6, 30)  # the fixture demo's last day


def _per_customer(project: Project, start: str | None, end: str | None) -> dict[str, float]:
    q = MetricQuery.build(metrics=["events"], group_by=["customer__name"], start=start, end=end)
    return {str(r[0]): float(r[1] or 0) for r in project.run(q).rows}


def test_a_threshold_in_a_period_is_over_all_time_and_says_so(
    resolver: Resolver, resolve_demo: Project
) -> None:
    in_may = _per_customer(resolve_demo, "2026-05-01", "2026-06-01")
    all_time = _per_customer(resolve_demo, None, None)
    cut = max(in_may.values())  # nobody passes it in May; many do over all time
    assert any(v > cut for v in all_time.values())

    res = resolver.resolve(f"which customers logged more than {cut:.0f} events last month", as_of=DAY)
    assert res.answerable, res.reason
    assert res.time_range == (dt.date(2026, 5, 1), dt.date(2026, 6, 1))
    assert [(f.metric, f.op) for f in res.filters] == [("events", ">")]
    assert res.comparison is None  # "more than N … last month" is no comparison with last month
    assert res.confidence < 0.8
    assert any("over all recorded history" in n for n in res.notes)

    rows = resolve_demo.run(res.metric_query()).rows
    names = {str(r[0]) for r in rows}
    assert names, "the threshold is over all time: customers pass it that did not in May"
    assert names <= {n for n, v in all_time.items() if v > cut}
    assert all(in_may.get(n, 0.0) <= cut for n in names)


def test_a_threshold_without_a_period_is_answered_confidently(resolver: Resolver) -> None:
    res = resolver.resolve("which accounts are paying us more than 15k a month", as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["mrr"]
    assert [(f.metric, f.op, f.values) for f in res.filters] == [("mrr", ">", ("15000.0",))]
    assert [g[0] for g in res.group_by] == ["customer__name"]
    assert res.confidence >= 0.8


def test_a_snapshot_threshold_now_needs_no_caveat(resolver: Resolver) -> None:
    # the latest value of a snapshot over all time is its value now
    res = resolver.resolve("which customers owe more than 5k overdue right now", as_of=DAY)
    assert res.answerable, res.reason
    assert not any("over all recorded history" in n for n in res.notes)


def test_a_verb_before_the_threshold_is_read_with_it(resolver: Resolver) -> None:
    res = resolver.resolve("customers owing more than 2k overdue rn", as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["overdue_amount"]
    assert 0.5 <= res.confidence < 0.8  # "overdue" is a shortened name


def test_a_monthly_payment_said_with_monthly_or_by_a_paying_stage(resolver: Resolver) -> None:
    # "paying" is also a lifecycle stage: here it is the verb of what they pay, and "20" no label's number
    res = resolver.resolve("which customers are paying us at least 20k monthly", as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["mrr"]
    assert [(f.metric, f.op, f.values) for f in res.filters] == [("mrr", ">=", ("20000.0",))]
    assert [g[0] for g in res.group_by] == ["customer__name"]
