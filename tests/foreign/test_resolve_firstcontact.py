"""Mechanisms ``ask`` lacked on first contact with a new company's project (covewell, issue 14), each read from the
catalog alone and tried on covewell and at least one other project, rows executed where numbers matter.

- a threshold per entity ("agents with over 200k gwp") is kept per what "by agent" breaks down by: the name
  column whose label is the entity's own noun ("Agent" on ``agent_name``), else its name or its key
  (``thresholdreading``);
- a dimension said by the head noun of its label ("by line" for "Line of business", "by event" for "CAT event")
  (``labelheads``);
- a metric read from one word of its name that says only what sort of figure it is ("ratio", "rate", "count"):
  the word before it names another figure even when the catalog knows that word elsewhere ("expense ratio" is
  no loss ratio though "expense" is a payment type), and so does a participle that before a metric's own name
  only says how it is shown ("combined ratio", never "combined resolution rate") (``leftovers``);
- "<unit of time> to <verb>" ("days to close") asks a duration: refused when no metric read speaks of time,
  never answered with an amount found through "avg" and "claim" (``durationasked``);
- a list item said without the head noun of the item before it ("return premium and net written", "iap revenue
  and ad"): the one metric whose own phrase holds its words with that head (``elidedhead``).
"""

from __future__ import annotations

import datetime as dt

import pytest

from metricmind.project import Project
from metricmind.resolve.labelheads import label_head
from tests.foreign.readings import read as _read
from tests.foreign.readings import rows as _rows

COVEWELL_AS_OF = dt.date(2026, 1, 7)
PIXELFORGE_AS_OF = dt.date(2026, 1, 8)
STUDYHALL_AS_OF = dt.date(2026, 1, 6)
HELPDESK_AS_OF = dt.date(2024, 7, 1)
LASTMILE_AS_OF = dt.date(2025, 10, 1)


# -- a threshold per entity: per what "by <entity>" breaks down by ---------------------------------------------
@pytest.mark.parametrize(
    ("fixture", "question", "as_of", "metric", "name"),
    [
        (
            "covewell",
            "agents with more than 200k gwp in 2025",
            COVEWELL_AS_OF,
            "gross_written_premium",
            "agent__agent_name",
        ),
        (
            "studyhall",
            "instructors with more than 2500 in instructor payouts",
            STUDYHALL_AS_OF,
            "instructor_payouts",
            "instructor__instructor_name",
        ),
    ],
)
def test_a_threshold_per_entity_is_kept_per_its_named_column(
    request: pytest.FixtureRequest, fixture: str, question: str, as_of: dt.date, metric: str, name: str
) -> None:
    project: Project = request.getfixturevalue(fixture)
    res = _read(project, question, as_of)
    assert res.metrics == [metric]
    assert [n for n, _ in res.group_by] == [name]
    entity = name.split("__", 1)[0]
    assert [
        n
        for n, _ in project.resolver()
        .resolve(f"{metric.replace('_', ' ')} by {entity}", as_of=as_of)
        .group_by
    ] == [name]
    rows = _rows(project, res)
    assert all(isinstance(r[0], str) and not r[0].isdigit() for r in rows), rows  # names, not keys


def test_a_threshold_per_agent_keeps_the_agents_over_it(covewell: Project) -> None:
    """The names kept are those whose gross written premium (over all history) passes 200k, and some are left out."""
    res = _read(covewell, "agents with more than 200k gwp", COVEWELL_AS_OF)
    kept = {str(r[0]) for r in _rows(covewell, res)}
    everyone = _read(covewell, "gwp by agent", COVEWELL_AS_OF)
    # (premium written with no agent, online or through an aggregator, is no agent's)
    rows = [r for r in _rows(covewell, everyone) if r[0] is not None]
    over = {str(r[0]) for r in rows if r[1] is not None and float(str(r[1])) > 200_000}
    assert kept == over and kept and len(kept) < len(rows)


# -- a dimension said by the head noun of its label ----------------------------------------------------------
@pytest.mark.parametrize(
    ("label", "head"),
    [
        ("Line of business", "line"),
        ("CAT event", "event"),
        ("Store currency", "currency"),
        ("Web or mobile", None),
        ("Plan paid for", None),
        ("Reported date", None),
        ("Agent", None),
    ],
)
def test_label_head(label: str, head: str | None) -> None:
    assert label_head(label) == head


@pytest.mark.parametrize(
    ("fixture", "question", "as_of", "metric", "dimension"),
    [
        (
            "covewell",
            "catastrophe claims by event in 2024",
            COVEWELL_AS_OF,
            "cat_claims",
            "claim__catastrophe_code",
        ),
        (
            "covewell",
            "new policies by line in 2025",
            COVEWELL_AS_OF,
            "new_policies",
            "policy_term__line_of_business",
        ),
        (
            "pixelforge",
            "iap revenue by currency in 2025",
            PIXELFORGE_AS_OF,
            "iap_revenue",
            "purchase__currency_code",
        ),
    ],
)
def test_a_dimension_said_by_its_label_head(
    request: pytest.FixtureRequest, fixture: str, question: str, as_of: dt.date, metric: str, dimension: str
) -> None:
    project: Project = request.getfixturevalue(fixture)
    res = _read(project, question, as_of)
    assert res.metrics == [metric]
    assert [n for n, _ in res.group_by] == [dimension]
    assert res.confidence >= 0.8
    rows = _rows(project, res)
    assert len({r[0] for r in rows}) >= 2


def test_lines_of_business_add_up_to_the_whole(covewell: Project) -> None:
    """ "by line" splits the new policies of 2025 into motor and home, which add up to the year's total."""
    split = _rows(
        covewell, _read(covewell, "new policies not thru aggregators by line in 2025", COVEWELL_AS_OF)
    )
    assert {str(r[0]) for r in split} == {"motor", "home"}
    whole = _rows(covewell, _read(covewell, "new policies not thru aggregators in 2025", COVEWELL_AS_OF))
    assert sum(int(str(r[1])) for r in split) == int(str(whole[0][0]))


# -- a metric read from a word that says only what sort of figure it is ----------------------------------------
@pytest.mark.parametrize(
    ("fixture", "question", "as_of"),
    [
        ("covewell", "expense ratio by month", COVEWELL_AS_OF),
        ("covewell", "what was our expense ratio in 2025", COVEWELL_AS_OF),
        ("helpdesk", "agent rate by month", HELPDESK_AS_OF),
        ("covewell", "combined ratio by line in 2025", COVEWELL_AS_OF),
        ("helpdesk", "combined rate by month", HELPDESK_AS_OF),
    ],
)
def test_another_sort_of_ratio_is_refused(
    request: pytest.FixtureRequest, fixture: str, question: str, as_of: dt.date
) -> None:
    project: Project = request.getfixturevalue(fixture)
    res = project.resolver().resolve(question, as_of=as_of)
    assert not res.answerable and res.confidence < 0.5, (res.metrics, res.confidence)


@pytest.mark.parametrize(
    ("fixture", "question", "as_of", "metric"),
    [
        ("covewell", "loss ratio by month in 2025", COVEWELL_AS_OF, "loss_ratio"),
        ("helpdesk", "phone resolution rate by month", HELPDESK_AS_OF, "resolution_rate"),
        ("helpdesk", "combined resolution rate by month", HELPDESK_AS_OF, "resolution_rate"),
    ],
)
def test_the_ratio_said_by_its_own_words_still_reads(
    request: pytest.FixtureRequest, fixture: str, question: str, as_of: dt.date, metric: str
) -> None:
    project: Project = request.getfixturevalue(fixture)
    res = _read(project, question, as_of)
    assert res.metrics == [metric] and res.confidence >= 0.8
    assert len(_rows(project, res)) >= 2


# -- a duration asked of a metric that measures none ----------------------------------------------------------
@pytest.mark.parametrize(
    ("fixture", "question", "as_of"),
    [
        ("covewell", "avg days to close a claim by peril", COVEWELL_AS_OF),
        ("covewell", "average number of days to settle claims in 2025", COVEWELL_AS_OF),
        ("lastmile", "average hours to deliver a parcel", LASTMILE_AS_OF),
    ],
)
def test_a_duration_no_metric_measures_is_refused(
    request: pytest.FixtureRequest, fixture: str, question: str, as_of: dt.date
) -> None:
    project: Project = request.getfixturevalue(fixture)
    res = project.resolver().resolve(question, as_of=as_of)
    assert not res.answerable and res.confidence < 0.5, (res.metrics, res.confidence)


@pytest.mark.parametrize(
    ("fixture", "question", "as_of", "metric"),
    [
        ("helpdesk", "avg minutes to first reply by channel", HELPDESK_AS_OF, "first_response_time_avg"),
        ("harbor", "avg days to arrival by channel", dt.date(2026, 1, 7), "avg_lead_time"),
    ],
)
def test_a_duration_a_metric_measures_still_reads(
    request: pytest.FixtureRequest, fixture: str, question: str, as_of: dt.date, metric: str
) -> None:
    project: Project = request.getfixturevalue(fixture)
    res = _read(project, question, as_of)
    assert res.metrics == [metric]
    assert len(_rows(project, res)) >= 2


# -- a list item said without the head noun of the item before it ---------------------------------------------
@pytest.mark.parametrize(
    ("fixture", "question", "as_of", "metrics", "alone"),
    [
        (
            "covewell",
            "return premium and net written by quarter in 2025",
            COVEWELL_AS_OF,
            ["return_premium", "written_premium_net_of_cancellations"],
            "written premium net of cancellations by quarter in 2025",
        ),
        (
            "pixelforge",
            "iap revenue and ad by month in 2025",
            PIXELFORGE_AS_OF,
            ["iap_revenue", "ad_revenue"],
            "ad revenue by month in 2025",
        ),
    ],
)
def test_a_list_item_without_its_head_noun(
    request: pytest.FixtureRequest,
    fixture: str,
    question: str,
    as_of: dt.date,
    metrics: list[str],
    alone: str,
) -> None:
    project: Project = request.getfixturevalue(fixture)
    res = _read(project, question, as_of)
    assert res.metrics == metrics
    both = {r[0]: r[2] for r in _rows(project, res)}
    single = {r[0]: r[1] for r in _rows(project, _read(project, alone, as_of))}
    assert both == single and len(both) >= 3


def test_an_item_whose_words_fit_two_metrics_is_not_guessed(covewell: Project) -> None:
    """ "written" with "premium" is the gross written premium and the net one alike: nothing is added."""
    res = covewell.resolver().resolve("earned premium and written by month", as_of=COVEWELL_AS_OF)
    assert res.metrics == ["earned_premium"]
