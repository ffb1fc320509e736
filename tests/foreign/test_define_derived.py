"""``define`` reads money, counts, flags and states from the loaded project, not from the demo's nouns.

Each reading is checked on a foreign project (no ``meta.unit`` anywhere, its own entities and flags): the
proposal is analyzed as the CLI does (``Project.analyze_definition``), compiled without dbt
(``extend.proposal_sql``) and run on the project's warehouse against hand-written SQL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from metricmind.define import Definition, Proposal
from metricmind.define.extend import proposal_sql
from metricmind.define.money import head, is_count, is_money, vocab
from metricmind.define.rank import wants_unit
from metricmind.project import Project
from tests.foreign.conftest import close


def _monthly(project: Project, proposal: Proposal) -> dict[dt.date, float]:
    sql = proposal_sql(project.model, proposal, dialect=project.dialect, start="2024-01-01", end="2024-07-01")
    out: dict[dt.date, float] = {}
    for row in project.warehouse.run(sql).rows:
        month = row[0].date() if isinstance(row[0], dt.datetime) else row[0]
        out[month] = float(row[1] or 0.0)
    return out


def _hand(project: Project, sql: str) -> dict[dt.date, float]:
    out: dict[dt.date, float] = {}
    for row in project.warehouse.run(sql).rows:
        month = row[0].date() if isinstance(row[0], dt.datetime) else row[0]
        out[month] = float(row[1] or 0.0)
    return out


def _equal(got: dict[dt.date, Any], want: dict[dt.date, Any]) -> bool:
    return bool(want) and all(close(got.get(m, 0.0), v) for m, v in want.items())


def test_money_is_read_from_measures_without_units(lending: Project, bazaar: Project) -> None:
    m = lending.model.metrics
    assert not any(x.meta.get("unit") for x in m.values())  # the project declares no unit
    assert is_money(lending.model, m["funded_amount"])  # "Principal disbursed, in dollars."
    assert is_money(lending.model, m["collections"])  # amount_cents / 100.0
    assert not is_money(lending.model, m["average_apr"])  # "Mean APR in percent."
    assert is_count(lending.model, m["funded_borrowers"]) and not is_money(
        lending.model, m["funded_borrowers"]
    )
    assert is_money(bazaar.model, bazaar.model.metrics["aov"])  # money per order
    assert not is_money(bazaar.model, bazaar.model.metrics["take_rate"])  # money over money: a rate
    money, counts = vocab(lending.model)
    assert {"principal", "amount"} <= money and {"loan", "borrower", "application"} <= counts
    assert "gmv" in vocab(bazaar.model)[0] and "ticket" not in vocab(bazaar.model)[1]


def test_the_head_of_the_opening_phrase_says_the_unit(lending: Project) -> None:
    assert head("Funded amount to borrowers in the excellent or good credit bands") == "amount"
    assert head("Loans that were the borrower's first loan with us") == "loan"
    assert head("What we owe unverified sellers at month end") == ""
    assert wants_unit("Funded amount to borrowers in the excellent or good credit bands", lending.model) == (
        True,
        False,
    )
    assert wants_unit("Borrowers who signed up last month", lending.model) == (False, True)


def test_funded_amount_to_borrowers_is_money_not_the_borrower_count(lending: Project) -> None:
    # before: `funded_borrowers` (a count) ranked first and the answer was 53 borrowers, not dollars
    p = lending.analyze_definition(
        Definition(
            "prime_funded_amount",
            "Funded amount to borrowers in the excellent or good credit bands",
            ("use the borrower's credit band",),
        )
    )
    assert p.metric is not None and not p.unread, p.unread
    assert p.metric["config"]["meta"]["based_on"] == "funded_amount"
    want = _hand(
        lending,
        "select cast(date_trunc('month', l.funded_date) as date), sum(l.principal_amount) "
        "from prod.fct_loans l join prod.dim_borrowers b using (borrower_id) "
        "where b.credit_band in ('excellent', 'good') and l.funded_date >= '2024-01-01' "
        "and l.funded_date < '2024-07-01' group by 1 order by 1",
    )
    assert _equal(_monthly(lending, p), want)


def test_loans_that_were_first_loans_count_loans_rows_without_a_kin_filter(lending: Project) -> None:
    # before: a distinct count of loan_id on payments dated by paid_at (the payments' description says
    # "borrower", which the loans' own flag description says too), then the count of `funded_borrowers`,
    # then the loans' rows with `charged_off_loans`' filter kept as "what the column means"
    p = lending.analyze_definition(
        Definition("new_to_lender_loans", "Loans that were the borrower's first loan with us", ())
    )
    assert p.metric is not None
    assert "charged_off" not in str(p.metric.get("filter"))
    assert "is_first_loan" in str(p.metric.get("filter"))
    want = _hand(
        lending,
        "select cast(date_trunc('month', funded_date) as date), count(*) from prod.fct_loans "
        "where is_first_loan and funded_date >= '2024-01-01' and funded_date < '2024-07-01' "
        "group by 1 order by 1",
    )
    assert _equal(_monthly(lending, p), want)


def test_a_count_of_one_entity_is_not_a_count_of_another(lending: Project) -> None:
    from metricmind.define.money import counted_entity, wanted_entity
    from metricmind.define.rank import rank

    m = lending.model
    assert counted_entity(m, m.metrics["funded_borrowers"]) == "borrower"
    assert counted_entity(m, m.metrics["loans_funded"]) == "loan"
    assert wanted_entity(m, "Loans that were the borrower's first loan with us") == "loan"
    text = "Loans to borrowers in the excellent credit band"
    top = rank(m, Definition("x", text), text)[0]
    assert top.metric.name != "funded_borrowers"


def test_a_flag_said_by_its_description_and_a_participle_date_said_as_a_noun(lending: Project) -> None:
    # before: "by sign-up month" was unread (the time dimension is signed_up_at) and "without passing
    # KYC" named no flag (is_kyc_verified is described "Identity check (KYC) passed."): no filter
    p = lending.analyze_definition(
        Definition("unverified_signups", "Borrowers who signed up without passing KYC", ("by sign-up month",))
    )
    readings = {r.text: r for r in p.rules}
    assert readings["by sign-up month"].status == "time"
    assert p.metric is not None
    assert p.metric.get("filter") == "{{ Dimension('borrower__is_kyc_verified') }} = false"
    want = _hand(
        lending,
        "select cast(date_trunc('month', signed_up_at) as date), count(*) from prod.dim_borrowers "
        "where not is_kyc_verified and signed_up_at >= '2024-01-01' and signed_up_at < '2024-07-01' "
        "group by 1 order by 1",
    )
    assert _equal(_monthly(lending, p), want)
    passed = lending.analyze_definition(
        Definition("verified_signups", "Borrowers who signed up after passing KYC", ("by sign-up month",))
    )
    assert passed.metric is not None
    assert passed.metric.get("filter") == "{{ Dimension('borrower__is_kyc_verified') }} = true"
