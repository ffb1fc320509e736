-- One row per marketing touchpoint with the new MRR every attribution model credits to it (the touches
-- made before the customer's first payment share the customer's new MRR; other touches get 0).
-- The rule-based models are computed here; Shapley and Markov come from the analyses.touchpoint_credits
-- source, computed by metricmind.analyses at build time. The definitions are in docs/analyses.md.
with conversions as (
    select customer_id, sum(new_mrr) as new_mrr
    from {{ ref('mart_customer_lifecycle_canonical') }}
    where is_new_customer
    group by customer_id
),

touches as (
    select
        t.touchpoint_id,
        t.customer_id,
        t.touched_at,
        t.channel,
        t.campaign,
        t.is_converting_touch,
        t.converted_at,
        t.journey_position,
        t.journey_touches,
        case when t.is_converting_touch then coalesce(c.new_mrr, 0) else 0 end as journey_new_mrr,
        case
            when t.is_converting_touch
                then (epoch(cast(t.converted_at as timestamp)) - epoch(t.touched_at)) / 86400.0
        end as days_before_conversion
    from {{ ref('fct_marketing_touchpoints_canonical') }} as t
    left join conversions as c on c.customer_id = t.customer_id
),

decayed as (
    select
        *,
        -- time decay: 2^(-days / 7), shifted by the journey's nearest touch so that it cannot underflow
        power(
            2.0,
            -(days_before_conversion - min(days_before_conversion) over (partition by customer_id, is_converting_touch))
            / 7.0
        ) as decay
    from touches
),

weighted as (
    select
        *,
        case
            when not is_converting_touch then 0.0
            when journey_touches = 1 then 1.0
            when journey_touches = 2 then 0.5
            when journey_position = 1 or journey_position = journey_touches then 0.4
            else 0.2 / (journey_touches - 2)
        end as position_based_weight,
        case
            when is_converting_touch then decay / sum(decay) over (partition by customer_id, is_converting_touch)
            else 0.0
        end as time_decay_weight
    from decayed
)

select
    w.touchpoint_id,
    w.customer_id,
    w.touched_at,
    w.channel,
    w.campaign,
    w.is_converting_touch,
    w.converted_at,
    w.journey_position,
    w.journey_touches,
    cast(w.journey_new_mrr as double) as journey_new_mrr,
    cast(case when w.journey_position = 1 then w.journey_new_mrr else 0 end as double) as first_touch_new_mrr,
    cast(case when w.journey_position = w.journey_touches then w.journey_new_mrr else 0 end as double)
        as last_touch_new_mrr,
    case when w.is_converting_touch then cast(w.journey_new_mrr as double) / w.journey_touches else 0.0 end
        as linear_new_mrr,
    w.position_based_weight * w.journey_new_mrr as position_based_new_mrr,
    w.time_decay_weight * w.journey_new_mrr as time_decay_new_mrr,
    coalesce(a.shapley_new_mrr, 0.0) as shapley_new_mrr,
    coalesce(a.markov_new_mrr, 0.0) as markov_new_mrr
from weighted as w
left join {{ source('analyses', 'touchpoint_credits') }} as a on a.touchpoint_id = w.touchpoint_id
