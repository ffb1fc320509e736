-- One row per player per day with at least one session.
select
    player_id,
    cast(started_at as date) as activity_date,
    count(*) as sessions,
    sum(duration_seconds) as seconds_played
from {{ ref('base_gamebackend__sessions') }}
group by 1, 2
