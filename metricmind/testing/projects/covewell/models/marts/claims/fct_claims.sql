-- One row per claim, dated by the date it was reported to us. Incurred = paid to date (indemnity + expense)
-- plus the open case reserve.
with paid as (
    select
        claim_id,
        sum(payment_amount) as paid_to_date,
        sum(case when payment_type = 'indemnity' then payment_amount else 0 end) as indemnity_paid,
        sum(case when payment_type = 'expense' then payment_amount else 0 end) as expense_paid
    from {{ ref('stg_claimcenter__claim_payments') }}
    group by 1
)

select
    c.claim_id,
    c.policy_term_id,
    c.loss_date,
    c.reported_date,
    date_diff('day', c.loss_date, c.reported_date) as report_lag_days,
    c.peril,
    c.claim_status,
    c.closed_date,
    c.catastrophe_code,
    c.catastrophe_code is not null as is_catastrophe,
    c.is_siu_referral,
    coalesce(p.paid_to_date, 0) as paid_to_date,
    coalesce(p.indemnity_paid, 0) as indemnity_paid,
    coalesce(p.expense_paid, 0) as expense_paid,
    c.case_reserve,
    coalesce(p.paid_to_date, 0) + c.case_reserve as incurred_amount
from {{ ref('stg_claimcenter__claims') }} as c
left join paid as p
    on p.claim_id = c.claim_id
