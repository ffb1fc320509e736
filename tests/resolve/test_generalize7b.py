"""Generalization probe for the seventh code-blind set (issue 14): each class of dev7 miss fixed at its cause,
then tried on phrasings of our own on other companies' projects (harbor, a hotel group; lastmile, a parcel
carrier; shop, a web shop), each reading run on the sample's warehouse. None is copied from a question set.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest

from metricmind.project import Project
from metricmind.resolve import Resolver
from metricmind.testing.harbor import copy_harbor
from metricmind.testing.lastmile import copy_lastmile
from metricmind.testing.shop import copy_shop
from tests.shared_demo import loaded_copy

AS_OF = dt.date(2025, 10, 1)
SEPT = (dt.date(2025, 9, 1), dt.date(2025, 10, 1))
AUG = (dt.date(2025, 8, 1), dt.date(2025, 9, 1))


@pytest.fixture(scope="module")
def harbor(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """The harbor (hotel group) sample, built once for this module."""
    with loaded_copy(tmp_path_factory, "harbor", copy_harbor) as project:
        yield project


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """The shop sample (its segments include "SMB"), built once for this module."""
    with loaded_copy(tmp_path_factory, "shop", copy_shop) as project:
        yield project


@pytest.fixture(scope="module")
def lastmile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """The lastmile (parcel carrier) sample, built once for this module."""
    with loaded_copy(tmp_path_factory, "lastmile", copy_lastmile) as project:
        yield project


def _filters(res: object) -> set[tuple[str, str, tuple[str, ...]]]:
    return {(f.field, f.op, f.values) for f in res.filters}  # type: ignore[attr-defined]


def _rows(project: Project, res: object) -> list[tuple[object, ...]]:
    query = res.metric_query()  # type: ignore[attr-defined]
    assert query is not None
    rows = [tuple(r) for r in project.run(query).rows]
    assert rows and any(v not in (None, 0) for r in rows for v in r), "the reading returns nothing to read"
    return rows


def _total(project: Project, res: object) -> float:
    """The sum of the reading's numbers (its metric's values: no breakdown is asked here)."""
    return sum(float(v) for r in _rows(project, res) for v in r if isinstance(v, (int, float, Decimal)))


# -- "not counting X": the cue's verb is never a word of a metric's description ("counted on the day …") -------
@pytest.mark.parametrize(
    ("project_name", "question", "metric", "field", "value"),
    [
        (
            "lastmile",
            "delivered parcels in september not counting fashion",
            "delivered_parcels",
            "parcel__shipper_vertical",
            "fashion",
        ),
        (
            "harbor",
            "pickup in september not counting ota",
            "bookings_made",
            "reservation__channel_group",
            "ota",
        ),
        (
            "harbor",
            "new reservations in september not counting the corporate segment",
            "bookings_made",
            "reservation__market_segment",
            "corporate",
        ),
    ],
)
def test_not_counting_excludes_even_when_a_description_says_counted(
    request: pytest.FixtureRequest, project_name: str, question: str, metric: str, field: str, value: str
) -> None:
    project: Project = request.getfixturevalue(project_name)
    res = project.resolver().resolve(question, as_of=AS_OF)
    assert res.answerable, res.reason
    assert res.metrics == [metric]
    assert _filters(res) == {(field, "!=", (value,))}
    assert res.time_range == SEPT
    # the exclusion leaves out rows: fewer than the metric over everything, more than none
    everything = project.resolver().resolve(question.split(" not counting")[0], as_of=AS_OF)
    assert 0 < _total(project, res) < _total(project, everything)


# -- a three-letter upper-case value said in the plural ("the SMBs") is that value -----------------------------
@pytest.mark.parametrize(
    ("question", "metric", "op"),
    [
        ("orders from the SMBs in 2024", "orders", "="),
        ("avg order value for SMBs in 2024", "avg_order_value", "="),
        ("revenue in 2024 excluding the SMBs", "revenue", "!="),  # (never the catalog's "SMB revenue")
    ],
)
def test_a_short_code_in_the_plural_is_its_value(shop: Project, question: str, metric: str, op: str) -> None:
    res = shop.resolver().resolve(question, as_of=dt.date(2025, 1, 15))
    assert res.answerable, res.reason
    assert res.metrics == [metric]
    assert _filters(res) == {("customer__segment", op, ("SMB",))}
    assert res.confidence >= 0.8
    _rows(shop, res)


# -- an everyday value right before a metric of its own table says which rows ("direct bookings") --------------
@pytest.mark.parametrize(
    ("question", "metric", "field", "value"),
    [
        ("direct bookings in september", "bookings", "reservation__channel_group", "direct"),
        ("web enrolments in september", "new_members", "member__enrolment_channel", "web"),
    ],
)
def test_an_everyday_value_before_its_tables_metric_filters(
    harbor: Project, question: str, metric: str, field: str, value: str
) -> None:
    res = harbor.resolver().resolve(question, as_of=AS_OF)
    assert res.answerable, res.reason
    assert res.metrics == [metric]
    assert _filters(res) == {(field, "=", (value,))}
    _rows(harbor, res)


def test_a_value_before_the_metric_and_a_qualified_entity_after_it_keeps_the_metric(harbor: Project) -> None:
    # "ota bookings from gold guests": the metric (bookings) is said after a value; the guests say who
    res = harbor.resolver().resolve("direct reservations from gold guests in september", as_of=AS_OF)
    assert res.answerable, res.reason
    assert res.metrics == ["bookings"]
    assert _filters(res) == {
        ("reservation__channel_group", "=", ("direct",)),
        ("guest__loyalty_tier", "=", ("Gold",)),
    }
    _rows(harbor, res)


# -- "how did X change from A to B": B against the period before, not one range over both ---------------------
@pytest.mark.parametrize(
    ("question", "metric", "rng"),
    [
        ("how did room nights change from august to september", "room_nights", SEPT),
        ("how did adr move between july and august", "adr", AUG),
        ("how did direct bookings change from august to september", "bookings", SEPT),
    ],
)
def test_a_change_between_two_periods_is_the_later_against_the_earlier(
    harbor: Project, question: str, metric: str, rng: tuple[dt.date, dt.date]
) -> None:
    res = harbor.resolver().resolve(question, as_of=AS_OF)
    assert res.answerable, res.reason
    assert res.metrics == [metric]
    assert res.time_range == rng
    assert res.comparison == "previous_period"
    _rows(harbor, res)


def test_a_range_from_one_month_to_the_next_without_a_change_word_stays_one_range(harbor: Project) -> None:
    res = harbor.resolver().resolve("room nights from august to september", as_of=AS_OF)
    assert res.answerable, res.reason
    assert res.time_range == (AUG[0], SEPT[1])
    assert res.comparison is None


# -- "per <a word of the metric> <noun>": a breakdown the catalog lacks, never the metric's word again ----------
@pytest.mark.parametrize(
    ("project_name", "question"),
    [
        ("lastmile", "fuel cost per fuel card in september"),
        ("harbor", "room revenue per room group in september"),
    ],
)
def test_a_metric_word_said_again_after_per_starts_an_unknown_breakdown(
    request: pytest.FixtureRequest, project_name: str, question: str
) -> None:
    project: Project = request.getfixturevalue(project_name)
    res = project.resolver().resolve(question, as_of=AS_OF)
    assert not res.answerable
    assert res.confidence < 0.5


# -- a value that is also a growth metric's word ("growth plan") is the value, not the growth metric ------------
@pytest.mark.parametrize(
    ("question", "rng"),
    [
        ("growth tier mrr in may compared with april", (dt.date(2026, 5, 1), dt.date(2026, 6, 1))),
        (
            "mrr for growth customers last quarter vs the quarter before",
            (dt.date(2026, 1, 1), dt.date(2026, 4, 1)),
        ),
    ],
)
def test_a_value_sharing_the_growth_word_is_no_growth_metric(
    resolver: Resolver, resolve_demo: Project, question: str, rng: tuple[dt.date, dt.date]
) -> None:
    res = resolver.resolve(question, as_of=dt.date(2026, 6, 18))
    assert res.answerable, res.reason
    assert res.metrics == ["mrr"]
    assert _filters(res) == {("subscription__plan_tier", "=", ("Growth",))}
    assert res.time_range == rng
    assert res.comparison == "previous_period"
    _rows(resolve_demo, res)


def test_a_growth_metric_named_with_its_growth_word_still_reads(resolver: Resolver) -> None:
    res = resolver.resolve("mrr growth mom for starter last month", as_of=dt.date(2026, 6, 18))
    assert res.answerable, res.reason
    assert res.metrics == ["mrr_growth_mom"]


# -- "p/m", "p/w": per month, per week -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("project_name", "question", "grain"),
    [
        ("lastmile", "parcel volume p/w in september", "week"),
        ("harbor", "room nights sold p/m this year", "month"),
    ],
)
def test_p_slash_a_unit_letter_is_per_that_unit(
    request: pytest.FixtureRequest, project_name: str, question: str, grain: str
) -> None:
    project: Project = request.getfixturevalue(project_name)
    res = project.resolver().resolve(question, as_of=AS_OF)
    assert res.answerable, res.reason
    assert res.group_by == [("metric_time", grain)]
    assert len(_rows(project, res)) > 1


# -- a grain followed by a clause dating another event is no breakdown by the metric's own time -----------------
@pytest.mark.parametrize(
    ("project_name", "question"),
    [
        ("lastmile", "parcel volume by the month the shipper joined"),
        ("harbor", "room revenue split by the year the hotel was renovated"),
        ("lastmile", "fuel cost by year founded"),
    ],
)
def test_a_grain_dating_another_event_is_refused(
    request: pytest.FixtureRequest, project_name: str, question: str
) -> None:
    project: Project = request.getfixturevalue(project_name)
    res = project.resolver().resolve(question, as_of=AS_OF)
    assert not res.answerable
    assert res.confidence < 0.5


def test_a_grain_with_a_period_after_it_still_groups(lastmile: Project) -> None:
    res = lastmile.resolver().resolve("parcel volume by month last year", as_of=AS_OF)
    assert res.answerable, res.reason
    assert res.group_by == [("metric_time", "month")]


# -- "how many <a value>": the rows of the value's table that have it --------------------------------------------
def test_how_many_before_a_value_counts_its_tables_rows(lastmile: Project) -> None:
    res = lastmile.resolver().resolve("how many neighbours took parcels in september", as_of=AS_OF)
    assert res.answerable, res.reason
    assert res.metrics == ["delivery_attempts"]
    assert _filters(res) == {("attempt__handover_type", "=", ("neighbour",))}
    assert res.confidence < 0.8  # read from the value's table, not said
    everything = lastmile.resolver().resolve("delivery attempts in september", as_of=AS_OF)
    assert 0 < _total(lastmile, res) < _total(lastmile, everything)


@pytest.mark.parametrize(
    ("question", "field", "value"),
    [
        ("how many integrations did people open in may", "event__feature", "integrations"),
        ("how many times did folks use the alerts feature in may", "event__feature", "alerts"),
    ],
)
def test_how_many_before_a_value_on_the_demo(
    resolver: Resolver, resolve_demo: Project, question: str, field: str, value: str
) -> None:
    res = resolver.resolve(question, as_of=dt.date(2026, 6, 18))
    assert res.answerable, res.reason
    assert res.metrics == ["events"]
    assert _filters(res) == {(field, "=", (value,))}
    _rows(resolve_demo, res)


# -- the unit asked settles a tie between metrics a description explains as well -------------------------------
@pytest.mark.parametrize(
    "question",
    ["how many accounts stopped paying in q1", "companies that stopped paying us in q1, by region"],
)
def test_who_stopped_paying_is_counted(resolver: Resolver, resolve_demo: Project, question: str) -> None:
    res = resolver.resolve(question, as_of=dt.date(2026, 6, 18))
    assert res.answerable, res.reason
    assert res.metrics == ["churned_customers"]
    _rows(resolve_demo, res)


# -- "most used first": how to sort the metric named, no second metric ----------------------------------------------
def test_most_used_first_sorts_the_named_metric(resolver: Resolver) -> None:
    res = resolver.resolve("platforms by active users in may, least used first", as_of=dt.date(2026, 6, 18))
    assert res.answerable, res.reason
    assert res.metrics == ["active_users"]
    assert res.order_by == [("active_users", False)]


# -- two values listed with an article between ("direct or the ota channel") are both values -----------------------
def test_two_values_listed_with_an_article_between_are_both_read(harbor: Project) -> None:
    res = harbor.resolver().resolve("bookings in september, direct or the ota channel", as_of=AS_OF)
    assert res.answerable, res.reason
    assert res.metrics == ["bookings"]
    assert _filters(res) == {("reservation__channel_group", "in", ("direct", "ota"))}
    _rows(harbor, res)
