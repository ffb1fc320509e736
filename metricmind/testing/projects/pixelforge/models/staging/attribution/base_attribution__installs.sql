select
    player_id,
    media_source,
    campaign as campaign_name,
    attributed_ts as attributed_at
from {{ source('attribution', 'installs_attributed') }}
