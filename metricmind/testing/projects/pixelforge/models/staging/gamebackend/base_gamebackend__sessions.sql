select
    session_id,
    player_id,
    title_id as title_code,
    session_start as started_at,
    session_end as ended_at,
    date_diff('second', session_start, session_end) as duration_seconds,
    client_version
from {{ source('gamebackend', 'sessions') }}
where session_end >= session_start
