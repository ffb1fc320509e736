"""Classes of miss of ``ask`` on the foreign projects, fixed as rules read from each catalog (issue 14, hask14).

Each class is phrased anew (not the dev files' words) on at least two projects, and every reading runs on the
warehouse:

- words around a dimension's noun that the metric read says of itself ("net iap after the store fees",
  "contribution after we pay the instructors"): no breakdown by that dimension and no value of it
  (``toldbymetric``);
- a bare half or quarter ("h1", "q1") names the latest one at least half over, else the year before's: on
  6 January "h1" is last year's first half, on 18 June "q2" is this quarter (``timespans``);
- a threshold said with a verb and a unit ("learners who watched more than 300 minutes", "guests who stayed
  more than 10 nights") is on the metric whose name holds the unit and whose words hold the verb
  (``unitthreshold``), never refused as a number that does not fit;
- the party a catalog serves, when no entity has a customer-like name, is the entity the most metrics count
  distinct (the game's players, the school's learners), not a root of the entity graph (a title, an
  instructor): "how many clients paid us more than $200" is per learner (``entities.counted_party``);
- a catalog's abbreviated label said in full ("average watch minutes per learner" for "Avg Watch Minutes per
  Learner", ``spelledout``);
- "per <dimension> <word>" where the word is the one metric's own "per <word>" ("avg stars per lvl won" for
  "Avg Stars per Win", "stops per courier hour" for "Stops per Hour") is no breakdown
  (``toldbymetric.own_denominator``);
- a conversion said by its two steps ("visit to order %", "application to loan rate", "free to paid rate") is
  the metric named "<step> to <step> …" (``stepnames``), never the first step's count sorted by the second;
- a word shared by several names and one kind's value, before a plural noun ("the beauty webshops", "the
  select hotels"), is the kind (``kindovernames``), never the names that happen to hold it;
- "by <word of the metric's own time> <unit>" ("by signup month", "by arrival week") is ``metric_time`` at that
  unit (``owntime``), never a second metric read from the word and no breakdown;
- a value read after "by" with a noun the catalog lacks ("bookings by card brand", "parcels by fashion brand")
  is a breakdown the catalog lacks, refused (``breakdownvalue``), never the value's rows with the noun ignored;
- "as of year end", "at the end of last year" is the last month of the latest year ended (``timespans``);
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
- a lead-in set apart by a colon ("Prepping the account review with X: how many parcels …") never renames the
  request's metric by its description words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from metricmind.project import Project

STUDYHALL_AS_OF = dt.date(2026, 1, 6)
PIXELFORGE_AS_OF = dt.date(2026, 1, 8)
LASTMILE_AS_OF = dt.date(2025, 10, 1)
BAZAAR_AS_OF = dt.date(2024, 6, 20)


def _rows(project: Project, res: object) -> list[tuple[object, ...]]:
    assert res.answerable, res.reason  # type: ignore[attr-defined]
    query = res.metric_query()  # type: ignore[attr-defined]
    assert query is not None
    rows = [tuple(r) for r in project.run(query).rows]
    assert rows, "the reading returns no rows on the warehouse"
    return rows


def _same_as(project: Project, question: str, plain: str, as_of: dt.date) -> None:
    """``question`` reads as ``plain`` does (the metric said by its name) and returns its rows."""
    resolver = project.resolver()
    res, want = resolver.resolve(question, as_of=as_of), resolver.resolve(plain, as_of=as_of)
    assert res.answerable, res.reason
    assert (res.metrics, res.group_by, res.filters, res.time_range) == (
        want.metrics,
        want.group_by,
        want.filters,
        want.time_range,
    ), res.notes
    assert _rows(project, res) == _rows(project, want)


# -- words the metric says of itself around a dimension's noun ------------------------------------------------


@pytest.mark.parametrize(
    "question",
    ["net iap after the store fees in december", "net iap revenue after store fees, dec"],
)
def test_a_dimension_noun_in_the_metrics_description_is_no_breakdown_on_pixelforge(
    pixelforge: Project, question: str
) -> None:
    _same_as(pixelforge, question, "iap net revenue in december", PIXELFORGE_AS_OF)


@pytest.mark.parametrize(
    "question",
    [
        "contribution after we pay the instructors, q4",
        "contribution after paying out instructors last month",
    ],
)
def test_a_dimension_noun_in_the_metrics_description_is_no_breakdown_on_studyhall(
    studyhall: Project, question: str
) -> None:
    plain = "contribution q4" if "q4" in question else "contribution last month"
    _same_as(studyhall, question, plain, STUDYHALL_AS_OF)
    res = studyhall.resolver().resolve(question, as_of=STUDYHALL_AS_OF)
    assert any("description" in n for n in res.notes), res.notes


def test_a_breakdown_said_with_by_stays_a_breakdown(pixelforge: Project, studyhall: Project) -> None:
    res = pixelforge.resolver().resolve("net iap by store q4", as_of=PIXELFORGE_AS_OF)
    assert res.group_by and res.group_by[0][0].endswith("store"), res.group_by
    assert len(_rows(pixelforge, res)) >= 2
    res = studyhall.resolver().resolve("contribution by instructor q4", as_of=STUDYHALL_AS_OF)
    assert not res.answerable or res.group_by, res.group_by  # never silently the whole total


def test_words_the_description_does_not_hold_are_still_not_read_as_its(studyhall: Project) -> None:
    # "students" is no word of the contribution's description: not explained away as one
    res = studyhall.resolver().resolve("contribution after refunding students, q4", as_of=STUDYHALL_AS_OF)
    assert not any("in its description" in n for n in res.notes), res.notes


# -- a bare half or quarter ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "start", "end"),
    [
        ("bookings h1", dt.date(2025, 1, 1), dt.date(2025, 7, 1)),
        ("lesson views in the first half", dt.date(2025, 1, 1), dt.date(2025, 7, 1)),
        ("bookings h2", dt.date(2025, 7, 1), dt.date(2026, 1, 1)),
        ("lesson views q1", dt.date(2025, 1, 1), dt.date(2025, 4, 1)),
    ],
)
def test_a_bare_period_just_begun_is_last_years_on_studyhall(
    studyhall: Project, question: str, start: dt.date, end: dt.date
) -> None:
    res = studyhall.resolver().resolve(question, as_of=STUDYHALL_AS_OF)
    assert res.time_range == (start, end), res.time_range
    total = float(_rows(studyhall, res)[0][0])
    assert total > 0  # a period with data, not six days of the new year


def test_a_bare_period_just_begun_is_last_years_on_pixelforge(pixelforge: Project) -> None:
    res = pixelforge.resolver().resolve("sessions in h1", as_of=PIXELFORGE_AS_OF)
    assert res.time_range == (dt.date(2025, 1, 1), dt.date(2025, 7, 1))
    assert float(_rows(pixelforge, res)[0][0]) > 0


def test_a_bare_quarter_begun_today_is_last_years_on_lastmile(lastmile: Project) -> None:
    res = lastmile.resolver().resolve("parcel volume q4", as_of=LASTMILE_AS_OF)
    assert res.time_range == (dt.date(2024, 10, 1), dt.date(2025, 1, 1))
    assert float(_rows(lastmile, res)[0][0]) > 0


def test_a_bare_period_mostly_past_is_this_years(bazaar: Project) -> None:
    res = bazaar.resolver().resolve("orders q2", as_of=BAZAAR_AS_OF)
    assert res.time_range == (dt.date(2024, 4, 1), dt.date(2024, 7, 1))
    want = float(
        bazaar.warehouse.run(
            "select count(*) from main.fct_orders where placed_at >= '2024-04-01' and placed_at < '2024-07-01'"
        ).rows[0][0]
    )
    assert float(_rows(bazaar, res)[0][0]) == want
    res = bazaar.resolver().resolve("orders h1", as_of=BAZAAR_AS_OF)
    assert res.time_range == (dt.date(2024, 1, 1), dt.date(2024, 7, 1))


# -- a threshold said with a verb and a unit ----------------------------------------------------------------


def _threshold_counts(project: Project, question: str, as_of: dt.date, metric: str, per: str) -> None:
    """``question`` counts the ``per`` whose ``metric`` passes a threshold: some, fewer than with none."""
    res = project.resolver().resolve(question, as_of=as_of)
    assert res.answerable, res.reason
    thresholds = [f for f in res.filters if f.metric is not None]
    assert [(f.metric, f.field, f.op) for f in thresholds] == [(metric, per, ">")], res.filters
    assert len(res.metrics) == 1
    some = float(_rows(project, res)[0][0])
    query = res.metric_query()
    assert query is not None
    everyone = float(project.run(replace(query, where=())).rows[0][0])
    assert 0 < some < everyone, (some, everyone)


@pytest.mark.parametrize(
    "question",
    [
        "how many learners watched more than 300 minutes in 2025",
        "number of learners that watched over 300 minutes in 2025",
    ],
)
def test_a_threshold_with_a_verb_and_a_unit_on_studyhall(studyhall: Project, question: str) -> None:
    _threshold_counts(studyhall, question, STUDYHALL_AS_OF, "watch_minutes", "learner")


@pytest.mark.parametrize(
    "question",
    [
        "how many guests stayed more than 10 nights in 2025",
        "number of guests who stayed over 10 nights in 2025",
    ],
)
def test_a_threshold_with_a_verb_and_a_unit_on_harbor(harbor: Project, question: str) -> None:
    _threshold_counts(harbor, question, dt.date(2026, 1, 7), "room_nights", "guest")


def test_a_unit_no_metric_names_is_still_refused(studyhall: Project) -> None:
    res = studyhall.resolver().resolve(
        "how many learners watched more than 300 lessons", as_of=STUDYHALL_AS_OF
    )
    assert not res.answerable


# -- the party a catalog serves ------------------------------------------------------------------------------


def test_the_party_is_the_entity_counted_distinct(studyhall: Project, pixelforge: Project) -> None:
    assert studyhall.resolver().entities.party == "learner"
    assert pixelforge.resolver().entities.party == "player"


def test_a_threshold_on_what_clients_paid_is_per_learner_on_studyhall(studyhall: Project) -> None:
    _threshold_counts(
        studyhall,
        "how many clients paid us more than $200 in 2025",
        STUDYHALL_AS_OF,
        "learner_revenue",
        "learner",
    )


def test_a_threshold_on_what_customers_paid_is_per_player_on_pixelforge(pixelforge: Project) -> None:
    res = pixelforge.resolver().resolve(
        "how many customers paid us more than $50 in 2025", as_of=PIXELFORGE_AS_OF
    )
    assert res.answerable, res.reason
    assert [f.field for f in res.filters if f.metric is not None] == ["player"], res.filters
    assert float(_rows(pixelforge, res)[0][0]) > 0


# -- an abbreviated label said in full ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "plain"),
    [
        (
            "which signup channel had the highest average watch minutes per learner in q4?",
            "which signup channel had the highest avg watch minutes per learner in q4?",
        ),
        ("average watch minutes per learner by month, h2", "avg watch minutes per learner by month, h2"),
    ],
)
def test_an_abbreviated_label_said_in_full_on_studyhall(
    studyhall: Project, question: str, plain: str
) -> None:
    _same_as(studyhall, question, plain, STUDYHALL_AS_OF)


def test_an_abbreviated_label_said_in_full_on_pixelforge(pixelforge: Project) -> None:
    _same_as(
        pixelforge,
        "average stars per win by title in q4",
        "avg stars per win by title in q4",
        PIXELFORGE_AS_OF,
    )


# -- the metric's own "per" -----------------------------------------------------------------------------------


def test_the_metrics_own_per_is_no_breakdown_on_pixelforge(pixelforge: Project) -> None:
    _same_as(pixelforge, "average stars per level won in q4", "avg stars per win in q4", PIXELFORGE_AS_OF)
    res = pixelforge.resolver().resolve("avg stars per level in q4", as_of=PIXELFORGE_AS_OF)
    assert res.group_by == [("attempt__level_number", None)]  # "per level" alone is a breakdown
    assert len(_rows(pixelforge, res)) > 1


def test_the_metrics_own_per_is_no_breakdown_on_lastmile(lastmile: Project) -> None:
    _same_as(lastmile, "stops per courier hour last month", "stops per hour last month", LASTMILE_AS_OF)
    res = lastmile.resolver().resolve("stops per hour by courier last month", as_of=LASTMILE_AS_OF)
    assert res.group_by == [("courier", None)]


# -- a lead-in set apart by a colon ---------------------------------------------------------------------------


def test_a_lead_in_never_renames_the_metric(lastmile: Project, studyhall: Project) -> None:
    res = lastmile.resolver().resolve(
        "Quarterly review with Duin Mode: how many parcels did they send in august?",
        as_of=LASTMILE_AS_OF,
    )
    assert res.metrics == ["parcel_volume"], res.notes
    _rows(lastmile, res)
    res = studyhall.resolver().resolve(
        "Drafting the board review: how many lesson views in december?", as_of=STUDYHALL_AS_OF
    )
    assert res.metrics == ["lesson_views"], res.notes
    _rows(studyhall, res)


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
