"""Round 3 of foreign definitions (issue 12): the traps a careful analyst handles, each answer run on DuckDB
against hand SQL on projects that are not the demo:

- a ratio whose rule names both sides ("the numerator keeps chat tickets only; the denominator is every
  Growth ticket") is the denominator's rows over themselves, the numerator keeping those the rule says; a
  rule "in both numerator and denominator" filters both, its word for the rows counted ("tickets") no other
  dimension's name;
- a value stored with a negation in it (`not_home`) is that value when said ("whose outcome was not home"),
  never a drop of it, in a rule and in the definition;
- a date column named with a ``_tstamp`` suffix is named by its event ("by the month of the attempt"), and the
  "day" of a compound ("same-day parcels that failed") says no date.
"""

from __future__ import annotations

from metricmind.define import Definition, Proposal
from metricmind.define.dating import dated_forms
from metricmind.define.extend import proposal_sql
from metricmind.project import Project


def _monthly(project: Project, p: Proposal, start: str, end: str) -> dict[str, float]:
    assert p.metric is not None, p.message
    assert not p.refused and not p.unread, (p.refused, p.message, [(r.text, r.reason) for r in p.unread])
    sql = proposal_sql(project.define_model(), p, start=start, end=end)
    return {str(r[0])[:7]: float(r[1] or 0) for r in project.warehouse.run(sql).rows}


def _hand(project: Project, sql: str) -> dict[str, float]:
    return {str(r[0])[:7]: float(r[1] or 0) for r in project.warehouse.run(sql).rows}


def _same(got: dict[str, float], want: dict[str, float]) -> bool:
    return all(abs(got.get(m, 0.0) - v) < 1e-9 for m, v in want.items()) and all(
        abs(v) < 1e-9 for m, v in got.items() if m not in want
    )


GROWTH_CHAT_SHARE = (
    "select date_trunc('month', t.created_ts), avg(case when t.via_channel = 'chat' then 1.0 else 0.0 end) "
    "from analytics.fct_tickets as t join analytics.dim_accounts as a using (account_id) "
    "where a.plan_name = 'Growth' group by 1 order by 1"
)
NEXT_DAY_NOT_HOME_SHARE = (
    "select date_trunc('month', a.attempt_tstamp), avg(case when a.outcome = 'not_home' then 1.0 else 0.0 end) "
    "from core.delivery_attempts as a join core.parcels as p using (tracking_number) "
    "where p.service_level = 'next_day' group by 1 order by 1"
)
NOT_HOME_ATTEMPTS = (
    "select date_trunc('month', attempt_tstamp), count(*) from core.delivery_attempts "
    "where outcome = 'not_home' group by 1 order by 1"
)


def test_a_rule_naming_both_sides_of_a_share_filters_the_numerator_only(
    helpdesk: Project, lastmile: Project
) -> None:
    cases = (
        (
            helpdesk,
            Definition(
                "growth_chat_share",
                "Share of Growth accounts' tickets that came in by chat, as a fraction",
                (
                    "only tickets of accounts on the Growth plan, in both numerator and denominator",
                    "the numerator keeps chat tickets only; the denominator is every Growth ticket",
                    "by the month the ticket was created",
                ),
            ),
            GROWTH_CHAT_SHARE,
            ("2024-01-01", "2024-06-30"),
        ),
        (
            lastmile,
            Definition(
                "next_day_not_home_share",
                "Share of next-day delivery attempts where the outcome was not home, as a fraction",
                (
                    "only attempts on next-day parcels, in both numerator and denominator",
                    "the numerator keeps attempts whose outcome was not home; the denominator is every "
                    "next-day attempt",
                    "by the month of the attempt",
                ),
            ),
            NEXT_DAY_NOT_HOME_SHARE,
            ("2024-10-01", "2025-09-30"),
        ),
    )
    for project, definition, hand, (start, end) in cases:
        p = project.analyze_definition(definition)
        assert p.metric is not None and p.metric["type"] == "ratio", (p.refused, p.message)
        want = _hand(project, hand)
        assert len(want) >= 6 and all(0 < v < 1 for v in want.values()), want
        got = _monthly(project, p, start, end)
        assert _same(got, want), (definition.text, got, want)


def test_a_value_said_with_its_own_negation_is_kept_not_dropped(lastmile: Project) -> None:
    want = _hand(lastmile, NOT_HOME_ATTEMPTS)
    assert len(want) == 12, want
    for definition in (
        Definition("not_home_attempts", "Delivery attempts whose outcome was not home", ()),
        Definition("not_home_attempts", "Delivery attempts", ("only attempts whose outcome was not home",)),
    ):
        p = lastmile.analyze_definition(definition)
        where = str((p.metric or {}).get("filter") or "")
        assert "not_home" in where and "!=" not in where and " not " not in where.lower(), where
        assert _same(_monthly(lastmile, p, "2024-10-01", "2025-09-30"), want), definition


def test_a_compound_day_is_no_date() -> None:
    assert dated_forms("share of same-day delivery attempts that failed because nobody was home") == []
    assert dated_forms("counted on the day the invoice was paid")  # a date still
