select
    player_id,
    title_id as title_code,
    first_open_ts as installed_at,
    lower(os) as platform,
    upper(geo_country) as country_code
from {{ source('gamebackend', 'players') }}
