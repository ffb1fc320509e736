"""Mechanisms ``ask`` lacked on first contact with the ridgeline telecom (issue 14), each read from the catalog
(names, labels, descriptions, entities) and tried on ridgeline and another project where it applies; rows run
on the warehouses where numbers matter. The phrasings are new, never the dev set's.

- "mins", "svc": chat shorthand of label words (``shorthand``); "outage mins" was read as the outages count;
- "autopay customers vs not": a yes/no value, its entity's noun, then its other side is a breakdown by the
  flag, never the flag's true side (``dimfilters.other_side``), and the description pass does not read the
  flag back as a filter (``describedflag``);
- a yes/no dimension's label of words the catalog says nowhere else ("Direct debit" for ``has_autopay``) is
  its true value (``lexiconflags``), so "direct" is no longer "corrected" to the port direction;
- a slashed label ("Donor / recipient operator") answers to each side (``labelparts``);
- an entity's noun alone ("P1 incidents") is the one unfiltered count of its rows whose name holds the noun
  (``entityrows``), never a count of entities created ("buyers" are not the new buyers);
- "churn propensity score": two words no metric's text has after the metric's word are a concept the catalog
  lacks; meaning no longer reads them as the churn rate (``embedscore.unknown_tail``);
- "collections by payment method": a word after "by" read only from a metric's description is a breakdown's
  word, and the unknown breakdown is refused, not dropped (``describedonly``).
"""

from __future__ import annotations

import datetime as dt

import pytest

from metricmind.project import Project
from metricmind.resolve.labelparts import label_sides
from tests.foreign.readings import read as _read
from tests.foreign.readings import rows as _rows

RIDGELINE_AS_OF = dt.date(2026, 1, 7)
SAMPLE_AS_OF = dt.date(2024, 7, 1)
HARBOR_AS_OF = dt.date(2026, 1, 7)
STUDYHALL_AS_OF = dt.date(2026, 1, 6)
PIXELFORGE_AS_OF = dt.date(2026, 1, 8)
COVEWELL_AS_OF = dt.date(2026, 1, 7)


# -- shorthand of label words -----------------------------------------------------------------------------------
def test_outage_mins_are_the_outage_minutes(ridgeline: Project) -> None:
    res = _read(ridgeline, "outage mins per site region in h2 2025", RIDGELINE_AS_OF)
    assert res.metrics == ["outage_minutes"]
    assert res.group_names() == ["site__site_region"]
    rows = _rows(ridgeline, res)
    assert len(rows) >= 3 and all(float(r[-1]) > 0 for r in rows)  # minutes, far more than incident counts
    count = _read(ridgeline, "network incidents per site region in h2 2025", RIDGELINE_AS_OF)
    incidents = dict((r[0], float(r[-1])) for r in _rows(ridgeline, count))
    assert all(float(r[-1]) > incidents[r[0]] for r in rows)


def test_svc_rev_is_service_revenue(ridgeline: Project) -> None:
    res = _read(ridgeline, "svc rev by tariff last quarter", RIDGELINE_AS_OF)
    assert res.metrics == ["service_revenue"]
    assert res.group_names() == ["subscriber__tariff_name"]
    assert res.time_range == (dt.date(2025, 10, 1), dt.date(2026, 1, 1))
    assert len(_rows(ridgeline, res)) >= 5


def test_watch_mins_on_studyhall(studyhall: Project) -> None:
    res = _read(studyhall, "watch mins by course last month", STUDYHALL_AS_OF)
    assert res.metrics == ["watch_minutes"]
    _rows(studyhall, res)


# -- a yes/no value, its entity's noun, "vs not" ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("fixture", "question", "as_of", "metric", "flag"),
    [
        (
            "ridgeline",
            "overdue bills in q4, autopay customers vs not",
            RIDGELINE_AS_OF,
            "overdue_invoices",
            "subscriber__has_autopay",
        ),
        (
            "ridgeline",
            "overdue bills in q4, direct debit customers vs not",
            RIDGELINE_AS_OF,
            "overdue_invoices",
            "subscriber__has_autopay",
        ),
        (
            "harbor",
            "room revenue 2025, loyalty member guests vs not",
            HARBOR_AS_OF,
            "room_revenue",
            "guest__is_loyalty_member",
        ),
    ],
)
def test_flag_with_its_noun_vs_not_is_a_breakdown(
    request: pytest.FixtureRequest, fixture: str, question: str, as_of: dt.date, metric: str, flag: str
) -> None:
    project: Project = request.getfixturevalue(fixture)
    res = _read(project, question, as_of)
    assert res.metrics == [metric]
    assert res.group_names() == [flag]
    assert res.filters == []
    rows = _rows(project, res)
    assert {str(r[0]).lower() for r in rows} == {"true", "false"}  # both sides, one row each


def test_flag_label_is_its_true_value(ridgeline: Project) -> None:
    res = _read(ridgeline, "bills overdue in november for direct debit customers", RIDGELINE_AS_OF)
    assert res.metrics == ["overdue_invoices"]
    assert [(f.field, f.values) for f in res.filters] == [("subscriber__has_autopay", ("true",))]
    assert not any("direction" in n for n in res.notes)  # "direct" is the label's word, not a typo
    (autopay,) = _rows(ridgeline, res)
    grouped = _read(ridgeline, "overdue bills in november, direct debit vs not", RIDGELINE_AS_OF)
    sides = {str(r[0]).lower(): r[-1] for r in _rows(ridgeline, grouped)}
    assert sides["true"] == autopay[-1]


def test_flag_label_never_takes_a_metric_unit(pixelforge: Project) -> None:
    # "Level won" labels ``is_completed``, but "level" is the level's own word: "per lvl won" stays the
    # metric's own unit (Avg Stars per Win), no filter on completed attempts
    res = _read(pixelforge, "avg stars per lvl won in q4", PIXELFORGE_AS_OF)
    assert res.metrics == ["avg_stars"]
    assert not any(f.field == "attempt__is_completed" for f in res.filters)


# -- a slashed label ---------------------------------------------------------------------------------------------
def test_label_sides() -> None:
    assert label_sides("Donor / recipient operator") == ["donor operator", "recipient operator"]
    assert label_sides("Return reason/code") == ["return reason", "return code"]
    assert label_sides("Region") == []
    assert label_sides("a/b/c") == []


def test_slashed_label_answers_to_each_side(ridgeline: Project) -> None:
    res = _read(ridgeline, "ports in by donor operator in 2025", RIDGELINE_AS_OF)
    assert res.metrics == ["ports_in"]
    assert res.group_names() == ["port_request__other_operator"]
    donors = _rows(ridgeline, res)
    assert len(donors) >= 3
    out = _read(ridgeline, "ports out by recipient operator in 2025", RIDGELINE_AS_OF)
    assert out.group_names() == ["port_request__other_operator"]
    assert len(_rows(ridgeline, out)) >= 3


# -- an entity's noun alone, counted -----------------------------------------------------------------------------
def test_entity_noun_is_its_row_count(ridgeline: Project) -> None:
    res = _read(ridgeline, "P1 incidents in november 2025", RIDGELINE_AS_OF)
    assert res.metrics == ["network_incidents"]
    assert [(f.field, f.values) for f in res.filters] == [("incident__severity", ("P1",))]
    (p1,) = _rows(ridgeline, res)
    every = _read(ridgeline, "network incidents by severity in november 2025", RIDGELINE_AS_OF)
    by_severity = {r[0]: r[-1] for r in _rows(ridgeline, every)}
    assert p1[-1] == by_severity["P1"]


def test_entity_noun_on_lending(lending: Project) -> None:
    res = _read(lending, "loans by product in q2", SAMPLE_AS_OF)
    assert res.metrics == ["loans_funded"]
    assert res.group_names() == ["loan__loan_product"]
    rows = _rows(lending, res)
    total = _rows(lending, _read(lending, "loans funded in q2", SAMPLE_AS_OF))
    assert sum(int(str(r[-1])) for r in rows) == int(str(total[0][-1]))


def test_entity_noun_never_the_new_ones(bazaar: Project) -> None:
    res = bazaar.resolver().resolve("buyers by country in q2", as_of=SAMPLE_AS_OF)
    assert not res.answerable or res.metrics != ["new_buyers"] or res.confidence < 0.8


# -- a concept after the metric's word ---------------------------------------------------------------------------
def test_metric_word_then_unknown_head_is_refused(ridgeline: Project) -> None:
    res = ridgeline.resolver().resolve("churn likelihood score by region", as_of=RIDGELINE_AS_OF)
    assert not res.answerable
    plain = _read(ridgeline, "churn by region in 2025", RIDGELINE_AS_OF)
    assert plain.metrics == ["churn_rate"]
    assert len(_rows(ridgeline, plain)) == 5


def test_unknown_head_stays_refused_elsewhere(bazaar: Project) -> None:
    res = bazaar.resolver().resolve("refund likelihood score by category", as_of=SAMPLE_AS_OF)
    assert not res.answerable


# -- a description word after "by" ---------------------------------------------------------------------------
def test_description_word_after_by_is_a_breakdown(ridgeline: Project) -> None:
    res = ridgeline.resolver().resolve("collections by payment provider in 2025", as_of=RIDGELINE_AS_OF)
    assert not res.answerable
    assert res.reason is not None and "payment provider" in res.reason
    assert res.confidence < 0.5


def test_description_breakdown_refused_elsewhere(covewell: Project) -> None:
    res = covewell.resolver().resolve("claims paid by payment method 2025", as_of=COVEWELL_AS_OF)
    assert not res.answerable


# -- a to-date metric by its head noun; "blended" -------------------------------------------------------------
@pytest.mark.parametrize(
    ("fixture", "question", "as_of", "metric"),
    [
        ("ridgeline", "ytd revenue by month for 2025", RIDGELINE_AS_OF, "service_revenue_ytd"),
        ("covewell", "premium ytd at each month end of 2025", COVEWELL_AS_OF, "earned_premium_ytd"),
        ("harbor", "ytd revenue by month in 2025", HARBOR_AS_OF, "room_revenue_ytd"),
    ],
)
def test_to_date_metric_by_its_head_noun(
    request: pytest.FixtureRequest, fixture: str, question: str, as_of: dt.date, metric: str
) -> None:
    project: Project = request.getfixturevalue(fixture)
    res = _read(project, question, as_of)
    assert res.metrics == [metric]
    assert res.group_names() == ["metric_time__month"]
    assert res.time_range == (dt.date(2025, 1, 1), dt.date(2026, 1, 1))
    assert res.confidence < 0.8  # a shortened name: answered, not confidently
    values = [float(str(r[-1])) for r in sorted(_rows(project, res), key=lambda r: str(r[0]))]
    assert len(values) == 12 and values == sorted(values)  # to date: it only grows through the year


def test_blended_is_the_overall_metric(ridgeline: Project) -> None:
    blended = _read(ridgeline, "blended arpu for q3 2025", RIDGELINE_AS_OF)
    plain = _read(ridgeline, "arpu for q3 2025", RIDGELINE_AS_OF)
    assert blended.metrics == plain.metrics == ["arpu"]
    assert blended.filters == [] and blended.group_by == []
    assert _rows(ridgeline, blended) == _rows(ridgeline, plain)


def test_blended_on_bazaar(bazaar: Project) -> None:
    res = _read(bazaar, "blended take rate in q2", SAMPLE_AS_OF)
    assert res.metrics == ["take_rate"]
    _rows(bazaar, res)


# -- a verb of losing after the grouped noun -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fixture", "question", "as_of", "metric", "group"),
    [
        (
            "ridgeline",
            "which 2 regions lost the most numbers to port out in h1 2025",
            RIDGELINE_AS_OF,
            "ports_out",
            "subscriber__region",
        ),
        (
            "covewell",
            "which 3 states lost the most policies to cancellation in 2025",
            COVEWELL_AS_OF,
            "cancellations",
            "policy_term__state",
        ),
    ],
)
def test_lose_verb_after_the_grouped_noun(
    request: pytest.FixtureRequest, fixture: str, question: str, as_of: dt.date, metric: str, group: str
) -> None:
    project: Project = request.getfixturevalue(fixture)
    res = _read(project, question, as_of)
    assert res.metrics == [metric]
    assert res.group_names() == [group]
    assert res.order_by == [(metric, True)] and res.limit is not None
    assert res.confidence < 0.8  # the verb is passed over, not read
    rows = _rows(project, res)
    assert len(rows) == res.limit
    assert [r[-1] for r in rows] == sorted((r[-1] for r in rows), reverse=True)


# -- two metrics by name on each side of "vs", one of them a flag's words ---------------------------------------
def test_metric_vs_metric_is_never_the_flag(ridgeline: Project) -> None:
    # "port in" is also ``subscriber__is_port_in``'s words: the flag's sides were read, ports out by the flag
    res = _read(ridgeline, "ports in versus ports out by quarter in 2025", RIDGELINE_AS_OF)
    assert res.metrics == ["ports_in", "ports_out"]
    assert res.group_names() == ["metric_time__quarter"]
    rows = _rows(ridgeline, res)
    assert len(rows) == 4 and all(r[1] is not None and r[2] is not None for r in rows)


def test_flag_sides_still_read_elsewhere(pixelforge: Project) -> None:
    res = _read(pixelforge, "iap revenue in 2025, first purchases vs repeat purchases", PIXELFORGE_AS_OF)
    assert res.group_names() == ["purchase__is_first_purchase"]


# -- a hyphenated word the catalog writes whole ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fixture", "question", "as_of", "metric", "group"),
    [
        (
            "ridgeline",
            "top-ups by channel in november",
            RIDGELINE_AS_OF,
            "recharge_revenue",
            "recharge__recharge_channel",
        ),
        ("bazaar", "sign-ups by country in q2", SAMPLE_AS_OF, "new_buyers", "buyer__buyer_country"),
    ],
)
def test_hyphenated_catalog_word(
    request: pytest.FixtureRequest, fixture: str, question: str, as_of: dt.date, metric: str, group: str
) -> None:
    project: Project = request.getfixturevalue(fixture)
    res = _read(project, question, as_of)
    assert res.metrics == [metric]
    assert res.group_names() == [group]
    assert res.order_by == [] and res.limit is None  # "top" of "top-ups" is no ranking
    assert len(_rows(project, res)) >= 3


def test_hyphenated_label_kept(ridgeline: Project) -> None:
    # "top-up channel" is the dimension's label in two words: never joined, never a ranking
    res = _read(ridgeline, "prepaid top-ups by top-up channel last month", RIDGELINE_AS_OF)
    assert res.metrics == ["recharge_revenue"]
    assert res.group_names() == ["recharge__recharge_channel"]
    assert res.limit is None
