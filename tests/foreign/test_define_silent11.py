"""Silent-wrong classes of session 11 (issue 12), checked on projects that are not the demo, each answer
run on DuckDB against hand SQL:

- a rule that names the date by its owner ("a refund counts in the purchase's month, not the refund's")
  dates the metric by that owner's time dimension; its "not the refund's" contrasts a date, never drops
  refunded rows (pixelforge's players with a refunded purchase were counted as players without one, at
  0.8);
- a yes/no flag the definition keeps one side of while a rule keeps the other ("Players with a refunded
  purchase" with "exclude refunded purchases") is a contradiction shown unread, never the rule's side
  winning quietly over the definition's words;
- a word of the definition that names a ratio's numerator condition ("Level win rate of attempts that were
  completed", "Share of first quiz attempts that passed") is the ratio's own: never a filter on the whole
  ratio, which kept completed attempts in the denominator too and gave 1.0 every month at 0.75.
"""

from __future__ import annotations

from metricmind.define import Definition
from metricmind.project import Project
from tests.foreign.monthly import monthly as _monthly
from tests.foreign.monthly import same as _same


def _hand(project: Project, sql: str) -> dict[str, float]:
    return {str(r[0])[:7]: float(r[1] or 0) for r in project.warehouse.run(sql).rows}


def test_a_date_named_by_its_owner_dates_the_metric_and_drops_nothing(
    pixelforge: Project, studyhall: Project
) -> None:
    cases = (
        (
            pixelforge,
            Definition(
                "players_with_refunded_purchase",
                "Distinct players with at least one purchase that was refunded, counted in the month of the "
                "purchase",
                ("a refund counts in the purchase's month, not the refund's", "each player once per month"),
            ),
            "select date_trunc('month', purchased_at), count(distinct player_id) from core.fct_iap_purchases "
            "where is_refunded group by 1 order by 1",
            ("2025-01-01", "2025-12-31"),
        ),
        (
            studyhall,
            Definition(
                "completions_by_enrollment_month",
                "Completed enrollments",
                ("a completion counts in the enrollment's month, not the completion's",),
            ),
            "select date_trunc('month', enrolled_date), count(*) from analytics.fct_enrollments "
            "where is_completed group by 1 order by 1",
            ("2025-01-01", "2025-12-31"),
        ),
    )
    for project, definition, hand, (start, end) in cases:
        p = project.analyze_definition(definition)
        dated = [r for r in p.rules if r.text == definition.rules[0]]
        assert dated and dated[0].status == "time", (definition.text, dated)
        want = _hand(project, hand)
        assert len(want) >= 6, want
        got = _monthly(project, p, start, end)
        assert _same(got, want), (definition.text, got, want)


def test_a_flag_kept_by_the_definition_and_dropped_by_a_rule_is_never_answered_quietly(
    pixelforge: Project, lending: Project
) -> None:
    for project, text, rule in (
        (
            pixelforge,
            "Distinct players with at least one purchase that was refunded",
            "exclude refunded purchases",
        ),
        (lending, "Interest income from autopay payments", "exclude autopay payments"),
    ):
        p = project.analyze_definition(Definition("clash", text, (rule,)))
        assert p.metric is None or p.unread, (text, p.metric)
        assert p.metric is None or p.confidence <= 0.5, (text, p.confidence)


def test_a_word_naming_the_numerator_of_a_ratio_never_filters_its_denominator(
    pixelforge: Project, studyhall: Project
) -> None:
    cases = (
        (
            pixelforge,
            Definition(
                "ios_win_rate", "Level win rate of attempts that were completed", ("only iOS players",)
            ),
            "select date_trunc('month', a.attempted_at), avg(case when a.is_completed then 1.0 else 0.0 end) "
            "from core.fct_level_attempts a join core.dim_players p on p.player_id = a.player_id "
            "where p.platform = 'ios' group by 1",
        ),
        (
            studyhall,
            Definition(
                "first_try_pass_rate",
                "Share of first quiz attempts that passed",
                ("only attempt number 1, retries are left out",),
            ),
            "select date_trunc('month', submitted_at), avg(case when is_passed then 1.0 else 0.0 end) "
            "from analytics.fct_quiz_attempts where attempt_number = 1 group by 1",
        ),
    )
    for project, definition, hand in cases:
        p = project.analyze_definition(definition)
        said = [r for r in p.rules if r.text.startswith("(in the definition)") and r.status != "unread"]
        assert all(r.status == "covered" for r in said), (definition.text, said)
        want = _hand(project, hand)
        assert len(want) >= 6 and any(v < 0.99 for v in want.values()), want
        got = _monthly(project, p, "2025-01-01", "2025-12-31")
        assert _same(got, want), (definition.text, got, want)


def test_a_negation_starting_a_clause_of_its_own_never_drops_the_value_before_it(
    studyhall: Project, lending: Project
) -> None:
    for project, text, value in (
        (
            studyhall,
            "Learners who signed up through paid social and have never paid us anything",
            "paid_social",
        ),
        (lending, "Loans of borrowers acquired through credit karma who have not defaulted", "credit_karma"),
    ):
        p = project.analyze_definition(Definition("kept_value", text))
        said = [r for r in p.rules if r.predicate and value in r.predicate]
        assert said and all("!=" not in (r.predicate or "") for r in said), (text, p.rules)
