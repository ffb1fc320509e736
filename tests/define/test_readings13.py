"""Readings of session 13: a rule of two clauses, a filter and the metric's date ("Touches of the webinar
series campaign, by touch date"), is read as both when each clause reads alone; otherwise it stays unread.
Each proposal is the project's own (``Project.analyze_definition``: the warehouse's observed values) and is run
on DuckDB against hand SQL.
"""

from __future__ import annotations

from metricmind.define import Definition
from metricmind.define.proposal import Proposal
from metricmind.project import Project
from tests.define.monthly import assert_same_as_hand, demo

__all__ = ["demo"]


def _propose(project: Project, text: str, *rules: str) -> Proposal:
    p = project.analyze_definition(Definition("touches_read", text, rules))
    assert p.refused is None and p.metric is not None, p.message
    return p


def _touches(where: str, date: str = "touched_at") -> str:
    return f"""select m.month, count(t.touchpoint_id) as value from months m
        left join fct_marketing_touchpoints_canonical t
          on date_trunc('month', t.{date}) = m.month and {where}
        group by 1 order by 1"""


def test_a_campaign_said_beside_the_date_is_its_filter(demo: Project) -> None:
    p = _propose(demo, "Webinar touches by month", "Touches of the webinar series campaign, by touch date")
    rule = p.rules[0]
    assert rule.status == "filter" and "webinar_series" in rule.reason and "touched_at" in rule.reason
    assert "webinar_series" in str(p.metric), p.metric
    assert_same_as_hand(demo, p, _touches("t.campaign = 'webinar_series'"))


def test_a_value_named_by_its_own_name_beside_the_date(demo: Project) -> None:
    p = _propose(demo, "Touches by month", "Touches of the seo_docs campaign, by touch date")
    assert not p.unread, p.unread
    assert_same_as_hand(demo, p, _touches("t.campaign = 'seo_docs'"))


def test_a_dropped_value_beside_the_date_drops_it(demo: Project) -> None:
    p = _propose(demo, "Touches by month", "Touches of any campaign but webinar series, by touch date")
    assert not p.unread, p.unread
    assert_same_as_hand(demo, p, _touches("t.campaign != 'webinar_series'"))


def test_more_than_a_filter_and_a_date_stays_unread(demo: Project) -> None:
    text = "Touches of the webinar series campaign, from paid ads, by touch date"
    p = _propose(demo, "Webinar touches by month", text)
    assert [r.text for r in p.unread] == [text], p.rules


def test_a_subject_the_definition_never_says_stays_unread(demo: Project) -> None:
    text = "Leads of the webinar series campaign, by touch date"
    p = _propose(demo, "Webinar touches by month", text)
    assert [r.text for r in p.unread] == [text], p.rules
