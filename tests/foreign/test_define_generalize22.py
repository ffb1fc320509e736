"""Classes of session 22 (issue 12) read the same way on every project, each answer run on DuckDB against
hand SQL:

- a yes/no flag said by its words in another order or form ("claims referred to SIU" of
  ``is_siu_referral``, labelled "SIU referral"; "borrowers whose KYC was verified" of
  ``is_kyc_verified``) is a filter on that flag, kept or dropped as the rule says, and the part of a
  share ("Percentage of claims referred to SIU") alike; a word of two flags' roots reads neither.
- a definition headed by a duration ("Hours of lessons watched …", "Days of transit time …") is the time
  the rest says, reported in that unit: the column's own unit (minutes, hours) converted after
  aggregation, and a rule that converts it ("watch minutes divided by 60") is that same unit.
"""

from __future__ import annotations

from metricmind.define import Definition
from metricmind.define.flagwords import flag_in_words, root
from metricmind.define.rulecontext import Flag
from metricmind.define.units import Scale, converting
from metricmind.project import Project
from tests.foreign.monthly import monthly as _monthly
from tests.foreign.monthly import same as _same


def _hand(project: Project, sql: str) -> dict[str, float]:
    return {str(r[0])[:7]: float(r[1] or 0) for r in project.warehouse.run(sql).rows}


def test_a_flag_said_in_other_words_is_a_filter_on_it(covewell: Project, lending: Project) -> None:
    cases = (
        (
            covewell,
            Definition("siu_claims", "Claims reported", ("only claims referred to SIU",)),
            "select date_trunc('month', reported_date), count(*) from reporting.fct_claims "
            "where is_siu_referral and reported_date >= '2024-01-01' group by 1",
            ("2024-01-01", "2025-12-31"),
        ),
        (
            covewell,
            Definition("plain_claims", "Claims reported", ("leave out claims referred to SIU",)),
            "select date_trunc('month', reported_date), count(*) from reporting.fct_claims "
            "where not is_siu_referral and reported_date >= '2024-01-01' group by 1",
            ("2024-01-01", "2025-12-31"),
        ),
        (
            lending,
            Definition("unverified_loans", "Loans funded", ("leave out borrowers whose KYC was verified",)),
            "select date_trunc('month', l.funded_date), count(*) from prod.fct_loans l "
            "join prod.dim_borrowers b on b.borrower_id = l.borrower_id where not b.is_kyc_verified group by 1",
            ("2024-01-01", "2024-12-31"),
        ),
    )
    for project, definition, hand, (start, end) in cases:
        p = project.analyze_definition(definition)
        read = [r for r in p.rules if r.text == definition.rules[0]]
        assert read and read[0].status == "filter", (definition.rules, read)
        assert read[0].confidence <= 0.6  # a person checks a flag read from other words
        want = _hand(project, hand)
        assert want and _same(_monthly(project, p, start, end), want), definition.rules


def test_a_share_whose_part_says_a_flag_in_other_words(covewell: Project) -> None:
    p = covewell.analyze_definition(
        Definition("siu_share", "Percentage of claims referred to SIU", ("as a percentage",))
    )
    want = _hand(
        covewell,
        "select date_trunc('month', reported_date), "
        "100.0 * count(*) filter (where is_siu_referral) / count(*) from reporting.fct_claims "
        "where reported_date >= '2024-01-01' group by 1",
    )
    assert _same(_monthly(covewell, p, "2024-01-01", "2025-12-31"), want)


def test_roots_and_two_flags_of_one_root() -> None:
    assert root("referred") == root("referral") == "refer"
    assert root("renewed") == root("renewal")
    flags = [
        Flag("policy__is_early_renewal", (("early", "renewal"),), (), True, ()),
        Flag("policy__is_renewed_early", (("renewed", "early"),), (), True, ()),
        Flag("claim__is_siu_referral", (("siu", "referral"),), (), True, ()),
        Flag("enrollment__is_completed", (("completed",),), (), True, ()),
    ]
    assert flag_in_words(("renewed", "early", "policy"), flags) is None  # two flags of one root: neither
    assert flag_in_words(("referred", "to", "siu"), flags) == ("claim__is_siu_referral", [])
    assert flag_in_words(("referred", "to", "siu", "fraud"), flags) == ("claim__is_siu_referral", ["fraud"])
    assert flag_in_words(("by", "month", "referred", "to", "siu"), flags) is None  # it dates: no flag
    assert flag_in_words(("date", "by", "completion"), flags) is None
    assert flag_in_words(("only", "completion"), flags) is None  # one word is read as said, not by root


def test_a_definition_headed_by_a_duration_converts_its_column(studyhall: Project, helpdesk: Project) -> None:
    cases = (
        (
            studyhall,
            Definition(
                "design_hours", "Hours of lessons watched in design courses", ("watch minutes divided by 60",)
            ),
            "select date_trunc('month', v.viewed_at), sum(v.watch_minutes) / 60.0 from analytics.fct_lesson_views v "
            "join analytics.dim_courses c on c.course_code = v.course_code where c.category = 'design' "
            "and v.viewed_at >= '2025-01-01' group by 1",
            ("2025-01-01", "2025-12-31"),
        ),
        (
            helpdesk,
            Definition(
                "phone_reply_hours",
                "Hours of first reply time, on average",
                ("only tickets that came in by phone",),
            ),
            "select date_trunc('month', created_ts), avg(first_reply_mins) / 60.0 from analytics.fct_tickets "
            "where via_channel = 'phone' and created_ts >= '2024-01-01' group by 1",
            ("2024-01-01", "2024-06-30"),
        ),
    )
    for project, definition, hand, (start, end) in cases:
        p = project.analyze_definition(definition)
        assert not p.unread and p.metric is not None, (definition.text, p.message, p.unread)
        want = _hand(project, hand)
        assert want and _same(_monthly(project, p, start, end), want), definition.text


def test_a_rule_converts_a_duration_only_by_its_own_factor() -> None:
    hours = Scale(what="in hours", duration="hour")
    assert converting("watch minutes divided by 60", hours) == hours
    assert converting("sum session seconds and divide by 3600", hours) == hours
    assert converting("watch minutes divided by 24", hours) is None  # not minutes to hours
    assert converting("watch minutes divided by 60 per learner and by 2", hours) is None
    assert converting("hours divided by 60", hours) is None  # already the unit
