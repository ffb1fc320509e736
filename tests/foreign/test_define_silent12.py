"""Silent-wrong classes of session 12 (issue 12), found without blind data and checked on projects that are
not the demo, each answer run on DuckDB against hand SQL:

- a definition typed all in capitals ("DISTINCT BORROWERS IN CALIFORNIA WHO HAD A LOAN FUNDED") says nothing
  by its case: an everyday word ("IN", "A") is the word, never the short upper-case value it spells (the
  country code IN, the risk grade A), as the resolver reads a shouted question; found by
  ``bench/define_perturb.py --foreign`` (``case:upper``), where both were answered at 0.75 with a filter
  the lower-case text never had;
- a definition that keeps values of a dimension ("Chat + phone tickets") with rules that drop values of the
  same dimension ("Not counting chat", "Not counting phone") is a contradiction shown unread: each drop
  alone left some of the kept values, so the rules quietly won and every other channel was counted at 0.84
  (``negate:clause`` of the demo's def4-040); a drop that leaves values the definition never keeps is
  unread too, never the rule alone;
- a definition asking for what was added during a month ("Outstanding principal added during the month")
  answered by a snapshot read at each month's end (the loan tape) is a doubt, never the month-end balance at
  0.8 (``time:flow`` of lending's lend-def-004);
- a case equal on the project's warehouse stays equal on the same project built from another seed
  (``bench/define_foreign.py --second-seed``): a filter that removes nothing, or a column that happens to
  equal another, is equal by chance.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from metricmind.define import Definition
from metricmind.project import Project
from metricmind.testing import lending as lending_data
from metricmind.testing.lending import copy_lending
from tests.foreign.monthly import monthly as _monthly
from tests.foreign.monthly import same as _same


def _hand(project: Project, sql: str) -> dict[str, float]:
    return {str(r[0])[:7]: float(r[1] or 0) for r in project.warehouse.run(sql).rows}


FUNDED_IN_CALIFORNIA = (
    "select date_trunc('month', l.funded_date), count(distinct l.borrower_id) from prod.fct_loans as l "
    "join prod.dim_borrowers as b using (borrower_id) where b.state_code = 'CA' group by 1 order by 1"
)
REFUNDED_PLAYERS = (
    "select date_trunc('month', purchased_at), count(distinct player_id) from core.fct_iap_purchases "
    "where is_refunded group by 1 order by 1"
)


def test_a_shouted_definition_reads_its_everyday_words_as_words(
    lending: Project, pixelforge: Project
) -> None:
    cases = (
        (
            lending,
            Definition(
                "funded_borrowers_california",
                "DISTINCT BORROWERS IN CALIFORNIA WHO HAD A LOAN FUNDED",
                ("count each borrower once per month",),
            ),
            FUNDED_IN_CALIFORNIA,
            ("2024-01-01", "2024-06-30"),
        ),
        (
            pixelforge,
            Definition(
                "players_with_refunded_purchase",
                "DISTINCT PLAYERS WITH AT LEAST ONE PURCHASE THAT WAS REFUNDED, COUNTED IN THE MONTH OF THE "
                "PURCHASE",
                ("a refund counts in the purchase's month, not the refund's", "each player once per month"),
            ),
            REFUNDED_PLAYERS,
            ("2025-01-01", "2025-12-31"),
        ),
    )
    for project, definition, hand, (start, end) in cases:
        p = project.analyze_definition(definition)
        where = str((p.metric or {}).get("filter") or "")
        assert "risk_grade" not in where and "country_code" not in where, (definition.text, where)
        want = _hand(project, hand)
        assert len(want) >= 6, want
        got = _monthly(project, p, start, end)
        assert _same(got, want), (definition.text, got, want)


def test_a_short_code_in_capitals_beside_lower_case_words_is_still_its_value(lending: Project) -> None:
    # the same letters typed in a sentence that has lower case: the capitals are the person's choice
    definition = Definition("grade_a_loans", "Loans funded with risk grade A", ())
    p = lending.analyze_definition(definition)
    assert "'A'" in str((p.metric or {}).get("filter") or ""), p.message
    want = _hand(
        lending,
        "select date_trunc('month', funded_date), count(*) from prod.fct_loans where \"riskGrade\" = 'A' "
        "group by 1 order by 1",
    )
    assert _same(_monthly(lending, p, "2024-01-01", "2024-06-30"), want)


CHAT_PHONE = (
    "select date_trunc('month', created_ts), count(*) from analytics.fct_tickets "
    "where via_channel in ('chat', 'phone') group by 1 order by 1"
)


def test_drops_of_the_values_the_definition_keeps_are_a_contradiction(helpdesk: Project) -> None:
    want = _hand(helpdesk, CHAT_PHONE)
    assert len(want) == 6, want
    for rules in (
        ("Not counting chat", "Not counting phone", "by created date"),  # together: none of them left
        ("Not counting chat", "by created date"),  # alone: phone and every other channel
    ):
        p = helpdesk.analyze_definition(Definition("chat_phone_tickets", "Chat + phone tickets", rules))
        said = [u.reason for u in p.unread if u.text.startswith("(in the definition)")]
        assert any("the definition keeps chat, phone of ticket__channel" in r for r in said), (
            rules,
            p.unread,
        )
        # the metric the rules alone give is not the definition's: it must never be answered quietly
        assert not _same(_monthly(helpdesk, p, "2024-01-01", "2024-06-30"), want)
    agreed = helpdesk.analyze_definition(
        Definition("chat_phone_tickets", "Chat + phone tickets", ("channel chat or phone", "by created date"))
    )
    assert not agreed.unread, agreed.unread
    assert _same(_monthly(helpdesk, agreed, "2024-01-01", "2024-06-30"), want)


OUTSTANDING_AT_MONTH_END = (
    "select m.month, (select sum(t.outstanding_principal) from prod.fct_loan_tape_daily as t "
    "where t.snapshot_date = last_day(m.month)) from (select cast(g as date) as month from "
    "generate_series(date '2024-01-01', date '2024-06-01', interval 1 month) as s(g)) as m order by 1"
)


def test_what_was_added_in_a_month_is_no_month_end_snapshot(lending: Project) -> None:
    rule = "take the last daily snapshot of the month, do not add days up"
    at_end = lending.analyze_definition(
        Definition("loan_book", "Outstanding principal at month end", (rule,))
    )
    want = _hand(lending, OUTSTANDING_AT_MONTH_END)
    assert not at_end.unread and _same(_monthly(lending, at_end, "2024-01-01", "2024-06-30"), want)
    added = lending.analyze_definition(
        Definition("loan_book_added", "Outstanding principal added during the month", (rule,))
    )
    doubts = [u.reason for u in added.unread]
    assert any("added during the month" in r and "snapshot" in r for r in doubts), added.unread
    assert added.confidence <= 0.5
    # the snapshot's rows are the month-end balance, not what was added: answered, it would be wrong quietly
    funded = _hand(
        lending,
        "select date_trunc('month', funded_date), sum(principal_amount) from prod.fct_loans group by 1 order by 1",
    )
    assert not _same(_monthly(lending, added, "2024-01-01", "2024-06-30"), funded)


@pytest.fixture(scope="module")
def lending_second_seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_lending(tmp_path_factory.mktemp("lending_seed") / "lending", seed=lending_data.SEED + 1)


def test_an_equal_case_stays_equal_on_a_second_seed(lending: Project, lending_second_seed: Path) -> None:
    definition = Definition(
        "funded_borrowers_california",
        "Distinct borrowers in California who had a loan funded",
        ("count each borrower once per month",),
    )
    with Project.load(lending_second_seed) as second:
        first_rows = _hand(lending, FUNDED_IN_CALIFORNIA)
        second_rows = _hand(second, FUNDED_IN_CALIFORNIA)
        assert first_rows != second_rows  # another seed, other rows
        for project, want in ((lending, first_rows), (second, second_rows)):
            p = project.analyze_definition(definition)
            assert _same(_monthly(project, p, "2024-01-01", "2024-06-30"), want), p.message
