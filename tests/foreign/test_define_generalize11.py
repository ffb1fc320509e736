"""Classes of session 11 (issue 12) read the same way on every project, each answer run on DuckDB against
hand SQL:

- a dimension whose values are all numbers (a level, an attempt number, a term in months), compared with
  a number a rule says before or after it ("level number 15 and above", "at least 36", "only attempt
  number 1"), is a ``{{ Dimension() }}`` filter with that comparison, on the metric and on a ratio's
  two sides alike.
"""

from __future__ import annotations

from metricmind.define import Definition
from metricmind.define.numbersaid import number_compared
from metricmind.define.rulevalues import Context
from metricmind.define.spelling import respell
from metricmind.define.words import RATIO, lexicon
from metricmind.project import Project
from tests.foreign.monthly import monthly as _monthly
from tests.foreign.monthly import same as _same


def _hand(project: Project, sql: str) -> dict[str, float]:
    return {str(r[0])[:7]: float(r[1] or 0) for r in project.warehouse.run(sql).rows}


def test_a_dimension_of_numbers_is_compared_with_the_number_a_rule_says(
    pixelforge: Project, lending: Project, lastmile: Project, studyhall: Project
) -> None:
    cases = (
        (
            pixelforge,
            Definition(
                "late_level_fails", "Failed level attempts", ("not completed", "level number 15 and above")
            ),
            "select date_trunc('month', attempted_at), count(*) from core.fct_level_attempts "
            "where not is_completed and level_number >= 15 group by 1",
            ("2025-01-01", "2025-12-31"),
        ),
        (
            lending,
            Definition("long_loans_funded", "Principal funded", ("term months 36 and above",)),
            "select date_trunc('month', funded_date), sum(principal_amount) from prod.fct_loans "
            "where term_months >= 36 group by 1",
            ("2024-01-01", "2024-12-31"),
        ),
        (
            lastmile,
            Definition("first_attempts", "Delivery attempts", ("only attempt number 1",)),
            "select date_trunc('month', attempt_tstamp), count(*) from core.delivery_attempts "
            "where attempt_number = 1 group by 1",
            ("2024-01-01", "2025-12-31"),
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
            ("2025-01-01", "2025-12-31"),
        ),
    )
    for project, definition, hand, (start, end) in cases:
        p = project.analyze_definition(definition)
        compared = [r for r in p.rules if r.text == definition.rules[-1]]
        assert compared and compared[0].status == "filter", (definition.text, compared)
        want = _hand(project, hand)
        assert len(want) >= 6, want
        got = _monthly(project, p, start, end)
        assert _same(got, want), (definition.text, got, want)


def test_a_number_beside_a_dimension_of_text_is_never_compared(bazaar: Project, helpdesk: Project) -> None:
    for project, text in ((bazaar, "order status 3 and above"), (helpdesk, "ticket channel 2 or more")):
        model = project.define_model()
        names = {
            f"{e.name}__{d.name}"
            for sm in model.semantic_models.values()
            for e in sm.entities
            for d in sm.dimensions
        }
        ctx = Context(model, lexicon(model), names, False)
        assert number_compared(text, text.lower(), ctx) is None, text


def test_a_flag_named_with_its_value_keeps_that_side(
    pixelforge: Project, lending: Project, studyhall: Project
) -> None:
    cases = (
        (
            pixelforge,
            Definition("kept_purchases", "Purchases", ("the refunded flag is false",)),
            "select date_trunc('month', purchased_at), count(*) from core.fct_iap_purchases "
            "where not is_refunded group by 1",
            ("2025-01-01", "2025-12-31"),
        ),
        (
            lending,
            Definition(
                "loans_to_unverified_borrowers",
                "Loans funded to borrowers who never passed the identity (KYC) check",
                ("the borrower's KYC verified flag is false",),
            ),
            "select date_trunc('month', l.funded_date), count(*) from prod.fct_loans l "
            "join prod.dim_borrowers b on b.borrower_id = l.borrower_id where not b.is_kyc_verified group by 1",
            ("2024-01-01", "2024-12-31"),
        ),
        (
            studyhall,
            Definition("kept_payments", "Payments", ("payment refunded is not true",)),
            "select date_trunc('month', paid_at), count(payment_id) from analytics.fct_payments "
            "where not is_refunded group by 1",
            ("2025-01-01", "2025-12-31"),
        ),
    )
    for project, definition, hand, (start, end) in cases:
        p = project.analyze_definition(definition)
        valued = [r for r in p.rules if r.text == definition.rules[0]]
        assert valued and valued[0].status == "filter", (definition.text, valued)
        assert p.confidence >= 0.6, (definition.text, p.confidence, p.doubts)
        want = _hand(project, hand)
        assert len(want) >= 6, want
        got = _monthly(project, p, start, end)
        assert _same(got, want), (definition.text, got, want)


def test_a_snapshot_reading_said_in_clauses_is_the_snapshot_itself(
    pixelforge: Project, lastmile: Project
) -> None:
    cases = (
        (
            pixelforge,
            Definition(
                "ios_gems_month_end",
                "Gems held on iOS at each month end",
                ("platform ios", "the month's last calendar day, summed over titles, never over days"),
            ),
            "select date_trunc('month', snapshot_date), sum(gems_outstanding) from core.rpt_gem_economy_daily "
            "where snapshot_date = last_day(snapshot_date) and platform = 'ios' group by 1",
            ("2025-01-01", "2025-12-31"),
        ),
        (
            lastmile,
            Definition(
                "randstad_on_hand_month_end",
                "Parcels on hand in Randstad hubs at month end",
                (
                    "the hub's region is Randstad",
                    "read the last stock count of the month, summed over hubs, never over days",
                ),
            ),
            "select date_trunc('month', s.ds), sum(s.parcels_on_hand) from core.hub_stock_daily s "
            "join core.hubs h on h.hub_code = s.hub_code where h.region = 'Randstad' and s.ds = "
            "(select max(d.ds) from core.hub_stock_daily d where date_trunc('month', d.ds) = date_trunc('month', s.ds)) "
            "group by 1",
            ("2024-10-01", "2025-09-30"),
        ),
    )
    for project, definition, hand, (start, end) in cases:
        p = project.analyze_definition(definition)
        said = [r for r in p.rules if r.text == definition.rules[-1]]
        assert said and said[0].status == "covered", (definition.text, said)
        assert p.refused is None, p.message
        want = _hand(project, hand)
        assert len(want) >= 6, want
        got = _monthly(project, p, start, end)
        assert _same(got, want), (definition.text, got, want)


def test_the_entity_a_distinct_count_counts_may_follow_its_qualifiers(
    helpdesk: Project, lastmile: Project
) -> None:
    cases = (
        (
            helpdesk,
            Definition(
                "emea_accounts_with_urgent_tickets",
                "Number of distinct EMEA customer accounts that opened at least one urgent ticket in the month",
                ("the account's sales region is EMEA", "priority urgent"),
            ),
            "select date_trunc('month', t.created_ts), count(distinct t.account_id) from analytics.fct_tickets t "
            "join analytics.dim_accounts a on a.account_id = t.account_id "
            "where a.sales_region = 'EMEA' and t.ticket_priority = 'urgent' group by 1",
            ("2024-01-01", "2024-12-31"),
        ),
        (
            lastmile,
            Definition(
                "key_account_shippers",
                "Number of distinct key account shippers with at least one parcel booked in the month",
            ),
            "select date_trunc('month', booked_tstamp), count(distinct shipper_id) from core.parcels "
            "where shipper_segment = 'key_account' group by 1",
            ("2024-01-01", "2025-12-31"),
        ),
    )
    for project, definition, hand, (start, end) in cases:
        p = project.analyze_definition(definition)
        want = _hand(project, hand)
        assert len(want) >= 6, want
        got = _monthly(project, p, start, end)
        assert _same(got, want), (definition.text, got, want)


def test_a_column_said_empty_or_filled_is_a_null_filter(
    helpdesk: Project, studyhall: Project, pixelforge: Project
) -> None:
    cases = (
        (
            helpdesk,
            Definition(
                "tickets_never_replied",
                "Tickets that have never received a first agent reply, by month created",
                ("a ticket with any first reply is not counted, whatever its status",),
            ),
            "select date_trunc('month', created_ts), count(*) from analytics.fct_tickets "
            "where first_reply_ts is null group by 1",
            ("2024-01-01", "2024-12-31"),
        ),
        (
            studyhall,
            Definition(
                "signups_never_paid",
                "Learners who signed up, by signup month",
                ("never paid: no first payment date",),
            ),
            "select date_trunc('month', signed_up_at), count(*) from analytics.dim_learners "
            "where first_paid_at is null group by 1",
            ("2025-01-01", "2025-12-31"),
        ),
        (
            pixelforge,
            Definition(
                "installs_never_bought",
                "Installs",
                ("players with no first purchase date are the only ones counted",),
            ),
            "select date_trunc('month', install_date), count(*) from core.dim_players "
            "where first_purchase_at is null group by 1",
            ("2025-01-01", "2025-12-31"),
        ),
    )
    for project, definition, hand, (start, end) in cases:
        p = project.analyze_definition(definition)
        said = [r for r in p.rules if r.text == definition.rules[0]]
        assert said and said[0].status == "filter" and "IS NULL" in said[0].reason, (definition.text, said)
        want = _hand(project, hand)
        assert len(want) >= 6, want
        got = _monthly(project, p, start, end)
        assert _same(got, want), (definition.text, got, want)


def test_any_value_of_a_column_is_never_a_filled_column(studyhall: Project, pixelforge: Project) -> None:
    for project, text, rule in (
        (studyhall, "Payments", "every payment counts, any payment method"),
        (pixelforge, "Purchases", "every purchase counts, any product type"),
    ):
        p = project.analyze_definition(Definition("every_row", text, (rule,)))
        assert not any("IS NULL" in r.reason for r in p.rules), (text, p.rules)


def test_a_numeric_column_said_equal_and_the_rows_one_date_said_otherwise(
    bazaar: Project, pixelforge: Project
) -> None:
    cases = (
        (
            bazaar,
            Definition(
                "five_star_reviews",
                "Reviews giving 5 stars, by review date",
                ("only stars = 5", "month is the month the review was written"),
            ),
            "select date_trunc('month', reviewed_at), count(*) from main.fct_reviews where stars = 5 group by 1",
            ("2024-01-01", "2024-12-31"),
        ),
        (
            pixelforge,
            Definition(
                "three_star_attempts",
                "Level attempts",
                ("only stars = 3", "month is the month the attempt was played"),
            ),
            "select date_trunc('month', attempted_at), count(*) from core.fct_level_attempts where stars = 3 group by 1",
            ("2025-01-01", "2025-12-31"),
        ),
    )
    for project, definition, hand, (start, end) in cases:
        p = project.analyze_definition(definition)
        statuses = {r.text: r.status for r in p.rules}
        assert statuses[definition.rules[0]] == "filter", p.rules
        assert statuses[definition.rules[1]] == "time", p.rules
        want = _hand(project, hand)
        assert len(want) >= 6, want
        got = _monthly(project, p, start, end)
        assert _same(got, want), (definition.text, got, want)


def test_a_rule_bounding_rows_by_a_number_never_restates_the_metric(
    bazaar: Project, pixelforge: Project
) -> None:
    for project, text, rule in (
        (bazaar, "Count of review rows giving 5 stars", "only stars = 5"),
        (pixelforge, "Level attempts with 3 stars", "only stars = 3"),
    ):
        p = project.analyze_definition(Definition("bounded", text, (rule,)))
        [said] = [r for r in p.rules if r.text == rule]
        assert said.status != "covered", said


def test_the_parts_of_a_ratio_are_never_read_as_slips(lending: Project, pixelforge: Project) -> None:
    for project, text in (
        (lending, "pending applications are out of the denominator"),
        (pixelforge, "numerator: ad revenue of rewarded_video impressions; denominator: every format"),
    ):
        said, changes = respell(text, project.define_model())
        assert said == text and not changes, changes


def test_out_of_a_place_is_no_ratio(lastmile: Project, bazaar: Project) -> None:
    assert RATIO.search("Refunded orders out of all orders") and not RATIO.search(
        "Parcels out of a micro hub"
    )
    for project, text in (
        (lastmile, "Parcels booked for delivery out of a micro hub"),
        (bazaar, "Orders shipped out of our sellers' workshops"),
    ):
        p = project.analyze_definition(Definition("from_a_place", text))
        assert "ratio" not in p.message, (text, p.message)
