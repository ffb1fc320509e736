"""``define`` on the foreign projects, the readings that carry no demo assumption: a yes/no column's
one-word opposite ("unverified sellers"), a dimension renamed with an expression (``is_repeat_order``:
``buyer_order_number > 1``), a non-additive balance and backlog asked by name, rules that restate the
source or say how a snapshot is read, a median (percentile measure) versus an average, and the marts as
the canonical layer of a project that registers none.

Each definition → proposal (no rule unread) → package → one real ``dbt build`` per project → the new
metric equals hand-written SQL month by month.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from metricmind.define import Definition
from metricmind.define.datasets import canonical
from metricmind.define.statistics import statistic_asked, statistic_of
from metricmind.define.termcolumns import start_end
from metricmind.define.words import opposites
from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from tests.foreign.conftest import fresh_copy, hand, same_rows
from tests.foreign.definebuild import generate_and_build

MONTH = "metric_time__month"
SPINE = (
    "with months as (select unnest(generate_series(timestamp '2024-01-01', timestamp '2024-06-01', "
    "interval 1 month)) as month) "
)
BAZAAR = [
    (
        Definition("unverified_fees", "Platform fees from unverified sellers", ()),
        "select date_trunc('month', i.placed_at), sum(i.platform_fee) from main.fct_order_items i "
        "join main.dim_sellers s using (seller_id) where not s.is_verified group by 1 order by 1",
    ),
    (
        Definition("repeat_order_count", "Number of orders", ("Only repeat orders",)),
        "select date_trunc('month', placed_at), count(*) from main.fct_orders "
        "where buyer_order_number > 1 group by 1 order by 1",
    ),
    (
        Definition(
            "unverified_payables",
            "What we owe unverified sellers at month end",
            (
                "payout balance from the seller balance snapshots",
                "take the last snapshot date in each month, don't add snapshots up",
                "unverified sellers only",
            ),
        ),
        SPINE + "select m.month, sum(b.payout_balance) from months m join main.fct_seller_balances_daily b "
        "on b.as_of_date = (select max(as_of_date) from main.fct_seller_balances_daily "
        "where date_trunc('month', as_of_date) = m.month) "
        "join main.dim_sellers s on s.seller_id = b.seller_id and not s.is_verified group by 1 order by 1",
    ),
]
HELPDESK = [
    (
        Definition("tier2_backlog", "Backlog", ("Tier 2 team only",)),
        SPINE + "select m.month, sum(b.open_tickets) from months m join analytics.fct_backlog_daily b "
        "on b.as_of_date = (select max(as_of_date) from analytics.fct_backlog_daily "
        "where date_trunc('month', as_of_date) = m.month) and b.support_team = 'Tier 2' group by 1 order by 1",
    ),
    (
        Definition("email_reply_median", "Median minutes to first reply", ("Only email tickets",)),
        "select date_trunc('month', created_ts), quantile_cont(first_reply_mins, 0.5) "
        "from analytics.fct_tickets where via_channel = 'email' group by 1 order by 1",
    ),
    (
        Definition(
            "email_reply_mean",
            "Average minutes to first reply on email tickets",
            ("email channel only", "average, not median"),
        ),
        "select date_trunc('month', created_ts), avg(first_reply_mins) from analytics.fct_tickets "
        "where via_channel = 'email' group by 1 order by 1",
    ),
    (
        Definition(
            "high_resolution_hours", "Average hours to resolve tickets", ("Only high priority tickets",)
        ),
        "select date_trunc('month', created_ts), avg(resolution_mins / 60.0) from analytics.fct_tickets "
        "where ticket_priority = 'high' group by 1 order by 1",
    ),
]


@pytest.fixture(scope="module")
def bazaar_defined2(bazaar_dir: Path, tmp_path_factory: pytest.TempPathFactory, dbt: str) -> tuple[Path, Any]:
    root = fresh_copy(bazaar_dir, tmp_path_factory.mktemp("bzdef2") / "bazaar")
    return root, generate_and_build(root, BAZAAR, dbt)


@pytest.fixture(scope="module")
def helpdesk_defined2(
    helpdesk_dir: Path, tmp_path_factory: pytest.TempPathFactory, dbt: str
) -> tuple[Path, Any]:
    root = fresh_copy(helpdesk_dir, tmp_path_factory.mktemp("hddef2") / "helpdesk")
    return root, generate_and_build(root, HELPDESK, dbt)


def _check(root: Path, proposals: dict[str, Any], definition: Definition, sql: str) -> None:
    proposal = proposals[definition.name]
    assert not [r for r in proposal.rules if r.status == "unread" and not r.text.startswith("(")], (
        proposal.rules
    )
    with Project.load(root) as project:
        assert [i for i in project.validate(deep=True) if i.level.value == "error"] == []
        query = MetricQuery.build(definition.name, [MONTH], order_by=[MONTH])
        ours = [tuple(r) for r in project.run(query).rows]
        want = hand(project, sql)
    assert want and same_rows(ours, want), (ours, want)


@pytest.mark.parametrize(("definition", "sql"), BAZAAR, ids=[d.name for d, _ in BAZAAR])
def test_bazaar_definition_builds_and_equals_hand_sql(
    definition: Definition, sql: str, bazaar_defined2: tuple[Path, Any]
) -> None:
    _check(*bazaar_defined2, definition, sql)


@pytest.mark.parametrize(("definition", "sql"), HELPDESK, ids=[d.name for d, _ in HELPDESK])
def test_helpdesk_definition_builds_and_equals_hand_sql(
    definition: Definition, sql: str, helpdesk_defined2: tuple[Path, Any]
) -> None:
    _check(*helpdesk_defined2, definition, sql)


def test_the_opposite_of_a_flag_is_its_false_value(bazaar: Project) -> None:
    proposal = bazaar.analyze_definition(Definition("x", "Platform fees", ("unverified sellers only",)))
    (rule,) = [r for r in proposal.rules if not r.text.startswith("(")]  # "(doubt) …" is the agent's own
    assert rule.status == "filter" and "seller__is_verified" in (rule.predicate or "")
    assert "false" in (rule.predicate or "")
    assert opposites("is_verified") == ["unverified", "inverified", "nonverified"]
    assert opposites("is_repeat_order") == [] and opposites("buyer_country") == []


def test_marts_are_the_canonical_layer_when_none_is_registered(helpdesk: Project) -> None:
    assert helpdesk.model.canonical_datasets == {}
    found = canonical(helpdesk.model)
    assert found["fct_tickets"].relation == "analytics.fct_tickets"
    assert found["fct_tickets"].primary_key == ("ticket_id",)
    assert "via_channel" in found["fct_tickets"].core_attributes


def test_open_rows_span_from_ts_columns(helpdesk: Project) -> None:
    tickets = helpdesk.model.semantic_models["tickets"]
    assert start_end(tickets, open_rows=False) is None  # created/solved is no start/end of a contract
    assert start_end(tickets, open_rows=True) == ("created_ts", "solved_ts")


def test_the_statistic_asked_and_computed(helpdesk: Project) -> None:
    assert statistic_asked("Median minutes to first reply") == "p50"
    assert statistic_asked("average, not median") == "average"
    assert statistic_asked("not the median but the average") == "average"
    assert statistic_asked("90th percentile of reply time") == "p90"
    assert statistic_asked("Tickets created") == ""
    metrics = helpdesk.model.metrics
    assert statistic_of(helpdesk.model, metrics["first_response_time_p50"]) == "p50"
    assert statistic_of(helpdesk.model, metrics["first_response_time_avg"]) == "average"
    assert statistic_of(helpdesk.model, metrics["ticket_volume"]) == ""


def test_a_rule_asking_another_statistic_is_unread(helpdesk: Project) -> None:
    proposal = helpdesk.analyze_definition(
        Definition("x", "Median minutes to first reply", ("average, not median",))
    )
    assert proposal.refused or any(r.status == "unread" for r in proposal.rules)
