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
- a lead-in set apart by a colon ("Prepping the account review with X: how many parcels …") never renames the
  request's metric by its description words.

More classes in ``test_resolve_generalize14b.py``; the shared helpers in ``generalize14.py``.
"""

from __future__ import annotations

import datetime as dt

import pytest

from metricmind.project import Project
from tests.foreign.generalize14 import (
    BAZAAR_AS_OF,
    LASTMILE_AS_OF,
    PIXELFORGE_AS_OF,
    STUDYHALL_AS_OF,
    _rows,
    _same_as,
    _threshold_counts,
)

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
