select
    snapshot_date,
    title_id as title_code,
    lower(os) as platform,
    gems_granted,
    gems_sunk,
    gems_outstanding_eod
from {{ source('gamebackend', 'economy_daily') }}
