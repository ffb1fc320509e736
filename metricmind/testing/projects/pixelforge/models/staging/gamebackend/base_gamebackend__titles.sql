select
    title_id as title_code,
    title_name,
    genre,
    global_launch_date as launched_on
from {{ source('gamebackend', 'titles') }}
