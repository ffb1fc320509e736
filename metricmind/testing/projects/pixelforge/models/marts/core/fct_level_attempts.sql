-- One row per level attempt that ended (won or failed).
select
    event_id as attempt_id,
    player_id,
    title_code,
    event_at as attempted_at,
    level_number,
    event_name = 'level_complete' as is_completed,
    stars
from {{ ref('base_gamebackend__level_events') }}
