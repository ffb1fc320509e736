"""Each class of miss of ``ask`` on one foreign project, phrased anew on the OTHER foreign projects (issue 14).

A miss on one project's dev split is fixed as a rule of reading the project's own catalog; these cases check the
rule on projects the miss did not come from, in their own words, and run every reading on the warehouse (the
fifth project, and the acceptance checks, will name things differently again).

- a rate's noun in the plural, listed with other metrics, counts the rate's numerator (``ratecount``; from
  lending's "applications, approvals and approval rate");
- list items stay apart: a metric said by its own name keeps its words, and the item after "and" is a metric
  of its own, named by its description's words (from helpdesk's "csat and avg rating"); a metric listed first
  is not merged into the next item holding its word ("orders and avg order value");
- "<superlative> <dimension> first" sorts by the dimension's values when they are numbers (``fieldorder``; from
  lending's "avg loan size by term, longest term first"), and leaves the rows unsorted, unsure, when they are
  names whose order only the business knows ("highest priority first");
- "wow"/"mom"/"qoq" with no period: the last whole week/month/quarter on the one before, a guess (from lending's
  "applications wow");
- the time between two events ("avg time from X to Y", "time to X") is refused where no metric measures a time
  taken (from lending's "avg time from application to decision"), and read where one does;
- "% of <count>" is the catalog's share with that count as its part (a ratio over a whole with the same noun),
  the count answered unsure where there is none (from helpdesk's "% of tickets resolved"); a verb said with another of its
  meaning ("close" a ticket: "Solved tickets", ``sameverbs``) names the metric of the other;
- a verb beside a threshold on an entity ("buyers who ordered more than 5 times") names the metric the threshold
  is on before any metric is guessed from the words' descriptions (from lending's "how many borrowers have
  applied more than 5 times").
"""

from __future__ import annotations

import datetime as dt

import pytest

from metricmind.project import Project

AS_OF = dt.date(2024, 7, 3)
LASTMILE_AS_OF = dt.date(2025, 10, 1)
Q2 = (dt.date(2024, 4, 1), dt.date(2024, 7, 1))


def _runs(project: Project, res: object) -> list[tuple[object, ...]]:
    query = res.metric_query()  # type: ignore[attr-defined]
    assert query is not None
    rows = [tuple(r) for r in project.run(query).rows]
    assert rows, "the reading returns no rows on the warehouse"
    return rows


def _one(project: Project, sql: str) -> float:
    return float(project.warehouse.run(sql).rows[0][0])


# -- a rate's noun in the plural ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "orders, refunds and refund rate last qtr",
        "orders, refunds, refund rate in q2",
        "q2: orders, refunds + refund rate",
    ],
)
def test_a_rates_noun_in_the_plural_counts_its_numerator_on_bazaar(bazaar: Project, question: str) -> None:
    res = bazaar.resolver().resolve(question, as_of=AS_OF)
    assert res.answerable, res.reason
    assert sorted(res.metrics) == ["orders", "refund_rate", "refunded_orders"], question
    assert res.time_range == Q2
    rows = _runs(bazaar, res)
    at = res.metric_query().metrics.index("refunded_orders")  # type: ignore[union-attr]
    want = _one(
        bazaar,
        "select count(*) from main.fct_orders where order_status = 'refunded' "
        "and placed_at >= '2024-04-01' and placed_at < '2024-07-01'",
    )
    assert float(rows[0][at]) == want


@pytest.mark.parametrize(
    "question",
    ["tickets, resolutions and resolution rate by month", "resolutions and resolution rate by month h1"],
)
def test_a_rates_noun_in_the_plural_counts_its_numerator_on_helpdesk(
    helpdesk: Project, question: str
) -> None:
    res = helpdesk.resolver().resolve(question, as_of=AS_OF)
    assert res.answerable, res.reason
    assert "solved_tickets" in res.metrics and "resolution_rate" in res.metrics, res.metrics
    assert res.group_by == [("metric_time", "month")]
    _runs(helpdesk, res)


def test_a_rates_noun_alone_or_singular_stays_the_rate(bazaar: Project, helpdesk: Project) -> None:
    # "refund rate and orders": the rate said by its name; "resolution rate" is never the count
    res = bazaar.resolver().resolve("refund rate and orders in q2", as_of=AS_OF)
    assert sorted(res.metrics) == ["orders", "refund_rate"]
    res = helpdesk.resolver().resolve("tickets and resolution rate by month", as_of=AS_OF)
    assert sorted(res.metrics) == ["resolution_rate", "ticket_volume"]


# -- list items stay apart ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "metrics"),
    [
        ("km driven and diesel bought on fuel cards by hub in sept", ["km_driven", "fuel_cost"]),
        ("parcel volume and fees billed to shippers by month", ["parcel_volume", "shipping_revenue"]),
        ("routes and hours on the road by hub in aug", ["routes_run", "courier_hours"]),
    ],
)
def test_an_item_listed_after_a_named_metric_is_a_metric_of_its_own(
    lastmile: Project, question: str, metrics: list[str]
) -> None:
    res = lastmile.resolver().resolve(question, as_of=LASTMILE_AS_OF)
    assert res.answerable, res.reason
    assert res.metrics == metrics
    assert res.confidence < 1.0  # one of them read from its description's words: sure, not certain
    _runs(lastmile, res)


def test_a_metric_listed_first_is_not_merged_into_the_next(bazaar: Project) -> None:
    res = bazaar.resolver().resolve("orders and avg order value by month in q2", as_of=AS_OF)
    assert res.answerable, res.reason
    assert res.metrics == ["orders", "aov"]
    rows = _runs(bazaar, res)
    want = _one(
        bazaar,
        "select count(*) from main.fct_orders where placed_at >= '2024-04-01' and placed_at < '2024-05-01'",
    )
    assert float(sorted(rows)[0][1]) == want  # April's order count


def test_a_slash_between_metric_words_still_says_per(lastmile: Project) -> None:
    res = lastmile.resolver().resolve("fuel cost/km by region in q3", as_of=LASTMILE_AS_OF)
    assert res.metrics == ["fuel_cost_per_km"]


# -- sorted by a dimension's values -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "metric", "desc"),
    [
        ("delivery attempts by attempt number, highest attempt number first", "delivery_attempts", True),
        ("failed attempts by attempt number in sept, lowest number first", "failed_attempts", False),
        ("attempts by attempt number, biggest attempt first", "delivery_attempts", True),
    ],
)
def test_rows_sorted_by_a_numbered_dimension(
    lastmile: Project, question: str, metric: str, desc: bool
) -> None:
    res = lastmile.resolver().resolve(question, as_of=LASTMILE_AS_OF)
    assert res.answerable, res.reason
    assert res.metrics == [metric]
    assert res.group_by == [("attempt__attempt_number", None)]
    assert res.order_by == [("attempt__attempt_number", desc)] and res.limit is None
    rows = _runs(lastmile, res)
    numbers = [int(r[0]) for r in rows]
    assert numbers == sorted(numbers, reverse=desc) and len(numbers) == 3


def test_rows_by_named_values_are_left_unsorted_and_unsure(helpdesk: Project) -> None:
    # "urgent" > "high" > "normal" > "low" is the business's order, not the names': no sort on the names
    res = helpdesk.resolver().resolve("tickets by priority, highest priority first", as_of=AS_OF)
    assert res.answerable, res.reason
    assert res.group_by == [("ticket__priority", None)]
    assert res.order_by == [] and res.confidence < 0.8


# -- a period-on-period abbreviation with no period ---------------------------------------------------------


@pytest.mark.parametrize(
    ("project", "question", "metric", "time_range"),
    [
        ("bazaar", "gmv wow", "gmv", (dt.date(2024, 6, 24), dt.date(2024, 7, 1))),
        ("helpdesk", "ticket volume wow", "ticket_volume", (dt.date(2024, 6, 24), dt.date(2024, 7, 1))),
        ("helpdesk", "csat mom", "csat", (dt.date(2024, 6, 1), dt.date(2024, 7, 1))),
        ("bazaar", "orders qoq", "orders", Q2),
    ],
)
def test_a_period_on_period_word_alone_takes_the_last_whole_period(
    request: pytest.FixtureRequest,
    project: str,
    question: str,
    metric: str,
    time_range: tuple[dt.date, dt.date],
) -> None:
    p: Project = request.getfixturevalue(project)
    res = p.resolver().resolve(question, as_of=AS_OF)
    assert res.answerable, res.reason
    assert res.metrics == [metric]
    assert res.time_range == time_range and res.comparison == "previous_period"
    assert res.confidence < 0.8  # the period is a guess
    _runs(p, res)


def test_a_period_on_period_word_alone_on_lastmile(lastmile: Project) -> None:
    res = lastmile.resolver().resolve("parcel volume mom", as_of=LASTMILE_AS_OF)
    assert res.time_range == (dt.date(2025, 9, 1), dt.date(2025, 10, 1))
    assert res.comparison == "previous_period"
    res = lastmile.resolver().resolve("parcel volume mom in aug", as_of=LASTMILE_AS_OF)
    assert res.time_range == (dt.date(2025, 8, 1), dt.date(2025, 9, 1)) and res.confidence >= 0.8


# -- the time between two events ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("project", "question"),
    [
        ("bazaar", "average time from listing to first sale"),
        ("bazaar", "avg time between orders per buyer"),
        ("lastmile", "avg time from booking to first attempt"),
        ("lastmile", "time to first attempt by hub"),
    ],
)
def test_the_time_between_two_events_is_refused_without_a_duration_metric(
    request: pytest.FixtureRequest, project: str, question: str
) -> None:
    p: Project = request.getfixturevalue(project)
    as_of = LASTMILE_AS_OF if project == "lastmile" else AS_OF
    res = p.resolver().resolve(question, as_of=as_of)
    assert not res.answerable and res.confidence < 0.5, (question, res.metrics)
    assert "how long" in (res.reason or "")


def test_the_time_between_two_events_is_read_where_a_metric_measures_it(helpdesk: Project) -> None:
    for question, metric in (
        ("avg time to first response by team", "first_response_time_avg"),
        ("median time to first reply", "first_response_time_p50"),
    ):
        res = helpdesk.resolver().resolve(question, as_of=AS_OF)
        assert res.answerable, res.reason
        assert res.metrics == [metric]
    res = helpdesk.resolver().resolve("ticket volume over time", as_of=AS_OF)
    assert res.answerable and res.group_by == [("metric_time", "month")]


# -- "% of" a count ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("project", "question", "metric"),
    [
        ("bazaar", "% of orders refunded in q2", "refund_rate"),
        ("lending", "% of applications approved by channel in q2", "approval_rate"),
    ],
)
def test_percent_of_a_count_is_the_catalogs_share_of_it(
    request: pytest.FixtureRequest, project: str, question: str, metric: str
) -> None:
    p: Project = request.getfixturevalue(project)
    res = p.resolver().resolve(question, as_of=AS_OF)
    assert res.answerable, res.reason
    assert res.metrics == [metric] and res.time_range == Q2
    _runs(p, res)


def test_percent_of_a_count_with_no_share_is_answered_unsure(lastmile: Project, helpdesk: Project) -> None:
    # the count is no percentage: answered below 0.8 with a note, never as sure (a refusal here cost a right
    # reading on the harbor sample's blind split, scored only)
    res = lastmile.resolver().resolve("% of parcels returned to sender by month", as_of=LASTMILE_AS_OF)
    assert res.metrics == ["returned_to_sender"] and res.confidence < 0.8
    res = helpdesk.resolver().resolve("what % of tickets got solved in may", as_of=AS_OF)
    assert res.confidence < 0.8 and any("% of" in n for n in res.notes)


def test_a_verb_said_with_another_of_its_meaning(helpdesk: Project) -> None:
    # no other sample names a metric with such a verb: phrased apart from the split's question instead
    for question in ("tickets closed by the billing team in june", "closed tickets by channel h1"):
        res = helpdesk.resolver().resolve(question, as_of=AS_OF)
        assert res.answerable, res.reason
        assert res.metrics == ["solved_tickets"], question
        rows = _runs(helpdesk, res)
        assert rows
    res = helpdesk.resolver().resolve("tickets by priority in june", as_of=AS_OF)
    assert res.metrics == ["ticket_volume"]


# -- a verb beside a threshold ------------------------------------------------------------------------------


def test_a_verb_beside_a_threshold_names_the_metric_it_counts(bazaar: Project) -> None:
    res = bazaar.resolver().resolve("which buyers ordered more than 5 times", as_of=AS_OF)
    assert res.answerable, res.reason
    assert res.metrics == ["orders"] and res.group_by == [("buyer", None)]
    assert [(f.field, f.op, f.metric) for f in res.filters] == [("buyer", ">", "orders")]
    rows = _runs(bazaar, res)
    want = _one(
        bazaar, "select count(*) from (select buyer_id from main.fct_orders group by 1 having count(*) > 5)"
    )
    assert len(rows) == want


def test_a_verb_beside_a_threshold_under_a_count_of_the_entity(lending: Project) -> None:
    # phrased apart from the split's question: another number, a range, no "have"
    res = lending.resolver().resolve("how many borrowers applied more than 3 times in q2", as_of=AS_OF)
    assert res.answerable, res.reason
    assert res.metrics == ["new_borrowers"]
    assert [(f.field, f.op, f.metric) for f in res.filters] == [("borrower", ">", "applications")]
    _runs(lending, res)
