"""Long, polite questions (``clauses.request_only``): the request is read, the context around it is not.

Wording of our own, on the demo catalog and on two other companies' projects (the mechanism is English
grammar, never a catalog's words).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from metricmind.project import Project
from metricmind.resolve import Resolver
from metricmind.resolve.clauses import request_only

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "metricmind" / "demo" / "project"
HELPDESK = ROOT / "metricmind" / "testing" / "projects" / "helpdesk"
BAZAAR = ROOT / "metricmind" / "testing" / "projects" / "bazaar"
DAY = dt.date(2025, 6, 18)


@pytest.fixture(scope="module")
def demo() -> Resolver:
    return Resolver(Project.load(DEMO, strict=False).model)


def _groups(res: object) -> set[str]:
    return {n + (f"__{g}" if g else "") for n, g in res.group_by}  # type: ignore[attr-defined]


def test_the_request_is_found_and_the_context_blanked_in_place() -> None:
    q = "Quick context: we shipped X in April. Can you give me events by week?"
    alone = request_only(q)
    assert alone is not None and len(alone.text) == len(q)
    assert alone.text.strip() == "events by week?"  # the opener ("Can you give me") is asking, not asked
    assert alone.context == ("Quick context: we shipped X in April.",)
    assert request_only("mrr by region last quarter") is None  # one plain request: nothing to blank
    assert request_only("how did mrr move? q1 vs q4") is None  # two pieces, neither opens a request


@pytest.mark.parametrize(
    ("question", "metric", "groups", "start"),
    [
        # a purpose lead-in before "I need"
        (
            "For the quarterly investor update I need MRR by region for last quarter, please.",
            "mrr",
            {"customer__region"},
            "2025-01-01",
        ),
        # a sentence of context: its month ("March") must not leak into the query
        (
            "We launched a referral push in March. Could you show me new customers by acquisition channel "
            "since May 1st?",
            "new_customers",
            {"customer__acquisition_channel"},
            "2025-05-01",
        ),
        # a subject that wants to know, and thanks at the end
        (
            "Our marketing lead wants to see marketing spend per channel this year, thanks!",
            "marketing_spend",
            {"ad_spend__channel"},
            "2025-01-01",
        ),
        # a clause before ", so could you" whose words name a value group ("mobile apps"): not a filter
        (
            "We're weighing a bigger bet on the mobile apps, so could you show me events per platform "
            "for each month of this year?",
            "events",
            {"event__platform", "metric_time__month"},
            "2025-01-01",
        ),
        # a closing condition: "if you can" is no breakdown
        ("events by feature last month, split by platform if you can", "events", None, "2025-05-01"),
    ],
)
def test_context_neither_refuses_nor_leaks(
    demo: Resolver, question: str, metric: str, groups: set[str] | None, start: str
) -> None:
    res = demo.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == [metric]
    assert res.confidence >= 0.8 and any("as context" in n for n in res.notes)
    if groups is not None:
        assert _groups(res) == groups
    assert res.time_range is not None and res.time_range[0].isoformat() == start
    assert not res.filters
    assert res.question == question  # spans and notes point at the question as typed


def test_a_trailing_sentence_is_context_and_its_day_does_not_leak(demo: Resolver) -> None:
    res = demo.resolve("Can you show me MRR by region? The board asked for it yesterday.", as_of=DAY)
    assert res.answerable and res.metrics == ["mrr"] and res.time_range is None


def test_a_lead_in_that_is_the_requests_own_stays(demo: Resolver) -> None:
    res = demo.resolve("For Q1 2025, can you show me MRR by region?", as_of=DAY)
    assert res.answerable and res.time_range is not None
    assert (res.time_range[0].isoformat(), res.time_range[1].isoformat()) == ("2025-01-01", "2025-04-01")
    # a bare phrase naming who is asked about qualifies the request: never dropped as context
    who = demo.resolve("For our zorblat customers, can you show me MRR?", as_of=DAY)
    assert not who.answerable or who.confidence < 0.8


@pytest.mark.parametrize(
    "question",
    [
        "Quick context: the board meets Friday. Can you show me how tall the api is?",
        "For the board pack I need the mrr of the color blue, please.",
        "We are rethinking pricing. Could you show me how many invoices fit in a teaspoon?",
    ],
)
def test_a_nonsense_request_is_still_refused(demo: Resolver, question: str) -> None:
    res = demo.resolve(question, as_of=DAY)
    assert not res.answerable and res.confidence < 0.5


def test_other_companies_projects() -> None:
    helpdesk = Resolver(Project.load(HELPDESK, strict=False).model)
    res = helpdesk.resolve(
        "We're restaffing the support desk next month, so could you show me ticket volume by priority for "
        "the last 8 weeks?",
        as_of=DAY,
    )
    assert res.answerable and res.metrics == ["ticket_volume"] and _groups(res) == {"ticket__priority"}
    assert res.time_range is not None and res.time_range[0].isoformat() == "2025-04-21"
    bazaar = Resolver(Project.load(BAZAAR, strict=False).model)
    res = bazaar.resolve(
        "We ran a big promo in April. Could you show me orders by week since May 1st?", as_of=DAY
    )
    assert res.answerable and res.metrics == ["orders"] and _groups(res) == {"metric_time__week"}
    assert res.time_range is not None and res.time_range[0].isoformat() == "2025-05-01"


def test_a_move_over_a_grain_is_the_trend_not_a_comparison(demo: Resolver) -> None:
    res = demo.resolve("how have signups moved month by month this year", as_of=DAY)
    assert res.answerable and res.comparison is None and _groups(res) == {"metric_time__month"}
    grown = demo.resolve("how fast is arr climbing each month this year", as_of=DAY)
    assert grown.comparison is None and _groups(grown) == {"metric_time__month"}  # the months side by side


@pytest.mark.parametrize(
    ("question", "metric", "groups"),
    [
        # the verb of the asking ("pull together") is asking, not asked
        ("Hi all! Could you pull together churned MRR by plan for last quarter?", "churned_mrr", None),
        ("Would it be possible to get signups broken down by region for 2024?", "signups", None),
        # a lead-in ended by a colon or a comma before a question word
        ("Finance keeps asking: what's our gross revenue retention by segment this year?", None, None),
        ("Just so the slide is right, what was ARR at the end of March?", "arr", set()),
        # a sentence with an opener that is context; the sentence that asks is the request
        (
            "I want to get a feel for onboarding. How many trial starts did we get each week in May?",
            "trial_starts",
            {"metric_time__week"},
        ),
    ],
)
def test_openers_asides_and_the_sentence_that_asks(
    demo: Resolver, question: str, metric: str | None, groups: set[str] | None
) -> None:
    res = demo.resolve(question, as_of=DAY)
    assert res.answerable and res.confidence >= 0.8, (res.reason, res.notes)
    assert res.metrics == [metric or "gross_revenue_retention"]
    if groups is not None:
        assert _groups(res) == groups


def test_a_question_word_first_keeps_its_own_words(demo: Resolver) -> None:
    # "will we" inside a question is no opener: the future is still refused
    res = demo.resolve("how many new customers will we sign in q3", as_of=DAY)
    assert not res.answerable


def test_a_sentence_that_goes_on_is_part_of_the_request(demo: Resolver) -> None:
    res = demo.resolve("Could you show me ARR by plan? Also, if possible, split it by region too.", as_of=DAY)
    assert res.answerable and res.metrics == ["arr"]
    assert _groups(res) == {"subscription__plan_tier", "customer__region"}
    # "as well as" joins, it is no closing word
    both = demo.resolve("arr by plan as well as by region", as_of=DAY)
    assert _groups(both) == {"subscription__plan_tier", "customer__region"}


def test_the_verb_of_asking_after_an_opener(demo: Resolver) -> None:
    res = demo.resolve("Before the deck goes out, can you confirm total refunds in Q1 2025?", as_of=DAY)
    assert res.answerable and res.metrics == ["refunds"] and res.confidence == 1.0
