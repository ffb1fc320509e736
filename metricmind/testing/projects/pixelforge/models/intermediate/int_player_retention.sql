-- Classic Dn retention flags: played on exactly the Nth calendar day after the install day.
with last_day as (
    select max(activity_date) as last_activity_date from {{ ref('int_player_activity_days') }}
)

select
    p.player_id,
    cast(p.installed_at as date) + 1 <= l.last_activity_date as is_d1_matured,
    cast(p.installed_at as date) + 7 <= l.last_activity_date as is_d7_matured,
    exists (
        select 1 from {{ ref('int_player_activity_days') }} as a
        where a.player_id = p.player_id and a.activity_date = cast(p.installed_at as date) + 1
    ) as is_retained_d1,
    exists (
        select 1 from {{ ref('int_player_activity_days') }} as a
        where a.player_id = p.player_id and a.activity_date = cast(p.installed_at as date) + 7
    ) as is_retained_d7
from {{ ref('base_gamebackend__players') }} as p
cross join last_day as l
