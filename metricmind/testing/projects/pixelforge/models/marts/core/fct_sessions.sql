select
    s.session_id,
    s.player_id,
    s.title_code,
    s.started_at,
    cast(s.started_at as date) as session_date,
    round(s.duration_seconds / 60.0, 2) as duration_minutes,
    date_diff('day', cast(p.installed_at as date), cast(s.started_at as date)) as days_since_install,
    s.client_version
from {{ ref('base_gamebackend__sessions') }} as s
join {{ ref('base_gamebackend__players') }} as p
    on p.player_id = s.player_id
