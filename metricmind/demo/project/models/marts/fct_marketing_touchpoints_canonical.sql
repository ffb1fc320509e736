-- One row per marketing touchpoint, with the customer's first conversion to paid and the new MRR that
-- each attribution model credits to the touch (only touches before that conversion earn credit).
with conversions as (
    select customer_id, month_start, new_mrr
    from {{ ref('mart_customer_lifecycle_canonical') }}
    where is_new_customer
),

first_paid as (
    select customer_id, min(started_at) as converted_at
    from {{ ref('fct_subscriptions_canonical') }}
    where change_type = 'new'
    group by customer_id
),

touches as (
    select
        t.touchpoint_id,
        t.account_id as customer_id,
        t.touched_at,
        cast(t.touched_at as date) as touch_date,
        t.channel,
        t.campaign,
        cast(t.allocated_spend_cents / 100 as decimal(18, 2)) as allocated_spend,
        f.converted_at,
        c.new_mrr as conversion_new_mrr,
        f.converted_at is not null and t.touched_at < f.converted_at as is_converting_touch
    from {{ source('raw', 'marketing_touchpoints') }} as t
    left join first_paid as f on f.customer_id = t.account_id
    left join conversions as c on c.customer_id = t.account_id
),

positioned as (
    select
        *,
        row_number() over (partition by customer_id, is_converting_touch order by touched_at, touchpoint_id)
            as journey_position,
        count(*) over (partition by customer_id, is_converting_touch) as journey_touches
    from touches
)

select
    touchpoint_id,
    customer_id,
    touched_at,
    touch_date,
    channel,
    campaign,
    allocated_spend,
    is_converting_touch,
    case when is_converting_touch then converted_at end as converted_at,
    case when is_converting_touch then journey_position end as journey_position,
    case when is_converting_touch then journey_touches end as journey_touches,
    case when is_converting_touch and journey_position = 1 then conversion_new_mrr else 0 end
        as first_touch_new_mrr,
    case when is_converting_touch and journey_position = journey_touches then conversion_new_mrr else 0 end
        as last_touch_new_mrr,
    case when is_converting_touch then cast(conversion_new_mrr as double) / journey_touches else 0 end
        as linear_new_mrr
from positioned
