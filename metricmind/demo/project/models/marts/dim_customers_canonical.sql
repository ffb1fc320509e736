-- One row per customer account (prospects, trials, paying and churned), with firmographics and status.
with subs as (
    select
        customer_id,
        min(started_at) filter (where is_trial) as first_trial_date,
        min(started_at) filter (where change_type = 'new') as first_paid_date,
        max(ended_at) filter (where status = 'canceled') as last_churn_date,
        sum(mrr) filter (where is_current) as current_mrr,
        arg_max(plan_tier, started_at) filter (where not is_trial) as latest_plan_tier,
        arg_max(billing_interval, started_at) filter (where not is_trial) as latest_billing_interval,
        bool_or(status = 'trialing') as is_trialing,
        count(*) filter (where change_type = 'reactivation') as reactivations
    from {{ ref('fct_subscriptions_canonical') }}
    group by customer_id
)

select
    a.account_id as customer_id,
    a.account_name as customer_name,
    a.segment,
    a.region,
    a.country,
    a.industry,
    a.employee_count,
    a.acquisition_channel,
    a.created_at as signed_up_at,
    a.signup_date,
    s.first_trial_date,
    s.first_paid_date,
    case when coalesce(s.current_mrr, 0) = 0 then s.last_churn_date end as churned_date,
    coalesce(s.current_mrr, 0) as current_mrr,
    s.latest_plan_tier as current_plan_tier,
    s.latest_billing_interval as current_billing_interval,
    coalesce(s.reactivations, 0) as reactivations,
    case
        when coalesce(s.current_mrr, 0) > 0 then 'paying'
        when s.first_paid_date is not null then 'churned'
        when s.is_trialing then 'trialing'
        when s.first_trial_date is not null then 'trial_lapsed'
        else 'prospect'
    end as lifecycle_stage,
    coalesce(s.current_mrr, 0) > 0 as is_paying,
    -- The day the CRM extract is complete through: what freshness is measured by. A quiet day with no
    -- signup, first payment or churn does not make the table stale.
    b.as_of as data_as_of
from {{ source('raw', 'crm_accounts') }} as a
left join subs as s on s.customer_id = a.account_id
cross join {{ source('raw', 'build_info') }} as b
