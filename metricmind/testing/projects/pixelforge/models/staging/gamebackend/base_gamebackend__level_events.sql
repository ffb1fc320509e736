select
    event_id,
    player_id,
    title_id as title_code,
    event_name,
    level_no as level_number,
    event_ts as event_at,
    stars
from {{ source('gamebackend', 'level_events') }}
