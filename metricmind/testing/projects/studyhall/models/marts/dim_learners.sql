-- One row per learner account. plan is the learner's current plan; B2B learners sit on a company seat.
with first_payment as (
    select learner_id, min(paid_at) as first_paid_at
    from {{ ref('stg_payments') }}
    where learner_id is not null
    group by 1
)
select
    l.learner_id,
    l.signed_up_at,
    cast(l.signed_up_at as date) as signup_date,
    l.country_code,
    l.signup_channel,
    l.plan,
    l.company_account_id,
    l.company_account_id is not null as is_b2b,
    f.first_paid_at
from {{ ref('stg_learners') }} as l
left join first_payment as f
    on f.learner_id = l.learner_id
