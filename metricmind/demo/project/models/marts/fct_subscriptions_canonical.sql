-- One row per subscription contract. A plan or seat change ends a contract and starts the next one.
select
    s.subscription_id,
    s.account_id as customer_id,
    s.plan_tier,
    s.billing_interval,
    s.seats,
    cast(s.unit_price_cents / 100 as decimal(18, 2)) as list_price_per_seat,
    s.discount_pct,
    cast(s.amount_cents / 100 as decimal(18, 2)) as contract_amount,
    -- monthly recurring revenue: the contract amount as a monthly equivalent; trials carry none
    case
        when s.is_trial then cast(0 as decimal(18, 2))
        else cast(
            s.amount_cents / 100
            / case s.billing_interval when 'annual' then 12 when 'quarterly' then 3 else 1 end
            as decimal(18, 2)
        )
    end as mrr,
    s.is_trial,
    s.status,
    s.change_type,
    s.previous_subscription_id,
    s.started_at,
    s.ended_at,
    s.trial_ends_at,
    s.cancel_reason,
    s.cancellation_type,
    s.status in ('active', 'past_due') as is_current,
    date_diff('day', s.started_at, coalesce(s.ended_at, b.as_of)) as duration_days
from {{ source('raw', 'billing_subscriptions') }} as s
cross join {{ source('raw', 'build_info') }} as b
