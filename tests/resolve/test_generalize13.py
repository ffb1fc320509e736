"""Generalization probe, thirteenth round (issue 14): the kinds the ninth code-blind set (an analyst who types SQL
words, a RevOps manager, a support lead, a board member) showed weakest, each fixed at its cause and tried here in
other words, on the demo and on ANOTHER project, with the rows checked on the warehouse.

- an amount said of a counted noun ("invoice amounts", "sum(invoice amount)", "the sum of the application
  amounts") is what the rows add up to, a sum, never the count of the noun: the plain amount the catalog names
  so, or the amount of the kind a value names ("paid invoice amount": revenue); on a catalog without units, the
  one sum over what the count counts;
- "new vs churned mrr" is two metrics, each side with the noun after it, when both name one; a yes/no
  dimension's word on one side ("new") is no breakdown by that flag then (pixelforge's "organic vs paid
  installs" still is one);
- an entity's noun said with a participle of winning or losing, also twice in one list ("accounts won and
  accounts lost", "closed-won logos"), counts those won or lost: the new and churned counts;
- "X, Y and X per Y" asks all three: the ratio the catalog has for "X per Y", and each item said apart;
- an analyst's words for the data's shape ("number of rows in the … table", "one row per …", "i.e.") are
  read as nothing, so the period said with them stands;
- "filtering out rows where <column> in (…)" leaves the values out: the SQL words between the cue and its
  values do not break the exclusion.

The rest of the round is in ``test_generalize13b.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from metricmind.project import Project
from metricmind.resolve import Resolver
from metricmind.spec.query import MetricQuery
from metricmind.testing.bazaar import copy_bazaar
from metricmind.testing.lending import copy_lending
from metricmind.testing.pixelforge import copy_pixelforge
from tests.shared_demo import loaded_copy

DAY = dt.date(2026, 6, 18)
FOREIGN_DAY = dt.date(2024, 7, 3)


@pytest.fixture(scope="module")
def lending(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """The lending project with its warehouse (its own copy: this file only reads it)."""
    with loaded_copy(tmp_path_factory, "lending", copy_lending) as project:
        yield project


@pytest.fixture(scope="module")
def pixelforge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """The pixelforge (mobile game) project with its warehouse."""
    with loaded_copy(tmp_path_factory, "pixelforge", copy_pixelforge) as project:
        yield project


@pytest.fixture(scope="module")
def bazaar(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """The bazaar (marketplace) project with its warehouse."""
    with loaded_copy(tmp_path_factory, "bazaar", copy_bazaar) as project:
        yield project


def _rows(project: Project, query: MetricQuery) -> dict[object, float]:
    return {tuple(r[:-1]): float(r[-1] or 0) for r in project.run(query).rows}


# -- an amount said of a counted noun ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "invoice amounts by month in 2025",
        "sum(invoice amount) by month, 2025",
        "total invoice amount per month for 2025",
        "the sum of all invoice amounts by month in 2025",
    ],
)
def test_an_invoice_amount_is_the_billed_sum_not_the_count(
    resolver: Resolver, resolve_demo: Project, question: str
) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["billed_amount"]  # (was the invoice count, at full confidence)
    assert res.filters == []
    query = res.metric_query()
    assert query is not None
    got = _rows(resolve_demo, query)
    want = resolve_demo.warehouse.run(
        "select date_trunc('month', issued_at), sum(amount) from fct_invoices_canonical "
        "where issued_at >= '2025-01-01' and issued_at < '2026-01-01' group by 1"
    ).rows
    assert got and got == pytest.approx({(r[0],): float(r[1]) for r in want})
    counts = _rows(resolve_demo, MetricQuery(metrics=("invoice_count",), group_by=query.group_by))
    assert any(got[k] != counts.get(k) for k in got)


@pytest.mark.parametrize(
    "question",
    ["paid invoice amounts by month in 2025", "sum(paid invoice amount) by month for 2025"],
)
def test_a_paid_invoice_amount_is_the_revenue_metric(
    resolver: Resolver, resolve_demo: Project, question: str
) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["invoice_revenue"]
    assert res.filters == []  # (the metric's own kind of invoice: no second filter on the status)
    query = res.metric_query()
    assert query is not None
    got = _rows(resolve_demo, query)
    want = resolve_demo.warehouse.run(
        "select date_trunc('month', paid_at), sum(amount) from fct_invoices_canonical "
        "where paid_at >= '2025-01-01' and paid_at < '2026-01-01' group by 1"
    ).rows
    assert got and got == pytest.approx({(r[0],): float(r[1]) for r in want})


def test_customers_having_a_summed_paid_amount_over_a_threshold(
    resolver: Resolver, resolve_demo: Project
) -> None:
    res = resolver.resolve("show customer names having sum(paid invoice amount) above 20000", as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["invoice_revenue"]
    (f,) = res.filters
    assert (f.metric, f.op, float(f.values[0])) == ("invoice_revenue", ">", 20000.0)
    query = res.metric_query()
    assert query is not None
    got = _rows(resolve_demo, query)
    per = _rows(resolve_demo, MetricQuery(metrics=("invoice_revenue",), group_by=query.group_by))
    assert got and got == pytest.approx({k: v for k, v in per.items() if v > 20000})


def test_the_count_alone_stays_a_count(resolver: Resolver) -> None:
    res = resolver.resolve("how many invoices by month in 2025", as_of=DAY)
    assert res.metrics == ["invoice_count"]


@pytest.mark.parametrize(
    "question", ["application amount by month in q2", "sum of the application amounts per month, q2"]
)
def test_an_amount_of_a_counted_noun_on_a_catalog_without_units(lending: Project, question: str) -> None:
    res = lending.resolver().resolve(question, as_of=FOREIGN_DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["requested_amount"]  # (was the count of applications, at full confidence)
    query = res.metric_query()
    assert query is not None
    got = _rows(lending, query)
    want = lending.warehouse.run(
        "select date_trunc('month', applied_at), sum(requested_amount) from prod.fct_applications "
        "where applied_at >= '2024-04-01' and applied_at < '2024-07-01' group by 1"
    ).rows
    assert got and got == pytest.approx({(r[0],): float(r[1]) for r in want})
    assert lending.resolver().resolve("applications by month in q2", as_of=FOREIGN_DAY).metrics == [
        "applications"
    ]


# -- two sides of "vs", each a metric with the noun after them ---------------------------------------------------
@pytest.mark.parametrize(
    "question", ["new versus churned mrr per quarter in 2025", "new vs churned customers by quarter, 2025"]
)
def test_both_sides_of_versus_with_the_noun_are_two_metrics(
    resolver: Resolver, resolve_demo: Project, question: str
) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    noun = "mrr" if "mrr" in question else "customers"
    assert sorted(res.metrics) == [f"churned_{noun}", f"new_{noun}"]
    assert [g for g, _ in res.group_by] == ["metric_time"]  # (was grouped by the is-new-customer flag)
    query = res.metric_query()
    assert query is not None
    rows = resolve_demo.run(query).rows
    for at, metric in enumerate(query.metrics, start=1):
        alone = _rows(resolve_demo, MetricQuery(metrics=(metric,), group_by=query.group_by, **_period(query)))
        together = {(r[0],): float(r[at]) for r in rows if r[at]}  # (a month with none of it: empty)
        assert together == pytest.approx({k: v for k, v in alone.items() if v})
    assert res.confidence >= 0.8


def _period(query: MetricQuery) -> dict[str, dt.date | None]:
    return {"start": query.start, "end": query.end}


def test_a_flags_own_sides_still_group_by_it(pixelforge: Project) -> None:
    res = pixelforge.resolver().resolve("d1 retention organic vs paid installs", as_of=FOREIGN_DAY)
    assert res.metrics == ["d1_retention"]
    assert [g for g, _ in res.group_by] == ["player__is_organic"]
    query = res.metric_query()
    assert query is not None
    assert {r[0] for r in pixelforge.run(query).rows} == {True, False}


# -- won and lost said of the entity -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "metrics"),
    [
        ("accounts won and accounts lost by month in 2025", ["new_customers", "churned_customers"]),
        ("logos won and logos lost per month, 2025", ["new_customers", "churned_customers"]),
        ("closed-won logos by month in 2025", ["new_customers"]),
    ],
)
def test_an_entity_won_or_lost_is_the_new_or_churned_count(
    resolver: Resolver, resolve_demo: Project, question: str, metrics: list[str]
) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == metrics  # (was the active customers, the noun alone)
    assert res.confidence >= 0.8
    query = res.metric_query()
    assert query is not None
    rows = resolve_demo.run(query).rows
    assert rows
    for at, metric in enumerate(query.metrics, start=1):
        alone = _rows(resolve_demo, MetricQuery(metrics=(metric,), group_by=query.group_by, **_period(query)))
        together = {(r[0],): float(r[at]) for r in rows if r[at]}  # (a month with none of it: empty)
        assert together == pytest.approx({k: v for k, v in alone.items() if v})


def test_an_entity_won_on_another_catalog(bazaar: Project) -> None:
    res = bazaar.resolver().resolve("buyers won and buyers lost in q2", as_of=FOREIGN_DAY)
    assert res.metrics == ["new_buyers"]  # (no churned buyers in that catalog: the won ones only)
    query = res.metric_query()
    assert query is not None
    got = _rows(bazaar, query)
    assert got and got == pytest.approx(_rows(bazaar, MetricQuery(metrics=("new_buyers",), **_period(query))))


# -- a ratio beside its own parts in one list ---------------------------------------------------------------------
def test_a_ratio_listed_with_its_parts_keeps_every_item(resolver: Resolver, resolve_demo: Project) -> None:
    res = resolver.resolve(
        "mrr, paying customers and mrr per paying customer by segment in march 2025", as_of=DAY
    )
    assert res.answerable, res.reason
    assert sorted(res.metrics) == ["active_customers", "arpa", "mrr"]  # (was ARPA alone, at full confidence)
    query = res.metric_query()
    assert query is not None
    rows = resolve_demo.run(query).rows
    at = {m: i + 1 for i, m in enumerate(query.metrics)}
    assert rows
    for r in rows:
        assert float(r[at["arpa"]]) == pytest.approx(float(r[at["mrr"]]) / float(r[at["active_customers"]]))


def test_a_ratio_listed_with_its_parts_on_another_catalog(bazaar: Project) -> None:
    res = bazaar.resolver().resolve("gmv, orders and gmv per order last quarter", as_of=FOREIGN_DAY)
    assert sorted(res.metrics) == ["aov", "gmv", "orders"]
    query = res.metric_query()
    assert query is not None
    (row,) = bazaar.run(query).rows
    at = {m: i for i, m in enumerate(query.metrics)}
    assert float(row[at["aov"]]) == pytest.approx(float(row[at["gmv"]]) / float(row[at["orders"]]))


# -- the data's shape in an analyst's words -----------------------------------------------------------------------
def test_rows_of_a_table_are_what_it_holds(resolver: Resolver, resolve_demo: Project) -> None:
    res = resolver.resolve(
        "count the rows in the invoices table for april 2025, i.e. how many invoices were issued", as_of=DAY
    )
    assert res.answerable, res.reason
    assert res.metrics == ["invoice_count"]
    assert res.time_range == (dt.date(2025, 4, 1), dt.date(2025, 5, 1))  # (was dropped with the context)
    assert res.confidence >= 0.8
    query = res.metric_query()
    assert query is not None
    ((n,),) = resolve_demo.run(query).rows
    ((want,),) = resolve_demo.warehouse.run(
        "select count(*) from fct_invoices_canonical where issued_at >= '2025-04-01' and issued_at < '2025-05-01'"
    ).rows
    assert n == want


def test_rows_of_a_table_on_another_catalog(lending: Project) -> None:
    res = lending.resolver().resolve(
        "number of rows in the applications table for may, i.e. how many applications came in",
        as_of=FOREIGN_DAY,
    )
    assert res.metrics == ["applications"]
    assert res.time_range == (dt.date(2024, 5, 1), dt.date(2024, 6, 1))
    query = res.metric_query()
    assert query is not None
    ((n,),) = lending.run(query).rows
    ((want,),) = lending.warehouse.run(
        "select count(*) from prod.fct_applications where applied_at >= '2024-05-01' and applied_at < '2024-06-01'"
    ).rows
    assert n == want


# -- "filtering out rows where … in (…)" -------------------------------------------------------------------------
def test_filtering_out_rows_where_a_column_is_in_a_list(resolver: Resolver, resolve_demo: Project) -> None:
    res = resolver.resolve(
        "new customers in 2025, filtering out rows where segment in (SMB, Mid-Market)", as_of=DAY
    )
    assert res.answerable, res.reason
    (f,) = res.filters
    assert (f.field, f.op, sorted(f.values)) == ("customer__segment", "not in", ["Mid-Market", "SMB"])
    query = res.metric_query()
    assert query is not None
    ((n,),) = resolve_demo.run(query).rows
    by = _rows(
        resolve_demo,
        MetricQuery(metrics=("new_customers",), group_by=("customer__segment",), **_period(query)),
    )
    assert n == sum(v for (k,), v in by.items() if k not in ("SMB", "Mid-Market"))


def test_filtering_out_rows_on_another_catalog(lending: Project) -> None:
    res = lending.resolver().resolve(
        "applications in q2, filtering out rows where decision in (withdrawn, pending)", as_of=FOREIGN_DAY
    )
    (f,) = res.filters
    assert (f.field, f.op, sorted(f.values)) == ("application__decision", "not in", ["pending", "withdrawn"])
    query = res.metric_query()
    assert query is not None
    ((n,),) = lending.run(query).rows
    ((want,),) = lending.warehouse.run(
        "select count(*) from prod.fct_applications where applied_at >= '2024-04-01' and applied_at < '2024-07-01' "
        "and decision not in ('withdrawn', 'pending')"
    ).rows
    assert n == want
