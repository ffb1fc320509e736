"""Each class of miss of ``ask`` on the harbor sample's dev split (issue 14), phrased anew on another project.

harbor (a hotel group) was written code-blind and scored 60.0% on its dev split untouched. Each miss is fixed
as a rule of reading a project's own catalog; these cases check the rule where the miss did not come from, in
other words, and run the readings on the warehouse:

- a value said right before a dimension noun of the same entity names one member ("the Lisbon hotel"), not a
  breakdown by the noun, and the noun decides whose value it is ("the uk hotel": the hotel's country, not the
  guest's) (``namedmember``): on lastmile with its hub names labelled "Depot";
- an entity noun right before a dimension of its own ("guest nationalities") is one breakdown, by the dimension;
- a compound value said in the plural on its short last word ("walk ins", "pick ups") is the value;
- "cheapest first" sorts ascending, "priciest first" descending;
- "the second half of the year" is the latest such half;
- a plural noun no metric's words hold, right after a catalog word ("circle points redeemed", "seller perks"),
  is a thing the catalog does not measure: refused, never read as the nearest metric by meaning;
- a metric's growth against the period before, where the catalog has that metric's growth at that step and the
  question says its label's growth word ("pickup growth vs prior month"), is that growth metric;
- a value said before an entity noun whose dimension the metric cannot reach ("platinum members stayed") is
  read on a dimension of an entity the noun's own model refers to (the member's guest), as a guess.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from metricmind.project import Project
from tests.foreign.test_resolve_lastmile import blindset_item
from tests.resolve import blindset

LASTMILE_AS_OF = dt.date(2025, 10, 1)
SEPT = (dt.date(2025, 9, 1), dt.date(2025, 10, 1))


DEV = Path(__file__).parent / "questions" / "dev_harbor.yml"
FLOOR = 0.825
"""Exact match on harbor's dev split, a question under the measured figure (85.0%, docs/foreign.md)."""


def test_dev_split_floor(harbor: Project) -> None:
    items = [blindset_item(i) for i in blindset.load(DEV)]
    s = blindset.score_items(harbor.resolver(), items, scored_only=False, as_of="2026-01-07")
    misses = [f"{i} {q!r}" for i, q, _, _ in s.misses]
    assert s.accuracy() >= FLOOR, misses
    assert s.refusals_low[0] == s.refusals_low[1], "a refusal carried confidence >= 0.5"
    assert s.confident[0] == s.confident[1], "an answer at confidence >= 0.8 was wrong"


def _runs(project: Project, res: object) -> list[tuple[object, ...]]:
    query = res.metric_query()  # type: ignore[attr-defined]
    assert query is not None
    rows = [tuple(r) for r in project.run(query).rows]
    assert rows, "the reading returns no rows on the warehouse"
    return rows


def _filters(res: object) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(f.field, f.op, f.values) for f in res.filters]  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def depots(lastmile_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """lastmile with its hubs' name column labelled "Depot" (as harbor labels its hotels' name "Hotel")."""
    root = tmp_path_factory.mktemp("depots") / "lastmile"
    shutil.copytree(lastmile_dir, root, ignore=shutil.ignore_patterns(".metricmind"))
    path = root / "models" / "semantic_layer" / "semantic_models.yml"
    text = path.read_text()
    old = "      - name: hub_name\n        type: categorical\n"
    assert text.count(old) == 1
    text = text.replace(old, old + "        label: Depot\n")
    # the lockers are where recipients pick a parcel up: the catalog's alias, said in the plural in questions
    old = "      - name: handover_type\n        description: Who or what took the parcel (successful attempts only).\n"
    assert text.count(old) == 1
    meta = "        config:\n          meta:\n            value_aliases: {parcel_locker: [pick up]}\n"
    path.write_text(text.replace(old, old + meta))
    with Project.load(root) as project:
        yield project


# -- a member named by a value and its noun ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "metric", "field", "value"),
    [
        ("km driven at the Rotterdam depot in september", "km_driven", "hub__city", "Rotterdam"),
        ("failed attempts at the belgian depot in september", "failed_attempts", "hub__country_code", "BE"),
        (
            "delivery attempts at the german depot in september",
            "delivery_attempts",
            "hub__country_code",
            "DE",
        ),
    ],
)
def test_a_value_before_its_entitys_noun_names_one_member(
    depots: Project, question: str, metric: str, field: str, value: str
) -> None:
    # the destination country holds BE and DE too: "depot" says it is the hub's country
    res = depots.resolver().resolve(question, as_of=LASTMILE_AS_OF)
    assert res.answerable, res.reason
    assert res.metrics == [metric]
    assert res.group_by == []
    assert _filters(res) == [(field, "=", (value,))]
    assert res.time_range == SEPT
    assert len(_runs(depots, res)) == 1


def test_the_noun_after_by_still_breaks_down(depots: Project) -> None:
    res = depots.resolver().resolve("km driven by depot in utrecht in september", as_of=LASTMILE_AS_OF)
    assert res.answerable, res.reason
    assert res.group_by == [("hub__hub_name", None)]
    assert _filters(res) == [("hub__city", "=", ("Utrecht",))]
    assert len(_runs(depots, res)) == 2  # Utrecht Binnenstad and Utrecht Lage Weide (or Centraal)


# -- a compound value said in the plural -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "op"),
    [
        ("delivery attempts in september other than pick ups", "!="),
        ("delivery attempts excluding pick-ups, september", "!="),
        ("delivery attempts from pick ups in september", "="),
    ],
)
def test_a_compound_value_in_the_plural_is_the_value(depots: Project, question: str, op: str) -> None:
    # "pick ups": the plural of the alias "pick up" on its short last word; an exclusion never lost
    res = depots.resolver().resolve(question, as_of=LASTMILE_AS_OF)
    assert res.answerable, res.reason
    assert res.metrics == ["delivery_attempts"]
    assert _filters(res) == [("attempt__handover_type", op, ("parcel_locker",))]
    assert len(_runs(depots, res)) == 1


# -- an entity noun before its own dimension -----------------------------------------------------------------


@pytest.mark.parametrize("question", ["top 3 hub depots by km driven", "km driven by hub depot, top 3"])
def test_an_entity_noun_before_its_own_dimension_is_one_breakdown(depots: Project, question: str) -> None:
    res = depots.resolver().resolve(question, as_of=LASTMILE_AS_OF)
    assert res.answerable, res.reason
    assert res.group_by == [("hub__hub_name", None)]
    assert res.limit == 3
    rows = _runs(depots, res)
    assert len(rows) == 3 and len({r[0] for r in rows}) == 3


# -- price superlatives before "first" -----------------------------------------------------------------------


@pytest.mark.parametrize(("word", "desc"), [("cheapest", False), ("priciest", True)])
def test_a_price_superlative_before_first_sorts(lending: Project, word: str, desc: bool) -> None:
    res = lending.resolver().resolve(f"average apr by loan product, {word} first", as_of=dt.date(2024, 7, 3))
    assert res.answerable, res.reason
    assert res.metrics == ["average_apr"]
    assert res.order_by == [("average_apr", desc)] and res.limit is None
    rows = _runs(lending, res)
    aprs = [float(r[-1]) for r in rows]
    assert aprs == sorted(aprs, reverse=desc) and len(aprs) == 3


# -- the halves of "the year" ----------------------------------------------------------------------------------


def test_the_second_half_of_the_year_is_the_latest_such_half(lastmile: Project, lending: Project) -> None:
    res = lastmile.resolver().resolve("km driven in the second half of the year", as_of=LASTMILE_AS_OF)
    assert res.answerable, res.reason
    assert res.time_range == (dt.date(2025, 7, 1), dt.date(2026, 1, 1))
    res = lending.resolver().resolve(
        "funded amount by month for the first half of the year", as_of=dt.date(2024, 7, 3)
    )
    assert res.time_range == (dt.date(2024, 1, 1), dt.date(2024, 7, 1))
    assert len(_runs(lending, res)) == 6


# -- a thing no metric speaks of, named after a catalog word -------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "verified seller perks used in may",
        "seller perks claimed in may",
        "buyer loyalty points earned in may",
    ],
)
def test_an_unknown_thing_after_a_catalog_word_is_refused(bazaar: Project, question: str) -> None:
    # "perks" is in no metric's words: the sellers counted are not what is asked (never read by meaning)
    res = bazaar.resolver().resolve(question, as_of=dt.date(2024, 7, 3))
    assert not res.answerable
    assert res.confidence < 0.5


def test_a_metric_said_with_its_own_words_is_still_read(bazaar: Project) -> None:
    res = bazaar.resolver().resolve("active sellers in may", as_of=dt.date(2024, 7, 3))
    assert res.answerable, res.reason
    assert res.metrics == ["active_sellers"]
    assert len(_runs(bazaar, res)) == 1


# -- the catalog's growth metric of the metric said ----------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "funded amt growth vs the prior month, each month of q2",
        "funded amount growth vs prior month by month in q2",
    ],
)
def test_growth_against_the_period_before_is_the_catalogs_growth_metric(
    lending: Project, question: str
) -> None:
    # funded_amount_mom_growth: funded_amount over itself a month before ("growth" is its label's word)
    res = lending.resolver().resolve(question, as_of=dt.date(2024, 7, 3))
    assert res.answerable, res.reason
    assert res.metrics == ["funded_amount_mom_growth"]
    assert res.comparison is None
    assert res.group_by == [("metric_time", "month")]
    assert len(_runs(lending, res)) == 3


def test_growth_at_another_step_keeps_the_comparison(lastmile: Project, lending: Project) -> None:
    # parcel_volume_wow steps a week: growth by month is the monthly trend of the volume, each month beside
    # the one before (the eighth dev set's reading of growth over a grain; "month over month" compares)
    res = lastmile.resolver().resolve("parcel volume growth by month in q3", as_of=LASTMILE_AS_OF)
    assert res.metrics == ["parcel_volume"] and res.comparison is None
    assert res.group_by == [("metric_time", "month")]
    res = lastmile.resolver().resolve(
        "parcel volume growth vs prior week, weekly in september", as_of=LASTMILE_AS_OF
    )
    assert res.metrics == ["parcel_volume_wow"] and res.comparison is None
    # no word of the growth metric's own said: both values
    res = lending.resolver().resolve("funded amount in may vs april", as_of=dt.date(2024, 7, 3))
    assert res.metrics == ["funded_amount"] and res.comparison == "previous_period"


# -- a value named with an entity the metric does not reach --------------------------------------------------


@pytest.mark.parametrize(
    ("question", "metric", "value"),
    [
        ("approval rate of auto refinance loans in q2", "approval_rate", "auto_refinance"),
        ("applications for personal loan loans in q2", "applications", "personal_loan"),
    ],
)
def test_a_value_of_a_linked_entity_is_read_where_the_metric_reaches(
    lending: Project, question: str, metric: str, value: str
) -> None:
    # the loan's product is out of the applications' reach; a loan refers to its application, whose
    # requested product holds the same value: read there, a guess (< 0.8)
    res = lending.resolver().resolve(question, as_of=dt.date(2024, 7, 3))
    assert res.answerable, res.reason
    assert res.metrics == [metric]
    assert _filters(res) == [("application__requested_product", "=", (value,))]
    assert res.confidence < 0.8
    assert len(_runs(lending, res)) == 1


def test_a_value_of_an_unlinked_entity_stays_refused(lastmile: Project) -> None:
    # a parcel's destination country is no field of the routes, and parcels refer to no hub entity:
    # the hub's country is another thing, so the question is refused, not answered on it
    res = lastmile.resolver().resolve("km driven for german parcels in september", as_of=LASTMILE_AS_OF)
    assert not res.answerable
    assert res.confidence < 0.5
