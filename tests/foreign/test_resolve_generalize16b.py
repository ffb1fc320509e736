"""Mechanisms the gold-guided rewordings of ``bench/resolve_perturb.py --foreign`` exposed (issue 14), each
tried on two foreign projects or more and, where numbers matter, run on their warehouses.

- an order said as a span of sizes ("high to low", "low to high"): a sort, and "low"/"high" never a value
  (``rangedorder``);
- "X as well as Y", "X along with Y", "X together with Y": a list of metrics, as "X and Y" is (``shorthand``);
- a threshold said with a sign ("> 15 routes", "> 2000 events": an amount, never the year 2000), in words
  ("in excess of one hundred ten", "seventy"), or with its currency word after it ("forty thousand dollars
  funded") (``thresholds``);
- "number of customers that have paid us more than 50k": the count said as "number of" is whom the threshold
  is per, as "how many customers" is, never the metric thresholded (``thresholdreading``);
- "August compared with the previous month": the month before August, not the month before today
  (``timephrases``); "end of aug against end of july": two periods set against each other, as with "vs"
  (``timeorder``).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from metricmind.project import Project
from metricmind.resolve import Resolver
from tests.foreign.readings import read as _read
from tests.foreign.readings import rows as _rows
from tests.resolve import blindset, perturb

QUESTIONS = Path(__file__).with_name("questions")
DEMO = Path(__file__).resolve().parents[2] / "metricmind" / "demo" / "project"
SAMPLE_AS_OF = dt.date(2024, 7, 1)
LASTMILE_AS_OF = dt.date(2025, 10, 1)
HARBOR_AS_OF = dt.date(2026, 1, 7)
STUDYHALL_AS_OF = dt.date(2026, 1, 6)


# -- an order said as a span of sizes -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fixture", "question", "as_of", "metric", "desc"),
    [
        (
            "helpdesk",
            "avg csat rating by priority, low to high, h1",
            SAMPLE_AS_OF,
            "average_csat_rating",
            False,
        ),
        (
            "helpdesk",
            "first reply sla misses by channel, high to low, q2",
            SAMPLE_AS_OF,
            "sla_breach_count",
            True,
        ),
        ("lastmile", "fuel cost per km by hub high to low ytd", LASTMILE_AS_OF, "fuel_cost_per_km", True),
        (
            "bazaar",
            "repeat buyers by signup source, from low to high, h1",
            SAMPLE_AS_OF,
            "repeat_buyers",
            False,
        ),
    ],
)
def test_high_to_low_sorts_the_rows_and_filters_nothing(
    request: pytest.FixtureRequest, fixture: str, question: str, as_of: dt.date, metric: str, desc: bool
) -> None:
    """'low to high' was refused or read as the priority "low" (and "high") with no order."""
    project: Project = request.getfixturevalue(fixture)
    res = _read(project, question, as_of)
    assert res.metrics == [metric] and res.filters == [] and res.limit is None
    assert res.order_by == [(metric, desc)]
    values = [float(str(r[-1])) for r in _rows(project, res) if r[-1] is not None]
    assert len(values) >= 2 and values == sorted(values, reverse=desc)


def test_a_value_high_or_low_is_still_a_filter(helpdesk: Project) -> None:
    """Only the span says a direction: "high priority tickets" keeps its value."""
    res = _read(helpdesk, "ticket volume for high priority tickets in q2", SAMPLE_AS_OF)
    assert [(f.field, f.values) for f in res.filters] == [("ticket__priority", ("high",))]
    assert res.order_by == []


# -- "as well as" lists metrics ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fixture", "question", "as_of", "metrics"),
    [
        (
            "lending",
            "applications as well as requested amount by product h1",
            SAMPLE_AS_OF,
            {"applications", "requested_amount"},
        ),
        (
            "lending",
            "loans on book as well as outstanding principal by product eom may",
            SAMPLE_AS_OF,
            {"loans_on_book", "outstanding_principal"},
        ),
        (
            "lastmile",
            "parcels as well as revenue for lumen meals since march",
            LASTMILE_AS_OF,
            {"parcel_volume", "shipping_revenue"},
        ),
        (
            "bazaar",
            "visits, orders as well as conversion by week since may",
            SAMPLE_AS_OF,
            {"visits", "orders", "visit_to_order_conversion"},
        ),
        (
            "lastmile",
            "revenue along with parcels for lumen meals since march",
            LASTMILE_AS_OF,
            {"parcel_volume", "shipping_revenue"},
        ),
        (
            "lending",
            "funded amt together with cash collected by month h1",
            SAMPLE_AS_OF,
            {"funded_amount", "collections"},
        ),
    ],
)
def test_as_well_as_lists_metrics_as_and_does(
    request: pytest.FixtureRequest, fixture: str, question: str, as_of: dt.date, metrics: set[str]
) -> None:
    project: Project = request.getfixturevalue(fixture)
    res = _read(project, question, as_of)
    assert set(res.metrics) == metrics
    plain = _read(project, re.sub(r" (?:as well as|along with|together with) ", " and ", question), as_of)
    assert (res.group_by, res.filters, res.time_range) == (plain.group_by, plain.filters, plain.time_range)
    assert _rows(project, res) == _rows(project, plain)


# -- thresholds said with a sign, in words, with a currency word ---------------------------------------------
@pytest.mark.parametrize(
    ("fixture", "said", "plain", "as_of"),
    [
        (
            "lastmile",
            "which couriers ran > 15 routes in sept",
            "which couriers ran more than 15 routes in sept",
            LASTMILE_AS_OF,
        ),
        (
            "helpdesk",
            "which agents had in excess of one hundred ten tickets this yr",
            "which agents had more than 110 tickets this yr",
            SAMPLE_AS_OF,
        ),
        (
            "lending",
            "how many borrowers had in excess of forty thousand dollars funded in h1",
            "how many borrowers had more than $40k funded in h1",
            SAMPLE_AS_OF,
        ),
        (
            "lending",
            "how many borrowers had more than 40000 dollars funded in h1",
            "how many borrowers had more than $40k funded in h1",
            SAMPLE_AS_OF,
        ),
        (
            "studyhall",
            "how many learners watched > 300 minutes in 2025",
            "how many learners watched more than 300 minutes in 2025",
            STUDYHALL_AS_OF,
        ),
        (
            "harbor",
            "which hotels sold > 7000 room nights last year",
            "which hotels sold more than 7000 room nights last year",
            HARBOR_AS_OF,
        ),
        (
            "harbor",
            "which hotels sold in excess of seven thousand room nights last year",
            "which hotels sold more than 7000 room nights last year",
            HARBOR_AS_OF,
        ),
    ],
)
def test_a_threshold_said_another_way_reads_and_runs_the_same(
    request: pytest.FixtureRequest, fixture: str, said: str, plain: str, as_of: dt.date
) -> None:
    """Each was refused ("> 15": the verb before the sign left unexplained; "one hundred ten": no amount;
    "dollars" between the amount and its verb)."""
    project: Project = request.getfixturevalue(fixture)
    res, want = _read(project, said, as_of), _read(project, plain, as_of)
    assert [f.metric for f in res.filters if f.metric] and res.filters == want.filters
    assert (res.metrics, res.group_by, res.time_range) == (want.metrics, want.group_by, want.time_range)
    assert _rows(project, res) == _rows(project, want)


def test_a_sign_before_a_year_like_count_is_an_amount(helpdesk: Project, lastmile: Project) -> None:
    """ "> 2000 tickets" is 2000 of them, not the year 2000 (as "more than 2000 tickets" is)."""
    res = _read(helpdesk, "which agents had > 2000 tickets this yr", SAMPLE_AS_OF)
    assert [(f.field, f.op, f.values) for f in res.filters] == [("agent", ">", ("2000.0",))]
    assert res.time_range == (dt.date(2024, 1, 1), dt.date(2024, 7, 2))
    parcels = _read(lastmile, "which hubs had > 2000 parcels on hand at the end of sept", LASTMILE_AS_OF)
    assert [(f.field, f.op, f.values) for f in parcels.filters] == [("hub", ">", ("2000.0",))]


def test_the_number_of_an_entity_is_whom_a_threshold_is_per(lending: Project, bazaar: Project) -> None:
    """On the demo, "number of customers" (a synonym of its count of customers) stood nearer the amount than
    what they paid, and the threshold was put on the count of customers at confidence 1.0."""
    demo = Resolver(Project.load(DEMO, strict=False).model)
    day = dt.date(2025, 6, 18)
    said = demo.resolve("number of customers that have paid us more than 50k all time", as_of=day)
    want = demo.resolve("how many customers have paid us more than 50k all time", as_of=day)
    assert [f.metric for f in said.filters] == [f.metric for f in want.filters] == ["invoice_revenue"]
    assert said.metrics == want.metrics
    for project, question, plain, metric in (
        (
            lending,
            "number of loans that have had 2 or more late payments",
            "how many loans have had 2 or more late payments",
            "late_payments",
        ),
        (
            bazaar,
            "number of buyers that placed more than 10 orders this yr",
            "how many buyers placed more than 10 orders this yr",
            "orders",
        ),
    ):
        res, how_many = _read(project, question, SAMPLE_AS_OF), _read(project, plain, SAMPLE_AS_OF)
        assert [f.metric for f in res.filters] == [metric] and res.metrics == how_many.metrics
        assert _rows(project, res) == _rows(project, how_many)


# -- "the previous month" set against a month named ------------------------------------------------------------
@pytest.mark.parametrize(
    ("fixture", "said", "plain", "as_of"),
    [
        (
            "bazaar",
            "refund rate for March compared with the previous month",
            "refund rate for March compared with February",
            dt.date(2024, 7, 3),
        ),
        (
            "lastmile",
            "diesel cost per km, August compared with the previous month",
            "diesel cost per km, August against July",
            LASTMILE_AS_OF,
        ),
        (
            "harbor",
            "rooms rev lisbon nov compared with the prior month",
            "rooms rev lisbon nov vs oct",
            HARBOR_AS_OF,
        ),
        ("studyhall", "signups oct vs the preceding month", "signups oct vs sept", STUDYHALL_AS_OF),
        ("pixelforge", "total rev q4 vs the previous quarter", "total rev q4 vs q3", dt.date(2026, 1, 8)),
    ],
)
def test_the_previous_month_after_a_month_named_is_the_month_before_it(
    request: pytest.FixtureRequest, fixture: str, said: str, plain: str, as_of: dt.date
) -> None:
    """The named month was read as the comparison and the month before today as the period asked."""
    project: Project = request.getfixturevalue(fixture)
    res, want = _read(project, said, as_of), _read(project, plain, as_of)
    assert res.comparison == want.comparison == "previous_period"
    assert (res.metrics, res.filters, res.time_range) == (want.metrics, want.filters, want.time_range)
    assert res.comparison_dates() == want.comparison_dates()
    assert _rows(project, res) == _rows(project, want)
    assert _rows(project, res, comparison=True) == _rows(project, want, comparison=True)


@pytest.mark.parametrize(
    ("fixture", "said", "as_of"),
    [
        ("lastmile", "hub backlog end of aug against end of july", LASTMILE_AS_OF),
        ("lending", "outstanding principal end of may against end of april", SAMPLE_AS_OF),
        ("studyhall", "seats assigned end of nov against end of oct", STUDYHALL_AS_OF),
    ],
)
def test_two_periods_set_against_each_other_compare_as_with_vs(
    request: pytest.FixtureRequest, fixture: str, said: str, as_of: dt.date
) -> None:
    """ "against" between two closing periods was refused ("the question names two time ranges")."""
    project: Project = request.getfixturevalue(fixture)
    res, want = _read(project, said, as_of), _read(project, said.replace(" against ", " vs "), as_of)
    assert res.comparison == "previous_period"
    assert (res.metrics, res.time_range, res.comparison_dates()) == (
        want.metrics,
        want.time_range,
        want.comparison_dates(),
    )
    assert _rows(project, res) == _rows(project, want)
    assert _rows(project, res, comparison=True) == _rows(project, want, comparison=True)


def test_the_previous_month_alone_is_still_last_month(bazaar: Project) -> None:
    """With no period named before it, "the previous month" is the month before today's."""
    res = _read(bazaar, "gmv for the previous month", dt.date(2024, 7, 3))
    assert res.time_range == (dt.date(2024, 6, 1), dt.date(2024, 7, 1)) and res.comparison is None


# -- the rewordings that found these, as a guard ----------------------------------------------------------------
def _yes_no_as_written(item: dict[str, Any]) -> dict[str, Any]:
    """YAML ``true``/``false`` filter values as the warehouse writes them (as ``bench/resolve_foreign.py``)."""
    want = item.get("expect") or {}
    filters = [
        {**f, "values": [str(v).lower() if isinstance(v, bool) else v for v in f["values"]]}
        if "values" in f
        else f
        for f in want.get("filters") or ()
    ]
    return {**item, "expect": {**want, "filters": filters}} if filters else item


FAMILIES = ("threshold", "growth", "sort", "limit", "multi", "entity", "transplant")


@pytest.mark.parametrize("fixture", ["bazaar", "lastmile", "lending"])
def test_gold_guided_rewordings_of_the_dev_questions_keep_their_reading(
    request: pytest.FixtureRequest, fixture: str
) -> None:
    """Every gold-guided variant (``tests/resolve/perturb_kinds.py``) of the project's tuning questions that
    the resolver reads right reads the same (all did when measured, 2026-12-07; one variant of slack)."""
    project: Project = request.getfixturevalue(fixture)
    resolver = project.resolver()
    items = [
        {"as_of": "2024-07-01", **_yes_no_as_written(i)}
        for path in sorted(QUESTIONS.glob("dev*.yml"))
        if not path.name.startswith("dev3_")  # measured on rounds 1-2 (round 3 landed later; some of its
        # transplants are no question: "is the average apr growing? principal outstanding at end of june vs …")
        for i in blindset.load(path)
        if i.get("project") == fixture
    ]

    def right(item: dict[str, object]) -> bool:
        return blindset.score_items(resolver, [item], scored_only=False).exact == 1

    made = [
        v
        for v in perturb.variants(
            items, resolver, perturb.Vocabulary(resolver.model), seed=0, keep=right, gold_kinds=True
        )
        if v.kind.startswith(FAMILIES)
    ]
    failed = [f"{v.kind} {v.qid}: {v.text!r}" for v in made if not right(v.item)]
    assert len(made) >= 20
    assert len(failed) <= 1, "\n".join(failed)
