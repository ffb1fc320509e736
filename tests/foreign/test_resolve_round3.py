"""Classes of ``ask``'s misses on the round-3 dev questions (``dev3_<project>.yml``, issue 14), tried on the
foreign projects in words of our own and run on their warehouses:

- "at the end of last year" / "of 2025" on a balance kept by day is the period's closing month (the closing
  figure's range); on a balance kept by month (the demo's MRR) the whole period, as before (``closingmonth``);
  "each month end of 2025" stays the year;
- SQL's ``group by 1`` names a selected column, no amount refused; "group" of ``group by`` in SQL is no value
  ("group" market segment); ``col = 'v'`` and ``col in ('a', 'b')`` keep every item, each a value of the
  column's dimension said loosely ("select" → Harbor Select, "social" → social_media) (``sqlvalues``);
- a bare "%" after a count asks for its share, the catalog's ratio over that count ("quiz pass %");
- "worst first" / "best first" of an adverse metric (breaches, no-shows, losses) is its highest / lowest first
  (``polarity``); of any other metric the reverse, as before;
- a doer noun of a metric's word ("reviewer" of reviews) is a word of its own, not that word mistyped: "by the
  reviewer's age group" is a breakdown the catalog lacks, refused, never answered without it;
- SQL's ``count(*) from claims`` counts the table's rows, its plain count (no ask-back among the metrics sharing
  the word), also before ``having``; "from … where" in SQL asks no origin ("where … come from");
- a relayed request ("she wants …", "ceo wants …") opens where the asker's verb ends; a closing "for her
  investor call" (an occasion) or "before the 10am" (a clock time) is context, no unknown words (``clauses``);
- the noun a semantic model's description gives its entity ("Seller shops on the marketplace") is that entity
  ("top 3 shops by gmv", "which shops did over 8k") (``describednouns``), except inside a catalog phrase.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from metricmind.project import Project
from metricmind.resolve import Resolver
from metricmind.resolve.describednouns import described_noun
from metricmind.resolve.polarity import adverse

BAZAAR_AS_OF = dt.date(2024, 7, 3)
LENDING_AS_OF = dt.date(2024, 7, 3)
PIXELFORGE_AS_OF = dt.date(2026, 1, 8)
HELPDESK_AS_OF = dt.date(2024, 7, 3)
HARBOR_AS_OF = dt.date(2026, 1, 7)
COVEWELL_AS_OF = dt.date(2026, 1, 7)
RIDGELINE_AS_OF = dt.date(2026, 1, 7)
STUDYHALL_AS_OF = dt.date(2026, 1, 6)
DEMO = Path(__file__).resolve().parents[2] / "metricmind" / "demo" / "project"


def _rows(project: Project, question: str, as_of: dt.date) -> list[tuple[object, ...]]:
    res = project.resolver().resolve(question, as_of=as_of)
    assert res.answerable, res.reason
    query = res.metric_query()
    assert query is not None
    rows = [tuple(r) for r in project.run(query).rows]
    assert rows, "the reading returns no rows on the warehouse"
    return rows


def _total(rows: list[tuple[object, ...]]) -> float:
    return sum(float(str(r[-1])) for r in rows)


# -- the end of a period, on a daily balance and on a monthly one ------------------------------------------------
def test_end_of_last_year_on_a_daily_balance_is_december(covewell: Project, harbor: Project) -> None:
    for project, said, plain, as_of in (
        (
            covewell,
            "premium in force at the end of last year",
            "premium in force in dec 2025",
            COVEWELL_AS_OF,
        ),
        (
            harbor,
            "rooms in inventory as at the end of 2025",
            "rooms in inventory in december 2025",
            HARBOR_AS_OF,
        ),
    ):
        res = project.resolver().resolve(said, as_of=as_of)
        assert res.answerable and res.time_range == (dt.date(2025, 12, 1), dt.date(2026, 1, 1)), said
        assert res.confidence >= 0.8, res.notes
        rows = _rows(project, said, as_of)
        assert rows == _rows(project, plain, as_of) and len(rows) == 1


def test_end_of_a_year_on_a_monthly_balance_is_the_year() -> None:
    resolver = Resolver(Project.load(DEMO, strict=False).model)
    res = resolver.resolve("active customers at the end of last year", as_of=dt.date(2025, 6, 18))
    assert res.answerable and res.time_range == (dt.date(2024, 1, 1), dt.date(2025, 1, 1))
    res = resolver.resolve("mrr by plan at the end of last qtr", as_of=dt.date(2025, 6, 18))
    assert res.time_range == (dt.date(2025, 1, 1), dt.date(2025, 4, 1))


def test_each_month_end_of_a_year_is_the_year(ridgeline: Project) -> None:
    res = ridgeline.resolver().resolve("active subscribers at each month end of 2025", as_of=RIDGELINE_AS_OF)
    assert res.time_range == (dt.date(2025, 1, 1), dt.date(2026, 1, 1))


# -- SQL typed into the question ----------------------------------------------------------------------------------
def test_group_by_a_column_number_is_no_amount(harbor: Project, covewell: Project) -> None:
    said = "select property_name, sum(room_revenue) group by 1 order by 2 desc limit 2 -- q4"
    res = harbor.resolver().resolve(said, as_of=HARBOR_AS_OF)
    assert res.answerable and res.metrics == ["room_revenue"] and res.filters == [], res.reason
    assert res.group_by == [("property__property_name", None)] and res.order_by == [("room_revenue", True)]
    rows = _rows(harbor, said, HARBOR_AS_OF)
    every = _rows(harbor, "room revenue by property name, q4", HARBOR_AS_OF)
    assert len(rows) == 2 and sorted(every, key=lambda r: -float(str(r[-1])))[:2] == rows
    said = "select agent_name, sum(new_business_premium) group by 1 order by 2 desc limit 3 -- h2 2025"
    res = covewell.resolver().resolve(said, as_of=COVEWELL_AS_OF)
    assert res.answerable and res.limit == 3 and res.group_by == [("agent__agent_name", None)], res.reason
    assert len(_rows(covewell, said, COVEWELL_AS_OF)) == 3


def test_sql_equality_reads_a_loose_value_and_group_is_no_value(harbor: Project) -> None:
    said = "avg lead time where brand = 'select' group by month -- 2025"
    res = harbor.resolver().resolve(said, as_of=HARBOR_AS_OF)
    assert res.answerable and res.metrics == ["avg_lead_time"], res.reason
    assert [(f.field, f.op, f.values) for f in res.filters] == [("property__brand", "=", ("Harbor Select",))]
    assert res.group_by == [("metric_time", "month")] and res.confidence >= 0.8
    assert _rows(harbor, said, HARBOR_AS_OF) == _rows(
        harbor, "avg lead time for harbor select by month in 2025", HARBOR_AS_OF
    )


def test_sql_in_list_keeps_every_item(ridgeline: Project, bazaar: Project) -> None:
    said = "care contacts where channel in ('phone', 'social') -- nov"
    res = ridgeline.resolver().resolve(said, as_of=RIDGELINE_AS_OF)
    assert [(f.field, f.op, f.values) for f in res.filters] == [
        ("care_contact__contact_channel", "in", ("phone", "social_media"))
    ]
    assert res.confidence >= 0.8, res.notes
    both = _total(_rows(ridgeline, said, RIDGELINE_AS_OF))
    each = _rows(ridgeline, "care contacts by contact channel -- nov", RIDGELINE_AS_OF)
    assert both == sum(float(str(r[-1])) for r in each if r[0] in ("phone", "social_media")) > 0
    said = "orders where acquisition_source in ('paid_search', 'social') group by acquisition_source -- q2"
    res = bazaar.resolver().resolve(said, as_of=BAZAAR_AS_OF)
    assert [(f.field, f.op, f.values) for f in res.filters] == [
        ("buyer__acquisition_source", "in", ("paid_search", "social"))
    ]
    rows = _rows(bazaar, said, BAZAAR_AS_OF)
    assert {str(r[0]) for r in rows} == {"paid_search", "social"}


# -- a share said with a bare percent sign ------------------------------------------------------------------------
def test_percent_sign_after_a_count_is_its_rate(studyhall: Project, bazaar: Project) -> None:
    res = studyhall.resolver().resolve("quiz pass % by course, q4", as_of=STUDYHALL_AS_OF)
    assert res.answerable and res.metrics == ["quiz_pass_rate"], res.reason
    assert _rows(studyhall, "quiz pass % by course, q4", STUDYHALL_AS_OF) == _rows(
        studyhall, "quiz pass rate by course, q4", STUDYHALL_AS_OF
    )
    res = bazaar.resolver().resolve("refunded orders % in q2", as_of=BAZAAR_AS_OF)
    assert res.answerable and res.metrics == ["refund_rate"], res.reason
    rows = _rows(bazaar, "refunded orders % in q2", BAZAAR_AS_OF)
    assert rows == _rows(bazaar, "refund rate in q2", BAZAAR_AS_OF) and 0 < float(str(rows[0][-1])) < 1


# -- worst first of an adverse metric -----------------------------------------------------------------------------
def test_worst_first_of_an_adverse_metric_is_the_highest(helpdesk: Project, harbor: Project) -> None:
    said = "first reply sla breaches by priority, worst first, q2"
    res = helpdesk.resolver().resolve(said, as_of=HELPDESK_AS_OF)
    assert res.order_by == [("sla_breach_count", True)] and res.limit is None
    values = [float(str(r[-1])) for r in _rows(helpdesk, said, HELPDESK_AS_OF)]
    assert values == sorted(values, reverse=True) and values[0] > values[-1]
    said = "no-shows by property, worst first, q4"
    res = harbor.resolver().resolve(said, as_of=HARBOR_AS_OF)
    assert res.order_by == [("no_shows", True)]
    values = [float(str(r[-1])) for r in _rows(harbor, said, HARBOR_AS_OF)]
    assert values == sorted(values, reverse=True) and len(values) > 1


def test_best_first_of_an_adverse_metric_is_the_lowest(covewell: Project, helpdesk: Project) -> None:
    res = covewell.resolver().resolve("loss ratio by state, best first, 2025", as_of=COVEWELL_AS_OF)
    assert res.order_by == [("loss_ratio", False)]
    # (a metric with no adverse word keeps the size order: "worst" of a resolution rate is its lowest)
    res = helpdesk.resolver().resolve("resolution rate by priority, worst first, q2", as_of=HELPDESK_AS_OF)
    assert res.order_by == [("resolution_rate", False)]
    assert adverse(helpdesk.model.metrics["sla_breach_count"])
    assert not adverse(helpdesk.model.metrics["resolution_rate"])


# -- a doer noun is no slip ---------------------------------------------------------------------------------------
def test_a_doer_of_a_metric_word_is_no_slip_of_it(bazaar: Project, harbor: Project) -> None:
    for said in (
        "avg star rating broken down by the reviewer's age bracket, q2",
        "avg star rating by reviewer, q2",
    ):
        res = bazaar.resolver().resolve(said, as_of=BAZAAR_AS_OF)
        assert not res.answerable and "reviewer" in str(res.reason), (said, res.notes)
    res = harbor.resolver().resolve("cancellations by booker age, q4", as_of=HARBOR_AS_OF)
    assert not res.answerable and "booker" in str(res.reason)
    # a doer of a value's word is still that value's party: "retailers" are the industry Retail
    resolver = Resolver(Project.load(DEMO, strict=False).model)
    res = resolver.resolve("trial starts from retailers ytd", as_of=dt.date(2025, 6, 18))
    assert res.answerable and [(f.field, f.values) for f in res.filters] == [
        ("customer__industry", ("Retail",))
    ]


# -- SQL's count(*) and from … where ----------------------------------------------------------------------------
def test_count_star_from_a_table_is_its_plain_count(covewell: Project, lending: Project) -> None:
    said = "select count(*) from claims where peril = 'fire' -- 2025"
    res = covewell.resolver().resolve(said, as_of=COVEWELL_AS_OF)
    assert res.answerable and res.metrics == ["claims_reported"], res.reason
    rows = _rows(covewell, said, COVEWELL_AS_OF)
    assert rows == _rows(covewell, "claims reported where peril = 'fire' -- 2025", COVEWELL_AS_OF)
    said = "count(*) claims having sum(incurred) > 100000 -- 2025"
    res = covewell.resolver().resolve(said, as_of=COVEWELL_AS_OF)
    assert res.metrics == ["claims_reported"] and res.group_by == [], res.reason
    assert [(f.field, f.metric) for f in res.filters] == [("claim", "incurred_losses")]
    big = _total(_rows(covewell, said, COVEWELL_AS_OF))
    assert 0 < big < _total(_rows(covewell, "claims reported in 2025", COVEWELL_AS_OF))
    res = lending.resolver().resolve(
        "count(*) loans having sum(principal) > 20000 -- q2", as_of=LENDING_AS_OF
    )
    assert res.answerable and res.metrics == ["loans_funded"] and res.group_by == [], res.reason


def test_sql_from_then_where_asks_no_origin(pixelforge: Project, bazaar: Project) -> None:
    said = "select count(*) from sessions where platform = 'ios' -- dec"
    res = pixelforge.resolver().resolve(said, as_of=PIXELFORGE_AS_OF)
    assert res.answerable and res.group_by == [], res.group_by
    assert _rows(pixelforge, said, PIXELFORGE_AS_OF) == _rows(
        pixelforge, "sessions on ios in december", PIXELFORGE_AS_OF
    )
    res = pixelforge.resolver().resolve("where do our new payers come from", as_of=PIXELFORGE_AS_OF)
    assert res.group_by == [("player__acquisition_source", None)]  # (the origin asked, as before)
    # a column typed that the metric does not reach is refused, never dropped nor read as another's column
    said = "select count(*) from orders where seller_country = 'DE' -- q2"
    res = bazaar.resolver().resolve(said, as_of=BAZAAR_AS_OF)
    assert not res.answerable and "seller__seller_country" in str(res.reason)


# -- an entity's noun from its description ------------------------------------------------------------------------
def test_the_described_noun_of_an_entity_is_the_entity(bazaar: Project, harbor: Project) -> None:
    said = "top 3 shops by gmv in q2"
    res = bazaar.resolver().resolve(said, as_of=BAZAAR_AS_OF)
    assert res.answerable and res.group_by == [("seller", None)] and res.limit == 3, res.reason
    assert _rows(bazaar, said, BAZAAR_AS_OF) == _rows(bazaar, "top 3 sellers by gmv in q2", BAZAAR_AS_OF)
    said = "which shops did more than 5k of gmv in q2"
    res = bazaar.resolver().resolve(said, as_of=BAZAAR_AS_OF)
    assert [(f.field, f.metric, f.values) for f in res.filters] == [("seller", "gmv", ("5000.0",))], (
        res.reason
    )
    assert _rows(bazaar, said, BAZAAR_AS_OF) == _rows(
        bazaar, "which sellers did more than 5000 of gmv in q2", BAZAAR_AS_OF
    )
    hotels = next(sm for sm in harbor.model.semantic_models.values() if sm.primary == "property")
    assert described_noun(hotels) is None  # "Hotels of the group.": no noun after the entity's own name
    assert described_noun(replace(hotels, description="Property hotels of the group.")) == "hotels"


# -- a relayed request and its occasion ---------------------------------------------------------------------------
def test_a_relayed_request_and_its_occasion_are_context(ridgeline: Project, covewell: Project) -> None:
    said = "she wants arpu for nov vs oct before the 10am"
    res = ridgeline.resolver().resolve(said, as_of=RIDGELINE_AS_OF)
    assert res.answerable and res.metrics == ["arpu"] and res.comparison == "previous_period", res.reason
    assert res.time_range == (dt.date(2025, 11, 1), dt.date(2025, 12, 1)) and res.confidence >= 0.8
    assert _rows(ridgeline, said, RIDGELINE_AS_OF) == _rows(ridgeline, "arpu for nov vs oct", RIDGELINE_AS_OF)
    said = "hey - cfo wants gross written premium by line for h2 2025 for his board deck, thanks!"
    res = covewell.resolver().resolve(said, as_of=COVEWELL_AS_OF)
    assert res.answerable and res.metrics == ["gross_written_premium"] and res.confidence >= 0.8, res.notes
    assert _rows(covewell, said, COVEWELL_AS_OF) == _rows(
        covewell, "gross written premium by line for h2 2025", COVEWELL_AS_OF
    )
    # (an occasion is a closed set of words: "for her state" is no occasion, never dropped as one)
    res = covewell.resolver().resolve("loss ratio for her state", as_of=COVEWELL_AS_OF)
    assert not (res.answerable and res.confidence >= 0.8 and not res.group_by and not res.filters)
