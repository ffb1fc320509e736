"""A yes/no flag applied must be said by a word of its own (issue 12): never a plausible wrong metric.

"Loss ratio for the home line" applied `line_of_business = 'home'` and `is_multi_line = true` at 0.75: "line"
was read twice. Each flag the proposal adds now traces to a word of the input that is one of the flag's
distinctive words (its name, label, description) and that no other applied filter or metric consumed;
else the text that applied it is unread, naming the flag. Flags legitimately said ("multi-line customers",
"KYC verified", "loyalty members", "Circle members", "verified sellers") still answer, rows against hand SQL.
"""

from __future__ import annotations

import copy

from metricmind.define import Definition, Proposal
from metricmind.define.flagsaid import flag_unsaid
from metricmind.project import Project
from tests.foreign.test_define_said import LOSS_RATIO, _answered, _hand, _monthly, _same

MULTI_LINE_CLAIMS = (
    "select date_trunc('month', c.reported_date), count(*) from reporting.fct_claims c "
    "join reporting.fct_policy_terms t using (policy_term_id) join reporting.dim_customers d "
    "on d.customer_id = t.customer_id where d.is_multi_line "
    "and c.reported_date between date '2024-01-01' and date '2025-12-31' group by 1 order by 1"
)
KYC_LOANS = (
    "select date_trunc('month', l.funded_date), count(*) from prod.fct_loans l "
    "join prod.dim_borrowers b using (borrower_id) where b.is_kyc_verified "
    "and l.funded_date between date '2024-01-01' and date '2024-12-31' group by 1 order by 1"
)
AUTOPAY_PAYMENTS = (
    "select date_trunc('month', paid_at), count(*) from prod.fct_payments where is_autopay "
    "and paid_at >= timestamp '2024-01-01' and paid_at < timestamp '2025-01-01' group by 1 order by 1"
)
MEMBER_NIGHTS = (
    "select date_trunc('month', n.stay_date), count(*) from marts.fct_room_nights n "
    "join marts.dim_guests g using (guest_id) where g.is_loyalty_member "
    "and n.stay_date between date '2024-01-01' and date '2025-12-31' group by 1 order by 1"
)
VERIFIED_FEES = (
    "select date_trunc('month', i.placed_at), sum(i.platform_fee) from main.fct_order_items i "
    "join main.dim_sellers s using (seller_id) where s.is_verified "
    "and i.placed_at >= timestamp '2024-01-01' and i.placed_at < timestamp '2025-01-01' group by 1 order by 1"
)


def _names_flag(p: Proposal, flag: str) -> bool:
    return any(f"`{flag}`" in r.reason for r in p.unread) and p.confidence <= 0.3


def test_a_flag_read_from_a_word_another_filter_consumed_is_unread(covewell: Project) -> None:
    """ "the home line": "home" keeps `line_of_business = 'home'`, and "line" is a word of that dimension,
    not of `is_multi_line`: the flag is said by nothing of its own, so the text is unread naming it."""
    p = covewell.analyze_definition(Definition("home_line_loss_ratio", "Loss ratio for the home line"))
    if _answered(p):
        got = _monthly(covewell, p, "2024-01-01", "2025-12-31")
        assert _same(got, _hand(covewell, LOSS_RATIO.format(line="home"))), p.metric
    else:
        assert _names_flag(p, "is_multi_line") or "is_multi_line" not in str(p.metric), p.rules


def test_a_multi_line_flag_said_by_its_words_executes(covewell: Project) -> None:
    p = covewell.analyze_definition(
        Definition("multi_line_claims", "Claims reported by multi-line customers")
    )
    assert _answered(p), [r.reason for r in p.rules]
    assert "is_multi_line" in str(p.metric)
    got = _monthly(covewell, p, "2024-01-01", "2025-12-31")
    assert _same(got, _hand(covewell, MULTI_LINE_CLAIMS))


def test_kyc_said_executes_and_a_flag_no_word_says_is_unread(lending: Project) -> None:
    """ "KYC verified borrowers": `is_kyc_verified` traces to "KYC"; the same proposal under a definition
    that says no word of the flag is unread naming it, never answered."""
    p = lending.analyze_definition(Definition("kyc_loans", "Loans funded to KYC verified borrowers"))
    assert _answered(p), [r.reason for r in p.rules]
    assert _same(_monthly(lending, p, "2024-01-01", "2024-12-31"), _hand(lending, KYC_LOANS))
    swapped = copy.deepcopy(p)
    swapped.definition = Definition("borrower_loans", "Loans funded to borrowers")
    flag_unsaid(swapped, lending.define_model())
    assert _names_flag(swapped, "is_kyc_verified"), [r.reason for r in swapped.rules]


def test_a_flag_a_catalog_metric_lent_that_no_word_says_is_unread(lending: Project) -> None:
    """ "Number of autopay payments" applied `is_late = true` beside `is_autopay` at 0.75 (the late payments
    metric's filter, said by no word): unread naming `is_late`, or answered with every autopay payment."""
    p = lending.analyze_definition(Definition("autopay_payments_n", "Number of autopay payments"))
    if _answered(p):
        got = _monthly(lending, p, "2024-01-01", "2024-12-31")
        assert _same(got, _hand(lending, AUTOPAY_PAYMENTS)), p.metric
    else:
        assert _names_flag(p, "is_late") or "is_late" not in str(p.metric), [r.reason for r in p.rules]


def test_members_said_by_their_name_or_label_execute(harbor: Project) -> None:
    """ "loyalty members" (the flag's name) and "Circle members" (its label "Circle member") both trace."""
    want = _hand(harbor, MEMBER_NIGHTS)
    for text in ("Room nights sold to loyalty members", "Room nights of Circle members"):
        p = harbor.analyze_definition(Definition("member_room_nights", text))
        assert _answered(p), (text, [r.reason for r in p.rules])
        assert _same(_monthly(harbor, p, "2024-01-01", "2025-12-31"), want), text
    unsaid = copy.deepcopy(p)
    unsaid.definition = Definition("room_nights_sold_x", "Room nights sold")
    flag_unsaid(unsaid, harbor.define_model())
    assert _names_flag(unsaid, "is_loyalty_member"), [r.reason for r in unsaid.rules]


def test_verified_sellers_said_in_a_rule_execute(bazaar: Project) -> None:
    p = bazaar.analyze_definition(
        Definition("verified_seller_fees", "Platform fees earned from sellers", ("Only verified sellers",))
    )
    # a doubt of its own stays (`platform_revenue` for "platform fees"); the flag is never the one unread
    assert p.metric is not None and not any("`is_verified`" in r.reason for r in p.unread), p.rules
    assert _same(_monthly(bazaar, p, "2024-01-01", "2024-12-31"), _hand(bazaar, VERIFIED_FEES))
    negated = copy.deepcopy(p)  # "unverified" says the flag too (fdef-005 keeps is_verified = false)
    negated.definition = Definition("unverified_fees", "Platform fees earned from unverified sellers")
    flag_unsaid(negated, bazaar.define_model())
    assert not any("`is_verified`" in r.reason for r in negated.unread), negated.rules
    unsaid = copy.deepcopy(p)
    unsaid.definition = Definition("seller_fees_x", "Platform fees earned from sellers")
    flag_unsaid(unsaid, bazaar.define_model())
    assert _names_flag(unsaid, "is_verified"), [r.reason for r in unsaid.rules]
