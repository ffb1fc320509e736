"""What a definition said must all be honoured (issue 12): never a plausible wrong metric.

A value the definition or a rule names (declared, observed, a business spelling) is applied by a filter,
or the proposal says it is unread; and every value a filter applies traces to words of the input, so a
swapped value can never be answered silently. Phrasings of our own over covewell, helpdesk and lastmile,
each answer run on DuckDB against hand SQL; the invariant runs on every dev case of every project.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from metricmind.define import Definition, Proposal
from metricmind.define.honoured import flag_untraced, untraced
from metricmind.project import Project
from tests.foreign.monthly import monthly as _monthly
from tests.shared_demo import demo_copy

CASES = Path(__file__).resolve().parent / "cases"
#: The demo's dev definitions (``definitions*.yml``, ``paraphrases.yml``; never a blind file).
DEMO_CASES = Path(__file__).resolve().parents[1] / "define" / "cases"

#: The incurred losses of a line's claims by reported month over its earned premium (cw-def-009's SQL).
LOSS_RATIO = """
with c as (
  select date_trunc('month', c.reported_date) as month, sum(c.incurred_amount) as incurred
  from reporting.fct_claims as c join reporting.fct_policy_terms as t using (policy_term_id)
  where t.line_of_business = '{line}' group by 1
),
e as (
  select e.earned_month as month, sum(e.earned_premium) as earned
  from reporting.fct_earned_premium_monthly as e join reporting.fct_policy_terms as t using (policy_term_id)
  where t.line_of_business = '{line}' group by 1
)
select e.month, c.incurred / e.earned from e join c on c.month = e.month
where e.month between date '2024-01-01' and date '2025-12-01' order by 1
"""
CLAIMS_OF_LINE = (
    "select date_trunc('month', c.reported_date), count(*) from reporting.fct_claims as c "
    "join reporting.fct_policy_terms as t using (policy_term_id) where t.line_of_business = '{line}' "
    "and c.reported_date between date '2024-01-01' and date '2025-12-31' group by 1 order by 1"
)
URGENT_CHAT = (
    "select date_trunc('month', created_ts), count(*) from analytics.fct_tickets "
    "where via_channel = 'chat' and ticket_priority = 'urgent' and created_ts < timestamp '2025-01-01' "
    "and created_ts >= timestamp '2024-01-01' group by 1 order by 1"
)
ROUTES_OF = (
    "select date_trunc('month', route_dt), count(*) from core.routes where vehicle_type = '{vehicle}' "
    "and route_dt between date '2024-10-01' and date '2025-09-30' group by 1 order by 1"
)


def _hand(project: Project, sql: str) -> dict[str, float]:
    return {str(r[0])[:7]: float(r[1] or 0) for r in project.warehouse.run(sql).rows}


def _same(got: dict[str, float], want: dict[str, float]) -> bool:
    return bool(want) and all(abs(got.get(m, 0.0) - v) <= 1e-6 * max(1.0, abs(v)) for m, v in want.items())


def _answered(p: Proposal) -> bool:
    return p.refused is None and p.metric is not None and not p.unread


def test_a_line_said_only_by_restating_rules_is_applied_or_unread(covewell: Project) -> None:
    """cw-def-009 with home for motor: `loss_ratio` of every line, its rules "covered" as restating the
    ratio, was answered at 0.75. Now each text naming home that no filter applies is unread."""
    for line in ("home", "motor"):
        d = Definition(
            f"{line}_line_loss_ratio",
            f"{line.title()} loss ratio",
            (
                f"incurred losses (paid plus case reserves) of the {line} claims reported in the month",
                f"divided by the {line} earned premium of the month",
            ),
        )
        p = covewell.analyze_definition(d)
        want = _hand(covewell, LOSS_RATIO.format(line=line))
        if _answered(p):
            assert _same(_monthly(covewell, p, "2024-01-01", "2025-12-31"), want), (line, p.metric)
        else:
            assert any(line in r.reason for r in p.unread), [r.reason for r in p.rules]
    # the motor reading is answered and equals the hand SQL; the home one never silently equals every line
    motor = covewell.analyze_definition(
        Definition(
            "motor_line_loss_ratio",
            "Motor loss ratio",
            (
                "incurred losses (paid plus case reserves) of the motor claims reported in the month",
                "divided by the motor earned premium of the month",
            ),
        )
    )
    assert _answered(motor), [r.reason for r in motor.rules]


def test_a_value_said_in_the_definition_is_a_filter_that_executes(covewell: Project) -> None:
    for line in ("motor", "home"):
        p = covewell.analyze_definition(
            Definition(f"{line}_claims_count", f"Number of {line} claims reported")
        )
        assert _answered(p), [r.reason for r in p.rules]
        got = _monthly(covewell, p, "2024-01-01", "2025-12-31")
        assert _same(got, _hand(covewell, CLAIMS_OF_LINE.format(line=line)))
        assert untraced(p, covewell.define_model()) == []


def test_a_swapped_value_no_word_says_is_caught_by_the_invariant(covewell: Project) -> None:
    """The invariant on the proposal itself: a filter keeping a value the input never says (motor for
    "home claims") is unread, never answered."""
    p = covewell.analyze_definition(Definition("motor_claims_count", "Number of motor claims reported"))
    assert p.metric is not None and "'motor'" in str(p.metric)
    swapped = copy.deepcopy(p)
    swapped.definition = Definition("home_claims_count", "Number of home claims reported")
    assert untraced(swapped, covewell.define_model()) == ["'motor'"]
    flag_untraced(swapped, covewell.define_model())
    assert swapped.unread and "'motor'" in swapped.unread[-1].reason and swapped.confidence <= 0.3


def test_contradictory_rules_refuse_saying_they_contradict(covewell: Project, helpdesk: Project) -> None:
    for project, d in (
        (
            covewell,
            Definition("hail_wind_claims", "Claims reported", ("only hail claims", "only wind claims")),
        ),
        (
            helpdesk,
            Definition("phone_tickets_x", "Tickets created", ("only phone tickets", "exclude phone tickets")),
        ),
    ):
        p = project.analyze_definition(d)
        assert p.refused == "contradictory_rules", (p.refused, p.message)
        assert "keep" in p.message and ("nothing in common" in p.message or "drop" in p.message)


def test_first_and_later_rows_only_refuse_as_a_contradiction(lending: Project) -> None:
    """ "Only the borrower's first loan" with "only repeat borrowers" keeps no loan: refused saying the rules
    contradict, never one rule unread or a value 'later' not found."""
    for rules in (
        ("only each borrower's first loan", "only loans to repeat borrowers"),
        ("count only first loans", "only loans that are not the borrower's first"),
    ):
        p = lending.analyze_definition(Definition("first_and_repeat_loans", "Principal funded", rules))
        assert p.refused == "contradictory_rules", (p.refused, p.message)
        assert "contradict" in p.message and all(r in p.message for r in rules)


def test_first_loans_alone_still_execute(lending: Project) -> None:
    p = lending.analyze_definition(
        Definition("first_loans_funded", "Loans funded", ("count only first loans",))
    )
    assert _answered(p), [r.reason for r in p.rules]
    want = _hand(
        lending,
        "select date_trunc('month', funded_date), count(*) from prod.fct_loans where is_first_loan "
        "and funded_date between date '2024-01-01' and date '2024-12-31' group by 1 order by 1",
    )
    assert _same(_monthly(lending, p, "2024-01-01", "2024-12-31"), want)


def test_a_hub_name_no_hub_has_names_the_nearest_hubs(lastmile: Project) -> None:
    """ "Utrecht Westpoort": Utrecht and Westpoort are words of three hubs, none of them this one."""
    p = lastmile.analyze_definition(
        Definition(
            "utrecht_westpoort_parcels",
            "Parcels booked",
            ("only parcels whose delivery hub is Utrecht Westpoort",),
        )
    )
    assert p.refused == "unknown_value", (p.refused, p.message)
    assert "'Utrecht Westpoort'" in p.message
    assert all(v in p.message for v in ("Amsterdam Westpoort", "Utrecht Binnenstad", "Utrecht Lage Weide"))


def test_a_model_family_names_its_models_and_a_unique_near_name_is_kept(ridgeline: Project) -> None:
    """ "Only Galaxy phones": three models say Galaxy, none is it: unknown_value naming them. "The iPhone
    Pro" nearly names one model only (`iPhone 16 Pro`): kept, and its rows equal the hand SQL."""
    p = ridgeline.analyze_definition(
        Definition("galaxy_devices_sold", "Device sales", ("only Galaxy phones",))
    )
    assert p.refused == "unknown_value", (p.refused, p.message)
    assert all(v in p.message for v in ("Galaxy A55", "Galaxy S24", "Galaxy S25 Ultra"))
    pro = ridgeline.analyze_definition(
        Definition("iphone_pro_devices_sold", "Device sales of the iPhone Pro")
    )
    assert _answered(pro), [r.reason for r in pro.rules]
    want = _hand(
        ridgeline,
        "select date_trunc('month', sold_dt), count(*) from mart.fact_device_sales "
        "where device_model = 'iPhone 16 Pro' and sold_dt between date '2024-01-01' and date '2025-12-31' "
        "group by 1 order by 1",
    )
    assert _same(_monthly(ridgeline, pro, "2024-01-01", "2025-12-31"), want)
    assert untraced(pro, ridgeline.define_model()) == []


def test_values_said_in_the_definition_on_helpdesk_execute(helpdesk: Project) -> None:
    p = helpdesk.analyze_definition(Definition("urgent_chat_created", "Urgent chat tickets created"))
    assert _answered(p), [r.reason for r in p.rules]
    assert _same(_monthly(helpdesk, p, "2024-01-01", "2024-12-31"), _hand(helpdesk, URGENT_CHAT))


def test_a_definition_value_a_rule_contradicts_is_never_answered(helpdesk: Project) -> None:
    """ "Tickets created over chat" with "only tickets that came in by email": the email filter alone would
    count email tickets under a chat name."""
    p = helpdesk.analyze_definition(
        Definition("chat_created_x", "Tickets created over chat", ("only tickets that came in by email",))
    )
    assert p.refused is not None or p.unread
    assert any("chat" in r.reason for r in p.unread) or "chat" in p.message


def test_a_vehicle_said_by_its_business_spelling_is_kept_or_unread(lastmile: Project) -> None:
    """ "e-van" is `e_van`: applied, and its rows equal the hand SQL; "cargo bike" (`e_cargo_bike`, the
    only value it nearly names) is kept the same way or left unread, never every route."""
    p = lastmile.analyze_definition(Definition("evan_routes_run", "Routes driven with an e-van"))
    assert _answered(p), [r.reason for r in p.rules]
    want = _hand(lastmile, ROUTES_OF.format(vehicle="e_van"))
    assert _same(_monthly(lastmile, p, "2024-10-01", "2025-09-30"), want)
    bike = lastmile.analyze_definition(Definition("cargo_bike_routes_run", "Routes driven by cargo bike"))
    if _answered(bike):
        want = _hand(lastmile, ROUTES_OF.format(vehicle="e_cargo_bike"))
        assert _same(_monthly(lastmile, bike, "2024-10-01", "2025-09-30"), want)
    else:
        assert bike.refused is not None or bike.unread


def _dev_cases() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for path in sorted(CASES.glob("dev*.yml")):  # never a blind file
        out += list(yaml.safe_load(path.read_text()) or [])
    return out


@pytest.mark.parametrize(
    "name",
    [
        "bazaar",
        "helpdesk",
        "lending",
        "lastmile",
        "harbor",
        "pixelforge",
        "studyhall",
        "covewell",
        "ridgeline",
    ],
)
def test_every_value_applied_on_the_dev_cases_traces_to_words_said(
    name: str, request: pytest.FixtureRequest
) -> None:
    """The invariant on every dev case of every project: no proposal applies a value its input never says."""
    project: Project = request.getfixturevalue(name)
    model = project.define_model()
    cases = [c for c in _dev_cases() if c["project"] == name]
    assert cases
    bad = []
    for c in cases:
        p = project.analyze_definition(
            Definition(str(c["name"]), str(c["definition"]), tuple(str(r) for r in c.get("rules") or ()))
        )
        if untraced(p, model):
            bad.append((c["id"], untraced(p, model)))
    assert bad == []


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """The demo the definition cases were written against (scale 1000, data through 2025-06-18)."""
    target = tmp_path_factory.mktemp("said") / "demo"
    with Project.load(demo_copy(tmp_path_factory, target, scale=1000, end_date="2025-06-18")) as project:
        yield project


def test_every_value_applied_on_the_demo_dev_cases_traces_to_words_said(demo: Project) -> None:
    """The invariant on the demo's dev definitions: a value the proposal adds is always said (the catalog's
    own filter of a metric it reuses, `churned_customers`' status = 'canceled', came with the metric)."""
    model = demo.define_model()
    bad = []
    for path in sorted(DEMO_CASES.glob("*.yml")):
        if path.name.startswith("blind"):
            continue  # never a blind file
        for c in yaml.safe_load(path.read_text()) or []:
            p = demo.analyze_definition(
                Definition(str(c["name"]), str(c["definition"]), tuple(str(r) for r in c.get("rules") or ()))
            )
            if untraced(p, model):
                bad.append((c["id"], untraced(p, model)))
    assert bad == []
