"""Generalization probe, thirteenth round (issue 14), continued from ``test_generalize13.py`` (split at about 500
lines): SQL words, lead-ins, ordered values, formulas, idioms and more, each tried on the demo and on ANOTHER
project, with the rows checked on the warehouse.

- SQL's "limit N" is how many rows ("order by desc limit 5": the 5 largest), and "order by" is the sort verb,
  never a metric named "orders";
- the amount of a kind of the noun said before it ("past-due invoice balances") is the metric whose own words
  say that kind (the overdue amount), with no filter repeating it;
- a lead-in ended by a colon ("quick one before the credit committee: …") or a remark after a dash ("… - need
  it for the deck") is context, whatever the request's first word;
- "pro and up" / "growth or above" on a dimension with a declared order is that value and those above it;
- a metric said as its own formula ("sum(mrr) * 12", "mrr x 12", "playtime minutes / 60") is the derived metric
  whose expression that is;
- a metric followed by its definition in brackets ("approval rate (approved applications / applications)") is
  that metric alone: its inputs in the brackets are not asked beside it;
- sales idioms read as plain words: "book of business" is the recurring revenue ("in annual terms": ARR),
  "marketing dollars deployed" the marketing spend;
- "days between A and B", "hours from A to B" ask a time taken: refused unless a metric measures one;
- "attributable to X" speaks of credit as "attributed to X" does;
- "getting worse" / "getting better" ask how a metric changes, as "worsening" does;
- "mrr we lost from accounts that cancelled": the entity's own kind of the amount read (churned MRR) is
  who it is from, no count of them beside it;
- "by customer funding stage": a word between a breakdown's entity and a dimension's noun names a breakdown the
  catalog lacks (refused), never a value read by meaning with the breakdown dropped.
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


def _period(query: MetricQuery) -> dict[str, dt.date | None]:
    return {"start": query.start, "end": query.end}


# -- SQL's ORDER BY and LIMIT -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "desc"),
    [
        ("customer names by billed amount in 2025 (order by desc limit 5)", True),
        ("billed amount per customer name for 2025 limit 5", True),
        ("customer names by billed amount in 2025, order by asc limit 5", False),
    ],
)
def test_a_sql_limit_is_how_many_rows(
    resolver: Resolver, resolve_demo: Project, question: str, desc: bool
) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert (res.metrics, res.limit, res.order_by) == (["billed_amount"], 5, [("billed_amount", desc)])
    query = res.metric_query()
    assert query is not None
    got = [float(r[1]) for r in resolve_demo.run(query).rows]
    every = _rows(
        resolve_demo, MetricQuery(metrics=("billed_amount",), group_by=query.group_by, **_period(query))
    )
    assert got == pytest.approx(sorted(every.values(), reverse=desc)[:5])


def test_order_by_is_no_orders_metric(bazaar: Project) -> None:
    res = bazaar.resolver().resolve("gmv by seller in q2 order by gmv desc limit 3", as_of=FOREIGN_DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["gmv"]  # (was gmv and orders, refused)
    assert (res.limit, res.order_by) == (3, [("gmv", True)])
    query = res.metric_query()
    assert query is not None
    got = [float(r[1]) for r in bazaar.run(query).rows]
    every = _rows(bazaar, MetricQuery(metrics=("gmv",), group_by=query.group_by, **_period(query)))
    assert got == pytest.approx(sorted(every.values(), reverse=True)[:3])


# -- the amount of a kind of the noun ----------------------------------------------------------------------------
def test_past_due_invoice_balances_are_the_overdue_amount(resolver: Resolver, resolve_demo: Project) -> None:
    res = resolver.resolve("past due invoice balances by month in 2025", as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["overdue_amount"]  # (was the billed amount of past-due invoices)
    assert res.filters == []
    query = res.metric_query()
    assert query is not None
    got = _rows(resolve_demo, query)
    assert got and got == pytest.approx(
        _rows(
            resolve_demo, MetricQuery(metrics=("overdue_amount",), group_by=query.group_by, **_period(query))
        )
    )


# -- a request set apart by a colon or a dash ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "quick one before the credit committee: funded amount yoy in q2",
        "funded amount in q2 vs same quarter last year - need it for the credit committee",
    ],
)
def test_a_request_set_apart_by_a_colon_or_a_dash(lending: Project, question: str) -> None:
    res = lending.resolver().resolve(question, as_of=FOREIGN_DAY)
    assert res.answerable, res.reason  # (was refused: the context's words unexplained)
    assert res.metrics == ["funded_amount"]
    assert res.time_range == (dt.date(2024, 4, 1), dt.date(2024, 7, 1))
    assert res.comparison == "same_period_last_year"
    assert res.confidence >= 0.8
    query = res.metric_query()
    assert query is not None
    ((now,),) = lending.run(query).rows
    ((want,),) = lending.warehouse.run(
        "select sum(principal_amount) from prod.fct_loans where funded_date >= '2024-04-01' and funded_date < '2024-07-01'"
    ).rows
    assert float(now) == pytest.approx(float(want))


def test_a_lead_in_before_a_colon_on_the_demo(resolver: Resolver, resolve_demo: Project) -> None:
    res = resolver.resolve("heads up before the LP call: new logos by month in 2025", as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["new_customers"] and res.confidence >= 0.8
    query = res.metric_query()
    assert query is not None
    assert _rows(resolve_demo, query)


def test_a_lead_in_of_values_before_a_colon_is_kept(resolver: Resolver, resolve_demo: Project) -> None:
    res = resolver.resolve("viewers vs admins: active users by month, q1 2025", as_of=DAY)
    assert res.answerable, res.reason
    (f,) = res.filters  # (the lead-in names who: never blanked as context)
    assert (f.field, f.op, sorted(f.values)) == ("user__role", "in", ["admin", "viewer"])
    query = res.metric_query()
    assert query is not None
    assert {r[1] for r in resolve_demo.run(query).rows} == {"admin", "viewer"}


# -- "X and up" on an ordered dimension ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "tiers"),
    [
        ("arr on pro and up plans at the end of march 2025", ["Enterprise", "Pro"]),
        ("arr for plans growth and above, end of march 2025", ["Enterprise", "Growth", "Pro"]),
    ],
)
def test_a_value_and_up_is_it_and_those_above(
    resolver: Resolver, resolve_demo: Project, question: str, tiers: list[str]
) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    (f,) = res.filters  # (was the one value, "and up" dropped)
    assert (f.field, f.op, sorted(f.values)) == ("subscription__plan_tier", "in", tiers)
    query = res.metric_query()
    assert query is not None
    ((got,),) = resolve_demo.run(query).rows
    by = _rows(
        resolve_demo, MetricQuery(metrics=("arr",), group_by=("subscription__plan_tier",), **_period(query))
    )
    assert float(got) == pytest.approx(sum(v for (k,), v in by.items() if k in tiers))


# -- a metric said as its formula ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "question", ["sum(mrr) * 12 by segment, end of march 2025", "mrr x 12 per segment in march 2025"]
)
def test_a_metric_times_a_number_is_the_derived_metric(
    resolver: Resolver, resolve_demo: Project, question: str
) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason  # (was refused: "the number '12' does not fit")
    assert res.metrics == ["arr"]
    query = res.metric_query()
    assert query is not None
    got = _rows(resolve_demo, query)
    mrr = _rows(resolve_demo, MetricQuery(metrics=("mrr",), group_by=query.group_by, **_period(query)))
    assert got and got == pytest.approx({k: 12 * v for k, v in mrr.items()})


def test_a_metric_over_a_number_on_another_catalog(pixelforge: Project) -> None:
    res = pixelforge.resolver().resolve("playtime minutes / 60 by month", as_of=FOREIGN_DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["playtime_hours"]
    query = res.metric_query()
    assert query is not None
    got = _rows(pixelforge, query)
    minutes = _rows(
        pixelforge, MetricQuery(metrics=("playtime_minutes",), group_by=query.group_by, **_period(query))
    )
    assert got and got == pytest.approx({k: v / 60 for k, v in minutes.items()})


# -- a definition in brackets ----------------------------------------------------------------------------------
def test_a_definition_in_brackets_is_no_second_metric(resolver: Resolver, resolve_demo: Project) -> None:
    res = resolver.resolve(
        "average invoice value (billed amount / number of invoices) by month in 2025", as_of=DAY
    )
    assert res.answerable, res.reason
    assert res.metrics == ["average_invoice_value"]
    query = res.metric_query()
    assert query is not None
    got = _rows(resolve_demo, query)
    parts = resolve_demo.run(
        MetricQuery(metrics=("billed_amount", "invoice_count"), group_by=query.group_by, **_period(query))
    ).rows
    assert got and got == pytest.approx({(r[0],): float(r[1]) / float(r[2]) for r in parts})


def test_a_definition_in_brackets_on_another_catalog(lending: Project) -> None:
    res = lending.resolver().resolve(
        "approval rate (approved applications / applications) by month in q2", as_of=FOREIGN_DAY
    )
    assert res.metrics == ["approval_rate"]  # (was the rate beside both its inputs)
    query = res.metric_query()
    assert query is not None
    got = _rows(lending, query)
    parts = lending.run(
        MetricQuery(
            metrics=("approved_applications", "applications"), group_by=query.group_by, **_period(query)
        )
    ).rows
    assert got and got == pytest.approx({(r[0],): float(r[1]) / float(r[2]) for r in parts})


# -- sales idioms --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "metric"),
    [
        ("our book of business in annual terms by segment, end of march 2025", "arr"),
        ("book of business by plan at the end of march 2025", "mrr"),
        ("marketing dollars deployed by month in 2025", "marketing_spend"),
    ],
)
def test_sales_idioms_read_as_plain_words(
    resolver: Resolver, resolve_demo: Project, question: str, metric: str
) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == [metric]  # (the book of business was the deprecated bookings, at 0.9)
    assert res.confidence >= 0.8
    query = res.metric_query()
    assert query is not None
    assert _rows(resolve_demo, query)


# -- the days between two events -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "question",
    ["number of days between order and review in q2", "average days between order and delivery last month"],
)
def test_days_between_two_events_are_refused(bazaar: Project, question: str) -> None:
    res = bazaar.resolver().resolve(question, as_of=FOREIGN_DAY)
    assert not res.answerable  # (was orders and reviews side by side, at full confidence)
    assert res.confidence < 0.5
    assert "how long" in (res.reason or "")


def test_days_between_two_events_on_the_demo(resolver: Resolver) -> None:
    res = resolver.resolve("median days between a trial start and the first invoice in 2025", as_of=DAY)
    assert not res.answerable and res.confidence < 0.5


def test_the_trailing_days_stay_a_period(resolver: Resolver, resolve_demo: Project) -> None:
    res = resolver.resolve("new customers in the last 30 days", as_of=DAY)
    assert res.answerable and res.metrics == ["new_customers"]
    query = res.metric_query()
    assert query is not None
    assert resolve_demo.run(query).rows


# -- credit and debt in other forms --------------------------------------------------------------------------------
def test_attributable_to_a_channel_is_credited_new_mrr(resolver: Resolver, resolve_demo: Project) -> None:
    res = resolver.resolve("new mrr attributable to paid search in 2025", as_of=DAY)
    assert res.answerable, res.reason  # (was refused: "'mrr attributable to' is not in the catalog")
    (metric,) = res.metrics
    assert "attributed" in metric
    (f,) = res.filters
    assert f.values == ("paid_search",)
    query = res.metric_query()
    assert query is not None
    assert resolve_demo.run(query).rows


# -- "getting worse" ------------------------------------------------------------------------------------------------
def test_getting_worse_is_a_change_asked(bazaar: Project) -> None:
    res = bazaar.resolver().resolve("is the refund rate getting worse by month in q2", as_of=FOREIGN_DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["refund_rate"]
    assert res.confidence >= 0.8  # (was 0.5: "getting" and "worse" unknown)
    query = res.metric_query()
    assert query is not None
    assert len(bazaar.run(query).rows) == 3


def test_a_shared_word_getting_worse_is_still_asked_back(resolver: Resolver) -> None:
    res = resolver.resolve("is retention getting worse for enterprise?", as_of=DAY)
    assert not res.answerable  # (was gross revenue retention, by meaning: "retention" names four metrics)
    assert res.confidence < 0.5


# -- the amount lost from those who left --------------------------------------------------------------------------
def test_the_amount_lost_from_those_who_left_is_one_metric(resolver: Resolver, resolve_demo: Project) -> None:
    res = resolver.resolve("mrr we lost from customers that cancelled, by month in 2025", as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["churned_mrr"]  # (was churned MRR beside the churned customers)
    query = res.metric_query()
    assert query is not None
    assert _rows(resolve_demo, query) == pytest.approx(
        _rows(resolve_demo, MetricQuery(metrics=("churned_mrr",), group_by=query.group_by, **_period(query)))
    )


# -- an unknown word inside a breakdown's name ----------------------------------------------------------------------
def test_an_unknown_breakdown_after_the_entity_is_refused(resolver: Resolver) -> None:
    res = resolver.resolve("arr by customer funding stage", as_of=DAY)
    assert (
        not res.answerable
    )  # (was a filter lifecycle stage = paying by meaning, grouped by customer, at 0.75)
    assert res.confidence < 0.5
    assert resolver.resolve("arr by customer lifecycle stage", as_of=DAY).group_by == [
        ("customer__lifecycle_stage", None)
    ]


def test_an_unknown_breakdown_after_the_entity_on_another_catalog(lending: Project) -> None:
    res = lending.resolver().resolve("loans funded by borrower income band", as_of=FOREIGN_DAY)
    assert not res.answerable and res.confidence < 0.5
    known = lending.resolver().resolve("loans funded by borrower credit band in q2", as_of=FOREIGN_DAY)
    assert known.group_by == [("borrower__credit_band", None)]
    query = known.metric_query()
    assert query is not None
    assert {r[0] for r in lending.run(query).rows} <= {"excellent", "good", "fair", "poor"}
