"""Classes of miss of ``ask`` on the second round of foreign questions (issue 14), phrased anew on several projects.

Each class is a rule read from a project's own catalog or from closed-class English and SQL, checked here on at
least two projects in words of our own, and run on the warehouse:

- a period said by its closing day ("the three months ended 31 March 2024", "as at 30 April"; ``closingdays``);
- SQL's "not equal" sign before a value (``where device <> 'web'``; ``sqlops``);
- ``order by 2 [desc|asc]``: the positional column, the metric, never an amount (``sqlops``);
- ``where is_refunded = false``: a yes/no column compared in SQL (``sqlflags``);
- a threshold per entity said by the word of the entity's name dimension ("which hotels sold more than …",
  "games with over …"): per the entity (``entitynames``);
- "second half of the year" as a list item, with no article (``closingdays``);
- a grain adjective one of the metric's own names holds with the words read ("daily actives": DAU, no series by
  day; ``grainnamed``);
- a word of a yes/no dimension's label beside its value ("company seat enrollments": the flag "Via company
  seat", no breakdown by company; ``flaglabel``);
- the unit a metric is reported in said after "in" ("total revenue in EUR" of "Total Revenue (EUR)", "iap
  revenue in usd" of ``iap_gross_usd``): no filter on a currency column (``unitsaid``);
- a SQL select list ("select agent, count(*) …"): a dimension selected is a breakdown (``sqlops``);
- ``count(distinct <entity>) … having sum(<column>) > N``: the entity's distinct count on the model of the
  metric the column is the measure of, with that metric's threshold per entity, one number (``sqlops``,
  ``entitynames``);
- a word that is one dimension's whole value and only the first word of another's ("antwerpen": the city, not
  the hub "Antwerpen Noord"; ``wholevalue``);
- two values compared with the entity's noun after them ("german vs dutch sellers, units sold"): the noun says
  whose values they are, no count of the entity beside the metric, also where the noun is one a count metric
  shares (bazaar's sellers);
- a sales region's acronym said as a place ("european accounts" = EMEA, "asia pac" = APAC, "north america" =
  AMER), where a dimension holds the acronym (``regionwords``);
- "everywhere but X" leaves X out, as "everything but X" does (``exclusion.ALL_WORDS``);
- a flag said by its one word of substance ("on weekends" for ``is_weekend_night`` on the room nights;
  ``flagcore``; only harbor's catalog has such a flag whose word names nothing else);
- "<word no catalog phrase holds> per <unit>" ("gross margin per parcel", "labour cost per occupied room") is a
  ratio the catalog lacks: refused, never the unit's count or the nearest metric by meaning (``perratio``).
"""

from __future__ import annotations

import datetime as dt

import pytest

from metricmind.project import Project
from metricmind.resolve.lexicon import Entry
from metricmind.resolve.wholevalue import whole_values

AS_OF = dt.date(2024, 7, 3)
LASTMILE_AS_OF = dt.date(2025, 10, 1)
HARBOR_AS_OF = dt.date(2026, 1, 7)
GAME_AS_OF = dt.date(2026, 1, 8)
SCHOOL_AS_OF = dt.date(2026, 1, 6)


def _rows(project: Project, res: object) -> list[tuple[object, ...]]:
    query = res.metric_query()  # type: ignore[attr-defined]
    assert query is not None
    rows = [tuple(r) for r in project.run(query).rows]
    assert rows, "the reading returns no rows on the warehouse"
    return rows


def _total(project: Project, res: object) -> float:
    return sum(float(r[-1] or 0) for r in _rows(project, res))


# -- a period said by its closing day --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "start", "end"),
    [
        ("funded amount for the three months ended 31 March 2024", "2024-01-01", "2024-04-01"),
        ("funded amount, quarter ending march 31 2024", "2024-01-01", "2024-04-01"),
        ("funded amount for the month ended 31 May", "2024-05-01", "2024-06-01"),
    ],
)
def test_period_ended_on_a_day_lending(lending: Project, question: str, start: str, end: str) -> None:
    res = lending.resolver().resolve(question, as_of=AS_OF)
    assert res.answerable, res.reason
    assert res.metrics == ["funded_amount"]
    assert res.time_range == (dt.date.fromisoformat(start), dt.date.fromisoformat(end))
    named = lending.resolver().resolve(f"funded amount from {start} to {end}", as_of=AS_OF)
    assert named.time_range is not None
    same = lending.resolver().resolve(
        "funded amount " + ("in q1 2024" if start == "2024-01-01" else "in may 2024"), as_of=AS_OF
    )
    assert _total(lending, res) == pytest.approx(_total(lending, same))


def test_quarter_ended_on_a_day_harbor(harbor: Project) -> None:
    res = harbor.resolver().resolve(
        "room nights for the quarter ending 30 september 2025", as_of=HARBOR_AS_OF
    )
    assert res.answerable, res.reason
    assert res.metrics == ["room_nights"]
    assert res.time_range == (dt.date(2025, 7, 1), dt.date(2025, 10, 1))
    q3 = harbor.resolver().resolve("room nights in q3 2025", as_of=HARBOR_AS_OF)
    assert _total(harbor, res) == pytest.approx(_total(harbor, q3)) and _total(harbor, res) > 0


@pytest.mark.parametrize(
    ("project_name", "question", "as_of", "metric", "month"),
    [
        (
            "lending",
            "outstanding principal as of 30 april, split by risk grade",
            AS_OF,
            "outstanding_principal",
            4,
        ),
        ("pixelforge", "gem balance as at 31 october", GAME_AS_OF, "gem_balance", 10),
    ],
)
def test_balance_as_at_a_month_end(
    request: pytest.FixtureRequest, project_name: str, question: str, as_of: dt.date, metric: str, month: int
) -> None:
    project: Project = request.getfixturevalue(project_name)
    res = project.resolver().resolve(question, as_of=as_of)
    assert res.answerable, res.reason
    assert res.metrics == [metric]
    assert res.time_range is not None
    start = res.time_range[0]
    assert (start.month, start.day) == (month, 1)
    assert res.time_range[1] == (start.replace(month=month + 1) if month < 12 else start)
    _rows(project, res)


# -- SQL's "not equal" ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("project_name", "as_of", "asked", "field", "value"),
    [
        (
            "lastmile",
            LASTMILE_AS_OF,
            "km_driven where vehicle_type <> 'diesel_van' -- july",
            "route__vehicle_type",
            "diesel_van",
        ),
        ("studyhall", SCHOOL_AS_OF, "watch_hours where device!='web' -- nov", "lesson_view__device", "web"),
    ],
)
def test_sql_not_equal_leaves_the_value_out(
    request: pytest.FixtureRequest, project_name: str, as_of: dt.date, asked: str, field: str, value: str
) -> None:
    project: Project = request.getfixturevalue(project_name)
    resolver = project.resolver()
    res = resolver.resolve(asked, as_of=as_of)
    assert res.answerable, res.reason
    assert [(f.field, f.op, f.values) for f in res.filters] == [(field, "!=", (value,))]
    kept = resolver.resolve(asked.replace("<>", "=").replace("!=", "="), as_of=as_of)
    assert [(f.field, f.op) for f in kept.filters] == [(field, "=")]
    everything = resolver.resolve(asked.split(" where ")[0] + " -- " + asked.rsplit("-- ", 1)[1], as_of=as_of)
    assert not everything.filters
    assert _total(project, res) + _total(project, kept) == pytest.approx(_total(project, everything))


# -- order by a column's position ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("project_name", "as_of", "asked", "metric", "desc", "limit"),
    [
        (
            "helpdesk",
            AS_OF,
            "solved_tickets group by agent order by 2 desc limit 3 -- q2",
            "solved_tickets",
            True,
            3,
        ),
        (
            "pixelforge",
            GAME_AS_OF,
            "iap_revenue group by platform order by 2 asc -- dec",
            "iap_revenue",
            False,
            None,
        ),
    ],
)
def test_order_by_column_position(
    request: pytest.FixtureRequest,
    project_name: str,
    as_of: dt.date,
    asked: str,
    metric: str,
    desc: bool,
    limit: int | None,
) -> None:
    project: Project = request.getfixturevalue(project_name)
    res = project.resolver().resolve(asked, as_of=as_of)
    assert res.answerable, res.reason
    assert res.metrics == [metric]
    assert res.order_by == [(metric, desc)]
    assert res.limit == limit
    values = [float(r[-1] or 0) for r in _rows(project, res)]
    assert values == sorted(values, reverse=desc)
    if limit is not None:
        assert len(values) <= limit


# -- a yes/no column compared in SQL ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("project_name", "as_of", "asked", "field"),
    [
        (
            "pixelforge",
            GAME_AS_OF,
            "iap_revenue where is_first_purchase = {} -- q4",
            "purchase__is_first_purchase",
        ),
        (
            "lastmile",
            LASTMILE_AS_OF,
            "km_driven where is_zero_emission = {} -- aug",
            "route__is_zero_emission",
        ),
    ],
)
def test_sql_yes_no_column(
    request: pytest.FixtureRequest, project_name: str, as_of: dt.date, asked: str, field: str
) -> None:
    project: Project = request.getfixturevalue(project_name)
    resolver = project.resolver()
    yes = resolver.resolve(asked.format("true"), as_of=as_of)
    no = resolver.resolve(asked.format("false"), as_of=as_of)
    neither = resolver.resolve(asked.format("1").replace(" = 1", " != 1"), as_of=as_of)
    for res, value in ((yes, "true"), (no, "false"), (neither, "false")):
        assert res.answerable, res.reason
        assert [(f.field, f.op, f.values) for f in res.filters] == [(field, "=", (value,))]
    everything = resolver.resolve(asked.split(" where ")[0] + " -- " + asked.rsplit("-- ", 1)[1], as_of=as_of)
    total = _total(project, yes) + _total(project, no)
    assert total == pytest.approx(_total(project, everything))


# -- a threshold per entity said by its name's word ------------------------------------------------------


@pytest.mark.parametrize(
    ("project_name", "as_of", "asked", "metric", "entity", "amount", "whole"),
    [
        (
            "harbor",
            HARBOR_AS_OF,
            "hotels that sold over 6000 room nights in 2025",
            "room_nights",
            "property",
            6000.0,
            "room nights by property",
        ),
        (
            "pixelforge",
            GAME_AS_OF,
            "which games made more than 5000 in iap revenue in 2025",
            "iap_revenue",
            "title",
            5000.0,
            "iap revenue by title",
        ),
    ],
)
def test_threshold_per_entity_said_by_its_name(
    request: pytest.FixtureRequest,
    project_name: str,
    as_of: dt.date,
    asked: str,
    metric: str,
    entity: str,
    amount: float,
    whole: str,
) -> None:
    project: Project = request.getfixturevalue(project_name)
    resolver = project.resolver()
    res = resolver.resolve(asked, as_of=as_of)
    assert res.answerable, res.reason
    assert res.metrics == [metric]
    assert res.group_by == [(entity, None)]
    assert [(f.field, f.op, f.values, f.metric) for f in res.filters] == [
        (entity, ">", (str(amount),), metric)
    ]
    everything = resolver.resolve(whole, as_of=as_of)
    assert everything.group_by == [(entity, None)]
    # (a metric filter is computed over all the data: the members passing are those whose whole total passes)
    every = project.run(everything.metric_query()).rows  # type: ignore[arg-type]
    passing = {str(r[0]) for r in every if float(r[-1] or 0) > amount}
    assert passing and passing != {str(r[0]) for r in every}
    got = {str(r[0]) for r in _rows(project, res)}
    assert got <= passing


# -- "second half of the year" as a list item ------------------------------------------------------------


@pytest.mark.parametrize(
    ("project_name", "as_of", "asked", "start", "end"),
    [
        ("harbor", HARBOR_AS_OF, "adr by brand, second half of the year", "2025-07-01", "2026-01-01"),
        ("lending", AS_OF, "funded amount by product, first half of the year", "2024-01-01", "2024-07-01"),
    ],
)
def test_half_of_the_year_as_a_list_item(
    request: pytest.FixtureRequest, project_name: str, as_of: dt.date, asked: str, start: str, end: str
) -> None:
    project: Project = request.getfixturevalue(project_name)
    res = project.resolver().resolve(asked, as_of=as_of)
    assert res.answerable, res.reason
    assert res.time_range == (dt.date.fromisoformat(start), dt.date.fromisoformat(end))
    _rows(project, res)


# -- a grain adjective of the metric's own name ----------------------------------------------------------


def test_daily_actives_compared_is_one_value_per_month(pixelforge: Project) -> None:
    resolver = pixelforge.resolver()
    res = resolver.resolve("daily actives for november against october, the team wants it", as_of=GAME_AS_OF)
    assert res.answerable, res.reason
    assert res.metrics == ["dau"]
    assert res.group_by == []
    assert res.comparison == "previous_period"
    assert res.time_range == (dt.date(2025, 11, 1), dt.date(2025, 12, 1))
    plain = resolver.resolve("dau in november", as_of=GAME_AS_OF)
    assert _total(pixelforge, res) == pytest.approx(_total(pixelforge, plain))


# -- a word of a yes/no dimension's label beside its value -----------------------------------------------


@pytest.mark.parametrize(
    "asked",
    [
        "course completions through company seat enrollments, q3",
        "how many enrollments came through company seat enrollments in q3",
    ],
)
def test_flag_label_word_is_no_breakdown(studyhall: Project, asked: str) -> None:
    res = studyhall.resolver().resolve(asked, as_of=SCHOOL_AS_OF)
    assert res.answerable, res.reason
    assert res.group_by == []
    assert [(f.field, f.values) for f in res.filters] == [("enrollment__is_seat_enrollment", ("true",))]
    _rows(studyhall, res)
    by = studyhall.resolver().resolve(
        "course completions by company, seat enrollments only, q3", as_of=SCHOOL_AS_OF
    )
    assert by.group_by == [("company_account__company_name", None)]


# -- the unit a metric is reported in ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("project_name", "as_of", "asked", "plain"),
    [
        ("harbor", HARBOR_AS_OF, "total revenue in EUR for q4 2025", "total revenue for q4 2025"),
        ("pixelforge", GAME_AS_OF, "iap revenue in usd for q4", "iap revenue for q4"),
    ],
)
def test_unit_of_the_metric_is_no_filter(
    request: pytest.FixtureRequest, project_name: str, as_of: dt.date, asked: str, plain: str
) -> None:
    project: Project = request.getfixturevalue(project_name)
    resolver = project.resolver()
    res = resolver.resolve(asked, as_of=as_of)
    assert res.answerable, res.reason
    assert res.filters == []
    assert _total(project, res) == pytest.approx(_total(project, resolver.resolve(plain, as_of=as_of)))


# -- a SQL select list ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("project_name", "as_of", "asked", "metric", "field"),
    [
        (
            "lastmile",
            LASTMILE_AS_OF,
            "select shipper_name, revenue order by 2 desc limit 4 -- q2",
            "shipping_revenue",
            "parcel__shipper_name",
        ),
        (
            "helpdesk",
            AS_OF,
            "select agent, count(*) from tickets order by 2 desc limit 5 -- june",
            "ticket_volume",
            "agent",
        ),
    ],
)
def test_select_list_column_is_a_breakdown(
    request: pytest.FixtureRequest, project_name: str, as_of: dt.date, asked: str, metric: str, field: str
) -> None:
    project: Project = request.getfixturevalue(project_name)
    res = project.resolver().resolve(asked, as_of=as_of)
    assert res.answerable, res.reason
    assert res.metrics == [metric]
    assert res.group_by == [(field, None)]
    assert res.order_by == [(metric, True)]
    values = [float(r[-1] or 0) for r in _rows(project, res)]
    assert values == sorted(values, reverse=True) and len(values) <= (res.limit or 0)


# -- count(distinct entity) having sum(column) > N ------------------------------------------------------


@pytest.mark.parametrize(
    ("project_name", "as_of", "asked", "counted", "summed", "entity"),
    [
        (
            "pixelforge",
            GAME_AS_OF,
            "select count(distinct player) from purchases having sum(gross_usd) > 20 -- 2025",
            "paying_users",
            "iap_revenue",
            "player",
        ),
        (
            "studyhall",
            SCHOOL_AS_OF,
            "select count(distinct learner) having sum(watch_minutes) > 60 -- 2025",
            "active_learners",
            "watch_minutes",
            "learner",
        ),
    ],
)
def test_count_distinct_having_sum(
    request: pytest.FixtureRequest,
    project_name: str,
    as_of: dt.date,
    asked: str,
    counted: str,
    summed: str,
    entity: str,
) -> None:
    project: Project = request.getfixturevalue(project_name)
    res = project.resolver().resolve(asked, as_of=as_of)
    assert res.answerable, res.reason
    assert res.metrics == [counted]
    assert res.group_by == []
    assert [(f.metric, f.field, f.op) for f in res.filters] == [(summed, entity, ">")]
    with_threshold = _total(project, res)
    everyone = project.resolver().resolve(f"{counted.replace('_', ' ')} in 2025", as_of=as_of)
    assert 0 < with_threshold <= _total(project, everyone)


# -- a whole value over part of another ------------------------------------------------------------------


@pytest.mark.parametrize(
    "asked", ["stops per hour for the antwerp hub in august", "km driven out of antwerpen, aug"]
)
def test_whole_value_over_part_of_one(lastmile: Project, asked: str) -> None:
    res = lastmile.resolver().resolve(asked, as_of=LASTMILE_AS_OF)
    assert res.answerable, res.reason
    fields = {(f.field, f.values) for f in res.filters}
    assert any(v == ("Antwerpen",) for _, v in fields), fields
    _rows(lastmile, res)
    named = lastmile.resolver().resolve("km driven at antwerpen noord, aug", as_of=LASTMILE_AS_OF)
    assert [(f.field, f.values) for f in named.filters] == [("hub__hub_name", ("Antwerpen Noord",))]


def test_whole_values_keeps_the_whole_one() -> None:
    part = Entry("value", "hub__hub_name=Antwerpen Noord", "observed")
    whole = Entry("value", "hub__city=Antwerpen", "observed")
    assert whole_values([part, whole], ("antwerpen",)) == [whole]
    assert whole_values([part], ("antwerpen",)) == [part]  # (the only reading stays)
    method = Entry("value", "payment__payment_method=invoice", "observed")
    kind = Entry("value", "payment__payment_type=seat_invoice", "observed")
    assert whole_values([kind, method], ("invoice",)) == [method]


# -- two values with their entity's noun ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("project_name", "as_of", "asked", "metric", "field", "values"),
    [
        (
            "bazaar",
            AS_OF,
            "german vs dutch sellers, gmv in q2",
            "gmv",
            "seller__seller_country",
            ("DE", "NL"),
        ),
        (
            "bazaar",
            AS_OF,
            "dutch versus german sellers - units sold, may",
            "units_sold",
            "seller__seller_country",
            ("DE", "NL"),
        ),
        (
            "harbor",
            HARBOR_AS_OF,
            "danish vs british guests, room nights in q4",
            "room_nights",
            "guest__home_country",
            ("DK", "GB"),
        ),
    ],
)
def test_two_values_with_their_entity_noun(
    request: pytest.FixtureRequest,
    project_name: str,
    as_of: dt.date,
    asked: str,
    metric: str,
    field: str,
    values: tuple[str, ...],
) -> None:
    project: Project = request.getfixturevalue(project_name)
    res = project.resolver().resolve(asked, as_of=as_of)
    assert res.answerable, res.reason
    assert res.metrics == [metric]
    assert res.group_by == [(field, None)]
    assert [(f.field, tuple(sorted(f.values))) for f in res.filters] == [(field, tuple(sorted(values)))]
    assert len(_rows(project, res)) == 2


# -- a region's acronym said as a place ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("project_name", "as_of", "asked", "field", "op", "values"),
    [
        (
            "helpdesk",
            AS_OF,
            "tickets from european customers in may",
            "account__sales_region",
            "=",
            ("EMEA",),
        ),
        ("helpdesk", AS_OF, "solved tickets outside asia pac, q2", "account__sales_region", "!=", ("APAC",)),
        (
            "studyhall",
            SCHOOL_AS_OF,
            "watch hours from european learners in q4",
            "learner__region",
            "=",
            ("EMEA",),
        ),
        ("studyhall", SCHOOL_AS_OF, "enrollments outside asia, q4", "learner__region", "!=", ("APAC",)),
    ],
)
def test_region_acronym_said_as_a_place(
    request: pytest.FixtureRequest,
    project_name: str,
    as_of: dt.date,
    asked: str,
    field: str,
    op: str,
    values: tuple[str, ...],
) -> None:
    project: Project = request.getfixturevalue(project_name)
    resolver = project.resolver()
    res = resolver.resolve(asked, as_of=as_of)
    assert res.answerable, res.reason
    assert [(f.field, f.op, f.values) for f in res.filters] == [(field, op, values)]
    region = values[0]
    plain = asked.replace("european", region).replace("asia pac", region).replace("asia", region)
    named = resolver.resolve(plain, as_of=as_of)
    assert [(f.field, f.op, f.values) for f in named.filters] == [(field, op, values)]
    assert _total(project, res) == pytest.approx(_total(project, named))


# -- everywhere but ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("project_name", "as_of", "asked", "field", "value"),
    [
        ("lastmile", LASTMILE_AS_OF, "km driven everywhere but belgium, aug", "hub__country_code", "BE"),
        ("bazaar", AS_OF, "gmv everywhere but germany in may", "buyer__buyer_country", "DE"),
    ],
)
def test_everywhere_but_leaves_out(
    request: pytest.FixtureRequest, project_name: str, as_of: dt.date, asked: str, field: str, value: str
) -> None:
    project: Project = request.getfixturevalue(project_name)
    res = project.resolver().resolve(asked, as_of=as_of)
    assert res.answerable, res.reason
    assert [(f.field, f.op, f.values) for f in res.filters] == [(field, "!=", (value,))]
    _rows(project, res)


# -- a flag by its one word of substance ------------------------------------------------------------------


def test_flag_by_its_core_word(harbor: Project) -> None:
    resolver = harbor.resolver()
    weekends = resolver.resolve("room nights sold on weekends in q4", as_of=HARBOR_AS_OF)
    assert weekends.answerable, weekends.reason
    assert [(f.field, f.values) for f in weekends.filters] == [("room_night__is_weekend_night", ("true",))]
    split = resolver.resolve("room nights, weekends vs weekdays, q4", as_of=HARBOR_AS_OF)
    assert split.group_by == [("room_night__is_weekend_night", None)]
    everything = resolver.resolve("room nights sold in q4", as_of=HARBOR_AS_OF)
    assert _total(harbor, split) == pytest.approx(_total(harbor, everything))
    assert 0 < _total(harbor, weekends) < _total(harbor, everything)


# -- a ratio of a numerator the catalog lacks ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("project_name", "as_of", "asked", "answered", "metric"),
    [
        (
            "lastmile",
            LASTMILE_AS_OF,
            "what's our profit per stop in q3",
            "revenue per parcel in q3",
            "revenue_per_parcel",
        ),
        ("harbor", HARBOR_AS_OF, "labour cost per occupied room in q4", "adr in q4", "adr"),
    ],
)
def test_ratio_of_an_unknown_numerator_is_refused(
    request: pytest.FixtureRequest, project_name: str, as_of: dt.date, asked: str, answered: str, metric: str
) -> None:
    project: Project = request.getfixturevalue(project_name)
    resolver = project.resolver()
    res = resolver.resolve(asked, as_of=as_of)
    assert not res.answerable
    assert res.confidence < 0.5
    known = resolver.resolve(answered, as_of=as_of)
    assert known.answerable and known.metrics == [metric]
    _rows(project, known)
