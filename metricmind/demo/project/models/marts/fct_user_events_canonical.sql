-- One row per product event (a feature-level action by a user).
select
    e.event_id,
    e.user_id,
    u.customer_id,
    e.occurred_at,
    cast(e.occurred_at as date) as event_date,
    e.feature,
    e.action,
    e.platform
from {{ source('raw', 'product_events') }} as e
inner join {{ ref('dim_users') }} as u on u.user_id = e.user_id
