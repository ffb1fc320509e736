"""Classes of miss of ``ask`` on the foreign projects (issue 14, hask14), continued from
``test_resolve_generalize14.py``: each phrased anew on at least two projects, every reading run on the warehouse.

- a conversion said by its two steps ("visit to order %", "application to loan rate", "free to paid rate") is
  the metric named "<step> to <step> …" (``stepnames``), never the first step's count sorted by the second;
- a word shared by several names and one kind's value, before a plural noun ("the beauty webshops", "the
  select hotels"), is the kind (``kindovernames``), never the names that happen to hold it;
- "by <word of the metric's own time> <unit>" ("by signup month", "by arrival week") is ``metric_time`` at that
  unit (``owntime``), never a second metric read from the word and no breakdown;
- a value read after "by" with a noun the catalog lacks ("bookings by card brand", "parcels by fashion brand")
  is a breakdown the catalog lacks, refused (``breakdownvalue``), never the value's rows with the noun ignored;
- "as of year end", "at the end of the year" is the last month of the latest year ended (``timespans``);
- a yes/no dimension said in its description's words ("company seat learners", "borrowers with an identity
  check passed", "routes run with cargo bikes") is that dimension's ``true`` (``describedflag``);
- "how many <word for the party> <verb> …" counts the party ("how many clients sent parcels": the active
  shippers; "how many clients placed orders": the purchasing buyers), never a metric whose description names
  the party (``countedentity.party_said``);
- a number the metric's own description says ("4 or 5 stars" of "rating 4 or 5", "30 or more days" of "30 or
  more days past due") is no amount left unexplained (``toldbymetric.said_in_prose``);
- "as at 31 May", "for the quarter ended 30 June 2024": the month closed by that day, the period it ends
  (``timespans``);
- "in EUR" where the one metric's label gives "(EUR)" is its unit, no currency filter (``toldbymetric.unit_of``);
- "after store fees and refunds": a word of the told metric's description listed after it is no second metric;
- SQL's "!=" / "<>" typed before a value ("where device != 'web'") excludes it (``sqlops.flipped``);
- a catalog's short form typed as it is ("avg(score)") stays that form: spelled-out labels add no word to the
  vocabulary (``lexicon.add(own=False)``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from metricmind.project import Project
from tests.foreign.generalize14 import (
    BAZAAR_AS_OF,
    LASTMILE_AS_OF,
    PIXELFORGE_AS_OF,
    STUDYHALL_AS_OF,
    _rows,
    _same_as,
)

# -- a conversion said by its two steps -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("project_name", "question", "plain", "as_of"),
    [
        (
            "bazaar",
            "visit to order % by month in q2",
            "visit to order conversion by month in q2",
            BAZAAR_AS_OF,
        ),
        ("bazaar", "visit to order rate in q2", "visit to order conversion in q2", BAZAAR_AS_OF),
        (
            "lending",
            "application to loan % by month h1",
            "application to funded loan conversion by month h1",
            BAZAAR_AS_OF,
        ),
        (
            "studyhall",
            "free to paid rate by month, h2",
            "free to paid conversion by month, h2",
            STUDYHALL_AS_OF,
        ),
    ],
)
def test_a_conversion_said_by_its_two_steps(
    request: pytest.FixtureRequest, project_name: str, question: str, plain: str, as_of: dt.date
) -> None:
    project: Project = request.getfixturevalue(project_name)
    _same_as(project, question, plain, as_of)
    res = project.resolver().resolve(question, as_of=as_of)
    assert not res.order_by, res.order_by  # "to order by month" is no sorting


# -- a word shared by names and one kind ----------------------------------------------------------------------


def test_a_word_of_names_and_a_kind_is_the_kind_on_lastmile(lastmile: Project) -> None:
    _same_as(
        lastmile,
        "how many parcels did the beauty webshops send last month",
        "parcels from health beauty shippers last month",
        LASTMILE_AS_OF,
    )
    res = lastmile.resolver().resolve("parcels from the beauty shippers last month", as_of=LASTMILE_AS_OF)
    assert [(f.field, f.values) for f in res.filters] == [("parcel__shipper_vertical", ("health_beauty",))]


def test_a_word_of_names_and_a_kind_is_the_kind_on_harbor(harbor: Project) -> None:
    as_of = dt.date(2026, 1, 7)
    res = harbor.resolver().resolve("bookings at the select hotels in 2025", as_of=as_of)
    assert [(f.field, f.values) for f in res.filters] == [("property__brand", ("Harbor Select",))], (
        res.filters
    )
    assert res.group_by == []
    total = float(_rows(harbor, res)[0][0])
    by_brand = harbor.resolver().resolve("bookings by brand in 2025", as_of=as_of)
    rows = dict(_rows(harbor, by_brand))
    assert total == float(rows["Harbor Select"])  # type: ignore[arg-type]


# -- a grain said with the metric's own time ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "plain"),
    [
        ("free to paid % by signup month h2", "free to paid conversion by month h2"),
        ("new learners by signup month h2", "new learners by month h2"),
    ],
)
def test_a_grain_of_the_metrics_own_time_on_studyhall(studyhall: Project, question: str, plain: str) -> None:
    _same_as(studyhall, question, plain, STUDYHALL_AS_OF)


def test_a_grain_of_the_metrics_own_time_on_harbor(harbor: Project) -> None:
    as_of = dt.date(2026, 1, 7)
    _same_as(harbor, "cancellation rate by arrival week in dec", "cancellation rate by week in dec", as_of)
    _same_as(harbor, "bookings by arrival month in 2025", "bookings by month in 2025", as_of)


# -- a value after "by" with a noun the catalog lacks ---------------------------------------------------------


@pytest.mark.parametrize(
    ("project_name", "question", "as_of", "answered"),
    [
        ("studyhall", "bookings by card brand q4", STUDYHALL_AS_OF, "bookings by payment method q4"),
        (
            "lastmile",
            "parcels by fashion brand last month",
            LASTMILE_AS_OF,
            "parcels by fashion shippers last month",
        ),
        ("bazaar", "gmv by electronics brand in q2", BAZAAR_AS_OF, "gmv by listing category in q2"),
    ],
)
def test_a_value_after_by_with_an_unknown_noun_is_refused(
    request: pytest.FixtureRequest, project_name: str, question: str, as_of: dt.date, answered: str
) -> None:
    project: Project = request.getfixturevalue(project_name)
    res = project.resolver().resolve(question, as_of=as_of)
    assert not res.answerable and res.confidence < 0.5, res.filters
    assert "no dimension called" in (res.reason or "")
    _rows(project, project.resolver().resolve(answered, as_of=as_of))  # the nearby question is answered


# -- the year end ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("said", ["as of year end", "at the end of the year", "at year-end"])
def test_the_year_end_is_its_last_month(lastmile: Project, studyhall: Project, said: str) -> None:
    res = lastmile.resolver().resolve(f"parcels on hand {said}", as_of=LASTMILE_AS_OF)
    assert res.time_range == (dt.date(2024, 12, 1), dt.date(2025, 1, 1)), res.time_range
    assert float(_rows(lastmile, res)[0][0]) > 0
    res = studyhall.resolver().resolve(f"seats purchased by company {said}", as_of=STUDYHALL_AS_OF)
    assert res.time_range == (dt.date(2025, 12, 1), dt.date(2026, 1, 1)), res.time_range
    assert len(_rows(studyhall, res)) > 1


# -- a yes/no dimension said in its description's words -------------------------------------------------------


@pytest.mark.parametrize(
    ("project_name", "question", "as_of", "flag", "plain"),
    [
        (
            "studyhall",
            "lesson views from learners on a company seat, by category, q4",
            STUDYHALL_AS_OF,
            "learner__is_b2b",
            "lesson views from b2b learners, by category, q4",
        ),
        (
            "lending",
            "loans funded to borrowers whose identity check passed in h1",
            BAZAAR_AS_OF,
            "borrower__is_kyc_verified",
            "loans funded to kyc verified borrowers in h1",
        ),
        (
            "lastmile",
            "routes run with cargo bikes last month",
            LASTMILE_AS_OF,
            "route__is_zero_emission",
            "routes run zero emission last month",
        ),
    ],
)
def test_a_yes_no_dimension_said_in_its_descriptions_words(
    request: pytest.FixtureRequest, project_name: str, question: str, as_of: dt.date, flag: str, plain: str
) -> None:
    project: Project = request.getfixturevalue(project_name)
    res = project.resolver().resolve(question, as_of=as_of)
    assert res.answerable, res.reason
    assert [(f.field, f.values) for f in res.filters] == [(flag, ("true",))], res.filters
    assert not [n for n, _ in res.group_by if n.startswith("company_account")]  # "company" is no breakdown
    some = _rows(project, res)
    query = res.metric_query()
    assert query is not None
    every = [tuple(r) for r in project.run(replace(query, where=())).rows]
    assert sum(float(r[-1]) for r in some) < sum(float(r[-1]) for r in every)  # type: ignore[arg-type]


# -- the party counted ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("project_name", "question", "plain", "as_of"),
    [
        ("lastmile", "how many clients sent parcels in aug", "active shippers in aug", LASTMILE_AS_OF),
        ("bazaar", "how many clients placed orders in may", "purchasing buyers in may", BAZAAR_AS_OF),
    ],
)
def test_how_many_of_the_party_counts_the_party(
    request: pytest.FixtureRequest, project_name: str, question: str, plain: str, as_of: dt.date
) -> None:
    project: Project = request.getfixturevalue(project_name)
    _same_as(project, question, plain, as_of)


# -- numbers the metric's description says -------------------------------------------------------------------


def test_numbers_the_description_says_on_helpdesk(helpdesk: Project) -> None:
    _same_as(
        helpdesk,
        "share of survey responses rating 4 or 5 by channel in q2",
        "csat by channel in q2",
        BAZAAR_AS_OF,
    )


def test_numbers_the_description_says_on_lending(lending: Project) -> None:
    res = lending.resolver().resolve(
        "share of principal 30 or more days past due by month h1", as_of=BAZAAR_AS_OF
    )
    assert res.answerable, res.reason
    assert res.metrics == ["delinquency_rate"] and not res.filters
    assert len(_rows(lending, res)) == 6


# -- a day said before its month -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("project_name", "question", "plain", "as_of"),
    [
        ("bazaar", "seller payout balance as at 31 May", "seller payout balance in may", BAZAAR_AS_OF),
        (
            "lending",
            "interest income for the quarter ended 30 June 2024",
            "interest income in q2 2024",
            BAZAAR_AS_OF,
        ),
        (
            "lending",
            "outstanding principal as at 31 March, by risk grade",
            "outstanding principal in march by risk grade",
            BAZAAR_AS_OF,
        ),
        (
            "pixelforge",
            "gems in circulation as at 30 September",
            "gems in circulation in september",
            PIXELFORGE_AS_OF,
        ),
        (
            "harbor",
            "total revenue for the quarter ended 31 Dec 2025",
            "total revenue in q4 2025",
            dt.date(2026, 1, 7),
        ),
    ],
)
def test_a_day_said_before_its_month(
    request: pytest.FixtureRequest, project_name: str, question: str, plain: str, as_of: dt.date
) -> None:
    project: Project = request.getfixturevalue(project_name)
    _same_as(project, question, plain, as_of)


# -- the unit a label gives ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "plain"),
    [
        ("total revenue in EUR in q4", "total revenue in q4"),
        ("room revenue in EUR, q4", "room revenue in q4"),
    ],
)
def test_the_unit_a_label_gives_is_no_filter(harbor: Project, question: str, plain: str) -> None:
    _same_as(harbor, question, plain, dt.date(2026, 1, 7))
    res = harbor.resolver().resolve("total revenue for GBP folios in q4", as_of=dt.date(2026, 1, 7))
    assert [f.values for f in res.filters] == [("GBP",)]  # a currency said as a kind of folio filters


# -- a description word listed after the told metric ----------------------------------------------------------


def test_a_description_word_listed_after_is_no_second_metric(pixelforge: Project) -> None:
    _same_as(
        pixelforge,
        "net iap revenue after store fees and refunds in q4",
        "iap net revenue in q4",
        PIXELFORGE_AS_OF,
    )
    res = pixelforge.resolver().resolve("iap revenue and refunds in q4", as_of=PIXELFORGE_AS_OF)
    assert sorted(res.metrics) == ["iap_revenue", "refunds"]


# -- SQL's "not equal" ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("project_name", "question", "field", "value", "as_of"),
    [
        (
            "studyhall",
            "watch_hours group by device where device != 'web' -- sept",
            "lesson_view__device",
            "web",
            STUDYHALL_AS_OF,
        ),
        (
            "studyhall",
            "watch hours where device <> 'web' in sept",
            "lesson_view__device",
            "web",
            STUDYHALL_AS_OF,
        ),
        (
            "lastmile",
            "sum(courier_hours) where vehicle_type != 'diesel_van' -- q3",
            "route__vehicle_type",
            "diesel_van",
            LASTMILE_AS_OF,
        ),
    ],
)
def test_sql_not_equal_excludes_the_value(
    request: pytest.FixtureRequest, project_name: str, question: str, field: str, value: str, as_of: dt.date
) -> None:
    project: Project = request.getfixturevalue(project_name)
    res = project.resolver().resolve(question, as_of=as_of)
    assert res.answerable, res.reason
    assert [(f.field, f.op, f.values) for f in res.filters] == [(field, "!=", (value,))], res.filters
    query = res.metric_query()
    assert query is not None
    rest = sum(float(r[-1]) for r in project.run(query).rows)  # type: ignore[arg-type]
    every = sum(float(r[-1]) for r in project.run(replace(query, where=())).rows)  # type: ignore[arg-type]
    only = project.resolver().resolve(question.replace("!=", "=").replace("<>", "="), as_of=as_of)
    assert 0 < rest < every, (rest, every, only.filters)


# -- a catalog's short form typed as it is --------------------------------------------------------------------


def test_a_short_form_the_catalog_writes_stays_as_typed(studyhall: Project, pixelforge: Project) -> None:
    # the spelled-out label ("average quiz score") adds no word to the vocabulary: "avg" stays "avg"
    res = studyhall.resolver().resolve(
        "select avg(score) from quiz_attempts group by difficulty -- oct", as_of=STUDYHALL_AS_OF
    )
    assert res.answerable and res.metrics == ["avg_quiz_score"], (res.reason, res.metrics)
    _rows(studyhall, res)
    _same_as(
        pixelforge,
        "avg session length by month in q4",
        "average session length by month in q4",
        PIXELFORGE_AS_OF,
    )
