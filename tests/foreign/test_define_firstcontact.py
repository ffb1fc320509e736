"""Define on first contact with a project (issue 12): readings taken from the catalog itself, each answer
run on DuckDB against hand SQL, on covewell and on another project.

- a value of one dimension reached by two paths (the rows' ``policy_term__sales_channel`` and the same
  ``policy_term__quote__sales_channel`` one join further) is the nearer one's;
- a value of two differently named dimensions is the one whose description says a word of the rule
  ("Texas risks only": ``state``, "where the risk … is located", not the customer's ``home_state``);
- anything else stays unread, with the dimensions to choose from;
- a metric's label said with a modifier after "of" ("average severity of claims") names that metric;
- a rule a ratio's denominator alone covers ("leave denied claims out" of incurred losses over the claims
  not denied) filters both sides; a numerator's own filter (the event a rate counts) stays covered;
- a value a dimension's description glosses in parentheses ("home (homeowners)") is named by the gloss;
- a word the catalog never uses right after a value's word, before the noun ("hail damage claims"), is the
  value's own word: the metric is proposed with it as an unread doubt, never refused for it nor read.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from metricmind.define import Definition, Proposal
from metricmind.define.glosses import glosses
from metricmind.project import Project
from tests.foreign.monthly import hand as _hand
from tests.foreign.monthly import monthly as _monthly
from tests.foreign.monthly import same as _same


def _read_as(p: Proposal, rule: str) -> str:
    found = [r for r in p.rules if r.text == rule]
    assert found and found[0].status == "filter", (rule, p.rules)
    return found[0].predicate or ""


@pytest.fixture(scope="module")
def lending_twice(lending_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """Lending whose applications declare the product as ``loan_product`` too (the loans' own name): the
    same dimension on a payment's loan and on the loan's application, one join further.
    """
    target = tmp_path_factory.mktemp("lending_twice") / "lending"
    shutil.copytree(lending_dir, target, ignore=shutil.ignore_patterns(".metricmind"))
    spec = target / "models" / "semantic" / "applications.yml"
    text = spec.read_text()
    assert "      - name: requested_product\n" in text
    spec.write_text(
        text.replace(
            "      - name: requested_product\n",
            "      - name: loan_product\n        expr: requested_product\n",
        )
    )
    with Project.load(target) as project:
        yield project


def test_a_value_of_one_dimension_on_two_paths_is_the_nearer_ones(
    covewell: Project, lending_twice: Project
) -> None:
    cases = (
        (
            covewell,
            Definition(
                "online_claims", "Claims reported", ("only policies sold through the online channel",)
            ),
            "policy_term__sales_channel",
            "select date_trunc('month', c.reported_date), count(*) from reporting.fct_claims c "
            "join reporting.fct_policy_terms t on t.policy_term_id = c.policy_term_id "
            "where t.sales_channel = 'online' group by 1",
            ("2024-01-01", "2025-12-31"),
        ),
        (
            covewell,
            Definition("premier_pif", "Policies in force", ("premier product tier only",)),
            "policy_term__product_tier",
            "select date_trunc('month', s.snapshot_date), count(*) from reporting.fct_policy_snapshot_monthly s "
            "join reporting.fct_policy_terms t on t.policy_term_id = s.policy_term_id "
            "where t.product_tier = 'premier' group by 1",
            ("2024-01-01", "2025-12-31"),
        ),
        (
            lending_twice,
            Definition("personal_collected", "Amount collected", ("only personal loans",)),
            "loan__loan_product",
            "select date_trunc('month', p.paid_at), sum(p.amount_cents / 100.0) from prod.fct_payments p "
            "join prod.fct_loans l on l.loan_id = p.loan_id where l.loan_product = 'personal_loan' group by 1",
            ("2024-01-01", "2024-12-31"),
        ),
    )
    for project, definition, dim, hand, (start, end) in cases:
        p = project.analyze_definition(definition)
        predicate = _read_as(p, definition.rules[-1])
        assert f"Dimension('{dim}')" in predicate, predicate
        want = _hand(project, hand, start, end)
        assert want and _same(_monthly(project, p, start, end), want), definition


def test_a_value_of_two_dimensions_is_the_one_whose_description_says_the_rules_word(
    covewell: Project, harbor: Project
) -> None:
    cases = (
        (
            covewell,
            Definition("az_earned", "Earned premium", ("Arizona risks only",)),
            "policy_term__state",
            "select e.earned_month, sum(e.earned_premium) from reporting.fct_earned_premium_monthly e "
            "join reporting.fct_policy_terms t on t.policy_term_id = e.policy_term_id "
            "where t.state = 'AZ' group by 1",
            ("2024-01-01", "2025-12-31"),
        ),
        (
            harbor,
            Definition("german_hotel_bookings", "Reservations", ("only hotels in Germany",)),
            "property__country_code",
            "select date_trunc('month', r.arrival_date), count(*) from marts.fct_reservations r "
            "join marts.dim_properties p on p.property_code = r.property_code "
            "where p.country_code = 'DE' group by 1",
            ("2025-01-01", "2025-12-31"),
        ),
    )
    for project, definition, dim, hand, (start, end) in cases:
        p = project.analyze_definition(definition)
        reading = [r for r in p.rules if r.text == definition.rules[-1]][0]
        predicate = _read_as(p, definition.rules[-1])
        assert f"Dimension('{dim}')" in predicate, predicate
        assert "description" in reading.reason and reading.confidence < 0.8, reading  # said, and a doubt
        want = _hand(project, hand, start, end)
        assert want and _same(_monthly(project, p, start, end), want), definition


def test_a_value_nothing_tells_apart_stays_unread(bazaar: Project, lastmile: Project) -> None:
    cases = (
        (
            bazaar,
            Definition("book_items", "Items sold", ("only books",)),
        ),  # a listing's or a seller's category
        (lastmile, Definition("de_attempts", "Delivery attempts", ("only Germany",))),  # parcel's or hub's
    )
    for project, definition in cases:
        p = project.analyze_definition(definition)
        reading = [r for r in p.rules if r.text == definition.rules[-1]][0]
        assert reading.status == "unread" and "name the dimension" in reading.reason, reading


def test_a_metrics_name_said_with_of_is_that_metric(covewell: Project, lending: Project) -> None:
    """ "Average severity of motor claims" names ``Average Claim Severity``; "Average size of personal
    loans" names ``Average loan size``: the modifier said after the noun with "of" (was: no metric).
    """
    cases = (
        (
            covewell,
            Definition("motor_severity", "Average severity of motor claims"),
            "avg_claim_severity",
            "select date_trunc('month', c.reported_date), sum(c.incurred_amount) "
            "/ count(*) filter (where c.claim_status <> 'denied') from reporting.fct_claims c "
            "join reporting.fct_policy_terms t on t.policy_term_id = c.policy_term_id "
            "where t.line_of_business = 'motor' group by 1",
            ("2024-01-01", "2025-12-31"),
        ),
        (
            lending,
            Definition("personal_loan_size", "Average size of personal loans"),
            "average_loan_size",
            "select date_trunc('month', funded_date), sum(principal_amount) / count(*) from prod.fct_loans "
            "where loan_product = 'personal_loan' group by 1",
            ("2024-01-01", "2024-12-31"),
        ),
    )
    for project, definition, based_on, hand, (start, end) in cases:
        p = project.analyze_definition(definition)
        assert p.metric is not None and not p.unread, (p.message, p.rules)
        assert p.metric["config"]["meta"].get("based_on") == based_on, p.metric
        want = _hand(project, hand, start, end)
        assert want and _same(_monthly(project, p, start, end), want), definition


def test_a_rule_a_ratios_denominator_filters_alone_filters_the_whole_ratio(
    covewell: Project, lastmile: Project, bazaar: Project
) -> None:
    """ "Leave denied claims out" of a severity whose denominator alone leaves them out (incurred losses of
    every claim over the claims not denied) leaves them out of both sides; a numerator's filter is the
    event a rate counts, and a rule it covers stays covered.
    """
    cases = (
        (
            covewell,
            Definition("severity_not_denied", "Average claim severity", ("leave denied claims out",)),
            "select date_trunc('month', reported_date), sum(incurred_amount) / count(*) "
            "from reporting.fct_claims where claim_status <> 'denied' group by 1",
            ("2024-01-01", "2025-12-31"),
        ),
        (
            lastmile,
            Definition("diesel_fuel_per_km", "Fuel cost per km", ("diesel vans only",)),
            "select date_trunc('month', r.route_dt), sum(r.fuel_cost_eur) / sum(r.km_driven) "
            "from core.routes r where r.vehicle_type = 'diesel_van' group by 1",
            ("2024-01-01", "2025-09-30"),
        ),
    )
    for project, definition, hand, (start, end) in cases:
        p = project.analyze_definition(definition)
        reading = [r for r in p.rules if r.text == definition.rules[-1]][0]
        assert reading.status == "filter" and "denominator only" in reading.reason, reading
        assert reading.confidence < 0.8, reading  # the source said otherwise: a person checks
        want = _hand(project, hand, start, end)
        assert want and _same(_monthly(project, p, start, end), want), definition
    p = bazaar.analyze_definition(Definition("refunds_share", "Refund rate", ("only refunded orders",)))
    reading = [r for r in p.rules if r.text == "only refunded orders"][0]
    assert reading.status != "filter", reading  # the numerator's own filter: the refunds the rate counts


@pytest.fixture(scope="module")
def lending_glossed(lending_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """Lending whose loan product says in its description what two of its values are."""
    target = tmp_path_factory.mktemp("lending_glossed") / "lending"
    shutil.copytree(lending_dir, target, ignore=shutil.ignore_patterns(".metricmind"))
    spec = target / "models" / "semantic" / "loans.yml"
    text = spec.read_text()
    said = "      - name: loan_product\n"
    assert said in text
    spec.write_text(
        text.replace(
            said,
            said
            + "        description: personal_loan (unsecured credit), auto_refinance (car refinancing) or "
            "debt_consolidation; Northeast (PA, NJ) is no gloss.\n",
        )
    )
    with Project.load(target) as project:
        yield project


def test_a_value_glossed_in_its_dimensions_description_is_named_by_the_gloss(
    covewell: Project, lending_glossed: Project
) -> None:
    """ "motor (personal auto) or home (homeowners)": "homeowners policies" are the home ones."""
    cases = (
        (
            covewell,
            Definition("homeowner_claims", "Claims reported on homeowners policies"),
            "(in the definition) Claims reported on homeowners policies",
            "select date_trunc('month', c.reported_date), count(*) from reporting.fct_claims c "
            "join reporting.fct_policy_terms t on t.policy_term_id = c.policy_term_id "
            "where t.line_of_business = 'home' group by 1",
            ("2024-01-01", "2025-12-31"),
        ),
        (
            covewell,
            Definition("comparison_site_policies", "New policies", ("sold through price comparison sites",)),
            "sold through price comparison sites",
            "select date_trunc('month', written_date), count(*) from reporting.fct_policy_terms "
            "where not is_renewal and sales_channel = 'aggregator' group by 1",
            ("2024-01-01", "2025-12-31"),
        ),
        (
            lending_glossed,
            Definition("refi_principal", "Principal funded", ("only car refinancing",)),
            "only car refinancing",
            "select date_trunc('month', funded_date), sum(principal_amount) from prod.fct_loans "
            "where loan_product = 'auto_refinance' group by 1",
            ("2024-01-01", "2024-12-31"),
        ),
    )
    for project, definition, rule, hand, (start, end) in cases:
        p = project.analyze_definition(definition)
        predicate = _read_as(p, rule)
        assert "line_of_business" in predicate or "sales_channel" in predicate or "loan_product" in predicate
        want = _hand(project, hand, start, end)
        assert want and _same(_monthly(project, p, start, end), want), definition


def test_a_list_in_parentheses_is_no_gloss() -> None:
    """A region's members, a sentence, a negation or another value: never other words for a value."""
    said = (
        "Northeast (PA, NJ, NY), Midwest (OH, MI), gold (the partner level of our oldest program), "
        "advance_purchase (non-refundable), monthly (EFT), home (motor)"
    )
    values = ["Northeast", "Midwest", "gold", "advance_purchase", "monthly", "home", "motor"]
    assert glosses(said, values) == {"monthly": ["EFT"]}


def test_an_unknown_word_after_a_values_word_is_a_doubt_not_the_metric(
    covewell: Project, studyhall: Project
) -> None:
    """ "Hail damage claims": the hail peril's claims, "damage" left unread as a doubt (was: refused for
    "damage", as if damage claims were a kind of claim the catalog lacks).
    """
    p = covewell.analyze_definition(Definition("hail_claims", "Hail damage claims", ("by reported month",)))
    assert p.refused is None and p.metric is not None, p.message
    doubts = [r for r in p.unread if "'damage'" in r.reason]
    assert doubts and p.confidence < 0.6, p.rules
    hand = (
        "select date_trunc('month', reported_date), count(*) from reporting.fct_claims "
        "where peril = 'hail' group by 1"
    )
    want = _hand(covewell, hand, "2024-01-01", "2025-12-31")
    assert want and _same(_monthly(covewell, p, "2024-01-01", "2025-12-31"), want)
    p = studyhall.analyze_definition(Definition("pro_bargain", "New pro bargain learners"))
    assert p.refused is None and any("'bargain'" in r.reason for r in p.unread), (p.message, p.rules)
    p = studyhall.analyze_definition(Definition("plan_bargain", "Pro plan bargain learners"))
    assert p.refused == "no_data", p.rules  # "plan bargain": no value's word before it, still the metric
