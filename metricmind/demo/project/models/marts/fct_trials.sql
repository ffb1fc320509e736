-- One row per free trial, with its outcome and the paid contract it turned into.
with trials as (
    select * from {{ ref('fct_subscriptions_canonical') }} where is_trial
),

paid as (
    select previous_subscription_id, subscription_id, started_at, plan_tier
    from {{ ref('fct_subscriptions_canonical') }}
    where change_type = 'new'
)

select
    t.subscription_id as trial_id,
    t.subscription_id,
    t.customer_id,
    t.plan_tier as trial_plan_tier,
    t.started_at as trial_started_at,
    t.trial_ends_at,
    case t.status when 'trialing' then 'in_trial' when 'trial_converted' then 'converted' else 'lapsed' end
        as outcome,
    t.status = 'trial_converted' as is_converted,
    p.subscription_id as paid_subscription_id,
    p.started_at as paid_started_at,
    p.plan_tier as paid_plan_tier,
    date_diff('day', t.started_at, p.started_at) as days_to_paid
from trials as t
left join paid as p on p.previous_subscription_id = t.subscription_id
