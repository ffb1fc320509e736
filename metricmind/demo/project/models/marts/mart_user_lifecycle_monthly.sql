-- One row per product user and month, from the user's first active month through the last month of data,
-- with the user's growth-accounting status that month (definitions in docs/analyses.md):
-- new (first active month), retained (active this month and last), resurrected (active, not last month,
-- but before), churned (active last month, not this one), dormant (active before last month, in neither).
-- A user is active in a month when it has a product event in it (UTC calendar months).
with months as (
    select distinct cast(date_trunc('month', date_day) as date) as month_start
    from {{ ref('time_spine_daily') }}
),

active as (
    select distinct user_id, cast(date_trunc('month', occurred_at) as date) as month_start
    from {{ ref('fct_user_events_canonical') }}
),

grid as (
    select f.user_id, m.month_start
    from (select user_id, min(month_start) as first_month from active group by user_id) as f
    inner join months as m on m.month_start >= f.first_month
),

flagged as (
    select g.user_id, g.month_start, a.user_id is not null as is_active
    from grid as g
    left join active as a on a.user_id = g.user_id and a.month_start = g.month_start
),

framed as (
    select *, lag(is_active) over (partition by user_id order by month_start) as was_active
    from flagged
),

statuses as (
    select
        *,
        case
            when is_active and was_active is null then 'new'
            when is_active and was_active then 'retained'
            when is_active then 'resurrected'
            when was_active then 'churned'
            else 'dormant'
        end as lifecycle_status
    from framed
)

select
    cast(s.user_id as varchar) || '-' || strftime(s.month_start, '%Y-%m') as user_month_id,
    s.user_id,
    u.customer_id,
    s.month_start,
    s.lifecycle_status,
    s.is_active,
    case when s.lifecycle_status = 'new' then 1 else 0 end as is_new,
    case when s.lifecycle_status = 'retained' then 1 else 0 end as is_retained,
    case when s.lifecycle_status = 'resurrected' then 1 else 0 end as is_resurrected,
    case when s.lifecycle_status = 'churned' then 1 else 0 end as is_churned,
    case when s.lifecycle_status = 'dormant' then 1 else 0 end as is_dormant
from statuses as s
left join {{ ref('dim_users') }} as u on u.user_id = s.user_id
